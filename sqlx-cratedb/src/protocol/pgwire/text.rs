//! Text-format result values → the driver's value model.
//!
//! The `Decode` impls read values in the shape the HTTP transport delivers (JSON numbers,
//! epoch milliseconds, `[lon, lat]`, JSON arrays, unescaped strings). Text-format values of
//! most types already have that shape (numbers, strings, JSON) and are used in place, without
//! copying; the others (booleans, timestamps, dates, points, arrays, `timetz`) are rewritten
//! into a per-row buffer. Text is CrateDB's exact format for every type, and PostgreSQL's
//! with `DateStyle=ISO` and `TimeZone=UTC`, which the driver sets.

use bytes::Bytes;

use super::datetime::{parse_date_ms, parse_timestamp, parse_timetz};
use super::error::bad;
use super::text_array::ArrayParser;
use crate::protocol::ProtocolError;
use crate::protocol::json::{Cell, CellKind, Cells};
use crate::protocol::type_info::{CrateDbTypeInfo, WireBinary, WireText};

/// How a column's value becomes a cell: by the shape of its text (booleans, timestamps, dates,
/// points and arrays are rewritten; strings, JSON and finite numbers are used in place), or, in
/// the binary format, by its bytes (timestamps to epoch milliseconds, numbers to their digits
/// made with `itoa` / `ryu`, `NaN` and the infinities quoted as the text path quotes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conv {
    /// The text format, by the value's shape.
    Text(WireText),
    /// The binary format.
    Binary(WireBinary),
}

/// The conversion for a column of this type, read in the text format.
pub(crate) fn conv_for(ty: &CrateDbTypeInfo) -> Conv {
    Conv::Text(ty.wire_text())
}

/// Builds the cells of one `DataRow` (its body after the column count).
///
/// `convs` and `types` have one entry per column. The row's bytes are used in place when no
/// column needs rewriting (`in_place`, see [`in_place`]); a row with a non-finite float then
/// is built again by copying, since `NaN` and `Infinity` must be quoted.
pub(crate) fn build_row(
    body: &Bytes,
    columns: &[impl AsRef<CrateDbTypeInfo>],
    convs: &[Conv],
    in_place: bool,
) -> Result<(Bytes, Cells), ProtocolError> {
    let mut cells = Cells::with_capacity(convs.len());
    let mut pos = 0usize;
    let mut out: Vec<u8> = if in_place {
        Vec::new()
    } else {
        Vec::with_capacity(body.len() + 16)
    };
    for (i, conv) in convs.iter().enumerate() {
        // `let … else`, not `ok_or`: an error value built per value costs a drop call each.
        let Some(len_bytes) = body.get(pos..pos + 4) else {
            return Err(ProtocolError::Truncated);
        };
        let len = i32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        pos += 4;
        let Ok(len) = usize::try_from(len) else {
            // -1: NULL.
            let at = if in_place { pos } else { out.len() };
            cells.push(Cell::new(at, at, CellKind::Null)?);
            continue;
        };
        let Some(raw) = body.get(pos..pos + len) else {
            return Err(ProtocolError::Truncated);
        };
        if in_place {
            let kind = match conv {
                Conv::Text(WireText::String) => CellKind::Text,
                Conv::Text(WireText::Float) if !is_finite_number(raw) => {
                    return build_row(body, columns, convs, false);
                }
                _ => CellKind::Json,
            };
            cells.push(Cell::new(pos, pos + len, kind)?);
        } else {
            let start = out.len();
            let kind = convert(*conv, columns[i].as_ref(), raw, &mut out)?;
            cells.push(Cell::new(start, out.len(), kind)?);
        }
        pos += len;
    }
    if pos != body.len() {
        return Err(ProtocolError::PgMessage(
            "DataRow has more values than RowDescription has columns".into(),
        ));
    }
    let data = if in_place {
        body.clone()
    } else {
        Bytes::from(out)
    };
    Ok((data, cells))
}

/// The conversion of a column received in the binary format, for the types whose binary form
/// the type table prefers ([`CrateDbTypeInfo::wire_binary`]; the digits of numbers are made here
/// with `itoa` / `ryu`). `None` for the rest, which are read as text.
pub(crate) fn binary_conv_for(ty: &CrateDbTypeInfo) -> Option<Conv> {
    ty.wire_binary().map(Conv::Binary)
}

/// Milliseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_MS: i64 = 946_684_800_000;

/// True when the column's text can be used in place (floats: unless `NaN` / `Infinity`).
pub(crate) fn in_place(conv: Conv) -> bool {
    matches!(
        conv,
        Conv::Text(WireText::String | WireText::Json | WireText::Float)
    )
}

/// A float's text that is already a JSON number (not `NaN`, `Infinity`, `-Infinity`).
fn is_finite_number(raw: &[u8]) -> bool {
    match raw {
        [b'-', d, ..] | [d, ..] => d.is_ascii_digit(),
        [] => false,
    }
}

/// Appends the converted value; returns how the cell is to be read.
pub(crate) fn convert(
    conv: Conv,
    ty: &CrateDbTypeInfo,
    raw: &[u8],
    out: &mut Vec<u8>,
) -> Result<CellKind, ProtocolError> {
    match conv {
        Conv::Text(WireText::String) => {
            out.extend_from_slice(raw);
            return Ok(CellKind::Text);
        }
        Conv::Text(WireText::Json) => out.extend_from_slice(raw),
        Conv::Text(WireText::Float) => push_float(raw, out),
        Conv::Text(WireText::Bool) => match raw {
            b"t" | b"true" => out.extend_from_slice(b"true"),
            b"f" | b"false" => out.extend_from_slice(b"false"),
            _ => return Err(bad("boolean", raw).into()),
        },
        Conv::Text(WireText::Timestamp) => {
            let ms = parse_timestamp(raw).ok_or_else(|| bad("timestamp", raw))?;
            out.extend_from_slice(itoa::Buffer::new().format(ms).as_bytes());
        }
        Conv::Text(WireText::Date) => {
            let ms = parse_date_ms(raw).ok_or_else(|| bad("date", raw))?;
            out.extend_from_slice(itoa::Buffer::new().format(ms).as_bytes());
        }
        Conv::Text(WireText::Point) => {
            let inner = raw
                .strip_prefix(b"(")
                .and_then(|r| r.strip_suffix(b")"))
                .ok_or_else(|| bad("point", raw))?;
            out.push(b'[');
            out.extend_from_slice(inner);
            out.push(b']');
        }
        Conv::Text(WireText::TimeTz) => {
            let (micros, offset) = parse_timetz(raw).ok_or_else(|| bad("timetz", raw))?;
            out.push(b'[');
            out.extend_from_slice(itoa::Buffer::new().format(micros).as_bytes());
            out.push(b',');
            out.extend_from_slice(itoa::Buffer::new().format(offset).as_bytes());
            out.push(b']');
        }
        Conv::Binary(WireBinary::Timestamp) => {
            let micros = <[u8; 8]>::try_from(raw)
                .map(i64::from_be_bytes)
                .map_err(|_| bad("binary timestamp", raw))?;
            // `i64::MIN` / `i64::MAX` are PostgreSQL's -infinity / infinity: no instant.
            let ms = (micros != i64::MIN && micros != i64::MAX)
                .then(|| micros.div_euclid(1000).checked_add(PG_EPOCH_MS))
                .flatten()
                .ok_or_else(|| bad("binary timestamp", raw))?;
            out.extend_from_slice(itoa::Buffer::new().format(ms).as_bytes());
        }
        Conv::Binary(WireBinary::Int) => {
            let n = match raw.len() {
                2 => i64::from(i16::from_be_bytes([raw[0], raw[1]])),
                4 => i64::from(i32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]])),
                8 => <[u8; 8]>::try_from(raw).map_or(0, i64::from_be_bytes),
                _ => return Err(bad("binary integer", raw).into()),
            };
            out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        }
        Conv::Binary(WireBinary::Float4) => {
            let bits = <[u8; 4]>::try_from(raw).map_err(|_| bad("binary real", raw))?;
            let f = f32::from_be_bytes(bits);
            push_binary_float(f, f.is_finite(), f.is_nan(), f.is_sign_negative(), out);
        }
        Conv::Binary(WireBinary::Float8) => {
            let bits = <[u8; 8]>::try_from(raw).map_err(|_| bad("binary double", raw))?;
            let f = f64::from_be_bytes(bits);
            push_binary_float(f, f.is_finite(), f.is_nan(), f.is_sign_negative(), out);
        }
        Conv::Binary(WireBinary::Bool) => match raw {
            [1] => out.extend_from_slice(b"true"),
            [0] => out.extend_from_slice(b"false"),
            _ => return Err(bad("binary boolean", raw).into()),
        },
        Conv::Text(WireText::Array) => {
            let element = ty.wire_element().ok_or_else(|| bad("array", raw))?;
            ArrayParser::new(raw).convert(element, out, push_element)?;
        }
    }
    Ok(CellKind::Json)
}

/// Appends one array element, converted by its type: text as a JSON string, the rest as
/// [`convert`] does.
fn push_element(
    element: &CrateDbTypeInfo,
    text: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), ProtocolError> {
    match conv_for(element) {
        Conv::Text(WireText::String) => {
            let s = std::str::from_utf8(text).map_err(|_| bad("array element", text))?;
            serde_json::to_writer(&mut *out, s).map_err(|_| bad("array element", text))?;
            Ok(())
        }
        conv => convert(conv, element, text, out).map(|_| ()),
    }
}

/// Appends a float received in binary: its shortest digits, or CrateDB's quoted `"NaN"` /
/// `"Infinity"` / `"-Infinity"` for the rest (`finite`, `nan`, `negative` describe `f`).
fn push_binary_float<F: ryu::Float>(
    f: F,
    finite: bool,
    nan: bool,
    negative: bool,
    out: &mut Vec<u8>,
) {
    if finite {
        out.extend_from_slice(ryu::Buffer::new().format_finite(f).as_bytes());
    } else if nan {
        out.extend_from_slice(b"\"NaN\"");
    } else if negative {
        out.extend_from_slice(b"\"-Infinity\"");
    } else {
        out.extend_from_slice(b"\"Infinity\"");
    }
}

fn push_float(raw: &[u8], out: &mut Vec<u8>) {
    if is_finite_number(raw) {
        out.extend_from_slice(raw);
    } else {
        out.push(b'"');
        out.extend_from_slice(raw);
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary_ts(micros: i64) -> Result<String, ProtocolError> {
        let mut out = Vec::new();
        let raw = micros.to_be_bytes();
        convert(
            Conv::Binary(WireBinary::Timestamp),
            &CrateDbTypeInfo::Timestamptz,
            &raw,
            &mut out,
        )?;
        Ok(String::from_utf8(out).unwrap())
    }

    fn binary(conv: Conv, raw: &[u8]) -> Result<String, ProtocolError> {
        let mut out = Vec::new();
        convert(conv, &CrateDbTypeInfo::Unknown(-1), raw, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn binary_numbers_and_booleans_become_their_json() {
        assert_eq!(
            binary(Conv::Binary(WireBinary::Int), &(-2i16).to_be_bytes()).unwrap(),
            "-2"
        );
        assert_eq!(
            binary(Conv::Binary(WireBinary::Int), &i32::MIN.to_be_bytes()).unwrap(),
            "-2147483648"
        );
        assert_eq!(
            binary(Conv::Binary(WireBinary::Int), &i64::MAX.to_be_bytes()).unwrap(),
            i64::MAX.to_string()
        );
        assert!(binary(Conv::Binary(WireBinary::Int), &[1, 2, 3]).is_err());
        assert_eq!(
            binary(Conv::Binary(WireBinary::Float4), &0.1f32.to_be_bytes()).unwrap(),
            "0.1"
        );
        assert_eq!(
            binary(Conv::Binary(WireBinary::Float8), &(-2.5f64).to_be_bytes()).unwrap(),
            "-2.5"
        );
        assert_eq!(
            binary(Conv::Binary(WireBinary::Float8), &f64::NAN.to_be_bytes()).unwrap(),
            "\"NaN\""
        );
        assert_eq!(
            binary(
                Conv::Binary(WireBinary::Float4),
                &f32::NEG_INFINITY.to_be_bytes()
            )
            .unwrap(),
            "\"-Infinity\""
        );
        assert_eq!(
            binary(
                Conv::Binary(WireBinary::Float8),
                &f64::INFINITY.to_be_bytes()
            )
            .unwrap(),
            "\"Infinity\""
        );
        assert!(binary(Conv::Binary(WireBinary::Float8), &[0; 4]).is_err());
        assert_eq!(
            binary(Conv::Binary(WireBinary::Bool), &[1]).unwrap(),
            "true"
        );
        assert_eq!(
            binary(Conv::Binary(WireBinary::Bool), &[0]).unwrap(),
            "false"
        );
        assert!(binary(Conv::Binary(WireBinary::Bool), &[2]).is_err());
    }

    #[test]
    fn binary_timestamps_become_the_milliseconds_the_text_does() {
        for text in [
            "2024-01-01 12:34:56.789+00",
            "1969-12-31 23:59:59.999+00",
            "2000-01-01 00:00:00+00",
            "1900-02-28 01:02:03.004+00",
        ] {
            let ms = parse_timestamp(text.as_bytes()).unwrap();
            let micros = (ms - PG_EPOCH_MS) * 1000 + 999;
            assert_eq!(binary_ts(micros).unwrap(), ms.to_string(), "{text}");
        }
        assert!(binary_ts(i64::MAX).is_err());
        assert!(binary_ts(i64::MIN).is_err());
        let mut out = Vec::new();
        let short = convert(
            Conv::Binary(WireBinary::Timestamp),
            &CrateDbTypeInfo::Timestamp,
            &[0; 4],
            &mut out,
        );
        assert!(short.is_err());
    }
    use crate::model::column::CrateDbColumn;
    use CrateDbTypeInfo as T;

    fn columns(types: &[T]) -> Vec<CrateDbColumn> {
        types
            .iter()
            .enumerate()
            .map(|(i, t)| CrateDbColumn::new(i, format!("c{i}"), t.clone()))
            .collect()
    }

    fn conv(ty: &T, raw: &str) -> Result<String, ProtocolError> {
        let mut out = Vec::new();
        convert(conv_for(ty), ty, raw.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn scalar_text_values_become_http_shapes() {
        assert_eq!(conv(&T::Boolean, "t").unwrap(), "true");
        assert_eq!(conv(&T::Boolean, "f").unwrap(), "false");
        assert!(conv(&T::Boolean, "x").is_err());
        assert_eq!(conv(&T::Double, "1.5").unwrap(), "1.5");
        assert_eq!(conv(&T::Double, "NaN").unwrap(), "\"NaN\"");
        assert_eq!(conv(&T::Real, "-Infinity").unwrap(), "\"-Infinity\"");
        // CrateDB's timestamptz text (always UTC, milliseconds).
        assert_eq!(
            conv(&T::Timestamptz, "2021-03-09 09:00:00.123+00").unwrap(),
            "1615280400123"
        );
        // PostgreSQL's, with microseconds and another offset.
        assert_eq!(
            conv(&T::Timestamptz, "2021-03-09 10:00:00.123456+01").unwrap(),
            "1615280400123"
        );
        assert_eq!(
            conv(&T::Timestamptz, "2021-03-09 14:30:00+05:30").unwrap(),
            "1615280400000"
        );
        assert_eq!(
            conv(&T::Timestamp, "1969-12-31 23:59:59.999").unwrap(),
            "-1"
        );
        assert_eq!(
            conv(&T::Timestamp, "0001-01-01 00:00:00 BC").unwrap(),
            "-62167219200000"
        );
        assert_eq!(conv(&T::Date, "2021-03-09").unwrap(), "1615248000000");
        assert!(conv(&T::Date, "infinity").is_err());
        assert_eq!(conv(&T::GeoPoint, "(13.4,52.5)").unwrap(), "[13.4,52.5]");
        assert_eq!(
            conv(&T::TimeTz, "13:00:00.5+01").unwrap(),
            "[46800500000,3600]"
        );
        assert_eq!(
            conv(&T::TimeTz, "13:00:00-05:30").unwrap(),
            "[46800000000,-19800]"
        );
        // CrateDB writes no offset when it is zero.
        assert_eq!(conv(&T::TimeTz, "00:00:00").unwrap(), "[0,0]");
        assert_eq!(
            conv(&T::TimeTz, "23:59:59.999999").unwrap(),
            "[86399999999,0]"
        );
        assert!(conv(&T::TimeTz, "00:00:00+").is_err());
    }

    #[test]
    fn arrays_become_json_arrays() {
        let text = T::array_of(T::Text);
        assert_eq!(
            conv(&text, r#"{a,"b c",NULL,"q\"x\\y","NULL"}"#).unwrap(),
            r#"["a","b c",null,"q\"x\\y","NULL"]"#
        );
        assert_eq!(conv(&T::array_of(T::Integer), "{}").unwrap(), "[]");
        assert_eq!(
            conv(&T::array_of(T::Real), "{1,2.5,NaN}").unwrap(),
            r#"[1,2.5,"NaN"]"#
        );
        assert_eq!(
            conv(
                &T::array_of(T::Object),
                r#"{"{\"a\": 1}","{\"b\": [1, 2]}",NULL}"#
            )
            .unwrap(),
            r#"[{"a": 1},{"b": [1, 2]},null]"#
        );
        assert_eq!(
            conv(&T::array_of(T::Integer), "{{1,2},{3,4}}").unwrap(),
            "[[1,2],[3,4]]"
        );
        assert_eq!(
            conv(&T::array_of(T::Integer), "[0:1]={1,2}").unwrap(),
            "[1,2]"
        );
        assert_eq!(
            conv(&T::array_of(T::Boolean), "{t,f,NULL}").unwrap(),
            "[true,false,null]"
        );
        assert_eq!(
            conv(&T::array_of(T::GeoPoint), r#"{"(1,2)","(3.5,-4)"}"#).unwrap(),
            "[[1,2],[3.5,-4]]"
        );
        assert_eq!(
            conv(
                &T::array_of(T::Timestamptz),
                r#"{"1970-01-01 00:00:01+00"}"#
            )
            .unwrap(),
            "[1000]"
        );
        for bad in ["{", "{1,2", "{1}x", "1,2}", r#"{"a}"#] {
            assert!(conv(&T::array_of(T::Integer), bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rows_are_used_in_place_or_rewritten() {
        // Two columns: int4 `7` and NULL.
        let body = Bytes::from_static(&[0, 0, 0, 1, b'7', 0xff, 0xff, 0xff, 0xff]);
        let types = columns(&[T::Integer, T::Text]);
        let convs = [Conv::Text(WireText::Json), Conv::Text(WireText::String)];
        let (data, cells) = build_row(&body, &types, &convs, true).unwrap();
        assert_eq!(&data[cells[0].start()..cells[0].end()], b"7");
        assert_eq!(cells[1].kind(), CellKind::Null);
        let types = columns(&[T::Boolean, T::Text]);
        let body = Bytes::from_static(&[0, 0, 0, 1, b't', 0, 0, 0, 1, b'x']);
        let (data, cells) = build_row(
            &body,
            &types,
            &[Conv::Text(WireText::Bool), Conv::Text(WireText::String)],
            false,
        )
        .unwrap();
        assert_eq!(&data[cells[0].start()..cells[0].end()], b"true");
        assert_eq!(&data[cells[1].start()..cells[1].end()], b"x");
        assert_eq!(cells[1].kind(), CellKind::Text);
        // Truncated and over-long rows.
        assert!(
            build_row(
                &Bytes::from_static(&[0, 0, 0, 5, b'7']),
                &types,
                &convs,
                true
            )
            .is_err()
        );
        assert!(build_row(&body, &types[..1], &convs[..1], true).is_err());
    }

    #[test]
    fn finite_floats_stay_in_place_and_non_finite_ones_are_quoted() {
        let types = columns(&[T::Double, T::Integer]);
        let convs = [Conv::Text(WireText::Float), Conv::Text(WireText::Json)];
        let finite = Bytes::from_static(&[0, 0, 0, 4, b'-', b'2', b'.', b'5', 0, 0, 0, 1, b'3']);
        let (data, cells) = build_row(&finite, &types, &convs, true).unwrap();
        assert_eq!(&data[cells[0].start()..cells[0].end()], b"-2.5");
        // In place: the row's own bytes, not a copy.
        assert_eq!(data.as_ptr(), finite.as_ptr());
        let nan = Bytes::from_static(&[0, 0, 0, 3, b'N', b'a', b'N', 0, 0, 0, 1, b'3']);
        let (data, cells) = build_row(&nan, &types, &convs, true).unwrap();
        assert_eq!(&data[cells[0].start()..cells[0].end()], b"\"NaN\"");
        assert_eq!(&data[cells[1].start()..cells[1].end()], b"3");
        assert!(!is_finite_number(b"-Infinity"));
        assert!(!is_finite_number(b""));
        assert!(is_finite_number(b"1e+100"));
    }
}
