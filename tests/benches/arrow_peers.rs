//! The Rust side of `scripts/bench-arrow.sh`: Arrow reads with sqlx-cratedb-arrow, one client
//! and run per process (so that its peak memory is its own), one JSON line each.
//!
//! ```text
//! arrow_peers serve-pg                      start a throwaway PostgreSQL; print its URLs as
//!                                           JSON; stop it when stdin closes
//! arrow_peers fill  --url U --rows N        (re)make and fill the table bench_arrow_src
//! arrow_peers sink  --url U                 (re)make the empty table bench_load_sink
//! arrow_peers count --url U --table T       refresh T and print its row count
//! arrow_peers read  --url U --client C      read it as record batches; C is ours (one
//!                   [--partitions P]        stream) or ours-partitioned (P range partitions
//!                   [--keep]                on id, P connections); --keep collects every batch
//!                                           (as a DataFrame read would), else batches are
//!                                           counted and dropped (memory bounded by the batch)
//! ```
//! Without `--keep` the peak RSS shows the bound of a streaming read; with it, the size of the
//! result in Arrow.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss
)]

use std::error::Error as StdError;
use std::io::Read as _;
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray as _;
use arrow_array::types::Int64Type;
use cratedb_integration::pg::{PgServer, PgServerConfig};
use futures_util::TryStreamExt as _;
use nix::sys::resource::{UsageWho, getrusage};
use serde_json::json;
use sqlx::AssertSqlSafe;
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbPool, CrateDbPoolOptions, CrateDbProtocol};
use sqlx_cratedb_arrow::{PartitionedRead, ReadOptions, fetch_record_batches};

type Res<T> = Result<T, Box<dyn StdError>>;

/// The read every client runs.
const QUERY: &str = "SELECT * FROM bench_arrow_src";

/// The 10 mixed columns of the CrateDB benchmark (`scripts/bench/run.py`), as `CREATE TABLE`.
fn create_sql(cratedb: bool, table: &str) -> String {
    let with = if cratedb {
        " CLUSTERED INTO 4 SHARDS WITH (number_of_replicas = 0)"
    } else {
        ""
    };
    format!(
        "CREATE TABLE {table} (id BIGINT PRIMARY KEY, qty INTEGER, total BIGINT, \
         kind SMALLINT, price DOUBLE PRECISION, ratio REAL, active BOOLEAN, name TEXT, \
         note TEXT, created TIMESTAMP WITH TIME ZONE){with}"
    )
}

/// The table of [`create_sql`] filled with `rows` generated rows.
fn fill_sql(cratedb: bool, rows: u64) -> Vec<String> {
    let ts = if cratedb {
        "(1704067200000 + g * 1000)::TIMESTAMP WITH TIME ZONE"
    } else {
        "to_timestamp(1704067200 + g)"
    };
    let mut sql = vec![
        "DROP TABLE IF EXISTS bench_arrow_src".to_owned(),
        create_sql(cratedb, "bench_arrow_src"),
    ];
    let chunk = 250_000;
    let mut start = 1;
    while start <= rows {
        let end = (start + chunk - 1).min(rows);
        sql.push(format!(
            "INSERT INTO bench_arrow_src SELECT g, (g % 1000)::INT, g * 7, (g % 100)::SMALLINT, \
             g / 3.0, ((g % 1000) / 8.0)::REAL, g % 2 = 0, 'name-' || g, \
             'note text for row ' || lpad(g::TEXT, 7, '0'), {ts} \
             FROM generate_series({start}::BIGINT, {end}::BIGINT) AS t(g)"
        ));
        start = end + 1;
    }
    sql.push(
        if cratedb {
            "REFRESH TABLE bench_arrow_src"
        } else {
            "ANALYZE bench_arrow_src"
        }
        .to_owned(),
    );
    sql
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::new(
            u64::try_from(t.tv_sec()).unwrap(),
            u32::try_from(t.tv_usec()).unwrap() * 1000,
        )
    };
    tv(usage.user_time()) + tv(usage.system_time())
}

fn max_rss_kb() -> i64 {
    getrusage(UsageWho::RUSAGE_SELF).unwrap().max_rss()
}

async fn pool(url: &str, connections: u32) -> Res<CrateDbPool> {
    let options: CrateDbConnectOptions = url.parse()?;
    Ok(CrateDbPoolOptions::new()
        .max_connections(connections)
        .connect_with(options)
        .await?)
}

/// Rows and the sum of `id` of a batch (the check that every client read the same rows).
fn tally(batch: &RecordBatch) -> (u64, i64) {
    let ids = batch.column(0).as_primitive::<Int64Type>();
    (batch.num_rows() as u64, ids.iter().flatten().sum())
}

async fn read(args: &[String]) -> Res<()> {
    let url = arg(args, "--url").ok_or("--url")?;
    let client = arg(args, "--client").unwrap_or_else(|| "ours".to_owned());
    let partitions: usize = arg(args, "--partitions").map_or(Ok(4), |p| p.parse())?;
    let keep = args.iter().any(|a| a == "--keep");
    let options: CrateDbConnectOptions = url.parse()?;
    let transport = if options.get_protocol() == CrateDbProtocol::PgWire {
        "pgwire"
    } else {
        "http"
    };
    let connections = if client == "ours-partitioned" {
        u32::try_from(partitions)?
    } else {
        1
    };
    let pool = pool(&url, connections).await?;
    // Connections are opened before the clock starts, as the Python peers' are not (they
    // connect per read); one untimed query warms each.
    sqlx::query("SELECT 1").execute(&pool).await?;
    let (cpu0, start) = (cpu(), Instant::now());
    let (mut rows, mut sum, mut kept) = (0u64, 0i64, Vec::new());
    if client == "ours-partitioned" {
        let mut stream = PartitionedRead::by_range(QUERY, "id")
            .partitions(partitions)
            .concurrency(partitions)
            .stream(&pool)
            .await?;
        while let Some(batch) = stream.try_next().await? {
            let (n, s) = tally(&batch);
            (rows, sum) = (rows + n, sum + s);
            if keep {
                kept.push(batch);
            }
        }
    } else {
        let mut stream =
            fetch_record_batches(&pool, sqlx::query(AssertSqlSafe(QUERY)), ReadOptions::new());
        while let Some(batch) = stream.try_next().await? {
            let (n, s) = tally(&batch);
            (rows, sum) = (rows + n, sum + s);
            if keep {
                kept.push(batch);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu_s = cpu().saturating_sub(cpu0).as_secs_f64();
    println!(
        "{}",
        json!({
            "client": client, "transport": transport, "rows": rows, "id_sum": sum,
            "secs": secs, "rows_per_s": rows as f64 / secs, "cpu_s": cpu_s,
            "max_rss_kb": max_rss_kb(), "kept_batches": kept.len(),
        })
    );
    Ok(())
}

async fn fill(args: &[String]) -> Res<()> {
    let url = arg(args, "--url").ok_or("--url")?;
    let rows: u64 = arg(args, "--rows").ok_or("--rows")?.parse()?;
    let pool = pool(&url, 1).await?;
    let cratedb = {
        let conn = pool.acquire().await?;
        conn.server_is_cratedb()
    };
    for sql in fill_sql(cratedb, rows) {
        sqlx::query(AssertSqlSafe(sql)).execute(&pool).await?;
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM bench_arrow_src")
        .fetch_one(&pool)
        .await?;
    println!("{}", json!({"filled": count}));
    Ok(())
}

async fn sink(args: &[String]) -> Res<()> {
    let url = arg(args, "--url").ok_or("--url")?;
    let pool = pool(&url, 1).await?;
    let cratedb = pool.acquire().await?.server_is_cratedb();
    sqlx::query("DROP TABLE IF EXISTS bench_load_sink")
        .execute(&pool)
        .await?;
    sqlx::query(AssertSqlSafe(create_sql(cratedb, "bench_load_sink")))
        .execute(&pool)
        .await?;
    println!("{}", json!({"sink": "bench_load_sink"}));
    Ok(())
}

async fn count(args: &[String]) -> Res<()> {
    let url = arg(args, "--url").ok_or("--url")?;
    let table = cratedb_quote::quote_identifier(&arg(args, "--table").ok_or("--table")?);
    let pool = pool(&url, 1).await?;
    if pool.acquire().await?.server_is_cratedb() {
        sqlx::query(AssertSqlSafe(format!("REFRESH TABLE {table}")))
            .execute(&pool)
            .await?;
    }
    let rows: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&pool)
        .await?;
    println!("{}", json!({"count": rows}));
    Ok(())
}

fn serve_pg() -> Res<()> {
    let server = PgServer::start(PgServerConfig::new())?;
    println!(
        "{}",
        json!({"url": server.url(), "crate_url": server.crate_url(), "pid": server.pid()})
    );
    // Until the orchestrator closes our stdin.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(server);
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; run nothing then.
    let result = match args.first().map(String::as_str) {
        Some("serve-pg") => serve_pg(),
        Some(mode @ ("fill" | "read" | "sink" | "count")) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                match mode {
                    "fill" => fill(&args).await,
                    "sink" => sink(&args).await,
                    "count" => count(&args).await,
                    _ => read(&args).await,
                }
            })
        }
        _ => {
            eprintln!(
                "arrow_peers: run through scripts/bench-arrow.sh (modes: serve-pg, fill, sink, count, read)"
            );
            Ok(())
        }
    };
    if let Err(e) = result {
        eprintln!("arrow_peers: {e}");
        std::process::exit(1);
    }
}
