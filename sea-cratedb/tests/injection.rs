//! Regression tests for SQL injection through names and values (hardening issue, defect 1):
//! one test per root cause, each a reproduction that rendered attacker-chosen SQL before the fix.

mod common;

use common::assert_sql;
use pretty_assertions::assert_eq;
use sea_cratedb::{
    CheckedQuery, CheckedSchema, CrateDbQueryBuilder, CrateTableExt, Error, FulltextIndex,
    InvalidName, TableOptions,
    expr::path,
    sea_query::{
        Alias, ColumnDef, ExplainStatement, Expr, ExprTrait, Func, Index, Order, Query, Table,
        UnionType, Values,
    },
};

#[allow(clippy::panic)] // a test helper: the panic is the assertion
fn invalid_name(err: Error) -> InvalidName {
    match err {
        Error::InvalidName(e) => e,
        other => panic!("expected InvalidName, got {other:?}"),
    }
}

/// Root cause 1: a name starting with `\u{1}` was decoded as a subscript path, and the text after
/// `\u{3}` was written raw.
#[test]
fn encoded_path_in_a_plain_name_stays_one_quoted_identifier() {
    let payload = "\u{1}c\u{3}0] FROM secrets --";
    let select = Query::select()
        .column(Alias::new(payload))
        .from("t")
        .to_owned();
    assert_eq!(
        select.to_string(CrateDbQueryBuilder),
        "SELECT \"\u{1}c\u{3}0] FROM secrets --\" FROM \"t\""
    );
    let err = select.try_to_string().unwrap_err();
    assert_eq!(
        invalid_name(err).name(),
        payload,
        "a control character in a name is a typed error"
    );
    // Table, schema and alias names take the same path.
    let select = Query::select()
        .expr_as(Expr::col("a"), Alias::new(payload))
        .from((Alias::new(payload), Alias::new("t")))
        .to_owned();
    assert!(matches!(select.try_build(), Err(Error::InvalidName(_))));
    assert!(!select.to_string(CrateDbQueryBuilder).contains("[0]"));
}

#[test]
fn fulltext_index_and_table_options_reject_control_characters() {
    let payload = "\u{1}c\u{3}0] FROM secrets --";
    let mut create = Table::create()
        .table("docs")
        .col(ColumnDef::new("c").text())
        .fulltext_index(FulltextIndex::new("ft").column(Alias::new(payload)))
        .to_owned();
    let sql = create.to_string(CrateDbQueryBuilder);
    assert!(
        sql.contains("USING FULLTEXT (\"\u{1}c\u{3}0] FROM secrets --\")"),
        "{sql}"
    );
    assert!(matches!(create.try_to_string(), Err(Error::InvalidName(_))));

    create = Table::create()
        .table("docs")
        .col(ColumnDef::new("c").text())
        .crate_options(TableOptions::new().partitioned_by([Alias::new(payload)]))
        .to_owned();
    assert!(matches!(create.try_to_string(), Err(Error::InvalidName(_))));
    create = Table::create()
        .table("docs")
        .col(ColumnDef::new("c").text())
        .crate_options(TableOptions::new().clustered_by(Alias::new(payload)))
        .to_owned();
    let sql = create.to_string(CrateDbQueryBuilder);
    assert!(
        sql.ends_with("CLUSTERED BY (\"\u{1}c\u{3}0] FROM secrets --\")"),
        "{sql}"
    );
    assert!(matches!(create.try_to_string(), Err(Error::InvalidName(_))));
}

/// Root cause 2: path keys were split on the separators, so a key from row data could end the
/// subscript and comment out the WHERE clause.
#[test]
fn path_key_with_separators_is_one_string_literal() {
    let update = Query::update()
        .table("docs")
        .value(path("meta", ["x\u{3}1] = 1 --"]), 1)
        .and_where(Expr::col("id").eq("k"))
        .to_owned();
    assert_eq!(
        update.to_string(CrateDbQueryBuilder),
        "UPDATE \"docs\" SET \"meta\"['x\u{3}1] = 1 --'] = 1 WHERE \"id\" = 'k'"
    );
    let update = Query::update()
        .table("docs")
        .value(path("meta", ["it's", "a]b"]), 1)
        .and_where(Expr::col("id").eq("k"))
        .to_owned();
    assert_sql(
        "path_key_with_separators_is_one_string_literal",
        &update.try_to_string().unwrap(),
        r#"UPDATE "docs" SET "meta"['it''s']['a]b'] = 1 WHERE "id" = 'k'"#,
    );
}

/// Root cause 3: `Order::Field` values were written as PostgreSQL `E'…'` strings, and a value
/// ending in a backslash swallowed SQL up to the next quote in CrateDB's lexer.
#[test]
fn order_field_values_are_standard_string_literals() {
    let select = Query::select()
        .column("id")
        .from("docs")
        .order_by(
            "kind",
            Order::Field(Values(vec!["a\\".into(), "b'c".into()])),
        )
        .to_owned();
    let expected = concat!(
        r#"SELECT "id" FROM "docs" ORDER BY CASE WHEN "kind"='a\' THEN 0 "#,
        r#"WHEN "kind"='b''c' THEN 1 ELSE 2 END"#
    );
    assert_sql(
        "order_field_values_are_standard_string_literals",
        &select.try_to_string().unwrap(),
        expected,
    );
    let (sql, _) = select.build(CrateDbQueryBuilder);
    assert!(!sql.contains("E'"), "{sql}");
}

#[test]
fn unchecked_explain_writes_no_postgres_literals() {
    let inner = Query::select()
        .column("id")
        .from("docs")
        .and_where(Expr::col("a").eq("x\\"))
        .to_owned();
    let sql = ExplainStatement::new()
        .statement(inner)
        .to_string(CrateDbQueryBuilder);
    assert!(!sql.contains("E'"), "{sql}");
}

/// Root cause 4: the cast type was written bare when it "looked harmless".
#[test]
fn cast_type_that_is_not_a_type_is_quoted() {
    let select = Query::select()
        .expr(Func::cast_as_quoted(
            Expr::col("a"),
            "TEXT) FROM secrets UNION ALL SELECT CAST(1 AS TEXT",
        ))
        .from("t")
        .to_owned();
    assert_eq!(
        select.to_string(CrateDbQueryBuilder),
        r#"SELECT CAST("a" AS "TEXT) FROM secrets UNION ALL SELECT CAST(1 AS TEXT") FROM "t""#
    );
    let select = Query::select()
        .expr(Func::cast_as_quoted(
            Expr::col("a"),
            "ARRAY(DOUBLE PRECISION)",
        ))
        .expr(Func::cast_as_quoted(Expr::col("b"), "varchar(10)"))
        .from("t")
        .to_owned();
    assert_sql(
        "cast_type_that_is_not_a_type_is_quoted",
        &select.try_to_string().unwrap(),
        r#"SELECT CAST("a" AS ARRAY(DOUBLE PRECISION)), CAST("b" AS varchar(10)) FROM "t""#,
    );
}

/// Root cause 5: a named table-level primary key was written without doubling quotes.
#[test]
fn named_primary_key_constraint_doubles_quotes() {
    let create = Table::create()
        .table("t")
        .col(ColumnDef::new("c").text())
        .primary_key(Index::create().name("x\"; DROP TABLE pwned; --").col("c"))
        .to_owned();
    let expected = r#"CREATE TABLE "t" ( "c" TEXT, CONSTRAINT "x""; DROP TABLE pwned; --" PRIMARY KEY ("c") )"#;
    assert_eq!(create.try_to_string().unwrap(), expected);
    assert_eq!(create.to_string(CrateDbQueryBuilder), expected);
}

/// Root cause 6: wrapping a UNION operand was decided by scanning its PostgreSQL rendering, which
/// misread `E'\''`; the operand's LIMIT then applied to the whole UNION.
#[test]
fn union_operand_with_quote_keeps_its_own_limit() {
    let operand = Query::select()
        .column("id")
        .from("b")
        .and_where(Expr::col("name").eq("it's"))
        .limit(1)
        .to_owned();
    let select = Query::select()
        .column("id")
        .from("a")
        .union(UnionType::All, operand)
        .to_owned();
    assert_sql(
        "union_operand_with_quote_keeps_its_own_limit",
        &select.try_to_string().unwrap(),
        concat!(
            r#"SELECT "id" FROM "a" UNION ALL SELECT * FROM (SELECT "id" FROM "b" "#,
            r#"WHERE "name" = 'it''s' LIMIT 1) AS "union_operand""#
        ),
    );
}

/// Setting and parameter names that are reserved words are quoted; the empty name is an error.
#[test]
fn reserved_setting_and_parameter_names_are_quoted() {
    use sea_cratedb::{Persistence, ResetGlobal, Set, StatementError};

    assert_sql(
        "reserved_set_session_name",
        &Set::session("select", ["v"]).try_to_string().unwrap(),
        r#"SET "select" TO 'v'"#,
    );
    assert_sql(
        "reserved_set_global_name",
        &Set::global(Persistence::Transient, "default", 1)
            .try_to_string()
            .unwrap(),
        r#"SET GLOBAL TRANSIENT "default" = 1"#,
    );
    assert_sql(
        "reserved_reset_global_name",
        &ResetGlobal::new("select").try_to_string().unwrap(),
        r#"RESET GLOBAL "select""#,
    );
    let create = Table::create()
        .table("t")
        .col(ColumnDef::new("c").text())
        .crate_options(TableOptions::new().param("default", 1))
        .to_owned();
    assert_sql(
        "reserved_table_parameter_name",
        &create.try_to_string().unwrap(),
        r#"CREATE TABLE "t" ( "c" TEXT ) WITH ("default" = 1)"#,
    );
    for err in [
        Set::session("", ["v"]).try_to_string().unwrap_err(),
        Set::to_default("").try_to_string().unwrap_err(),
        ResetGlobal::new("").try_to_string().unwrap_err(),
    ] {
        assert_eq!(
            err,
            StatementError::Sql(Error::InvalidName(InvalidName::Empty))
        );
    }
    let create = Table::create()
        .table("t")
        .col(ColumnDef::new("c").text())
        .crate_options(TableOptions::new().param("", 1))
        .to_owned();
    assert_eq!(
        create.try_to_string(),
        Err(Error::InvalidName(InvalidName::Empty))
    );
}

/// `MATCH(…) WITH (…)` needs `USING <type>` first: options alone get the default type.
#[test]
fn match_options_without_type_use_best_fields() {
    use sea_cratedb::expr::match_;

    let select = Query::select()
        .column("id")
        .from("docs")
        .and_where(
            match_("title")
                .query("crate")
                .option("fuzziness", 1)
                .option("using", "x")
                .into(),
        )
        .to_owned();
    assert_sql(
        "match_options_without_type_use_best_fields",
        &select.try_to_string().unwrap(),
        r#"SELECT "id" FROM "docs" WHERE MATCH("title", 'crate') USING best_fields WITH (fuzziness = 1, "using" = 'x')"#,
    );
}
