//! Model scenarios: a `#[derive(CrateModel, sqlx::FromRow)]` struct whose statements (built
//! with `CrateDbQueryBuilder`) run through the driver and whose rows read back into the same
//! struct; and optimistic concurrency control with `_seq_no` / `_primary_term`.

// Scenario code is test code: it asserts, unwraps and compares round-tripped floats exactly.
#![allow(clippy::unwrap_used, clippy::float_cmp, clippy::missing_panics_doc)]

use chrono::{DateTime, TimeZone as _, Utc};
use sea_cratedb::sea_query::{Expr, ExprTrait as _, Order};
use sea_cratedb::{CrateModel, KeyedModel as _, Model as _, RowVersion};
use sqlx::{FromRow as _, Row as _};
use sqlx_cratedb::CrateDbPool;
use sqlx_cratedb::sea_query::{query_as_statement, schema_statement, statement};

use super::{Server, Target, count, exec};

/// The model of the scenarios (its table name is fixed by the derive, so each scenario drops
/// and recreates it).
#[derive(CrateModel, sqlx::FromRow, Clone, Debug, PartialEq)]
#[cratedb(table = "sqlx_cratedb_scenario_readings")]
pub struct Reading {
    #[cratedb(primary_key)]
    id: i32,
    sensor: String,
    value: f64,
    note: Option<String>,
    at: DateTime<Utc>,
}

const TABLE: &str = "sqlx_cratedb_scenario_readings";

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

/// A fresh table for [`Reading`]: the model's own `CREATE TABLE` on CrateDB, the equivalent
/// PostgreSQL DDL there (the model's DDL is CrateDB's, checked by CrateDB's grammar).
async fn create_table(target: &Target, pool: &CrateDbPool) {
    exec(pool, &format!("DROP TABLE IF EXISTS {TABLE}")).await;
    match target.server() {
        Server::CrateDb => {
            schema_statement(&Reading::create_table())
                .execute(pool)
                .await
                .unwrap();
        }
        Server::PostgreSql => {
            exec(
                pool,
                &format!(
                    "CREATE TABLE {TABLE} (id INT PRIMARY KEY, sensor TEXT NOT NULL, value \
                     DOUBLE PRECISION NOT NULL, note TEXT, at TIMESTAMPTZ NOT NULL)"
                ),
            )
            .await;
        }
    }
}

/// `insert_many`, `select` (ordered and filtered), `upsert` of an existing and a new row,
/// `select_by_pk`, `update` and `delete_by_pk`; every read compared with what was written.
pub async fn model_statements_round_trip_through_from_row(target: &Target) {
    let pool = target.pool().await;
    create_table(target, &pool).await;
    let rows: Vec<Reading> = (1..=4).map(|i| reading(i, f64::from(i) * 1.5)).collect();
    statement(&Reading::insert_many(&rows))
        .execute(&pool)
        .await
        .unwrap();
    target.refresh(&pool, TABLE).await;
    let ordered = Reading::select()
        .order_by(ReadingColumn::Id, Order::Asc)
        .to_owned();
    let all: Vec<Reading> = query_as_statement(&ordered).fetch_all(&pool).await.unwrap();
    assert_eq!(all, rows);

    // Upsert changes a non-key column of an existing row and inserts a new one.
    let mut changed = rows[0].clone();
    changed.value = 99.5;
    statement(&changed.upsert()).execute(&pool).await.unwrap();
    statement(&reading(5, 7.0).upsert())
        .execute(&pool)
        .await
        .unwrap();
    // A lookup by the full primary key sees the write without a refresh, also on CrateDB.
    let back: Reading = query_as_statement(&Reading::select_by_pk(1))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(back, changed);

    let mut updated = rows[1].clone();
    updated.note = None;
    statement(&updated.update()).execute(&pool).await.unwrap();
    target.refresh(&pool, TABLE).await;
    let s0: Vec<Reading> = query_as_statement(
        &Reading::select()
            .and_where(Expr::col(ReadingColumn::Sensor).eq("s0"))
            .order_by(ReadingColumn::Id, Order::Asc)
            .to_owned(),
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(s0, vec![updated, rows[3].clone()]);
    let deleted = statement(&Reading::delete_by_pk(3))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 1);
    target.refresh(&pool, TABLE).await;
    assert_eq!(count(&pool, TABLE).await, 4);
    exec(&pool, &format!("DROP TABLE {TABLE}")).await;
}

/// Reads a row and its version with `select_versioned_by_pk`.
async fn versioned(pool: &CrateDbPool, id: i32) -> (Reading, RowVersion) {
    let row = statement(&Reading::select_versioned_by_pk(id))
        .fetch_one(pool)
        .await
        .unwrap();
    let version = RowVersion {
        seq_no: row.get("_seq_no"),
        primary_term: row.get("_primary_term"),
    };
    (Reading::from_row(&row).unwrap(), version)
}

/// Optimistic concurrency control: an update at the version read applies; a second writer
/// holding the same (now stale) version affects nothing, for update and delete alike.
pub async fn optimistic_concurrency_control(target: &Target) {
    let pool = target.pool().await;
    create_table(target, &pool).await;
    statement(&reading(1, 1.0).insert())
        .execute(&pool)
        .await
        .unwrap();
    let (mut row, version) = versioned(&pool, 1).await;
    assert_eq!(row, reading(1, 1.0));
    row.value = 2.0;
    let first = statement(&row.update_if_version(version))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(first.rows_affected(), 1, "the first writer wins");
    row.value = 3.0;
    let second = statement(&row.update_if_version(version))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(second.rows_affected(), 0, "a stale version changes nothing");
    let stale_delete = statement(&row.delete_if_version(version))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(stale_delete.rows_affected(), 0);
    let (current, fresh) = versioned(&pool, 1).await;
    assert_eq!(current.value, 2.0);
    assert_ne!(fresh, version);
    let delete = statement(&current.delete_if_version(fresh))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(delete.rows_affected(), 1);
    exec(&pool, &format!("DROP TABLE {TABLE}")).await;
}
