//! `sqlx::migrate::Migrator` through the driver, against the in-process `/_sql` peer.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Reply, peer, pool, result_set, row_count};
use serde_json::json;

#[tokio::test]
async fn migrations_run_statement_by_statement_and_record_history() {
    let peer = peer(|rec| {
        let s = rec.stmt();
        if s.starts_with("SELECT version FROM") {
            Reply::Json(200, result_set(&["version"], json!([10]), json!([])))
        } else if s.starts_with("SELECT version, checksum") {
            Reply::Json(
                200,
                result_set(&["version", "checksum"], json!([10, 4]), json!([])),
            )
        } else {
            Reply::Json(200, row_count(1))
        }
    })
    .await;
    let dir = std::env::temp_dir().join(format!("sqlx-cratedb-migrations-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("1_init.sql"),
        "CREATE TABLE t (id INT PRIMARY KEY, s TEXT DEFAULT 'a;b');\nINSERT INTO t (id) VALUES (1);\n",
    )
    .unwrap();
    let migrator = Migrator::new(dir.as_path()).await.unwrap();
    let pool = pool(&peer.url()).await;
    migrator.run(&pool).await.unwrap();
    let stmts: Vec<String> = peer
        .requests()
        .iter()
        .map(|r| r.stmt().to_owned())
        .filter(|s| s != "SELECT 1")
        .collect();
    let pos = |prefix: &str| {
        stmts
            .iter()
            .position(|s| s.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} not sent: {stmts:#?}"))
    };
    assert!(
        pos("CREATE TABLE IF NOT EXISTS _sqlx_migrations") < pos("INSERT INTO _sqlx_migrations (")
    );
    assert!(pos("INSERT INTO _sqlx_migrations (") < pos("CREATE TABLE t"));
    assert!(pos("CREATE TABLE t") < pos("INSERT INTO t"));
    assert!(pos("INSERT INTO t") < pos("UPDATE _sqlx_migrations SET success = true"));
    assert!(stmts.iter().any(|s| s == "REFRESH TABLE _sqlx_migrations"));
    let insert = peer
        .requests()
        .into_iter()
        .find(|r| r.stmt().starts_with("INSERT INTO _sqlx_migrations ("))
        .unwrap();
    assert_eq!(insert.args()[0], 1);
    assert_eq!(
        insert.args()[2].as_str().unwrap().len(),
        96,
        "SHA-384 checksum as hex"
    );
    let _ = std::fs::remove_dir_all(dir);
}

mod migrate_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use migrate_support::{Db, Dir, History, LockRow, Shared, migrate_peer};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx_cratedb::migrate::RustMigration;

const FILES: &[(&str, &str)] = &[
    ("1_users.sql", "CREATE TABLE users (id TEXT PRIMARY KEY);\n"),
    (
        "2_posts.sql",
        "CREATE TABLE posts (id TEXT PRIMARY KEY);\nINSERT INTO posts (id) VALUES ('p1');\n",
    ),
    ("3_tags.sql", "CREATE TABLE tags (id TEXT PRIMARY KEY);"),
];

fn shared() -> Shared {
    Arc::new(Mutex::new(Db::default()))
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn sent(peer: &common::Peer, from: usize) -> Vec<String> {
    peer.requests()[from..]
        .iter()
        .map(|r| r.stmt().to_owned())
        .collect()
}

#[tokio::test]
async fn apply_then_rerun_applies_nothing_and_releases_the_lock() {
    let db = shared();
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let dir = Dir::new("apply", FILES);
    let migrator = Migrator::new(dir.0.as_path()).await.unwrap();
    let pool = pool(&peer.url()).await;
    migrator.run(&pool).await.unwrap();
    {
        let db = db.lock().unwrap();
        assert_eq!(
            db.executed,
            [
                "CREATE TABLE users (id TEXT PRIMARY KEY)",
                "CREATE TABLE posts (id TEXT PRIMARY KEY)",
                "INSERT INTO posts (id) VALUES ('p1')",
                "CREATE TABLE tags (id TEXT PRIMARY KEY)",
            ]
        );
        assert!(db.history.values().all(|h| h.success));
        assert_eq!(db.history.len(), 3);
        assert_eq!(db.lock, None, "unlock deletes the lock row");
        assert!(db.unexpected.is_empty(), "{:?}", db.unexpected);
    }
    let stmts = sent(&peer, 0);
    let first_lock = stmts
        .iter()
        .position(|s| s.starts_with("INSERT INTO _sqlx_migrations_lock"))
        .unwrap();
    let history = stmts
        .iter()
        .position(|s| s.starts_with("CREATE TABLE IF NOT EXISTS _sqlx_migrations ("))
        .unwrap();
    assert!(first_lock < history, "the lock comes first: {stmts:#?}");
    for table in ["_sqlx_migrations", "_sqlx_migrations_lock"] {
        assert!(
            stmts.iter().any(|s| *s == format!("REFRESH TABLE {table}")),
            "REFRESH TABLE {table}"
        );
    }

    let before = peer.count();
    migrator.run(&pool).await.unwrap();
    assert_eq!(
        db.lock().unwrap().executed.len(),
        4,
        "nothing applied twice"
    );
    assert!(
        !sent(&peer, before)
            .iter()
            .any(|s| s.starts_with("INSERT INTO _sqlx_migrations (")),
        "no history row written on the re-run"
    );
    assert_eq!(db.lock().unwrap().lock, None);
}

#[tokio::test]
async fn failing_migration_leaves_a_dirty_record_and_the_next_run_stops() {
    let db = shared();
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let dir = Dir::new(
        "dirty",
        &[
            ("1_ok.sql", "CREATE TABLE a (id INT)"),
            (
                "2_bad.sql",
                "CREATE TABLE b (id INT);\nSELECT FAIL;\nCREATE TABLE c (id INT);",
            ),
            ("3_later.sql", "CREATE TABLE d (id INT)"),
        ],
    );
    let migrator = Migrator::new(dir.0.as_path()).await.unwrap();
    let pool = pool(&peer.url()).await;
    let err = migrator.run(&pool).await.unwrap_err();
    match &err {
        MigrateError::ExecuteMigration(e, 2) => {
            assert!(e.to_string().contains("mismatched input"), "{e}");
        }
        other => panic!("expected ExecuteMigration(_, 2), got {other:?}"),
    }
    {
        let db = db.lock().unwrap();
        assert_eq!(
            db.executed,
            ["CREATE TABLE a (id INT)", "CREATE TABLE b (id INT)"],
            "stops at the failing statement; CrateDB keeps what ran"
        );
        assert!(db.history[&1].success);
        assert!(
            !db.history[&2].success,
            "recorded as started, never finished"
        );
        assert!(!db.history.contains_key(&3));
        assert_eq!(
            db.lock, None,
            "released although Migrator skips unlock on errors"
        );
    }

    let err = migrator.run(&pool).await.unwrap_err();
    assert!(matches!(err, MigrateError::Dirty(2)), "{err:?}");
    assert!(err.to_string().contains("partially applied"), "{err}");
    let db = db.lock().unwrap();
    assert_eq!(db.executed.len(), 2, "nothing re-applied");
    assert_eq!(db.lock, None);
}

#[tokio::test]
async fn changed_migration_is_reported_as_checksum_mismatch() {
    let db = shared();
    db.lock().unwrap().history.insert(
        1,
        History {
            description: "users".into(),
            success: true,
            checksum: "00".repeat(48),
        },
    );
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let dir = Dir::new("checksum", FILES);
    let migrator = Migrator::new(dir.0.as_path()).await.unwrap();
    let pool = pool(&peer.url()).await;
    let err = migrator.run(&pool).await.unwrap_err();
    assert!(matches!(err, MigrateError::VersionMismatch(1)), "{err:?}");
    let db = db.lock().unwrap();
    assert!(db.executed.is_empty());
    assert_eq!(
        db.lock, None,
        "no lock left behind although Migrator skips unlock after a checksum mismatch"
    );
}

#[tokio::test]
async fn missing_migration_leaves_no_lock_behind() {
    let db = shared();
    db.lock().unwrap().history.insert(
        9,
        History {
            description: "gone".into(),
            success: true,
            checksum: "00".repeat(48),
        },
    );
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let dir = Dir::new("missing", FILES);
    let migrator = Migrator::new(dir.0.as_path()).await.unwrap();
    let pool = pool(&peer.url()).await;
    let err = migrator.run(&pool).await.unwrap_err();
    assert!(matches!(err, MigrateError::VersionMissing(9)), "{err:?}");
    assert_eq!(db.lock().unwrap().lock, None);
}

/// The holder id is `<host> pid <pid> id <16 hex digits>`, fresh for every run: never a memory
/// address, which two processes (or two runs) can share.
#[tokio::test]
async fn holder_id_names_host_process_and_a_random_id() {
    let db = shared();
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let migrator = RustMigration::migrator([
        RustMigration::new(1, "a").up("CREATE TABLE a (x INT)"),
        RustMigration::new(2, "b").up("CREATE TABLE b (x INT)"),
    ]);
    let pool = pool(&peer.url()).await;
    migrator.run(&pool).await.unwrap();
    migrator.run(&pool).await.unwrap();
    let holders = db.lock().unwrap().holders.clone();
    assert!(holders.len() >= 2, "{holders:?}");
    let pid = format!(" pid {} id ", std::process::id());
    for holder in &holders {
        let (host, id) = holder
            .split_once(&pid)
            .unwrap_or_else(|| panic!("{holder:?} lacks `{pid}`"));
        assert!(
            !host.is_empty() && !host.contains(char::is_whitespace),
            "{holder:?}"
        );
        assert_eq!(id.len(), 16, "{holder:?}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{holder:?}");
    }
    let first_of_each_run = [&holders[0], holders.last().unwrap()];
    assert_ne!(first_of_each_run[0], first_of_each_run[1], "fresh per run");
}

/// With the default lease (2 min), a row its holder last renewed 3 minutes ago is taken over
/// at once (it used to need 10 minutes, as nobody renewed).
#[tokio::test]
async fn expired_lease_is_taken_over_with_the_default_options() {
    let db = shared();
    let renewed = now_ms() - 180_000;
    db.lock().unwrap().lock = Some(LockRow {
        holder: "crashed pid 7 id 00000000000000aa".into(),
        acquired_at: renewed,
    });
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let migrator =
        RustMigration::migrator([RustMigration::new(1, "a").up("CREATE TABLE a (x INT)")]);
    let pool = pool(&peer.url()).await;
    tokio::time::timeout(Duration::from_secs(10), migrator.run(&pool))
        .await
        .expect("taken over at once, not after a wait")
        .unwrap();
    let takeover = peer
        .requests()
        .into_iter()
        .find(|r| r.stmt().contains("AND acquired_at = $3"))
        .expect("conditional delete sent");
    assert_eq!(takeover.args()[2], renewed);
    let db = db.lock().unwrap();
    assert_eq!(db.executed, ["CREATE TABLE a (x INT)"]);
    assert_eq!(db.lock, None);
}

#[tokio::test]
async fn two_migrators_at_once_apply_each_migration_exactly_once() {
    let db = shared();
    // Slow user statements, so the second migrator arrives while the first holds the lock.
    let peer = migrate_peer(db.clone(), Duration::from_millis(40)).await;
    let dir = Dir::new("race", FILES);
    let m1 = Migrator::new(dir.0.as_path()).await.unwrap();
    let m2 = Migrator::new(dir.0.as_path()).await.unwrap();
    let (p1, p2) = (pool(&peer.url()).await, pool(&peer.url()).await);
    let (r1, r2) = tokio::join!(m1.run(&p1), m2.run(&p2));
    r1.unwrap();
    r2.unwrap();
    let db = db.lock().unwrap();
    let mut executed = db.executed.clone();
    executed.sort();
    let before = executed.len();
    executed.dedup();
    assert_eq!(before, 4, "{:?}", db.executed);
    assert_eq!(executed.len(), 4, "each statement once: {:?}", db.executed);
    assert!(
        db.lock_conflicts > 0,
        "the second migrator found the lock held"
    );
    assert_eq!(db.lock, None);
    assert!(db.history.values().all(|h| h.success));
}

#[tokio::test]
async fn stale_lock_is_taken_over_by_exact_holder_and_time() {
    let db = shared();
    let since = now_ms() - 3_600_000;
    db.lock().unwrap().lock = Some(LockRow {
        holder: "ghost pid 1".into(),
        acquired_at: since,
    });
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let dir = Dir::new("stale", FILES);
    let migrator = Migrator::new(dir.0.as_path()).await.unwrap();
    let pool = pool(&peer.url()).await;
    migrator.run(&pool).await.unwrap();
    let takeover = peer
        .requests()
        .into_iter()
        .find(|r| r.stmt().contains("AND acquired_at = $3"))
        .expect("conditional delete sent");
    assert_eq!(takeover.args()[1], "ghost pid 1");
    assert_eq!(takeover.args()[2], since);
    let db = db.lock().unwrap();
    assert_eq!(db.executed.len(), 4);
    assert_eq!(db.lock, None);
}

#[tokio::test]
async fn rust_migrations_apply_and_revert_through_the_same_machinery() {
    let db = shared();
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let migrator = RustMigration::migrator([
        RustMigration::new(1, "metrics")
            .up("CREATE TABLE metrics (id TEXT PRIMARY KEY)")
            .down("DROP TABLE metrics"),
        RustMigration::new(2, "unit")
            .up("ALTER TABLE metrics ADD COLUMN unit TEXT")
            .up("ALTER TABLE metrics ADD COLUMN scale INTEGER;")
            .down("ALTER TABLE metrics DROP COLUMN scale")
            .down("ALTER TABLE metrics DROP COLUMN unit"),
    ]);
    let pool = pool(&peer.url()).await;
    migrator.run(&pool).await.unwrap();
    migrator.run(&pool).await.unwrap();
    assert_eq!(db.lock().unwrap().executed.len(), 3);
    assert_eq!(db.lock().unwrap().history.len(), 2);

    migrator.undo(&pool, 0).await.unwrap();
    let db = db.lock().unwrap();
    assert_eq!(
        db.executed[3..],
        [
            "ALTER TABLE metrics DROP COLUMN scale",
            "ALTER TABLE metrics DROP COLUMN unit",
            "DROP TABLE metrics",
        ]
    );
    assert!(db.history.is_empty(), "reverted versions leave the history");
    assert_eq!(db.lock, None);
}

#[tokio::test]
async fn same_version_started_twice_without_lock_is_refused_by_the_history_key() {
    let db = shared();
    db.lock().unwrap().history.insert(
        1,
        History {
            description: "users".into(),
            success: true,
            checksum: String::new(),
        },
    );
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let mut conn = <sqlx_cratedb::CrateDbConnection as sqlx::Connection>::connect(&peer.url())
        .await
        .unwrap();
    let m = RustMigration::new(1, "users").up("CREATE TABLE users (id TEXT)");
    let migration = &m.into_migrations()[0];
    let err = sqlx::migrate::Migrate::apply(&mut conn, "_sqlx_migrations", migration)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("started by another migrator"),
        "{err}"
    );
    assert!(db.lock().unwrap().executed.is_empty());
}

/// Against a real CrateDB when `CRATEDB_URL` is set (`crate://crate@localhost:4200`); prints
/// why it skipped otherwise, and fails instead with `CRATEDB_REQUIRED=1`.
#[tokio::test]
async fn live_migrations_apply_rerun_and_revert_on_cratedb() {
    let url = match std::env::var("CRATEDB_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(
                std::env::var("CRATEDB_REQUIRED").as_deref() != Ok("1"),
                "CRATEDB_REQUIRED=1 but CRATEDB_URL is not set"
            );
            eprintln!("skipped: CRATEDB_URL not set");
            return;
        }
    };
    let pid = std::process::id();
    let history = format!("sqlx_cratedb_migrations_{pid}");
    let table = format!("sqlx_cratedb_migrated_{pid}");
    let mut migrator = RustMigration::migrator([
        RustMigration::new(1, "table")
            .up(format!("CREATE TABLE {table} (id TEXT PRIMARY KEY)"))
            .down(format!("DROP TABLE {table}")),
        RustMigration::new(2, "column")
            .up(format!("ALTER TABLE {table} ADD COLUMN note TEXT"))
            .down(format!("ALTER TABLE {table} DROP COLUMN note")),
    ]);
    migrator.dangerous_set_table_name(history.clone());
    let pool = pool(&url).await;
    migrator.run(&pool).await.unwrap();
    migrator.run(&pool).await.unwrap();
    let applied: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {history} WHERE success = true"
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(applied, 2);
    migrator.undo(&pool, 0).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("REFRESH TABLE {history}")))
        .execute(&pool)
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {history}"
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {history}")))
        .execute(&pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn skip_records_migrations_as_applied_without_running_them() {
    let db = shared();
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let dir = Dir::new("skip", FILES);
    let migrator = Migrator::new(dir.0.as_path()).await.unwrap();
    let pool = pool(&peer.url()).await;
    migrator.skip(&pool, Some(2)).await.unwrap();
    {
        let db = db.lock().unwrap();
        assert!(db.executed.is_empty(), "{:?}", db.executed);
        assert_eq!(db.history.keys().copied().collect::<Vec<_>>(), [1, 2]);
        assert!(db.history.values().all(|h| h.success));
    }
    migrator.run(&pool).await.unwrap();
    let db = db.lock().unwrap();
    assert_eq!(db.executed, ["CREATE TABLE tags (id TEXT PRIMARY KEY)"]);
    assert_eq!(db.lock, None);
}
