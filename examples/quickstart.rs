//! Quick start: create a table with sea-cratedb, bulk insert, query into `FromRow` structs.
//!
//! Needs a CrateDB server: `docker run -p 4200:4200 crate -Cdiscovery.type=single-node`, then
//!
//! ```text
//! CRATEDB_URL=crate://crate@localhost:4200/doc \
//!     cargo run -p cratedb-examples --example quickstart
//! ```

#![allow(clippy::print_stdout)]

use sea_cratedb::sea_query::{Alias, ColumnDef, Expr, ExprTrait, Order, Query, Table};
use sqlx_cratedb::{CrateDbArguments, CrateDbPoolOptions};

#[derive(Debug, sqlx::FromRow)]
struct Reading {
    id: i32,
    sensor: String,
    value: f64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(url) = std::env::var("CRATEDB_URL") else {
        eprintln!("set CRATEDB_URL, e.g. crate://crate@localhost:4200/doc");
        return Ok(());
    };
    let pool = CrateDbPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await?;

    // DDL built with sea-cratedb, executed in one call.
    let table = Alias::new("quickstart_readings");
    let drop = Table::drop().table(table.clone()).if_exists().to_owned();
    sqlx_cratedb::sea_query::schema_statement(&drop)
        .execute(&pool)
        .await?;
    let create = Table::create()
        .table(table.clone())
        .col(
            ColumnDef::new(Alias::new("id"))
                .integer()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(Alias::new("sensor")).text().not_null())
        .col(ColumnDef::new(Alias::new("value")).double())
        .to_owned();
    sqlx_cratedb::sea_query::schema_statement(&create)
        .execute(&pool)
        .await?;

    // 20,000 rows in a handful of bulk requests, with a result for every row.
    let rows = (0..20_000).map(|i| {
        CrateDbArguments::default()
            .bind(i)
            .bind(format!("sensor-{}", i % 10))
            .bind(f64::from(i) * 0.5)
    });
    let result = sqlx_cratedb::bulk::execute_bulk(
        &pool,
        "INSERT INTO quickstart_readings (id, sensor, value) VALUES ($1, $2, $3)",
        rows,
    )
    .await?;
    println!(
        "inserted {} rows in {} requests, {} failed",
        result.rows_affected(),
        result.requests(),
        result.failures().count()
    );

    // CrateDB makes new rows visible to searches after a refresh.
    sqlx::query("REFRESH TABLE quickstart_readings")
        .execute(&pool)
        .await?;

    // A query built with sea-cratedb, rows mapped with FromRow.
    let select = Query::select()
        .columns([Alias::new("id"), Alias::new("sensor"), Alias::new("value")])
        .from(table)
        .and_where(Expr::col(Alias::new("sensor")).eq("sensor-3"))
        .order_by(Alias::new("id"), Order::Asc)
        .limit(5)
        .to_owned();
    let readings: Vec<Reading> = sqlx_cratedb::sea_query::query_as_statement(&select)
        .fetch_all(&pool)
        .await?;
    for r in &readings {
        println!("{:>6}  {}  {}", r.id, r.sensor, r.value);
    }
    Ok(())
}
