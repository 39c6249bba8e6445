//! `ALTER TABLE`: add, drop and rename columns, rename the table, change table parameters,
//! open or close a table or partition, drop a check constraint.

use sea_query::{ColumnDef, DynIden, IntoColumnDef, IntoIden, TableBuilder, TableName, Value};

use super::{
    Params, PartitionSpec, StatementError, checked, partition_spec, write_partition,
    write_table_name,
};
use crate::{
    CrateDbQueryBuilder, ParamValue,
    write::name::write_setting_name,
    write::path::{write_dyn_iden, write_name},
};

/// `ALTER [BLOB] TABLE [ONLY] t [PARTITION (…)] action`.
///
/// One kind of action per statement, as CrateDB's grammar requires: several
/// [`add_column`](Self::add_column)s (or several [`drop_column`](Self::drop_column)s) make one
/// statement, and several [`set`](Self::set)s (or [`reset`](Self::reset)s) one list; mixing
/// kinds is a [`StatementError::Conflict`]. A [`partition`](Self::partition) suits `SET`,
/// `RESET`, `OPEN` and `CLOSE` (CrateDB rejects column changes on one partition).
/// `ALTER COLUMN … SET DEFAULT` (CrateDB 6.3) and `REROUTE` are not offered.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{AlterTable, CrateColumnExt, CrateType, ColumnPolicy, Replicas, expr::path, sea_query::ColumnDef};
///
/// let sql = AlterTable::new(("doc", "metrics"))
///     .add_column(ColumnDef::new("region").text().not_null())
///     .add_column(ColumnDef::new("meta").crate_type(
///         CrateType::object(ColumnPolicy::Strict).field(ColumnDef::new("level").integer()),
///     ))
///     .try_to_string()
///     .unwrap();
/// assert_eq!(
///     sql,
///     r#"ALTER TABLE "doc"."metrics" ADD COLUMN "region" TEXT NOT NULL, ADD COLUMN "meta" OBJECT(STRICT) AS ("level" INTEGER)"#
/// );
///
/// let sql = AlterTable::new("metrics")
///     .partition([("day", 1_700_000_000_000_i64)])
///     .set("number_of_replicas", Replicas::Fixed(2))
///     .set("blocks.read_only", true)
///     .try_to_string()
///     .unwrap();
/// assert_eq!(
///     sql,
///     r#"ALTER TABLE "metrics" PARTITION ("day" = 1700000000000) SET (number_of_replicas = '2', "blocks.read_only" = true)"#
/// );
///
/// let sql = AlterTable::new("docs")
///     .rename_column(path("payload", ["lvl"]), path("payload", ["level"]))
///     .try_to_string()
///     .unwrap();
/// assert_eq!(sql, r#"ALTER TABLE "docs" RENAME COLUMN "payload"['lvl'] TO "payload"['level']"#);
///
/// // CrateDB rejects DEFAULT in ADD COLUMN: a typed error instead of SQL.
/// let err = AlterTable::new("docs")
///     .add_column(ColumnDef::new("n").integer().default(0))
///     .try_to_string()
///     .unwrap_err();
/// assert!(err.to_string().contains("DEFAULT"));
/// ```
#[derive(Debug, Clone)]
pub struct AlterTable {
    table: TableName,
    blob: bool,
    only: bool,
    partition: Option<PartitionSpec>,
    action: Action,
    /// The first pair of actions that cannot be combined, reported at render time.
    conflict: Option<(&'static str, &'static str)>,
}

#[derive(Debug, Clone)]
enum Action {
    None,
    AddColumns(Vec<ColumnDef>),
    DropColumns(Vec<(DynIden, bool)>),
    RenameColumn(DynIden, DynIden),
    RenameTo(DynIden),
    Set(Params),
    Reset(Vec<String>),
    Open,
    Close,
    DropConstraint(DynIden),
}

impl Action {
    fn keyword(&self) -> &'static str {
        match self {
            Self::None => "no action",
            Self::AddColumns(_) => "ADD COLUMN",
            Self::DropColumns(_) => "DROP COLUMN",
            Self::RenameColumn(..) => "RENAME COLUMN",
            Self::RenameTo(_) => "RENAME TO",
            Self::Set(_) => "SET",
            Self::Reset(_) => "RESET",
            Self::Open => "OPEN",
            Self::Close => "CLOSE",
            Self::DropConstraint(_) => "DROP CONSTRAINT",
        }
    }
}

impl AlterTable {
    /// Alters `table`: a name, or `(schema, name)`.
    pub fn new(table: impl Into<TableName>) -> Self {
        Self {
            table: table.into(),
            blob: false,
            only: false,
            partition: None,
            action: Action::None,
            conflict: None,
        }
    }

    /// `ALTER BLOB TABLE`: the table is a blob table (give the bare name). Blob tables have no
    /// columns and no partitions: only [`set`](Self::set), [`reset`](Self::reset),
    /// [`open`](Self::open), [`close`](Self::close) and [`rename_to`](Self::rename_to) apply.
    pub fn blob(mut self) -> Self {
        self.blob = true;
        self
    }

    /// `ALTER TABLE ONLY t`: on a partitioned table, change only what new partitions get,
    /// not the existing ones. Cannot be combined with [`partition`](Self::partition).
    pub fn only(mut self) -> Self {
        self.only = true;
        self
    }

    /// `PARTITION (col = value, …)`: alter one partition; list every partition column.
    pub fn partition<I, C, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = (C, V)>,
        C: IntoIden,
        V: Into<Value>,
    {
        self.partition = Some(partition_spec(values));
        self
    }

    /// `ADD COLUMN "name" type constraints`; call it again to add several columns.
    ///
    /// The column may be a [`path`](crate::expr::path) to add an object sub-column. It must
    /// not have a `DEFAULT` (CrateDB rejects it); generated and primary key columns can be added
    /// only while the table is empty.
    pub fn add_column(self, column: impl IntoColumnDef) -> Self {
        self.action(Action::AddColumns(vec![column.into_column_def()]))
    }

    /// `DROP COLUMN "name"` (CrateDB 5.5); call it again to drop several columns.
    pub fn drop_column(self, column: impl IntoIden) -> Self {
        self.action(Action::DropColumns(vec![(column.into_iden(), false)]))
    }

    /// `DROP COLUMN IF EXISTS "name"` (CrateDB 5.5).
    pub fn drop_column_if_exists(self, column: impl IntoIden) -> Self {
        self.action(Action::DropColumns(vec![(column.into_iden(), true)]))
    }

    /// `RENAME COLUMN "from" TO "to"` (CrateDB 5.6); either may be a
    /// [`path`](crate::expr::path).
    pub fn rename_column(self, from: impl IntoIden, to: impl IntoIden) -> Self {
        self.action(Action::RenameColumn(from.into_iden(), to.into_iden()))
    }

    /// `RENAME TO "new_name"` (the table keeps its schema).
    pub fn rename_to(self, new_name: impl IntoIden) -> Self {
        self.action(Action::RenameTo(new_name.into_iden()))
    }

    /// `SET (name = value, …)`: sets one table parameter; call it again for more. Names with
    /// dots or upper case are quoted (`"blocks.read_only"`); text values are escaped.
    pub fn set(self, name: &str, value: impl Into<ParamValue>) -> Self {
        let mut params = Params::default();
        params.set(name, value);
        self.action(Action::Set(params))
    }

    /// `RESET (name, …)`: resets table parameters to their defaults.
    pub fn reset<I, S>(self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let names = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        self.action(Action::Reset(names))
    }

    /// `OPEN`: reopens a closed table or partition.
    pub fn open(self) -> Self {
        self.action(Action::Open)
    }

    /// `CLOSE`: closes the table or partition (every operation but `OPEN` then fails).
    pub fn close(self) -> Self {
        self.action(Action::Close)
    }

    /// `DROP CONSTRAINT "name"`: drops a `CHECK` constraint.
    pub fn drop_constraint(self, name: impl IntoIden) -> Self {
        self.action(Action::DropConstraint(name.into_iden()))
    }

    /// Merges `new` into the current action, or records a conflict.
    fn action(mut self, new: Action) -> Self {
        let current = self.action.keyword();
        match (&mut self.action, new) {
            (slot @ Action::None, new) => *slot = new,
            (Action::AddColumns(columns), Action::AddColumns(more)) => columns.extend(more),
            (Action::DropColumns(columns), Action::DropColumns(more)) => columns.extend(more),
            (Action::Set(params), Action::Set(more)) => params.merge(more),
            (Action::Reset(names), Action::Reset(more)) => names.extend(more),
            (_, new) => {
                self.conflict.get_or_insert((current, new.keyword()));
            }
        }
        self
    }

    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// - [`StatementError::NoAction`] without an action;
    /// - [`StatementError::Conflict`] for two kinds of action, `ONLY` with `PARTITION`, or
    ///   [`blob`](Self::blob) with a partition or a column or constraint action;
    /// - [`StatementError::DefaultInAddColumn`] for a column added with a `DEFAULT`;
    /// - [`StatementError::EmptyList`] for an empty `RESET` or `PARTITION` list;
    /// - [`StatementError::Sql`] for a construct CrateDB rejects inside a column definition or a
    ///   partition value (for example an unsigned value above `i64::MAX`).
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        checked(|sql| self.render(sql))
    }

    fn render(&self, sql: &mut String) -> Result<(), StatementError> {
        if let Some((first, second)) = self.conflict {
            return Err(StatementError::Conflict(first, second));
        }
        if self.only && self.partition.is_some() {
            return Err(StatementError::Conflict("ONLY", "PARTITION"));
        }
        if self.blob {
            if self.partition.is_some() {
                return Err(StatementError::Conflict("BLOB", "PARTITION"));
            }
            if let Action::AddColumns(_)
            | Action::DropColumns(_)
            | Action::RenameColumn(..)
            | Action::DropConstraint(_) = self.action
            {
                return Err(StatementError::Conflict("BLOB", self.action.keyword()));
            }
        }
        match &self.action {
            Action::None => return Err(StatementError::NoAction),
            Action::AddColumns(columns) => {
                if let Some(column) = columns
                    .iter()
                    .find(|c| c.get_column_spec().default.is_some())
                {
                    let mut name = String::new();
                    write_name(&column.get_column_name(), &mut name);
                    return Err(StatementError::DefaultInAddColumn(name));
                }
            }
            Action::Reset(names) if names.is_empty() => {
                return Err(StatementError::EmptyList("RESET"));
            }
            _ => {}
        }
        sql.push_str(if self.blob {
            "ALTER BLOB TABLE "
        } else {
            "ALTER TABLE "
        });
        if self.only {
            sql.push_str("ONLY ");
        }
        write_table_name(&self.table, sql);
        if let Some(spec) = &self.partition {
            write_partition(spec, sql)?;
        }
        sql.push(' ');
        self.write_action(sql);
        Ok(())
    }

    fn write_action(&self, sql: &mut String) {
        match &self.action {
            Action::None => {}
            Action::AddColumns(columns) => {
                for (i, column) in columns.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str("ADD COLUMN ");
                    write_column_def(column, sql);
                }
            }
            Action::DropColumns(columns) => {
                for (i, (column, if_exists)) in columns.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(if *if_exists {
                        "DROP COLUMN IF EXISTS "
                    } else {
                        "DROP COLUMN "
                    });
                    write_dyn_iden(column, sql);
                }
            }
            Action::RenameColumn(from, to) => {
                sql.push_str("RENAME COLUMN ");
                write_dyn_iden(from, sql);
                sql.push_str(" TO ");
                write_dyn_iden(to, sql);
            }
            Action::RenameTo(name) => {
                sql.push_str("RENAME TO ");
                write_dyn_iden(name, sql);
            }
            Action::Set(params) => {
                sql.push_str("SET ");
                params.write_list(sql);
            }
            Action::Reset(names) => {
                sql.push_str("RESET (");
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    write_setting_name(name, sql);
                }
                sql.push(')');
            }
            Action::Open => sql.push_str("OPEN"),
            Action::Close => sql.push_str("CLOSE"),
            Action::DropConstraint(name) => {
                sql.push_str("DROP CONSTRAINT ");
                write_dyn_iden(name, sql);
            }
        }
    }
}

/// Writes a column definition with [`TableBuilder::prepare_column_def`], which writes a
/// [`Path`](crate::expr::Path) name as `"obj"['key']`.
fn write_column_def(column: &ColumnDef, sql: &mut String) {
    CrateDbQueryBuilder.prepare_column_def(column, sql);
}
