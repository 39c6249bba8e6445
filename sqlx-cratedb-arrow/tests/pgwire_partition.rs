//! Partitioned parallel reads over pgwire against a throwaway PostgreSQL: range splits give
//! the rows of the unsplit read (NULLs once), run their partitions at the same time, and
//! report typed errors.
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(clippy::unwrap_used)]

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array as _, RecordBatch};
use std::time::{Duration, Instant};

use chrono::DateTime;
use cratedb_integration::pg::{PgServer, PgServerConfig};
use futures_util::{StreamExt as _, TryStreamExt as _};
use sqlx::{Arguments as _, Connection as _};
use sqlx_cratedb::{CrateDbArguments, CrateDbConnection, CrateDbPool, CrateDbPoolOptions};
use sqlx_cratedb_arrow::{Error, PartitionedRead, ReadOptions, fetch_record_batches};

/// 1,001 rows: `v` 0..=1000; `id` = v but NULL for every v ending in 07 (10 rows); `f` = v/2
/// but NULL for v % 50 = 3 (20 rows) and NaN for v = 1000; `ts`/`tsn` v seconds after
/// 2023-11-14T22:13:20Z.
async fn server_and_table(max_connections: u32) -> Option<(PgServer, CrateDbPool)> {
    let server = PgServer::start_or_skip(PgServerConfig::new())?;
    let pool = CrateDbPoolOptions::new()
        .max_connections(max_connections)
        .connect_with(server.crate_options())
        .await
        .unwrap();
    for sql in [
        "CREATE TABLE t (id bigint, v int, f float8, ts timestamptz, tsn timestamp, name text)",
        "INSERT INTO t SELECT CASE WHEN g % 100 = 7 THEN NULL ELSE g END, g, \
         CASE WHEN g = 1000 THEN 'NaN' WHEN g % 50 = 3 THEN NULL ELSE g * 0.5 END, \
         to_timestamp(1700000000 + g), to_timestamp(1700000000 + g) AT TIME ZONE 'UTC', \
         'n' || g FROM generate_series(0, 1000) g",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    Some((server, pool))
}

/// Rows, the sum of `v` (column 1) and the NULLs of column `nulls_of`.
fn summary(batches: &[RecordBatch], nulls_of: &str) -> (usize, i64, usize) {
    let mut rows = 0;
    let mut sum = 0;
    let mut nulls = 0;
    for b in batches {
        rows += b.num_rows();
        sum += b
            .column(1)
            .as_primitive::<Int32Type>()
            .iter()
            .flatten()
            .map(i64::from)
            .sum::<i64>();
        nulls += b.column_by_name(nulls_of).unwrap().null_count();
    }
    (rows, sum, nulls)
}

#[tokio::test]
async fn range_splits_read_every_row_once() {
    let Some((_server, pool)) = server_and_table(4).await else {
        return;
    };
    let sql = "SELECT * FROM t";
    let whole: Vec<RecordBatch> = fetch_record_batches(&pool, sqlx::query(sql), ReadOptions::new())
        .try_collect()
        .await
        .unwrap();
    let expected_schema = whole[0].schema();
    for (column, nulls) in [("id", 10), ("v", 0), ("ts", 0), ("tsn", 0)] {
        let read = PartitionedRead::by_range(sql, column)
            .partitions(4)
            .read_options(ReadOptions::new().batch_size(100));
        assert_eq!(read.plan(&pool).await.unwrap().len(), 4, "{column}");
        let batches = read.collect(&pool).await.unwrap();
        assert_eq!(
            summary(&batches, column),
            (1001, 500_500, nulls),
            "{column}"
        );
        assert!(batches.iter().all(|b| b.schema() == expected_schema));
        assert!(batches.len() >= 4, "{column}: {}", batches.len());
    }
    // MAX(f) is NaN: no range to split, one query.
    let nan = PartitionedRead::by_range(sql, "f");
    assert_eq!(nan.plan(&pool).await.unwrap().len(), 1);
    assert_eq!(
        summary(&nan.collect(&pool).await.unwrap(), "f"),
        (1001, 500_500, 20)
    );
    // Given bounds only place the split points: rows outside them (and NaN) are still read.
    let bounded = PartitionedRead::by_range(sql, "f")
        .partitions(5)
        .bounds(100.0, 200.0);
    let parts = bounded.plan(&pool).await.unwrap();
    assert_eq!(parts.len(), 5);
    assert_eq!(
        parts[0].sql(),
        "SELECT * FROM (SELECT * FROM t) AS t WHERE (\"f\" < $1 OR \"f\" IS NULL)"
    );
    assert_eq!(
        summary(&bounded.collect(&pool).await.unwrap(), "f"),
        (1001, 500_500, 20)
    );
    let start = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
    let end = DateTime::from_timestamp_millis(1_700_000_500_000).unwrap();
    let by_time = PartitionedRead::by_range(sql, "ts")
        .partitions(3)
        .bounds(start, end);
    assert_eq!(
        summary(&by_time.collect(&pool).await.unwrap(), "ts"),
        (1001, 500_500, 0)
    );
    // The query's own arguments come first; the split's are numbered after them.
    let mut args = CrateDbArguments::default();
    args.add(500_i32).unwrap();
    let filtered = PartitionedRead::by_range("SELECT * FROM t WHERE v >= $1", "id")
        .arguments(args)
        .partitions(3)
        .collect(&pool)
        .await
        .unwrap();
    assert_eq!(summary(&filtered, "id"), (501, 375_750, 5));
}

#[tokio::test]
async fn partitions_run_at_the_same_time() {
    let Some((_server, pool)) = server_and_table(4).await else {
        return;
    };
    // Counts the caller in `arrivals` (sequences are not transactional) and returns once
    // `n` callers arrived; fails after about 5 s otherwise.
    for sql in [
        "CREATE SEQUENCE together",
        "CREATE SEQUENCE alone",
        "CREATE FUNCTION barrier(arrivals regclass, n int) RETURNS bigint AS $$ \
         BEGIN PERFORM nextval(arrivals); \
         FOR i IN 1..500 LOOP \
           IF pg_sequence_last_value(arrivals) >= n THEN RETURN n; END IF; \
           PERFORM pg_sleep(0.01); \
         END LOOP; \
         RAISE EXCEPTION 'only % of % sessions at the barrier', \
           pg_sequence_last_value(arrivals), n; \
         END $$ LANGUAGE plpgsql",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    // Each partition calls the barrier once, before its first row. Bounds given: a MIN/MAX
    // query would wait at the barrier alone.
    let read = |arrivals: &str| {
        PartitionedRead::by_range(
            format!("SELECT t.*, (SELECT barrier('{arrivals}', 4)) AS b FROM t"),
            "v",
        )
        .partitions(4)
        .bounds(0_i64, 1000_i64)
    };
    let batches = read("together")
        .concurrency(4)
        .collect(&pool)
        .await
        .unwrap();
    assert_eq!(summary(&batches, "v"), (1001, 500_500, 0));
    assert_eq!(pool.size(), 4);
    // One at a time, the first partition waits alone and fails: its error is the read's.
    let err = read("alone")
        .concurrency(1)
        .collect(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only 1 of 4 sessions"), "{err}");
}

#[tokio::test]
async fn typed_errors_empty_results_and_a_failing_partition() {
    let Some((_server, pool)) = server_and_table(4).await else {
        return;
    };
    let err = PartitionedRead::by_range("SELECT * FROM t", "name")
        .plan(&pool)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::PartitionColumn { column, found } if column == "name" && found == "TEXT"),
        "{err:?}"
    );
    // No rows, or only NULLs in the column: MIN/MAX are NULL, one query.
    let empty = PartitionedRead::by_range("SELECT * FROM t WHERE v < 0", "id");
    assert_eq!(empty.plan(&pool).await.unwrap().len(), 1);
    assert!(empty.collect(&pool).await.unwrap().is_empty());
    let nulls = PartitionedRead::by_range("SELECT * FROM t WHERE id IS NULL", "id");
    assert_eq!(nulls.plan(&pool).await.unwrap().len(), 1);
    assert_eq!(summary(&nulls.collect(&pool).await.unwrap(), "id").0, 10);
    // Division by zero at v = 600, in the third of four partitions: its error ends the
    // stream.
    let mut stream = PartitionedRead::by_range("SELECT id, v, 10 / (v - 600) AS x FROM t", "v")
        .partitions(4)
        .read_options(ReadOptions::new().batch_size(10))
        .stream(&pool)
        .await
        .unwrap();
    let mut error = None;
    while let Some(item) = stream.next().await {
        if let Err(e) = item {
            assert!(error.is_none(), "a second error: {e}");
            error = Some(e);
        }
    }
    let Some(Error::Sqlx(sqlx::Error::Database(db))) = error else {
        panic!("{error:?}");
    };
    assert_eq!(db.code().as_deref(), Some("22012"), "{db}");
}

#[tokio::test]
async fn a_failing_partition_cancels_the_others_on_the_server() {
    let Some((server, pool)) = server_and_table(4).await else {
        return;
    };
    // Fails once `n` other sessions sleep in a query naming `pg_sleep(60)`.
    sqlx::query(
        "CREATE FUNCTION fail_while_others_sleep(n int) RETURNS int AS $$ \
         DECLARE seen int; \
         BEGIN FOR i IN 1..500 LOOP \
           PERFORM pg_stat_clear_snapshot(); \
           SELECT count(*) INTO seen FROM pg_stat_activity WHERE state = 'active' \
             AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid(); \
           IF seen >= n THEN RAISE EXCEPTION 'failing while % partitions sleep', seen; END IF; \
           PERFORM pg_sleep(0.01); \
         END LOOP; \
         RAISE EXCEPTION 'the other partitions never slept'; \
         END $$ LANGUAGE plpgsql",
    )
    .execute(&pool)
    .await
    .unwrap();
    // The first partition (v < 250) fails while the other three sleep for 60 s.
    let started = Instant::now();
    let err = PartitionedRead::by_range(
        "SELECT id, v, CASE WHEN v < 250 THEN fail_while_others_sleep(3) \
         ELSE (SELECT 1 FROM pg_sleep(60)) END AS x FROM t",
        "v",
    )
    .partitions(4)
    .bounds(0_i64, 999_i64)
    .collect(&pool)
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("failing while 3 partitions sleep"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    // The sleeping partitions were cancelled on the server.
    let mut watcher = CrateDbConnection::connect_with(&server.crate_options())
        .await
        .unwrap();
    let mut sleeping = -1_i64;
    for _ in 0..100 {
        sleeping = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE state = 'active' AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        if sleeping == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sleeping, 0);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
