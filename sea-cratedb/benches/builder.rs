//! Query building: `CrateDbQueryBuilder` side by side with sea-query's `PostgresQueryBuilder`
//! on the same statements, in the same run. Target: CrateDB ≤ 1.05× PostgreSQL's time.
//!
//! Run: `cargo bench -p sea-cratedb --bench builder`; the ratios go to `BENCHMARKS.md`.
#![allow(missing_docs)]

#[path = "statements.rs"]
mod statements;

use criterion::{Criterion, criterion_group, criterion_main};
use sea_cratedb::{CrateDbQueryBuilder, sea_query::PostgresQueryBuilder};
use statements::{typical_insert, typical_select};
use std::hint::black_box;

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
