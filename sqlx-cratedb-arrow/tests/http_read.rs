//! Arrow reads over HTTP against the scripted `/_sql` peer of the driver's tests: every CrateDB
//! type of the mapping, NULLs, batch boundaries and bad server values.

#![allow(clippy::unwrap_used, clippy::many_single_char_names)]

#[path = "../../sqlx-cratedb/tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMillisecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use common::{Reply, peer, pool, result_set};
use futures_util::TryStreamExt as _;
use serde_json::json;
use sqlx_cratedb_arrow::{Error, ReadOptions, fetch_record_batches};

const COLS: [&str; 17] = [
    "b", "s", "i", "l", "r", "d", "n", "t", "ok", "ts", "tsn", "day", "ip", "pt", "vec", "tags",
    "obj",
];

fn types() -> serde_json::Value {
    json!([
        2,
        8,
        9,
        10,
        7,
        6,
        22,
        4,
        3,
        11,
        15,
        24,
        5,
        13,
        28,
        [100, 10],
        12
    ])
}

fn rows() -> serde_json::Value {
    json!([
        [1, 2, 3, 4_000_000_000_i64, 1.5, 2.25, 12.5, "a\"b", true, 1_700_000_000_123_i64,
         86_400_000, 86_400_000, "10.0.0.1", [9.5, 47.25], [1.0, 2.0, 3.0], [1, null, 3],
         {"x": 1, "y": "why"}],
        [null, null, null, null, "NaN", "-Infinity", 0.125, null, false, null, null, null, null,
         null, null, null, null],
        [-1, -2, -3, -4, 0.0, 1e300, -7, "ü", null, 0, -1, 0, "::1", [0.0, 0.0],
         [0.5, 0.5, 0.5], [], {"x": 2}],
    ])
}

async fn read(options: ReadOptions, body: serde_json::Value) -> Result<Vec<RecordBatch>, Error> {
    let p = peer(move |_| Reply::Json(200, body.clone())).await;
    let pool = pool(&p.url()).await;
    fetch_record_batches(&pool, sqlx::query("SELECT * FROM t"), options)
        .try_collect()
        .await
}

#[tokio::test]
async fn every_type_reads_into_its_arrow_type() {
    let body = result_set(&COLS, types(), rows());
    let batches = read(ReadOptions::new(), body).await.unwrap();
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(b.num_rows(), 3);
    let types: Vec<DataType> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    let item = |t| Arc::new(Field::new("item", t, true));
    assert_eq!(
        types,
        [
            DataType::Int8,
            DataType::Int16,
            DataType::Int32,
            DataType::Int64,
            DataType::Float32,
            DataType::Float64,
            DataType::Decimal128(38, 3),
            DataType::Utf8,
            DataType::Boolean,
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            DataType::Timestamp(TimeUnit::Millisecond, None),
            DataType::Date32,
            DataType::Utf8,
            DataType::FixedSizeList(item(DataType::Float64), 2),
            DataType::FixedSizeList(item(DataType::Float32), 3),
            DataType::List(item(DataType::Int64)),
            DataType::Utf8,
        ]
    );
    assert_eq!(b.column(0).as_primitive::<Int8Type>().values(), &[1, 0, -1]);
    assert!(b.column(0).is_null(1));
    assert_eq!(b.column(1).as_primitive::<Int16Type>().value(2), -2);
    assert_eq!(b.column(2).as_primitive::<Int32Type>().value(0), 3);
    assert_eq!(
        b.column(3).as_primitive::<Int64Type>().value(0),
        4_000_000_000
    );
    let r = b.column(4).as_primitive::<Float32Type>();
    assert!((r.value(0) - 1.5).abs() < f32::EPSILON && r.value(1).is_nan());
    let d = b.column(5).as_primitive::<Float64Type>();
    assert_eq!((d.value(1), d.value(2)), (f64::NEG_INFINITY, 1e300));
    let n = b.column(6).as_primitive::<Decimal128Type>();
    assert_eq!((n.value(0), n.value(1), n.value(2)), (12_500, 125, -7_000));
    let t = b.column(7).as_string::<i32>();
    assert_eq!((t.value(0), t.value(2)), ("a\"b", "ü"));
    assert!(t.is_null(1));
    let ok = b.column(8).as_boolean();
    assert!(ok.value(0) && !ok.value(1) && ok.is_null(2));
    let ts = b.column(9).as_primitive::<TimestampMillisecondType>();
    assert_eq!(ts.value(0), 1_700_000_000_123);
    assert_eq!(
        b.column(10)
            .as_primitive::<TimestampMillisecondType>()
            .value(2),
        -1
    );
    assert_eq!(
        b.column(11).as_primitive::<Date32Type>().values(),
        &[1, 0, 0]
    );
    assert_eq!(b.column(12).as_string::<i32>().value(2), "::1");
    let pt = b.column(13).as_fixed_size_list();
    assert_eq!(
        pt.value(0).as_primitive::<Float64Type>().values(),
        &[9.5, 47.25]
    );
    assert!(pt.is_null(1));
    let vec = b.column(14).as_fixed_size_list();
    assert_eq!(
        vec.value(2).as_primitive::<Float32Type>().values(),
        &[0.5, 0.5, 0.5]
    );
    let tags = b.column(15).as_list::<i32>();
    let first = tags.value(0);
    assert_eq!(first.len(), 3);
    assert!(first.is_null(1));
    assert_eq!(tags.value(2).len(), 0);
    let obj = b.column(16).as_string::<i32>();
    assert_eq!(obj.value(0), r#"{"x":1,"y":"why"}"#);
}

#[tokio::test]
async fn batches_split_at_the_batch_size_and_objects_read_as_structs_when_known() {
    let body = result_set(&COLS, types(), rows());
    let fields = Fields::from(vec![
        Field::new("x", DataType::Int64, true),
        Field::new("y", DataType::Utf8, true),
    ]);
    let options = ReadOptions::new()
        .batch_size(2)
        .object_fields("obj", fields.clone());
    let batches = read(options, body).await.unwrap();
    assert_eq!(
        batches
            .iter()
            .map(RecordBatch::num_rows)
            .collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(batches[0].schema(), batches[1].schema());
    let obj = batches[0].column(16).as_struct();
    assert_eq!(obj.fields(), &fields);
    assert_eq!(obj.column(0).as_primitive::<Int64Type>().value(0), 1);
    assert_eq!(obj.column(1).as_string::<i32>().value(0), "why");
    assert!(obj.is_null(1));
    let last = batches[1].column(16).as_struct();
    assert_eq!(last.column(0).as_primitive::<Int64Type>().value(0), 2);
    assert!(last.column(1).is_null(0));
}

#[tokio::test]
async fn a_value_that_does_not_fit_names_the_column_and_row() {
    // Row 1 of an INTEGER column is text; row 2 of a NUMERIC has more decimals than batch 1.
    let body = result_set(&["i"], json!([9]), json!([[1], ["x"]]));
    let err = read(ReadOptions::new(), body).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"column "i", row 1: expected an integer: `x`"#
    );
    let body = result_set(&["n"], json!([22]), json!([[1.5], [2.25]]));
    let err = read(ReadOptions::new().batch_size(1), body)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with(r#"column "n", row 1: a NUMERIC with more than 1 fractional"#),
        "{err}"
    );
    let body = result_set(&["a"], json!([[100, 9]]), json!([[[1]], [[1, "z"]]]));
    let err = read(ReadOptions::new(), body).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with(r#"column "a", row 1: not a List"#),
        "{err}"
    );
}

#[tokio::test]
async fn an_empty_result_yields_no_batch() {
    let body = result_set(&["i"], json!([9]), json!([]));
    assert!(read(ReadOptions::new(), body).await.unwrap().is_empty());
}
