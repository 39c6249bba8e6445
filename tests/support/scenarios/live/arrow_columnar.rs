//! Live group `arrow` (continued): the writer's columnar path, one
//! `INSERT … SELECT * FROM UNNEST(…) RETURNING <key>` per chunk. CrateDB skips the rows it
//! cannot write without an error; each such row must still be reported with its own reason, and
//! every other row written exactly once.

#![allow(clippy::too_many_lines)]
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use sqlx_cratedb_arrow::{BulkWriter, FailureKind, WriteMode, WriteOptions, WriteReport};

use crate::scenarios::{Target, count, exec, pool, unique};

/// The failed rows of a write report, as (source index, kind), by index.
pub(super) fn failed_rows(report: &WriteReport) -> Vec<(usize, FailureKind)> {
    let mut failed: Vec<(usize, FailureKind)> = report
        .failed
        .iter()
        .map(|f| (f.index, f.kind.clone()))
        .collect();
    failed.sort_by_key(|f| f.0);
    failed
}

fn batch(ids: &[Option<i64>], names: &[Option<&str>], amounts: &[&str]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("name", DataType::Utf8, true),
        Field::new("amount", DataType::Utf8, false),
        Field::new("score", DataType::Float64, true),
    ]));
    let scores: Vec<Option<f64>> = ids
        .iter()
        .map(|i| {
            i.and_then(|i| i32::try_from(i).ok())
                .map(|i| f64::from(i) / 2.0)
        })
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids.to_vec())),
        Arc::new(StringArray::from(names.to_vec())),
        Arc::new(StringArray::from(amounts.to_vec())),
        Arc::new(Float64Array::from(scores)),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

/// An existing table (key read from it, `name NOT NULL`, `amount INTEGER` fed text), 200 rows
/// in chunks of 50, 2 in flight. Refused, each alone and by its source index: a key stored
/// before (row 3), a key repeated within a chunk (row 11 repeats row 10), a NULL name
/// (row 60), a NULL key (row 120), an amount that is not a number (row 199). Then `Ignore`
/// skips stored keys without failing them, and `Upsert` replaces them.
pub(in crate::scenarios::live) async fn arrow_write_by_column_reports_every_row(target: &Target) {
    let pool = pool(target.options().clone(), 2).await;
    let t = unique("arrow_columnar");
    exec(
        &pool,
        &format!(
            "CREATE TABLE {t} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, amount INTEGER, \
             score DOUBLE PRECISION) WITH (number_of_replicas = 0)"
        ),
    )
    .await;
    exec(
        &pool,
        &format!("INSERT INTO {t} (id, name) VALUES (3, 'before')"),
    )
    .await;
    target.refresh(&pool, &t).await;

    let ids: Vec<Option<i64>> = (0..200_i64)
        .map(|i| match i {
            11 => Some(10),
            120 => None,
            _ => Some(i),
        })
        .collect();
    let names: Vec<Option<String>> = (0..200)
        .map(|i| (i != 60).then(|| format!("n{i}")))
        .collect();
    let names: Vec<Option<&str>> = names.iter().map(Option::as_deref).collect();
    let amounts: Vec<String> = (0..200)
        .map(|i| {
            if i == 199 {
                "lots".into()
            } else {
                i.to_string()
            }
        })
        .collect();
    let amounts: Vec<&str> = amounts.iter().map(String::as_str).collect();
    let data = batch(&ids, &names, &amounts);
    let options = WriteOptions::new(t.clone()).batch_size(50).concurrency(2);
    let mut writer = BulkWriter::new(pool.clone(), data.schema(), options.clone())
        .await
        .unwrap();
    let columnar = writer.columnar_sql().map(str::to_owned);
    assert!(
        columnar
            .as_deref()
            .is_some_and(|s| s.ends_with(r#"RETURNING "id""#)),
        "{}: the key is read from the table: {columnar:?}",
        target.label()
    );
    writer.write(&data).await.unwrap();
    let report = writer.finish().await.unwrap();
    let failed = failed_rows(&report);
    let rejected = |i| (i, FailureKind::Rejected);
    assert_eq!(
        failed,
        [
            rejected(3),
            rejected(11),
            rejected(60),
            rejected(120),
            rejected(199)
        ],
        "{}: {:#?}",
        target.label(),
        report.failed
    );
    assert_eq!((report.rows_done, report.rows_written), (200, 195));
    target.refresh(&pool, &t).await;
    assert_eq!(
        count(&pool, &t).await,
        196,
        "195 written and the row stored before"
    );

    // Ignore: stored keys are kept and not failed; the new key is written.
    let again = batch(&[Some(0), Some(3), Some(500)], &[Some("x"); 3], &["1"; 3]);
    let ignore = options.clone().mode(WriteMode::Ignore);
    let mut writer = BulkWriter::new(pool.clone(), again.schema(), ignore)
        .await
        .unwrap();
    writer.write(&again).await.unwrap();
    let report = writer.finish().await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.rows_written, 1, "only key 500 is new");
    // Upsert: every row is written.
    let upsert = options.primary_key(["id"]).mode(WriteMode::Upsert);
    let mut writer = BulkWriter::new(pool.clone(), again.schema(), upsert)
        .await
        .unwrap();
    writer.write(&again).await.unwrap();
    let report = writer.finish().await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.rows_written, 3);
    target.refresh(&pool, &t).await;
    assert_eq!(count(&pool, &t).await, 197);
    let names: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, name FROM {t} WHERE id IN (0, 3) ORDER BY id"
    )))
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(names, [(0, "x".to_owned()), (3, "x".to_owned())]);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// Booleans into a `TIMESTAMP` column: CrateDB refuses the columnar statement while analysing
/// it (over pgwire as `XX000`, which looks like a failure while running; the writer describes
/// the statement first there and writes bulk rows). Every row is reported `Rejected` with its
/// index, none `Unknown`, and nothing is stored.
pub(in crate::scenarios::live) async fn arrow_write_into_an_unconvertible_column_rejects_each_row(
    target: &Target,
) {
    use arrow_array::BooleanArray;
    let pool = pool(target.options().clone(), 2).await;
    let t = unique("arrow_unconvertible");
    exec(
        &pool,
        &format!(
            "CREATE TABLE {t} (id BIGINT PRIMARY KEY, at TIMESTAMP WITH TIME ZONE) \
             WITH (number_of_replicas = 0)"
        ),
    )
    .await;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("at", DataType::Boolean, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![1, 2, 3])),
        Arc::new(BooleanArray::from(vec![true, false, true])),
    ];
    let data = RecordBatch::try_new(schema, columns).unwrap();
    let mut writer = BulkWriter::new(pool.clone(), data.schema(), WriteOptions::new(t.clone()))
        .await
        .unwrap();
    writer.write(&data).await.unwrap();
    let report = writer.finish().await.unwrap();
    let failed = failed_rows(&report);
    assert_eq!(
        failed,
        [
            (0, FailureKind::Rejected),
            (1, FailureKind::Rejected),
            (2, FailureKind::Rejected)
        ],
        "{}: {:#?}",
        target.label(),
        report.failed
    );
    assert_eq!(report.rows_written, 0);
    target.refresh(&pool, &t).await;
    assert_eq!(count(&pool, &t).await, 0);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}
