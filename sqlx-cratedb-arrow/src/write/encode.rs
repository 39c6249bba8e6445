//! The rows of a [`RecordBatch`] as bulk parameter rows ([`CrateDbArguments`]).
//!
//! Columns are first cast to a few normal forms (integers to `Int64`, timestamps to
//! milliseconds, strings to `Utf8`, …), then every row binds one typed value per column, so
//! that over pgwire each parameter carries its CrateDB type.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int64Type, TimestampMillisecondType,
    UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde_json::Value as JsonValue;
use sqlx_core::error::BoxDynError;
use sqlx_cratedb::CrateDbArguments;

use crate::error::Error;

/// One column, in the form its values are bound in.
pub(crate) enum Column {
    Int64(ArrayRef),
    UInt64(ArrayRef),
    Float32(ArrayRef),
    Float64(ArrayRef),
    Boolean(ArrayRef),
    Text(ArrayRef),
    TimestampUtc(ArrayRef),
    Timestamp(ArrayRef),
    Date(ArrayRef),
    Decimal(ArrayRef, u32),
    /// `FixedSizeList(Float64, 2)` (a `GEO_POINT`) or any list of floats.
    FloatList(ArrayRef),
    /// `FixedSizeList(Float32, n)` (a `FLOAT_VECTOR`).
    VectorList(ArrayRef),
    IntList(ArrayRef),
    TextList(ArrayRef),
    BoolList(ArrayRef),
    /// Structs and other nested values, one JSON value per row.
    Json(Vec<Option<JsonValue>>),
}

/// Casts `array` to `to` (values that do not fit fail the cast, nothing is silently nulled).
fn cast(array: &ArrayRef, to: &DataType) -> Result<ArrayRef, Error> {
    let options = arrow_cast::CastOptions {
        safe: false,
        ..Default::default()
    };
    Ok(arrow_cast::cast_with_options(array, to, &options)?)
}

impl Column {
    fn new(array: &ArrayRef) -> Result<Self, Error> {
        let ms = |tz: Option<Arc<str>>| DataType::Timestamp(TimeUnit::Millisecond, tz);
        Ok(match array.data_type() {
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => Self::Int64(cast(array, &DataType::Int64)?),
            DataType::UInt64 => Self::UInt64(Arc::clone(array)),
            DataType::Float16 | DataType::Float32 => {
                Self::Float32(cast(array, &DataType::Float32)?)
            }
            DataType::Float64 => Self::Float64(Arc::clone(array)),
            DataType::Boolean => Self::Boolean(Arc::clone(array)),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                Self::Text(cast(array, &DataType::Utf8)?)
            }
            DataType::Timestamp(_, Some(_)) => {
                Self::TimestampUtc(cast(array, &ms(Some("UTC".into())))?)
            }
            DataType::Timestamp(_, None) => Self::Timestamp(cast(array, &ms(None))?),
            DataType::Date32 | DataType::Date64 => Self::Date(cast(array, &DataType::Date32)?),
            DataType::Decimal32(p, s)
            | DataType::Decimal64(p, s)
            | DataType::Decimal128(p, s)
            | DataType::Decimal256(p, s) => {
                let scale = u32::try_from(*s).map_err(|_| {
                    Error::Invalid(format!("a negative decimal scale ({s}) is not supported"))
                })?;
                Self::Decimal(cast(array, &DataType::Decimal128((*p).min(38), *s))?, scale)
            }
            DataType::Dictionary(_, value) => Self::new(&cast(array, value)?)?,
            DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
                let list = |inner: DataType| DataType::List(crate::types::item(inner));
                match item.data_type() {
                    DataType::Float32
                        if matches!(array.data_type(), DataType::FixedSizeList(..)) =>
                    {
                        Self::VectorList(cast(array, &list(DataType::Float32))?)
                    }
                    DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                        Self::FloatList(cast(array, &list(DataType::Float64))?)
                    }
                    t if t.is_integer() => Self::IntList(cast(array, &list(DataType::Int64))?),
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                        Self::TextList(cast(array, &list(DataType::Utf8))?)
                    }
                    DataType::Boolean => Self::BoolList(cast(array, &list(DataType::Boolean))?),
                    _ => Self::Json(json_values(array)?),
                }
            }
            _ => Self::Json(json_values(array)?),
        })
    }

    /// Binds row `row`'s value.
    fn push(&self, args: &mut CrateDbArguments, row: usize) -> Result<(), BoxDynError> {
        macro_rules! value {
            ($array:expr) => {{
                let array = $array;
                if array.is_null(row) {
                    None
                } else {
                    Some(array.value(row))
                }
            }};
        }
        match self {
            Self::Int64(a) => args.push(value!(a.as_primitive::<Int64Type>())),
            Self::UInt64(a) => args.push(value!(a.as_primitive::<UInt64Type>())),
            Self::Float32(a) => args.push(value!(a.as_primitive::<Float32Type>())),
            Self::Float64(a) => args.push(value!(a.as_primitive::<Float64Type>())),
            Self::Boolean(a) => args.push(value!(a.as_boolean())),
            Self::Text(a) => args.push(value!(a.as_string::<i32>())),
            Self::TimestampUtc(a) => {
                let ms = value!(a.as_primitive::<TimestampMillisecondType>());
                args.push(
                    ms.map(|ms| {
                        DateTime::from_timestamp_millis(ms).ok_or("timestamp out of range")
                    })
                    .transpose()?,
                )
            }
            Self::Timestamp(a) => {
                let ms = value!(a.as_primitive::<TimestampMillisecondType>());
                let naive = ms
                    .map(|ms| {
                        DateTime::from_timestamp_millis(ms)
                            .map(|t| t.naive_utc())
                            .ok_or("timestamp out of range")
                    })
                    .transpose()?;
                args.push::<Option<NaiveDateTime>>(naive)
            }
            Self::Date(a) => {
                let days = value!(a.as_primitive::<Date32Type>());
                let date = days
                    .map(|d| {
                        NaiveDate::from_num_days_from_ce_opt(d.saturating_add(719_163))
                            .ok_or("date out of range")
                    })
                    .transpose()?;
                args.push(date)
            }
            Self::Decimal(a, scale) => {
                let n = value!(a.as_primitive::<Decimal128Type>());
                let d = n
                    .map(|n| Decimal::try_from_i128_with_scale(n, *scale))
                    .transpose()?;
                args.push(d)
            }
            Self::FloatList(a) => args.push(list(a, row, |v| {
                v.as_primitive::<Float64Type>().iter().collect::<Vec<_>>()
            })),
            Self::VectorList(a) => args.push(list(a, row, |v| {
                v.as_primitive::<Float32Type>().iter().collect::<Vec<_>>()
            })),
            Self::IntList(a) => args.push(list(a, row, |v| {
                v.as_primitive::<Int64Type>().iter().collect::<Vec<_>>()
            })),
            Self::TextList(a) => args.push(list(a, row, |v| {
                v.as_string::<i32>()
                    .iter()
                    .map(|s| s.map(str::to_owned))
                    .collect::<Vec<_>>()
            })),
            Self::BoolList(a) => {
                args.push(list(a, row, |v| v.as_boolean().iter().collect::<Vec<_>>()))
            }
            Self::Json(values) => args.push(values.get(row).cloned().flatten()),
        }
    }
}

impl Column {
    /// The array type of this column in the columnar statement (`write/columnar.rs`), for the
    /// forms bound there as one array: integers, floats, booleans, text and timestamps. A
    /// fixed set: no user input reaches the SQL.
    pub(crate) fn array_type(&self) -> Option<&'static str> {
        Some(match self {
            Self::Int64(_) => "BIGINT[]",
            Self::Float32(_) => "REAL[]",
            Self::Float64(_) => "DOUBLE PRECISION[]",
            Self::Boolean(_) => "BOOLEAN[]",
            Self::Text(_) => "TEXT[]",
            Self::TimestampUtc(_) => "TIMESTAMP WITH TIME ZONE[]",
            Self::Timestamp(_) => "TIMESTAMP WITHOUT TIME ZONE[]",
            _ => return None,
        })
    }

    /// Row `row`'s value as a key: an integer or a string; `None` for NULL and for the other
    /// forms.
    pub(crate) fn key_value(&self, row: usize) -> Option<JsonValue> {
        match self {
            Self::Int64(a) if !a.is_null(row) => {
                Some(a.as_primitive::<Int64Type>().value(row).into())
            }
            Self::Text(a) if !a.is_null(row) => Some(a.as_string::<i32>().value(row).into()),
            _ => None,
        }
    }

    /// False when [`push`](Self::push) would refuse row `row`'s value (a timestamp chrono
    /// cannot hold).
    pub(crate) fn in_range(&self, row: usize) -> bool {
        match self {
            Self::TimestampUtc(a) | Self::Timestamp(a) if !a.is_null(row) => {
                let ms = a.as_primitive::<TimestampMillisecondType>().value(row);
                DateTime::from_timestamp_millis(ms).is_some()
            }
            _ => true,
        }
    }

    /// Binds the values of `rows` as one array parameter (a form with an
    /// [`array_type`](Self::array_type); rows [`in_range`](Self::in_range)).
    pub(crate) fn push_array(
        &self,
        args: &mut CrateDbArguments,
        rows: &[usize],
    ) -> Result<(), BoxDynError> {
        fn pick<T>(a: &ArrayRef, rows: &[usize], value: impl Fn(usize) -> T) -> Vec<Option<T>> {
            rows.iter()
                .map(|&r| (!a.is_null(r)).then(|| value(r)))
                .collect()
        }
        let stamp = |a: &ArrayRef, r: usize| {
            let ms = a.as_primitive::<TimestampMillisecondType>().value(r);
            DateTime::from_timestamp_millis(ms).unwrap_or_default()
        };
        match self {
            Self::Int64(a) => args.push(pick(a, rows, |r| a.as_primitive::<Int64Type>().value(r))),
            Self::Float32(a) => {
                args.push(pick(a, rows, |r| a.as_primitive::<Float32Type>().value(r)))
            }
            Self::Float64(a) => {
                args.push(pick(a, rows, |r| a.as_primitive::<Float64Type>().value(r)))
            }
            Self::Boolean(a) => args.push(pick(a, rows, |r| a.as_boolean().value(r))),
            Self::Text(a) => args.push(pick(a, rows, |r| a.as_string::<i32>().value(r))),
            Self::TimestampUtc(a) => args.push(pick(a, rows, |r| stamp(a, r))),
            Self::Timestamp(a) => {
                args.push::<Vec<Option<NaiveDateTime>>>(pick(a, rows, |r| stamp(a, r).naive_utc()))
            }
            _ => Err("a column of this form is not bound as one array (no array_type)".into()),
        }
    }
}

/// Row `row` of a list array (cast to `List`) as a vector, `None` for NULL.
fn list<T>(array: &ArrayRef, row: usize, elements: impl Fn(&ArrayRef) -> T) -> Option<T> {
    let list = array.as_list::<i32>();
    (!list.is_null(row)).then(|| elements(&list.value(row)))
}

/// Every row's value of `array` as JSON (through arrow-json), `None` for NULL.
fn json_values(array: &ArrayRef) -> Result<Vec<Option<JsonValue>>, Error> {
    let schema = Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "v",
        array.data_type().clone(),
        true,
    )]));
    let batch = RecordBatch::try_new(schema, vec![Arc::clone(array)])?;
    let mut out = Vec::new();
    {
        let mut writer = arrow_json::LineDelimitedWriter::new(&mut out);
        writer.write(&batch)?;
        writer.finish()?;
    }
    let mut values = Vec::with_capacity(array.len());
    for line in out.split(|b| *b == b'\n').take(array.len()) {
        let mut object: serde_json::Map<String, JsonValue> = serde_json::from_slice(line)
            .map_err(|e| Error::Invalid(format!("arrow-json wrote invalid JSON: {e}")))?;
        values.push(object.remove("v").filter(|v| !v.is_null()));
    }
    Ok(values)
}

/// The encoded rows of a batch: parameter rows for the rows that encoded, and the rows that
/// did not (index in the batch, reason).
pub(crate) struct EncodedRows {
    pub(crate) args: Vec<CrateDbArguments>,
    /// For each entry of `args`, its row in the batch.
    pub(crate) rows: Vec<usize>,
    pub(crate) failed: Vec<(usize, String)>,
}

/// Binds rows of one batch.
pub(crate) struct Encoder {
    columns: Vec<(String, Column)>,
}

impl Encoder {
    /// Prepares the batch's columns.
    ///
    /// # Errors
    /// A cast that fails as a whole (e.g. a decimal wider than 38 digits).
    pub(crate) fn new(batch: &RecordBatch) -> Result<Self, Error> {
        let columns = batch
            .schema()
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, array)| Ok((field.name().clone(), Column::new(array)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Self { columns })
    }

    /// The batch's columns in their bound forms, with their names.
    pub(crate) fn columns(&self) -> &[(String, Column)] {
        &self.columns
    }

    /// Encodes the given rows of the batch.
    pub(crate) fn encode(&self, rows: &[usize]) -> EncodedRows {
        let mut encoded = EncodedRows {
            args: Vec::with_capacity(rows.len()),
            rows: Vec::with_capacity(rows.len()),
            failed: Vec::new(),
        };
        'rows: for &row in rows {
            let mut args = CrateDbArguments::default();
            for (name, column) in &self.columns {
                if let Err(e) = column.push(&mut args, row) {
                    encoded
                        .failed
                        .push((row, format!("column \"{name}\": {e}")));
                    continue 'rows;
                }
            }
            encoded.args.push(args);
            encoded.rows.push(row);
        }
        encoded
    }
}

/// Row `row` of `batch` as a JSON object (for reports of failed rows).
pub(crate) fn row_json(batch: &RecordBatch, row: usize) -> String {
    let mut out = Vec::new();
    let mut writer = arrow_json::LineDelimitedWriter::new(&mut out);
    let written = writer
        .write(&batch.slice(row, 1))
        .and_then(|()| writer.finish());
    match written {
        Ok(()) => String::from_utf8_lossy(&out).trim_end().to_owned(),
        Err(e) => format!("(values not renderable: {e})"),
    }
}
