//! `REFRESH TABLE` and `OPTIMIZE TABLE`, each over one or more tables or partitions.

use sea_query::{IntoIden, TableName, Value};

use super::{
    Params, PartitionSpec, StatementError, checked, partition_spec, write_partition,
    write_table_name,
};
use crate::ParamValue;

/// `t [PARTITION (…)], u [PARTITION (…)], …`.
#[derive(Debug, Clone)]
struct Tables(Vec<(TableName, Option<PartitionSpec>)>);

impl Tables {
    fn new(table: TableName) -> Self {
        Self(vec![(table, None)])
    }

    fn push(&mut self, table: TableName) {
        self.0.push((table, None));
    }

    fn set_partition(&mut self, spec: PartitionSpec) {
        if let Some(last) = self.0.last_mut() {
            last.1 = Some(spec);
        }
    }

    fn write(&self, sql: &mut String) -> Result<(), StatementError> {
        for (i, (table, partition)) in self.0.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            write_table_name(table, sql);
            if let Some(spec) = partition {
                write_partition(spec, sql)?;
            }
        }
        Ok(())
    }
}

/// `REFRESH TABLE t [PARTITION (…)], …`: makes every write so far visible to queries.
///
/// CrateDB refreshes periodically (`refresh_interval`, 1 s by default); a refresh is needed to
/// read one's own writes at once (a lookup by primary key sees them without it).
///
/// # Examples
///
/// ```
/// use sea_cratedb::RefreshTable;
///
/// let sql = RefreshTable::new(("doc", "metrics"))
///     .partition([("day", 1_700_000_000_000_i64)])
///     .table("events")
///     .try_to_string()
///     .unwrap();
/// assert_eq!(
///     sql,
///     r#"REFRESH TABLE "doc"."metrics" PARTITION ("day" = 1700000000000), "events""#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct RefreshTable {
    tables: Tables,
}

impl RefreshTable {
    /// Refreshes `table`: a name, or `(schema, name)`.
    pub fn new(table: impl Into<TableName>) -> Self {
        Self {
            tables: Tables::new(table.into()),
        }
    }

    /// Adds another table.
    pub fn table(mut self, table: impl Into<TableName>) -> Self {
        self.tables.push(table.into());
        self
    }

    /// `PARTITION (col = value, …)` for the table added last: refresh only that partition.
    pub fn partition<I, C, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = (C, V)>,
        C: IntoIden,
        V: Into<Value>,
    {
        self.tables.set_partition(partition_spec(values));
        self
    }

    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// [`StatementError::EmptyList`] for an empty `PARTITION` list, [`StatementError::Sql`] for
    /// a partition value CrateDB cannot hold.
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        checked(|sql| {
            sql.push_str("REFRESH TABLE ");
            self.tables.write(sql)
        })
    }
}

/// `OPTIMIZE TABLE t [PARTITION (…)], … [WITH (…)]`: merges segments to speed up queries and
/// reclaim space from deleted rows.
///
/// # Examples
///
/// ```
/// use sea_cratedb::OptimizeTable;
///
/// let sql = OptimizeTable::new("metrics")
///     .table("events")
///     .partition([("day", "2024-01-01")])
///     .max_num_segments(1)
///     .flush(true)
///     .try_to_string()
///     .unwrap();
/// assert_eq!(
///     sql,
///     r#"OPTIMIZE TABLE "metrics", "events" PARTITION ("day" = '2024-01-01') WITH (max_num_segments = 1, flush = true)"#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct OptimizeTable {
    tables: Tables,
    params: Params,
}

impl OptimizeTable {
    /// Optimizes `table`: a name, or `(schema, name)`.
    pub fn new(table: impl Into<TableName>) -> Self {
        Self {
            tables: Tables::new(table.into()),
            params: Params::default(),
        }
    }

    /// Adds another table.
    pub fn table(mut self, table: impl Into<TableName>) -> Self {
        self.tables.push(table.into());
        self
    }

    /// `PARTITION (col = value, …)` for the table added last: optimize only that partition.
    pub fn partition<I, C, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = (C, V)>,
        C: IntoIden,
        V: Into<Value>,
    {
        self.tables.set_partition(partition_spec(values));
        self
    }

    /// `max_num_segments = n`: merge down to at most `n` segments per shard (1 for a full
    /// merge). CrateDB rejects it together with `only_expunge_deletes`.
    pub fn max_num_segments(self, segments: u32) -> Self {
        self.param("max_num_segments", segments)
    }

    /// `only_expunge_deletes`: merge only segments holding deleted rows.
    pub fn only_expunge_deletes(self, only: bool) -> Self {
        self.param("only_expunge_deletes", only)
    }

    /// `flush`: flush after optimizing (CrateDB's default is `true`).
    pub fn flush(self, flush: bool) -> Self {
        self.param("flush", flush)
    }

    /// Any other `WITH` parameter; a name set twice keeps the last value.
    pub fn param(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.params.set(name, value);
        self
    }

    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// As [`RefreshTable::try_to_string`].
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        checked(|sql| {
            sql.push_str("OPTIMIZE TABLE ");
            self.tables.write(sql)?;
            self.params.write_with(sql);
            Ok(())
        })
    }
}
