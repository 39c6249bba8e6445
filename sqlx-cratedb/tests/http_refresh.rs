//! `refresh_after_writes`: each successful write is followed by `REFRESH TABLE` on its table,
//! reads and failed writes are not, and without the option nothing is added.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Peer, Recorded, Reply, error_reply, peer, result_set, row_count};
use serde_json::json;
use sqlx::{Connection, Executor as _};
use sqlx_cratedb::{CrateDbArguments, CrateDbConnection};

fn answer(rec: &Recorded) -> Reply {
    let stmt = rec.stmt();
    if stmt.starts_with("SELECT") {
        Reply::Json(200, result_set(&["n"], json!([9]), json!([[1]])))
    } else if stmt.contains("missing") {
        error_reply(4041, "RelationUnknown[Relation 'missing' unknown]")
    } else if rec.body.get("bulk_args").is_some() {
        Reply::Json(
            200,
            json!({"cols": [], "results": [{"rowcount": 1}, {"rowcount": 1}]}),
        )
    } else {
        Reply::Json(200, row_count(1))
    }
}

fn statements(peer: &Peer) -> Vec<String> {
    peer.requests()
        .iter()
        .map(|r| r.stmt().to_owned())
        .filter(|s| s != "SELECT 1")
        .collect()
}

#[tokio::test]
async fn writes_are_followed_by_a_refresh_of_their_table() {
    let peer = peer(answer).await;
    let url = format!("{}/doc?refresh_after_writes=true", peer.url());
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();

    let done = sqlx::query("INSERT INTO Items (id) VALUES ($1)")
        .bind(1)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);
    sqlx::query(r#"UPDATE "My Schema"."T" SET a = 1"#)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.execute("DELETE FROM t WHERE id = 1").await.unwrap();
    let n: i32 = sqlx::query_scalar("SELECT n FROM t")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let failed = sqlx::query("INSERT INTO missing VALUES (1)")
        .execute(&mut conn)
        .await;
    assert!(failed.is_err());
    let bulk = conn
        .execute_bulk(
            "INSERT INTO b (id) VALUES ($1)",
            [1, 2].map(|i| CrateDbArguments::default().bind(i)),
        )
        .await
        .unwrap();
    assert!(bulk.is_success() && bulk.refresh_error().is_none());

    assert_eq!(
        statements(&peer),
        [
            "INSERT INTO Items (id) VALUES ($1)",
            r#"REFRESH TABLE "items""#,
            r#"UPDATE "My Schema"."T" SET a = 1"#,
            r#"REFRESH TABLE "My Schema"."T""#,
            "DELETE FROM t WHERE id = 1",
            r#"REFRESH TABLE "t""#,
            "SELECT n FROM t",
            "INSERT INTO missing VALUES (1)",
            "INSERT INTO b (id) VALUES ($1)",
            r#"REFRESH TABLE "b""#,
        ]
    );
}

#[tokio::test]
async fn a_failed_refresh_is_reported_after_the_applied_write() {
    let peer = peer(|rec: &Recorded| {
        if rec.stmt().starts_with("REFRESH") {
            error_reply(4000, "SQLParseException[refresh refused]")
        } else {
            answer(rec)
        }
    })
    .await;
    let url = format!("{}/doc?refresh_after_dml=true", peer.url());
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let err = sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("refresh refused"), "{err}");
    let bulk = conn
        .execute_bulk(
            "INSERT INTO t VALUES ($1)",
            [1, 2].map(|i| CrateDbArguments::default().bind(i)),
        )
        .await
        .unwrap();
    assert!(bulk.is_success(), "the rows' outcomes are kept");
    assert!(
        bulk.refresh_error()
            .unwrap()
            .to_string()
            .contains("refresh refused")
    );
}

#[tokio::test]
async fn without_the_option_nothing_is_refreshed() {
    let peer = peer(answer).await;
    let mut conn = CrateDbConnection::connect(&peer.url()).await.unwrap();
    sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(statements(&peer), ["INSERT INTO t VALUES (1)"]);
}
