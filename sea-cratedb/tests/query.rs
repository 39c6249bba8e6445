//! Golden SQL for DML built with sea-query and rendered by `CrateDbQueryBuilder`.

mod common;

use common::assert_sql;
use pretty_assertions::assert_eq;
use sea_cratedb::{
    CheckedQuery, CrateDbQueryBuilder,
    sea_query::{
        Alias, Asterisk, CommonTableExpression, Cond, Expr, ExprTrait, Func, JoinType,
        NullOrdering, OnConflict, Order, Query, SelectStatement, UnionType, Value, WindowStatement,
        WithClause,
    },
};

fn docs_select() -> SelectStatement {
    Query::select()
        .columns(["id", "title"])
        .from("docs")
        .to_owned()
}

#[test]
fn select_where_with_placeholders_returns_values_in_order() {
    let (sql, values) = docs_select()
        .and_where(Expr::col("id").gt(5))
        .and_where(Expr::col("title").like("a%"))
        .limit(10)
        .offset(20)
        .build(CrateDbQueryBuilder);
    assert_sql(
        "select_where_with_placeholders_returns_values_in_order",
        &sql,
        r#"SELECT "id", "title" FROM "docs" WHERE "id" > $1 AND "title" LIKE $2 LIMIT $3 OFFSET $4"#,
    );
    assert_eq!(
        values.0,
        vec![
            Value::Int(Some(5)),
            Value::String(Some("a%".into())),
            Value::BigUnsigned(Some(10)),
            Value::BigUnsigned(Some(20)),
        ]
    );
}

#[test]
fn select_distinct_group_by_having_order_nulls_last() {
    let sql = Query::select()
        .distinct()
        .column("tenant")
        .expr_as(Func::count(Expr::col(Asterisk)), "n")
        .from("docs")
        .group_by_col("tenant")
        .and_having(Func::count(Expr::col(Asterisk)).gt(1))
        .order_by_with_nulls("tenant", Order::Asc, NullOrdering::Last)
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_distinct_group_by_having_order_nulls_last",
        &sql,
        r#"SELECT DISTINCT "tenant", COUNT(*) AS "n" FROM "docs" GROUP BY "tenant" HAVING COUNT(*) > 1 ORDER BY "tenant" ASC NULLS LAST"#,
    );
}

#[test]
fn select_order_desc_nulls_first() {
    let sql = docs_select()
        .order_by_with_nulls("title", Order::Desc, NullOrdering::First)
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_order_desc_nulls_first",
        &sql,
        r#"SELECT "id", "title" FROM "docs" ORDER BY "title" DESC NULLS FIRST"#,
    );
}

#[test]
fn select_joins_with_aliases() {
    let sql = Query::select()
        .column(("d", "title"))
        .column(("a", "name"))
        .from_as("docs", "d")
        .join_as(
            JoinType::LeftJoin,
            "authors",
            "a",
            Expr::col(("d", "author_id")).equals(("a", "id")),
        )
        .join(
            JoinType::InnerJoin,
            "tenants",
            Expr::col(("d", "tenant")).equals(("tenants", "id")),
        )
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_joins_with_aliases",
        &sql,
        r#"SELECT "d"."title", "a"."name" FROM "docs" AS "d" LEFT JOIN "authors" AS "a" ON "d"."author_id" = "a"."id" INNER JOIN "tenants" ON "d"."tenant" = "tenants"."id""#,
    );
}

#[test]
fn select_cross_and_full_outer_join() {
    let sql = Query::select()
        .column(Asterisk)
        .from("a")
        .join(
            JoinType::FullOuterJoin,
            "b",
            Expr::col(("a", "id")).equals(("b", "id")),
        )
        .cross_join("c")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_cross_and_full_outer_join",
        &sql,
        r#"SELECT * FROM "a" FULL OUTER JOIN "b" ON "a"."id" = "b"."id" CROSS JOIN "c""#,
    );
}

#[test]
fn select_from_subquery_and_in_subquery() {
    let inner = Query::select().column("author_id").from("docs").to_owned();
    let sql = Query::select()
        .column("name")
        .from("authors")
        .and_where(Expr::col("id").in_subquery(inner.clone()))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_in_subquery",
        &sql,
        r#"SELECT "name" FROM "authors" WHERE "id" IN (SELECT "author_id" FROM "docs")"#,
    );
    let sql = Query::select()
        .column(Asterisk)
        .from_subquery(inner, "s")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_from_subquery",
        &sql,
        r#"SELECT * FROM (SELECT "author_id" FROM "docs") AS "s""#,
    );
}

#[test]
fn select_with_non_recursive_cte() {
    let cte = CommonTableExpression::new()
        .query(Query::select().column("id").from("docs").to_owned())
        .table_name("recent")
        .to_owned();
    let with = WithClause::new().cte(cte).to_owned();
    let query = Query::select().column("id").from("recent").to_owned();
    let sql = query.with(with).to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_with_non_recursive_cte",
        &sql,
        r#"WITH "recent" AS (SELECT "id" FROM "docs") SELECT "id" FROM "recent""#,
    );
}

#[test]
fn select_window_function_partition_order() {
    let sql = Query::select()
        .column("id")
        .expr_window_as(
            Func::cust("row_number"),
            WindowStatement::partition_by("tenant")
                .order_by("ts", Order::Desc)
                .to_owned(),
            "rn",
        )
        .from("docs")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_window_function_partition_order",
        &sql,
        r#"SELECT "id", row_number() OVER ( PARTITION BY "tenant" ORDER BY "ts" DESC ) AS "rn" FROM "docs""#,
    );
}

#[test]
fn select_union_and_union_all() {
    let sql = docs_select()
        .union(UnionType::Distinct, docs_select())
        .union(UnionType::All, docs_select())
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_union_and_union_all",
        &sql,
        r#"SELECT "id", "title" FROM "docs" UNION SELECT "id", "title" FROM "docs" UNION ALL SELECT "id", "title" FROM "docs""#,
    );
}

#[test]
fn union_operand_with_its_own_limit_becomes_a_derived_table() {
    let limited = docs_select()
        .order_by("id", Order::Desc)
        .limit(1)
        .to_owned();
    let sql = docs_select()
        .union(UnionType::All, limited)
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "union_operand_with_its_own_limit_becomes_a_derived_table",
        &sql,
        r#"SELECT "id", "title" FROM "docs" UNION ALL SELECT * FROM (SELECT "id", "title" FROM "docs" ORDER BY "id" DESC LIMIT 1) AS "union_operand""#,
    );
}

#[test]
fn select_case_coalesce_between_is_null() {
    let sql = Query::select()
        .expr(
            Expr::case(Expr::col("n").gt(1), "many")
                .finally("few")
                .clone(),
        )
        .expr(Func::coalesce([Expr::col("title"), Expr::val("")]))
        .from("docs")
        .and_where(Expr::col("n").between(1, 5))
        .and_where(Expr::col("deleted").is_null())
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_case_coalesce_between_is_null",
        &sql,
        r#"SELECT (CASE WHEN ("n" > 1) THEN 'many' ELSE 'few' END), COALESCE("title", '') FROM "docs" WHERE ("n" BETWEEN 1 AND 5) AND "deleted" IS NULL"#,
    );
}

#[test]
fn select_ifnull_maps_to_coalesce() {
    let sql = Query::select()
        .expr(Func::if_null(Expr::col("a"), 0))
        .from("t")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_ifnull_maps_to_coalesce",
        &sql,
        r#"SELECT COALESCE("a", 0) FROM "t""#,
    );
}

#[test]
fn select_in_list_and_or_conditions() {
    let sql = docs_select()
        .cond_where(
            Cond::any()
                .add(Expr::col("id").is_in([1, 2, 3]))
                .add(Expr::col("title").is_not_null()),
        )
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_in_list_and_or_conditions",
        &sql,
        r#"SELECT "id", "title" FROM "docs" WHERE "id" IN (1, 2, 3) OR "title" IS NOT NULL"#,
    );
}

#[test]
fn select_schema_qualified_table() {
    let sql = Query::select()
        .column("id")
        .from(("app", "docs"))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "select_schema_qualified_table",
        &sql,
        r#"SELECT "id" FROM "app"."docs""#,
    );
}

#[test]
fn insert_multi_row_values_with_placeholders() {
    let (sql, values) = Query::insert()
        .into_table("docs")
        .columns(["id", "title"])
        .values_panic([1.into(), "a".into()])
        .values_panic([2.into(), "b".into()])
        .build(CrateDbQueryBuilder);
    assert_sql(
        "insert_multi_row_values_with_placeholders",
        &sql,
        r#"INSERT INTO "docs" ("id", "title") VALUES ($1, $2), ($3, $4)"#,
    );
    assert_eq!(values.0.len(), 4);
}

#[test]
fn insert_select() {
    let sql = Query::insert()
        .into_table("archive")
        .columns(["id", "title"])
        .select_from(docs_select())
        .expect("matching column count")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "insert_select",
        &sql,
        r#"INSERT INTO "archive" ("id", "title") SELECT "id", "title" FROM "docs""#,
    );
}

#[test]
fn insert_on_conflict_do_update_with_excluded_and_returning() {
    let sql = Query::insert()
        .into_table("visits")
        .columns(["id", "name", "visits"])
        .values_panic(["u1".into(), "Ann".into(), 1.into()])
        .on_conflict(
            OnConflict::column("id")
                .update_column("name")
                .value(
                    "visits",
                    Expr::col(("visits", "visits")).add(Expr::col(("excluded", "visits"))),
                )
                .to_owned(),
        )
        .returning(Query::returning().columns(["id", "visits"]))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "insert_on_conflict_do_update_with_excluded_and_returning",
        &sql,
        r#"INSERT INTO "visits" ("id", "name", "visits") VALUES ('u1', 'Ann', 1) ON CONFLICT ("id") DO UPDATE SET "name" = "excluded"."name", "visits" = "visits"."visits" + "excluded"."visits" RETURNING "id", "visits""#,
    );
}

#[test]
fn insert_on_conflict_do_nothing() {
    let sql = Query::insert()
        .into_table("docs")
        .columns(["id"])
        .values_panic([1.into()])
        .on_conflict(OnConflict::column("id").do_nothing().to_owned())
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "insert_on_conflict_do_nothing",
        &sql,
        r#"INSERT INTO "docs" ("id") VALUES (1) ON CONFLICT ("id") DO NOTHING"#,
    );
}

#[test]
fn update_with_returning_and_placeholders() {
    let (sql, values) = Query::update()
        .table("docs")
        .value("title", "new")
        .value("n", Expr::col("n").add(1))
        .and_where(Expr::col("id").eq(7))
        .returning(Query::returning().columns(["id", "_seq_no"]))
        .build(CrateDbQueryBuilder);
    assert_sql(
        "update_with_returning_and_placeholders",
        &sql,
        r#"UPDATE "docs" SET "title" = $1, "n" = "n" + $2 WHERE "id" = $3 RETURNING "id", "_seq_no""#,
    );
    assert_eq!(values.0.len(), 3);
}

#[test]
fn update_object_subfield_assignment() {
    let (sql, values) = Query::update()
        .table("docs")
        .value(sea_cratedb::expr::path("payload", ["k"]), "v")
        .and_where(Expr::col("id").eq(1))
        .build(CrateDbQueryBuilder);
    assert_sql(
        "update_object_subfield_assignment",
        &sql,
        r#"UPDATE "docs" SET "payload"['k'] = $1 WHERE "id" = $2"#,
    );
    assert_eq!(values.0[0], Value::String(Some("v".into())));
}

#[test]
fn delete_with_where() {
    let (sql, values) = Query::delete()
        .from_table("docs")
        .and_where(Expr::col("id").eq(3))
        .build(CrateDbQueryBuilder);
    assert_sql(
        "delete_with_where",
        &sql,
        r#"DELETE FROM "docs" WHERE "id" = $1"#,
    );
    assert_eq!(values.0, vec![Value::Int(Some(3))]);
}

#[test]
fn try_build_matches_build_for_supported_statements() {
    let query = docs_select().and_where(Expr::col("id").eq(1)).to_owned();
    assert_eq!(
        query.try_build().expect("supported"),
        query.build(CrateDbQueryBuilder)
    );
    assert_eq!(
        query.try_to_string().expect("supported"),
        query.to_string(CrateDbQueryBuilder)
    );
}

#[test]
fn identifiers_with_quotes_are_escaped_even_when_borrowed() {
    let sql = Query::select()
        .column("we\"ird")
        .column(Alias::new("also\"odd"))
        .from("t\"x")
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "identifiers_with_quotes_are_escaped_even_when_borrowed",
        &sql,
        r#"SELECT "we""ird", "also""odd" FROM "t""x""#,
    );
}

#[test]
fn ilike_regex_and_concat_operators() {
    use sea_cratedb::sea_query::extension::postgres::PgExpr;
    let sql = Query::select()
        .expr(Expr::col("a").concat(Expr::col("b")))
        .from("t")
        .and_where(Expr::col("a").ilike("x%"))
        .and_where(Expr::col("b").not_ilike("y%"))
        .to_string(CrateDbQueryBuilder);
    assert_sql(
        "ilike_regex_and_concat_operators",
        &sql,
        r#"SELECT "a" || "b" FROM "t" WHERE ("a" ILIKE 'x%') AND ("b" NOT ILIKE 'y%')"#,
    );
}
