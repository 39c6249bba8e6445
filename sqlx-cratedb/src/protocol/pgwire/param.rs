//! Bound arguments → text-format parameters with OIDs CrateDB accepts.
//!
//! `CrateDbArguments` keeps each argument as the JSON the HTTP transport sends, plus the
//! argument's [`CrateDbTypeInfo`]. Over pgwire each one becomes the PostgreSQL text form of that
//! type (the exact form for CrateDB and PostgreSQL alike) and the OID from
//! [`CrateDbTypeInfo::pg_param_oid`]: objects go as `json` (114), arrays as PostgreSQL
//! array literals, timestamps (epoch milliseconds in JSON) as ISO text.

use std::fmt::Write as _;

use postgres_protocol::Oid;

use super::datetime::civil_from_days;
use crate::protocol::json;
use crate::protocol::type_info::CrateDbTypeInfo;

/// A value that cannot be sent as a parameter of its declared type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot send {ty} argument `{excerpt}` over the PostgreSQL protocol: {reason}")]
pub(crate) struct ParamError {
    ty: String,
    excerpt: String,
    reason: &'static str,
}

fn err(ty: &CrateDbTypeInfo, json: &[u8], reason: &'static str) -> ParamError {
    ParamError {
        ty: ty.to_string(),
        excerpt: String::from_utf8_lossy(&json[..json.len().min(64)]).into_owned(),
        reason,
    }
}

/// The OID to declare for an argument of this type.
pub(crate) fn oid(ty: &CrateDbTypeInfo) -> Oid {
    ty.pg_param_oid()
}

/// Appends the text form of one argument (its JSON as the HTTP transport would send it) to
/// `out`. Returns `false` for SQL NULL (nothing appended).
///
/// `cratedb`: the peer is CrateDB. It reads a nested array (`array(array(…))`) parameter as
/// JSON text (its pgwire type for nested arrays is `json`), so there the JSON goes as is;
/// PostgreSQL reads the array literal `{{1,2},{3,4}}`.
pub(crate) fn encode(
    ty: &CrateDbTypeInfo,
    json: &[u8],
    cratedb: bool,
    out: &mut Vec<u8>,
) -> Result<bool, ParamError> {
    if json == b"null" {
        return Ok(false);
    }
    match ty {
        CrateDbTypeInfo::Array(inner)
            if cratedb
                && matches!(**inner, CrateDbTypeInfo::Array(_))
                && json.first() == Some(&b'[') =>
        {
            out.extend_from_slice(json);
        }
        _ => scalar(ty, json, out, false)?,
    }
    Ok(true)
}

/// One value; inside an array literal (`in_array`), strings and composite texts are quoted.
fn scalar(
    ty: &CrateDbTypeInfo,
    json: &[u8],
    out: &mut Vec<u8>,
    in_array: bool,
) -> Result<(), ParamError> {
    use CrateDbTypeInfo as T;
    let first = json.first().copied().unwrap_or(b' ');
    if let (Some(element), b'[') = (ty.wire_element(), first) {
        return array(element, json, out);
    }
    match (ty, first) {
        (T::Timestamptz | T::Timestamp | T::Date, b'-' | b'0'..=b'9') => {
            let ms: i64 = std::str::from_utf8(json)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| err(ty, json, "expected epoch milliseconds"))?;
            let text = timestamp_text(ms, ty);
            push_text(text.as_bytes(), out, in_array);
            Ok(())
        }
        (T::GeoPoint, b'[') => {
            let coords: Vec<f64> =
                serde_json::from_slice(json).map_err(|_| err(ty, json, "expected [lon, lat]"))?;
            let [lon, lat] = coords.as_slice() else {
                return Err(err(ty, json, "expected [lon, lat]"));
            };
            let text = format!("({lon},{lat})");
            push_text(text.as_bytes(), out, in_array);
            Ok(())
        }
        (_, b'"') => {
            let text = json::unescape_quoted(json).map_err(|_| err(ty, json, "bad JSON string"))?;
            push_text(text.as_bytes(), out, in_array);
            Ok(())
        }
        // Objects, JSON and anything else structured: the JSON text (`json`, 114).
        (_, b'{' | b'[') => {
            push_text(json, out, in_array);
            Ok(())
        }
        // Numbers, booleans: the JSON text is the PostgreSQL text.
        _ => {
            out.extend_from_slice(json);
            Ok(())
        }
    }
}

/// A PostgreSQL array literal from a JSON array.
fn array(element: &CrateDbTypeInfo, json: &[u8], out: &mut Vec<u8>) -> Result<(), ParamError> {
    let spans = json::split_array(json).map_err(|_| err(element, json, "bad JSON array"))?;
    out.push(b'{');
    for (i, (s, e)) in spans.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let item = &json[s..e];
        if item == b"null" {
            out.extend_from_slice(b"NULL");
        } else {
            scalar(element, item, out, true)?;
        }
    }
    out.push(b'}');
    Ok(())
}

/// Appends text; inside an array literal quoted, with `"` and `\` escaped.
fn push_text(text: &[u8], out: &mut Vec<u8>, in_array: bool) {
    if !in_array {
        out.extend_from_slice(text);
        return;
    }
    out.push(b'"');
    for &b in text {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Epoch milliseconds as `YYYY-MM-DD HH:MM:SS.mmm+00` (timestamptz), without the offset
/// (timestamp), or `YYYY-MM-DD` (date).
fn timestamp_text(ms: i64, ty: &CrateDbTypeInfo) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let mut s = String::with_capacity(32);
    let (year, bc) = if y <= 0 { (1 - y, true) } else { (y, false) };
    let _ = write!(s, "{year:04}-{m:02}-{d:02}");
    if *ty != CrateDbTypeInfo::Date {
        let secs = in_day / 1000;
        let _ = write!(
            s,
            " {:02}:{:02}:{:02}.{:03}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            in_day % 1000
        );
        if *ty == CrateDbTypeInfo::Timestamptz {
            s.push_str("+00");
        }
    }
    if bc {
        s.push_str(" BC");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::datetime::parse_timestamp;
    use super::*;
    use CrateDbTypeInfo as T;

    fn enc(ty: &T, json: &str) -> Option<String> {
        let mut out = Vec::new();
        encode(ty, json.as_bytes(), false, &mut out)
            .unwrap()
            .then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn scalars_go_out_as_postgresql_text() {
        assert_eq!(enc(&T::Integer, "null"), None);
        assert_eq!(enc(&T::Integer, "-42").as_deref(), Some("-42"));
        assert_eq!(enc(&T::Boolean, "true").as_deref(), Some("true"));
        assert_eq!(enc(&T::Double, "\"NaN\"").as_deref(), Some("NaN"));
        assert_eq!(enc(&T::Text, r#""a\"b\u00e9""#).as_deref(), Some("a\"bé"));
        assert_eq!(
            enc(&T::Object, r#"{"a":{"b":[1]}}"#).as_deref(),
            Some(r#"{"a":{"b":[1]}}"#)
        );
        assert_eq!(
            enc(&T::GeoPoint, "[13.4,52.5]").as_deref(),
            Some("(13.4,52.5)")
        );
        assert_eq!(
            enc(&T::Timestamptz, "1615280400123").as_deref(),
            Some("2021-03-09 09:00:00.123+00")
        );
        assert_eq!(
            enc(&T::Timestamp, "-1").as_deref(),
            Some("1969-12-31 23:59:59.999")
        );
        assert_eq!(
            enc(&T::Date, "1615248000000").as_deref(),
            Some("2021-03-09")
        );
        assert_eq!(
            enc(&T::Timestamp, "-62167219200000").as_deref(),
            Some("0001-01-01 00:00:00.000 BC")
        );
        for ms in [-62_167_219_200_000_i64, -1, 0, 1_615_280_400_123] {
            let text = enc(&T::Timestamptz, &ms.to_string()).unwrap();
            assert_eq!(parse_timestamp(text.as_bytes()), Some(ms), "{text}");
        }
    }

    #[test]
    fn nested_arrays_go_to_cratedb_as_json() {
        let nested = T::array_of(T::array_of(T::Integer));
        let mut out = Vec::new();
        assert!(encode(&nested, b"[[1,2],[],[3,null]]", true, &mut out).unwrap());
        assert_eq!(out, b"[[1,2],[],[3,null]]");
        assert_eq!(oid(&nested), 0);
        // One-dimensional arrays stay array literals for CrateDB too.
        let mut out = Vec::new();
        encode(&T::array_of(T::Integer), b"[1,null]", true, &mut out).unwrap();
        assert_eq!(out, b"{1,NULL}");
        // PostgreSQL reads the literal.
        assert_eq!(
            enc(&nested, "[[1,2],[3,4]]").as_deref(),
            Some("{{1,2},{3,4}}")
        );
        let mut out = Vec::new();
        assert!(!encode(&nested, b"null", true, &mut out).unwrap());
    }

    #[test]
    fn arrays_go_out_as_array_literals() {
        assert_eq!(
            enc(&T::array_of(T::Text), r#"["a","b \"c\"",null,"x\\y"]"#).as_deref(),
            Some(r#"{"a","b \"c\"",NULL,"x\\y"}"#)
        );
        assert_eq!(
            enc(&T::array_of(T::Real), "[1,2.5]").as_deref(),
            Some("{1,2.5}")
        );
        assert_eq!(enc(&T::FloatVector, "[1,2.5]").as_deref(), Some("{1,2.5}"));
        assert_eq!(enc(&T::array_of(T::Integer), "[]").as_deref(), Some("{}"));
        assert_eq!(
            enc(&T::array_of(T::Object), r#"[{"a":"x"},null]"#).as_deref(),
            Some(r#"{"{\"a\":\"x\"}",NULL}"#)
        );
        assert_eq!(
            enc(&T::array_of(T::array_of(T::Integer)), "[[1,2],[3,4]]").as_deref(),
            Some("{{1,2},{3,4}}")
        );
        assert_eq!(
            enc(&T::array_of(T::Timestamptz), "[0]").as_deref(),
            Some(r#"{"1970-01-01 00:00:00.000+00"}"#)
        );
        assert_eq!(oid(&T::array_of(T::Object)), 199);
        assert!(encode(&T::GeoPoint, b"[1]", false, &mut Vec::new()).is_err());
    }
}
