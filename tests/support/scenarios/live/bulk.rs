//! Live group `bulk`: 100,000 rows through `execute_bulk` (HTTP `bulk_args`, pgwire batches of
//! Bind/Execute) with duplicate primary keys and out-of-range values mixed in: every row's
//! result is reported by its index and matches what the server stored.
//!
//! CrateDB reports a duplicate key for its row alone, but a value it cannot convert to the
//! column's type rejects the whole request (HTTP 400, every row `Failed`) or, over pgwire, that
//! row's Bind, dropping the rows of the batch parked before it (`NotExecuted`) and failing the
//! rest: nothing of that batch is applied.

use std::collections::HashSet;

use sqlx::AssertSqlSafe;
use sqlx_cratedb::{CrateDbArguments, CrateDbBulkRow};

use super::scenario;
use crate::scenarios::{Scenario, Target, count, exec, pool, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[scenario!(
    bulk_100k_rows_reports_every_row_as_the_server_applied_it
)];

const ROWS: i64 = 100_000;
const BATCH: i64 = 5_000;
/// Rows whose `n` is beyond INTEGER: in batches 10 and 15.
const OUT_OF_RANGE: [i64; 2] = [50_123, 77_777];

/// Row `r` writes `(id, src, n)`: `id = r`, except every 1,000th row repeats the previous row's
/// id (a duplicate key); `n = r`, except the [`OUT_OF_RANGE`] rows, which carry a value beyond
/// INTEGER (a conversion error). `src = r` names the row that wrote a stored record.
pub(super) async fn bulk_100k_rows_reports_every_row_as_the_server_applied_it(target: &Target) {
    let pool = pool(
        target
            .options()
            .clone()
            .bulk_rows(usize::try_from(BATCH).unwrap()),
        1,
    )
    .await;
    let t = unique("bulk100k");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id BIGINT PRIMARY KEY, src BIGINT, n INTEGER)"),
    )
    .await;
    let rows = (0..ROWS).map(|r| {
        let id = if r % 1000 == 999 { r - 1 } else { r };
        let n = if OUT_OF_RANGE.contains(&r) {
            10_000_000_000
        } else {
            r
        };
        CrateDbArguments::default().bind(id).bind(r).bind(n)
    });
    let result = sqlx_cratedb::bulk::execute_bulk(
        &pool,
        AssertSqlSafe(format!("INSERT INTO {t} (id, src, n) VALUES ($1, $2, $3)")),
        rows,
    )
    .await
    .unwrap();
    assert_eq!(result.rows().len(), 100_000, "one result per input row");
    let mut applied = HashSet::new();
    let mut failed = HashSet::new();
    let mut not_executed = HashSet::new();
    for (r, row) in result.rows().iter().enumerate() {
        let r = i64::try_from(r).unwrap();
        match row {
            CrateDbBulkRow::Applied(Some(1)) => {
                applied.insert(r);
            }
            CrateDbBulkRow::Failed(e) => {
                assert_eq!(e.row_index(), Some(usize::try_from(r).unwrap()), "{e}");
                failed.insert(r);
            }
            CrateDbBulkRow::NotExecuted => {
                not_executed.insert(r);
            }
            other => panic!("row {r}: {other:?}"),
        }
    }
    // Every duplicate and every out-of-range row failed. The other rows of a batch with an
    // out-of-range value were not applied: over HTTP CrateDB refuses the request (all
    // `Failed`); over pgwire it refuses that row's Bind and drops the batch's parked rows
    // (`NotExecuted` before it, `Failed` after it). Nothing else failed.
    let rejected_batches: Vec<i64> = OUT_OF_RANGE.iter().map(|r| r / BATCH).collect();
    let in_rejected_batch = |r: &i64| rejected_batches.contains(&(r / BATCH));
    let expected_not_applied: HashSet<i64> = (0..ROWS)
        .filter(|r| r % 1000 == 999 || in_rejected_batch(r))
        .collect();
    let not_applied: HashSet<i64> = failed.union(&not_executed).copied().collect();
    assert_eq!(not_applied, expected_not_applied);
    for r in (0..ROWS).filter(|r| r % 1000 == 999 || OUT_OF_RANGE.contains(r)) {
        assert!(failed.contains(&r), "row {r} is reported Failed");
    }
    assert!(
        not_executed.iter().all(in_rejected_batch),
        "only rows of a rejected batch are NotExecuted"
    );
    target.refresh(&pool, &t).await;
    assert_eq!(
        count(&pool, &t).await,
        i64::try_from(applied.len()).unwrap()
    );
    let stored: Vec<(i64,)> = sqlx::query_as(AssertSqlSafe(format!("SELECT src FROM {t}")))
        .fetch_all(&pool)
        .await
        .unwrap();
    let stored: HashSet<i64> = stored.into_iter().map(|(s,)| s).collect();
    assert_eq!(
        stored, applied,
        "the stored rows are exactly the rows reported applied"
    );
    eprintln!(
        "{}: bulk 100k: {} applied, {} failed, {} not executed, {} requests",
        target.label(),
        applied.len(),
        failed.len(),
        not_executed.len(),
        result.requests()
    );
    exec(&pool, &format!("DROP TABLE {t}")).await;
}
