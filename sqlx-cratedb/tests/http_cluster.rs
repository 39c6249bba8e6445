//! Cluster behaviour against several in-process `/_sql` peers: round-robin, failed hosts set
//! aside, safe retries only, a node going down and coming back.

#![allow(clippy::unwrap_used, clippy::many_single_char_names)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Peer, Recorded, Reply, peer, result_set, row_count};
use serde_json::json;
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbPool, CrateDbPoolOptions};

fn answer(rec: &Recorded) -> Reply {
    if rec.stmt().starts_with("SELECT") {
        Reply::Json(200, result_set(&["n"], json!([9]), json!([[7]])))
    } else {
        Reply::Json(200, row_count(1))
    }
}

fn sql_count(peer: &Peer, prefix: &str) -> usize {
    peer.requests()
        .iter()
        .filter(|r| r.stmt().starts_with(prefix))
        .count()
}

async fn cluster_pool(peers: &[&Peer], params: &str) -> CrateDbPool {
    let hosts: Vec<String> = peers.iter().map(|p| p.host()).collect();
    let url = format!("crate://{}/doc?{params}", hosts.join(","));
    CrateDbPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect(&url)
        .await
        .unwrap()
}

async fn read(pool: &CrateDbPool) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("SELECT n FROM t").fetch_one(pool).await
}

#[tokio::test]
async fn requests_are_balanced_round_robin() {
    let (a, b, c) = (peer(answer).await, peer(answer).await, peer(answer).await);
    let pool = cluster_pool(&[&a, &b, &c], "").await;
    for _ in 0..9 {
        assert_eq!(read(&pool).await.unwrap(), 7);
    }
    let counts = [
        sql_count(&a, "SELECT n"),
        sql_count(&b, "SELECT n"),
        sql_count(&c, "SELECT n"),
    ];
    assert_eq!(counts.iter().sum::<usize>(), 9);
    assert!(counts.iter().all(|&n| n == 3), "{counts:?}");
}

#[tokio::test]
async fn a_node_going_down_and_coming_back() {
    let a = peer(answer).await;
    let mut b = peer(answer).await;
    let pool = cluster_pool(&[&a, &b], "retry_interval=300ms").await;
    assert_eq!(read(&pool).await.unwrap(), 7);

    b.stop().await;
    // Reads and writes keep working: a refused connection was never sent, so even writes move on.
    for _ in 0..6 {
        assert_eq!(read(&pool).await.unwrap(), 7);
        sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&pool)
            .await
            .unwrap();
    }
    let before = a.count();
    for _ in 0..4 {
        read(&pool).await.unwrap();
    }
    let stmts: Vec<String> = a.requests()[before..]
        .iter()
        .map(|r| r.stmt().to_owned())
        .collect();
    assert_eq!(
        a.count() - before,
        4,
        "the failed host is set aside: {stmts:?}"
    );

    b.revive().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let b_before = sql_count(&b, "SELECT n");
    for _ in 0..4 {
        read(&pool).await.unwrap();
    }
    assert!(
        sql_count(&b, "SELECT n") > b_before,
        "the revived host is used again"
    );
}

#[tokio::test]
async fn status_503_fails_over_reads_but_never_resends_writes() {
    let busy = Arc::new(AtomicBool::new(false));
    let flag = busy.clone();
    let a = peer(move |rec| {
        if flag.load(Ordering::SeqCst) {
            Reply::Json(
                503,
                json!({"error": {"code": 5030, "message": "ClusterBlockException[unavailable]"}}),
            )
        } else {
            answer(rec)
        }
    })
    .await;
    let b = peer(answer).await;
    let pool = cluster_pool(&[&a, &b], "retry_interval=60s").await;
    busy.store(true, Ordering::SeqCst);

    // Reads: whichever host is picked, the read succeeds.
    for _ in 0..4 {
        assert_eq!(read(&pool).await.unwrap(), 7);
    }

    // Writes: with `a` set aside, they go to `b`. Make `a` the only choice to see a 503 write.
    let c = peer(move |_| {
        Reply::Json(
            503,
            json!({"error": {"code": 5030, "message": "unavailable"}}),
        )
    })
    .await;
    let d = peer(answer).await;
    let pool = cluster_pool(&[&c, &d], "retry_interval=60s").await;
    let mut saw_error = false;
    for _ in 0..2 {
        let inserts_on_d = sql_count(&d, "INSERT");
        match sqlx::query("INSERT INTO t VALUES (1)").execute(&pool).await {
            Ok(_) => assert_eq!(sql_count(&d, "INSERT"), inserts_on_d + 1),
            Err(e) => {
                saw_error = true;
                let db = e.as_database_error().unwrap();
                assert_eq!(db.code().as_deref(), Some("5030"));
                assert_eq!(
                    sql_count(&d, "INSERT"),
                    inserts_on_d,
                    "a sent write is not resent"
                );
            }
        }
    }
    assert_eq!(sql_count(&c, "INSERT"), usize::from(saw_error));
}

#[tokio::test]
async fn all_hosts_down_is_an_io_error_and_the_pool_recovers() {
    let mut a = peer(answer).await;
    let pool = cluster_pool(&[&a], "retry_interval=50ms&connect_timeout=1").await;
    a.stop().await;
    let err = read(&pool).await.unwrap_err();
    assert!(matches!(err, sqlx::Error::Io(_)), "{err:?}");
    a.revive().await;
    // With every host set aside, the one set aside longest is tried anyway.
    assert_eq!(read(&pool).await.unwrap(), 7);
}

#[tokio::test]
async fn reads_hitting_unavailable_shards_try_another_node() {
    let shards_down = |rec: &Recorded| {
        if rec.stmt().starts_with("SELECT n") {
            Reply::Json(
                500,
                json!({"error": {"code": 5002, "message": "UnavailableShardsException[x]"}}),
            )
        } else {
            answer(rec)
        }
    };
    let a = peer(shards_down).await;
    let b = peer(answer).await;
    let pool = cluster_pool(&[&a, &b], "").await;
    for _ in 0..4 {
        assert_eq!(read(&pool).await.unwrap(), 7);
    }
    // Writes and other server errors are not retried.
    let c = peer(shards_down).await;
    let pool = cluster_pool(&[&c], "").await;
    let err = read(&pool).await.unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("5002")
    );
}

/// A read that every node fails because a node just left the cluster
/// (`NodeNotConnectedException`, 5000) is tried again after a pause, and succeeds once the
/// cluster has dropped the node; a write failing the same way is not resent.
#[tokio::test]
async fn reads_failing_on_every_node_after_a_node_left_are_retried_after_a_pause() {
    let failures_left = Arc::new(std::sync::atomic::AtomicUsize::new(2));
    let left = failures_left.clone();
    let node_gone = move |rec: &Recorded| {
        let gone = rec.stmt().starts_with("SELECT n") || rec.stmt().starts_with("INSERT");
        if gone
            && left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            return Reply::Json(
                500,
                json!({"error": {"code": 5000, "message":
                    "NodeNotConnectedException[[node-1][127.0.0.1:4300] Node not connected]"}}),
            );
        }
        answer(rec)
    };
    let a = peer(node_gone).await;
    let pool = cluster_pool(&[&a], "").await;
    let started = std::time::Instant::now();
    let r = read(&pool).await;
    assert_eq!(r.unwrap(), 7);
    assert_eq!(sql_count(&a, "SELECT n"), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "paused between rounds"
    );

    failures_left.store(1, Ordering::SeqCst);
    let err = sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&pool)
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("5000")
    );
    assert_eq!(sql_count(&a, "INSERT"), 1);
}

/// A node that is starting answers `RelationUnknown` for a table that exists: a read asks the
/// other nodes once, without pause rounds; when every node says so, that error is reported
/// after one request to each. Writes (single and bulk) are asked of the other nodes the same
/// way: the node refused them before anything ran.
#[tokio::test]
async fn a_read_of_a_table_unknown_to_one_node_asks_the_others_once() {
    let unknown = |rec: &Recorded| {
        if rec.stmt().starts_with("SELECT n") || rec.stmt().starts_with("INSERT") {
            Reply::Json(
                404,
                json!({"error": {"code": 4041, "message": "RelationUnknown[Relation 't' unknown]"}}),
            )
        } else {
            answer(rec)
        }
    };
    let a = peer(unknown).await;
    let b = peer(answer).await;
    let pool = cluster_pool(&[&a, &b], "").await;
    for _ in 0..4 {
        assert_eq!(read(&pool).await.unwrap(), 7);
    }
    assert_eq!(sql_count(&b, "SELECT n"), 4);
    for _ in 0..4 {
        let done = sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 1);
    }
    assert_eq!(sql_count(&b, "INSERT"), 4, "each write answered by b");
    let refused = sql_count(&a, "INSERT");
    assert!(
        (1..=4).contains(&refused),
        "a refused {refused} writes, each then sent to b"
    );

    let c = peer(unknown).await;
    let d = peer(unknown).await;
    let pool = cluster_pool(&[&c, &d], "").await;
    let err = read(&pool).await.unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("4041")
    );
    assert_eq!(sql_count(&c, "SELECT n") + sql_count(&d, "SELECT n"), 2);
    let err = sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&pool)
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("4041")
    );
    assert_eq!(
        sql_count(&c, "INSERT") + sql_count(&d, "INSERT"),
        2,
        "each node asked once"
    );
}

/// Each way a single write can fail says whether it may have been applied.
#[tokio::test]
async fn a_failed_write_says_whether_it_may_have_been_applied() {
    use sqlx::ConnectOptions as _;
    use sqlx_cratedb::CrateDbWriteOutcome as W;

    async fn outcome(peer_port: u16, timeout: Option<Duration>) -> W {
        let opts = CrateDbConnectOptions::new()
            .host("127.0.0.1", peer_port)
            .request_timeout(timeout);
        let mut conn = match opts.connect().await {
            Ok(c) => c,
            Err(e) => return W::of(&e),
        };
        let err = sqlx::query("INSERT INTO t (id) VALUES (1)")
            .execute(&mut conn)
            .await
            .unwrap_err();
        W::of(&err)
    }

    // Nothing listens: the statement never left.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    assert_eq!(outcome(dead_port, None).await, W::NotExecuted);

    // The server refuses the row: rejected, not applied.
    let refusing = peer(|r| {
        if r.stmt().contains("INSERT") {
            Reply::Json(
                409,
                json!({"error": {"code": 4091, "message": "DuplicateKeyException[x]"}}),
            )
        } else {
            Reply::Json(200, row_count(1))
        }
    })
    .await;
    assert_eq!(outcome(refusing.addr.port(), None).await, W::Rejected);

    // An overloaded node or proxy answers 503 after the request arrived: unknown.
    let overloaded = peer(|r| {
        if r.stmt().contains("INSERT") {
            Reply::Raw(503, "text/plain", "busy".into())
        } else {
            Reply::Json(200, row_count(1))
        }
    })
    .await;
    assert_eq!(outcome(overloaded.addr.port(), None).await, W::Unknown);

    // The answer does not come within the timeout: unknown.
    let slow = peer(|r| {
        if r.stmt().contains("INSERT") {
            Reply::Slow(
                Duration::from_secs(5),
                Box::new(Reply::Json(200, row_count(1))),
            )
        } else {
            Reply::Json(200, row_count(1))
        }
    })
    .await;
    assert_eq!(
        outcome(slow.addr.port(), Some(Duration::from_millis(300))).await,
        W::Unknown
    );
}
