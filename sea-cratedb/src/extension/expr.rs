//! CrateDB expressions as sea-query [`Expr`]s: object/array subscripts, `ANY`/`ALL`, fulltext
//! `MATCH`, `KNN_MATCH`, `vector_similarity`, object and array literals, casts, and the system
//! columns.
//!
//! User data never becomes SQL text unescaped: keys and names are quoted, text is written as an
//! escaped literal, and values given as [`Expr::val`] are bound as parameters.

use std::fmt::Write as _;

use sea_query::{DynIden, Expr, IntoIden};

pub use crate::write::path::{Path, Subscript, path};
use crate::{
    CrateType, ParamValue,
    write::{
        name::{is_plain_setting_name, write_string_literal},
        param::write_param_value,
    },
};

/// Subscripts any expression: `expr['k'][1]`.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, expr::{Subscript, subscript}, sea_query::{Expr, Query}};
///
/// let sql = Query::select()
///     .expr(subscript(Expr::col("arr"), [Subscript::Index(1), Subscript::from("name")]))
///     .from("t")
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(sql, r#"SELECT ("arr")[1]['name'] FROM "t""#);
/// ```
pub fn subscript<I, S>(base: impl Into<Expr>, segments: I) -> Expr
where
    I: IntoIterator<Item = S>,
    S: Into<Subscript>,
{
    let mut tail = String::new();
    for segment in segments {
        tail.push('[');
        match segment.into() {
            Subscript::Key(key) => write_string_literal(&key, &mut tail),
            Subscript::Index(index) => {
                let _ = write!(tail, "{index}");
            }
        }
        tail.push(']');
    }
    Expr::cust_with_exprs("($1)$2", [base.into(), Expr::cust(tail)])
}

/// A comparison operator for [`any`] and [`all`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArrayComparison {
    /// `=`.
    Eq,
    /// `<>`.
    NotEq,
    /// `<`.
    Lt,
    /// `<=`.
    Lte,
    /// `>`.
    Gt,
    /// `>=`.
    Gte,
    /// `LIKE`.
    Like,
    /// `ILIKE`.
    ILike,
    /// `NOT LIKE`.
    NotLike,
}

impl ArrayComparison {
    fn as_sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::NotEq => "<>",
            Self::Lt => "<",
            Self::Lte => "<=",
            Self::Gt => ">",
            Self::Gte => ">=",
            Self::Like => "LIKE",
            Self::ILike => "ILIKE",
            Self::NotLike => "NOT LIKE",
        }
    }
}

/// `left op ANY(array)`: true when the comparison holds for some element. Bind a list with
/// `any(col, Eq, Expr::val(vec))` (CrateDB's replacement for `IN (?)` with an array).
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, expr::{ArrayComparison, any}, sea_query::{Expr, Query}};
///
/// let (sql, values) = Query::select()
///     .column("id")
///     .from("docs")
///     .and_where(any(Expr::col("id"), ArrayComparison::Eq, Expr::val(vec![1, 2, 3])))
///     .build(CrateDbQueryBuilder);
/// assert_eq!(sql, r#"SELECT "id" FROM "docs" WHERE "id" = ANY($1)"#);
/// assert_eq!(values.0.len(), 1);
/// ```
pub fn any(left: impl Into<Expr>, op: ArrayComparison, array: impl Into<Expr>) -> Expr {
    array_comparison(left, op, "ANY", array)
}

/// `left op ALL(array)`: true when the comparison holds for every element.
pub fn all(left: impl Into<Expr>, op: ArrayComparison, array: impl Into<Expr>) -> Expr {
    array_comparison(left, op, "ALL", array)
}

fn array_comparison(
    left: impl Into<Expr>,
    op: ArrayComparison,
    quantifier: &str,
    array: impl Into<Expr>,
) -> Expr {
    let template = format!("$1 {} {quantifier}($2)", op.as_sql());
    Expr::cust_with_exprs(template, [left.into(), array.into()])
}

/// The relevance score of the current row (`_score`), set by [`match_`] and [`knn_match`].
pub fn score() -> Expr {
    Expr::col("_score")
}

/// The document id (`_id`): the primary key values joined, or a random id.
pub fn id() -> Expr {
    Expr::col("_id")
}

/// The row version (`_version`; use [`seq_no`] and [`primary_term`] for optimistic locking).
pub fn version() -> Expr {
    Expr::col("_version")
}

/// The sequence number of the last write (`_seq_no`).
pub fn seq_no() -> Expr {
    Expr::col("_seq_no")
}

/// The primary term of the last write (`_primary_term`).
pub fn primary_term() -> Expr {
    Expr::col("_primary_term")
}

/// How [`match_`] combines the columns it searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MatchType {
    /// `best_fields` (the default).
    BestFields,
    /// `most_fields`.
    MostFields,
    /// `cross_fields`.
    CrossFields,
    /// `phrase`.
    Phrase,
    /// `phrase_prefix`.
    PhrasePrefix,
}

impl MatchType {
    fn as_sql(self) -> &'static str {
        match self {
            Self::BestFields => "best_fields",
            Self::MostFields => "most_fields",
            Self::CrossFields => "cross_fields",
            Self::Phrase => "phrase",
            Self::PhrasePrefix => "phrase_prefix",
        }
    }
}

/// A fulltext predicate: `MATCH(target, query) [USING type] [WITH (options)]`.
///
/// Start with [`match_`], add columns with boosts, a match type and options, then turn it into
/// an [`Expr`] with `into()` (or pass it where sea-query takes `impl Into<Expr>`).
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, expr::{MatchType, match_, score}, sea_query::{Order, Query}};
///
/// let (sql, values) = Query::select()
///     .columns(["id", "title"])
///     .expr(score())
///     .from("docs")
///     .and_where(
///         match_("title")
///             .boosted("body", 0.5)
///             .query("crate db")
///             .using(MatchType::MostFields)
///             .option("fuzziness", 1)
///             .option("operator", "and")
///             .into(),
///     )
///     .order_by("_score", Order::Desc)
///     .build(CrateDbQueryBuilder);
/// assert_eq!(
///     sql,
///     concat!(
///         r#"SELECT "id", "title", "_score" FROM "docs" WHERE MATCH(("title", "body" 0.5), $1) "#,
///         r#"USING most_fields WITH (fuzziness = 1, operator = 'and') ORDER BY "_score" DESC"#
///     )
/// );
/// assert_eq!(values.0.len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Match {
    targets: Vec<(DynIden, Option<f64>)>,
    query: Option<Expr>,
    kind: Option<MatchType>,
    options: Vec<(String, ParamValue)>,
}

/// Starts a [`Match`] on a column or a named fulltext index.
pub fn match_(target: impl IntoIden) -> Match {
    Match {
        targets: vec![(target.into_iden(), None)],
        query: None,
        kind: None,
        options: Vec::new(),
    }
}

impl Match {
    /// Searches another column too.
    pub fn column(mut self, column: impl IntoIden) -> Self {
        self.targets.push((column.into_iden(), None));
        self
    }

    /// Searches another column, weighted by `boost`.
    pub fn boosted(mut self, column: impl IntoIden, boost: f64) -> Self {
        self.targets.push((column.into_iden(), Some(boost)));
        self
    }

    /// The query text; bound as a parameter when given as a plain value.
    pub fn query(mut self, query: impl Into<Expr>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// `USING <match type>`.
    pub fn using(mut self, match_type: MatchType) -> Self {
        self.kind = Some(match_type);
        self
    }

    /// A `WITH (…)` option such as `fuzziness`, `operator`, `analyzer`, `minimum_should_match`.
    pub fn option(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        self.options.push((name.to_owned(), value.into()));
        self
    }
}

impl From<Match> for Expr {
    fn from(m: Match) -> Self {
        // Targets are column expressions (names are quoted and checked when rendered); only
        // the boosts, the match type and the options are template text.
        let multi = m.targets.len() > 1 || m.targets.iter().any(|(_, boost)| boost.is_some());
        let mut template = String::from("MATCH(");
        if multi {
            template.push('(');
        }
        let mut exprs = Vec::with_capacity(m.targets.len() + 2);
        for (i, (column, boost)) in m.targets.into_iter().enumerate() {
            if i > 0 {
                template.push_str(", ");
            }
            exprs.push(Expr::col(column));
            let _ = write!(template, "${}", exprs.len());
            if let Some(boost) = boost {
                let _ = write!(template, " {boost:?}");
            }
        }
        if multi {
            template.push(')');
        }
        exprs.push(m.query.unwrap_or_else(|| Expr::val("")));
        let _ = write!(template, ", ${})", exprs.len());
        // CrateDB's grammar needs `USING <type>` before `WITH (…)`; `best_fields` is the default.
        let kind = m
            .kind
            .or((!m.options.is_empty()).then_some(MatchType::BestFields));
        if let Some(match_type) = kind {
            template.push_str(" USING ");
            template.push_str(match_type.as_sql());
        }
        if !m.options.is_empty() {
            template.push_str(" WITH (");
            for (i, (name, value)) in m.options.iter().enumerate() {
                if i > 0 {
                    template.push_str(", ");
                }
                // A name that needs quoting renders as a column name does: one quoted
                // identifier, checked when the statement is rendered. Values are literal SQL
                // text, never template text (a `$1` inside stays in its literal).
                if is_plain_setting_name(name) {
                    template.push_str(name);
                } else {
                    exprs.push(Expr::col(name.clone()));
                    let _ = write!(template, "${}", exprs.len());
                }
                let mut literal = String::new();
                write_param_value(value, &mut literal);
                exprs.push(Expr::cust(literal));
                let _ = write!(template, " = ${}", exprs.len());
            }
            template.push(')');
        }
        Expr::cust_with_exprs(template, exprs)
    }
}

/// `KNN_MATCH(column, [vector], k)`: approximate nearest neighbours of a `FLOAT_VECTOR` column
/// (up to `k` per shard; order by [`score`] and `LIMIT k`). The vector is written as an array
/// literal; use [`knn_match_expr`] to bind it instead.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, expr::knn_match, sea_query::Query};
///
/// let sql = Query::select()
///     .column("id")
///     .from("docs")
///     .and_where(knn_match("embedding", &[0.5, 1.0, -2.25], 3))
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(sql, r#"SELECT "id" FROM "docs" WHERE KNN_MATCH("embedding", [0.5, 1.0, -2.25], 3)"#);
/// ```
pub fn knn_match(column: impl IntoIden, vector: &[f32], k: u32) -> Expr {
    knn_match_expr(column, float_array(vector), k)
}

/// [`knn_match`] with the query vector as any expression (for example a bound parameter).
pub fn knn_match_expr(column: impl IntoIden, vector: impl Into<Expr>, k: u32) -> Expr {
    Expr::cust_with_exprs(
        format!("KNN_MATCH($1, $2, {k})"),
        [Expr::col(column.into_iden()), vector.into()],
    )
}

/// `vector_similarity(a, b)`: a similarity in (0, 1] from the Euclidean distance.
pub fn vector_similarity(a: impl Into<Expr>, b: impl Into<Expr>) -> Expr {
    Expr::cust_with_exprs("vector_similarity($1, $2)", [a.into(), b.into()])
}

/// An array literal of floats: `[0.5, 1.0]` (finite values; NaN and infinity become `NULL`).
pub fn float_array(values: &[f32]) -> Expr {
    let mut sql = String::from("[");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        if v.is_finite() {
            let _ = write!(sql, "{v:?}");
        } else {
            sql.push_str("NULL");
        }
    }
    sql.push(']');
    Expr::cust(sql)
}

/// An array literal of expressions: `[ a, b, c ]`.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, expr::{array, object}, sea_query::{Expr, Query}};
///
/// let sql = Query::insert()
///     .into_table("docs")
///     .columns(["tags", "payload"])
///     .values_panic([
///         array([Expr::val("a"), Expr::val("b")]),
///         object([("level", Expr::val(1)), ("Source", Expr::val("it's"))]),
///     ])
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(
///     sql,
///     r#"INSERT INTO "docs" ("tags", "payload") VALUES ([ 'a', 'b' ], {"level" = 1, "Source" = 'it''s'})"#
/// );
/// ```
pub fn array<I: IntoIterator<Item = Expr>>(items: I) -> Expr {
    // sea-query's template tokenizer reads `[…]` as a quoted name, so the brackets travel as
    // verbatim pieces around the numbered items.
    let mut exprs = vec![Expr::cust("[")];
    exprs.extend(items);
    let count = exprs.len() - 1;
    if count == 0 {
        return Expr::cust("[]");
    }
    exprs.push(Expr::cust("]"));
    // Adjacent markers (`$1$2`) would read as one token, hence the spaces: `[ a, b ]`.
    let mut template = String::from("$1 ");
    for i in 2..=count + 1 {
        if i > 2 {
            template.push_str(", ");
        }
        let _ = write!(template, "${i}");
    }
    let _ = write!(template, " ${}", count + 2);
    Expr::cust_with_exprs(template, exprs)
}

/// An object literal: `{"key" = value, …}`; keys are quoted, values are expressions.
pub fn object<I, K>(fields: I) -> Expr
where
    I: IntoIterator<Item = (K, Expr)>,
    K: AsRef<str>,
{
    let mut template = String::from("{");
    let mut exprs = Vec::new();
    for (i, (key, value)) in fields.into_iter().enumerate() {
        if i > 0 {
            template.push_str(", ");
        }
        // A key renders like a column name: one quoted identifier, checked when rendered.
        exprs.push(Expr::col(key.as_ref().to_owned()));
        exprs.push(value);
        let _ = write!(template, "${} = ${}", 2 * i + 1, 2 * i + 2);
    }
    template.push('}');
    Expr::cust_with_exprs(template, exprs)
}

/// `CAST(expr AS type)`: fails the statement when a value does not convert.
///
/// # Examples
///
/// ```
/// use sea_cratedb::{CrateDbQueryBuilder, CrateType, expr::{cast, try_cast}, sea_query::{Expr, Query}};
///
/// let sql = Query::select()
///     .expr(cast(Expr::col("n"), CrateType::BigInt))
///     .expr(try_cast(Expr::col("s"), CrateType::array(CrateType::Integer)))
///     .from("t")
///     .to_string(CrateDbQueryBuilder);
/// assert_eq!(sql, r#"SELECT CAST("n" AS BIGINT), TRY_CAST("s" AS ARRAY(INTEGER)) FROM "t""#);
/// ```
pub fn cast(expr: impl Into<Expr>, to: impl Into<CrateType>) -> Expr {
    cast_with("CAST", expr, to)
}

/// `TRY_CAST(expr AS type)`: `NULL` when a value does not convert.
pub fn try_cast(expr: impl Into<Expr>, to: impl Into<CrateType>) -> Expr {
    cast_with("TRY_CAST", expr, to)
}

fn cast_with(function: &str, expr: impl Into<Expr>, to: impl Into<CrateType>) -> Expr {
    Expr::cust_with_exprs(
        format!("{function}($1 AS $2)"),
        [expr.into(), Expr::cust(to.into().to_string())],
    )
}
