//! CrateDB table clauses for sea-query's `CREATE TABLE`: [`TableOptions`] (`PARTITIONED BY`,
//! `CLUSTERED … INTO n SHARDS`, `WITH (…)`) and named indexes ([`FulltextIndex`],
//! [`PlainIndex`]).

use std::fmt::Write as _;

use sea_query::{DynIden, IntoIden, TableCreateStatement};

use crate::{
    ColumnPolicy, FulltextIndex, ParamValue, PlainIndex, seal,
    write::{name::write_setting_name, param::write_param_value, path::write_dyn_iden},
};

/// Number of replicas per shard: a count, a range, or a range up to every node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Replicas {
    /// Exactly `n` replicas (`'n'`).
    Fixed(u32),
    /// Between `min` and `max`, depending on the number of nodes (`'min-max'`).
    Range(u32, u32),
    /// From `min` up to one per node (`'min-all'`).
    UpToAll(u32),
}

impl From<Replicas> for ParamValue {
    fn from(value: Replicas) -> Self {
        Self::Text(match value {
            Replicas::Fixed(n) => n.to_string(),
            Replicas::Range(min, max) => format!("{min}-{max}"),
            Replicas::UpToAll(min) => format!("{min}-all"),
        })
    }
}

/// Table compression codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Codec {
    /// LZ4 (`default`).
    Default,
    /// DEFLATE (`best_compression`).
    BestCompression,
}

/// An ordered list of `WITH (name = value, …)` parameters; names with dots or upper case are
/// double-quoted, values are literals (text escaped).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WithParams(Vec<(String, ParamValue)>);

impl WithParams {
    /// Adds (or replaces) a parameter.
    pub fn set(&mut self, name: &str, value: impl Into<ParamValue>) {
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    /// Whether no parameter is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes `WITH (…)` (nothing when empty).
    pub(crate) fn write_with(&self, sql: &mut String) {
        if self.0.is_empty() {
            return;
        }
        sql.push_str("WITH (");
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            write_setting_name(name, sql);
            sql.push_str(" = ");
            write_param_value(value, sql);
        }
        sql.push(')');
    }
}

/// CrateDB's table clauses: `PARTITIONED BY`, `CLUSTERED [BY] [INTO n SHARDS]` and `WITH (…)`.
///
/// Apply them to a sea-query `CREATE TABLE` with [`CrateTableExt::crate_options`].
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, CrateTableExt, Replicas, TableOptions, sea_query::{ColumnDef, Table}};
///
/// let sql = Table::create()
///     .table("metrics")
///     .col(ColumnDef::new("id").text())
///     .col(ColumnDef::new("day").timestamp_with_time_zone())
///     .crate_options(
///         TableOptions::new()
///             .partitioned_by(["day"])
///             .clustered_by("id")
///             .shards(6)
///             .number_of_replicas(Replicas::Range(0, 1))
///             .refresh_interval_ms(1000)
///             .param("write.wait_for_active_shards", 1),
///     )
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(
///     sql,
///     concat!(
///         r#"CREATE TABLE "metrics" ( "id" TEXT, "day" TIMESTAMP WITH TIME ZONE ) "#,
///         r#"PARTITIONED BY ("day") CLUSTERED BY ("id") INTO 6 SHARDS "#,
///         r#"WITH (number_of_replicas = '0-1', refresh_interval = 1000, "write.wait_for_active_shards" = 1)"#
///     )
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    partitioned_by: Vec<DynIden>,
    clustered_by: Option<DynIden>,
    shards: Option<u32>,
    params: WithParams,
}

impl TableOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// `PARTITIONED BY (cols)`: one partition per distinct value combination.
    pub fn partitioned_by<I, C>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: IntoIden,
    {
        self.partitioned_by = columns.into_iter().map(IntoIden::into_iden).collect();
        self
    }

    /// `CLUSTERED BY (col)`: the routing column (defaults to the primary key, else `_id`).
    pub fn clustered_by(mut self, column: impl IntoIden) -> Self {
        self.clustered_by = Some(column.into_iden());
        self
    }

    /// `INTO n SHARDS`.
    pub fn shards(mut self, shards: u32) -> Self {
        self.shards = Some(shards);
        self
    }

    /// `number_of_replicas`.
    pub fn number_of_replicas(self, replicas: Replicas) -> Self {
        self.param("number_of_replicas", replicas)
    }

    /// `refresh_interval` in milliseconds (0 turns periodic refresh off).
    pub fn refresh_interval_ms(self, interval: u32) -> Self {
        self.param("refresh_interval", interval)
    }

    /// Table-level `column_policy` (`strict` is CrateDB's default).
    pub fn column_policy(self, policy: ColumnPolicy) -> Self {
        self.param("column_policy", policy.as_sql().to_ascii_lowercase())
    }

    /// `codec`.
    pub fn codec(self, codec: Codec) -> Self {
        let name = match codec {
            Codec::Default => "default",
            Codec::BestCompression => "best_compression",
        };
        self.param("codec", name)
    }

    /// `number_of_routing_shards` (fixed once the table exists).
    pub fn number_of_routing_shards(self, shards: u32) -> Self {
        self.param("number_of_routing_shards", shards)
    }

    /// Any other `WITH` parameter, e.g. `"translog.durability"` or `"blocks.read_only"`.
    pub fn param(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.params.set(name, value);
        self
    }

    /// Renders the clauses in CrateDB's order (PARTITIONED BY, CLUSTERED, WITH).
    ///
    /// Every name is one quoted identifier; [`CrateTableExt::crate_options`] also carries a
    /// rejected name (empty, or with a control character) to the checked entry point.
    pub fn to_sql(&self) -> String {
        let mut sql = String::new();
        self.write_sql(&mut sql);
        sql
    }

    fn write_sql(&self, sql: &mut String) {
        if !self.partitioned_by.is_empty() {
            sql.push_str("PARTITIONED BY (");
            for (i, column) in self.partitioned_by.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                write_dyn_iden(column, sql);
            }
            sql.push(')');
        }
        if self.clustered_by.is_some() || self.shards.is_some() {
            push_separated(sql, "CLUSTERED");
            if let Some(column) = &self.clustered_by {
                sql.push_str(" BY (");
                write_dyn_iden(column, sql);
                sql.push(')');
            }
            if let Some(shards) = self.shards {
                let _ = write!(sql, " INTO {shards} SHARDS");
            }
        }
        if !self.params.is_empty() {
            push_separated(sql, "");
            self.params.write_with(sql);
        }
    }
}

fn push_separated(sql: &mut String, text: &str) {
    if !sql.is_empty() {
        sql.push(' ');
    }
    sql.push_str(text);
}

/// CrateDB table clauses for sea-query's [`TableCreateStatement`].
pub trait CrateTableExt {
    /// Sets `PARTITIONED BY`, `CLUSTERED` and `WITH (…)`, replacing any earlier
    /// `crate_options` or `extra` text.
    ///
    /// A rejected name (empty, or with a control character) makes the checked entry point
    /// return [`Error::InvalidName`](crate::Error::InvalidName); it is kept in the table's
    /// comment, which CrateDB rendering does not write, so set no comment afterwards.
    fn crate_options(&mut self, options: TableOptions) -> &mut Self;

    /// Adds a named fulltext index to the column list.
    fn fulltext_index(&mut self, index: FulltextIndex) -> &mut Self;

    /// Adds a named plain index to the column list.
    fn plain_index(&mut self, index: PlainIndex) -> &mut Self;
}

impl CrateTableExt for TableCreateStatement {
    fn crate_options(&mut self, options: TableOptions) -> &mut Self {
        let (sql, rejected) = seal::render_collecting(|sql| options.write_sql(sql));
        if let Some(token) = rejected {
            // CrateDB rendering writes no table comment: the slot carries the rejected name to
            // the checked entry point.
            self.comment(token);
        }
        self.extra(sql)
    }

    fn fulltext_index(&mut self, index: FulltextIndex) -> &mut Self {
        self.col(index)
    }

    fn plain_index(&mut self, index: PlainIndex) -> &mut Self {
        self.col(index)
    }
}
