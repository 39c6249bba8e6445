//! A `#[derive(CrateModel)]` struct read back with `sqlx::FromRow` on the same struct, through
//! sqlx-cratedb's pgwire transport against a real throwaway PostgreSQL: the model's insert,
//! upsert, select, update and delete statements (built with `CrateDbQueryBuilder`) run and the
//! rows come back equal. The table is created with PostgreSQL DDL, since the model's
//! `CREATE TABLE` is CrateDB DDL (checked by the golden tests and CrateDB's grammar instead).

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeZone, Utc};
use cratedb_integration::pg::{PgServer, PgServerConfig};
use sea_cratedb::{CrateModel, KeyedModel, Model, sea_query::ExprTrait};
use sqlx_cratedb::{CrateDbPoolOptions, sea_query::query_as_statement, sea_query::statement};

#[derive(CrateModel, sqlx::FromRow, Clone, Debug, PartialEq)]
#[cratedb(table = "readings")]
struct Reading {
    #[cratedb(primary_key)]
    id: i32,
    sensor: String,
    value: f64,
    note: Option<String>,
    at: DateTime<Utc>,
}

fn reading(id: i32, value: f64) -> Reading {
    Reading {
        id,
        sensor: format!("s{}", id % 2),
        value,
        note: (id % 2 == 0).then(|| "even".to_owned()),
        at: Utc.with_ymd_and_hms(2024, 3, 9, 10, 0, 0).unwrap()
            + chrono::Duration::seconds(id.into()),
    }
}

#[tokio::test]
async fn model_statements_round_trip_through_from_row() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = CrateDbPoolOptions::new()
        .max_connections(2)
        .connect(&server.url())
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE readings (id INT PRIMARY KEY, sensor TEXT NOT NULL, value DOUBLE PRECISION \
         NOT NULL, note TEXT, at TIMESTAMPTZ NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();

    let rows: Vec<Reading> = (1..=4).map(|i| reading(i, f64::from(i) * 1.5)).collect();
    statement(&Reading::insert_many(&rows))
        .execute(&pool)
        .await
        .unwrap();

    let all: Vec<Reading> = query_as_statement(
        &Reading::select()
            .order_by(ReadingColumn::Id, sea_cratedb::sea_query::Order::Asc)
            .to_owned(),
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(all, rows);

    // Upsert changes a non-key column of an existing row and inserts a new one.
    let mut changed = rows[0].clone();
    changed.value = 99.5;
    statement(&changed.upsert()).execute(&pool).await.unwrap();
    statement(&reading(5, 7.0).upsert())
        .execute(&pool)
        .await
        .unwrap();
    let back: Reading = query_as_statement(&Reading::select_by_pk(1))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(back, changed);

    // Update by key, filtered select, delete by key.
    let mut updated = rows[1].clone();
    updated.note = None;
    statement(&updated.update()).execute(&pool).await.unwrap();
    let s0: Vec<Reading> = query_as_statement(
        &Reading::select()
            .and_where(sea_cratedb::sea_query::Expr::col(ReadingColumn::Sensor).eq("s0"))
            .order_by(ReadingColumn::Id, sea_cratedb::sea_query::Order::Asc)
            .to_owned(),
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(s0, vec![updated, rows[3].clone()]);
    let result = statement(&Reading::delete_by_pk(3))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(result.rows_affected(), 1);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM readings")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 4);
}
