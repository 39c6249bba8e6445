//! Cancel safety of the pgwire transport: a bulk execution, a streaming read, a `fetch_one`
//! and a plain `execute` whose future is dropped at many points (a `tokio::time::timeout`
//! firing from 0 µs to past the operation's end) leave the connection either back in step with
//! the server or closed, never reused out of step. After each cancellation the same connection
//! (and a pool of one connection) answers `SELECT $1::int` with the value just bound, and the
//! operation run again in full gives its complete, correct result.
//!
//! Against throwaway PostgreSQL servers (`tests/scripts/ensure-postgres.sh`; without them each
//! test prints a skip line, or fails with `CI=true`) and a small scripted peer that answers as
//! CrateDB does (writes parked until `Sync`, replies sent once the write has run).

#![allow(clippy::unwrap_used, clippy::panic)]

use cratedb_integration::wire::{cstr, message};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use cratedb_integration::pg::{PgServer, PgServerConfig};
use futures_util::TryStreamExt as _;
use sqlx::Row as _;
use sqlx::{Connection as _, Executor as _};
use sqlx_cratedb::{
    CrateDbArguments, CrateDbConnectOptions, CrateDbConnection, CrateDbPool, CrateDbPoolOptions,
};

/// Rows of the bulk execution (in batches of [`BULK_BATCH`]).
const BULK_ROWS: i32 = 3_000;
const BULK_BATCH: usize = 500;
/// Rows of the streaming read (in pages of [`FETCH_SIZE`]); a cancelled read takes at most
/// [`STREAM_TAKE`] of them.
const STREAM_ROWS: i64 = 50_000;
const FETCH_SIZE: u32 = 2_000;
const STREAM_TAKE: usize = 30_000;
/// Rows inserted by the plain `execute`.
const EXECUTE_ROWS: u64 = 5_000;
/// Rows counted by the `fetch_one`.
const COUNT_ROWS: i64 = 200_000;

/// The operations under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Bulk,
    Stream,
    FetchOne,
    Execute,
    /// A query with a parameter of several megabytes: its write takes many socket writes.
    LargeWrite,
}

/// The size of the [`Op::LargeWrite`] parameter.
const LARGE_PARAM: usize = 2 << 20;

/// Fixed cancellation points, then `SPREAD` points across the operation's measured duration.
const FIXED_US: [u64; 12] = [
    0, 50, 100, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000,
];
const SPREAD: u32 = 20;

fn bulk_rows() -> impl Iterator<Item = CrateDbArguments> {
    (0..BULK_ROWS).map(|i| CrateDbArguments::default().bind(i).bind(format!("row {i}")))
}

/// Runs `op` in full on `conn` and checks its result; with `take`, a read stops after that
/// many rows (the stream is dropped with the rest unread).
async fn run(conn: &mut CrateDbConnection, op: Op, sql: &Sql, take: Option<usize>) {
    match op {
        Op::Bulk => {
            let result = conn.execute_bulk(sql.bulk, bulk_rows()).await.unwrap();
            assert!(result.is_success(), "{:?}", result.request_error());
            assert_eq!(result.rows().len(), usize::try_from(BULK_ROWS).unwrap());
            if sql.counts_bulk_rows {
                assert_eq!(result.rows_affected(), u64::try_from(BULK_ROWS).unwrap());
            }
        }
        Op::Stream => {
            let mut rows = sqlx::query(sql.stream).fetch(&mut *conn);
            let (mut n, mut sum) = (0i64, 0i64);
            while let Some(row) = rows.try_next().await.unwrap() {
                let g: i64 = row.get(0);
                n += 1;
                sum += g;
                assert_eq!(g, n, "rows arrive in order");
                if take.is_some_and(|t| usize::try_from(n).unwrap() >= t) {
                    return;
                }
            }
            assert_eq!(n, sql.stream_rows);
            assert_eq!(sum, sql.stream_rows * (sql.stream_rows + 1) / 2);
        }
        Op::FetchOne => {
            let n: i64 = sqlx::query_scalar(sql.fetch_one)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(n, sql.count_rows);
        }
        Op::Execute => {
            let done = conn.execute(sql.execute).await.unwrap();
            assert_eq!(done.rows_affected(), sql.execute_rows);
        }
        Op::LargeWrite => {
            let n: i64 = sqlx::query_scalar(sql.large_write)
                .bind("x".repeat(LARGE_PARAM))
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(n, i64::try_from(LARGE_PARAM).unwrap());
        }
    }
}

/// The statements of one server kind.
struct Sql {
    bulk: &'static str,
    counts_bulk_rows: bool,
    stream: &'static str,
    stream_rows: i64,
    fetch_one: &'static str,
    count_rows: i64,
    execute: &'static str,
    execute_rows: u64,
    large_write: &'static str,
}

const POSTGRES: Sql = Sql {
    bulk: "INSERT INTO b (k, v) VALUES ($1, $2)",
    counts_bulk_rows: true,
    stream: "SELECT g::int8, 'row ' || g FROM generate_series(1, 50000) g",
    stream_rows: STREAM_ROWS,
    fetch_one: "SELECT count(*)::int8 FROM generate_series(1, 200000)",
    count_rows: COUNT_ROWS,
    execute: "INSERT INTO e SELECT generate_series(1, 5000)",
    execute_rows: EXECUTE_ROWS,
    large_write: "SELECT length($1::text)::int8",
};

/// The connection answers a fresh `SELECT $1::int` with its own value.
async fn in_step(conn: &mut CrateDbConnection, value: i32, context: &str) {
    let got: Result<i32, _> = sqlx::query_scalar("SELECT $1::int")
        .bind(value)
        .fetch_one(&mut *conn)
        .await;
    match got {
        Ok(v) => assert_eq!(v, value, "{context}: the answer of another command"),
        Err(e) => panic!("{context}: {e}"),
    }
}

/// `check` within 20 s: a connection out of step can wait forever for a reply.
async fn guarded(context: &str, check: impl Future<Output = ()>) {
    let answered = tokio::time::timeout(Duration::from_secs(20), check).await;
    assert!(answered.is_ok(), "{context}: no answer within 20 s");
}

/// The cancellation points for an operation that takes `full` to run.
fn points(full: Duration) -> Vec<Duration> {
    let mut out: Vec<Duration> = FIXED_US
        .iter()
        .map(|&us| Duration::from_micros(us))
        .collect();
    out.extend((1..=SPREAD).map(|i| full * i / SPREAD));
    out
}

/// `op` cut short at every point, on one connection: each time the connection answers the
/// next query correctly and the operation then runs in full.
async fn sweep_connection(conn: &mut CrateDbConnection, sql: &Sql, op: Op) -> usize {
    let mut value = 0;
    let mut cuts = 0;
    {
        let started = Instant::now();
        run(conn, op, sql, None).await;
        let full = started.elapsed();
        for d in points(full) {
            let take = (op == Op::Stream).then_some(STREAM_TAKE);
            let _ = tokio::time::timeout(d, run(conn, op, sql, take)).await;
            cuts += 1;
            value += 1;
            let context = format!("{op:?} cut at {d:?} (full run {full:?})");
            guarded(&context, in_step(conn, value, &context)).await;
            guarded(&context, run(conn, op, sql, None)).await;
            value += 1;
            guarded(&context, in_step(conn, value, &context)).await;
        }
    }
    cuts
}

/// The same through a pool of one connection: the cut connection goes back to the pool and
/// is handed out again (or replaced).
async fn sweep_pool(pool: &CrateDbPool, sql: &Sql, op: Op) -> usize {
    let mut value = 1_000_000;
    let mut cuts = 0;
    {
        let started = Instant::now();
        run(&mut pool.acquire().await.unwrap(), op, sql, None).await;
        let full = started.elapsed();
        for d in points(full) {
            let take = (op == Op::Stream).then_some(STREAM_TAKE);
            {
                let mut conn = pool.acquire().await.unwrap();
                let _ = tokio::time::timeout(d, run(&mut conn, op, sql, take)).await;
            }
            cuts += 1;
            value += 1;
            let context = format!("{op:?} cut at {d:?} (pool)");
            guarded(
                &context,
                Box::pin(async {
                    let got: i32 = sqlx::query_scalar("SELECT $1::int")
                        .bind(value)
                        .fetch_one(pool)
                        .await
                        .unwrap_or_else(|e| panic!("{context}: {e}"));
                    assert_eq!(got, value, "{context}: the answer of another command");
                    run(&mut pool.acquire().await.unwrap(), op, sql, None).await;
                }),
            )
            .await;
        }
    }
    cuts
}

async fn postgres_tables(opts: &CrateDbConnectOptions) {
    let mut conn = CrateDbConnection::connect_with(opts).await.unwrap();
    conn.execute("CREATE TABLE b (k int, v text)")
        .await
        .unwrap();
    conn.execute("CREATE TABLE e (k int)").await.unwrap();
    conn.close().await.unwrap();
}

fn postgres_options(server: &PgServer) -> CrateDbConnectOptions {
    server
        .crate_options()
        .bulk_rows(BULK_BATCH)
        .fetch_size(FETCH_SIZE)
}

/// One operation cut at every point over PostgreSQL: on one connection, then through a pool
/// of one.
async fn postgres_sweep(op: Op) {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let opts = postgres_options(&server);
    postgres_tables(&opts).await;
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    let cuts = sweep_connection(&mut conn, &POSTGRES, op).await;
    eprintln!("postgres {op:?}, one connection: {cuts} cancellation points");
    let pool = CrateDbPoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .unwrap();
    let cuts = Box::pin(sweep_pool(&pool, &POSTGRES, op)).await;
    eprintln!("postgres {op:?}, pool of one: {cuts} cancellation points");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_bulk_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(postgres_sweep(Op::Bulk)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_streaming_read_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(postgres_sweep(Op::Stream)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_fetch_one_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(postgres_sweep(Op::FetchOne)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_execute_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(postgres_sweep(Op::Execute)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_large_write_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(postgres_sweep(Op::LargeWrite)).await;
}

// The scripted CrateDB-like peer.

const CRATEDB: Sql = Sql {
    bulk: "INSERT INTO b (k, v) VALUES ($1, $2)",
    // As CrateDB: a bulk row's count is reported.
    counts_bulk_rows: true,
    stream: "SELECT g FROM wide",
    stream_rows: STREAM_ROWS,
    fetch_one: "SELECT count(*) FROM big",
    count_rows: COUNT_ROWS,
    execute: "INSERT INTO e SELECT * FROM big",
    execute_rows: EXECUTE_ROWS,
    large_write: "SELECT length($1)",
};

fn row_description(name: &str, oid: u32) -> Vec<u8> {
    let mut b = 1u16.to_be_bytes().to_vec();
    cstr(&mut b, name);
    b.extend_from_slice(&0u32.to_be_bytes());
    b.extend_from_slice(&0i16.to_be_bytes());
    b.extend_from_slice(&oid.to_be_bytes());
    b.extend_from_slice(&(-1i16).to_be_bytes());
    b.extend_from_slice(&(-1i32).to_be_bytes());
    b.extend_from_slice(&0i16.to_be_bytes());
    message(b'T', &b)
}

fn data_row(value: &str) -> Vec<u8> {
    let mut b = 1u16.to_be_bytes().to_vec();
    b.extend_from_slice(&i32::try_from(value.len()).unwrap().to_be_bytes());
    b.extend_from_slice(value.as_bytes());
    message(b'D', &b)
}

fn command_complete(tag: &str) -> Vec<u8> {
    let mut b = Vec::new();
    cstr(&mut b, tag);
    message(b'C', &b)
}

/// The first parameter of a `Bind` body as text (an `int4` sent in binary as its digits), if
/// any.
fn first_param(body: &[u8]) -> Option<Vec<u8>> {
    let mut p = 0;
    for _ in 0..2 {
        p += body[p..].iter().position(|&b| b == 0)? + 1;
    }
    let formats = usize::from(u16::from_be_bytes([body[p], body[p + 1]]));
    let binary = formats > 0 && body[p + 2..p + 4] == [0, 1];
    p += 2 + 2 * formats;
    let params = u16::from_be_bytes([body[p], body[p + 1]]);
    p += 2;
    if params == 0 {
        return None;
    }
    let len = usize::try_from(i32::from_be_bytes(body[p..p + 4].try_into().unwrap())).ok()?;
    let value = &body[p + 4..p + 4 + len];
    if binary && len == 4 {
        let n = i32::from_be_bytes(value.try_into().ok()?);
        return Some(n.to_string().into_bytes());
    }
    Some(value.to_vec())
}

/// Answers one connection as CrateDB 6.4 does, for the statements of [`CRATEDB`]: writes are
/// parked and answered (after 1 ms of "running") at the `Sync`; reads are answered at once.
#[allow(clippy::too_many_lines)]
async fn serve(mut stream: TcpStream) {
    let Ok(len) = stream.read_u32().await else {
        return;
    };
    let mut body = vec![0; usize::try_from(len).unwrap() - 4];
    if stream.read_exact(&mut body).await.is_err() || body[..4] == 80_877_102u32.to_be_bytes() {
        // A CancelRequest: CrateDB ignores it here too (the command has run or will).
        return;
    }
    let mut out = message(b'R', &0i32.to_be_bytes());
    for (k, v) in [("crate_version", "6.4.2"), ("server_version", "14.0")] {
        let mut b = Vec::new();
        cstr(&mut b, k);
        cstr(&mut b, v);
        out.extend(message(b'S', &b));
    }
    out.extend(message(b'K', &[0, 0, 0, 42, 0, 0, 0, 7]));
    out.extend(message(b'Z', b"I"));
    stream.write_all(&out).await.unwrap();
    let mut statements = std::collections::HashMap::<String, String>::new();
    let (mut sql, mut param, mut sent) = (String::new(), None::<Vec<u8>>, 0usize);
    let mut parked = Vec::new();
    let mut wrote = false;
    loop {
        let Ok(tag) = stream.read_u8().await else {
            return;
        };
        let Ok(len) = stream.read_u32().await else {
            return;
        };
        let mut body = vec![0; usize::try_from(len).unwrap() - 4];
        if stream.read_exact(&mut body).await.is_err() {
            return;
        }
        let mut out = Vec::new();
        match tag {
            b'X' => return,
            b'H' => {}
            b'C' => out.extend(message(b'3', &[])),
            b'P' => {
                let parts: Vec<String> = body
                    .split(|&b| b == 0)
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect();
                statements.insert(parts[0].clone(), parts[1].clone());
                out.extend(message(b'1', &[]));
            }
            b'D' => {
                let name = String::from_utf8_lossy(&body[1..body.len() - 1]).into_owned();
                let text = statements.get(&name).cloned().unwrap_or_default();
                out.extend(message(b't', &0u16.to_be_bytes()));
                if text.starts_with("SELECT $1") {
                    out.extend(row_description("v", 23));
                } else if text.starts_with("SELECT") {
                    out.extend(row_description("n", 20));
                } else {
                    out.extend(message(b'n', &[]));
                }
            }
            b'B' => {
                let name_end = body[..].iter().position(|&b| b == 0).unwrap() + 1;
                let statement_end =
                    name_end + body[name_end..].iter().position(|&b| b == 0).unwrap();
                let name = String::from_utf8_lossy(&body[name_end..statement_end]).into_owned();
                sql = statements.get(&name).cloned().unwrap_or_default();
                param = first_param(&body);
                sent = 0;
                if sql.starts_with("INSERT") {
                    parked.extend(message(b'2', &[]));
                } else {
                    out.extend(message(b'2', &[]));
                }
            }
            b'E' => {
                let max_rows = i32::from_be_bytes(body[body.len() - 4..].try_into().unwrap());
                let page = usize::try_from(max_rows).unwrap_or(0);
                if sql.starts_with("SELECT $1") {
                    let v = String::from_utf8(param.clone().unwrap()).unwrap();
                    out.extend(data_row(&v));
                    out.extend(command_complete("SELECT 1"));
                } else if sql.starts_with("SELECT length") {
                    let n = param.as_ref().map_or(0, Vec::len);
                    out.extend(data_row(&n.to_string()));
                    out.extend(command_complete("SELECT 1"));
                } else if sql.starts_with("SELECT count") {
                    out.extend(data_row(&COUNT_ROWS.to_string()));
                    out.extend(command_complete("SELECT 1"));
                } else if sql.starts_with("SELECT g") {
                    let total = usize::try_from(STREAM_ROWS).unwrap();
                    let end = if page == 0 {
                        total
                    } else {
                        (sent + page).min(total)
                    };
                    for g in sent + 1..=end {
                        out.extend(data_row(&g.to_string()));
                    }
                    sent = end;
                    if end < total {
                        out.extend(message(b's', &[]));
                    } else {
                        out.extend(command_complete(&format!("SELECT {total}")));
                    }
                } else if sql.starts_with("INSERT INTO e") {
                    parked.extend(command_complete(&format!("INSERT 0 {EXECUTE_ROWS}")));
                    wrote = true;
                } else {
                    parked.extend(command_complete("INSERT 0 1"));
                    wrote = true;
                }
            }
            b'S' => {
                if wrote {
                    // The parked writes run now; their replies follow when they are done.
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    wrote = false;
                }
                out.append(&mut parked);
                out.extend(message(b'Z', b"I"));
                sql.clear();
            }
            other => panic!("unexpected frontend message {}", char::from(other)),
        }
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// A listening peer; its URL.
async fn cratedb_peer() -> CrateDbConnectOptions {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    // The scripted peer answers in the text format only.
    format!("crate+pg://crate@127.0.0.1:{port}/doc?binary_results=false")
        .parse::<CrateDbConnectOptions>()
        .unwrap()
        .bulk_rows(BULK_BATCH)
        .fetch_size(FETCH_SIZE)
}

/// One operation cut at every point against the CrateDB-like peer.
async fn cratedb_sweep(op: Op) {
    let opts = cratedb_peer().await;
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    let cuts = sweep_connection(&mut conn, &CRATEDB, op).await;
    eprintln!("cratedb peer {op:?}, one connection: {cuts} cancellation points");
    let pool = CrateDbPoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .unwrap();
    let cuts = Box::pin(sweep_pool(&pool, &CRATEDB, op)).await;
    eprintln!("cratedb peer {op:?}, pool of one: {cuts} cancellation points");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cratedb_bulk_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(cratedb_sweep(Op::Bulk)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cratedb_streaming_read_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(cratedb_sweep(Op::Stream)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cratedb_fetch_one_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(cratedb_sweep(Op::FetchOne)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cratedb_execute_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(cratedb_sweep(Op::Execute)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cratedb_large_write_cut_at_any_point_leaves_the_connection_in_step() {
    Box::pin(cratedb_sweep(Op::LargeWrite)).await;
}
