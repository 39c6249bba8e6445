//! Side-by-side benchmarks of the HTTP transport (not timed tests; numbers are ratios from one
//! run on one machine). Run with:
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-sqlx cargo bench -p sqlx-cratedb --bench http
//! ```
//!
//! The `/_sql` peer runs in a child process (this binary started with `--peer`), so the CPU
//! time measured in the parent is the client's alone. It answers in CrateDB's documented
//! formats: a prebuilt result set of N rows x 7 columns
//! `(a int, b int, c int, d text, e float8, f int, g text)`, bulk results with one
//! `{"rowcount":1}` per row, and `SELECT 1`.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::too_many_lines,
    clippy::items_after_statements,
    clippy::panic,
    missing_docs
)]

use std::convert::Infallible;
use std::fmt::Write as _;
use std::io::{BufRead as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt as _;
use http_body_util::{BodyExt as _, Full, StreamBody, combinators::BoxBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::Deserialize;
use sqlx::{Connection as _, Row as _};
use sqlx_cratedb::{CrateDbArguments, CrateDbConnection};

type Tuple<'a> = (i32, i32, i32, &'a str, f64, i32, &'a str);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// The peer (child process)

fn result_body(rows: usize) -> Bytes {
    let mut s = String::with_capacity(rows * 72 + 200);
    s.push_str(r#"{"cols":["a","b","c","d","e","f","g"],"col_types":[9,9,9,4,6,9,4],"rows":["#);
    for i in 0..rows {
        if i > 0 {
            s.push(',');
        }
        let v = i32::try_from(i % 1_000_000).unwrap();
        let e = f64::from(v) * 0.25;
        let _ = write!(
            s,
            r#"[{v},{},{},"name-{v}",{e},{},"group-{}"]"#,
            v / 2,
            v / 3,
            v % 97,
            v % 13
        );
    }
    let _ = write!(s, r#"],"rowcount":{rows},"duration":1.0}}"#);
    Bytes::from(s)
}

async fn peer_main() {
    let rows = env_usize("BENCH_ROWS", 1_000_000);
    let big = result_body(rows);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("{}", listener.local_addr().unwrap().port());
    std::io::stdout().flush().unwrap();
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        let big = big.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(
                move |req: hyper::Request<hyper::body::Incoming>| {
                    let big = big.clone();
                    async move {
                        let gzip = req.headers().contains_key("content-encoding");
                        let raw = req.into_body().collect().await.unwrap().to_bytes();
                        let raw = if gzip {
                            let mut out = Vec::new();
                            std::io::Read::read_to_end(
                                &mut flate2::read::GzDecoder::new(&raw[..]),
                                &mut out,
                            )
                            .unwrap();
                            Bytes::from(out)
                        } else {
                            raw
                        };
                        let body: BoxBody<Bytes, Infallible> = if raw
                            .windows(9)
                            .any(|w| w == b"bulk_args")
                        {
                            #[derive(Deserialize)]
                            struct Bulk {
                                bulk_args: Vec<serde::de::IgnoredAny>,
                            }
                            let n = serde_json::from_slice::<Bulk>(&raw)
                                .unwrap()
                                .bulk_args
                                .len();
                            let mut s = String::from(r#"{"cols":[],"duration":1.0,"results":["#);
                            for i in 0..n {
                                if i > 0 {
                                    s.push(',');
                                }
                                s.push_str(r#"{"rowcount":1}"#);
                            }
                            s.push_str("]}");
                            Full::new(Bytes::from(s)).boxed()
                        } else if raw.windows(3).any(|w| w == b"big") {
                            let chunks: Vec<Result<Frame<Bytes>, Infallible>> = (0..big.len())
                                .step_by(64 * 1024)
                                .map(|i| {
                                    Ok(Frame::data(big.slice(i..(i + 64 * 1024).min(big.len()))))
                                })
                                .collect();
                            StreamBody::new(futures_util::stream::iter(chunks)).boxed()
                        } else {
                            Full::new(Bytes::from_static(
                            br#"{"cols":["1"],"col_types":[9],"rows":[[1]],"rowcount":1,"duration":0.1}"#,
                        ))
                        .boxed()
                        };
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .header("content-type", "application/json")
                                .body(body)
                                .unwrap(),
                        )
                    }
                },
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers

/// User + system CPU time of this process.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks: u64 = fields
        .get(11..13)
        .map_or(0, |f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum());
    Duration::from_millis(ticks * 10)
}

/// Resident set size and its high-water mark, in KiB.
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (get("VmRSS:"), get("VmHWM:"))
}

type RawClient = Client<HttpConnector, Full<Bytes>>;

fn raw_client() -> RawClient {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    Client::builder(TokioExecutor::new()).build(http)
}

async fn raw_post(client: &RawClient, port: u16, body: Bytes) -> Bytes {
    let req = hyper::Request::post(format!("http://127.0.0.1:{port}/_sql?types"))
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    resp.into_body().collect().await.unwrap().to_bytes()
}

// ---------------------------------------------------------------------------------------------
// Scenarios (each runs in its own child process so memory high-water marks are separate)

async fn decode_driver(port: u16) -> (Duration, u64) {
    let mut conn = CrateDbConnection::connect(&format!("crate://127.0.0.1:{port}"))
        .await
        .unwrap();
    let (base, _) = rss_kib();
    let start = Instant::now();
    let mut stream = sqlx::query("SELECT * FROM big").fetch(&mut conn);
    let mut sum = 0i64;
    while let Some(row) = stream.try_next().await.unwrap() {
        let t: Tuple<'_> = (
            row.get(0),
            row.get(1),
            row.get(2),
            row.get(3),
            row.get(4),
            row.get(5),
            row.get(6),
        );
        sum += i64::from(t.0) + i64::from(t.5) + i64::try_from(t.3.len() + t.6.len()).unwrap();
    }
    let elapsed = start.elapsed();
    drop(stream);
    std::hint::black_box(sum);
    let (_, peak) = rss_kib();
    (elapsed, peak.saturating_sub(base))
}

async fn decode_raw(port: u16, typed: bool) -> (Duration, u64) {
    let client = raw_client();
    let body = Bytes::from_static(br#"{"stmt":"SELECT * FROM big"}"#);
    // Warm the connection.
    raw_post(&client, port, Bytes::from_static(br#"{"stmt":"SELECT 1"}"#)).await;
    let (base, _) = rss_kib();
    let start = Instant::now();
    let bytes = raw_post(&client, port, body).await;
    if typed {
        #[derive(Deserialize)]
        struct Resp<'a> {
            #[serde(borrow)]
            rows: Vec<Tuple<'a>>,
        }
        let r: Resp<'_> = serde_json::from_slice(&bytes).unwrap();
        let sum: i64 = r.rows.iter().map(|t| i64::from(t.0)).sum();
        std::hint::black_box(sum);
    } else {
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        std::hint::black_box(v["rows"].as_array().map(Vec::len));
    }
    let elapsed = start.elapsed();
    let (_, peak) = rss_kib();
    (elapsed, peak.saturating_sub(base))
}

async fn bulk_driver(port: u16, rows: usize, gzip: bool) -> Duration {
    let min = if gzip { 8192 } else { usize::MAX };
    let mut conn =
        CrateDbConnection::connect(&format!("crate://127.0.0.1:{port}?gzip_min_bytes={min}"))
            .await
            .unwrap();
    let cpu = cpu_time();
    let args = (0..rows).map(|i| {
        let v = i32::try_from(i).unwrap();
        CrateDbArguments::default()
            .bind(v)
            .bind(v / 2)
            .bind(v / 3)
            .bind(format!("name-{v}"))
            .bind(f64::from(v) * 0.25)
            .bind(v % 97)
            .bind(format!("group-{}", v % 13))
    });
    let r = conn
        .execute_bulk(
            "INSERT INTO t (a,b,c,d,e,f,g) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            args,
        )
        .await
        .unwrap();
    assert!(r.is_success());
    conn.close().await.unwrap();
    cpu_time().saturating_sub(cpu)
}

async fn bulk_raw(port: u16, rows: usize, gzip: bool) -> Duration {
    #[derive(serde::Serialize)]
    struct Req<'a> {
        stmt: &'a str,
        bulk_args: Vec<(i32, i32, i32, String, f64, i32, String)>,
    }
    let client = raw_client();
    let cpu = cpu_time();
    let mut i = 0usize;
    while i < rows {
        let end = (i + 5000).min(rows);
        let chunk = (i..end)
            .map(|i| {
                let v = i32::try_from(i).unwrap();
                (
                    v,
                    v / 2,
                    v / 3,
                    format!("name-{v}"),
                    f64::from(v) * 0.25,
                    v % 97,
                    format!("group-{}", v % 13),
                )
            })
            .collect();
        let req = Req {
            stmt: "INSERT INTO t (a,b,c,d,e,f,g) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            bulk_args: chunk,
        };
        let body = serde_json::to_vec(&req).unwrap();
        let (body, enc) = if gzip {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&body).unwrap();
            (e.finish().unwrap(), true)
        } else {
            (body, false)
        };
        let mut b = hyper::Request::post(format!("http://127.0.0.1:{port}/_sql?types"))
            .header("content-type", "application/json");
        if enc {
            b = b.header("content-encoding", "gzip");
        }
        let resp = client
            .request(b.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        #[derive(Deserialize)]
        struct Results {
            results: Vec<serde_json::Value>,
        }
        let r: Results = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(r.results.len(), end - i);
        i = end;
    }
    cpu_time().saturating_sub(cpu)
}

async fn latency(port: u16, iterations: usize) -> (Duration, Duration, Duration) {
    let client = raw_client();
    let body = Bytes::from_static(br#"{"stmt":"SELECT 1"}"#);
    let mut conn = CrateDbConnection::connect(&format!("crate://127.0.0.1:{port}"))
        .await
        .unwrap();
    let pool = sqlx_cratedb::CrateDbPoolOptions::new()
        .max_connections(1)
        .connect(&format!("crate://127.0.0.1:{port}"))
        .await
        .unwrap();
    for _ in 0..1000 {
        raw_post(&client, port, body.clone()).await;
        let _: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    }
    let mut raw = Duration::MAX;
    let mut drv = Duration::MAX;
    let mut pooled = Duration::MAX;
    // Interleave rounds so drift on a shared machine hits all sides alike.
    for _ in 0..10 {
        let t = Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(raw_post(&client, port, body.clone()).await);
        }
        raw = raw.min(t.elapsed());
        let t = Instant::now();
        for _ in 0..iterations {
            let v: i32 = sqlx::query_scalar("SELECT 1")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            std::hint::black_box(v);
        }
        drv = drv.min(t.elapsed());
        let t = Instant::now();
        for _ in 0..iterations {
            let v: i32 = sqlx::query_scalar("SELECT 1")
                .fetch_one(&pool)
                .await
                .unwrap();
            std::hint::black_box(v);
        }
        pooled = pooled.min(t.elapsed());
    }
    let n = u32::try_from(iterations).unwrap();
    (raw / n, drv / n, pooled / n)
}

// ---------------------------------------------------------------------------------------------

fn spawn(args: &[&str]) -> String {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn parse(line: &str) -> Vec<f64> {
    line.split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let arg = |i: usize| args.get(i).map_or("", String::as_str);
    match arg(1) {
        "--peer" => return rt.block_on(peer_main()),
        "--scenario" => {
            let port: u16 = arg(3).parse().unwrap();
            let rows = env_usize("BENCH_ROWS", 1_000_000);
            let out = rt.block_on(async {
                match arg(2) {
                    "decode-driver" => {
                        let r = decode_driver(port).await;
                        format!("{} {}", r.0.as_secs_f64(), r.1)
                    }
                    "decode-typed" => {
                        let r = decode_raw(port, true).await;
                        format!("{} {}", r.0.as_secs_f64(), r.1)
                    }
                    "decode-value" => {
                        let r = decode_raw(port, false).await;
                        format!("{} {}", r.0.as_secs_f64(), r.1)
                    }
                    "bulk-driver" => bulk_driver(port, rows, false)
                        .await
                        .as_secs_f64()
                        .to_string(),
                    "bulk-raw" => bulk_raw(port, rows, false).await.as_secs_f64().to_string(),
                    "bulk-driver-gzip" => bulk_driver(port, rows, true)
                        .await
                        .as_secs_f64()
                        .to_string(),
                    "bulk-raw-gzip" => bulk_raw(port, rows, true).await.as_secs_f64().to_string(),
                    "latency" => {
                        let (raw, drv, pooled) = latency(port, env_usize("BENCH_ITER", 5000)).await;
                        format!(
                            "{} {} {}",
                            raw.as_secs_f64(),
                            drv.as_secs_f64(),
                            pooled.as_secs_f64()
                        )
                    }
                    other => panic!("unknown scenario {other}"),
                }
            });
            println!("{out}");
            return;
        }
        _ => {}
    }

    // Parent: start the peer, run each scenario in a fresh process, print the report.
    let rows = env_usize("BENCH_ROWS", 1_000_000);
    let runs = env_usize("BENCH_RUNS", 3);
    let mut peer = Command::new(std::env::current_exe().unwrap())
        .arg("--peer")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(peer.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().to_owned();
    let run = |name: &str| -> Vec<f64> {
        let results: Vec<Vec<f64>> = (0..runs)
            .map(|_| parse(&spawn(&["--scenario", name, &port])))
            .collect();
        // Best time of the runs; its memory figure alongside.
        results
            .into_iter()
            .min_by(|a, b| a[0].total_cmp(&b[0]))
            .unwrap()
    };
    let drv = run("decode-driver");
    let typed = run("decode-typed");
    let value = run("decode-value");
    let bulk_d = run("bulk-driver");
    let bulk_r = run("bulk-raw");
    let bulk_drv_gz = run("bulk-driver-gzip");
    let bulk_raw_gz = run("bulk-raw-gzip");
    let lat = run("latency");
    let _ = peer.kill();
    let _ = peer.wait();

    let rows_f = rows as f64;
    println!("# sqlx-cratedb HTTP benchmarks ({rows} rows x 7 cols, best of {runs})\n");
    println!("| Scenario | sqlx-cratedb | compared with | ratio | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| result decode, rows/s (streamed, typed) | {:.0} | raw hyper + serde_json typed borrowed tuples: {:.0} | {:.2}x | >= 0.8x |",
        rows_f / drv[0],
        rows_f / typed[0],
        typed[0] / drv[0]
    );
    println!(
        "| result decode, rows/s | {:.0} | raw hyper + serde_json::Value: {:.0} | {:.2}x | >= 1.4x |",
        rows_f / drv[0],
        rows_f / value[0],
        value[0] / drv[0]
    );
    println!(
        "| peak extra RSS while decoding, MiB | {:.1} | typed: {:.1}, Value: {:.1} | | bounded |",
        drv[1] / 1024.0,
        typed[1] / 1024.0,
        value[1] / 1024.0
    );
    println!(
        "| bulk encode + send, client CPU ns/row (no gzip) | {:.0} | hand-written serde_json + hyper: {:.0} | {:.2}x | <= 1.1x |",
        bulk_d[0] * 1e9 / rows_f,
        bulk_r[0] * 1e9 / rows_f,
        bulk_d[0] / bulk_r[0]
    );
    println!(
        "| bulk encode + send, client CPU ns/row (gzip) | {:.0} | hand-written + gzip: {:.0} | {:.2}x | <= 1.1x |",
        bulk_drv_gz[0] * 1e9 / rows_f,
        bulk_raw_gz[0] * 1e9 / rows_f,
        bulk_drv_gz[0] / bulk_raw_gz[0]
    );
    println!(
        "| `SELECT 1` latency on a connection, us | {:.1} | raw hyper POST: {:.1} | {:.3}x | <= 1.05x |",
        lat[1] * 1e6,
        lat[0] * 1e6,
        lat[1] / lat[0]
    );
    println!(
        "| `SELECT 1` latency through a pool, us | {:.1} | raw hyper POST: {:.1} | {:.3}x | |",
        lat[2] * 1e6,
        lat[0] * 1e6,
        lat[2] / lat[0]
    );
}
