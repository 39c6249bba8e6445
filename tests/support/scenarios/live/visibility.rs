//! Live group `visibility`: when written rows become visible to reads.
//!
//! CrateDB makes a write visible to a read by primary key at once (a real-time get), and to
//! every other read after the table's next refresh (`REFRESH TABLE`, or the periodic
//! `refresh_interval`, 1 s by default, which a table only idle for 30 s skips). The driver
//! documents this and refreshes nothing by itself unless asked to (`refresh_after_writes`).

use sqlx::AssertSqlSafe;

use super::scenario;
use crate::scenarios::{Scenario, Target, count, exec, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(a_write_is_visible_by_primary_key_at_once_and_to_scans_after_refresh),
    scenario!(refresh_after_writes_makes_each_write_visible_to_scans_at_once),
];

/// A table `t (id INT PRIMARY KEY, v TEXT)` with the periodic refresh off.
async fn create_unrefreshed(pool: &sqlx_cratedb::CrateDbPool, t: &str) {
    exec(
        pool,
        &format!(
            "CREATE TABLE {t} (id INT PRIMARY KEY, v TEXT) WITH (refresh_interval = 0, \
             number_of_replicas = 0)"
        ),
    )
    .await;
}

/// With the periodic refresh off, a scan does not see a new row until `REFRESH TABLE`, while a
/// lookup by primary key sees it at once.
pub(super) async fn a_write_is_visible_by_primary_key_at_once_and_to_scans_after_refresh(
    target: &Target,
) {
    let pool = target.pool().await;
    let t = unique("visibility");
    create_unrefreshed(&pool, &t).await;
    exec(&pool, &format!("INSERT INTO {t} (id, v) VALUES (1, 'a')")).await;
    let by_key: Option<String> =
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT v FROM {t} WHERE id = $1")))
            .bind(1)
            .fetch_optional(&pool)
            .await
            .unwrap();
    assert_eq!(
        by_key.as_deref(),
        Some("a"),
        "a primary-key lookup sees the write"
    );
    assert_eq!(count(&pool, &t).await, 0, "a scan before REFRESH TABLE");
    exec(&pool, &format!("REFRESH TABLE {t}")).await;
    assert_eq!(count(&pool, &t).await, 1, "a scan after REFRESH TABLE");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// With `refresh_after_writes`, a scan sees each write at once, even with the periodic refresh
/// off: inserts, updates, deletes and bulk runs.
pub(super) async fn refresh_after_writes_makes_each_write_visible_to_scans_at_once(
    target: &Target,
) {
    let pool = target.pool().await;
    let t = unique("refreshed");
    create_unrefreshed(&pool, &t).await;
    let refreshing =
        crate::scenarios::pool(target.options().clone().refresh_after_writes(true), 2).await;
    exec(
        &refreshing,
        &format!("INSERT INTO {t} (id, v) VALUES (1, 'a')"),
    )
    .await;
    assert_eq!(count(&pool, &t).await, 1, "a scan right after the insert");
    let rows = (2..=4).map(|i| sqlx_cratedb::CrateDbArguments::default().bind(i).bind("b"));
    let mut conn = refreshing.acquire().await.unwrap();
    let bulk = conn
        .execute_bulk(
            AssertSqlSafe(format!("INSERT INTO {t} (id, v) VALUES ($1, $2)")),
            rows,
        )
        .await
        .unwrap();
    assert!(bulk.is_success() && bulk.refresh_error().is_none());
    drop(conn);
    assert_eq!(
        count(&pool, &t).await,
        4,
        "a scan right after the bulk insert"
    );
    exec(&refreshing, &format!("DELETE FROM {t} WHERE id > 2")).await;
    assert_eq!(count(&pool, &t).await, 2, "a scan right after the delete");
    exec(&refreshing, &format!("UPDATE {t} SET v = 'c' WHERE id = 2")).await;
    let updated: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {t} WHERE v = 'c'"
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(updated, 1);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}
