//! Side-by-side benchmarks of the pgwire transport against the clients a user would otherwise
//! pick, on the same throwaway PostgreSQL in the same run; the report gives ratios (these
//! machines are shared and noisy, so absolute numbers mean little). Not a timed test.
//!
//! `cargo bench -p cratedb-integration --bench pgwire`. Sizes: `PGWIRE_BENCH_ROWS` (streaming
//! read, default 1,000,000 rows x 7 columns), `PGWIRE_BENCH_BULK_ROWS` (bulk insert, default
//! 1,000,000), `PGWIRE_BENCH_QUERIES` (latency, default 5,000). The text-against-binary
//! section reads `PGWIRE_BENCH_ROWS` rows of three timestamps from this PostgreSQL and, when
//! `CRATEDB_PG_URL` names a CrateDB's pgwire endpoint, from CrateDB too.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::time::{Duration, Instant};

use cratedb_integration::pg::{PgAuth, PgServer, PgServerConfig};
use futures_util::{StreamExt as _, TryStreamExt as _};
use nix::sys::resource::{UsageWho, getrusage};
use sqlx::{Connection as _, Row as _};
use sqlx_cratedb::{CrateDbArguments, CrateDbConnectOptions, CrateDbConnection};
use tokio_postgres::types::ToSql;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const READ_SQL: &str = "SELECT a, b, c, d, e, f, g FROM bench";

/// CPU time of this thread: the client's work (the runtime is single-threaded; the server is
/// another process).
fn thread_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_THREAD).unwrap();
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::new(
            u64::try_from(t.tv_sec()).unwrap(),
            u32::try_from(t.tv_usec()).unwrap() * 1000,
        )
    };
    tv(usage.user_time()) + tv(usage.system_time())
}

/// Wall time and client CPU time of one run.
#[derive(Clone, Copy)]
struct Cost {
    wall: Duration,
    cpu: Duration,
}

impl Cost {
    /// The start of a best-of: worse than any run.
    const WORST: Self = Self {
        wall: Duration::MAX,
        cpu: Duration::MAX,
    };

    /// The better wall time and the better CPU time of `self` and `other`.
    fn best(self, other: Self) -> Self {
        Self {
            wall: self.wall.min(other.wall),
            cpu: self.cpu.min(other.cpu),
        }
    }
}

/// Runs `f` once and measures it.
async fn measure<F: AsyncFnOnce()>(f: F) -> Cost {
    let (t, c) = (Instant::now(), thread_cpu());
    f().await;
    Cost {
        wall: t.elapsed(),
        cpu: thread_cpu().saturating_sub(c),
    }
}

/// `PGWIRE_BENCH_ONLY=ours` runs only this driver's side (for profiling).
fn only_ours() -> bool {
    std::env::var("PGWIRE_BENCH_ONLY").as_deref() == Ok("ours")
}

struct Clients {
    ours: CrateDbConnection,
    tp: tokio_postgres::Client,
    sp: sqlx::PgConnection,
}

async fn clients(server: &PgServer) -> Clients {
    let opts: CrateDbConnectOptions = server.crate_url().parse().unwrap();
    let ours = CrateDbConnection::connect_with(&opts).await.unwrap();
    let (tp, connection) = tokio_postgres::connect(
        &format!(
            "host={} port={} user={} password={} dbname={}",
            server.host(),
            server.port(),
            server.user(),
            server.password(),
            server.database()
        ),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    let sp = sqlx::PgConnection::connect(&server.url()).await.unwrap();
    Clients { ours, tp, sp }
}

/// One row of a comparison table: rows/s by wall time and client CPU ns/row, with ratios
/// (`ours / other` for rows/s; `other / ours` for CPU, so above 1 is better for both).
fn line(name: &str, ours: Cost, other: Cost, rows: usize) {
    let r = rows as f64;
    println!(
        "| {name} | {:.0} | {:.0} | {:.2}x | {:.0} ns | {:.0} ns | {:.2}x |",
        r / ours.wall.as_secs_f64(),
        r / other.wall.as_secs_f64(),
        other.wall.as_secs_f64() / ours.wall.as_secs_f64(),
        ours.cpu.as_secs_f64() * 1e9 / r,
        other.cpu.as_secs_f64() * 1e9 / r,
        other.cpu.as_secs_f64() / ours.cpu.as_secs_f64(),
    );
}

/// Reads the 7 columns of a row as the typed tuple all three clients decode into.
macro_rules! tuple {
    ($row:expr) => {{
        let t: (i32, i32, i32, &str, f64, i32, &str) = (
            $row.get(0),
            $row.get(1),
            $row.get(2),
            $row.get(3),
            $row.get(4),
            $row.get(5),
            $row.get(6),
        );
        usize::from(!t.3.is_empty() && t.4 >= 0.0)
    }};
}

async fn streaming(c: &mut Clients, rows: usize) {
    const ROUNDS: usize = 5;
    let (mut ours, mut tp, mut sp) = (Cost::WORST, Cost::WORST, Cost::WORST);
    // Alternating rounds, best of each, so that all three see the same machine load.
    for _ in 0..ROUNDS {
        let round = measure(async || {
            let mut n = 0usize;
            let mut s = sqlx::query(READ_SQL).fetch(&mut c.ours);
            while let Some(row) = s.try_next().await.unwrap() {
                n += tuple!(row);
            }
            assert_eq!(n, rows);
        })
        .await;
        ours = ours.best(round);
        if only_ours() {
            continue;
        }
        let round = measure(async || {
            let mut n = 0usize;
            let s =
                c.tp.query_raw(READ_SQL, std::iter::empty::<i32>())
                    .await
                    .unwrap();
            let mut s = std::pin::pin!(s);
            while let Some(row) = s.next().await {
                let row = row.unwrap();
                n += tuple!(row);
            }
            assert_eq!(n, rows);
        })
        .await;
        tp = tp.best(round);
        let round = measure(async || {
            let mut n = 0usize;
            let mut s = sqlx::query(READ_SQL).fetch(&mut c.sp);
            while let Some(row) = s.try_next().await.unwrap() {
                n += tuple!(row);
            }
            assert_eq!(n, rows);
        })
        .await;
        sp = sp.best(round);
    }
    if only_ours() {
        return;
    }
    let fetch = c.ours.options().get_fetch_size();
    println!(
        "\n### Streaming read, {rows} rows x 7 columns (best of {ROUNDS} alternating rounds; ours \
         pages {fetch} rows per round trip in text format, the others read the whole result in \
         binary)\n"
    );
    println!(
        "| compared with | ours rows/s | other rows/s | ours / other | ours CPU/row | other CPU/row | other / ours |"
    );
    println!("|---|---|---|---|---|---|---|");
    line("tokio-postgres", ours, tp, rows);
    line("sqlx-postgres", ours, sp, rows);
}

/// Streams `sql` over two connections of `url`, one with binary results for timestamps and
/// one all in text, alternating rounds; prints one table row.
async fn text_against_binary(name: &str, url: &str, sql: &'static str, rows: usize) {
    const ROUNDS: usize = 5;
    let options: CrateDbConnectOptions = url.parse().unwrap();
    let mut binary = CrateDbConnection::connect_with(&options.clone().binary_results(true))
        .await
        .unwrap();
    let mut text = CrateDbConnection::connect_with(&options.binary_results(false))
        .await
        .unwrap();
    let read = async |conn: &mut CrateDbConnection| {
        let mut n = 0usize;
        let mut s = sqlx::query(sql).fetch(conn);
        while let Some(row) = s.try_next().await.unwrap() {
            let t: (
                chrono::DateTime<chrono::Utc>,
                chrono::DateTime<chrono::Utc>,
                i32,
            ) = (row.get(0), row.get(1), row.get(2));
            n += usize::from(t.0 <= t.1 && t.2 >= 0);
        }
        assert_eq!(n, rows);
    };
    // The first run of a statement is text on both (its columns are not known yet).
    read(&mut binary).await;
    read(&mut text).await;
    let (mut b, mut t) = (Cost::WORST, Cost::WORST);
    for _ in 0..ROUNDS {
        b = b.best(measure(async || read(&mut binary).await).await);
        t = t.best(measure(async || read(&mut text).await).await);
    }
    line(name, b, t, rows);
    binary.close().await.unwrap();
    text.close().await.unwrap();
}

async fn latency(c: &mut Clients, n: usize) {
    const ROUNDS: usize = 7;
    let statement = c.tp.prepare("SELECT $1::int4").await.unwrap();
    let (mut ours, mut tp) = (Cost::WORST, Cost::WORST);
    // Alternating rounds, best of each, so that both see the same machine load.
    for _ in 0..ROUNDS {
        let o = measure(async || {
            for i in 0..n {
                let v: i32 = sqlx::query_scalar("SELECT $1::int4")
                    .bind(i32::try_from(i).unwrap())
                    .fetch_one(&mut c.ours)
                    .await
                    .unwrap();
                assert_eq!(usize::try_from(v).unwrap(), i);
            }
        })
        .await;
        ours = ours.best(o);
        if only_ours() {
            continue;
        }
        let t = measure(async || {
            for i in 0..n {
                let row =
                    c.tp.query_one(&statement, &[&i32::try_from(i).unwrap()])
                        .await
                        .unwrap();
                assert_eq!(usize::try_from(row.get::<_, i32>(0)).unwrap(), i);
            }
        })
        .await;
        tp = tp.best(t);
    }
    if only_ours() {
        return;
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!(
        "\n### Single-query latency, `SELECT $1::int4` x {n} (best of {ROUNDS} alternating rounds)\n"
    );
    println!(
        "| compared with | ours µs/query | other µs/query | ours - other | ours CPU/query | other CPU/query |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| tokio-postgres | {:.1} | {:.1} | {:+.1} µs | {:.1} µs | {:.1} µs |",
        per(ours.wall),
        per(tp.wall),
        per(ours.wall) - per(tp.wall),
        per(ours.cpu),
        per(tp.cpu)
    );
}

fn bulk_row(i: usize) -> (i32, i32, i32, String, f64, i32, String) {
    let n = i32::try_from(i).unwrap();
    (
        n,
        n * 2,
        n % 7,
        format!("text {i}"),
        f64::from(n) / 3.0,
        5,
        "g".to_owned(),
    )
}

async fn truncate(c: &mut Clients) {
    c.tp.batch_execute("TRUNCATE sink").await.unwrap();
}

/// CPU time of a PostgreSQL backend process (`/proc/<pid>/stat` utime + stime, in the kernel's
/// fixed 100 Hz user-visible ticks), to show where a bulk insert spends its time.
fn backend_cpu(pid: i32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// A bulk run: its cost on the client and on the server backend.
struct BulkCost {
    client: Cost,
    server: Duration,
}

async fn measured<F: AsyncFnMut()>(pid: i32, f: F) -> BulkCost {
    let before = backend_cpu(pid);
    let client = measure(f).await;
    BulkCost {
        client,
        server: backend_cpu(pid).saturating_sub(before),
    }
}

/// tokio-postgres: the prepared INSERT, `batch` executions pipelined at a time.
async fn bulk_tokio_postgres(
    c: &Clients,
    pid: i32,
    insert: &str,
    rows: usize,
    batch: usize,
) -> BulkCost {
    let statement = c.tp.prepare(insert).await.unwrap();
    measured(pid, async || {
        for start in (0..rows).step_by(batch) {
            let data: Vec<_> = (start..(start + batch).min(rows)).map(bulk_row).collect();
            let futures = data.iter().map(|r| {
                let params: Vec<&(dyn ToSql + Sync)> =
                    vec![&r.0, &r.1, &r.2, &r.3, &r.4, &r.5, &r.6];
                c.tp.execute_raw(&statement, params)
            });
            futures_util::future::try_join_all(futures).await.unwrap();
        }
    })
    .await
}

/// sqlx-postgres: one `INSERT … SELECT * FROM UNNEST(arrays)` per batch.
async fn bulk_unnest(c: &mut Clients, pid: i32, rows: usize, batch: usize) -> BulkCost {
    measured(pid, async || {
        for start in (0..rows).step_by(batch) {
            let data: Vec<_> = (start..(start + batch).min(rows)).map(bulk_row).collect();
            sqlx::query(
                "INSERT INTO sink (a, b, c, d, e, f, g) SELECT * FROM UNNEST($1::int4[], \
                 $2::int4[], $3::int4[], $4::text[], $5::float8[], $6::int4[], $7::text[])",
            )
            .bind(data.iter().map(|r| r.0).collect::<Vec<_>>())
            .bind(data.iter().map(|r| r.1).collect::<Vec<_>>())
            .bind(data.iter().map(|r| r.2).collect::<Vec<_>>())
            .bind(data.iter().map(|r| r.3.clone()).collect::<Vec<_>>())
            .bind(data.iter().map(|r| r.4).collect::<Vec<_>>())
            .bind(data.iter().map(|r| r.5).collect::<Vec<_>>())
            .bind(data.iter().map(|r| r.6.clone()).collect::<Vec<_>>())
            .execute(&mut c.sp)
            .await
            .unwrap();
        }
    })
    .await
}

async fn bulk(c: &mut Clients, server: &PgServer, rows: usize) {
    let r = rows as f64;
    let per_row = |d: Duration| format!("{:.0} ns", d.as_secs_f64() * 1e9 / r);
    println!(
        "\n### Bulk insert, {rows} rows x 7 columns (rows/s by wall time; CPU ns/row of the client \
         and of its PostgreSQL backend)\n"
    );
    println!(
        "| batch | ours `execute_bulk` rows/s | tokio-postgres pipelined | sqlx-postgres `UNNEST` | ours / best other | CPU/row client + server: ours | tokio-postgres | sqlx `UNNEST` |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let insert = "INSERT INTO sink (a, b, c, d, e, f, g) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    let tp_pid: i32 =
        c.tp.query_one("SELECT pg_backend_pid()", &[])
            .await
            .unwrap()
            .get(0);
    let sp_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut c.sp)
        .await
        .unwrap();
    for batch in [1_000, 5_000, 20_000] {
        let opts: CrateDbConnectOptions = server.crate_url().parse().unwrap();
        let mut ours_conn = CrateDbConnection::connect_with(&opts.bulk_rows(batch))
            .await
            .unwrap();
        let ours_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut ours_conn)
            .await
            .unwrap();
        truncate(c).await;
        let ours = measured(ours_pid, async || {
            let args = (0..rows).map(|i| {
                let r = bulk_row(i);
                CrateDbArguments::default()
                    .bind(r.0)
                    .bind(r.1)
                    .bind(r.2)
                    .bind(r.3)
                    .bind(r.4)
                    .bind(r.5)
                    .bind(r.6)
            });
            let result = ours_conn.execute_bulk(insert, args).await.unwrap();
            assert!(result.is_success());
            assert_eq!(result.rows_affected(), rows as u64);
        })
        .await;
        ours_conn.close().await.unwrap();
        if only_ours() {
            println!(
                "| {batch} | {:.0} | - | - | - | {} + {} | - | - |",
                r / ours.client.wall.as_secs_f64(),
                per_row(ours.client.cpu),
                per_row(ours.server)
            );
            continue;
        }

        truncate(c).await;
        let tp = bulk_tokio_postgres(c, tp_pid, insert, rows, batch).await;

        truncate(c).await;
        let sp = bulk_unnest(c, sp_pid, rows, batch).await;
        let both = |b: &BulkCost| format!("{} + {}", per_row(b.client.cpu), per_row(b.server));
        println!(
            "| {batch} | {:.0} | {:.0} | {:.0} | {:.2}x | {} | {} | {} |",
            r / ours.client.wall.as_secs_f64(),
            r / tp.client.wall.as_secs_f64(),
            r / sp.client.wall.as_secs_f64(),
            tp.client.wall.min(sp.client.wall).as_secs_f64() / ours.client.wall.as_secs_f64(),
            both(&ours),
            both(&tp),
            both(&sp),
        );
    }
}

fn main() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new().auth(PgAuth::Password)) else {
        return;
    };
    let rows = env("PGWIRE_BENCH_ROWS", 1_000_000);
    let bulk_rows = env("PGWIRE_BENCH_BULK_ROWS", 1_000_000);
    let queries = env("PGWIRE_BENCH_QUERIES", 5_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut c = clients(&server).await;
        c.tp.batch_execute(&format!(
            "CREATE TABLE bench (a int, b int, c int, d text, e float8, f int, g text); \
             INSERT INTO bench SELECT g, g * 2, g % 7, 'text ' || g, g / 3.0, 5, 'g' \
             FROM generate_series(1, {rows}) AS g; \
             CREATE TABLE sink (a int, b int, c int, d text, e float8, f int, g text);"
        ))
        .await
        .unwrap();
        c.tp.batch_execute("VACUUM ANALYZE bench").await.unwrap();
        println!("## pgwire benchmarks (same PostgreSQL, same run)");
        streaming(&mut c, rows).await;
        latency(&mut c, queries).await;
        bulk(&mut c, &server, bulk_rows).await;
        c.tp.batch_execute(&format!(
            "CREATE TABLE bench_ts (a timestamptz, b timestamptz, c int); \
             INSERT INTO bench_ts SELECT t, t + interval '1 hour', g \
             FROM generate_series(1, {rows}) AS g, \
             LATERAL (SELECT timestamptz '2024-01-01 00:00:00.123+00' + g * interval '1 s') AS x(t);"
        ))
        .await
        .unwrap();
        c.tp.batch_execute("VACUUM ANALYZE bench_ts").await.unwrap();
        println!(
            "\n### Timestamps: binary results against text, {rows} rows x (2 timestamptz, 1 int), \
             best of 5 alternating rounds (\"ours\" = binary_results=true, \"other\" = false)\n"
        );
        println!(
            "| server | binary rows/s | text rows/s | binary / text | binary CPU/row | text CPU/row | text / binary |"
        );
        println!("|---|---|---|---|---|---|---|");
        let ts_sql = "SELECT a, b, c FROM bench_ts";
        text_against_binary("PostgreSQL 15", &server.crate_url(), ts_sql, rows).await;
        if let Ok(url) = std::env::var("CRATEDB_PG_URL") {
            let mut conn = CrateDbConnection::connect(&url).await.unwrap();
            for sql in [
                "DROP TABLE IF EXISTS bench_ts".to_owned(),
                "CREATE TABLE bench_ts (a TIMESTAMP WITH TIME ZONE, b TIMESTAMP WITH TIME ZONE, \
                 c INT)"
                    .to_owned(),
                format!(
                    "INSERT INTO bench_ts (a, b, c) SELECT 1704067200123 + g * 1000, \
                     1704070800123 + g * 1000, g::int FROM generate_series(1, {rows}) AS g"
                ),
                "REFRESH TABLE bench_ts".to_owned(),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
            text_against_binary("CrateDB", &url, ts_sql, rows).await;
        }
        c.tp.batch_execute(&format!(
            "CREATE TABLE bench_num (a bigint, b double precision, c real, d boolean); \
             INSERT INTO bench_num SELECT g * 7919, g / 3.0, (g % 1000) / 8.0, g % 2 = 0 \
             FROM generate_series(1, {rows}) AS g; VACUUM ANALYZE bench_num;"
        ))
        .await
        .unwrap();
        println!(
            "\n### Numbers and booleans: binary results against text, {rows} rows x (bigint, \
             double, real, boolean), best of 5 alternating rounds\n"
        );
        println!(
            "| server | binary rows/s | text rows/s | binary / text | binary CPU/row | text CPU/row | text / binary |"
        );
        println!("|---|---|---|---|---|---|---|");
        let num_sql = "SELECT a, b, c, d FROM bench_num";
        text_against_binary("PostgreSQL 15", &server.crate_url(), num_sql, rows).await;
        if let Ok(url) = std::env::var("CRATEDB_PG_URL") {
            let mut conn = CrateDbConnection::connect(&url).await.unwrap();
            for sql in [
                "DROP TABLE IF EXISTS bench_num".to_owned(),
                "CREATE TABLE bench_num (a BIGINT, b DOUBLE PRECISION, c REAL, d BOOLEAN)".to_owned(),
                format!(
                    "INSERT INTO bench_num (a, b, c, d) SELECT g * 7919, g / 3.0, (g % 1000) / 8.0, \
                     g % 2 = 0 FROM generate_series(1, {rows}) AS g"
                ),
                "REFRESH TABLE bench_num".to_owned(),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
            text_against_binary("CrateDB", &url, num_sql, rows).await;
        }
        c.ours.close().await.unwrap();
    });
}
