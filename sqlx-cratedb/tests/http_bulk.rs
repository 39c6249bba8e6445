//! Bulk execution over `bulk_args` against the in-process `/_sql` peer: chunking by rows and
//! bytes, gzip, a result for every input row, whole-request failures.

#![allow(clippy::unreadable_literal)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Recorded, Reply, error_reply, peer};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx_cratedb::{CrateDbArguments, CrateDbBulkRow, CrateDbConnection};

/// Per-row results as CrateDB 5.10+ reports them: a negative id fails with a duplicate-key
/// error, id 13 fails without details (as older servers and the 11th+ error of a shard do).
fn bulk_results(rec: &Recorded) -> Reply {
    let rows = rec.body["bulk_args"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let results: Vec<Value> = rows
        .iter()
        .map(|r| match r[0].as_i64().unwrap_or(0) {
            id if id < 0 => json!({"rowcount": -2, "error": {"code": 4091, "message": format!("DuplicateKeyException[{id}]")}}),
            13 => json!({"rowcount": -2}),
            _ => json!({"rowcount": 1}),
        })
        .collect();
    Reply::Json(
        200,
        json!({"cols": [], "duration": 1.0, "results": results}),
    )
}

fn rows(ids: impl IntoIterator<Item = i64>) -> Vec<CrateDbArguments> {
    ids.into_iter()
        .map(|id| {
            CrateDbArguments::default()
                .bind(id)
                .bind(format!("name-{id}"))
        })
        .collect()
}

fn bulk_requests(peer: &common::Peer) -> Vec<Recorded> {
    peer.requests()
        .into_iter()
        .filter(|r| r.body.get("bulk_args").is_some())
        .collect()
}

#[tokio::test]
async fn chunks_by_rows_and_reports_every_row_with_its_index() {
    let peer = peer(bulk_results).await;
    let mut conn = CrateDbConnection::connect(&format!("{}?bulk_rows=3", peer.url()))
        .await
        .unwrap();
    let input = rows([1, 2, -3, 4, 5, 6, 13, 8, 9, 10]);
    let result = conn
        .execute_bulk("INSERT INTO t (id, name) VALUES ($1, $2)", input)
        .await
        .unwrap();
    let sizes: Vec<usize> = bulk_requests(&peer)
        .iter()
        .map(|r| r.body["bulk_args"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [3, 3, 3, 1]);
    assert_eq!(result.requests(), 4);
    assert_eq!(result.rows().len(), 10);
    assert_eq!(result.rows_affected(), 8);
    assert!(!result.is_success());
    let failed: Vec<(usize, Option<i64>)> = result
        .failures()
        .map(|e| (e.row_index().unwrap(), e.http_code()))
        .collect();
    assert_eq!(failed, [(2, Some(4091)), (6, None)]);
    assert_eq!(result.rows()[0], CrateDbBulkRow::Applied(Some(1)));
    let first = &bulk_requests(&peer)[0];
    assert_eq!(first.stmt(), "INSERT INTO t (id, name) VALUES ($1, $2)");
    assert_eq!(first.body["bulk_args"][1], json!([2, "name-2"]));
    assert!(first.body.get("args").is_none());
}

#[tokio::test]
async fn chunks_by_bytes_and_gzips_large_bodies() {
    let peer = peer(bulk_results).await;
    let url = format!(
        "{}?bulk_rows=100000&bulk_bytes=4000&gzip_min_bytes=1000",
        peer.url()
    );
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let input: Vec<CrateDbArguments> = (1000..1200)
        .map(|i| CrateDbArguments::default().bind(i).bind("x".repeat(50)))
        .collect();
    let result = conn
        .execute_bulk("INSERT INTO t VALUES ($1, $2)", input)
        .await
        .unwrap();
    assert!(result.is_success());
    assert_eq!(result.rows().len(), 200);
    let reqs = bulk_requests(&peer);
    assert!(reqs.len() >= 3, "{} requests", reqs.len());
    let flags: Vec<(bool, usize)> = reqs
        .iter()
        .map(|r| (r.gzip, r.body.to_string().len()))
        .collect();
    assert!(
        flags.iter().all(|&(gz, len)| gz == (len >= 1000)),
        "bodies from gzip_min_bytes on are gzip-compressed: {flags:?}"
    );
    assert!(flags.iter().all(|&(_, len)| len <= 4000), "{flags:?}");
    let total: usize = reqs
        .iter()
        .map(|r| r.body["bulk_args"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 200);
}

#[tokio::test]
async fn a_failed_first_request_is_an_error_and_later_ones_are_reported_per_row() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let peer = peer(move |rec| {
        if rec.stmt().starts_with("INSERT INTO missing") {
            return error_reply(4041, "RelationUnknown[Relation 'missing' unknown]");
        }
        // The second bulk request fails as a whole.
        if c.fetch_add(1, Ordering::SeqCst) == 1 {
            return error_reply(5000, "UnhandledServerException[boom]");
        }
        bulk_results(rec)
    })
    .await;
    let mut conn = CrateDbConnection::connect(&format!("{}?bulk_rows=2", peer.url()))
        .await
        .unwrap();
    let err = conn
        .execute_bulk("INSERT INTO missing VALUES ($1, $2)", rows(0..4))
        .await
        .unwrap_err();
    assert!(err.as_database_error().is_some(), "{err:?}");

    let result = conn
        .execute_bulk("INSERT INTO t VALUES ($1, $2)", rows(0..6))
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
            "failed",
            "failed",
            "not executed",
            "not executed"
        ]
    );
    assert!(result.request_error().unwrap().to_string().contains("boom"));
    let indexes: Vec<usize> = result.failures().map(|e| e.row_index().unwrap()).collect();
    assert_eq!(indexes, [2, 3]);
}

/// A later request CrateDB refuses as invalid (400: a value it cannot convert rejects the whole
/// request, nothing of it applied) fails its rows, and the requests after it still run.
#[tokio::test]
async fn a_later_request_refused_as_invalid_fails_its_rows_and_the_rest_still_run() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let peer = peer(move |rec| {
        if c.fetch_add(1, Ordering::SeqCst) == 1 {
            return error_reply(
                4000,
                "SQLParseException[Cannot cast value `10000000000` to type `integer`]",
            );
        }
        bulk_results(rec)
    })
    .await;
    let mut conn = CrateDbConnection::connect(&format!("{}?bulk_rows=2", peer.url()))
        .await
        .unwrap();
    let result = conn
        .execute_bulk("INSERT INTO t VALUES ($1, $2)", rows(0..6))
        .await
        .unwrap();
    let applied: Vec<bool> = result
        .rows()
        .iter()
        .map(|r| matches!(r, CrateDbBulkRow::Applied(_)))
        .collect();
    assert_eq!(applied, [true, true, false, false, true, true]);
    let indexes: Vec<usize> = result.failures().map(|e| e.row_index().unwrap()).collect();
    assert_eq!(indexes, [2, 3]);
    assert_eq!(result.requests(), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn mismatched_result_counts_are_unknown_and_bad_arguments_are_errors() {
    let peer = peer(|_| Reply::Json(200, json!({"cols": [], "results": [{"rowcount": 1}]}))).await;
    let mut conn = CrateDbConnection::connect(&peer.url()).await.unwrap();
    // CrateDB ran the request (HTTP 200) but the answer is unreadable: the rows may be applied.
    let result = conn
        .execute_bulk("INSERT INTO t VALUES ($1, $2)", rows(0..3))
        .await
        .unwrap();
    assert_eq!(
        result.rows(),
        [
            CrateDbBulkRow::Unknown,
            CrateDbBulkRow::Unknown,
            CrateDbBulkRow::Unknown
        ]
    );
    assert!(
        result
            .request_error()
            .unwrap()
            .to_string()
            .contains("3 rows"),
        "{result:?}"
    );

    let bad = vec![
        CrateDbArguments::default().bind(1),
        CrateDbArguments::default().bind(u64::MAX),
    ];
    let err = conn
        .execute_bulk("INSERT INTO t VALUES ($1)", bad)
        .await
        .unwrap_err();
    assert!(matches!(err, sqlx::Error::Encode(_)), "{err:?}");
    assert!(err.to_string().contains("bulk row 1"), "{err}");

    let empty = conn
        .execute_bulk("INSERT INTO t VALUES ($1)", Vec::new())
        .await
        .unwrap();
    assert!(empty.rows().is_empty() && empty.requests() == 0);
    conn.close().await.unwrap();
}

fn kinds(result: &sqlx_cratedb::CrateDbBulkResult) -> Vec<&'static str> {
    result
        .rows()
        .iter()
        .map(|r| match r {
            CrateDbBulkRow::Applied(_) => "applied",
            CrateDbBulkRow::Failed(_) => "failed",
            CrateDbBulkRow::NotExecuted => "not executed",
            CrateDbBulkRow::Unknown => "unknown",
            _ => "other",
        })
        .collect()
}

/// A gateway's 502/503/504 and a connection cut after the request was sent leave the rows'
/// fate open: `Unknown`, never `Failed` (which invites a resend that may duplicate them), and
/// for the first request a result rather than an `Err` (which says nothing was applied).
#[tokio::test]
async fn gateway_errors_and_lost_connections_after_sending_are_unknown() {
    for (status, first) in [
        (502, false),
        (503, false),
        (504, false),
        (503, true),
        (0, true),
        (0, false),
    ] {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let failing = usize::from(!first);
        let peer = peer(move |rec| {
            if c.fetch_add(1, Ordering::SeqCst) != failing {
                return bulk_results(rec);
            }
            if status == 0 {
                // Headers, part of the body, then the connection is closed.
                Reply::CutOff(r#"{"cols": [], "results": [{"rowcount": 1}"#.to_owned())
            } else {
                Reply::Raw(status, "text/html", "<html>Bad Gateway</html>".to_owned())
            }
        })
        .await;
        let mut conn = CrateDbConnection::connect(&format!("{}?bulk_rows=2", peer.url()))
            .await
            .unwrap();
        let result = conn
            .execute_bulk("INSERT INTO t VALUES ($1, $2)", rows(0..6))
            .await
            .unwrap_or_else(|e| panic!("status {status}, first {first}: {e:?}"));
        let expected: &[&str] = if first {
            &[
                "unknown",
                "unknown",
                "not executed",
                "not executed",
                "not executed",
                "not executed",
            ]
        } else {
            &[
                "applied",
                "applied",
                "unknown",
                "unknown",
                "not executed",
                "not executed",
            ]
        };
        assert_eq!(kinds(&result), expected, "status {status}, first {first}");
        assert!(result.request_error().is_some());
    }
}

/// A row that cannot be encoded after a request was sent: the rows sent are reported, the rest
/// is `NotExecuted`, and the encode error is recorded (an `Err` would hide applied rows).
#[tokio::test]
async fn an_encode_error_after_a_request_was_sent_keeps_the_applied_rows() {
    let peer = peer(bulk_results).await;
    let mut conn = CrateDbConnection::connect(&format!("{}?bulk_rows=2", peer.url()))
        .await
        .unwrap();
    let mut input = rows(0..6);
    input[3] = CrateDbArguments::default().bind(3).bind(u64::MAX);
    let result = conn
        .execute_bulk("INSERT INTO t VALUES ($1, $2)", input)
        .await
        .unwrap();
    assert_eq!(
        kinds(&result),
        [
            "applied",
            "applied",
            "not executed",
            "not executed",
            "not executed",
            "not executed"
        ]
    );
    assert_eq!(result.requests(), 1);
    assert_eq!(bulk_requests(&peer).len(), 1);
    let error = result.request_error().unwrap();
    assert!(matches!(error, sqlx::Error::Encode(_)), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("bulk row 3") && message.contains("encode"),
        "{message}"
    );
}

#[tokio::test]
async fn bulk_through_the_pool_helper() {
    let peer = peer(bulk_results).await;
    let pool = common::pool(&peer.url()).await;
    let result =
        sqlx_cratedb::bulk::execute_bulk(&pool, "UPDATE t SET name = $2 WHERE id = $1", rows(0..5))
            .await
            .unwrap();
    assert_eq!(result.rows_affected(), 5);
}

#[tokio::test]
async fn a_read_is_refused_before_anything_is_sent() {
    let peer = peer(bulk_results).await;
    let mut conn = CrateDbConnection::connect(&peer.url()).await.unwrap();
    for sql in [
        "SELECT * FROM t WHERE id = $1",
        "  with x AS (SELECT 1) SELECT * FROM x",
    ] {
        let err = conn
            .execute_bulk(sqlx::AssertSqlSafe(sql), rows([1, 2]))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, sqlx::Error::Configuration(m) if m.to_string().contains("a read cannot be batched")),
            "{err:?}"
        );
    }
    assert!(bulk_requests(&peer).is_empty());
}
