//! Query building: `CrateDbQueryBuilder` side by side with sea-query's `PostgresQueryBuilder`
//! on the same statements, in the same run. Target: CrateDB ≤ 1.05× PostgreSQL's time.
//!
//! Run: `cargo bench -p sea-cratedb --bench builder`; the ratios go to `BENCHMARKS.md`.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use sea_cratedb::{
    CrateDbQueryBuilder,
    sea_query::{
        Expr, ExprTrait, InsertStatement, OnConflict, Order, PostgresQueryBuilder, Query,
        SelectStatement,
    },
};
use std::hint::black_box;

fn typical_select() -> SelectStatement {
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

fn typical_insert() -> InsertStatement {
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

fn bench(c: &mut Criterion) {
    let select = typical_select();
    let insert = typical_insert();
    let mut group = c.benchmark_group("select");
    group.bench_function("cratedb", |b| {
        b.iter(|| black_box(&select).build(CrateDbQueryBuilder));
    });
    group.bench_function("postgres", |b| {
        b.iter(|| black_box(&select).build(PostgresQueryBuilder));
    });
    group.finish();
    let mut group = c.benchmark_group("insert_10_rows_on_conflict");
    group.bench_function("cratedb", |b| {
        b.iter(|| black_box(&insert).build(CrateDbQueryBuilder));
    });
    group.bench_function("postgres", |b| {
        b.iter(|| black_box(&insert).build(PostgresQueryBuilder));
    });
    group.finish();
    let mut group = c.benchmark_group("select_to_string");
    group.bench_function("cratedb", |b| {
        b.iter(|| black_box(&select).to_string(CrateDbQueryBuilder));
    });
    group.bench_function("postgres", |b| {
        b.iter(|| black_box(&select).to_string(PostgresQueryBuilder));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
