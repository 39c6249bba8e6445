//! The statements both builder benchmarks build.
#![allow(dead_code)]

use sea_cratedb::sea_query::{
    Expr, ExprTrait, InsertStatement, OnConflict, Order, Query, SelectStatement,
};

/// A SELECT with filters, ORDER BY, LIMIT and OFFSET.
pub(crate) fn typical_select() -> SelectStatement {
    Query::select()
        .columns(["id", "tenant", "title", "ts", "score"])
        .from("docs")
        .and_where(Expr::col("tenant").eq("acme"))
        .and_where(Expr::col("score").gt(0.5))
        .and_where(Expr::col("title").like("crate%"))
        .order_by("ts", Order::Desc)
        .limit(100)
        .offset(200)
        .to_owned()
}

/// A 10-row INSERT with ON CONFLICT DO UPDATE.
pub(crate) fn typical_insert() -> InsertStatement {
    let mut insert = Query::insert()
        .into_table("docs")
        .columns(["id", "tenant", "title", "ts", "score", "n", "body"])
        .to_owned();
    for i in 0..10 {
        insert.values_panic([
            i.into(),
            "acme".into(),
            "title".into(),
            1_700_000_000_000_i64.into(),
            0.5.into(),
            i.into(),
            "body text".into(),
        ]);
    }
    insert
        .on_conflict(OnConflict::column("id").update_column("title").to_owned())
        .to_owned()
}
