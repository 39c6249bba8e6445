//! `sqlx::migrate::Migrator` over the pgwire transport against throwaway PostgreSQL servers
//! (`cratedb_integration::pg`): apply, re-run, a failing migration's dirty record, two
//! migrators at once, stale-lock takeover, a held lock, revert. The migrator's SQL is the subset
//! CrateDB and PostgreSQL share; it skips `REFRESH TABLE` because the server is not CrateDB.
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(clippy::unwrap_used)]

use std::time::{SystemTime, UNIX_EPOCH};

use cratedb_integration::pg::{PgServer, PgServerConfig};
use sqlx::migrate::MigrateError;
use sqlx_cratedb::migrate::RustMigration;
use sqlx_cratedb::{CrateDbPool, CrateDbPoolOptions};

async fn pool(server: &PgServer) -> CrateDbPool {
    CrateDbPoolOptions::new()
        .max_connections(2)
        .connect(&server.crate_url())
        .await
        .unwrap()
}

async fn count(pool: &CrateDbPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn migrations() -> Vec<RustMigration> {
    vec![
        RustMigration::new(1, "log")
            .up("CREATE TABLE log (n INTEGER)")
            .up("INSERT INTO log (n) VALUES (1)")
            .down("DROP TABLE log"),
        RustMigration::new(2, "users")
            .up("CREATE TABLE users (id TEXT PRIMARY KEY)")
            .up("INSERT INTO log (n) VALUES (2)")
            .down("DROP TABLE users")
            .down("DELETE FROM log WHERE n = 2"),
    ]
}

#[tokio::test]
async fn apply_rerun_and_revert_on_postgresql() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = pool(&server).await;
    let migrator = RustMigration::migrator(migrations());
    migrator.run(&pool).await.unwrap();
    migrator.run(&pool).await.unwrap();
    assert_eq!(
        count(&pool, "SELECT count(*) FROM log").await,
        2,
        "nothing applied twice"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM _sqlx_migrations WHERE success").await,
        2
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM _sqlx_migrations_lock").await,
        0
    );

    migrator.undo(&pool, 1).await.unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM log").await, 1);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM _sqlx_migrations").await,
        1
    );
    migrator.undo(&pool, 0).await.unwrap();
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('log', 'users')"
        )
        .await,
        0
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM _sqlx_migrations").await,
        0
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM _sqlx_migrations_lock").await,
        0
    );
}

#[tokio::test]
async fn failing_migration_is_dirty_on_postgresql() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = pool(&server).await;
    let mut list = migrations();
    list.push(
        RustMigration::new(3, "broken")
            .up("CREATE TABLE half (id INTEGER)")
            .up("SELECT no_such_function()"),
    );
    let migrator = RustMigration::migrator(list);
    let err = migrator.run(&pool).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::ExecuteMigration(_, 3)),
        "{err:?}"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM _sqlx_migrations WHERE NOT success"
        )
        .await,
        1
    );
    let err = migrator.run(&pool).await.unwrap_err();
    assert!(matches!(err, MigrateError::Dirty(3)), "{err:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM log").await, 2);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM _sqlx_migrations_lock").await,
        0
    );
}

#[tokio::test]
async fn two_migrators_at_once_on_postgresql() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let (p1, p2) = (pool(&server).await, pool(&server).await);
    let mut list = migrations();
    // A slow migration, so the second migrator arrives while the first holds the lock.
    list.push(RustMigration::new(3, "slow").up("SELECT pg_sleep(0.5)"));
    let (m1, m2) = (
        RustMigration::migrator(list.clone()),
        RustMigration::migrator(list),
    );
    let (r1, r2) = tokio::join!(m1.run(&p1), m2.run(&p2));
    r1.unwrap();
    r2.unwrap();
    assert_eq!(
        count(&p1, "SELECT count(*) FROM log").await,
        2,
        "each migration once"
    );
    assert_eq!(count(&p1, "SELECT count(*) FROM _sqlx_migrations").await, 3);
    assert_eq!(
        count(&p1, "SELECT count(*) FROM _sqlx_migrations_lock").await,
        0
    );
}

#[tokio::test]
async fn stale_lock_is_taken_over_on_postgresql() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = pool(&server).await;
    let now_ms = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let hour_ago = now_ms - 3_600_000;
    sqlx::query(
        "CREATE TABLE _sqlx_migrations_lock \
         (id INTEGER PRIMARY KEY, holder TEXT NOT NULL, acquired_at BIGINT NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO _sqlx_migrations_lock VALUES (1, 'gone pid 1', $1)")
        .bind(hour_ago)
        .execute(&pool)
        .await
        .unwrap();
    RustMigration::migrator(migrations())
        .run(&pool)
        .await
        .unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM log").await, 2);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM _sqlx_migrations_lock").await,
        0
    );
}
