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
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(bulk_100k_rows_reports_every_row_as_the_server_applied_it),
    scenario!(models_are_inserted_and_upserted_in_concurrent_batches),
];

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

/// The model of [`models_are_inserted_and_upserted_in_concurrent_batches`].
#[derive(sea_cratedb::CrateModel, Clone, Debug)]
#[cratedb(table = "sqlx_cratedb_bulk_models")]
struct Item {
    #[cratedb(primary_key)]
    id: i64,
    label: String,
    qty: Option<i32>,
}

/// 20,001 model rows through `insert_models` (batches of 3,000, 4 in flight): the one
/// duplicate key fails at its own index and every other row is stored; `upsert_models` then
/// updates every row.
pub(super) async fn models_are_inserted_and_upserted_in_concurrent_batches(target: &Target) {
    use sqlx_cratedb::bulk::{ModelBulkOptions, insert_models, upsert_models};

    let pool = pool(target.options().clone(), 4).await;
    exec(&pool, "DROP TABLE IF EXISTS sqlx_cratedb_bulk_models").await;
    exec(
        &pool,
        "CREATE TABLE sqlx_cratedb_bulk_models (id BIGINT PRIMARY KEY, label TEXT, qty INTEGER) \
         WITH (number_of_replicas = 0)",
    )
    .await;
    let mut rows: Vec<Item> = (0..20_000)
        .map(|id| Item {
            id,
            label: format!("item-{id}"),
            qty: (id % 3 != 0).then_some(1),
        })
        .collect();
    // Row 20,000 repeats the key of row 17: one of the two fails, whichever comes second.
    rows.push(Item {
        id: 17,
        label: "again".to_owned(),
        qty: None,
    });
    let options = ModelBulkOptions::new().batch_size(3_000).concurrency(4);
    let result = insert_models(&pool, &rows, options).await.unwrap();
    assert_eq!(result.rows().len(), rows.len());
    let failed: Vec<usize> = result
        .rows()
        .iter()
        .enumerate()
        .filter_map(|(i, r)| matches!(r, CrateDbBulkRow::Failed(_)).then_some(i))
        .collect();
    assert!(
        failed == [17] || failed == [20_000],
        "failed rows: {failed:?}"
    );
    for error in result.failures() {
        assert_eq!(error.row_index(), Some(failed[0]), "{error}");
    }
    let applied = result
        .rows()
        .iter()
        .filter(|r| matches!(r, CrateDbBulkRow::Applied(_)))
        .count();
    assert_eq!(applied, 20_000);
    assert!(result.requests() >= 7, "{} requests", result.requests());
    exec(&pool, "REFRESH TABLE sqlx_cratedb_bulk_models").await;
    assert_eq!(count(&pool, "sqlx_cratedb_bulk_models").await, 20_000);

    for row in &mut rows {
        row.label = format!("updated-{}", row.id);
    }
    let result = upsert_models(&pool, &rows[..20_000], options)
        .await
        .unwrap();
    assert!(result.is_success(), "{:?}", result.failures().next());
    exec(&pool, "REFRESH TABLE sqlx_cratedb_bulk_models").await;
    let updated: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlx_cratedb_bulk_models WHERE label LIKE 'updated-%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(updated, 20_000);
    exec(&pool, "DROP TABLE sqlx_cratedb_bulk_models").await;
}
