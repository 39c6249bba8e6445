//! Adversarial names and values through every public builder that takes one: each payload
//! either makes the checked entry point return a typed error, or renders as exactly one quoted
//! identifier / one string literal. The unchecked render must always be exactly one token: the
//! SQL is compared with the same statement built from a benign name, the token swapped.

use sea_cratedb::{
    CheckedQuery, CheckedSchema, CrateDbQueryBuilder, CrateTableExt, Error, FulltextIndex,
    Persistence, ResetGlobal, Set, StatementError, TableOptions,
    expr::{match_, path},
    quote_identifier,
    sea_query::{Alias, ColumnDef, Expr, ExprTrait, Func, Index, Order, Query, Table, Values},
};

const BENIGN: &str = "benign_name";

/// How the payload must appear in the SQL.
#[derive(Clone, Copy)]
enum Token {
    /// One quoted identifier.
    Identifier,
    /// One string literal.
    Literal,
    /// A setting or parameter name: bare when plain, else one quoted identifier.
    Setting,
}

impl Token {
    fn render(self, text: &str) -> String {
        match self {
            Self::Identifier => quote_identifier(text),
            Self::Literal => format!("'{}'", text.replace('\'', "''")),
            Self::Setting => {
                let plain = text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                    && text
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    // The one reserved word among the payloads.
                    && text != "select";
                if plain {
                    text.to_owned()
                } else {
                    quote_identifier(text)
                }
            }
        }
    }
}

/// The unchecked SQL and the checked result of one statement built around one payload.
type Render = (String, Result<String, Error>);

/// A builder case: its name, how the payload must appear, and the builder.
type Case = (&'static str, Token, fn(&str) -> Render);

#[allow(clippy::panic)] // a test helper: the panic is the assertion
fn statement(result: Result<String, StatementError>) -> Result<String, Error> {
    result.map_err(|e| match e {
        StatementError::Sql(e) => e,
        other => panic!("expected an SQL error, got {other:?}"),
    })
}

fn query(stmt: &impl CheckedQuery, unchecked: String) -> Render {
    (unchecked, stmt.try_to_string())
}

#[allow(clippy::too_many_lines)] // one table of cases
fn cases() -> Vec<Case> {
    vec![
        ("select column", Token::Identifier, |p| {
            let s = Query::select().column(Alias::new(p)).from("t").to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("table", Token::Identifier, |p| {
            let s = Query::select().column("c").from(Alias::new(p)).to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("schema", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from((Alias::new(p), Alias::new("t")))
                .to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("alias", Token::Identifier, |p| {
            let s = Query::select()
                .expr_as(Expr::col("c"), Alias::new(p))
                .from("t")
                .to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("order by field value", Token::Literal, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .order_by("c", Order::Field(Values(vec![p.into()])))
                .to_owned();
            let (built, _) = s.build(CrateDbQueryBuilder);
            assert_eq!(built, s.to_string(CrateDbQueryBuilder));
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("cast type", Token::Identifier, |p| {
            let s = Query::select()
                .expr(Func::cast_as_quoted(Expr::col("c"), Alias::new(p)))
                .from("t")
                .to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("match column", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(match_(Alias::new(p)).query("q").into())
                .to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("match option name", Token::Setting, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(match_("c").query("q").option(p, 1).into())
                .to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("match option value", Token::Literal, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(match_("c").query("q").option("analyzer", p).into())
                .to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("subscript path column", Token::Identifier, |p| {
            let s = Query::update()
                .table("t")
                .value(path(p, ["k"]), 1)
                .and_where(Expr::col("id").eq(1))
                .to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("subscript path key", Token::Literal, |p| {
            let s = Query::update()
                .table("t")
                .value(path("o", [p]), 1)
                .and_where(Expr::col(path("o", [p, "x"])).eq(1))
                .to_owned();
            query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("ddl column", Token::Identifier, |p| {
            let s = Table::create()
                .table("t")
                .col(ColumnDef::new(Alias::new(p)).text())
                .to_owned();
            (s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        ("ddl table", Token::Identifier, |p| {
            let s = Table::create()
                .table(Alias::new(p))
                .col(ColumnDef::new("c").text())
                .to_owned();
            (s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        ("fulltext index name", Token::Identifier, |p| {
            let s = Table::create()
                .table("t")
                .col(ColumnDef::new("c").text())
                .fulltext_index(FulltextIndex::new(Alias::new(p)).column("c"))
                .to_owned();
            (s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        ("fulltext index column", Token::Identifier, |p| {
            let s = Table::create()
                .table("t")
                .col(ColumnDef::new("c").text())
                .fulltext_index(FulltextIndex::new("ft").column(Alias::new(p)))
                .to_owned();
            (s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        ("primary key constraint", Token::Identifier, |p| {
            let s = Table::create()
                .table("t")
                .col(ColumnDef::new("c").text())
                .primary_key(Index::create().name(p).col("c"))
                .to_owned();
            (s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        ("partitioned by", Token::Identifier, |p| {
            let s = Table::create()
                .table("t")
                .col(ColumnDef::new("c").text())
                .crate_options(TableOptions::new().partitioned_by([Alias::new(p)]))
                .to_owned();
            (s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        ("table parameter name", Token::Setting, |p| {
            let s = Table::create()
                .table("t")
                .col(ColumnDef::new("c").text())
                .crate_options(TableOptions::new().param(p, 1))
                .to_owned();
            (s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        ("table parameter value", Token::Literal, |p| {
            let s = Table::create()
                .table("t")
                .col(ColumnDef::new("c").text())
                .crate_options(TableOptions::new().param("codec", p))
                .to_owned();
            (s.to_string(CrateDbQueryBuilder), s.try_to_string())
        }),
        ("set session name", Token::Setting, |p| {
            let s = Set::session(p, ["v"]);
            let checked = statement(s.try_to_string());
            (unchecked_set(|| Set::session(p, ["v"])), checked)
        }),
        ("set global name", Token::Setting, |p| {
            let s = Set::global(Persistence::Transient, p, 1);
            let checked = statement(s.try_to_string());
            (
                unchecked_set(|| Set::global(Persistence::Transient, p, 1)),
                checked,
            )
        }),
        ("reset global name", Token::Setting, |p| {
            let s = ResetGlobal::new(p);
            (s.to_string(), statement(s.try_to_string()))
        }),
    ]
}

/// `Set` renders only through its checked entry point: a rejected name leaves no unchecked SQL
/// to compare (empty).
fn unchecked_set(make: impl Fn() -> Set) -> String {
    make().try_to_string().unwrap_or_default()
}

fn payloads() -> Vec<String> {
    let mut payloads: Vec<String> = (0_u32..0x20)
        .chain([0x7f])
        .chain(0x80..0xa0)
        .filter_map(char::from_u32)
        .map(|c| format!("a{c}b"))
        .collect();
    payloads.extend(
        [
            "\"",
            "'",
            "`",
            "\"\"",
            "''",
            "x\" FROM secrets --",
            "x' OR '1'='1",
            "[",
            "]",
            "a']['b",
            "(",
            ")",
            ";",
            "; DROP TABLE t; --",
            "--",
            "/*",
            "*/",
            "$1",
            "?",
            "\\",
            "x\\",
            "E'x'",
            "\u{1}c\u{3}0] FROM secrets --",
            "a\u{202e}b",
            "a\u{2066}b",
            "a\u{200f}b",
            "select",
            "",
        ]
        .map(str::to_owned),
    );
    payloads.push(format!("X{}", "y".repeat(10_000)));
    payloads
}

#[test]
fn adversarial_names_and_values_are_one_token_or_a_typed_error() {
    let cases = cases();
    for payload in payloads() {
        for (case, token, build) in &cases {
            let (benign_sql, benign_checked) = build(BENIGN);
            assert_eq!(
                benign_checked.as_deref(),
                Ok(benign_sql.as_str()),
                "{case}: the benign statement renders"
            );
            let expected = benign_sql.replace(&token.render(BENIGN), &token.render(&payload));
            let (sql, checked) = build(&payload);
            match checked {
                Ok(checked) => assert_eq!(checked, expected, "{case}: {payload:?}"),
                Err(Error::InvalidName(_)) => {}
                Err(other) => panic!("{case}: {payload:?}: unexpected error {other:?}"),
            }
            if !sql.is_empty() {
                assert_eq!(sql, expected, "{case}: unchecked {payload:?}");
            }
        }
    }
}
