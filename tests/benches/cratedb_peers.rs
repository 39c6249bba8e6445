//! The Rust side of `scripts/bench-cratedb.sh`: sqlx-cratedb (over HTTP and over pgwire),
//! tokio-postgres and sqlx-postgres against a real CrateDB, one client and one workload per
//! process, each printing one JSON line that `scripts/bench/run.py` turns into the ratio table
//! of `sqlx-cratedb/BENCHMARKS.md`. Not a timed test and not part of `cargo test`.
//!
//! ```sh
//! cratedb_peers --client ours-http|ours-pgwire|tokio-postgres|sqlx-postgres \
//!     --workload point|read|insert [--rows N] [--batch B] [--queries Q] [--mode M]
//! ```
//!
//! The server is `CRATEDB_URL` (HTTP) or `CRATEDB_PG_URL` (pgwire); the tables
//! (`bench_peers.src`, `bench_peers.sink`) are made by the orchestrator. With
//! `BENCH_SERVER_PID` (the CrateDB process, when it runs on this machine) the line also carries
//! the server's CPU seconds over the timed region. Run without `--client` (as `cargo bench`
//! does), it only says how to run it.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone as _, Utc};
use futures_util::{StreamExt as _, TryStreamExt as _};
use nix::sys::resource::{UsageWho, getrusage};
use serde_json::{Value, json};
use sqlx::{Connection as _, Row as _};
use sqlx_cratedb::{CrateDbArguments, CrateDbConnectOptions, CrateDbConnection};
use tokio_postgres::types::ToSql;

type Res<T> = Result<T, Box<dyn StdError>>;

const POINT_SQL: &str = "SELECT id, qty, total, kind, price, ratio, active, name, note, created \
                         FROM bench_peers.src WHERE id = $1";
const READ_SQL: &str = "SELECT id, qty, total, kind, price, ratio, active, name, note, created \
                        FROM bench_peers.src";
const INSERT_SQL: &str = "INSERT INTO bench_peers.sink (id, qty, total, kind, price, ratio, \
                          active, name, note, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
                          $9, $10)";
/// sqlx-postgres's batch insert: one statement per batch, one array per column.
const UNNEST_SQL: &str = "INSERT INTO bench_peers.sink (id, qty, total, kind, price, ratio, \
                          active, name, note, created) SELECT * FROM UNNEST($1::BIGINT[], \
                          $2::INTEGER[], $3::BIGINT[], $4::SMALLINT[], $5::DOUBLE PRECISION[], \
                          $6::REAL[], $7::BOOLEAN[], $8::TEXT[], $9::TEXT[], \
                          $10::TIMESTAMP WITH TIME ZONE[])";
/// Untimed queries before the timed ones (connection warm-up, statement caches, JIT on the server).
const WARMUP: usize = 200;

/// The 10-column row, the same in every client (`scripts/bench/peers.py` makes the same values).
struct BenchRow {
    id: i64,
    qty: i32,
    total: i64,
    kind: i16,
    price: f64,
    ratio: f32,
    active: bool,
    name: String,
    note: String,
    created: DateTime<Utc>,
}

fn bench_row(i: i64) -> BenchRow {
    BenchRow {
        id: i,
        qty: (i % 1000) as i32,
        total: i * 7,
        kind: (i % 100) as i16,
        price: i as f64 / 3.0,
        ratio: (i % 1000) as f32 / 8.0,
        active: i % 2 == 0,
        name: format!("name-{i}"),
        note: format!("note text for row {i:07}"),
        created: Utc
            .timestamp_millis_opt(1_704_067_200_000 + i * 1000)
            .unwrap(),
    }
}

/// The ids of the point selects: the same pseudo-random sequence as `peers.py` (a 64-bit LCG).
fn point_ids(rows: usize, n: usize) -> Vec<i64> {
    let mut x: u64 = 42;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((x >> 33) % rows as u64) as i64 + 1
        })
        .collect()
}

/// The typed tuple every Rust client decodes a row into.
type Tuple<'r> = (
    i64,
    i32,
    i64,
    i16,
    f64,
    f32,
    bool,
    &'r str,
    &'r str,
    DateTime<Utc>,
);

/// Reads all 10 columns of a row (sqlx-cratedb, sqlx-postgres and tokio-postgres share `get`'s
/// shape; `try_get` so that a type the server sends differently is an error, not a panic).
macro_rules! tuple {
    ($row:expr) => {{
        let t: Tuple<'_> = (
            $row.try_get(0)?,
            $row.try_get(1)?,
            $row.try_get(2)?,
            $row.try_get(3)?,
            $row.try_get(4)?,
            $row.try_get(5)?,
            $row.try_get(6)?,
            $row.try_get(7)?,
            $row.try_get(8)?,
            $row.try_get(9)?,
        );
        t
    }};
}

/// Something of every column, so that no decode is optimised away.
fn touch(t: &Tuple<'_>) -> i64 {
    t.0 + i64::from(t.1)
        + t.2
        + i64::from(t.3)
        + i64::from(t.4 > 0.0)
        + i64::from(t.5 >= 0.0)
        + i64::from(t.6)
        + t.7.len() as i64
        + t.8.len() as i64
        + t.9.timestamp_millis() % 2
}

fn timeval(t: nix::sys::time::TimeVal) -> Duration {
    Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000)
}

/// CPU time (user + system) of this whole process, all threads.
fn process_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    timeval(usage.user_time()) + timeval(usage.system_time())
}

/// CPU time of the server process named by `BENCH_SERVER_PID` (`/proc/<pid>/stat` utime +
/// stime in the kernel's 100 Hz user-visible ticks), if it is on this machine.
fn server_cpu() -> Option<Duration> {
    let pid = std::env::var("BENCH_SERVER_PID").ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Wall, client CPU and server CPU of one timed region.
struct Meter {
    wall: Instant,
    cpu: Duration,
    server: Option<Duration>,
}

impl Meter {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: process_cpu(),
            server: server_cpu(),
        }
    }

    /// The figures since `start`, as the JSON fields every client reports.
    fn stop(&self) -> Value {
        let wall = self.wall.elapsed();
        let cpu = process_cpu().saturating_sub(self.cpu);
        let server = match (self.server, server_cpu()) {
            (Some(a), Some(b)) => json!(b.saturating_sub(a).as_secs_f64()),
            _ => Value::Null,
        };
        json!({"wall_s": wall.as_secs_f64(), "cpu_s": cpu.as_secs_f64(), "server_cpu_s": server})
    }
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// p50, p99 and mean of per-query latencies, in microseconds.
fn latency_fields(mut lat: Vec<Duration>) -> Value {
    lat.sort_unstable();
    let n = lat.len();
    // Nearest rank: the smallest value with at least p% of the samples at or below it.
    let rank = |p: usize| lat[(n * p).div_ceil(100).max(1) - 1].as_secs_f64() * 1e6;
    let mean = lat.iter().sum::<Duration>().as_secs_f64() * 1e6 / n as f64;
    json!({"p50_us": rank(50), "p99_us": rank(99), "mean_us": mean})
}

/// The point-select loop every client runs: `one(id)` fetches and decodes a row (returning
/// [`touch`] of it); the first [`WARMUP`] are untimed.
async fn point_loop<F: AsyncFnMut(i64) -> Res<i64>>(args: &Args, mut one: F) -> Res<Value> {
    let ids = point_ids(args.rows, WARMUP + args.queries);
    let mut lat = Vec::with_capacity(args.queries);
    let mut sum = 0;
    let mut meter = Meter::start();
    for (k, &id) in ids.iter().enumerate() {
        if k == WARMUP {
            meter = Meter::start();
        }
        let t = Instant::now();
        sum += one(id).await?;
        if k >= WARMUP {
            lat.push(t.elapsed());
        }
    }
    let m = meter.stop();
    if sum <= 0 {
        return Err("point selects read nothing".into());
    }
    Ok(merge(m, latency_fields(lat)))
}

struct Args {
    client: String,
    workload: String,
    rows: usize,
    batch: usize,
    queries: usize,
    /// tokio-postgres insert: `pipelined` (default) or `unnest`.
    mode: String,
}

fn parse_args() -> Option<Args> {
    let mut args = Args {
        client: String::new(),
        workload: String::new(),
        rows: 1_000_000,
        batch: 5_000,
        queries: 5_000,
        mode: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match a.as_str() {
            "--client" => args.client = value(),
            "--workload" => args.workload = value(),
            "--rows" => args.rows = value().parse().ok()?,
            "--batch" => args.batch = value().parse().ok()?,
            "--queries" => args.queries = value().parse().ok()?,
            "--mode" => args.mode = value(),
            _ => {} // `--bench` from cargo
        }
    }
    (!args.client.is_empty()).then_some(args)
}

fn env_url(name: &str) -> Res<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

async fn ours(args: &Args, url_var: &str) -> Res<Value> {
    let mut opts: CrateDbConnectOptions = env_url(url_var)?.parse()?;
    if args.workload == "insert" {
        opts = opts.bulk_rows(args.batch);
    }
    let mut conn = CrateDbConnection::connect_with(&opts).await?;
    match args.workload.as_str() {
        "point" => {
            point_loop(args, async |id| {
                let row = sqlx::query(POINT_SQL).bind(id).fetch_one(&mut conn).await?;
                Ok(touch(&tuple!(row)))
            })
            .await
        }
        "read" => {
            let meter = Meter::start();
            let (mut n, mut sum) = (0usize, 0i64);
            let mut s = sqlx::query(READ_SQL).fetch(&mut conn);
            while let Some(row) = s.try_next().await? {
                sum += touch(&tuple!(row));
                n += 1;
            }
            drop(s);
            let m = meter.stop();
            check_rows(n, args.rows, sum)?;
            Ok(m)
        }
        "insert" => ours_insert(&mut conn, args).await,
        w => Err(format!("unknown workload {w}").into()),
    }
}

/// sqlx-cratedb inserts: `execute_bulk` (default; a result per row), or `unnest`: one
/// `INSERT … SELECT FROM UNNEST` per batch with one array per column (a row count only).
async fn ours_insert(conn: &mut CrateDbConnection, args: &Args) -> Res<Value> {
    match args.mode.as_str() {
        "" | "bulk" => {
            let data: Vec<BenchRow> = (1..=args.rows as i64).map(bench_row).collect();
            let meter = Meter::start();
            let result = conn
                .execute_bulk(
                    INSERT_SQL,
                    data.iter().map(|r| {
                        CrateDbArguments::default()
                            .bind(r.id)
                            .bind(r.qty)
                            .bind(r.total)
                            .bind(r.kind)
                            .bind(r.price)
                            .bind(r.ratio)
                            .bind(r.active)
                            .bind(r.name.as_str())
                            .bind(r.note.as_str())
                            .bind(r.created)
                    }),
                )
                .await?;
            let m = meter.stop();
            if !result.is_success() || result.rows_affected() != args.rows as u64 {
                return Err(format!(
                    "bulk insert: {} rows affected of {}, first failure: {:?}",
                    result.rows_affected(),
                    args.rows,
                    result.failures().next().map(ToString::to_string)
                )
                .into());
            }
            Ok(m)
        }
        "unnest" => {
            let data: Vec<BenchRow> = (1..=args.rows as i64).map(bench_row).collect();
            let meter = Meter::start();
            let mut affected = 0;
            for chunk in data.chunks(args.batch) {
                macro_rules! col {
                    ($f:ident) => {
                        chunk.iter().map(|r| r.$f).collect::<Vec<_>>()
                    };
                }
                macro_rules! text {
                    ($f:ident) => {
                        chunk.iter().map(|r| r.$f.as_str()).collect::<Vec<_>>()
                    };
                }
                affected += sqlx::query(UNNEST_SQL)
                    .bind(col!(id))
                    .bind(col!(qty))
                    .bind(col!(total))
                    .bind(col!(kind))
                    .bind(col!(price))
                    .bind(col!(ratio))
                    .bind(col!(active))
                    .bind(text!(name))
                    .bind(text!(note))
                    .bind(col!(created))
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            }
            let m = meter.stop();
            if affected != args.rows as u64 {
                return Err(format!("inserted {affected} rows of {}", args.rows).into());
            }
            Ok(m)
        }
        m => Err(format!("unknown insert mode {m}").into()),
    }
}

fn check_rows(n: usize, want: usize, sum: i64) -> Res<()> {
    if n == want && sum > 0 {
        Ok(())
    } else {
        Err(format!("read {n} rows, expected {want}").into())
    }
}

async fn tokio_postgres_client(args: &Args) -> Res<Value> {
    let (client, connection) =
        tokio_postgres::connect(&env_url("CRATEDB_PG_URL")?, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    match args.workload.as_str() {
        "point" => {
            let statement = client.prepare(POINT_SQL).await?;
            point_loop(args, async |id| {
                let row = client.query_one(&statement, &[&id]).await?;
                Ok(touch(&tuple!(row)))
            })
            .await
        }
        "read" => {
            let meter = Meter::start();
            let (mut n, mut sum) = (0usize, 0i64);
            let s = client
                .query_raw(READ_SQL, std::iter::empty::<i64>())
                .await?;
            let mut s = std::pin::pin!(s);
            while let Some(row) = s.next().await {
                let row = row?;
                sum += touch(&tuple!(row));
                n += 1;
            }
            let m = meter.stop();
            check_rows(n, args.rows, sum)?;
            Ok(m)
        }
        "insert" => tokio_postgres_insert(&client, args).await,
        w => Err(format!("unknown workload {w}").into()),
    }
}

/// tokio-postgres inserts: `unnest` (one statement per batch with one array per column) or,
/// by default, the prepared INSERT pipelined `batch` executions at a time.
async fn tokio_postgres_insert(client: &tokio_postgres::Client, args: &Args) -> Res<Value> {
    match args.mode.as_str() {
        "unnest" => {
            let statement = client.prepare(UNNEST_SQL).await?;
            let data: Vec<BenchRow> = (1..=args.rows as i64).map(bench_row).collect();
            let meter = Meter::start();
            // One statement per batch with one array per column, as sqlx-postgres below.
            let mut affected = 0;
            for chunk in data.chunks(args.batch) {
                macro_rules! col {
                    ($f:ident) => {
                        chunk.iter().map(|r| r.$f).collect::<Vec<_>>()
                    };
                }
                macro_rules! text {
                    ($f:ident) => {
                        chunk.iter().map(|r| r.$f.as_str()).collect::<Vec<_>>()
                    };
                }
                affected += client
                    .execute(
                        &statement,
                        &[
                            &col!(id),
                            &col!(qty),
                            &col!(total),
                            &col!(kind),
                            &col!(price),
                            &col!(ratio),
                            &col!(active),
                            &text!(name),
                            &text!(note),
                            &col!(created),
                        ],
                    )
                    .await?;
            }
            let m = meter.stop();
            if affected != args.rows as u64 {
                return Err(format!("inserted {affected} rows of {}", args.rows).into());
            }
            Ok(m)
        }
        "" | "pipelined" => {
            let statement = client.prepare(INSERT_SQL).await?;
            let data: Vec<BenchRow> = (1..=args.rows as i64).map(bench_row).collect();
            let meter = Meter::start();
            // A batch of executions pipelined on the one connection (Bind, Execute, Sync each).
            let mut affected = 0;
            for chunk in data.chunks(args.batch) {
                let futures = chunk.iter().map(|r| {
                    let params: [&(dyn ToSql + Sync); 10] = [
                        &r.id, &r.qty, &r.total, &r.kind, &r.price, &r.ratio, &r.active, &r.name,
                        &r.note, &r.created,
                    ];
                    client.execute_raw(&statement, params)
                });
                affected += futures_util::future::try_join_all(futures)
                    .await?
                    .iter()
                    .sum::<u64>();
            }
            let m = meter.stop();
            if affected != args.rows as u64 {
                return Err(format!("inserted {affected} rows of {}", args.rows).into());
            }
            Ok(m)
        }
        m => Err(format!("unknown tokio-postgres insert mode {m}").into()),
    }
}

async fn sqlx_postgres_client(args: &Args) -> Res<Value> {
    let mut conn = sqlx::PgConnection::connect(&env_url("CRATEDB_PG_URL")?).await?;
    match args.workload.as_str() {
        "point" => {
            point_loop(args, async |id| {
                let row = sqlx::query(POINT_SQL).bind(id).fetch_one(&mut conn).await?;
                Ok(touch(&tuple!(row)))
            })
            .await
        }
        "read" => {
            let meter = Meter::start();
            let (mut n, mut sum) = (0usize, 0i64);
            let mut s = sqlx::query(READ_SQL).fetch(&mut conn);
            while let Some(row) = s.try_next().await? {
                sum += touch(&tuple!(row));
                n += 1;
            }
            drop(s);
            let m = meter.stop();
            check_rows(n, args.rows, sum)?;
            Ok(m)
        }
        "insert" => {
            let data: Vec<BenchRow> = (1..=args.rows as i64).map(bench_row).collect();
            let meter = Meter::start();
            // sqlx's own batch insert: one statement per batch with a column of arrays each.
            let mut affected = 0;
            for chunk in data.chunks(args.batch) {
                macro_rules! col {
                    ($f:ident) => {
                        chunk.iter().map(|r| r.$f).collect::<Vec<_>>()
                    };
                }
                macro_rules! text {
                    ($f:ident) => {
                        chunk.iter().map(|r| r.$f.as_str()).collect::<Vec<_>>()
                    };
                }
                affected += sqlx::query(UNNEST_SQL)
                    .bind(col!(id))
                    .bind(col!(qty))
                    .bind(col!(total))
                    .bind(col!(kind))
                    .bind(col!(price))
                    .bind(col!(ratio))
                    .bind(col!(active))
                    .bind(text!(name))
                    .bind(text!(note))
                    .bind(col!(created))
                    .execute(&mut conn)
                    .await?
                    .rows_affected();
            }
            let m = meter.stop();
            if affected != args.rows as u64 {
                return Err(format!("inserted {affected} rows of {}", args.rows).into());
            }
            Ok(m)
        }
        w => Err(format!("unknown workload {w}").into()),
    }
}

fn main() {
    let Some(args) = parse_args() else {
        println!(
            "cratedb_peers: run through scripts/bench-cratedb.sh (needs CRATEDB_URL and \
             CRATEDB_PG_URL); by hand: --client ours-http|ours-pgwire|tokio-postgres|sqlx-postgres \
             --workload point|read|insert [--rows N] [--batch B] [--queries Q]"
        );
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (transport, result) = rt.block_on(async {
        match args.client.as_str() {
            "ours-http" => ("http", ours(&args, "CRATEDB_URL").await),
            "ours-pgwire" => ("pgwire", ours(&args, "CRATEDB_PG_URL").await),
            "tokio-postgres" => ("pgwire", tokio_postgres_client(&args).await),
            "sqlx-postgres" => ("pgwire", sqlx_postgres_client(&args).await),
            c => ("?", Err(format!("unknown client {c}").into())),
        }
    });
    let head = json!({
        "client": args.client,
        "transport": transport,
        "workload": args.workload,
        "rows": args.rows,
        "batch": (args.workload == "insert").then_some(args.batch),
        "queries": (args.workload == "point").then_some(args.queries),
        "mode": (!args.mode.is_empty()).then_some(&args.mode),
    });
    let line = match result {
        Ok(fields) => merge(head, fields),
        Err(e) => merge(head, json!({"error": e.to_string()})),
    };
    println!("{line}");
}
