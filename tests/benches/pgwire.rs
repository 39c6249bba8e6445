//! Side-by-side benchmarks of the pgwire transport against the clients a user would otherwise
//! pick, on the same throwaway PostgreSQL in the same run; the report gives ratios (these
//! machines are shared and noisy, so absolute numbers mean little). Not a timed test.
//!
//! `cargo bench -p cratedb-integration --bench pgwire`. Sizes: `PGWIRE_BENCH_ROWS` (streaming
//! read, default 1,000,000 rows x 7 columns), `PGWIRE_BENCH_BULK_ROWS` (bulk insert, default
//! 200,000), `PGWIRE_BENCH_QUERIES` (latency, default 5,000).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::time::{Duration, Instant};

use cratedb_integration::pg::{PgAuth, PgServer, PgServerConfig};
use futures_util::{StreamExt as _, TryStreamExt as _};
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

/// Best of `runs`.
async fn best<F: AsyncFnMut()>(runs: usize, mut f: F) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        best = best.min(t.elapsed());
    }
    best
}

struct Clients {
    ours: CrateDbConnection,
    tp: tokio_postgres::Client,
    sp: sqlx::PgConnection,
}

async fn clients(server: &PgServer) -> Clients {
    let opts: CrateDbConnectOptions = server.url().parse().unwrap();
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

fn line(name: &str, ours: Duration, other: Duration, unit: f64, what: &str) {
    println!(
        "| {name} | {:.0} {what} | {:.0} {what} | {:.2}x |",
        unit / ours.as_secs_f64(),
        unit / other.as_secs_f64(),
        other.as_secs_f64() / ours.as_secs_f64()
    );
}

async fn streaming(c: &mut Clients, rows: usize) {
    let ours = best(3, async || {
        let mut n = 0usize;
        let mut s = sqlx::query(READ_SQL).fetch(&mut c.ours);
        while let Some(row) = s.try_next().await.unwrap() {
            let t: (i32, i32, i32, &str, f64, i32, &str) = (
                row.get(0),
                row.get(1),
                row.get(2),
                row.get(3),
                row.get(4),
                row.get(5),
                row.get(6),
            );
            n += usize::from(!t.3.is_empty());
        }
        assert_eq!(n, rows);
    })
    .await;
    let tp = best(3, async || {
        let mut n = 0usize;
        let s =
            c.tp.query_raw(READ_SQL, std::iter::empty::<i32>())
                .await
                .unwrap();
        let mut s = std::pin::pin!(s);
        while let Some(row) = s.next().await {
            let row = row.unwrap();
            let t: (i32, i32, i32, &str, f64, i32, &str) = (
                row.get(0),
                row.get(1),
                row.get(2),
                row.get(3),
                row.get(4),
                row.get(5),
                row.get(6),
            );
            n += usize::from(!t.3.is_empty());
        }
        assert_eq!(n, rows);
    })
    .await;
    let sp = best(3, async || {
        let mut n = 0usize;
        let mut s = sqlx::query(READ_SQL).fetch(&mut c.sp);
        while let Some(row) = s.try_next().await.unwrap() {
            let t: (i32, i32, i32, &str, f64, i32, &str) = (
                row.get(0),
                row.get(1),
                row.get(2),
                row.get(3),
                row.get(4),
                row.get(5),
                row.get(6),
            );
            n += usize::from(!t.3.is_empty());
        }
        assert_eq!(n, rows);
    })
    .await;
    let r = rows as f64;
    println!("\n### Streaming read, {rows} rows x 7 columns (rows/s, best of 3)\n");
    println!("| compared with | sqlx-cratedb pgwire | other | ours / other |");
    println!("|---|---|---|---|");
    line("tokio-postgres", ours, tp, r, "rows/s");
    line("sqlx-postgres", ours, sp, r, "rows/s");
}

async fn latency(c: &mut Clients, n: usize) {
    let ours = best(3, async || {
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
    let statement = c.tp.prepare("SELECT $1::int4").await.unwrap();
    let tp = best(3, async || {
        for i in 0..n {
            let row =
                c.tp.query_one(&statement, &[&i32::try_from(i).unwrap()])
                    .await
                    .unwrap();
            assert_eq!(usize::try_from(row.get::<_, i32>(0)).unwrap(), i);
        }
    })
    .await;
    println!("\n### Single-query latency, `SELECT $1::int4` x {n} (µs/query, best of 3)\n");
    println!("| compared with | sqlx-cratedb pgwire | other | other / ours |");
    println!("|---|---|---|---|");
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!(
        "| tokio-postgres | {:.1} µs | {:.1} µs | {:.2}x |",
        per(ours),
        per(tp),
        tp.as_secs_f64() / ours.as_secs_f64()
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

async fn bulk(c: &mut Clients, server: &PgServer, rows: usize) {
    println!("\n### Bulk insert, {rows} rows x 7 columns (rows/s)\n");
    println!(
        "| batch | sqlx-cratedb `execute_bulk` | tokio-postgres pipelined | sqlx-postgres `UNNEST` | ours / best other |"
    );
    println!("|---|---|---|---|---|");
    let insert = "INSERT INTO sink (a, b, c, d, e, f, g) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    for batch in [1_000, 5_000, 20_000] {
        let opts: CrateDbConnectOptions = server.url().parse().unwrap();
        let mut ours_conn = CrateDbConnection::connect_with(&opts.bulk_rows(batch))
            .await
            .unwrap();
        sqlx::query("TRUNCATE sink")
            .execute(&mut c.sp)
            .await
            .unwrap();
        let t = Instant::now();
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
        let ours = t.elapsed();

        sqlx::query("TRUNCATE sink")
            .execute(&mut c.sp)
            .await
            .unwrap();
        let statement = c.tp.prepare(insert).await.unwrap();
        let t = Instant::now();
        for start in (0..rows).step_by(batch) {
            let data: Vec<_> = (start..(start + batch).min(rows)).map(bulk_row).collect();
            let futures = data.iter().map(|r| {
                let params: Vec<&(dyn ToSql + Sync)> =
                    vec![&r.0, &r.1, &r.2, &r.3, &r.4, &r.5, &r.6];
                c.tp.execute_raw(&statement, params)
            });
            futures_util::future::try_join_all(futures).await.unwrap();
        }
        let tp = t.elapsed();

        sqlx::query("TRUNCATE sink")
            .execute(&mut c.sp)
            .await
            .unwrap();
        let t = Instant::now();
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
        let sp = t.elapsed();
        let r = rows as f64;
        println!(
            "| {batch} | {:.0} | {:.0} | {:.0} | {:.2}x |",
            r / ours.as_secs_f64(),
            r / tp.as_secs_f64(),
            r / sp.as_secs_f64(),
            tp.min(sp).as_secs_f64() / ours.as_secs_f64()
        );
    }
}

fn main() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new().auth(PgAuth::Password)) else {
        return;
    };
    let rows = env("PGWIRE_BENCH_ROWS", 1_000_000);
    let bulk_rows = env("PGWIRE_BENCH_BULK_ROWS", 200_000);
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
        c.ours.close().await.unwrap();
    });
}
