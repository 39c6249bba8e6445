//! Instruction counts for query building, for `valgrind --tool=callgrind` (deterministic on a
//! shared machine, unlike wall time). Builds the benchmark statements 20,000 times with one
//! builder; compare the two totals:
//!
//! ```text
//! cargo bench -p sea-cratedb --bench builder_count --no-run
//! valgrind --tool=callgrind target/release/deps/builder_count-* -- cratedb select
//! valgrind --tool=callgrind target/release/deps/builder_count-* -- postgres select
//! ```
#![allow(missing_docs, clippy::print_stdout)]

#[path = "statements.rs"]
mod statements;

use sea_cratedb::{CrateDbQueryBuilder, sea_query::PostgresQueryBuilder};
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes `--bench`; run only when a builder is named.
    let (Some(builder), Some(statement)) = (args.get(2), args.get(3)) else {
        println!("usage: builder_count -- <cratedb|postgres> <select|insert>");
        return;
    };
    let select = statements::typical_select();
    let insert = statements::typical_insert();
    for _ in 0..20_000 {
        match (builder.as_str(), statement.as_str()) {
            ("cratedb", "select") => drop(black_box(black_box(&select).build(CrateDbQueryBuilder))),
            ("postgres", "select") => {
                drop(black_box(black_box(&select).build(PostgresQueryBuilder)));
            }
            ("cratedb", "insert") => drop(black_box(black_box(&insert).build(CrateDbQueryBuilder))),
            ("postgres", "insert") => {
                drop(black_box(black_box(&insert).build(PostgresQueryBuilder)));
            }
            _ => {
                println!("unknown builder or statement");
                return;
            }
        }
    }
}
