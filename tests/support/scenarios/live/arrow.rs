//! Live group `arrow`: the Arrow reader and writer of `sqlx-cratedb-arrow` against CrateDB,
//! over each transport: every CrateDB type of the mapping read into its Arrow type, and a
//! write that creates its table from the Arrow schema (lists, structs, points, vectors),
//! reports the rows CrateDB refuses by their source index while the others are stored, and
//! upserts; partitioned parallel reads split by a column's range and by the partitions of a
//! `PARTITIONED BY` table; with the feature `polars`, every type read into a Polars
//! `DataFrame`, written back from it and read again unchanged.

#![allow(
    clippy::too_many_lines,
    clippy::cast_precision_loss,
    clippy::from_iter_instead_of_collect
)]
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int32Type, Int64Type,
    TimestampMillisecondType,
};
use arrow_array::{
    Array, ArrayRef, FixedSizeListArray, Float32Array, Float64Array, Int64Array, ListArray,
    RecordBatch, StringArray, StructArray,
};
use arrow_schema::{DataType, Field, Fields, Schema};
use futures_util::TryStreamExt as _;
use sqlx::AssertSqlSafe;
use sqlx_cratedb_arrow::{
    BulkWriter, FailureKind, PartitionedRead, ReadOptions, WriteMode, WriteOptions,
    fetch_record_batches,
};

use super::arrow_columnar::{
    arrow_write_by_column_reports_every_row,
    arrow_write_into_an_unconvertible_column_rejects_each_row, failed_rows,
};
use super::scenario;
use crate::scenarios::{Scenario, Target, Transport, count, exec, pool, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(arrow_read_types_every_cratedb_type),
    scenario!(arrow_write_creates_reports_and_upserts),
    scenario!(arrow_write_by_column_reports_every_row),
    scenario!(arrow_write_into_an_unconvertible_column_rejects_each_row),
    scenario!(arrow_partitioned_reads_by_range_and_by_table_partition),
    #[cfg(feature = "polars")]
    scenario!(arrow_polars_frames_round_trip_every_type),
];

async fn read(pool: &sqlx_cratedb::CrateDbPool, sql: String, options: ReadOptions) -> RecordBatch {
    let batches: Vec<RecordBatch> =
        fetch_record_batches(pool, sqlx::query(AssertSqlSafe(sql)), options)
            .try_collect()
            .await
            .unwrap();
    arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
}

/// One row of every mapped type, a row of NULLs, read in batches of one.
pub(super) async fn arrow_read_types_every_cratedb_type(target: &Target) {
    let pool = pool(target.options().clone(), 1).await;
    let t = unique("arrow_read");
    exec(
        &pool,
        &format!(
            "CREATE TABLE {t} (k INT, i INT, l BIGINT, r REAL, d DOUBLE, n NUMERIC(10, 2), \
             s TEXT, ok BOOLEAN, ts TIMESTAMP WITH TIME ZONE, tsn TIMESTAMP, ip IP, \
             pt GEO_POINT, v FLOAT_VECTOR(3), tags ARRAY(TEXT), nums ARRAY(BIGINT), \
             o OBJECT(DYNAMIC) AS (a INT, b TEXT)) WITH (number_of_replicas = 0)"
        ),
    )
    .await;
    exec(
        &pool,
        &format!(
            "INSERT INTO {t} VALUES (1, 7, 8000000000, 1.5, 2.25, 12.34, 'x\"y', true, \
             '2023-11-14T22:13:20.123Z', '2023-11-14T22:13:20.123', '10.1.2.3', [9.5, 47.25], \
             [1.0, 2.0, 3.0], ['a', NULL], [1, 2], {{a = 1, b = 'bee'}}), \
             (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
             NULL, NULL)"
        ),
    )
    .await;
    target.refresh(&pool, &t).await;
    let fields = Fields::from(vec![
        Field::new("a", DataType::Int32, true),
        Field::new("b", DataType::Utf8, true),
    ]);
    let options = ReadOptions::new().batch_size(1).object_fields("o", fields);
    let b = read(
        &pool,
        format!("SELECT *, CURRENT_DATE AS day FROM {t} ORDER BY k"),
        options,
    )
    .await;
    assert_eq!(b.num_rows(), 2);
    // pgwire reports a FLOAT_VECTOR as `real[]`, without its length.
    let vector = match target.transport() {
        Transport::Http => "FixedSizeList(3 x Float32)",
        Transport::PgWire => "List(Float32)",
    };
    let types: Vec<String> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().to_string())
        .collect();
    assert_eq!(
        types,
        [
            "Int32",
            "Int32",
            "Int64",
            "Float32",
            "Float64",
            "Decimal128(38, 2)",
            "Utf8",
            "Boolean",
            "Timestamp(ms, \"UTC\")",
            "Timestamp(ms)",
            "Utf8",
            "FixedSizeList(2 x Float64)",
            vector,
            "List(Utf8)",
            "List(Int64)",
            "Struct(\"a\": Int32, \"b\": Utf8)",
            "Date32",
        ],
        "{}",
        target.label()
    );
    assert_eq!(b.column(1).as_primitive::<Int32Type>().value(0), 7);
    assert!(b.column(1).is_null(1));
    assert_eq!(
        b.column(2).as_primitive::<Int64Type>().value(0),
        8_000_000_000
    );
    assert!((b.column(3).as_primitive::<Float32Type>().value(0) - 1.5).abs() < f32::EPSILON);
    assert!((b.column(4).as_primitive::<Float64Type>().value(0) - 2.25).abs() < f64::EPSILON);
    assert_eq!(b.column(5).as_primitive::<Decimal128Type>().value(0), 1234);
    assert_eq!(b.column(6).as_string::<i32>().value(0), "x\"y");
    assert!(b.column(7).as_boolean().value(0));
    let ms = 1_700_000_000_123;
    assert_eq!(
        b.column(8)
            .as_primitive::<TimestampMillisecondType>()
            .value(0),
        ms
    );
    assert_eq!(
        b.column(9)
            .as_primitive::<TimestampMillisecondType>()
            .value(0),
        ms
    );
    assert_eq!(b.column(10).as_string::<i32>().value(0), "10.1.2.3");
    let pt = b.column(11).as_fixed_size_list().value(0);
    assert_eq!(pt.as_primitive::<Float64Type>().values(), &[9.5, 47.25]);
    assert_eq!(floats(b.column(12)), [1.0, 2.0, 3.0]);
    let tags = b.column(13).as_list::<i32>().value(0);
    assert_eq!(tags.as_string::<i32>().value(0), "a");
    assert!(tags.is_null(1));
    assert_eq!(
        b.column(14)
            .as_list::<i32>()
            .value(0)
            .as_primitive::<Int64Type>()
            .values(),
        &[1, 2]
    );
    let o = b.column(15).as_struct();
    assert_eq!(o.column(0).as_primitive::<Int32Type>().value(0), 1);
    assert_eq!(o.column(1).as_string::<i32>().value(0), "bee");
    assert!(o.is_null(1));
    let today = b.column(16).as_primitive::<Date32Type>().value(0);
    assert!(today > 19_000, "{today}");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// Row 0 of a vector column: a fixed-size list over HTTP, a list over pgwire.
fn floats(column: &ArrayRef) -> Vec<f32> {
    let values = match column.data_type() {
        DataType::FixedSizeList(..) => column.as_fixed_size_list().value(0),
        _ => column.as_list::<i32>().value(0),
    };
    values.as_primitive::<Float32Type>().values().to_vec()
}

fn data(ids: &[i64], lats: &[f64]) -> RecordBatch {
    let item = |t| Arc::new(Field::new("item", t, true));
    let props = Fields::from(vec![Field::new("color", DataType::Utf8, true)]);
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
        Field::new(
            "pos",
            DataType::FixedSizeList(item(DataType::Float64), 2),
            true,
        ),
        Field::new(
            "emb",
            DataType::FixedSizeList(item(DataType::Float32), 2),
            true,
        ),
        Field::new("tags", DataType::List(item(DataType::Utf8)), true),
        Field::new("props", DataType::Struct(props.clone()), true),
    ]));
    let n = ids.len();
    let pos: Vec<f64> = lats.iter().flat_map(|lat| [8.5, *lat]).collect();
    let emb: Vec<f32> = (0..n).flat_map(|i| [i as f32, 0.5]).collect();
    let tags =
        ListArray::from_iter_primitive::<Int32Type, _, _>((0..n).map(|_| Some(vec![Some(1)])));
    let tags = arrow_cast::cast(&tags, &DataType::List(item(DataType::Utf8))).unwrap();
    let colors: ArrayRef = Arc::new(StringArray::from_iter(
        (0..n).map(|i| Some(format!("c{i}"))),
    ));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids.to_vec())),
        Arc::new(StringArray::from_iter(
            (0..n).map(|i| Some(format!("n{i}"))),
        )),
        Arc::new(FixedSizeListArray::new(
            item(DataType::Float64),
            2,
            Arc::new(Float64Array::from(pos)),
            None,
        )),
        Arc::new(FixedSizeListArray::new(
            item(DataType::Float32),
            2,
            Arc::new(Float32Array::from(emb)),
            None,
        )),
        tags,
        Arc::new(StructArray::new(props, vec![colors], None)),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

/// 1,000 rows in batches of 100, 3 in flight; a latitude out of range (row 250) and a
/// duplicate key (row 777) are refused alone; then an upsert replaces a row.
pub(super) async fn arrow_write_creates_reports_and_upserts(target: &Target) {
    let pool = pool(target.options().clone(), 3).await;
    let t = unique("arrow_write");
    let ids: Vec<i64> = (0..1000).map(|i| if i == 777 { 776 } else { i }).collect();
    let lats: Vec<f64> = (0..1000)
        .map(|i| if i == 250 { 200.0 } else { 47.0 })
        .collect();
    let batch = data(&ids, &lats);
    let options = WriteOptions::new(t.clone())
        .create_table(true)
        .primary_key(["id"])
        .batch_size(100)
        .concurrency(3);
    let mut writer = BulkWriter::new(pool.clone(), batch.schema(), options.clone())
        .await
        .unwrap();
    writer.write(&batch.slice(0, 500)).await.unwrap();
    writer.write(&batch.slice(500, 500)).await.unwrap();
    let report = writer.finish().await.unwrap();
    let failed = failed_rows(&report);
    // Row 776 and 777 share a key: whichever lands second fails.
    assert_eq!(failed.len(), 2, "{}: {:?}", target.label(), report.failed);
    assert_eq!(
        failed[0],
        (250, FailureKind::Rejected),
        "{:?}",
        report.failed
    );
    assert!(matches!(failed[1].0, 776 | 777), "{:?}", report.failed);
    assert_eq!(report.rows_written, 998);
    target.refresh(&pool, &t).await;
    assert_eq!(count(&pool, &t).await, 998);

    let upsert = options.create_table(false).mode(WriteMode::Upsert);
    let mut writer = BulkWriter::new(pool.clone(), batch.schema(), upsert)
        .await
        .unwrap();
    writer.write(&data(&[5], &[10.0])).await.unwrap();
    assert!(writer.finish().await.unwrap().failed.is_empty());
    target.refresh(&pool, &t).await;
    let b = read(
        &pool,
        format!("SELECT pos, emb, tags, props['color'] AS c FROM {t} WHERE id = 5"),
        ReadOptions::new(),
    )
    .await;
    let pos = b.column(0).as_fixed_size_list().value(0);
    assert_eq!(pos.as_primitive::<Float64Type>().values(), &[8.5, 10.0]);
    assert_eq!(floats(b.column(1)), [0.0, 0.5]);
    assert_eq!(
        b.column(2)
            .as_list::<i32>()
            .value(0)
            .as_string::<i32>()
            .value(0),
        "1"
    );
    assert_eq!(b.column(3).as_string::<i32>().value(0), "c0");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// Rows, the sum of `v` (column 1, `INTEGER`) and the NULLs of column `nulls_of`.
fn summary(batches: &[RecordBatch], nulls_of: &str) -> (usize, i64, usize) {
    batches.iter().fold((0, 0, 0), |(rows, sum, nulls), b| {
        let v = b.column(1).as_primitive::<Int32Type>();
        (
            rows + b.num_rows(),
            sum + v.iter().flatten().map(i64::from).sum::<i64>(),
            nulls + b.column_by_name(nulls_of).unwrap().null_count(),
        )
    })
}

/// 300 rows over 13 days and 3 regions (one NULL) of a table partitioned by day and region,
/// 6 NULL ids: read whole, split by the range of `id` and of `ts`, and split by partition.
pub(super) async fn arrow_partitioned_reads_by_range_and_by_table_partition(target: &Target) {
    let pool = pool(target.options().clone(), 4).await;
    let t = unique("arrow_partitioned");
    exec(
        &pool,
        &format!(
            "CREATE TABLE {t} (id BIGINT, v INT, ts TIMESTAMP WITH TIME ZONE, region TEXT, \
             day TIMESTAMP WITH TIME ZONE GENERATED ALWAYS AS date_trunc('day', ts)) \
             PARTITIONED BY (day, region) WITH (number_of_replicas = 0)"
        ),
    )
    .await;
    exec(
        &pool,
        &format!(
            "INSERT INTO {t} (id, v, ts, region) SELECT \
             CASE WHEN g % 50 = 7 THEN NULL ELSE g END, g, 1700000000000 + g * 3600000, \
             CASE g % 3 WHEN 0 THEN 'eu' WHEN 1 THEN 'us' ELSE NULL END \
             FROM generate_series(0, 299) AS g"
        ),
    )
    .await;
    target.refresh(&pool, &t).await;
    let sql = format!("SELECT id, v, ts, region, day FROM {t}");
    let whole: Vec<RecordBatch> = fetch_record_batches(
        &pool,
        sqlx::query(AssertSqlSafe(sql.clone())),
        ReadOptions::new(),
    )
    .try_collect()
    .await
    .unwrap();
    let label = target.label();
    assert_eq!(summary(&whole, "id"), (300, 44_850, 6), "{label}");
    for column in ["id", "ts"] {
        let read = PartitionedRead::by_range(sql.clone(), column)
            .partitions(4)
            .read_options(ReadOptions::new().batch_size(50));
        assert_eq!(read.plan(&pool).await.unwrap().len(), 4, "{label} {column}");
        let batches = read.collect(&pool).await.unwrap();
        assert_eq!(
            summary(&batches, "id"),
            (300, 44_850, 6),
            "{label} {column}"
        );
        assert!(batches.iter().all(|b| b.schema() == whole[0].schema()));
    }
    let partitions: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM (SELECT DISTINCT day, region FROM {t}) AS d"
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    let read = PartitionedRead::by_table_partitions(sql, t.clone()).concurrency(4);
    let plan = read.plan(&pool).await.unwrap();
    assert_eq!(i64::try_from(plan.len()).unwrap(), partitions, "{label}");
    assert!(plan.iter().any(|p| p.sql().contains("\"region\" IS NULL")));
    let batches = read.collect(&pool).await.unwrap();
    assert_eq!(summary(&batches, "id"), (300, 44_850, 6), "{label}");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// Every mapped type read into a Polars `DataFrame`, the frame written into a table it
/// creates and read back unchanged, and a partitioned read collected into a frame.
#[cfg(feature = "polars")]
pub(super) async fn arrow_polars_frames_round_trip_every_type(target: &Target) {
    use sqlx_cratedb_arrow::polars_core::prelude::{AnyValue, DataType as Pl, TimeUnit, TimeZone};
    use sqlx_cratedb_arrow::{fetch_dataframe, write_dataframe};

    let pool = pool(target.options().clone(), 2).await;
    let (t, t2) = (unique("polars_src"), unique("polars_dst"));
    exec(
        &pool,
        &format!(
            "CREATE TABLE {t} (k INT, l BIGINT, r REAL, d DOUBLE, n NUMERIC(10, 2), s TEXT, \
             ok BOOLEAN, ts TIMESTAMP WITH TIME ZONE, tsn TIMESTAMP, ip IP, pt GEO_POINT, \
             v FLOAT_VECTOR(3), tags ARRAY(TEXT), nums ARRAY(BIGINT), \
             o OBJECT(DYNAMIC) AS (a INT, b TEXT)) WITH (number_of_replicas = 0)"
        ),
    )
    .await;
    exec(
        &pool,
        &format!(
            "INSERT INTO {t} VALUES (1, 8000000000, 1.5, 2.25, 12.34, 'x\"y', true, \
             '2023-11-14T22:13:20.123Z', '2023-11-14T22:13:20.123', '10.1.2.3', [9.5, 47.25], \
             [1.0, 2.0, 3.0], ['a', NULL], [1, 2], {{a = 1, b = 'bee'}}), \
             (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
             NULL), (3, -1, -0.5, 1e300, -3, '', false, '1969-12-31T23:59:59.999Z', NULL, \
             NULL, [-180.0, -90.0], [0.5, 0.25, 0.0], [], [], {{a = NULL, b = 'c'}})"
        ),
    )
    .await;
    target.refresh(&pool, &t).await;
    let fields = Fields::from(vec![
        Field::new("a", DataType::Int32, true),
        Field::new("b", DataType::Utf8, true),
    ]);
    let options = ReadOptions::new().batch_size(2).object_fields("o", fields);
    let read = |table: String| {
        let (pool, options) = (pool.clone(), options.clone());
        async move {
            let sql = format!("SELECT * FROM {table} ORDER BY k");
            fetch_dataframe(&pool, sqlx::query(AssertSqlSafe(sql)), options)
                .await
                .unwrap()
        }
    };
    let frame = read(t.clone()).await;
    assert_eq!(frame.shape(), (3, 15), "{}", target.label());
    let dtype = |name: &str| frame.column(name).unwrap().dtype().clone();
    assert_eq!(dtype("n"), Pl::Decimal(38, 2));
    assert_eq!(
        dtype("ts"),
        Pl::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
    );
    assert_eq!(dtype("pt"), Pl::Array(Box::new(Pl::Float64), 2));
    // pgwire reports a FLOAT_VECTOR as `real[]`, without its length.
    let vector = match target.transport() {
        Transport::Http => Pl::Array(Box::new(Pl::Float32), 3),
        Transport::PgWire => Pl::List(Box::new(Pl::Float32)),
    };
    assert_eq!(dtype("v"), vector, "{}", target.label());
    assert!(matches!(dtype("o"), Pl::Struct(f) if f.len() == 2));
    let value =
        |name: &str, row: usize| frame.column(name).unwrap().get(row).unwrap().into_static();
    assert_eq!(value("l", 0), AnyValue::Int64(8_000_000_000));
    assert_eq!(value("s", 0), AnyValue::StringOwned("x\"y".into()));
    assert_eq!(value("l", 1), AnyValue::Null);

    let report = write_dataframe(
        pool.clone(),
        &frame,
        WriteOptions::new(t2.clone()).create_table(true),
    )
    .await
    .unwrap();
    assert_eq!(
        report.rows_written,
        3,
        "{}: {:?}",
        target.label(),
        report.failed
    );
    target.refresh(&pool, &t2).await;
    let back = read(t2.clone()).await;
    assert_eq!(back.dtypes(), frame.dtypes(), "{}", target.label());
    assert!(
        back.equals_missing(&frame),
        "{}:\n{frame}\n{back}",
        target.label()
    );

    let parts = PartitionedRead::by_range(format!("SELECT * FROM {t}"), "k")
        .partitions(2)
        .read_options(options.clone())
        .collect_dataframe(&pool)
        .await
        .unwrap();
    assert_eq!(parts.shape(), (3, 15), "{}", target.label());
    for table in [t, t2] {
        exec(&pool, &format!("DROP TABLE {table}")).await;
    }
}
