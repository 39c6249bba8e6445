//! Cancel safety over HTTP against the in-process `/_sql` peer: a read whose future is dropped
//! half-way through its response body (a `tokio::time::timeout` firing at many points) leaves
//! nothing behind for the next request on the same connection or pool: each request reads its
//! own response (hyper does not reuse a keep-alive connection with a body left unread).

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Reply, peer, result_set};
use futures_util::TryStreamExt as _;
use serde_json::json;
use sqlx::Connection as _;
use sqlx::Row as _;
use sqlx_cratedb::{CrateDbConnection, CrateDbPoolOptions};

/// Rows of the large result, sent in [`CHUNKS`] chunks.
const ROWS: i64 = 20_000;
const CHUNKS: usize = 40;

/// The large result, as a body in several chunks.
fn big_body() -> Vec<Vec<u8>> {
    let rows: Vec<_> = (1..=ROWS).map(|i| json!([i])).collect();
    let body = result_set(&["v"], json!([10]), json!(rows))
        .to_string()
        .into_bytes();
    body.chunks(body.len() / CHUNKS + 1)
        .map(<[u8]>::to_vec)
        .collect()
}

/// Reads the large result; with `take`, stops after that many rows.
async fn read_big(conn: &mut CrateDbConnection, take: Option<i64>) -> i64 {
    let mut rows = sqlx::query("SELECT v FROM big").fetch(&mut *conn);
    let mut n = 0i64;
    while let Some(row) = rows.try_next().await.unwrap() {
        n += 1;
        assert_eq!(row.get::<i64, _>(0), n);
        if take == Some(n) {
            break;
        }
    }
    n
}

async fn echo(conn: &mut CrateDbConnection, value: i64) -> i64 {
    sqlx::query_scalar("SELECT ?")
        .bind(value)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_read_dropped_half_way_leaves_nothing_for_the_next_request() {
    let peer = peer(|rec| {
        if rec.stmt() == "SELECT v FROM big" {
            Reply::Chunks(200, big_body())
        } else {
            let v = rec.args()[0].clone();
            Reply::Json(200, result_set(&["v"], json!([10]), json!([[v]])))
        }
    })
    .await;
    let mut conn = CrateDbConnection::connect(&peer.url()).await.unwrap();
    let pool = CrateDbPoolOptions::new()
        .max_connections(1)
        .connect(&peer.url())
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(read_big(&mut conn, None).await, ROWS);
    let full = started.elapsed();
    let mut points: Vec<Duration> = [0, 50, 100, 200, 500, 1_000, 2_000]
        .iter()
        .map(|&us| Duration::from_micros(us))
        .collect();
    points.extend((1..=20).map(|i| full * i / 20));
    let mut value = 0;
    for d in points {
        let _ = tokio::time::timeout(d, read_big(&mut conn, Some(ROWS / 2))).await;
        value += 1;
        assert_eq!(echo(&mut conn, value).await, value, "cut at {d:?}");
        assert_eq!(read_big(&mut conn, None).await, ROWS, "cut at {d:?}");
        {
            let mut pooled = pool.acquire().await.unwrap();
            let _ = tokio::time::timeout(d, read_big(&mut pooled, Some(ROWS / 2))).await;
        }
        value += 1;
        let mut pooled = pool.acquire().await.unwrap();
        assert_eq!(echo(&mut pooled, value).await, value, "cut at {d:?} (pool)");
        assert_eq!(
            read_big(&mut pooled, None).await,
            ROWS,
            "cut at {d:?} (pool)"
        );
    }
}
