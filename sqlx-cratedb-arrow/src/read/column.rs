//! One Arrow column from one column of a chunk of rows, read straight from the raw cells.
//!
//! Both transports deliver a value as its raw bytes in one shape (`CrateDbValueRef::as_bytes`,
//! raw JSON or a text's content, see `CrateDbValueRef::is_json`): numbers as JSON numbers,
//! timestamps as epoch milliseconds, arrays and points as JSON arrays. Scalars are parsed from
//! those bytes into Arrow builders; nested values (lists, structs, fixed-size lists) go through
//! arrow-json's decoder, fed the raw JSON of the chunk.

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, PrimitiveBuilder, StringBuilder};
use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimestampMillisecondType,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, TimeUnit};
use sqlx_core::row::Row as _;
use sqlx_core::value::ValueRef as _;
use sqlx_cratedb::{CrateDbRow, CrateDbValueRef};

use crate::error::Error;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// How a column's cells become Arrow values; one per Arrow type the reader produces.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    /// A text's content, a JSON string unescaped, any other JSON as its text.
    Text,
    /// Epoch milliseconds, with the time zone of the Arrow type.
    TimestampMs(Option<Arc<str>>),
    /// Epoch milliseconds of midnight → days.
    Date32,
    /// A number with at most `scale` fractional digits.
    Decimal(u8, i8),
    /// Raw JSON decoded by arrow-json into this type.
    Nested(DataType),
}

impl Plan {
    /// The plan that produces `data_type` (as chosen by [`crate::types::arrow_type`]).
    pub(crate) fn for_type(data_type: &DataType) -> Self {
        match data_type {
            DataType::Int8 => Self::Int8,
            DataType::Int16 => Self::Int16,
            DataType::Int32 => Self::Int32,
            DataType::Int64 => Self::Int64,
            DataType::Float32 => Self::Float32,
            DataType::Float64 => Self::Float64,
            DataType::Boolean => Self::Boolean,
            DataType::Timestamp(TimeUnit::Millisecond, tz) => Self::TimestampMs(tz.clone()),
            DataType::Date32 => Self::Date32,
            DataType::Decimal128(p, s) => Self::Decimal(*p, *s),
            DataType::Utf8 => Self::Text,
            other => Self::Nested(other.clone()),
        }
    }
}

/// Where a column's cells come from: the rows, the column's index and name, and the index in
/// the result of the first row (for error messages).
pub(crate) struct Source<'a> {
    pub(crate) rows: &'a [CrateDbRow],
    pub(crate) index: usize,
    pub(crate) name: &'a str,
    pub(crate) first_row: usize,
}

impl Source<'_> {
    /// Calls `f` with every cell (`None` for NULL) and its row index in the result.
    fn each<'r>(
        &'r self,
        mut f: impl FnMut(Option<CrateDbValueRef<'r>>, usize) -> Result<(), Error>,
    ) -> Result<(), Error> {
        for (i, row) in self.rows.iter().enumerate() {
            let value = row.try_get_raw(self.index)?;
            let at = self.first_row + i;
            f((!value.is_null()).then_some(value), at)?;
        }
        Ok(())
    }

    fn bad(&self, row: usize, what: &str, raw: &[u8]) -> Error {
        Error::value(self.name, row, what, raw)
    }
}

/// Builds the column.
pub(crate) fn build(plan: &Plan, src: &Source<'_>) -> Result<ArrayRef, Error> {
    Ok(match plan {
        Plan::Int8 => primitive::<Int8Type>(src, "an integer", parse_number)?,
        Plan::Int16 => primitive::<Int16Type>(src, "an integer", parse_number)?,
        Plan::Int32 => primitive::<Int32Type>(src, "an integer", parse_number)?,
        Plan::Int64 => primitive::<Int64Type>(src, "an integer", parse_number)?,
        Plan::Float32 => primitive::<Float32Type>(src, "a number", parse_float)?,
        Plan::Float64 => primitive::<Float64Type>(src, "a number", parse_float)?,
        Plan::TimestampMs(tz) => {
            let array = build_primitive::<TimestampMillisecondType>(
                src,
                "epoch milliseconds",
                parse_number,
            )?;
            Arc::new(array.with_timezone_opt(tz.clone()))
        }
        Plan::Date32 => primitive::<Date32Type>(src, "a date in epoch milliseconds", |raw| {
            let ms: i64 = parse_number(raw)?;
            i32::try_from(ms.div_euclid(DAY_MS)).ok()
        })?,
        Plan::Decimal(precision, scale) => decimal(src, *precision, *scale)?,
        Plan::Boolean => boolean(src)?,
        Plan::Text => text(src)?,
        Plan::Nested(data_type) => nested(src, data_type)?,
    })
}

fn build_primitive<T: ArrowPrimitiveType>(
    src: &Source<'_>,
    what: &str,
    parse: impl Fn(&[u8]) -> Option<T::Native>,
) -> Result<arrow_array::PrimitiveArray<T>, Error> {
    let mut builder = PrimitiveBuilder::<T>::with_capacity(src.rows.len());
    src.each(|value, row| {
        match value {
            None => builder.append_null(),
            Some(v) => match parse(v.as_bytes()) {
                Some(n) => builder.append_value(n),
                None => return Err(src.bad(row, &format!("expected {what}"), v.as_bytes())),
            },
        }
        Ok(())
    })?;
    Ok(builder.finish())
}

fn primitive<T: ArrowPrimitiveType>(
    src: &Source<'_>,
    what: &str,
    parse: impl Fn(&[u8]) -> Option<T::Native>,
) -> Result<ArrayRef, Error> {
    Ok(Arc::new(build_primitive::<T>(src, what, parse)?))
}

/// A JSON number (an integer, or a float's text) as `N`.
fn parse_number<N: std::str::FromStr>(raw: &[u8]) -> Option<N> {
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// A float: a JSON number, or `"NaN"` / `"Infinity"` / `"-Infinity"` quoted as CrateDB sends
/// them.
fn parse_float<N: std::str::FromStr>(raw: &[u8]) -> Option<N> {
    let unquoted = match raw {
        [b'"', inner @ .., b'"'] => inner,
        _ => raw,
    };
    parse_number(unquoted)
}

fn boolean(src: &Source<'_>) -> Result<ArrayRef, Error> {
    let mut builder = BooleanBuilder::with_capacity(src.rows.len());
    src.each(|value, row| {
        match value.map(|v| v.as_bytes()) {
            None => builder.append_null(),
            Some(b"true" | b"t") => builder.append_value(true),
            Some(b"false" | b"f") => builder.append_value(false),
            Some(raw) => return Err(src.bad(row, "expected a boolean", raw)),
        }
        Ok(())
    })?;
    Ok(Arc::new(builder.finish()))
}

/// The text of a value: a text's content, a JSON string unescaped, other JSON as it is.
fn value_text<'r>(value: &CrateDbValueRef<'r>) -> Result<Cow<'r, str>, &'static str> {
    let raw = value.as_bytes();
    if value.is_json() && raw.first() == Some(&b'"') {
        if memchr::memchr(b'\\', raw).is_none() {
            return match raw {
                [b'"', inner @ .., b'"'] => std::str::from_utf8(inner)
                    .map(Cow::Borrowed)
                    .map_err(|_| "invalid UTF-8"),
                _ => Err("unterminated JSON string"),
            };
        }
        return serde_json::from_slice::<String>(raw)
            .map(Cow::Owned)
            .map_err(|_| "invalid JSON string");
    }
    std::str::from_utf8(raw)
        .map(Cow::Borrowed)
        .map_err(|_| "invalid UTF-8")
}

fn text(src: &Source<'_>) -> Result<ArrayRef, Error> {
    let mut builder = StringBuilder::with_capacity(src.rows.len(), src.rows.len() * 16);
    src.each(|value, row| {
        match value {
            None => builder.append_null(),
            Some(v) => match value_text(&v) {
                Ok(s) => builder.append_value(s),
                Err(what) => return Err(src.bad(row, what, v.as_bytes())),
            },
        }
        Ok(())
    })?;
    Ok(Arc::new(builder.finish()))
}

/// The number of fractional digits of a decimal number's text (`1.25e1` has 1), or `None`
/// when it is not a number.
pub(crate) fn fraction_digits(text: &str) -> Option<i64> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let fraction = mantissa.split_once('.').map_or(0, |(_, f)| f.len());
    Some((i64::try_from(fraction).ok()? - exponent).max(0))
}

fn decimal(src: &Source<'_>, precision: u8, scale: i8) -> Result<ArrayRef, Error> {
    let mut builder = PrimitiveBuilder::<Decimal128Type>::with_capacity(src.rows.len());
    src.each(|value, row| {
        let Some(v) = value else {
            builder.append_null();
            return Ok(());
        };
        let text = value_text(&v).map_err(|what| src.bad(row, what, v.as_bytes()))?;
        if fraction_digits(&text).is_none_or(|digits| digits > i64::from(scale)) {
            let what = format!(
                "a NUMERIC with more than {scale} fractional digits (the first batch had at most \
                 {scale}); cast the column to TEXT or round it in the query"
            );
            return Err(src.bad(row, &what, v.as_bytes()));
        }
        match arrow_cast::parse::parse_decimal::<Decimal128Type>(&text, precision, scale) {
            Ok(n) => builder.append_value(n),
            Err(e) => return Err(src.bad(row, &e.to_string(), v.as_bytes())),
        }
        Ok(())
    })?;
    Ok(Arc::new(
        builder
            .finish()
            .with_precision_and_scale(precision, scale)?,
    ))
}

/// Lists, structs and fixed-size lists: the chunk's raw JSON through arrow-json.
fn nested(src: &Source<'_>, data_type: &DataType) -> Result<ArrayRef, Error> {
    let mut json = Vec::with_capacity(src.rows.len() * 32);
    src.each(|value, row| {
        match value {
            None => json.extend_from_slice(b"null"),
            Some(v) if v.is_json() => json.extend_from_slice(v.as_bytes()),
            Some(v) => return Err(src.bad(row, "expected a JSON value", v.as_bytes())),
        }
        json.push(b'\n');
        Ok(())
    })?;
    match decode_json(&json, data_type, src.rows.len()) {
        Ok(array) => Ok(array),
        // Find the row to name it; a chunk decodes as a whole or not at all.
        Err(e) => Err(first_bad_row(src, data_type).unwrap_or(Error::Arrow(e))),
    }
}

/// Decodes newline-separated JSON values into one array of `data_type`.
fn decode_json(
    json: &[u8],
    data_type: &DataType,
    rows: usize,
) -> Result<ArrayRef, arrow_schema::ArrowError> {
    let field = Field::new("value", data_type.clone(), true);
    let mut decoder = arrow_json::ReaderBuilder::new_with_field(field)
        .with_batch_size(rows.max(1))
        .with_coerce_primitive(true)
        .build_decoder()?;
    let mut at = 0;
    while at < json.len() {
        let read = decoder.decode(&json[at..])?;
        if read == 0 {
            break;
        }
        at += read;
    }
    let batch = decoder
        .flush()?
        .unwrap_or_else(|| RecordBatch::new_empty(Arc::new(arrow_schema::Schema::empty())));
    if batch.num_rows() != rows {
        return Err(arrow_schema::ArrowError::JsonError(format!(
            "decoded {} values for {rows} rows",
            batch.num_rows()
        )));
    }
    Ok(Arc::clone(batch.column(0)))
}

/// The error for the first row whose value alone does not decode as `data_type`.
fn first_bad_row(src: &Source<'_>, data_type: &DataType) -> Option<Error> {
    let mut found = None;
    let _ = src.each(|value, row| {
        if let Some(v) = value
            && found.is_none()
            && let Err(e) = decode_json(v.as_bytes(), data_type, 1)
        {
            found = Some(src.bad(row, &format!("not a {data_type}: {e}"), v.as_bytes()));
        }
        Ok(())
    });
    found
}
