//! Failover against a three-node CrateDB cluster started from `CRATEDB_HOME`, over both
//! transports: reads and writes run through a pool whose URL lists all three nodes while one
//! node is killed with SIGKILL and restarted.
//!
//! Needs `CRATEDB_HOME` (a URL to an existing server is not enough: the test kills a node) and
//! `CRATEDB_CLUSTER_TESTS=1` (it starts three JVMs and runs for about 80 s, so it is opt-in and
//! not part of the live ring yet); without them the test prints a skip line and passes. Every
//! phase is bounded in time and the test stops by itself.
//!
//! Status (CrateDB 6.4.3): passes. Reads: 0 failed of ~3,600 (HTTP) and ~7,500 (pgwire)
//! through the kill, longest stall 0.65 s; writes: 0 acknowledged writes lost, one write per
//! transport failed with a connection error (may have been applied; not retried).

#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cratedb_integration::cratedb::{CrateDbCluster, CrateDbInstall, HOME_ENV, required};
use sqlx::AssertSqlSafe;
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbPool, CrateDbPoolOptions};

/// How long each load phase runs, and when the node is killed and restarted.
const PHASE: Duration = Duration::from_secs(20);
const KILL_AT: Duration = Duration::from_secs(5);
const RESTART_AT: Duration = Duration::from_secs(12);
const READERS: usize = 4;

/// What one load phase saw.
#[derive(Debug, Default)]
struct Outcome {
    ok: u64,
    failed: Vec<String>,
    longest_stall: Duration,
}

async fn pool(url: &str) -> CrateDbPool {
    let options: CrateDbConnectOptions = url.parse().unwrap();
    let options = options
        .retry_interval(Duration::from_secs(2))
        .connect_timeout(Duration::from_secs(2));
    CrateDbPoolOptions::new()
        .max_connections(u32::try_from(READERS).unwrap())
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .unwrap()
}

/// Four tasks read by primary key and by scan for [`PHASE`]; node `victim` is killed at
/// [`KILL_AT`] and restarted at [`RESTART_AT`].
async fn reads_through_a_kill(cluster: &mut CrateDbCluster, url: &str, table: &str) -> Outcome {
    let pool = pool(url).await;
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for reader in 0..READERS {
        let (pool, stop, ok) = (pool.clone(), stop.clone(), ok.clone());
        let sql = format!("SELECT count(*) FROM {table} WHERE id >= $1");
        tasks.push(tokio::spawn(async move {
            let mut failed = Vec::new();
            let mut longest = Duration::ZERO;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let result: Result<i64, _> = sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                    .bind(i64::try_from(reader).unwrap())
                    .fetch_one(&pool)
                    .await;
                longest = longest.max(started.elapsed());
                match result {
                    Ok(_) => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => failed.push(e.to_string()),
                }
            }
            (failed, longest)
        }));
    }
    drive_kill(cluster, &stop).await;
    let mut outcome = Outcome::default();
    for task in tasks {
        let (failed, longest) = task.await.unwrap();
        outcome.failed.extend(failed);
        outcome.longest_stall = outcome.longest_stall.max(longest);
    }
    outcome.ok = ok.load(Ordering::Relaxed);
    outcome
}

/// Kills node 1 at [`KILL_AT`], restarts it at [`RESTART_AT`], sets `stop` at [`PHASE`], and
/// waits until the cluster has three nodes again.
async fn drive_kill(cluster: &mut CrateDbCluster, stop: &AtomicBool) {
    let start = Instant::now();
    tokio::time::sleep(KILL_AT).await;
    cluster.node_mut(1).kill().unwrap();
    tokio::time::sleep(RESTART_AT.saturating_sub(start.elapsed())).await;
    cluster.node_mut(1).restart_nowait().unwrap();
    tokio::time::sleep(PHASE.saturating_sub(start.elapsed())).await;
    stop.store(true, Ordering::Relaxed);
    let n = cluster.len();
    tokio::task::block_in_place(|| cluster.node_mut(1).wait_ready(n)).unwrap();
}

/// Inserts with unique keys run through a kill. Every acknowledged insert must be stored; a
/// failed one may or may not be (the error says so), but never twice (the key is unique).
async fn writes_through_a_kill(
    cluster: &mut CrateDbCluster,
    url: &str,
    table: &str,
) -> (Outcome, HashSet<i64>) {
    let pool = pool(url).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (pool, stop) = (pool.clone(), stop.clone());
        let sql = format!("INSERT INTO {table} (id, v) VALUES ($1, $2)");
        tokio::spawn(async move {
            let mut acknowledged = HashSet::new();
            let mut outcome = Outcome::default();
            let mut key = 1_000_000_i64;
            while !stop.load(Ordering::Relaxed) {
                key += 1;
                let started = Instant::now();
                let result = sqlx::query(AssertSqlSafe(sql.clone()))
                    .bind(key)
                    .bind("w")
                    .execute(&pool)
                    .await;
                outcome.longest_stall = outcome.longest_stall.max(started.elapsed());
                match result {
                    Ok(_) => {
                        outcome.ok += 1;
                        acknowledged.insert(key);
                    }
                    Err(e) => outcome.failed.push(format!("key {key}: {e}")),
                }
            }
            (outcome, acknowledged)
        })
    };
    drive_kill(cluster, &stop).await;
    writer.await.unwrap()
}

async fn run_transport(cluster: &mut CrateDbCluster, url: &str, label: &str) {
    let admin = pool(url).await;
    let table = format!("failover_{}", label.replace(' ', "_"));
    sqlx::query(AssertSqlSafe(format!(
        "CREATE TABLE {table} (id BIGINT PRIMARY KEY, v TEXT) CLUSTERED INTO 3 SHARDS \
         WITH (number_of_replicas = 1, \"write.wait_for_active_shards\" = 1)"
    )))
    .execute(&admin)
    .await
    .unwrap();
    let rows: Vec<i64> = (0..1000).collect();
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {table} (id, v) SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[])"
    )))
    .bind(rows)
    .bind(vec!["r"; 1000])
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query(AssertSqlSafe(format!("REFRESH TABLE {table}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;

    let reads = reads_through_a_kill(cluster, url, &table).await;
    eprintln!(
        "{label}: reads through a node kill: {} ok, {} failed, longest stall {:?}",
        reads.ok,
        reads.failed.len(),
        reads.longest_stall
    );
    let (writes, acknowledged) = writes_through_a_kill(cluster, url, &table).await;
    eprintln!(
        "{label}: writes through a node kill: {} acknowledged, {} failed, longest stall {:?}",
        writes.ok,
        writes.failed.len(),
        writes.longest_stall
    );
    for failure in writes.failed.iter().take(5) {
        eprintln!("{label}: failed write: {failure}");
    }
    let check = pool(url).await;
    sqlx::query(AssertSqlSafe(format!("REFRESH TABLE {table}")))
        .execute(&check)
        .await
        .unwrap();
    let stored: Vec<(i64,)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE id > 1000000"
    )))
    .fetch_all(&check)
    .await
    .unwrap();
    let stored: HashSet<i64> = stored.into_iter().map(|(id,)| id).collect();
    let lost: Vec<&i64> = acknowledged.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{label}: acknowledged writes lost: {lost:?}"
    );
    assert!(
        reads.failed.is_empty(),
        "{label}: {} reads failed, first: {}",
        reads.failed.len(),
        reads.failed[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_writes_fail_over_when_a_node_is_killed() {
    if std::env::var("CRATEDB_CLUSTER_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: CRATEDB_CLUSTER_TESTS=1 not set (the failover test is opt-in)");
        return;
    }
    let Some(install) = CrateDbInstall::from_env().unwrap() else {
        assert!(!required(), "CRATEDB_REQUIRED=1 but {HOME_ENV} is not set");
        eprintln!("skipped: {HOME_ENV} not set (the failover test starts its own cluster)");
        return;
    };
    let mut cluster = tokio::task::block_in_place(|| CrateDbCluster::start(&install, 3)).unwrap();
    let (http, pg) = (cluster.http_url(), cluster.pg_url());
    run_transport(&mut cluster, &http, "HTTP").await;
    run_transport(&mut cluster, &pg, "pgwire").await;
}
