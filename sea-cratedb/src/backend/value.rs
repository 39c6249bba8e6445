//! Inline literals for `to_string()`: every sea-query value as a CrateDB literal that no input
//! can break out of.

use std::fmt::{self, Write};

use sea_query::{OptionEnum, PostgresQueryBuilder, QueryBuilder, Value};

use super::CrateDbQueryBuilder;
use crate::{InvalidValue, Unsupported, report, write::name::write_string_literal};

/// Reports values CrateDB cannot hold, whether bound or inlined.
pub(super) fn check_value(value: &Value) {
    match value {
        Value::BigUnsigned(Some(v)) if i64::try_from(*v).is_err() => {
            report::report(InvalidValue::UnsignedOutOfRange(*v));
        }
        Value::Bytes(Some(_)) => report::report(Unsupported::Bytes),
        _ => {}
    }
}

/// Writes `value` as a CrateDB literal.
///
/// Strings are standard-conforming (`'` doubled, backslashes literal); floats keep a decimal
/// point or exponent and spell NaN/infinity as casts; JSON objects become `'…'::OBJECT`, JSON
/// and sea-query arrays become `[…]` array literals; timestamps use ISO 8601 with `T` and an
/// offset; decimals become `'…'::NUMERIC` so no precision is lost to a DOUBLE literal.
pub(super) fn write_value(
    builder: CrateDbQueryBuilder,
    buf: &mut impl Write,
    value: &Value,
) -> fmt::Result {
    check_value(value);
    if !value.is_some() {
        return buf.write_str("NULL");
    }
    match value {
        Value::Bool(Some(v)) => buf.write_str(if *v { "TRUE" } else { "FALSE" }),
        Value::TinyInt(Some(v)) => buf.write_str(itoa::Buffer::new().format(*v)),
        Value::SmallInt(Some(v)) => buf.write_str(itoa::Buffer::new().format(*v)),
        Value::Int(Some(v)) => buf.write_str(itoa::Buffer::new().format(*v)),
        Value::BigInt(Some(v)) => buf.write_str(itoa::Buffer::new().format(*v)),
        Value::TinyUnsigned(Some(v)) => buf.write_str(itoa::Buffer::new().format(*v)),
        Value::SmallUnsigned(Some(v)) => buf.write_str(itoa::Buffer::new().format(*v)),
        Value::Unsigned(Some(v)) => buf.write_str(itoa::Buffer::new().format(*v)),
        Value::BigUnsigned(Some(v)) => buf.write_str(itoa::Buffer::new().format(*v)),
        Value::Float(Some(v)) => write_float(buf, f64::from(*v), "REAL"),
        Value::Double(Some(v)) => write_float(buf, *v, "DOUBLE PRECISION"),
        Value::String(Some(v)) => {
            write_string_literal(v, buf);
            Ok(())
        }
        Value::Char(Some(v)) => {
            write_string_literal(v.encode_utf8(&mut [0; 4]), buf);
            Ok(())
        }
        Value::Bytes(Some(v)) => write_hex_text(v, buf),
        Value::Json(Some(v)) => write_json(buf, v),
        Value::ChronoDate(Some(v)) => write!(buf, "'{}'", v.format("%Y-%m-%d")),
        Value::ChronoTime(Some(v)) => write!(buf, "'{}'", v.format("%H:%M:%S%.f")),
        Value::ChronoDateTime(Some(v)) => write!(buf, "'{}'", v.format("%Y-%m-%dT%H:%M:%S%.f")),
        Value::ChronoDateTimeUtc(Some(v)) => write_rfc3339(buf, &v.fixed_offset()),
        Value::ChronoDateTimeLocal(Some(v)) => write_rfc3339(buf, &v.fixed_offset()),
        Value::ChronoDateTimeWithTimeZone(Some(v)) => write_rfc3339(buf, v),
        Value::Decimal(Some(v)) => write!(buf, "'{v}'::NUMERIC"),
        Value::BigDecimal(Some(v)) => write!(buf, "'{v}'::NUMERIC"),
        Value::Uuid(Some(v)) => write!(buf, "'{v}'"),
        Value::IpNetwork(Some(v)) => {
            if v.prefix() == if v.is_ipv4() { 32 } else { 128 } {
                write!(buf, "'{}'", v.ip())
            } else {
                write!(buf, "'{v}'")
            }
        }
        Value::Array(_, Some(items)) => {
            buf.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    buf.write_str(", ")?;
                }
                builder.write_value(buf, item)?;
            }
            buf.write_char(']')
        }
        Value::Vector(Some(v)) => {
            buf.write_char('[')?;
            for (i, x) in v.as_slice().iter().enumerate() {
                if i > 0 {
                    buf.write_str(", ")?;
                }
                write_float(buf, f64::from(*x), "REAL")?;
            }
            buf.write_char(']')
        }
        // An enum value is its label, as text (CrateDB has no enum types).
        Value::Enum(OptionEnum::Some(v)) => {
            write_string_literal(&v.value, buf);
            Ok(())
        }
        // Variants of sea-query features this crate was built without (another crate in the
        // graph enabled them): PostgreSQL's literal, which CrateDB shares for text-like values.
        other => {
            let _ = builder;
            PostgresQueryBuilder.write_value(buf, other)
        }
    }
}

/// Writes a float that CrateDB reads as the same number: always with a decimal point or an
/// exponent, and NaN / infinity as casts of their string forms.
fn write_float(buf: &mut impl Write, v: f64, type_name: &str) -> fmt::Result {
    if v.is_nan() {
        write!(buf, "'NaN'::{type_name}")
    } else if v.is_infinite() {
        let sign = if v < 0.0 { "-" } else { "" };
        write!(buf, "'{sign}Infinity'::{type_name}")
    } else {
        // `Debug` keeps a `.0` on whole numbers and switches to exponent form for large ones.
        write!(buf, "{v:?}")
    }
}

/// Writes bytes as a hex text literal (`'\xdeadbeef'`): CrateDB has no binary type.
pub(super) fn write_hex_text(bytes: &[u8], buf: &mut impl Write) -> fmt::Result {
    buf.write_str("'\\x")?;
    for byte in bytes {
        write!(buf, "{byte:02x}")?;
    }
    buf.write_char('\'')
}
fn write_rfc3339(buf: &mut impl Write, v: &chrono::DateTime<chrono::FixedOffset>) -> fmt::Result {
    write!(buf, "'{}'", v.format("%Y-%m-%dT%H:%M:%S%.f%:z"))
}

/// Writes a JSON value as a CrateDB literal: objects as `'{…}'::OBJECT`, arrays as `[…]`.
pub(crate) fn write_json(buf: &mut impl Write, v: &serde_json::Value) -> fmt::Result {
    use serde_json::Value as Json;
    match v {
        Json::Null => buf.write_str("NULL"),
        Json::Bool(b) => buf.write_str(if *b { "TRUE" } else { "FALSE" }),
        Json::Number(n) => write!(buf, "{n}"),
        Json::String(s) => {
            write_string_literal(s, buf);
            Ok(())
        }
        Json::Array(items) => {
            buf.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    buf.write_str(", ")?;
                }
                write_json(buf, item)?;
            }
            buf.write_char(']')
        }
        Json::Object(_) => {
            write_string_literal(&v.to_string(), buf);
            buf.write_str("::OBJECT")
        }
    }
}
