//! Surfaces of sea-query statements rendered by the CrateDB backend, and of sea-cratedb's
//! expression helpers.

use sea_cratedb::{
    CrateDbQueryBuilder,
    expr::{knn_match, match_, object, path, subscript},
    sea_query::{
        Alias, CommonTableExpression, Expr, ExprTrait, Func, Order, Query, SelectStatement, Values,
        WithClause,
    },
};

use super::{Case, Render, Token};

fn select(p: &str) -> SelectStatement {
    Query::select()
        .column("c")
        .from("t")
        .and_where(Expr::col("c").eq(p))
        .to_owned()
}

#[allow(clippy::too_many_lines)] // one table of cases
pub(crate) fn cases() -> Vec<Case> {
    vec![
        ("select column", Token::Identifier, |p| {
            let s = Query::select().column(Alias::new(p)).from("t").to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("select table", Token::Identifier, |p| {
            let s = Query::select().column("c").from(Alias::new(p)).to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("select schema", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from((Alias::new(p), Alias::new("t")))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("select table-qualified column", Token::Identifier, |p| {
            let s = Query::select()
                .column((Alias::new(p), Alias::new("c")))
                .from("t")
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("select expression alias", Token::Identifier, |p| {
            let s = Query::select()
                .expr_as(Expr::col("c"), Alias::new(p))
                .from("t")
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("select table alias", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from_as("t", Alias::new(p))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("where value (inline)", Token::Literal, |p| {
            let s = select(p);
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("order by field value", Token::Literal, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .order_by("c", Order::Field(Values(vec![p.into()])))
                .to_owned();
            let (built, _) = s.build(CrateDbQueryBuilder);
            assert_eq!(built, s.to_string(CrateDbQueryBuilder));
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("order by column", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .order_by(Alias::new(p), Order::Asc)
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("group by column", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .group_by_col(Alias::new(p))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("cast type", Token::Identifier, |p| {
            let s = Query::select()
                .expr(Func::cast_as_quoted(Expr::col("c"), Alias::new(p)))
                .from("t")
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("cte name", Token::Identifier, |p| {
            let cte = CommonTableExpression::new()
                .query(select("v"))
                .table_name(Alias::new(p))
                .to_owned();
            let s = Query::select()
                .column("c")
                .from(Alias::new(p))
                .to_owned()
                .with(WithClause::new().cte(cte).to_owned());
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("cte column", Token::Identifier, |p| {
            let cte = CommonTableExpression::new()
                .query(select("v"))
                .column(Alias::new(p))
                .table_name("w")
                .to_owned();
            let s = Query::select()
                .column("c")
                .from("w")
                .to_owned()
                .with(WithClause::new().cte(cte).to_owned());
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("insert table", Token::Identifier, |p| {
            let s = Query::insert()
                .into_table(Alias::new(p))
                .columns(["c"])
                .values_panic([1.into()])
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("insert column", Token::Identifier, |p| {
            let s = Query::insert()
                .into_table("t")
                .columns([Alias::new(p)])
                .values_panic([1.into()])
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("insert value (inline)", Token::Literal, |p| {
            let s = Query::insert()
                .into_table("t")
                .columns(["c"])
                .values_panic([p.into()])
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("insert returning column", Token::Identifier, |p| {
            let s = Query::insert()
                .into_table("t")
                .columns(["c"])
                .values_panic([1.into()])
                .returning_col(Alias::new(p))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("update table", Token::Identifier, |p| {
            let s = Query::update()
                .table(Alias::new(p))
                .value("c", 1)
                .and_where(Expr::col("id").eq(1))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("update column", Token::Identifier, |p| {
            let s = Query::update()
                .table("t")
                .value(Alias::new(p), 1)
                .and_where(Expr::col("id").eq(1))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("update value (inline)", Token::Literal, |p| {
            let s = Query::update()
                .table("t")
                .value("c", p)
                .and_where(Expr::col("id").eq(1))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("delete table", Token::Identifier, |p| {
            let s = Query::delete()
                .from_table(Alias::new(p))
                .and_where(Expr::col("id").eq(1))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("delete where column", Token::Identifier, |p| {
            let s = Query::delete()
                .from_table("t")
                .and_where(Expr::col(Alias::new(p)).eq(1))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("match column", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(match_(Alias::new(p)).query("q").into())
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("match boosted column", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(match_("c").boosted(Alias::new(p), 2.0).query("q").into())
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("match query value", Token::Literal, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(match_("c").query(p).into())
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("match option name", Token::Setting, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(match_("c").query("q").option(p, 1).into())
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("match option value", Token::Literal, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(match_("c").query("q").option("analyzer", p).into())
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("knn_match column", Token::Identifier, |p| {
            let s = Query::select()
                .column("c")
                .from("t")
                .and_where(knn_match(Alias::new(p), &[1.0, 2.0], 3))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("object literal key", Token::Identifier, |p| {
            let s = Query::insert()
                .into_table("t")
                .columns(["o"])
                .values_panic([object([(p, Expr::val(1))])])
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("subscript key (expression)", Token::Literal, |p| {
            let s = Query::select()
                .expr(subscript(Expr::col("o"), [p]))
                .from("t")
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("path column", Token::Identifier, |p| {
            let s = Query::update()
                .table("t")
                .value(path(p, ["k"]), 1)
                .and_where(Expr::col("id").eq(1))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
        ("path key", Token::Literal, |p| {
            let s = Query::update()
                .table("t")
                .value(path("o", [p]), 1)
                .and_where(Expr::col(path("o", [p, "x"])).eq(1))
                .to_owned();
            Render::query(&s, s.to_string(CrateDbQueryBuilder))
        }),
    ]
}
