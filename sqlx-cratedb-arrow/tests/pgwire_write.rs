//! Arrow writes over pgwire against a throwaway PostgreSQL: table creation from the Arrow
//! schema, batches in flight, a failed row reported with its source index while the rest of
//! its batch is still written (PostgreSQL rolls a failed batch back: the writer sends the
//! other rows again), upserts, and a read back through the Arrow reader.
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    clippy::from_iter_instead_of_collect
)]

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use cratedb_integration::pg::{PgServer, PgServerConfig};
use futures_util::TryStreamExt as _;
use sqlx_cratedb::CrateDbPoolOptions;
use sqlx_cratedb_arrow::{
    BulkWriter, FailureKind, ReadOptions, WriteMode, WriteOptions, fetch_record_batches,
};

fn batch(ids: &[i32], names: &[Option<&str>]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int32, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("score", DataType::Float64, true),
        Field::new("ok", DataType::Boolean, true),
        Field::new(
            "at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
    ]));
    let n = ids.len();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(ids.to_vec())),
        Arc::new(StringArray::from(names.to_vec())),
        Arc::new(Float64Array::from_iter(
            (0..n).map(|i| (i % 3 != 0).then_some(i as f64 / 2.0)),
        )),
        Arc::new(BooleanArray::from_iter((0..n).map(|i| Some(i % 2 == 0)))),
        Arc::new(
            TimestampMicrosecondArray::from_iter(
                (0..n).map(|i| Some(1_700_000_000_000_000 + i as i64)),
            )
            .with_timezone("UTC"),
        ),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

#[tokio::test]
async fn write_creates_the_table_reports_failed_rows_and_upserts() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = CrateDbPoolOptions::new()
        .max_connections(3)
        .connect_with(server.crate_options())
        .await
        .unwrap();
    let options = WriteOptions::new("w")
        .create_table(true)
        .primary_key(["id"])
        .batch_size(4)
        .concurrency(3);
    let ids: Vec<i32> = (0..20).collect();
    let names: Vec<Option<String>> = ids
        .iter()
        .map(|i| (i % 5 != 0).then(|| format!("n{i}")))
        .collect();
    let names: Vec<Option<&str>> = names.iter().map(Option::as_deref).collect();
    let first = batch(&ids, &names);
    let mut writer = BulkWriter::new(pool.clone(), first.schema(), options.clone())
        .await
        .unwrap();
    assert_eq!(
        writer.columnar_sql(),
        Some(concat!(
            r#"INSERT INTO "w" ("id", "name", "score", "ok", "at") SELECT * FROM UNNEST("#,
            r#"$1::BIGINT[], $2::TEXT[], $3::DOUBLE PRECISION[], $4::BOOLEAN[], "#,
            r#"$5::TIMESTAMP WITH TIME ZONE[]) RETURNING "id""#
        )),
        "a keyed table of plain columns is written by column"
    );
    writer.write(&first).await.unwrap();
    writer
        .write(&batch(&[20, 21], &[None, None]))
        .await
        .unwrap();
    let report = writer.finish().await.unwrap();
    assert_eq!((report.rows_done, report.rows_written), (22, 22));
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    // Source row 2 of the second batch duplicates id 7; its batch-mates are still written.
    // The key is read from the table this time; PostgreSQL refuses the columnar statement as
    // a whole, and its rows go through bulk_args.
    let unkeyed = WriteOptions::new("w").batch_size(4);
    let mut writer = BulkWriter::new(pool.clone(), first.schema(), unkeyed)
        .await
        .unwrap();
    assert!(writer.columnar_sql().is_some(), "the key of w is read");
    writer.write(&batch(&[100], &[None])).await.unwrap();
    writer
        .write(&batch(&[101, 7, 102], &[Some("a"), Some("dup"), None]))
        .await
        .unwrap();
    let report = writer.finish().await.unwrap();
    assert_eq!(report.rows_done, 4);
    assert_eq!(report.rows_written, 3);
    assert_eq!(report.failed.len(), 1);
    let failed = &report.failed[0];
    assert_eq!((failed.index, &failed.kind), (2, &FailureKind::Rejected));
    assert!(failed.reason.contains("duplicate key"), "{}", failed.reason);
    assert!(
        failed.values.contains(r#""name":"dup""#),
        "{}",
        failed.values
    );

    // Upsert: id 7 gets the new name, id 200 is inserted.
    let upsert = options.create_table(false).mode(WriteMode::Upsert);
    let mut writer = BulkWriter::new(pool.clone(), first.schema(), upsert)
        .await
        .unwrap();
    writer
        .write(&batch(&[7, 200], &[Some("seven"), Some("new")]))
        .await
        .unwrap();
    let report = writer.finish().await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);

    let batches: Vec<RecordBatch> = fetch_record_batches(
        &pool,
        sqlx::query("SELECT count(*) AS n, max(CASE WHEN id = 7 THEN name END) AS seven FROM w"),
        ReadOptions::new(),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(
        batches[0].column(0).as_primitive::<Int64Type>().value(0),
        26
    );
    assert_eq!(batches[0].column(1).as_string::<i32>().value(0), "seven");
}

#[tokio::test]
async fn a_missing_table_fails_the_write_instead_of_every_row() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = CrateDbPoolOptions::new()
        .connect_with(server.crate_options())
        .await
        .unwrap();
    let data = batch(&[1, 2], &[None, None]);
    let mut writer = BulkWriter::new(pool, data.schema(), WriteOptions::new("missing"))
        .await
        .unwrap();
    writer.write(&data).await.unwrap();
    let err = writer.finish().await.unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}
