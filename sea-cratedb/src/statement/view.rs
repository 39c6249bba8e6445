//! `CREATE [OR REPLACE] VIEW` and `DROP VIEW`.

use sea_query::{SelectStatement, TableName};

use super::{StatementError, checked, write_table_name};
use crate::CrateDbQueryBuilder;

/// `CREATE [OR REPLACE] VIEW v AS SELECT …`, the query rendered by
/// [`CrateDbQueryBuilder`] with its values inline.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CreateView, sea_query::{Expr, ExprTrait, Query}};
///
/// let query = Query::select()
///     .columns(["id", "title"])
///     .from("docs")
///     .and_where(Expr::col("lang").eq("en"))
///     .to_owned();
/// let sql = CreateView::new(("app", "docs_en"), query).or_replace().try_to_string().unwrap();
/// assert_eq!(
///     sql,
///     r#"CREATE OR REPLACE VIEW "app"."docs_en" AS SELECT "id", "title" FROM "docs" WHERE "lang" = 'en'"#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct CreateView {
    name: TableName,
    query: SelectStatement,
    or_replace: bool,
}

impl CreateView {
    /// A view `name` (or `(schema, name)`) over `query`.
    pub fn new(name: impl Into<TableName>, query: SelectStatement) -> Self {
        Self {
            name: name.into(),
            query,
            or_replace: false,
        }
    }

    /// `OR REPLACE`: replace an existing view of that name.
    pub fn or_replace(mut self) -> Self {
        self.or_replace = true;
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
            sql.push_str(if self.or_replace {
                "CREATE OR REPLACE VIEW "
            } else {
                "CREATE VIEW "
            });
            write_table_name(&self.name, sql);
            sql.push_str(" AS ");
            sql.push_str(&self.query.to_string(CrateDbQueryBuilder));
            Ok(())
        })
    }
}

/// `DROP VIEW [IF EXISTS] v1, v2, …`.
///
/// # Examples
///
/// ```
/// use sea_cratedb::DropView;
///
/// let sql = DropView::new(["docs_en", "docs_de"]).if_exists().try_to_string().unwrap();
/// assert_eq!(sql, r#"DROP VIEW IF EXISTS "docs_en", "docs_de""#);
/// ```
#[derive(Debug, Clone)]
pub struct DropView {
    names: Vec<TableName>,
    if_exists: bool,
}

impl DropView {
    /// Drops the views `names` (each a name, or `(schema, name)`).
    pub fn new<I, N>(names: I) -> Self
    where
        I: IntoIterator<Item = N>,
        N: Into<TableName>,
    {
        Self {
            names: names.into_iter().map(Into::into).collect(),
            if_exists: false,
        }
    }

    /// `IF EXISTS`: no error for views that do not exist.
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }

    /// Renders the statement.
    ///
    /// # Errors
    ///
    /// [`StatementError::EmptyList`] when no view is named; [`StatementError::Sql`] with
    /// [`Error::InvalidName`](crate::Error::InvalidName) for an empty name or one with a control
    /// character.
    pub fn try_to_string(&self) -> Result<String, StatementError> {
        if self.names.is_empty() {
            return Err(StatementError::EmptyList("DROP VIEW"));
        }
        checked(|sql| {
            sql.push_str("DROP VIEW ");
            if self.if_exists {
                sql.push_str("IF EXISTS ");
            }
            for (i, name) in self.names.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                write_table_name(name, sql);
            }
            Ok(())
        })
    }
}
