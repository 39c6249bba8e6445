//! Timeouts against the in-process `/_sql` peer: every wait is bounded by default, and a huge
//! configured timeout is accepted (it must not overflow `Instant`).

mod common;

use std::time::Duration;

use common::{Reply, peer, row_count};
use sqlx::{Connection as _, Executor as _};
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbConnection};

#[tokio::test]
async fn a_huge_request_timeout_does_not_panic() {
    let peer = peer(|_| Reply::Json(200, row_count(1))).await;
    let opts: CrateDbConnectOptions = peer.url().parse().unwrap();
    let opts = opts
        .request_timeout(Some(Duration::MAX))
        .connect_timeout(Duration::MAX);
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    let done = conn.execute("UPDATE t SET x = 1").await.unwrap();
    assert_eq!(done.rows_affected(), 1);
    let opts: CrateDbConnectOptions = format!("{}?timeout=18446744073709551615m", peer.url())
        .parse()
        .unwrap();
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    conn.execute("UPDATE t SET x = 1").await.unwrap();
}

#[tokio::test]
async fn requests_are_bounded_by_default() {
    let opts = CrateDbConnectOptions::new();
    assert!(
        format!("{opts:?}").contains("request_timeout: Some(300s)"),
        "{opts:?}"
    );
    // A configured bound fails a stalled request.
    let peer = peer(|_| {
        Reply::Slow(
            Duration::from_secs(30),
            Box::new(Reply::Json(200, row_count(1))),
        )
    })
    .await;
    let mut conn = CrateDbConnection::connect(&format!("{}?timeout=300ms", peer.url()))
        .await
        .unwrap();
    let err = conn.execute("UPDATE t SET x = 1").await.unwrap_err();
    assert!(err.to_string().contains("timed out"), "{err}");
}
