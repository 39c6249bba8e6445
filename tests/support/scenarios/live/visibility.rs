//! Live group `visibility`: when written rows become visible to reads.
//!
//! CrateDB makes a write visible to a read by primary key at once (a real-time get), and to
//! every other read after the table's next refresh (`REFRESH TABLE`, or the periodic
//! `refresh_interval`, 1 s by default, which a table only idle for 30 s skips). The driver
//! documents this and refreshes nothing by itself.

use sqlx::AssertSqlSafe;

use super::scenario;
use crate::scenarios::{Scenario, Target, count, exec, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[scenario!(
    a_write_is_visible_by_primary_key_at_once_and_to_scans_after_refresh
)];

/// With the periodic refresh off, a scan does not see a new row until `REFRESH TABLE`, while a
/// lookup by primary key sees it at once.
pub(super) async fn a_write_is_visible_by_primary_key_at_once_and_to_scans_after_refresh(
    target: &Target,
) {
    let pool = target.pool().await;
    let t = unique("visibility");
    exec(
        &pool,
        &format!(
            "CREATE TABLE {t} (id INT PRIMARY KEY, v TEXT) WITH (refresh_interval = 0, \
             number_of_replicas = 0)"
        ),
    )
    .await;
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
