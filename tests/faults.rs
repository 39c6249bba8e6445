//! Both transports through a loopback fault proxy (`cratedb_integration::fault`): pgwire in front
//! of a throwaway PostgreSQL, HTTP in front of a small `/_sql` peer. For every fault (dropped,
//! stalled, cut mid-message, reset after the request was sent) a query fails with an error
//! within the configured timeouts, without a panic (or, cut after its answer, answers right); once the network is healthy again the same
//! pool answers the next query correctly (no connection out of step is reused); and a bulk
//! write through a reset reports no row as applied that was not, nor loses one that was.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use cratedb_integration::fault::{Fault, FaultProxy};
use cratedb_integration::pg::{PgServer, PgServerConfig};
use cratedb_integration::wire::message;
use serde_json::{Value, json};
use sqlx::AssertSqlSafe;
use sqlx_cratedb::{CrateDbArguments, CrateDbBulkRow, CrateDbConnectOptions, CrateDbPool};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// The request timeout the clients use; every failure must come well within a few of these.
const TIMEOUT: Duration = Duration::from_secs(2);
/// The longest a faulty call may take: a timeout, a cancel attempt and a reconnect.
const BOUND: Duration = Duration::from_secs(10);

const FAULTS: [Fault; 5] = [
    Fault::Drop,
    Fault::Stall,
    Fault::CutAfter(3),
    Fault::CutAfter(40),
    Fault::ResetAfterRequest,
];

async fn pool(options: CrateDbConnectOptions) -> CrateDbPool {
    sqlx_cratedb::CrateDbPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(BOUND)
        .connect_with(
            options
                .request_timeout(Some(TIMEOUT))
                .connect_timeout(TIMEOUT),
        )
        .await
        .unwrap()
}

async fn echo(pool: &CrateDbPool, sql: &str, value: i32) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
        .bind(value)
        .fetch_one(pool)
        .await
}

/// For every fault: the query fails in bounded time; after the fault, the pool answers the next
/// query with its own value.
async fn queries_survive_every_fault(proxy: &FaultProxy, pool: &CrateDbPool, sql: &str) {
    assert_eq!(echo(pool, sql, 1).await.unwrap(), 1);
    for (i, fault) in FAULTS.into_iter().enumerate() {
        proxy.set(fault);
        let started = Instant::now();
        let outcome = tokio::time::timeout(BOUND * 2, echo(pool, sql, 100)).await;
        let elapsed = started.elapsed();
        let result = outcome.unwrap_or_else(|_| panic!("{fault:?}: hung for {elapsed:?}"));
        match (fault, result) {
            // A cut after the answer's last byte that matters may still leave a whole answer.
            (Fault::CutAfter(n), Ok(value)) if n > 3 => assert_eq!(value, 100, "{fault:?}"),
            (_, Ok(value)) => panic!("{fault:?}: answered {value} through a broken network"),
            (_, Err(_)) => {}
        }
        assert!(elapsed < BOUND, "{fault:?}: took {elapsed:?}");
        proxy.set(Fault::Pass);
        let value = 1000 + i32::try_from(i).unwrap();
        let answer = echo(pool, sql, value).await;
        assert_eq!(
            answer.unwrap(),
            value,
            "{fault:?}: the next query got another answer"
        );
    }
}

#[tokio::test]
async fn pgwire_through_faults() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let upstream: SocketAddr = server.host_port().parse().unwrap();
    let proxy = FaultProxy::start(upstream).await;
    let options = server.crate_options().host("127.0.0.1", proxy.port());
    let pool = pool(options).await;
    queries_survive_every_fault(&proxy, &pool, "SELECT $1::int").await;

    // A bulk write whose answer never arrives: no row reported applied that is not stored,
    // no stored row reported as surely not applied.
    sqlx::query("CREATE TABLE faulty (id int PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    proxy.set(Fault::ResetAfterRequest);
    let rows = (0..200).map(|i| CrateDbArguments::default().bind(i));
    let result =
        sqlx_cratedb::bulk::execute_bulk(&pool, "INSERT INTO faulty (id) VALUES ($1)", rows).await;
    proxy.set(Fault::Pass);
    let stored: Vec<(i32,)> = sqlx::query_as("SELECT id FROM faulty")
        .fetch_all(&pool)
        .await
        .unwrap();
    check_bulk(result, &stored.into_iter().map(|(id,)| id).collect());
}

/// `Applied` rows are stored; `NotExecuted` rows are not; an `Err` means nothing was stored.
fn check_bulk(result: Result<sqlx_cratedb::CrateDbBulkResult, sqlx::Error>, stored: &HashSet<i32>) {
    match result {
        Err(e) => assert!(
            stored.is_empty(),
            "Err ({e}) but {} rows stored",
            stored.len()
        ),
        Ok(result) => {
            for (i, row) in result.rows().iter().enumerate() {
                let id = i32::try_from(i).unwrap();
                match row {
                    CrateDbBulkRow::Applied(_) => assert!(stored.contains(&id), "row {i} lost"),
                    CrateDbBulkRow::NotExecuted => {
                        assert!(!stored.contains(&id), "row {i} NotExecuted but stored");
                    }
                    _ => {}
                }
            }
        }
    }
}

#[tokio::test]
async fn http_through_faults() {
    let peer = http_peer().await;
    let proxy = FaultProxy::start(peer).await;
    let url = format!("crate://127.0.0.1:{}", proxy.port());
    let pool = pool(url.parse().unwrap()).await;
    queries_survive_every_fault(&proxy, &pool, "SELECT $1").await;

    proxy.set(Fault::ResetAfterRequest);
    let rows = (0..200).map(|i| CrateDbArguments::default().bind(i));
    let result = sqlx_cratedb::bulk::execute_bulk(&pool, "INSERT INTO t (id) VALUES ($1)", rows)
        .await
        .unwrap();
    proxy.set(Fault::Pass);
    // The peer applied the request; its answer was lost: every row is Unknown, none Applied or
    // NotExecuted.
    assert!(
        result
            .rows()
            .iter()
            .all(|r| matches!(r, CrateDbBulkRow::Unknown)),
        "{:?}",
        result.rows().first()
    );
}

/// A `/_sql` peer answering every statement as CrateDB would: a query with one integer
/// argument returns it as the one row, a bulk request one row count per argument row.
async fn http_peer() -> SocketAddr {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                while let Some(body) = read_request(&mut stream).await {
                    let reply = answer(&body).to_string();
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\n\r\n",
                        reply.len()
                    );
                    if stream.write_all(head.as_bytes()).await.is_err()
                        || stream.write_all(reply.as_bytes()).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    address
}

fn answer(body: &Value) -> Value {
    if let Some(rows) = body.get("bulk_args").and_then(Value::as_array) {
        let results: Vec<Value> = rows.iter().map(|_| json!({"rowcount": 1})).collect();
        return json!({"cols": [], "duration": 1.0, "results": results});
    }
    let value = body
        .get("args")
        .and_then(|a| a.get(0))
        .cloned()
        .unwrap_or(json!(1));
    json!({"cols": ["n"], "col_types": [9], "rows": [[value]], "rowcount": 1, "duration": 1.0})
}

/// Reads one HTTP/1.1 request; its JSON body, or `None` when the connection ends.
async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Value> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.ok()?;
    if head.contains("content-encoding: gzip") {
        return Some(json!({}));
    }
    serde_json::from_slice(&body).ok()
}

/// A pgwire server that floods small messages while the client is still writing a bulk batch
/// (and reads nothing more): the client buffers at most `max_message_size` of them, then fails
/// with an error naming that cap, instead of buffering whatever the server sends until the
/// request timeout ends the write.
#[tokio::test]
async fn pgwire_server_flooding_during_a_bulk_write_is_capped() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let len = stream.read_u32().await.unwrap();
        let mut startup = vec![0; usize::try_from(len).unwrap() - 4];
        stream.read_exact(&mut startup).await.unwrap();
        let mut out = message(b'R', &0i32.to_be_bytes());
        out.extend(message(b'S', b"crate_version\x006.4.3\x00"));
        out.extend(message(b'Z', b"I"));
        stream.write_all(&out).await.unwrap();
        // The first bytes of the bulk batch, then no more reading: 32 MiB of small messages.
        let mut head = [0u8; 5];
        stream.read_exact(&mut head).await.unwrap();
        let flood = message(b'S', b"flood\x00x\x00").repeat(4096);
        for _ in 0..(32 << 20) / flood.len() {
            if stream.write_all(&flood).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_mins(1)).await;
    });
    let options = CrateDbConnectOptions::new()
        .host("127.0.0.1", port)
        .protocol(sqlx_cratedb::CrateDbProtocol::PgWire)
        .username("crate")
        .max_message_size(64 * 1024)
        .request_timeout(Some(Duration::from_secs(20)));
    let mut conn = sqlx::ConnectOptions::connect(&options).await.unwrap();
    let big = "x".repeat(64 * 1024);
    let rows: Vec<_> = (0..256)
        .map(|i| CrateDbArguments::default().bind(i).bind(big.clone()))
        .collect();
    let err = conn
        .execute_bulk("INSERT INTO t (id, v) VALUES ($1, $2)", rows)
        .await
        .expect_err("the flood must end the call");
    let text = err.to_string();
    assert!(text.contains("max_message_size"), "{text}");
}
