//! The checked entry points: render a statement, or get a typed [`Error`] for what CrateDB
//! rejects (the first construct reported to `report.rs`'s sink while rendering).

use sea_query::{
    DeleteStatement, ForeignKeyCreateStatement, ForeignKeyDropStatement, IndexCreateStatement,
    IndexDropStatement, InsertStatement, QueryStatementWriter, SchemaStatementBuilder,
    SelectStatement, TableAlterStatement, TableCreateStatement, TableDropStatement,
    TableRenameStatement, TableTruncateStatement, UpdateStatement, Values, WithQuery,
};

use crate::{
    CrateDbQueryBuilder, Error, Unsupported,
    report::{checked, counting_tables},
};

/// Checked rendering of DML statements (`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `WITH`).
///
/// This is the entry point to use: it returns the same SQL as
/// `stmt.build(CrateDbQueryBuilder)` / `stmt.to_string(CrateDbQueryBuilder)`, or an
/// [`Error`] naming a construct CrateDB rejects and the CrateDB alternative.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CheckedQuery, sea_query::{Expr, ExprTrait, Query}};
///
/// let (sql, values) = Query::select()
///     .column("id")
///     .from("docs")
///     .and_where(Expr::col("id").eq(5))
///     .try_build()
///     .unwrap();
/// assert_eq!(sql, r#"SELECT "id" FROM "docs" WHERE "id" = $1"#);
/// assert_eq!(values.0.len(), 1);
///
/// let err = Query::delete()
///     .from_table("docs")
///     .returning_all()
///     .try_build()
///     .unwrap_err();
/// assert!(err.to_string().contains("DELETE ... RETURNING"));
/// ```
pub trait CheckedQuery {
    /// Builds SQL with `$n` placeholders and the values to bind, in order.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] for a construct CrateDB rejects, [`Error::InvalidValue`] for a
    /// value CrateDB cannot hold.
    fn try_build(&self) -> Result<(String, Values), Error>;

    /// Builds SQL with every value written inline as an escaped literal.
    ///
    /// # Errors
    ///
    /// As [`try_build`](Self::try_build).
    fn try_to_string(&self) -> Result<String, Error>;
}

macro_rules! impl_checked_query {
    ($($ty:ty),*) => {$(
        impl CheckedQuery for $ty {
            fn try_build(&self) -> Result<(String, Values), Error> {
                checked(|| QueryStatementWriter::build(self, CrateDbQueryBuilder))
            }

            fn try_to_string(&self) -> Result<String, Error> {
                checked(|| QueryStatementWriter::to_string(self, CrateDbQueryBuilder))
            }
        }
    )*};
}

impl_checked_query!(
    SelectStatement,
    InsertStatement,
    UpdateStatement,
    DeleteStatement,
    WithQuery
);

/// Checked rendering of sea-query's schema statements.
///
/// `CREATE TABLE` and `RENAME TABLE` render; statements CrateDB has no form for (secondary
/// indexes, foreign keys, `TRUNCATE`, sea-query's `ALTER TABLE`) return an error that names the
/// replacement (for example [`AlterTable`](crate::AlterTable)).
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CheckedSchema, sea_query::{ColumnDef, Table}};
///
/// let sql = Table::create()
///     .table("docs")
///     .col(ColumnDef::new("id").text().primary_key())
///     .col(ColumnDef::new("payload").json())
///     .try_to_string()
///     .unwrap();
/// assert_eq!(sql, r#"CREATE TABLE "docs" ( "id" TEXT PRIMARY KEY, "payload" OBJECT(DYNAMIC) )"#);
///
/// let err = Table::create()
///     .table("docs")
///     .col(ColumnDef::new("id").integer().auto_increment())
///     .try_to_string()
///     .unwrap_err();
/// assert!(err.to_string().contains("gen_random_text_uuid"));
/// ```
pub trait CheckedSchema {
    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] for a construct CrateDB rejects.
    fn try_to_string(&self) -> Result<String, Error>;
}

macro_rules! impl_checked_schema {
    ($($ty:ty),*) => {$(
        impl CheckedSchema for $ty {
            fn try_to_string(&self) -> Result<String, Error> {
                checked(|| SchemaStatementBuilder::to_string(self, CrateDbQueryBuilder))
            }
        }
    )*};
}

impl_checked_schema!(
    TableCreateStatement,
    TableRenameStatement,
    IndexCreateStatement,
    IndexDropStatement,
    ForeignKeyCreateStatement,
    ForeignKeyDropStatement
);

impl CheckedSchema for TableAlterStatement {
    fn try_to_string(&self) -> Result<String, Error> {
        Err(Unsupported::TableAlter.into())
    }
}

impl CheckedSchema for TableDropStatement {
    fn try_to_string(&self) -> Result<String, Error> {
        let (sql, tables) = counting_tables(|| {
            checked(|| SchemaStatementBuilder::to_string(self, CrateDbQueryBuilder))
        });
        let sql = sql?;
        if tables > 1 {
            return Err(Unsupported::DropTableOptions.into());
        }
        Ok(sql)
    }
}

impl CheckedSchema for TableTruncateStatement {
    fn try_to_string(&self) -> Result<String, Error> {
        Err(Unsupported::Truncate.into())
    }
}
