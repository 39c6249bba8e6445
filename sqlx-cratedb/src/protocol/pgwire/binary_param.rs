//! Bound arguments → binary-format parameters, for the types whose binary form saves the server
//! the most work: integers, floats, booleans and timestamps, alone or as one-dimensional arrays.
//!
//! CrateDB parses a text array parameter (`{1,2,3}`) with a grammar-based parser, which made
//! `INSERT … SELECT * FROM UNNEST($1, …)` cost it half again as much CPU as the same statement
//! from a client sending binary arrays; timestamps in text are parsed with a date formatter.
//! Only values whose declared OID ([`CrateDbTypeInfo::pg_param_oid`]) names the type exactly go
//! binary, so the server decodes them with that type's binary reader, on CrateDB and PostgreSQL
//! alike. Anything else (text arrays, whose OID is left to the server's inference, nested
//! arrays, objects, …) stays text (`param.rs`).

use postgres_protocol::Oid;

use super::types::{BOOL, TEXT, TIMESTAMP, TIMESTAMPTZ, VARCHAR};
use super::types::{FLOAT4, FLOAT8, INT2, INT4, INT8};
use crate::protocol::json;
use crate::protocol::type_info::CrateDbTypeInfo;

/// 2000-01-01T00:00:00Z in epoch milliseconds: PostgreSQL's binary timestamps count from it.
const PG_EPOCH_MS: i64 = 946_684_800_000;

/// Appends the binary form of one non-NULL argument (its JSON as the HTTP transport would send
/// it) to `out` and returns `true`; returns `false` with `out` unchanged when the value goes as
/// text instead (a type without a binary form here, or a value this encoder does not read, which
/// the text encoder then reports or sends as it always did).
pub(crate) fn encode(ty: &CrateDbTypeInfo, json: &[u8], out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let done = match ty.wire_element() {
        Some(element) if ty.pg_param_oid() != 0 && has_binary(element.pg_param_oid()) => {
            json.first() == Some(&b'[') && array(element.pg_param_oid(), json, out, scalar)
        }
        Some(_) => false,
        None => has_binary(ty.pg_param_oid()) && scalar(ty.pg_param_oid(), json, out),
    };
    if !done {
        out.truncate(start);
    }
    done
}

/// Appends a JSON array of strings as a binary array of `element` (`text` or `varchar`: the
/// type the server described for the parameter) and returns `true`; `false` with `out`
/// unchanged for another element type or a value that is not an array of strings.
pub(crate) fn encode_text_array(element: Oid, json: &[u8], out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let done = matches!(element, TEXT | VARCHAR)
        && json.first() == Some(&b'[')
        && array(element, json, out, text);
    if !done {
        out.truncate(start);
    }
    done
}

/// A JSON string's content, unescaped.
fn text(_: Oid, json: &[u8], out: &mut Vec<u8>) -> bool {
    if json.len() < 2 || json[0] != b'"' || json[json.len() - 1] != b'"' {
        return false;
    }
    let at = out.len();
    out.extend_from_slice(&json[1..json.len() - 1]);
    let end = out.len();
    match json::unescape_in_place(out, at, end) {
        Ok(new_end) => {
            out.truncate(new_end);
            true
        }
        Err(_) => false,
    }
}

/// The declared types [`scalar`] writes.
fn has_binary(oid: Oid) -> bool {
    matches!(
        oid,
        BOOL | INT2 | INT4 | INT8 | FLOAT4 | FLOAT8 | TIMESTAMP | TIMESTAMPTZ
    )
}

/// One value of the type declared as `oid`, without a length prefix.
fn scalar(oid: Oid, json: &[u8], out: &mut Vec<u8>) -> bool {
    match oid {
        BOOL => match json {
            b"true" => out.push(1),
            b"false" => out.push(0),
            _ => return false,
        },
        INT2 => match integer(json).and_then(|v| i16::try_from(v).ok()) {
            Some(v) => out.extend_from_slice(&v.to_be_bytes()),
            None => return false,
        },
        INT4 => match integer(json).and_then(|v| i32::try_from(v).ok()) {
            Some(v) => out.extend_from_slice(&v.to_be_bytes()),
            None => return false,
        },
        INT8 => match integer(json) {
            Some(v) => out.extend_from_slice(&v.to_be_bytes()),
            None => return false,
        },
        FLOAT4 => match float_text(json).and_then(|s| s.parse::<f32>().ok()) {
            Some(v) => out.extend_from_slice(&v.to_be_bytes()),
            None => return false,
        },
        FLOAT8 => match float_text(json).and_then(|s| s.parse::<f64>().ok()) {
            Some(v) => out.extend_from_slice(&v.to_be_bytes()),
            None => return false,
        },
        TIMESTAMP | TIMESTAMPTZ => {
            let micros = integer(json)
                .and_then(|ms| ms.checked_sub(PG_EPOCH_MS))
                .and_then(|ms| ms.checked_mul(1000));
            match micros {
                Some(v) => out.extend_from_slice(&v.to_be_bytes()),
                None => return false,
            }
        }
        _ => return false,
    }
    true
}

/// A JSON integer (no fraction, no exponent).
fn integer(json: &[u8]) -> Option<i64> {
    std::str::from_utf8(json).ok()?.parse().ok()
}

/// The text of a JSON number, or of the strings `"NaN"`, `"Infinity"`, `"-Infinity"` that
/// stand for the floats JSON has no number for.
fn float_text(json: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(json).ok()?;
    match text {
        "\"NaN\"" | "\"Infinity\"" | "\"-Infinity\"" => Some(&text[1..text.len() - 1]),
        _ if text.starts_with('"') => None,
        _ => Some(text),
    }
}

/// A one-dimensional array of `element` values: the header (dimensions, NULL flag, element
/// OID, length, lower bound 1), then each element with its length (-1 for NULL).
fn array(
    element: Oid,
    json: &[u8],
    out: &mut Vec<u8>,
    value: fn(Oid, &[u8], &mut Vec<u8>) -> bool,
) -> bool {
    let Ok(spans) = json::split_array(json) else {
        return false;
    };
    let Ok(len) = i32::try_from(spans.len()) else {
        return false;
    };
    let has_null = spans.iter().any(|&(s, e)| &json[s..e] == b"null");
    let dimensions = i32::from(!spans.is_empty());
    out.extend_from_slice(&dimensions.to_be_bytes());
    out.extend_from_slice(&i32::from(has_null).to_be_bytes());
    out.extend_from_slice(&element.to_be_bytes());
    if spans.is_empty() {
        return true;
    }
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&1_i32.to_be_bytes());
    for (s, e) in spans {
        let item = &json[s..e];
        if item == b"null" {
            out.extend_from_slice(&(-1_i32).to_be_bytes());
            continue;
        }
        let at = out.len();
        out.extend_from_slice(&0_i32.to_be_bytes());
        if !value(element, item, out) {
            return false;
        }
        let Ok(size) = i32::try_from(out.len() - at - 4) else {
            return false;
        };
        out[at..at + 4].copy_from_slice(&size.to_be_bytes());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use CrateDbTypeInfo as T;

    fn enc(ty: &T, json: &str) -> Option<Vec<u8>> {
        let mut out = vec![0xAA];
        let done = encode(ty, json.as_bytes(), &mut out);
        if !done {
            assert_eq!(out, [0xAA], "a refused value leaves the buffer as it was");
            return None;
        }
        Some(out.split_off(1))
    }

    /// What postgres-protocol's own writer gives for the same value.
    fn pg<F: FnOnce(&mut bytes::BytesMut)>(f: F) -> Vec<u8> {
        let mut buf = bytes::BytesMut::new();
        f(&mut buf);
        buf.to_vec()
    }

    #[test]
    fn scalars_match_postgres_protocol() {
        use postgres_protocol::types as pt;
        assert_eq!(
            enc(&T::Boolean, "true"),
            Some(pg(|b| pt::bool_to_sql(true, b)))
        );
        assert_eq!(
            enc(&T::Smallint, "-7"),
            Some(pg(|b| pt::int2_to_sql(-7, b)))
        );
        assert_eq!(
            enc(&T::Integer, "70000"),
            Some(pg(|b| pt::int4_to_sql(70_000, b)))
        );
        assert_eq!(
            enc(&T::Bigint, "-9223372036854775808"),
            Some(pg(|b| pt::int8_to_sql(i64::MIN, b)))
        );
        assert_eq!(
            enc(&T::Real, "2.5"),
            Some(pg(|b| pt::float4_to_sql(2.5, b)))
        );
        assert_eq!(
            enc(&T::Double, "0.1"),
            Some(pg(|b| pt::float8_to_sql(0.1, b)))
        );
        assert_eq!(
            enc(&T::Double, "\"-Infinity\""),
            Some(pg(|b| pt::float8_to_sql(f64::NEG_INFINITY, b)))
        );
        let nan = enc(&T::Real, "\"NaN\"").unwrap();
        assert!(f32::from_be_bytes(nan.try_into().unwrap()).is_nan());
        // 2021-03-09T09:00:00.123Z
        assert_eq!(
            enc(&T::Timestamptz, "1615280400123"),
            Some(pg(|b| pt::timestamp_to_sql(
                (1_615_280_400_123 - PG_EPOCH_MS) * 1000,
                b
            )))
        );
        assert_eq!(
            enc(&T::Timestamp, "-1"),
            Some(pg(|b| pt::timestamp_to_sql((-1 - PG_EPOCH_MS) * 1000, b)))
        );
    }

    #[test]
    fn what_binary_cannot_carry_stays_text() {
        assert_eq!(
            enc(&T::Smallint, "70000"),
            None,
            "out of range: text reports it"
        );
        assert_eq!(enc(&T::Integer, "1.5"), None);
        assert_eq!(enc(&T::Double, "\"x\""), None);
        assert_eq!(enc(&T::Timestamptz, "\"2021-01-01\""), None);
        assert_eq!(enc(&T::Timestamptz, &i64::MAX.to_string()), None);
        for ty in [T::Text, T::Numeric, T::Date, T::Object, T::GeoPoint, T::Ip] {
            assert_eq!(enc(&ty, "1"), None, "{ty}");
        }
        assert_eq!(enc(&T::array_of(T::Text), r#"["a"]"#), None);
        assert_eq!(enc(&T::array_of(T::array_of(T::Integer)), "[[1]]"), None);
        assert_eq!(enc(&T::array_of(T::Integer), "[1,\"x\"]"), None);
        assert_eq!(enc(&T::array_of(T::Integer), "{}"), None);
    }

    /// postgres-protocol's one-dimensional array of `values` (`None` = NULL), each written by
    /// `write`.
    fn pg_array<T: Copy>(
        element: Oid,
        values: &[Option<T>],
        write: fn(T, &mut bytes::BytesMut),
    ) -> Vec<u8> {
        use postgres_protocol::types as pt;
        let len = i32::try_from(values.len()).unwrap();
        pg(|b| {
            pt::array_to_sql(
                [pt::ArrayDimension {
                    len,
                    lower_bound: 1,
                }],
                element,
                values.iter().copied(),
                |v, b| match v {
                    Some(v) => {
                        write(v, b);
                        Ok(postgres_protocol::IsNull::No)
                    }
                    None => Ok(postgres_protocol::IsNull::Yes),
                },
                b,
            )
            .unwrap();
        })
    }

    #[test]
    fn arrays_match_postgres_protocol() {
        use postgres_protocol::types as pt;
        let expected = pg_array(INT8, &[Some(1_i64), None, Some(-3)], pt::int8_to_sql);
        assert_eq!(
            enc(&T::array_of(T::Bigint), "[1, null, -3]"),
            Some(expected)
        );
        let empty = pg(|b| {
            pt::array_to_sql(
                std::iter::empty(),
                BOOL,
                std::iter::empty::<bool>(),
                |_, _| Ok(postgres_protocol::IsNull::No),
                b,
            )
            .unwrap();
        });
        assert_eq!(enc(&T::array_of(T::Boolean), "[]"), Some(empty));
        let vector = enc(&T::FloatVector, "[1, 2.5]").unwrap();
        assert_eq!(&vector[8..12], &FLOAT4.to_be_bytes(), "element OID real");
        assert_eq!(&vector[vector.len() - 4..], &2.5_f32.to_be_bytes());
        let stamps = enc(&T::array_of(T::Timestamptz), "[0]").unwrap();
        assert_eq!(&stamps[8..12], &TIMESTAMPTZ.to_be_bytes());
        let mut out = Vec::new();
        assert!(encode_text_array(
            TEXT,
            br#"["a\u00e9\"", null, ""]"#,
            &mut out
        ));
        let expected = pg_array(TEXT, &[Some("aé\""), None, Some("")], pt::text_to_sql);
        assert_eq!(out, expected);
        let mut out = vec![7];
        assert!(
            !encode_text_array(INT8, b"[1]", &mut out),
            "not a text element"
        );
        assert!(!encode_text_array(TEXT, b"[1]", &mut out), "not a string");
        assert_eq!(out, [7]);
        assert_eq!(
            &stamps[stamps.len() - 8..],
            &(-PG_EPOCH_MS * 1000).to_be_bytes()
        );
    }
}
