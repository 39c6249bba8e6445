//! Arrow reads over pgwire against a throwaway PostgreSQL: column types from type OIDs, text
//! values converted by the driver, batches across a streamed result.
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(clippy::unwrap_used, clippy::many_single_char_names)]

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, TimestampMillisecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use cratedb_integration::pg::{PgServer, PgServerConfig};
use futures_util::TryStreamExt as _;
use sqlx::Connection as _;
use sqlx_cratedb::CrateDbConnection;
use sqlx_cratedb_arrow::{ReadOptions, fetch_record_batches};

#[tokio::test]
async fn types_from_oids_and_values_from_text_rows() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let mut conn = CrateDbConnection::connect_with(&server.crate_options())
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE t (s smallint, i int, l bigint, r real, d float8, n numeric, t text, \
         ok boolean, ts timestamptz, tags int[], words text[], doc json)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO t VALUES \
         (1, 2, 3, 1.5, 'NaN', 12.25, 'a,\"b\"', true, '2023-11-14 22:13:20.123+00', \
          '{1,NULL,3}', '{\"x y\",z}', '{\"k\": [1]}'), \
         (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), \
         (-1, -2, -3, -0.5, 1e300, -3, '', false, '1969-12-31 23:59:59.999+00', '{}', '{}', 'null')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let batches: Vec<RecordBatch> = fetch_record_batches(
        &mut conn,
        sqlx::query("SELECT * FROM t ORDER BY l NULLS LAST"),
        ReadOptions::new().batch_size(2),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(
        batches
            .iter()
            .map(RecordBatch::num_rows)
            .collect::<Vec<_>>(),
        [2, 1]
    );
    let b = arrow_select_concat(&batches);
    let types: Vec<String> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().to_string())
        .collect();
    assert_eq!(
        b.schema().field(8).data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
    );
    assert_eq!(
        types,
        [
            "Int16",
            "Int32",
            "Int64",
            "Float32",
            "Float64",
            "Decimal128(38, 2)",
            "Utf8",
            "Boolean",
            "Timestamp(ms, \"UTC\")",
            "List(Int32)",
            "List(Utf8)",
            "Utf8",
        ]
    );
    // Ordered by l: -3, 3, NULL.
    assert_eq!(b.column(0).as_primitive::<Int16Type>().value(1), 1);
    assert_eq!(b.column(1).as_primitive::<Int32Type>().value(0), -2);
    assert_eq!(b.column(2).as_primitive::<Int64Type>().value(1), 3);
    assert!(b.column(2).is_null(2));
    assert!((b.column(3).as_primitive::<Float32Type>().value(0) + 0.5).abs() < f32::EPSILON);
    let d = b.column(4).as_primitive::<Float64Type>();
    assert!(d.value(1).is_nan());
    assert!((d.value(0) - 1e300).abs() < 1e285);
    let n = b
        .column(5)
        .as_primitive::<arrow_array::types::Decimal128Type>();
    assert_eq!((n.value(0), n.value(1)), (-300, 1225));
    let t = b.column(6).as_string::<i32>();
    assert_eq!((t.value(0), t.value(1)), ("", "a,\"b\""));
    assert!(t.is_null(2));
    let ok = b.column(7).as_boolean();
    assert!(!ok.value(0) && ok.value(1) && ok.is_null(2));
    let ts = b.column(8).as_primitive::<TimestampMillisecondType>();
    assert_eq!((ts.value(0), ts.value(1)), (-1, 1_700_000_000_123));
    let tags = b.column(9).as_list::<i32>();
    assert_eq!(tags.value(0).len(), 0);
    let second = tags.value(1);
    assert_eq!(second.as_primitive::<Int32Type>().value(2), 3);
    assert!(second.is_null(1));
    let words = b.column(10).as_list::<i32>().value(1);
    assert_eq!(words.as_string::<i32>().value(0), "x y");
    let doc = b.column(11).as_string::<i32>();
    assert_eq!(doc.value(1), r#"{"k": [1]}"#);
}

/// The batches as one (they share a schema).
fn arrow_select_concat(batches: &[RecordBatch]) -> RecordBatch {
    arrow_select::concat::concat_batches(&batches[0].schema(), batches).unwrap()
}
