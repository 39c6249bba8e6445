//! Native CrateDB statements that sea-query cannot express: `ALTER TABLE`, `DROP [BLOB] TABLE`,
//! views, `CREATE TABLE … AS`, `REFRESH` / `OPTIMIZE`, `COPY FROM` / `COPY TO`, session and
//! cluster settings, `SHOW CREATE TABLE` and blob tables.
//!
//! Every statement is a typed builder. Identifiers are always double-quoted (a
//! [`path`](crate::expr::path) becomes `"col"['key']`), text is written as an escaped literal,
//! and embedded sea-query values, expressions and selects are rendered inline by
//! [`CrateDbQueryBuilder`].
//!
//! Statements that cannot fail implement [`Display`](std::fmt::Display), so `to_string()` gives
//! the SQL. Statements with a check expose `try_to_string()`, which returns a
//! [`StatementError`] instead of SQL that CrateDB would reject.

mod alter_table;
mod blob;
mod copy;
mod copy_to;
mod create_table_as;
mod drop_table;
mod refresh;
mod session;
mod show;
mod view;

use sea_query::{DynIden, IntoIden, QueryBuilder, TableName, TableRefBuilder, Value};

pub use alter_table::AlterTable;
pub use blob::CreateBlobTable;
pub use copy::{Compression, CopyFrom, CopyFromFormat, CopyToFormat, NodeFilters, Protocol};
pub use copy_to::CopyTo;
pub use create_table_as::CreateTableAs;
pub use drop_table::DropTable;
pub use refresh::{OptimizeTable, RefreshTable};
pub use session::{Persistence, ResetGlobal, Set};
pub use show::ShowCreateTable;
pub use view::{CreateView, DropView};

use crate::{
    CrateDbQueryBuilder, ParamValue,
    write::{name::write_setting_name, param::write_param_value, path::write_dyn_iden},
};

/// Why a native statement could not be rendered.
///
/// [`Display`](std::fmt::Display) names the problem and, where there is one, the CrateDB way to
/// get the same result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// `ALTER TABLE … ADD COLUMN` with a `DEFAULT`; the payload is the column, as SQL.
    #[error(
        "CrateDB does not allow DEFAULT in ALTER TABLE ... ADD COLUMN (column {0}); add the \
         column without a default and fill it with UPDATE, or recreate the table"
    )]
    DefaultInAddColumn(String),
    /// An `ALTER TABLE` without an action.
    #[error(
        "ALTER TABLE needs an action (ADD COLUMN, DROP COLUMN, RENAME, SET, RESET, OPEN, \
         CLOSE or DROP CONSTRAINT)"
    )]
    NoAction,
    /// Two clauses or actions that cannot go in one statement; the payload names both.
    #[error("{0} cannot be combined with {1} in one statement; use two statements")]
    Conflict(&'static str, &'static str),
    /// A list that must not be empty is empty; the payload names it.
    #[error("the {0} list is empty; CrateDB needs at least one entry")]
    EmptyList(&'static str),
    /// A required clause is missing; the payload names it.
    #[error("the statement needs {0}")]
    Missing(&'static str),
    /// An embedded sea-query value, expression or select uses something CrateDB rejects.
    #[error(transparent)]
    Sql(#[from] crate::Error),
}

/// Renders `render` with the crate's construct checks listening: the result is the SQL, the
/// error `render` returns (the statement's own checks, made before anything is rendered), or
/// the first construct [`CrateDbQueryBuilder`] reported while rendering embedded values,
/// expressions and selects.
fn checked(
    render: impl FnOnce(&mut String) -> Result<(), StatementError>,
) -> Result<String, StatementError> {
    let mut sql = String::new();
    crate::report::checked(|| render(&mut sql))??;
    Ok(sql)
}

/// Writes a (possibly schema-qualified) table name: `"schema"."table"`.
fn write_table_name(table: &TableName, sql: &mut String) {
    CrateDbQueryBuilder.prepare_table_name(table, sql);
}

/// Writes `"a", "b"` (each a column name or a [`path`](crate::expr::path)).
fn write_iden_list(columns: &[DynIden], sql: &mut String) {
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        write_dyn_iden(column, sql);
    }
}

/// The column = value pairs that identify one partition.
type PartitionSpec = Vec<(DynIden, Value)>;

/// Collects `PARTITION (…)` pairs.
fn partition_spec<I, C, V>(values: I) -> PartitionSpec
where
    I: IntoIterator<Item = (C, V)>,
    C: IntoIden,
    V: Into<Value>,
{
    values
        .into_iter()
        .map(|(column, value)| (column.into_iden(), value.into()))
        .collect()
}

/// Writes ` PARTITION ("col" = value, …)`, values as CrateDB literals.
fn write_partition(spec: &PartitionSpec, sql: &mut String) -> Result<(), StatementError> {
    if spec.is_empty() {
        return Err(StatementError::EmptyList("PARTITION"));
    }
    sql.push_str(" PARTITION (");
    for (i, (column, value)) in spec.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        write_dyn_iden(column, sql);
        sql.push_str(" = ");
        sql.push_str(&CrateDbQueryBuilder.value_to_string(value));
    }
    sql.push(')');
    Ok(())
}

/// An ordered list of `name = value` parameters. A name set twice keeps its first position and
/// its last value. Values are stored as SQL text made only from typed, escaped values.
#[derive(Debug, Clone, Default, PartialEq)]
struct Params(Vec<(String, String)>);

impl Params {
    /// Sets a parameter to a literal value.
    fn set(&mut self, name: &str, value: impl Into<ParamValue>) {
        let mut text = String::new();
        write_param_value(&value.into(), &mut text);
        self.set_sql(name, text);
    }

    /// Sets a parameter to SQL text that this module built from typed values.
    fn set_sql(&mut self, name: &str, text: String) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = text,
            None => self.0.push((name.to_owned(), text)),
        }
    }

    /// Moves every parameter of `other` into `self`.
    fn merge(&mut self, other: Self) {
        for (name, text) in other.0 {
            self.set_sql(&name, text);
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes `(name = value, …)`.
    fn write_list(&self, sql: &mut String) {
        sql.push('(');
        for (i, (name, text)) in self.0.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            write_setting_name(name, sql);
            sql.push_str(" = ");
            sql.push_str(text);
        }
        sql.push(')');
    }

    /// Writes ` WITH (name = value, …)`, or nothing when empty.
    fn write_with(&self, sql: &mut String) {
        if !self.is_empty() {
            sql.push_str(" WITH ");
            self.write_list(sql);
        }
    }
}
