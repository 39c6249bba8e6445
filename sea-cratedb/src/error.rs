//! Typed errors for constructs CrateDB cannot run.

use std::fmt;

/// Why a statement could not be rendered as CrateDB SQL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The statement uses a construct that CrateDB does not support.
    #[error("{0}")]
    Unsupported(Unsupported),
    /// A value cannot be represented in CrateDB.
    #[error("{0}")]
    InvalidValue(InvalidValue),
    /// A name (identifier, setting or parameter name) is empty or contains a control character.
    #[error("{0}")]
    InvalidName(InvalidName),
}

/// A SQL construct CrateDB rejects, with the CrateDB alternative.
///
/// [`Display`](fmt::Display) names the construct and what to use instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// `FOREIGN KEY` / `REFERENCES`.
    ForeignKey,
    /// `UNIQUE` constraints and unique indexes.
    Unique,
    /// A secondary index (`CREATE INDEX`, `DROP INDEX`, or a non-key index in `CREATE TABLE`).
    SecondaryIndex,
    /// `DELETE … RETURNING`.
    DeleteReturning,
    /// `SELECT … FOR UPDATE` / `FOR SHARE` and other row locks.
    RowLock,
    /// `INTERSECT`.
    Intersect,
    /// `EXCEPT`.
    Except,
    /// `WITH RECURSIVE`.
    RecursiveCte,
    /// `MATERIALIZED` / `NOT MATERIALIZED` common table expressions.
    CteMaterialization,
    /// Auto-increment columns, `SERIAL` and sequences.
    AutoIncrement,
    /// `ON CONFLICT ON CONSTRAINT`.
    OnConflictOnConstraint,
    /// `ON CONFLICT … WHERE` (on the target or on the action).
    OnConflictWhere,
    /// A column type CrateDB lacks; the payload names it.
    ColumnType(String),
    /// `UPDATE … FROM` and joins in `UPDATE`.
    UpdateFrom,
    /// `ORDER BY` or `LIMIT` on `UPDATE` / `DELETE`.
    DmlOrderByLimit,
    /// `DISTINCT ON`.
    DistinctOn,
    /// `LATERAL` joins.
    Lateral,
    /// `TABLESAMPLE`, index hints and other dialect-only table clauses.
    TableSample,
    /// `SELECT … INTO`.
    SelectInto,
    /// `INSERT … DEFAULT VALUES`.
    DefaultValues,
    /// MySQL's `REPLACE INTO`.
    Replace,
    /// `CREATE TEMPORARY TABLE`.
    TemporaryTable,
    /// sea-query's `PARTITION BY` / `PARTITION OF` (PostgreSQL syntax).
    PostgresPartitioning,
    /// `TRUNCATE TABLE`.
    Truncate,
    /// MySQL table options (`ENGINE=`, `COLLATE=`, `DEFAULT CHARSET=`).
    TableOption,
    /// sea-query's `Table::alter()` statement.
    TableAlter,
    /// sea-query's `Table::rename()` statement: sea-query keeps its table names private, so
    /// they cannot be checked.
    TableRename,
    /// `DROP TABLE` of several tables, or with `CASCADE` / `RESTRICT`.
    DropTableOptions,
    /// A table reference with an alias or a subquery where only a plain table name fits.
    TableRefInDdl,
    /// A PostgreSQL-only operator; the payload is the operator.
    Operator(&'static str),
    /// `EXPLAIN` built with sea-query's `ExplainStatement`.
    Explain,
    /// Binary data (`bytea`) values.
    Bytes,
}

impl Unsupported {
    /// The construct, as SQL.
    pub fn construct(&self) -> String {
        match self {
            Self::ForeignKey => "FOREIGN KEY constraints".into(),
            Self::Unique => "UNIQUE constraints".into(),
            Self::SecondaryIndex => "secondary indexes (CREATE INDEX / DROP INDEX)".into(),
            Self::DeleteReturning => "DELETE ... RETURNING".into(),
            Self::RowLock => "row locks (SELECT ... FOR UPDATE / FOR SHARE)".into(),
            Self::Intersect => "INTERSECT".into(),
            Self::Except => "EXCEPT".into(),
            Self::RecursiveCte => "WITH RECURSIVE".into(),
            Self::CteMaterialization => "MATERIALIZED common table expressions".into(),
            Self::AutoIncrement => "auto-increment columns and sequences".into(),
            Self::OnConflictOnConstraint => "ON CONFLICT ON CONSTRAINT".into(),
            Self::OnConflictWhere => "ON CONFLICT ... WHERE".into(),
            Self::ColumnType(name) => format!("the column type {name}"),
            Self::UpdateFrom => "UPDATE ... FROM / joins in UPDATE".into(),
            Self::DmlOrderByLimit => "ORDER BY / LIMIT in UPDATE or DELETE".into(),
            Self::DistinctOn => "DISTINCT ON".into(),
            Self::Lateral => "LATERAL joins".into(),
            Self::TableSample => "TABLESAMPLE and index hints".into(),
            Self::SelectInto => "SELECT ... INTO".into(),
            Self::DefaultValues => "INSERT ... DEFAULT VALUES".into(),
            Self::Replace => "REPLACE INTO".into(),
            Self::TemporaryTable => "CREATE TEMPORARY TABLE".into(),
            Self::PostgresPartitioning => "PARTITION BY / PARTITION OF (PostgreSQL syntax)".into(),
            Self::Truncate => "TRUNCATE TABLE".into(),
            Self::TableOption => "MySQL table options (ENGINE, COLLATE, CHARSET)".into(),
            Self::TableAlter => "sea-query's ALTER TABLE statement".into(),
            Self::TableRename => "sea-query's RENAME TABLE statement".into(),
            Self::DropTableOptions => {
                "DROP TABLE of several tables or with CASCADE/RESTRICT".into()
            }
            Self::TableRefInDdl => "an aliased or derived table in a DDL statement".into(),
            Self::Operator(op) => format!("the operator {op}"),
            Self::Explain => "sea-query's EXPLAIN statement".into(),
            Self::Bytes => "binary (bytea) values".into(),
        }
    }

    /// What to use in CrateDB instead.
    pub fn alternative(&self) -> &'static str {
        match self {
            Self::ForeignKey => {
                "check references in the application, or denormalise into OBJECT columns"
            }
            Self::Unique => {
                "make the column (part of) the PRIMARY KEY, which is the only unique constraint"
            }
            Self::SecondaryIndex => {
                "every column is indexed by default; declare fulltext indexes in CREATE TABLE (sea_cratedb::FulltextIndex)"
            }
            Self::DeleteReturning => "SELECT the rows before the DELETE",
            Self::RowLock => {
                "optimistic concurrency: filter UPDATE/DELETE on _seq_no and _primary_term"
            }
            Self::Intersect => "a join or `x IN (subquery)`",
            Self::Except => "`NOT x IN (subquery)` or a LEFT JOIN ... IS NULL",
            Self::RecursiveCte => "iterate in the application or use non-recursive CTEs",
            Self::CteMaterialization => "drop the MATERIALIZED hint",
            Self::AutoIncrement => {
                "TEXT PRIMARY KEY DEFAULT gen_random_text_uuid(), or ids made by the client"
            }
            Self::OnConflictOnConstraint => "ON CONFLICT (primary key columns)",
            Self::OnConflictWhere => {
                "filter in the SET expressions (e.g. CASE) or before the INSERT"
            }
            Self::ColumnType(_) => "a CrateDB type (see sea_cratedb::CrateType)",
            Self::UpdateFrom => "a subquery in SET/WHERE, or several UPDATE statements",
            Self::DmlOrderByLimit => "narrow the WHERE clause, e.g. on primary key values",
            Self::DistinctOn => "GROUP BY with aggregates, or a window function",
            Self::Lateral => "a join against a subquery, or a correlated scalar subquery",
            Self::TableSample => "remove the clause (LIMIT, or a WHERE on random())",
            Self::SelectInto => "CREATE TABLE ... AS (sea_cratedb::CreateTableAs)",
            Self::DefaultValues => {
                "list the columns and values (DEFAULT in VALUES since CrateDB 6.3)"
            }
            Self::Replace => "INSERT ... ON CONFLICT (pk) DO UPDATE SET ...",
            Self::TemporaryTable => "a regular table that is dropped afterwards",
            Self::PostgresPartitioning => {
                "sea_cratedb::TableOptions::partitioned_by (PARTITIONED BY)"
            }
            Self::Truncate => "DELETE FROM the table, or drop and recreate it",
            Self::TableOption => "sea_cratedb::TableOptions (WITH parameters)",
            Self::TableAlter => "sea_cratedb::AlterTable",
            Self::TableRename => "sea_cratedb::AlterTable::rename_to",
            Self::DropTableOptions => "one sea_cratedb::DropTable statement per table",
            Self::TableRefInDdl => "a plain, optionally schema-qualified table name",
            Self::Operator(_) => "a CrateDB function or operator (see sea_cratedb::expr)",
            Self::Explain => "raw `EXPLAIN` text in front of the built statement",
            Self::Bytes => "a BLOB table, or hex/base64 text in a TEXT column",
        }
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CrateDB does not support {}; use {} instead",
            self.construct(),
            self.alternative()
        )
    }
}

/// A value that has no CrateDB representation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidValue {
    /// An unsigned integer above `i64::MAX` (CrateDB's largest integer type is BIGINT).
    UnsignedOutOfRange(u64),
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsignedOutOfRange(v) => write!(
                f,
                "the value {v} does not fit CrateDB's BIGINT (at most {}); use NUMERIC or TEXT",
                i64::MAX
            ),
        }
    }
}

impl From<Unsupported> for Error {
    fn from(value: Unsupported) -> Self {
        Self::Unsupported(value)
    }
}

impl From<InvalidName> for Error {
    fn from(value: InvalidName) -> Self {
        Self::InvalidName(value)
    }
}

impl From<InvalidValue> for Error {
    fn from(value: InvalidValue) -> Self {
        Self::InvalidValue(value)
    }
}

/// Why a name (identifier, setting or parameter name) was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidName {
    /// The name is empty.
    Empty,
    /// The name contains a control character or a Unicode bidirectional formatting character.
    ControlCharacter(String),
}

impl InvalidName {
    /// The rejected name (empty for [`InvalidName::Empty`]).
    pub fn name(&self) -> &str {
        match self {
            Self::Empty => "",
            Self::ControlCharacter(name) => name,
        }
    }
}

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("a name must not be empty"),
            Self::ControlCharacter(name) => write!(
                f,
                "the name {name:?} contains a control or bidirectional formatting character, \
                 which CrateDB names must not contain"
            ),
        }
    }
}
