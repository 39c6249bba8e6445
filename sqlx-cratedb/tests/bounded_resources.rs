//! `max_message_size` end to end: over HTTP a row larger than the cap fails the query (the URL
//! parameter and the builder method set it); over pgwire a length header above the cap fails
//! the connection at once instead of reserving what the header names (up to 4 GiB) and
//! waiting for it.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Reply, peer, result_set};
use serde_json::json;
use sqlx::{ConnectOptions, Connection, Row};
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbConnection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn http_rows_above_max_message_size_fail_with_a_protocol_error() {
    let big = "z".repeat(200_000);
    let body = result_set(&["s"], json!([4]), json!([[big]]));
    let peer =
        peer(move |rec| common::ping(rec).unwrap_or_else(|| Reply::Json(200, body.clone()))).await;
    let url = format!("crate://{}/?max_message_size=65536", peer.host());
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let err = sqlx::query("SELECT s FROM t")
        .fetch_one(&mut conn)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("max_message_size (65536 bytes)"), "{text}");
    // The default (64 MiB) and the builder method let it through.
    let options: CrateDbConnectOptions = url.parse().unwrap();
    let mut conn = options.max_message_size(1 << 20).connect().await.unwrap();
    let row = sqlx::query("SELECT s FROM t")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0).len(), 200_000);
    // Values below 1 KiB or not numbers are refused in the URL.
    for bad in ["0", "100", "lots"] {
        let url = format!("crate://localhost/?max_message_size={bad}");
        assert!(url.parse::<CrateDbConnectOptions>().is_err(), "{bad}");
    }
}

#[tokio::test]
async fn pgwire_length_headers_above_max_message_size_fail_at_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        // The startup message: int32 length, then the rest.
        let len = socket.read_u32().await.unwrap();
        let mut rest = vec![0; usize::try_from(len).unwrap() - 4];
        socket.read_exact(&mut rest).await.unwrap();
        // An ErrorResponse header announcing 4 GiB, then silence.
        socket
            .write_all(&[b'E', 0xff, 0xff, 0xff, 0xff])
            .await
            .unwrap();
        socket.flush().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(socket);
    });
    let url = format!("crate+pg://crate@{addr}/");
    let connect = CrateDbConnection::connect(&url);
    let err = tokio::time::timeout(Duration::from_secs(10), connect)
        .await
        .expect("the oversized header must fail the connection, not wait for 4 GiB")
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("4294967296 bytes") && text.contains("max_message_size"),
        "{text}"
    );
    server.abort();
}
