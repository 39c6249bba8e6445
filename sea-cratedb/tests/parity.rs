//! Where CrateDB shares PostgreSQL's SQL, `CrateDbQueryBuilder` must render exactly what
//! sea-query's `PostgresQueryBuilder` renders; a difference here means upstream drift.

mod common;

use pretty_assertions::assert_eq;
use sea_cratedb::{
    CrateDbQueryBuilder,
    sea_query::{
        Asterisk, Expr, ExprTrait, Func, JoinType, OnConflict, Order, PostgresQueryBuilder, Query,
        QueryStatementWriter, WindowStatement,
    },
};

fn assert_parity(test: &str, stmt: &impl QueryStatementWriter) {
    let crate_db = stmt.build(CrateDbQueryBuilder);
    let postgres = stmt.build(PostgresQueryBuilder);
    assert_eq!(crate_db, postgres, "{test}");
    common::record(test, &crate_db.0);
}

#[test]
fn select_with_joins_filters_grouping_and_paging_matches_postgres() {
    let stmt = Query::select()
        .column(("d", "tenant"))
        .expr_as(Func::count(Expr::col(Asterisk)), "n")
        .expr(Func::max(Expr::col(("d", "score"))))
        .from_as("docs", "d")
        .join_as(
            JoinType::LeftJoin,
            "authors",
            "a",
            Expr::col(("d", "author")).equals(("a", "id")),
        )
        .and_where(
            Expr::col(("d", "score"))
                .gt(0.5)
                .or(Expr::col(("a", "vip")).eq(true)),
        )
        .and_where(Expr::col(("d", "title")).like("x%").not())
        .group_by_col(("d", "tenant"))
        .and_having(Func::count(Expr::col(Asterisk)).gte(2))
        .order_by(("d", "tenant"), Order::Asc)
        .limit(10)
        .offset(5)
        .to_owned();
    assert_parity("parity_select", &stmt);
}

#[test]
fn arithmetic_and_logic_parenthesise_like_postgres() {
    let stmt = Query::select()
        .expr(Expr::col("a").add(Expr::col("b")).mul(Expr::col("c")))
        .expr(Expr::col("a").sub(Expr::col("b").sub(Expr::col("c"))))
        .from("t")
        .and_where(
            Expr::col("a")
                .eq(1)
                .and(Expr::col("b").eq(2).or(Expr::col("c").eq(3))),
        )
        .to_owned();
    assert_parity("parity_precedence", &stmt);
}

#[test]
fn window_functions_match_postgres() {
    let stmt = Query::select()
        .expr_window_as(
            Func::sum(Expr::col("v")),
            WindowStatement::partition_by("k")
                .order_by("ts", Order::Asc)
                .to_owned(),
            "running",
        )
        .from("t")
        .to_owned();
    assert_parity("parity_window", &stmt);
}

#[test]
fn upsert_update_and_delete_match_postgres() {
    let insert = Query::insert()
        .into_table("t")
        .columns(["id", "v"])
        .values_panic([1.into(), "a".into()])
        .on_conflict(OnConflict::column("id").update_column("v").to_owned())
        .returning_col("id")
        .to_owned();
    assert_parity("parity_upsert", &insert);
    let update = Query::update()
        .table("t")
        .value("v", Expr::col("v").add(1))
        .and_where(Expr::col("id").is_in([1, 2]))
        .returning_all()
        .to_owned();
    assert_parity("parity_update", &update);
    let delete = Query::delete()
        .from_table("t")
        .and_where(Expr::col("id").between(1, 9))
        .to_owned();
    assert_parity("parity_delete", &delete);
}
