//! Live group `migrations`: sqlx's `Migrator` with in-memory migrations ([`RustMigration`])
//! against a real CrateDB.
//!
//! Each scenario works in a schema of its own (the connection's default schema, so the history
//! table `_sqlx_migrations`, the lock table and the migrated tables all live there) and drops
//! its tables at the end, so runs and transports never share a lock or a history.

use std::time::Duration;

use sqlx_cratedb::CrateDbPool;
use sqlx_cratedb::migrate::{LockOptions, RustMigration, lock_options, set_lock_options};

use super::scenario;
use crate::scenarios::{Scenario, Target, count, exec, pool, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(two_migrators_racing_apply_each_migration_once),
    scenario!(failing_migration_leaves_a_dirty_record_and_the_next_run_reports_it),
    scenario!(rerun_is_a_no_op),
    scenario!(checksum_mismatch_leaves_no_lock_behind),
    scenario!(expired_lease_is_taken_over),
    scenario!(renewed_lease_is_not_taken_over_during_a_long_migration),
];

/// A pool whose default schema is a fresh one.
async fn schema_pool(target: &Target, prefix: &str) -> (CrateDbPool, String) {
    let schema = unique(prefix);
    let pool = pool(target.options().clone().schema(&schema), 2).await;
    (pool, schema)
}

/// Drops every table of `schema` (CrateDB then drops the schema itself).
async fn drop_tables(pool: &CrateDbPool, schema: &str) {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    for t in tables {
        exec(pool, &format!("DROP TABLE IF EXISTS \"{schema}\".\"{t}\"")).await;
    }
    pool.close().await;
}

/// Rows of `table` after a refresh (history and lock tables are refreshed by the driver, data
/// tables are not).
async fn rows(pool: &CrateDbPool, table: &str) -> i64 {
    exec(pool, &format!("REFRESH TABLE {table}")).await;
    count(pool, table).await
}

/// The history rows with `success` as given.
async fn history(pool: &CrateDbPool, success: bool) -> i64 {
    exec(pool, "REFRESH TABLE _sqlx_migrations").await;
    sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success = $1")
        .bind(success)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Rows of the lock table (0: no lock left behind).
async fn lock_rows(pool: &CrateDbPool) -> i64 {
    rows(pool, "_sqlx_migrations_lock").await
}

/// Three migrations: a table, three rows, one more row.
fn migrations() -> Vec<RustMigration> {
    vec![
        RustMigration::new(1, "table").up("CREATE TABLE items (id INT PRIMARY KEY, note TEXT)"),
        RustMigration::new(2, "rows")
            .up("INSERT INTO items (id, note) VALUES (1, 'a'), (2, 'b')")
            .up("INSERT INTO items (id, note) VALUES (3, 'c')"),
        RustMigration::new(3, "column")
            .up("ALTER TABLE items ADD COLUMN extra TEXT")
            .up("INSERT INTO items (id, note, extra) VALUES (4, 'd', 'x')"),
    ]
}

/// Two migrators (two pools) started together on one schema: both succeed, each migration is
/// recorded once and its rows are inserted once, and no lock row stays.
pub(super) async fn two_migrators_racing_apply_each_migration_once(target: &Target) {
    let (p1, schema) = schema_pool(target, "mig_race").await;
    let p2 = pool(target.options().clone().schema(&schema), 2).await;
    let (m1, m2) = (
        RustMigration::migrator(migrations()),
        RustMigration::migrator(migrations()),
    );
    let (r1, r2) = futures_util::future::join(m1.run(&p1), m2.run(&p2)).await;
    r1.unwrap();
    r2.unwrap();
    assert_eq!(history(&p1, true).await, 3, "each migration recorded once");
    assert_eq!(history(&p1, false).await, 0);
    assert_eq!(rows(&p1, "items").await, 4, "each migration's rows once");
    assert_eq!(lock_rows(&p1).await, 0, "no lock left behind");
    p2.close().await;
    drop_tables(&p1, &schema).await;
}

/// A migration failing half-way keeps what ran (no transactions) and its history row stays
/// `success = false`; the next run stops with `Dirty` naming that version, applies nothing,
/// and neither run leaves a lock.
pub(super) async fn failing_migration_leaves_a_dirty_record_and_the_next_run_reports_it(
    target: &Target,
) {
    let (pool, schema) = schema_pool(target, "mig_dirty").await;
    let mut list = migrations();
    list.insert(
        2,
        RustMigration::new(3, "broken")
            .up("CREATE TABLE half (id INT)")
            .up("SELECT no_such_function_xyz()")
            .up("CREATE TABLE never (id INT)"),
    );
    list.pop();
    list.push(RustMigration::new(4, "later").up("CREATE TABLE later (id INT)"));
    let migrator = RustMigration::migrator(list);
    let err = migrator.run(&pool).await.unwrap_err();
    let debug = format!("{err:?}");
    assert!(
        debug.starts_with("ExecuteMigration(") && debug.ends_with(", 3)"),
        "{debug}"
    );
    assert!(
        err.to_string().contains("no_such_function_xyz") || debug.contains("no_such_function_xyz"),
        "the error names the failing call: {debug}"
    );
    assert_eq!(history(&pool, true).await, 2);
    assert_eq!(history(&pool, false).await, 1, "version 3 stays dirty");
    let dirty: i64 = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE NOT success")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(dirty, 3);
    assert_eq!(
        rows(&pool, "half").await,
        0,
        "the statement before the failure ran"
    );
    assert_eq!(
        lock_rows(&pool).await,
        0,
        "released although Migrator skips unlock"
    );

    let err = migrator.run(&pool).await.unwrap_err();
    assert_eq!(format!("{err:?}"), "Dirty(3)");
    assert!(
        err.to_string().contains("migration 3 is partially applied"),
        "{err}"
    );
    let later: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 \
         AND table_name IN ('later', 'never')",
    )
    .bind(&schema)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(later, 0, "nothing after the dirty version ran");
    assert_eq!(history(&pool, true).await, 2);
    assert_eq!(lock_rows(&pool).await, 0);
    drop_tables(&pool, &schema).await;
}

/// A second and third run change nothing: same history (and install times), same rows.
pub(super) async fn rerun_is_a_no_op(target: &Target) {
    let (pool, schema) = schema_pool(target, "mig_rerun").await;
    let migrator = RustMigration::migrator(migrations());
    migrator.run(&pool).await.unwrap();
    let installed = |pool: &CrateDbPool| {
        let pool = pool.clone();
        async move {
            exec(&pool, "REFRESH TABLE _sqlx_migrations").await;
            sqlx::query_as::<_, (i64, String, bool)>(
                "SELECT version, installed_on::TEXT, success FROM _sqlx_migrations ORDER BY version",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let before = installed(&pool).await;
    assert_eq!(before.len(), 3);
    migrator.run(&pool).await.unwrap();
    migrator.run(&pool).await.unwrap();
    assert_eq!(installed(&pool).await, before, "history untouched");
    assert_eq!(rows(&pool, "items").await, 4, "nothing inserted twice");
    assert_eq!(lock_rows(&pool).await, 0);
    drop_tables(&pool, &schema).await;
}

/// An applied migration whose SQL changed: `VersionMismatch` naming it, nothing applied, and
/// no lock row left (sqlx's `Migrator` returns without `unlock` there), so the unchanged
/// migrator runs at once afterwards instead of waiting for a lease to expire.
pub(super) async fn checksum_mismatch_leaves_no_lock_behind(target: &Target) {
    let (pool, schema) = schema_pool(target, "mig_checksum").await;
    RustMigration::migrator(migrations())
        .run(&pool)
        .await
        .unwrap();
    let mut changed = migrations();
    changed[1] = RustMigration::new(2, "rows")
        .up("INSERT INTO items (id, note) VALUES (1, 'a'), (2, 'CHANGED')")
        .up("INSERT INTO items (id, note) VALUES (3, 'c')");
    changed.push(RustMigration::new(4, "more").up("INSERT INTO items (id) VALUES (5)"));
    let err = RustMigration::migrator(changed)
        .run(&pool)
        .await
        .unwrap_err();
    assert_eq!(format!("{err:?}"), "VersionMismatch(2)");
    assert_eq!(lock_rows(&pool).await, 0, "no lock left behind");
    assert_eq!(rows(&pool, "items").await, 4, "migration 4 did not run");
    let started = std::time::Instant::now();
    RustMigration::migrator(migrations())
        .run(&pool)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "waited {:?} for a left-behind lock",
        started.elapsed()
    );
    assert_eq!(history(&pool, true).await, 3);
    drop_tables(&pool, &schema).await;
}

/// A lock row whose lease was last renewed longer ago than `stale_after` (a crashed migrator)
/// is taken over at once; the holder that took it is `<host> pid <pid> id <hex>`.
pub(super) async fn expired_lease_is_taken_over(target: &Target) {
    let (pool, schema) = schema_pool(target, "mig_expired").await;
    exec(
        &pool,
        "CREATE TABLE _sqlx_migrations_lock \
         (id INTEGER PRIMARY KEY, holder TEXT NOT NULL, acquired_at BIGINT NOT NULL)",
    )
    .await;
    let stale = chrono::Utc::now().timestamp_millis()
        - i64::try_from(lock_options().stale_after.as_millis()).unwrap()
        - 60_000;
    sqlx::query("INSERT INTO _sqlx_migrations_lock (id, holder, acquired_at) VALUES (1, $1, $2)")
        .bind("crashed-host pid 1 id 00000000000000aa")
        .bind(stale)
        .execute(&pool)
        .await
        .unwrap();
    exec(&pool, "REFRESH TABLE _sqlx_migrations_lock").await;
    let started = std::time::Instant::now();
    RustMigration::migrator(migrations())
        .run(&pool)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "an expired lease is taken over without waiting: {:?}",
        started.elapsed()
    );
    assert_eq!(history(&pool, true).await, 3);
    assert_eq!(lock_rows(&pool).await, 0);
    drop_tables(&pool, &schema).await;
}

/// With a lease of 1.5 s renewed every 200 ms, a migration of many DDL statements (several
/// seconds on CrateDB) keeps its lock: the second migrator waits instead of
/// taking it over (a takeover would make it stop on the first one's unfinished record), then
/// finds everything applied.
pub(super) async fn renewed_lease_is_not_taken_over_during_a_long_migration(target: &Target) {
    let saved = lock_options();
    set_lock_options(
        LockOptions::default()
            .stale_after(Duration::from_millis(1_500))
            .renew_interval(Duration::from_millis(200))
            .poll_interval(Duration::from_millis(100))
            .wait_timeout(Duration::from_mins(2)),
    );
    let (p1, schema) = schema_pool(target, "mig_lease").await;
    let p2 = pool(target.options().clone().schema(&schema), 2).await;
    let long = (0..12).fold(RustMigration::new(1, "long"), |m, i| {
        m.up(format!(
            "CREATE TABLE t{i} (id INT) WITH (number_of_replicas = 0)"
        ))
        .up(format!("INSERT INTO t{i} (id) VALUES (1)"))
        .up(format!("REFRESH TABLE t{i}"))
    });
    let list = || RustMigration::migrator([long.clone()]);
    let (m1, m2) = (list(), list());
    let started = std::time::Instant::now();
    // Both start together: the one that loses the race for the first migration waits for the
    // whole long migration, several leases.
    let (r1, r2) = futures_util::future::join(m1.run(&p1), m2.run(&p2)).await;
    let took = started.elapsed();
    set_lock_options(saved);
    r1.unwrap();
    r2.unwrap_or_else(|e| panic!("the second migrator (after {took:?}): {e}"));
    eprintln!("  the long migration took {took:?} with a lease of 1.5 s");
    assert_eq!(history(&p1, true).await, 1);
    assert_eq!(history(&p1, false).await, 0);
    let mut total = 0;
    for i in 0..12 {
        total += rows(&p1, &format!("t{i}")).await;
    }
    assert_eq!(total, 12, "each insert ran once");
    assert_eq!(lock_rows(&p1).await, 0);
    p2.close().await;
    drop_tables(&p1, &schema).await;
}
