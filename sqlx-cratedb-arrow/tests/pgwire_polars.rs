//! Polars `DataFrame`s over pgwire against a throwaway PostgreSQL (feature `polars`): a frame
//! written with its failed row reported by its row number in the frame, a typed result read
//! into a frame, the frame written back and read again unchanged, and a partitioned read
//! collected into one frame.
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use cratedb_integration::pg::{PgServer, PgServerConfig};
use sqlx_cratedb::{CrateDbPool, CrateDbPoolOptions};
use sqlx_cratedb_arrow::polars_core::prelude::{
    AnyValue, ChunkAgg as _, DataFrame, DataType, IntoColumn as _, NamedFrom as _, Series,
    TimeUnit, TimeZone,
};
use sqlx_cratedb_arrow::{
    FailureKind, PartitionedRead, ReadOptions, WriteOptions, fetch_dataframe, write_dataframe,
};

async fn pool(server: &PgServer) -> CrateDbPool {
    CrateDbPoolOptions::new()
        .max_connections(4)
        .connect_with(server.crate_options())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_frame_is_written_with_failed_rows_by_frame_row_and_read_back() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = pool(&server).await;
    let ids: Vec<i64> = (0..11).collect();
    let names: Vec<Option<String>> = ids
        .iter()
        .map(|i| (i % 4 != 0).then(|| format!("n{i}")))
        .collect();
    let scores: Vec<f64> = ids
        .iter()
        .map(|&i| if i == 10 { 1000.0 } else { i as f64 / 2.0 })
        .collect();
    let frame = DataFrame::new(
        ids.len(),
        vec![
            Series::new("id".into(), &ids).into_column(),
            Series::new("name".into(), &names).into_column(),
            Series::new("score".into(), &scores).into_column(),
        ],
    )
    .unwrap();
    // Row 10 breaks the score check, whichever request carries it first.
    sqlx::query(
        "CREATE TABLE pf (id bigint PRIMARY KEY, name text, score float8 CHECK (score < 100))",
    )
    .execute(&pool)
    .await
    .unwrap();
    let options = WriteOptions::new("pf").batch_size(4).concurrency(2);
    let report = write_dataframe(pool.clone(), &frame, options)
        .await
        .unwrap();
    assert_eq!((report.rows_done, report.rows_written), (11, 10));
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(
        (report.failed[0].index, &report.failed[0].kind),
        (10, &FailureKind::Rejected)
    );

    let back = fetch_dataframe(
        &pool,
        sqlx::query("SELECT id, name, score FROM pf ORDER BY id"),
        ReadOptions::new().batch_size(3),
    )
    .await
    .unwrap();
    assert_eq!(back.shape(), (10, 3));
    assert_eq!(back.column("id").unwrap().n_chunks(), 4);
    assert!(back.equals_missing(&frame.slice(0, 10)), "{back}");

    let by_range = PartitionedRead::by_range("SELECT * FROM pf", "id")
        .partitions(3)
        .concurrency(3)
        .collect_dataframe(&pool)
        .await
        .unwrap();
    assert_eq!(by_range.height(), 10);
    let sum = by_range.column("id").unwrap().i64().unwrap().sum();
    assert_eq!(sum, Some(45));
}

#[tokio::test]
async fn every_type_read_into_a_frame_is_written_back_unchanged() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = pool(&server).await;
    sqlx::query(
        "CREATE TABLE t (k int, s smallint, l bigint, r real, d float8, n numeric, t text, \
         ok boolean, ts timestamptz, tsn timestamp, tags int[], words text[])",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO t VALUES \
         (1, 1, 3, 1.5, 'NaN', 12.25, 'a,\"b\"', true, '2023-11-14 22:13:20.123+00', \
          '2023-11-14 22:13:20.5', '{1,NULL,3}', '{\"x y\",z}'), \
         (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), \
         (3, -1, -3, -0.5, 1e300, -3, '', false, '1969-12-31 23:59:59.999+00', \
          '1969-12-31 23:59:59.999', '{}', '{}')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let read = |table: &'static str| {
        let pool = pool.clone();
        async move {
            fetch_dataframe(
                &pool,
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT * FROM {table} ORDER BY k"
                ))),
                ReadOptions::new().batch_size(2),
            )
            .await
            .unwrap()
        }
    };
    let frame = read("t").await;
    let dtypes: Vec<DataType> = frame.dtypes();
    assert_eq!(
        dtypes,
        [
            DataType::Int32,
            DataType::Int16,
            DataType::Int64,
            DataType::Float32,
            DataType::Float64,
            DataType::Decimal(38, 2),
            DataType::String,
            DataType::Boolean,
            DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)),
            DataType::Datetime(TimeUnit::Milliseconds, None),
            DataType::List(Box::new(DataType::Int32)),
            DataType::List(Box::new(DataType::String)),
        ]
    );
    let value = |column: &str, row: usize| frame.column(column).unwrap().get(row).unwrap();
    assert_eq!(value("t", 0), AnyValue::String("a,\"b\""));
    assert_eq!(value("t", 1), AnyValue::Null);
    assert_eq!(
        value("ts", 2),
        AnyValue::Datetime(-1, TimeUnit::Milliseconds, Some(&TimeZone::UTC))
    );

    // PostgreSQL has no `ARRAY(…)` column type: the table is created by PostgreSQL here.
    sqlx::query("CREATE TABLE t2 (LIKE t)")
        .execute(&pool)
        .await
        .unwrap();
    let options = WriteOptions::new("t2");
    let report = write_dataframe(pool.clone(), &frame, options)
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let back = read("t2").await;
    assert_eq!(back.dtypes(), dtypes);
    assert!(back.equals_missing(&frame), "{frame}\n{back}");
}
