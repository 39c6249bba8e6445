//! `CREATE TABLE [IF NOT EXISTS] t AS SELECT …`.

use sea_query::{SelectStatement, TableName};

use super::{StatementError, checked, write_table_name};
use crate::CrateDbQueryBuilder;

/// `CREATE TABLE [IF NOT EXISTS] t AS SELECT …` (CrateDB 4.5; `IF NOT EXISTS` since 5.8): a
/// new table with the query's columns and rows, the query rendered by
/// [`CrateDbQueryBuilder`] with its values inline. CrateDB's replacement for `SELECT … INTO`.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CreateTableAs, sea_query::{Expr, ExprTrait, Query}};
///
/// let query = Query::select()
///     .columns(["id", "title"])
///     .from("docs")
///     .and_where(Expr::col("id").gt(100))
///     .to_owned();
/// let sql = CreateTableAs::new(("archive", "docs"), query).if_not_exists().try_to_string().unwrap();
/// assert_eq!(
///     sql,
///     r#"CREATE TABLE IF NOT EXISTS "archive"."docs" AS SELECT "id", "title" FROM "docs" WHERE "id" > 100"#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct CreateTableAs {
    table: TableName,
    query: SelectStatement,
    if_not_exists: bool,
}

impl CreateTableAs {
    /// Creates `table` (a name, or `(schema, name)`) from `query`.
    pub fn new(table: impl Into<TableName>, query: SelectStatement) -> Self {
        Self {
            table: table.into(),
            query,
            if_not_exists: false,
        }
    }

    /// `IF NOT EXISTS`: do nothing when the table exists (CrateDB 5.8).
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }

    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// [`StatementError::Sql`] when the query uses a construct CrateDB rejects (as
    /// [`CheckedQuery`](crate::CheckedQuery) reports it).
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        checked(|sql| {
            sql.push_str("CREATE TABLE ");
            if self.if_not_exists {
                sql.push_str("IF NOT EXISTS ");
            }
            write_table_name(&self.table, sql);
            sql.push_str(" AS ");
            sql.push_str(&self.query.to_string(CrateDbQueryBuilder));
            Ok(())
        })
    }
}
