//! A migration lock held by a live migrator: the wait times out with an error naming it.
//! (Its own test binary, because it changes the process-wide lock options.)

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

#[tokio::test]
async fn held_lock_times_out_with_the_holder_and_since() {
    set_lock_options(
        LockOptions::default()
            .wait_timeout(Duration::from_millis(300))
            .poll_interval(Duration::from_millis(50)),
    );
    let since = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
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
        text.contains("held by `deploy-7 pid 42` since 20"),
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
