//! Server timing against the in-process `/_sql` peer: the `duration` of each response on
//! results, on the connection after a `fetch`, summed over bulk requests, and as a log record.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::{Recorded, Reply, peer};
use futures_util::TryStreamExt as _;
use serde_json::json;
use sqlx::{Connection, Executor as _};
use sqlx_cratedb::{CrateDbArguments, CrateDbConnection};

/// Answers each statement with a duration the test can tell apart.
fn timed(rec: &Recorded) -> Reply {
    match rec.stmt() {
        "DELETE FROM t" => Reply::Json(
            200,
            json!({"cols": [], "rows": [[]], "rowcount": 4, "duration": 12.5}),
        ),
        "SELECT x FROM t" => Reply::Json(
            200,
            json!({"cols": ["x"], "col_types": [9], "rows": [[1], [2]], "rowcount": 2, "duration": 3.25}),
        ),
        "REFRESH TABLE t" => Reply::Json(200, json!({"cols": [], "rows": [[]], "rowcount": 1})),
        "INSERT INTO t (x) VALUES ($1)" => {
            let n = rec.body["bulk_args"].as_array().unwrap().len();
            let results: Vec<_> = (0..n).map(|_| json!({"rowcount": 1})).collect();
            Reply::Json(
                200,
                json!({"cols": [], "duration": 2.0, "results": results}),
            )
        }
        other => panic!("unexpected statement {other}"),
    }
}

#[tokio::test]
async fn duration_on_query_results_the_connection_and_bulk_results() {
    let peer = peer(timed).await;
    let mut conn = CrateDbConnection::connect(&format!("{}?bulk_rows=2", peer.url()))
        .await
        .unwrap();

    let done = conn.execute("DELETE FROM t").await.unwrap();
    assert_eq!(done.rows_affected(), 4);
    assert_eq!(done.server_duration(), Some(Duration::from_micros(12_500)));
    assert_eq!(
        conn.last_server_duration(),
        Some(Duration::from_micros(12_500))
    );

    // `fetch` yields rows only: the duration is on the connection once the stream ended.
    let rows: Vec<_> = conn.fetch("SELECT x FROM t").try_collect().await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        conn.last_server_duration(),
        Some(Duration::from_micros(3_250))
    );

    // A response without `duration` clears it instead of leaving the previous one.
    let done = conn.execute("REFRESH TABLE t").await.unwrap();
    assert_eq!(done.server_duration(), None);
    assert_eq!(conn.last_server_duration(), None);

    // Five rows in requests of two: three responses of 2 ms each.
    let rows = (0..5).map(|i: i32| CrateDbArguments::default().bind(i));
    let bulk = conn
        .execute_bulk("INSERT INTO t (x) VALUES ($1)", rows)
        .await
        .unwrap();
    assert_eq!(bulk.requests(), 3);
    assert_eq!(bulk.server_duration(), Some(Duration::from_millis(6)));
}

#[tokio::test]
async fn execute_many_sums_the_durations_of_its_statements() {
    let peer = peer(timed).await;
    let pool = common::pool(&peer.url()).await;
    let mut conn = pool.acquire().await.unwrap();
    let result = conn.execute("DELETE FROM t").await.unwrap();
    let mut total = result;
    total.extend([conn.execute("SELECT x FROM t").await.unwrap()]);
    assert_eq!(total.server_duration(), Some(Duration::from_micros(15_750)));
    assert_eq!(total.rows_affected(), 6);
}

/// The `log` records the driver emitted with the server-timing target.
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target() == sqlx_cratedb::connection::timing::TRACING_TARGET {
            RECORDS.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

#[tokio::test]
async fn the_timing_event_reaches_log_users() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Debug);
    let peer = peer(timed).await;
    let mut conn = CrateDbConnection::connect(&peer.url()).await.unwrap();
    conn.execute("DELETE FROM t").await.unwrap();
    let records = RECORDS.lock().unwrap().clone();
    assert!(
        records
            .iter()
            .any(|r| r.contains("12.500 ms") && r.contains("server_duration_ms=12.5")),
        "{records:?}"
    );
}
