//! The pgwire transport of `sqlx-cratedb` against real, throwaway PostgreSQL servers: bulk
//! execution (per-row results, failed batches, pipelined batches, encode errors) and reads
//! (suspended portals, `fetch_one` row limits, a million rows in flat memory).
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(clippy::unwrap_used)]

use cratedb_integration::pg::{PgServer, PgServerConfig};
use futures_util::TryStreamExt as _;
use sqlx::{Connection as _, Row as _};
use sqlx_cratedb::{CrateDbArguments, CrateDbBulkRow, CrateDbConnection};

#[tokio::test]
async fn bulk_reports_every_row_and_postgresql_rolls_back_a_failed_batch() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let opts = server.crate_options().bulk_rows(3);
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    sqlx::query("CREATE TABLE b (id int PRIMARY KEY, v text)")
        .execute(&mut conn)
        .await
        .unwrap();
    let rows = (0..10).map(|i| CrateDbArguments::default().bind(i).bind(format!("v{i}")));
    let result = conn
        .execute_bulk("INSERT INTO b VALUES ($1, $2)", rows)
        .await
        .unwrap();
    assert!(result.is_success());
    assert_eq!(result.rows_affected(), 10);
    assert_eq!(result.requests(), 4);
    // Row 4 duplicates id 5 of the table: its batch (rows 3..6) fails on PostgreSQL as a
    // whole (one implicit transaction up to Sync); other batches land.
    let ids = [100, 101, 102, 103, 5, 105, 106];
    let rows = ids
        .iter()
        .map(|&i| CrateDbArguments::default().bind(i).bind("x"));
    let result = conn
        .execute_bulk("INSERT INTO b VALUES ($1, $2)", rows)
        .await
        .unwrap();
    let kinds: Vec<&str> = result
        .rows()
        .iter()
        .map(|r| match r {
            CrateDbBulkRow::Applied(_) => "applied",
            CrateDbBulkRow::Failed(_) => "failed",
            CrateDbBulkRow::NotExecuted => "not executed",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "applied",
            "applied",
            "applied",
            "not executed",
            "failed",
            "not executed",
            "applied"
        ]
    );
    let failure = result.failures().next().unwrap();
    assert_eq!(failure.row_index(), Some(4));
    assert_eq!(failure.sqlstate(), Some("23505"));
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM b WHERE id >= 100")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 4);
    // A statement error in the first batch fails the call, also with the next batch already
    // in flight (batches are pipelined); the connection stays in step.
    let rows = (0..10).map(|i| CrateDbArguments::default().bind(i));
    let err = conn
        .execute_bulk("INSERT INTO missing VALUES ($1)", rows)
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("42P01")
    );
    let seven: i32 = sqlx::query_scalar("SELECT 7")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(seven, 7);
}

#[tokio::test]
async fn a_bulk_row_that_cannot_be_encoded_stops_the_call_and_sends_nothing_of_its_batch() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let opts = server.crate_options().bulk_rows(3);
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    sqlx::query("CREATE TABLE e (id bigint PRIMARY KEY)")
        .execute(&mut conn)
        .await
        .unwrap();
    // Row 7 (u64 above i64::MAX) cannot be encoded; batches 0..3 and 3..6 were sent: they are
    // reported (an `Err` would hide them), the rest is not run and the error recorded.
    let rows =
        (0..9_u64).map(|i| CrateDbArguments::default().bind(if i == 7 { u64::MAX } else { i }));
    let result = conn
        .execute_bulk("INSERT INTO e VALUES ($1)", rows)
        .await
        .unwrap();
    assert_eq!(result.rows().len(), 9);
    assert!(
        result.rows()[..6]
            .iter()
            .all(|r| *r == CrateDbBulkRow::Applied(Some(1)))
    );
    assert!(
        result.rows()[6..]
            .iter()
            .all(|r| *r == CrateDbBulkRow::NotExecuted)
    );
    let error = result.request_error().unwrap();
    assert!(matches!(error, sqlx::Error::Encode(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("bulk row 7"), "{message}");
    // Nothing sent yet: the call fails and nothing is applied.
    let err = conn
        .execute_bulk(
            "INSERT INTO e VALUES ($1)",
            [CrateDbArguments::default().bind(u64::MAX)],
        )
        .await;
    assert!(err.is_err());
    // Row 6, encoded before row 7 in the same batch, must not leak into the next command.
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM e ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM e ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn streaming_reads_through_suspended_portals() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let opts = server.crate_options().fetch_size(1000);
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    let mut rows = sqlx::query("SELECT g, 'row ' || g FROM generate_series(1, $1) AS g")
        .bind(250_000_i32)
        .fetch(&mut conn);
    let mut count = 0_i64;
    let mut sum = 0_i64;
    while let Some(row) = rows.try_next().await.unwrap() {
        count += 1;
        sum += i64::from(row.get::<i32, _>(0));
    }
    drop(rows);
    assert_eq!(count, 250_000);
    assert_eq!(sum, 250_000 * 250_001 / 2);
    // A stream dropped half-way leaves the connection usable.
    {
        let mut rows =
            sqlx::query("SELECT g FROM generate_series(1, 100000) AS g").fetch(&mut conn);
        for _ in 0..1500 {
            rows.try_next().await.unwrap().unwrap();
        }
    }
    let n: i32 = sqlx::query_scalar("SELECT 7")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 7);
}

#[tokio::test]
async fn fetch_one_asks_a_read_for_one_row_and_writes_run_to_the_end() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let mut conn = server.crate_connect().await.unwrap();
    sqlx::query("CREATE SEQUENCE seq")
        .execute(&mut conn)
        .await
        .unwrap();
    // The server produces one row only: `nextval` runs once, not 1000 times.
    let first: i64 = sqlx::query_scalar("SELECT nextval('seq') FROM generate_series(1, 1000)")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(first, 1);
    let last: i64 = sqlx::query_scalar("SELECT last_value FROM seq")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(last, 1);
    let none: Option<i32> = sqlx::query_scalar("SELECT 1 WHERE false")
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    assert_eq!(none, None);
    // A write with RETURNING runs to the end: every row lands, the first is returned.
    sqlx::query("CREATE TABLE ret (id int)")
        .execute(&mut conn)
        .await
        .unwrap();
    let id: i32 = sqlx::query_scalar(
        "INSERT INTO ret SELECT g FROM generate_series(1, 500) AS g RETURNING id",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(id, 1);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM ret")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, 500);
}

fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[tokio::test]
async fn a_million_rows_stream_in_flat_memory() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let mut conn = server.crate_connect().await.unwrap();
    let sql = "SELECT g, g * 2, 'text ' || g, g::float8 / 3 FROM generate_series(1, 1200000) AS g";
    let before = rss_bytes();
    let mut peak = 0;
    let mut count = 0_u64;
    let mut rows = sqlx::query(sql).fetch(&mut conn);
    while let Some(row) = rows.try_next().await.unwrap() {
        count += 1;
        assert_eq!(
            i64::from(row.get::<i32, _>(1)),
            2 * i64::from(row.get::<i32, _>(0))
        );
        if count.is_multiple_of(100_000) {
            peak = peak.max(rss_bytes().unwrap_or(0));
        }
    }
    drop(rows);
    assert_eq!(count, 1_200_000);
    if let Some(before) = before {
        // The whole result is ~40 MB of text; streaming keeps one page (10,000 rows) in memory.
        let growth = peak.saturating_sub(before);
        assert!(growth < 24 * 1024 * 1024, "RSS grew by {growth} bytes");
    }
}

/// `INSERT … SELECT * FROM UNNEST` with one array per column, run three times: integers,
/// floats, booleans and timestamps go in binary from the start; the text arrays (their type
/// left to the server) in binary once the statement is described. Every value, NULLs, escapes
/// and non-ASCII text included, reads back as sent.
#[tokio::test]
async fn unnest_arrays_in_binary_read_back_unchanged() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let mut conn = CrateDbConnection::connect_with(&server.crate_options())
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE u (id int8, n int4, x float8, ok bool, at timestamptz, t text, v varchar)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap();
    let texts = [
        Some("plain"),
        None,
        Some("quote \" back\\slash {a,b}"),
        Some("é 日本"),
    ];
    for round in 0..3_i64 {
        let ids: Vec<i64> = (0..4).map(|i| round * 10 + i).collect();
        let done = sqlx::query(
            "INSERT INTO u SELECT * FROM UNNEST($1::int8[], $2::int4[], $3::float8[], \
             $4::bool[], $5::timestamptz[], $6::text[], $7::varchar[])",
        )
        .bind(ids)
        .bind(vec![Some(1_i32), None, Some(-3), Some(i32::MAX)])
        .bind(vec![0.5_f64, f64::INFINITY, -0.0, 1e300])
        .bind(vec![Some(true), Some(false), None, Some(true)])
        .bind(vec![
            Some(at(0)),
            Some(at(-1)),
            None,
            Some(at(1_615_280_400_123)),
        ])
        .bind(texts.to_vec())
        .bind(texts.to_vec())
        .execute(&mut conn)
        .await
        .unwrap();
        assert_eq!(done.rows_affected(), 4);
    }
    let rows = sqlx::query("SELECT n, x, ok, at, t, v FROM u WHERE id >= 20 ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let n: Vec<Option<i32>> = rows.iter().map(|r| r.get(0)).collect();
    let x: Vec<f64> = rows.iter().map(|r| r.get(1)).collect();
    let ok: Vec<Option<bool>> = rows.iter().map(|r| r.get(2)).collect();
    let stamps: Vec<Option<chrono::DateTime<chrono::Utc>>> =
        rows.iter().map(|r| r.get(3)).collect();
    let t: Vec<Option<String>> = rows.iter().map(|r| r.get(4)).collect();
    let v: Vec<Option<String>> = rows.iter().map(|r| r.get(5)).collect();
    assert_eq!(n, [Some(1), None, Some(-3), Some(i32::MAX)]);
    let bits: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
    let sent: Vec<u64> = [0.5, f64::INFINITY, -0.0, 1e300]
        .iter()
        .map(|v: &f64| v.to_bits())
        .collect();
    assert_eq!(bits, sent, "exactly the floats sent, -0.0 included");
    assert_eq!(ok, [Some(true), Some(false), None, Some(true)]);
    assert_eq!(
        stamps,
        [Some(at(0)), Some(at(-1)), None, Some(at(1_615_280_400_123))]
    );
    let expected: Vec<Option<String>> = texts.iter().map(|s| s.map(str::to_owned)).collect();
    assert_eq!(t, expected);
    assert_eq!(v, expected);
}
