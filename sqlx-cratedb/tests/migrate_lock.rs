//! The migration lock under short, process-wide lock options: a held lock times out with an
//! error naming its holder, a renewed lease is never taken over, an expired one is. (Its own
//! test binary, because it changes the process-wide lock options; the tests take turns.)

#![cfg(feature = "migrate")]
#![allow(clippy::unwrap_used)]

mod common;
mod migrate_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::pool;
use migrate_support::{Db, LockRow, migrate_peer};
use sqlx::migrate::MigrateError;
use sqlx_cratedb::migrate::{LockOptions, MigrateLockError, RustMigration, set_lock_options};

/// The process-wide options are one setting: each test holds this while it runs.
static OPTIONS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[tokio::test]
async fn held_lock_times_out_with_the_holder_and_since() {
    let _turn = OPTIONS.lock().await;
    set_lock_options(
        LockOptions::default()
            .wait_timeout(Duration::from_millis(300))
            .poll_interval(Duration::from_millis(50)),
    );
    let since = now_ms();
    let db = Arc::new(Mutex::new(Db::default()));
    db.lock().unwrap().lock = Some(LockRow {
        holder: "deploy-7 pid 42".into(),
        acquired_at: since,
    });
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let migrator =
        RustMigration::migrator([RustMigration::new(1, "a").up("CREATE TABLE a (x INT)")]);
    let pool = pool(&peer.url()).await;
    let started = Instant::now();
    let err = migrator.run(&pool).await.unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(300));
    let text = err.to_string();
    assert!(
        text.contains("held by `deploy-7 pid 42`, lease last renewed at 20"),
        "{text}"
    );
    assert!(
        text.contains("DELETE FROM _sqlx_migrations_lock WHERE id = 1"),
        "{text}"
    );
    let MigrateError::Execute(sqlx::Error::Io(io)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    let typed = io
        .get_ref()
        .unwrap()
        .downcast_ref::<MigrateLockError>()
        .unwrap();
    let MigrateLockError::Held { holder, .. } = typed else {
        panic!("{typed:?}")
    };
    assert_eq!(holder, "deploy-7 pid 42");
    let db = db.lock().unwrap();
    assert!(db.executed.is_empty());
    assert!(db.lock_conflicts >= 2, "it kept polling");
    assert_eq!(
        db.lock.as_ref().unwrap().holder,
        "deploy-7 pid 42",
        "left alone"
    );
}

/// A migration whose one statement runs 4x the lease keeps its lock: the holder renews it in
/// the background, so a second migrator waits instead of taking it over, then finds the
/// migration applied. Without renewal the second one took the lock over after one lease and
/// stopped on the first one's unfinished (dirty) record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewed_lease_keeps_a_long_migration_from_being_taken_over() {
    let _turn = OPTIONS.lock().await;
    set_lock_options(
        LockOptions::default()
            .wait_timeout(Duration::from_secs(20))
            .stale_after(Duration::from_millis(500))
            .renew_interval(Duration::from_millis(100))
            .poll_interval(Duration::from_millis(50)),
    );
    let db = Arc::new(Mutex::new(Db::default()));
    let peer = migrate_peer(db.clone(), Duration::from_secs(2)).await;
    let list =
        || RustMigration::migrator([RustMigration::new(1, "slow").up("CREATE TABLE a (x INT)")]);
    let (m1, m2) = (list(), list());
    let (p1, p2) = (pool(&peer.url()).await, pool(&peer.url()).await);
    let first = m1.run(&p1);
    let second = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        m2.run(&p2).await
    };
    let (r1, r2) = tokio::join!(first, second);
    r1.unwrap();
    r2.unwrap();
    assert!(
        !peer
            .requests()
            .iter()
            .any(|r| r.stmt().contains("AND acquired_at = $3")),
        "no takeover of a renewed lease"
    );
    let db = db.lock().unwrap();
    assert_eq!(db.executed, ["CREATE TABLE a (x INT)"], "applied once");
    assert!(
        db.renewals >= 5,
        "renewed while the statement ran: {}",
        db.renewals
    );
    assert_eq!(db.lost_renewals, 0);
    assert!(
        db.lock_conflicts > 0,
        "the second migrator found the lock held"
    );
    assert_eq!(db.lock, None);
    assert!(db.history[&1].success);
}

/// A holder that stops renewing loses the lock one lease after its last renewal; the taker
/// deletes exactly that lease (holder and time) and migrates.
#[tokio::test]
async fn expired_lease_is_taken_over_after_the_lease() {
    let _turn = OPTIONS.lock().await;
    set_lock_options(
        LockOptions::default()
            .wait_timeout(Duration::from_secs(20))
            .stale_after(Duration::from_millis(800))
            .poll_interval(Duration::from_millis(50)),
    );
    let renewed = now_ms();
    let db = Arc::new(Mutex::new(Db::default()));
    db.lock().unwrap().lock = Some(LockRow {
        holder: "crashed pid 7 id 00000000000000aa".into(),
        acquired_at: renewed,
    });
    let peer = migrate_peer(db.clone(), Duration::ZERO).await;
    let migrator =
        RustMigration::migrator([RustMigration::new(1, "a").up("CREATE TABLE a (x INT)")]);
    let pool = pool(&peer.url()).await;
    let started = Instant::now();
    migrator.run(&pool).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(600),
        "waited for the lease: {waited:?}"
    );
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    let takeover = peer
        .requests()
        .into_iter()
        .find(|r| r.stmt().contains("AND acquired_at = $3"))
        .expect("conditional delete sent");
    assert_eq!(takeover.args()[1], "crashed pid 7 id 00000000000000aa");
    assert_eq!(takeover.args()[2], renewed);
    let db = db.lock().unwrap();
    assert_eq!(db.executed, ["CREATE TABLE a (x INT)"]);
    assert_eq!(db.lock, None);
}
