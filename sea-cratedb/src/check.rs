//! The checked entry point: render a statement, or get a typed [`Error`] for what CrateDB rejects.
//!
//! sea-query's builder hooks cannot return errors, so [`CrateDbQueryBuilder`] reports
//! unsupported constructs to a per-thread sink while it renders. Outside a checked call nothing
//! listens, and the construct is written verbatim so that CrateDB rejects the statement loudly
//! rather than running something else. Inside [`CheckedQuery::try_build`] and friends, the first
//! report becomes the returned error.

use std::cell::{Cell, RefCell};

use sea_query::{
    DeleteStatement, ForeignKeyCreateStatement, ForeignKeyDropStatement, IndexCreateStatement,
    IndexDropStatement, InsertStatement, QueryStatementWriter, SchemaStatementBuilder,
    SelectStatement, TableAlterStatement, TableCreateStatement, TableDropStatement,
    TableRenameStatement, TableTruncateStatement, UpdateStatement, Values, WithQuery,
};

use crate::{CrateDbQueryBuilder, Error, Unsupported};

thread_local! {
    static SINK: RefCell<Option<Vec<Error>>> = const { RefCell::new(None) };
    static IN_DELETE: Cell<bool> = const { Cell::new(false) };
    static TABLE_REFS: Cell<usize> = const { Cell::new(0) };
}

/// Counts a table named in a DDL statement (to reject multi-table `DROP TABLE`).
pub(crate) fn count_table_ref() {
    TABLE_REFS.with(|count| count.set(count.get() + 1));
}

/// Records a problem if a checked render is listening on this thread.
pub(crate) fn report(error: impl Into<Error>) {
    SINK.with(|sink| {
        if let Some(errors) = sink.borrow_mut().as_mut() {
            errors.push(error.into());
        }
    });
}

/// Whether a checked render is listening (lets hooks skip probe work otherwise).
pub(crate) fn listening() -> bool {
    SINK.with(|sink| sink.borrow().is_some())
}

/// Marks that the next `RETURNING` clause belongs to a `DELETE`.
pub(crate) fn enter_delete_tail() {
    IN_DELETE.with(|flag| flag.set(true));
}

/// Takes (and clears) the "`RETURNING` belongs to a `DELETE`" mark.
pub(crate) fn take_delete_tail() -> bool {
    IN_DELETE.with(|flag| flag.replace(false))
}

/// Runs `render` with the sink listening; returns its output or the first reported error.
pub(crate) fn checked<T>(render: impl FnOnce() -> T) -> Result<T, Error> {
    struct Restore(Option<Vec<Error>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            SINK.with(|sink| *sink.borrow_mut() = self.0.take());
            IN_DELETE.with(|flag| flag.set(false));
        }
    }
    // A checked render may nest (e.g. a user calls it from a custom iden); keep the outer sink.
    let outer = SINK.with(|sink| sink.borrow_mut().replace(Vec::new()));
    let guard = Restore(outer);
    let output = render();
    let errors = SINK
        .with(|sink| sink.borrow_mut().take())
        .unwrap_or_default();
    drop(guard);
    match errors.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(output),
    }
}

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
        TABLE_REFS.with(|count| count.set(0));
        let sql = checked(|| SchemaStatementBuilder::to_string(self, CrateDbQueryBuilder))?;
        if TABLE_REFS.with(Cell::get) > 1 {
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
