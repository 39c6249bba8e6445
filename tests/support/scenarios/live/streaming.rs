//! Live group `streaming`: one million rows read through `fetch` over each transport with flat
//! client memory (the resident set is sampled while the rows stream and its growth reported).

use futures_util::TryStreamExt as _;
use sqlx::{AssertSqlSafe, Row as _};

use super::scenario;
use crate::scenarios::{Scenario, Target, count, exec, pool, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] =
    &[scenario!(a_million_rows_stream_with_flat_client_memory)];

const ROWS: i64 = 1_000_000;

/// Growth of the resident set allowed while streaming: far below the ~60 MiB the rows take as
/// Rust values, so a client that buffers the result fails.
const MAX_GROWTH_KIB: u64 = 48 * 1024;

/// The process's resident set in KiB (`VmRSS` of `/proc/self/status`).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// 1M rows written server-side (`generate_series`), read back in order, counted and summed.
pub(super) async fn a_million_rows_stream_with_flat_client_memory(target: &Target) {
    let pool = pool(target.options().clone(), 1).await;
    let t = unique("million");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id BIGINT, name TEXT) WITH (number_of_replicas = 0)"),
    )
    .await;
    exec(
        &pool,
        &format!(
            "INSERT INTO {t} (id, name) SELECT g, 'row ' || g::TEXT FROM \
             generate_series(1, {ROWS}) AS g"
        ),
    )
    .await;
    target.refresh(&pool, &t).await;
    assert_eq!(count(&pool, &t).await, ROWS);

    let mut conn = pool.acquire().await.unwrap();
    let sql = format!("SELECT id, name FROM {t}");
    let before = rss_kib();
    let mut peak = before;
    let started = std::time::Instant::now();
    let mut stream = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *conn);
    let (mut seen, mut sum) = (0_i64, 0_i64);
    while let Some(row) = stream.try_next().await.unwrap() {
        let id: i64 = row.get("id");
        assert_eq!(row.get::<&str, _>("name"), format!("row {id}"));
        seen += 1;
        sum += id;
        if seen % 50_000 == 0 {
            peak = peak.max(rss_kib());
        }
    }
    drop(stream);
    assert_eq!(seen, ROWS);
    assert_eq!(sum, ROWS * (ROWS + 1) / 2);
    let growth = peak.saturating_sub(before);
    eprintln!(
        "{}: streamed {ROWS} rows in {:.1} s; resident set {} MiB before, peak {} MiB (+{} MiB)",
        target.label(),
        started.elapsed().as_secs_f64(),
        before / 1024,
        peak / 1024,
        growth / 1024
    );
    assert!(growth < MAX_GROWTH_KIB, "resident set grew by {growth} KiB");
    drop(conn);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}
