//! [`CrateDbQueryBuilder`]: sea-query's builder traits implemented for CrateDB.
//!
//! Mirrors sea-query's `backend/postgres/`: this file holds the builder and the small traits
//! (quoting, escaping, precedence); `query.rs`, `value.rs`, `table.rs`, `index.rs` and
//! `foreign_key.rs` hold the statement families. Only leaf hooks are overridden (sea-query's
//! statement structs are opaque to other crates); everything else is sea-query's common SQL,
//! which CrateDB shares with PostgreSQL.

mod delegate;
mod foreign_key;
mod index;
mod query;
mod table;
mod type_name;
mod value;

use sea_query::{
    BinOper, DynIden, EscapeBuilder, Expr, GenericBuilder, OperLeftAssocDecider,
    PostgresQueryBuilder, PrecedenceDecider, Quote, QuotedBuilder, SchemaBuilder, SqlWriter,
    TableRefBuilder, backend::Oper,
};

/// The CrateDB dialect for sea-query.
///
/// Pass it wherever sea-query takes a backend: `stmt.build(CrateDbQueryBuilder)` gives SQL with
/// `$n` placeholders and the values to bind; `stmt.to_string(CrateDbQueryBuilder)` writes every
/// value inline as an escaped CrateDB literal. Identifiers are always double-quoted (CrateDB
/// folds unquoted names to lower case and reserves words such as `object`, `index`, `user`).
///
/// Constructs CrateDB does not support are written verbatim here, so CrateDB rejects the
/// statement rather than running something else; use [`CheckedQuery`](crate::CheckedQuery) and
/// [`CheckedSchema`](crate::CheckedSchema) to get a typed error before anything is sent.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, sea_query::{Expr, ExprTrait, Order, Query}};
///
/// let query = Query::select()
///     .columns(["id", "title"])
///     .from("docs")
///     .and_where(Expr::col("title").like("Crate%"))
///     .order_by("id", Order::Desc)
///     .limit(10)
///     .to_owned();
/// assert_eq!(
///     query.to_string(CrateDbQueryBuilder),
///     r#"SELECT "id", "title" FROM "docs" WHERE "title" LIKE 'Crate%' ORDER BY "id" DESC LIMIT 10"#
/// );
/// let (sql, values) = query.build(CrateDbQueryBuilder);
/// assert_eq!(
///     sql,
///     r#"SELECT "id", "title" FROM "docs" WHERE "title" LIKE $1 ORDER BY "id" DESC LIMIT $2"#
/// );
/// assert_eq!(values.0.len(), 2);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CrateDbQueryBuilder;

impl GenericBuilder for CrateDbQueryBuilder {}

impl SchemaBuilder for CrateDbQueryBuilder {}

impl TableRefBuilder for CrateDbQueryBuilder {}

impl QuotedBuilder for CrateDbQueryBuilder {
    fn quote(&self) -> Quote {
        Quote::new(b'"')
    }

    /// Writes `"name"`, doubling every `"` inside, whether the name is borrowed or owned
    /// (sea-query's default escapes owned names only); a [`Path`](crate::expr::Path) becomes
    /// `"col"['key'][1]`. An empty name or one with a control character is still one quoted
    /// identifier, and an error from the checked entry points.
    fn prepare_iden(&self, iden: &DynIden, sql: &mut impl SqlWriter) {
        crate::write::path::write_dyn_iden(iden, sql);
    }
}

impl EscapeBuilder for CrateDbQueryBuilder {
    fn needs_escape(&self, s: &str) -> bool {
        s.contains('\'')
    }

    fn write_escaped(&self, buffer: &mut impl std::fmt::Write, string: &str) {
        for part in string.split_inclusive('\'') {
            let _ = buffer.write_str(part);
            if part.ends_with('\'') {
                let _ = buffer.write_char('\'');
            }
        }
    }

    fn unescape_string(&self, string: &str) -> String {
        string.replace("''", "'")
    }
}

/// CrateDB shares PostgreSQL's operator precedence, so parenthesisation follows
/// [`PostgresQueryBuilder`]; keeping the two identical is checked by the parity tests.
impl OperLeftAssocDecider for CrateDbQueryBuilder {
    fn well_known_left_associative(&self, op: &BinOper) -> bool {
        PostgresQueryBuilder.well_known_left_associative(op)
    }
}

impl PrecedenceDecider for CrateDbQueryBuilder {
    fn inner_expr_well_known_greater_precedence(&self, inner: &Expr, outer_oper: &Oper) -> bool {
        PostgresQueryBuilder.inner_expr_well_known_greater_precedence(inner, outer_oper)
    }
}
