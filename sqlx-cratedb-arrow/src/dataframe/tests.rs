#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::too_many_lines,
    clippy::from_iter_instead_of_collect
)]

use std::sync::Arc;

use arrow_array::builder::{
    FixedSizeListBuilder, Float32Builder, Float64Builder, Int32Builder, ListBuilder,
};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Date64Array, Decimal128Array, Float32Array,
    Float64Array, Int8Array, Int16Array, Int32Array, Int64Array, ListArray, RecordBatch,
    StringArray, StructArray, TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field, Schema};
use polars_core::prelude::{AnyValue, DataType as PolarsType, TimeUnit, TimeZone};

use super::*;
use crate::types::{UTC, item};

/// A batch of `n` rows (`offset`, `offset + 1`, …; every third row NULL) of every type
/// [`crate::types::arrow_type`] produces.
fn batch(offset: i32, n: i32) -> RecordBatch {
    let rows = || (offset..offset + n).map(|i| (i % 3 != 1).then_some(i));
    let list = |nested: bool| -> ArrayRef {
        let mut b = ListBuilder::new(Int32Builder::new());
        for v in rows() {
            if let Some(v) = v {
                b.values().append_value(v);
                b.values().append_null();
                b.append(true);
            } else {
                b.append(!nested);
            }
        }
        Arc::new(b.finish())
    };
    let nested = ListArray::new(
        item(DataType::List(item(DataType::Int32))),
        arrow_buffer::OffsetBuffer::from_lengths(vec![1; usize::try_from(n).unwrap()]),
        list(true),
        None,
    );
    let fixed = |len: i32, f32s: bool| -> ArrayRef {
        if f32s {
            let mut b = FixedSizeListBuilder::new(Float32Builder::new(), len);
            for v in rows() {
                for k in 0..len {
                    b.values().append_option(v.map(|v| (v + k) as f32));
                }
                b.append(v.is_some());
            }
            Arc::new(b.finish())
        } else {
            let mut b = FixedSizeListBuilder::new(Float64Builder::new(), len);
            for v in rows() {
                for k in 0..len {
                    b.values().append_value(f64::from(v.unwrap_or(0) + k) / 4.0);
                }
                b.append(v.is_some());
            }
            Arc::new(b.finish())
        }
    };
    let strukt = StructArray::from(vec![
        (
            Arc::new(Field::new("a", DataType::Int32, true)),
            Arc::new(Int32Array::from_iter(rows())) as ArrayRef,
        ),
        (
            Arc::new(Field::new("b", DataType::Utf8, true)),
            Arc::new(StringArray::from_iter(
                rows().map(|v| v.map(|v| format!("s{v}"))),
            )),
        ),
    ]);
    let ms = |v: Option<i32>| v.map(|v| i64::from(v) * 86_400_123);
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "i8",
            Arc::new(Int8Array::from_iter(rows().map(|v| v.map(|v| v as i8)))),
        ),
        (
            "i16",
            Arc::new(Int16Array::from_iter(rows().map(|v| v.map(|v| v as i16)))),
        ),
        ("i32", Arc::new(Int32Array::from_iter(rows()))),
        (
            "i64",
            Arc::new(Int64Array::from_iter(
                rows().map(|v| v.map(|v| i64::from(v) << 40)),
            )),
        ),
        (
            "f32",
            Arc::new(Float32Array::from_iter(
                rows().map(|v| v.map(|v| v as f32 / 8.0)),
            )),
        ),
        (
            "f64",
            Arc::new(Float64Array::from_iter(
                rows().map(|v| v.map(|v| f64::from(v) / 3.0)),
            )),
        ),
        (
            "num",
            Arc::new(
                Decimal128Array::from_iter(
                    rows().map(|v| v.map(|v| i128::from(v) * 10i128.pow(30))),
                )
                .with_precision_and_scale(38, 2)
                .unwrap(),
            ),
        ),
        (
            "text",
            Arc::new(StringArray::from_iter(
                rows().map(|v| v.map(|v| format!("é{v}"))),
            )),
        ),
        (
            "ok",
            Arc::new(BooleanArray::from_iter(
                rows().map(|v| v.map(|v| v % 2 == 0)),
            )),
        ),
        (
            "tstz",
            Arc::new(TimestampMillisecondArray::from_iter(rows().map(ms)).with_timezone(UTC)),
        ),
        (
            "ts",
            Arc::new(TimestampMillisecondArray::from_iter(rows().map(ms))),
        ),
        ("day", Arc::new(Date32Array::from_iter(rows()))),
        ("ints", list(false)),
        ("nested", Arc::new(nested)),
        (
            "days",
            Arc::new(ListArray::new(
                item(DataType::Date64),
                arrow_buffer::OffsetBuffer::from_lengths(vec![1; usize::try_from(n).unwrap()]),
                Arc::new(Date64Array::from_iter(
                    rows().map(|v| v.map(|v| i64::from(v) * 86_400_000)),
                )),
                None,
            )),
        ),
        ("obj", Arc::new(strukt)),
        ("point", fixed(2, false)),
        ("vector", fixed(3, true)),
    ];
    let schema = Schema::new(
        columns
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(
        Arc::new(schema),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap()
}

#[test]
fn every_read_type_round_trips_through_a_dataframe() {
    let batches = [batch(0, 5), batch(5, 4)];
    let frame = record_batches_to_dataframe(&batches).unwrap();
    assert_eq!(frame.shape(), (9, 18));
    assert_eq!(frame.column("i32").unwrap().n_chunks(), 2);
    let dtype = |name: &str| frame.column(name).unwrap().dtype().clone();
    assert_eq!(dtype("i8"), PolarsType::Int8);
    assert_eq!(dtype("num"), PolarsType::Decimal(38, 2));
    assert_eq!(dtype("text"), PolarsType::String);
    assert_eq!(
        dtype("tstz"),
        PolarsType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
    );
    assert_eq!(dtype("day"), PolarsType::Date);
    assert!(matches!(dtype("point"), PolarsType::Array(_, 2)));
    assert!(matches!(dtype("obj"), PolarsType::Struct(_)));
    assert_eq!(frame.column("i32").unwrap().get(7).unwrap(), AnyValue::Null);
    assert_eq!(
        frame.column("i32").unwrap().get(8).unwrap(),
        AnyValue::Int32(8)
    );
    assert_eq!(
        frame.column("text").unwrap().get(6).unwrap(),
        AnyValue::String("é6")
    );

    let back = dataframe_to_record_batches(&frame).unwrap();
    assert_eq!(back.iter().map(RecordBatch::num_rows).sum::<usize>(), 9);
    let schema = batches[0].schema();
    let back = back
        .iter()
        .map(|b| {
            let columns = b
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(a, f)| arrow_cast::cast(a, f.data_type()).unwrap())
                .collect();
            RecordBatch::try_new(Arc::clone(&schema), columns).unwrap()
        })
        .collect::<Vec<_>>();
    let concat = |b: &[RecordBatch]| arrow_select_concat(&schema, b);
    let (expected, actual) = (concat(&batches), concat(&back));
    for (i, field) in schema.fields().iter().enumerate() {
        assert_eq!(
            expected.column(i).to_data(),
            actual.column(i).to_data(),
            "{}",
            field.name()
        );
    }
    // Polars' own types on the way out.
    let out = dataframe_to_record_batches(&frame).unwrap();
    let out_type = |name: &str| {
        out[0]
            .schema()
            .field_with_name(name)
            .unwrap()
            .data_type()
            .clone()
    };
    assert_eq!(out_type("text"), DataType::Utf8View);
    assert_eq!(out_type("num"), DataType::Decimal128(38, 2));
    assert_eq!(
        out_type("vector"),
        DataType::FixedSizeList(item(DataType::Float32), 3)
    );
}

fn arrow_select_concat(schema: &arrow_schema::SchemaRef, batches: &[RecordBatch]) -> RecordBatch {
    let columns = (0..schema.fields().len())
        .map(|i| {
            let arrays: Vec<&dyn arrow_array::Array> =
                batches.iter().map(|b| b.column(i).as_ref()).collect();
            arrow_select::concat::concat(&arrays).unwrap()
        })
        .collect();
    RecordBatch::try_new(Arc::clone(schema), columns).unwrap()
}

#[test]
fn types_without_a_polars_form_name_their_column() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int32, true),
        Field::new("blob", DataType::Binary, true),
    ]));
    let b = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int32Array::from(vec![1])),
            Arc::new(BinaryArray::from(vec![&b"x"[..]])),
        ],
    )
    .unwrap();
    let err = record_batches_to_dataframe(&[b]).unwrap_err();
    assert!(
        matches!(&err, Error::DataFrame { column, .. } if column == "blob"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "column \"blob\": Arrow type Binary has no Polars form"
    );
}

#[test]
fn batches_of_other_types_or_columns_are_refused() {
    let one = |name: &str, a: ArrayRef| {
        RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new(
                name,
                a.data_type().clone(),
                true,
            )])),
            vec![a],
        )
        .unwrap()
    };
    let ints = one("a", Arc::new(Int32Array::from(vec![1])));
    let longs = one("a", Arc::new(Int64Array::from(vec![1])));
    let err = record_batches_to_dataframe(&[ints.clone(), longs]).unwrap_err();
    assert!(
        matches!(&err, Error::DataFrame { column, .. } if column == "a"),
        "{err}"
    );
    let other = one("b", Arc::new(Int32Array::from(vec![1])));
    assert!(matches!(
        record_batches_to_dataframe(&[ints, other]),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn empty_inputs() {
    let frame = record_batches_to_dataframe(&[]).unwrap();
    assert_eq!(frame.shape(), (0, 0));
    assert!(matches!(
        dataframe_to_record_batches(&frame),
        Err(Error::Invalid(_))
    ));
    let no_rows = batch(0, 0);
    let frame = record_batches_to_dataframe(&[no_rows]).unwrap();
    assert_eq!(frame.shape(), (0, 18));
    let back = dataframe_to_record_batches(&frame).unwrap();
    assert_eq!(back.iter().map(RecordBatch::num_rows).sum::<usize>(), 0);
    assert_eq!(back[0].num_columns(), 18);
}

#[test]
fn polars_types_crate_db_cannot_store_are_typed_errors_naming_the_column() {
    use polars_core::prelude::{IntoColumn as _, NamedFrom as _};

    let blobs: [&[u8]; 2] = [b"x", b"yz"];
    let frame = DataFrame::new(
        2,
        vec![
            Series::new("id".into(), &[1i64, 2]).into_column(),
            Series::new("blob".into(), &blobs).into_column(),
        ],
    )
    .unwrap();
    let batches = dataframe_to_record_batches(&frame).unwrap();
    let schema = batches[0].schema();
    assert_eq!(schema.field(1).data_type(), &DataType::BinaryView);
    let err = crate::types::crate_type(schema.field(1)).unwrap_err();
    assert_eq!(err.column, "blob");
}
