//! Golden SQL for CrateDB expressions (`sea_cratedb::expr`).

mod common;

use common::assert_sql;
use pretty_assertions::assert_eq;
use sea_cratedb::{
    CrateDbQueryBuilder, CrateType,
    expr::{
        ArrayComparison, MatchType, Subscript, all, any, array, cast, float_array, id, knn_match,
        knn_match_expr, match_, object, path, primary_term, score, seq_no, subscript, try_cast,
        vector_similarity, version,
    },
    sea_query::{Expr, ExprTrait, Order, Query, Value},
};

#[test]
fn object_and_array_subscripts_on_columns() {
    let sql = Query::select()
        .column(path("payload", ["meta", "level"]))
        .column(path("tags", [1]))
        .column(path(
            "items",
            [Subscript::Index(2), Subscript::from("name")],
        ))
        .from("docs")
        .and_where(Expr::col(path("payload", ["src"])).eq("x"))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "object_and_array_subscripts_on_columns",
        &sql,
        r#"SELECT "payload"['meta']['level'], "tags"[1], "items"[2]['name'] FROM "docs" WHERE "payload"['src'] = 'x'"#,
    );
}

#[test]
fn subscript_keys_are_escaped() {
    let sql = Query::select()
        .column(path("o", ["it's\"x"]))
        .from("t")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "subscript_keys_are_escaped",
        &sql,
        r#"SELECT "o"['it''s"x'] FROM "t""#,
    );
}

#[test]
fn subscript_on_an_expression() {
    let sql = Query::select()
        .expr(subscript(Expr::col("arr"), [1]))
        .from("t")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "subscript_on_an_expression",
        &sql,
        r#"SELECT ("arr")[1] FROM "t""#,
    );
}

#[test]
fn any_and_all_with_bound_arrays() {
    let (sql, values) = Query::select()
        .column("id")
        .from("docs")
        .and_where(any(
            Expr::col("id"),
            ArrayComparison::Eq,
            Expr::val(vec![1, 2]),
        ))
        .and_where(all(
            Expr::col("n"),
            ArrayComparison::Gt,
            Expr::col("limits"),
        ))
        .and_where(any(
            Expr::val("a%"),
            ArrayComparison::Like,
            Expr::col("tags"),
        ))
        .build(CrateDbQueryBuilder);
    assert_sql(
        "any_and_all_with_bound_arrays",
        &sql,
        r#"SELECT "id" FROM "docs" WHERE ("id" = ANY($1)) AND ("n" > ALL("limits")) AND ($2 LIKE ANY("tags"))"#,
    );
    assert_eq!(values.0.len(), 2);
}

#[test]
fn every_array_comparison_operator() {
    for (op, text) in [
        (ArrayComparison::Eq, "="),
        (ArrayComparison::NotEq, "<>"),
        (ArrayComparison::Lt, "<"),
        (ArrayComparison::Lte, "<="),
        (ArrayComparison::Gt, ">"),
        (ArrayComparison::Gte, ">="),
        (ArrayComparison::Like, "LIKE"),
        (ArrayComparison::ILike, "ILIKE"),
        (ArrayComparison::NotLike, "NOT LIKE"),
    ] {
        let sql = Query::select()
            .column("a")
            .from("t")
            .and_where(any(Expr::col("a"), op, Expr::col("b")))
            .to_string(CrateDbQueryBuilder);
        assert_sql(
            "every_array_comparison_operator",
            &sql,
            &format!(r#"SELECT "a" FROM "t" WHERE "a" {text} ANY("b")"#),
        );
    }
}

#[test]
fn match_single_column_binds_the_query() {
    let (sql, values) = Query::select()
        .column("id")
        .from("docs")
        .and_where(match_("body").query("crate").into())
        .build(CrateDbQueryBuilder);
    assert_sql(
        "match_single_column_binds_the_query",
        &sql,
        r#"SELECT "id" FROM "docs" WHERE MATCH("body", $1)"#,
    );
    assert_eq!(values.0, vec![Value::String(Some("crate".into()))]);
}

#[test]
fn match_several_columns_with_boosts_type_and_options() {
    for (match_type, text) in [
        (MatchType::BestFields, "best_fields"),
        (MatchType::MostFields, "most_fields"),
        (MatchType::CrossFields, "cross_fields"),
        (MatchType::Phrase, "phrase"),
        (MatchType::PhrasePrefix, "phrase_prefix"),
    ] {
        let sql = Query::select()
            .column("id")
            .expr(score())
            .from("docs")
            .and_where(
                match_("title")
                    .boosted("body", 2.0)
                    .column("tags")
                    .query("q'x")
                    .using(match_type)
                    .option("fuzziness", "AUTO")
                    .option("operator", "or")
                    .option("slop", 2)
                    .option("tie_breaker", 0.3)
                    .into(),
            )
            .order_by("_score", Order::Desc)
            .to_string(CrateDbQueryBuilder);
        assert_sql(
            "match_several_columns_with_boosts_type_and_options",
            &sql,
            &format!(
                concat!(
                    r#"SELECT "id", "_score" FROM "docs" WHERE MATCH(("title", "body" 2.0, "tags"), 'q''x') "#,
                    r#"USING {} WITH (fuzziness = 'AUTO', operator = 'or', slop = 2, tie_breaker = 0.3) ORDER BY "_score" DESC"#
                ),
                text
            ),
        );
    }
}

#[test]
fn knn_match_and_vector_similarity() {
    let sql = Query::select()
        .column("id")
        .expr(vector_similarity(
            Expr::col("emb"),
            float_array(&[1.0, 2.0]),
        ))
        .from("docs")
        .and_where(knn_match("emb", &[1.0, 2.0], 5))
        .order_by("_score", Order::Desc)
        .limit(5)
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "knn_match_and_vector_similarity",
        &sql,
        r#"SELECT "id", vector_similarity("emb", [1.0, 2.0]) FROM "docs" WHERE KNN_MATCH("emb", [1.0, 2.0], 5) ORDER BY "_score" DESC LIMIT 5"#,
    );
    let (sql, values) = Query::select()
        .column("id")
        .from("docs")
        .and_where(knn_match_expr("emb", Expr::val(vec![1.0_f32, 2.0]), 3))
        .build(CrateDbQueryBuilder);
    assert_sql(
        "knn_match_with_bound_vector",
        &sql,
        r#"SELECT "id" FROM "docs" WHERE KNN_MATCH("emb", $1, 3)"#,
    );
    assert_eq!(values.0.len(), 1);
}

#[test]
fn object_and_array_literals_nest() {
    let sql = Query::select()
        .expr(object([
            ("a", Expr::val(1)),
            ("Mixed Case", array([Expr::val("x"), Expr::val("y")])),
            (
                "nested",
                object([("d", array([Expr::val(1), Expr::val(2)]))]),
            ),
        ]))
        .expr(array(Vec::new()))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "object_and_array_literals_nest",
        &sql,
        r#"SELECT {"a" = 1, "Mixed Case" = [ 'x', 'y' ], "nested" = {"d" = [ 1, 2 ]}}, []"#,
    );
}

#[test]
fn casts_and_try_casts_to_cratedb_types() {
    let sql = Query::select()
        .expr(cast(Expr::col("a"), CrateType::Text))
        .expr(try_cast(Expr::val("1"), CrateType::BigInt))
        .expr(cast(Expr::col("o"), CrateType::array(CrateType::Text)))
        .expr(Expr::col("b").cast_as("DOUBLE PRECISION"))
        .from("t")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "casts_and_try_casts_to_cratedb_types",
        &sql,
        r#"SELECT CAST("a" AS TEXT), TRY_CAST('1' AS BIGINT), CAST("o" AS ARRAY(TEXT)), CAST("b" AS DOUBLE PRECISION) FROM "t""#,
    );
}

#[test]
fn system_columns_and_optimistic_concurrency() {
    let sql = Query::update()
        .table("sensors")
        .value("v", 2)
        .and_where(Expr::col("id").eq("ID1"))
        .and_where(seq_no().eq(4))
        .and_where(primary_term().eq(1))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "system_columns_and_optimistic_concurrency",
        &sql,
        r#"UPDATE "sensors" SET "v" = 2 WHERE "id" = 'ID1' AND "_seq_no" = 4 AND "_primary_term" = 1"#,
    );
    let sql = Query::select()
        .exprs([id(), version(), seq_no(), primary_term(), score()])
        .from("sensors")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "system_columns_select",
        &sql,
        r#"SELECT "_id", "_version", "_seq_no", "_primary_term", "_score" FROM "sensors""#,
    );
}
