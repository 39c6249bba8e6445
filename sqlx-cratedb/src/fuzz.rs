//! Entry points for the fuzz targets in `fuzz/` and the corpus replay test. **Not API**: hidden
//! from the docs, exempt from semver, and may change with any release.
//!
//! Each function takes arbitrary bytes and runs one wire-format decoder the way the driver runs
//! it. Errors the decoders return are expected outcomes; `Err(Violation)` means an invariant of
//! the decoder broke (the fuzz targets panic on it), and a panic inside a decoder is a bug.

/// A broken decoder invariant, described.
pub type Violation = String;

use bytes::Bytes;
use sqlx_core::decode::Decode;

use crate::CrateDb;
use crate::model::value::{CrateDbValueRef, ValueFormat};
use crate::protocol::http::response::{Event, RawRow, ResponseParser};
use crate::protocol::type_info::CrateDbTypeInfo;

/// Types the value decoders are tried with, picked by an input byte: every scalar code of the
/// type table (and one past it, an unknown type), as such or as an array or array of arrays.
fn type_for(selector: u8) -> CrateDbTypeInfo {
    /// CrateDB 6.4's scalar `col_types` codes (0 to 30, `regtype`) and one past them (31, an
    /// unknown type).
    const CODES: u8 = 32;
    let scalar = CrateDbTypeInfo::from_code(i64::from(selector % CODES));
    match selector / CODES {
        0..=3 => scalar,
        4..=6 => CrateDbTypeInfo::array_of(scalar),
        _ => CrateDbTypeInfo::array_of(CrateDbTypeInfo::array_of(scalar)),
    }
}

/// Runs every `Decode` impl on one value; results are ignored, panics are bugs.
fn decode_all(value: CrateDbValueRef<'_>) {
    let _ = <i64 as Decode<CrateDb>>::decode(value);
    let _ = <i32 as Decode<CrateDb>>::decode(value);
    let _ = <i8 as Decode<CrateDb>>::decode(value);
    let _ = <f64 as Decode<CrateDb>>::decode(value);
    let _ = <f32 as Decode<CrateDb>>::decode(value);
    let _ = <bool as Decode<CrateDb>>::decode(value);
    let _ = <String as Decode<CrateDb>>::decode(value);
    let _ = <&str as Decode<CrateDb>>::decode(value);
    let _ = <char as Decode<CrateDb>>::decode(value);
    let _ = <Vec<u8> as Decode<CrateDb>>::decode(value);
    let _ = <Vec<String> as Decode<CrateDb>>::decode(value);
    let _ = <Vec<Option<i64>> as Decode<CrateDb>>::decode(value);
    let _ = <Vec<Vec<f64>> as Decode<CrateDb>>::decode(value);
    let _ = <std::net::IpAddr as Decode<CrateDb>>::decode(value);
    let _ = <crate::types::CrateDbGeoPoint as Decode<CrateDb>>::decode(value);
    let _ = <crate::types::CrateDbGeoShape as Decode<CrateDb>>::decode(value);
    let _ = <crate::types::CrateDbInterval as Decode<CrateDb>>::decode(value);
    let _ = <crate::types::CrateDbBit as Decode<CrateDb>>::decode(value);
    let _ = <crate::types::CrateDbTimeTz as Decode<CrateDb>>::decode(value);
    #[cfg(feature = "json")]
    let _ = <sqlx_core::types::Json<serde_json::Value> as Decode<CrateDb>>::decode(value);
    #[cfg(feature = "chrono")]
    {
        let _ = <chrono::DateTime<chrono::Utc> as Decode<CrateDb>>::decode(value);
        let _ = <chrono::NaiveDateTime as Decode<CrateDb>>::decode(value);
        let _ = <chrono::NaiveDate as Decode<CrateDb>>::decode(value);
    }
    #[cfg(feature = "uuid")]
    let _ = <uuid::Uuid as Decode<CrateDb>>::decode(value);
    #[cfg(feature = "rust_decimal")]
    let _ = <rust_decimal::Decimal as Decode<CrateDb>>::decode(value);
}

/// The value decoders (`Decode` impls) on raw cell bytes: byte 0 picks the column type,
/// byte 1 the cell format (NULL, text, JSON), the rest is the value.
pub fn value(data: &[u8]) -> Result<(), Violation> {
    let [ty, format, raw @ ..] = data else {
        return Ok(());
    };
    let format = match format % 3 {
        0 => ValueFormat::Null,
        1 => ValueFormat::Text,
        _ => ValueFormat::Json,
    };
    let ty = type_for(*ty);
    decode_all(CrateDbValueRef::new(&ty, raw, format));
    Ok(())
}

/// A row as compared across runs: its bytes and its cells (start, end, kind).
type SeenRow = (Bytes, Vec<(usize, usize, u8)>);

/// What one run of the HTTP response parser produced.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    rows: Vec<SeenRow>,
    items: usize,
    ok: bool,
}

fn parse_http(body: &[u8], chunk: usize) -> Result<Outcome, Violation> {
    let mut p = ResponseParser::with_max_message_size(usize::MAX);
    let mut chunks = body.chunks(chunk.max(1));
    let mut out = Outcome {
        rows: Vec::new(),
        items: 0,
        ok: false,
    };
    // Each call consumes input, yields an event or waits for a chunk: a bound on the calls
    // catches a parser that spins.
    for _ in 0..=4 * body.len() + 16 {
        match p.next_event() {
            Ok(None) => match chunks.next() {
                Some(c) => p.feed(c),
                None => p.finish(),
            },
            Ok(Some(Event::Row(row))) => out.rows.push(cells(&row)?),
            Ok(Some(Event::BulkItem(_))) => out.items += 1,
            Ok(Some(Event::End)) => {
                out.ok = true;
                return Ok(out);
            }
            Err(_) => return Ok(out),
        }
    }
    Err("the response parser did not finish".into())
}

fn cells(row: &RawRow) -> Result<SeenRow, Violation> {
    let mut cells = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        let raw = row
            .data
            .get(cell.start()..cell.end())
            .ok_or("a cell lies outside its row")?;
        let ty = type_for(u8::try_from(i % 256).unwrap_or(0).wrapping_mul(37));
        decode_all(CrateDbValueRef::new(
            &ty,
            raw,
            ValueFormat::from(cell.kind()),
        ));
        cells.push((cell.start(), cell.end(), cell.kind() as u8));
    }
    Ok((row.data.clone(), cells))
}

/// The HTTP `/_sql` response parser: byte 0 picks a chunk size, the rest is the body. The
/// body fed in chunks must give the same rows and outcome as the body fed at once (the
/// scanner resumes where it stopped); every cell goes through the value decoders.
pub fn http_response(data: &[u8]) -> Result<(), Violation> {
    let [chunk, body @ ..] = data else {
        return Ok(());
    };
    let whole = parse_http(body, body.len())?;
    let chunked = parse_http(body, usize::from(*chunk % 64) + 1)?;
    if whole != chunked {
        return Err(format!(
            "chunking changed the outcome: {whole:?} vs {chunked:?}"
        ));
    }
    Ok(())
}

/// The pgwire backend message decoder as the socket runs it: the length check against a
/// 1 MiB `max_message_size`, `Message::parse`, and the decoding of each message's body
/// (row descriptions, data rows through the text conversions, errors, command tags).
pub fn pgwire_messages(data: &[u8]) -> Result<(), Violation> {
    use bytes::BytesMut;

    use crate::model::column::CrateDbColumn;
    use crate::protocol::pgwire::backend::Message;
    use crate::protocol::pgwire::{error, frame, tag, text};
    use fallible_iterator::FallibleIterator as _;

    let mut buf = BytesMut::from(data);
    let mut columns: Vec<CrateDbColumn> = Vec::new();
    let mut convs: Vec<text::Conv> = Vec::new();
    loop {
        if frame::check_header(&buf, 1 << 20).is_err() {
            return Ok(());
        }
        let before = buf.len();
        let Ok(Some(message)) = Message::parse(&mut buf) else {
            return Ok(());
        };
        if buf.len() >= before {
            return Err("a parsed message consumed nothing".into());
        }
        match message {
            Message::RowDescription(body) => {
                let mut fields = body.fields();
                columns.clear();
                while let Ok(Some(f)) = fields.next() {
                    let ty = CrateDbTypeInfo::from_pg_oid(f.type_oid());
                    columns.push(CrateDbColumn::new(columns.len(), f.name(), ty));
                }
                convs = columns
                    .iter()
                    .map(|c| text::conv_for(&c.type_info))
                    .collect();
            }
            Message::DataRow(body) => {
                let values = Bytes::copy_from_slice(body.buffer());
                let in_place = convs.iter().all(|c| text::in_place(*c));
                for place in [in_place, false] {
                    if let Ok((row, cells)) = text::build_row(&values, &columns, &convs, place) {
                        for (cell, column) in cells.iter().zip(&columns) {
                            let raw = row
                                .get(cell.start()..cell.end())
                                .ok_or("a cell lies outside its row")?;
                            let format = ValueFormat::from(cell.kind());
                            decode_all(CrateDbValueRef::new(&column.type_info, raw, format));
                        }
                    }
                }
            }
            Message::ErrorResponse(body) => {
                let _ = error::parse_fields(body.fields());
            }
            Message::NoticeResponse(body) => {
                let _ = error::parse_fields(body.fields());
            }
            Message::CommandComplete(body) => {
                if let Ok(t) = body.tag() {
                    let _ = tag::parse(t);
                }
            }
            Message::ParameterDescription(body) => {
                let mut params = body.parameters();
                while let Ok(Some(oid)) = params.next() {
                    let _ = CrateDbTypeInfo::from_pg_oid(oid);
                }
            }
            Message::ParameterStatus(body) => {
                let _ = (body.name(), body.value());
            }
            _ => {}
        }
    }
}

/// The pgwire text-format value conversions: byte 0 picks the column type, the rest is the
/// value's text as the server sends it.
pub fn pgwire_text(data: &[u8]) -> Result<(), Violation> {
    use crate::protocol::pgwire::text;
    let [ty, raw @ ..] = data else {
        return Ok(());
    };
    let ty = type_for(*ty);
    let mut out = Vec::new();
    if let Ok(kind) = text::convert(text::conv_for(&ty), &ty, raw, &mut out) {
        decode_all(CrateDbValueRef::new(&ty, &out, ValueFormat::from(kind)));
    }
    Ok(())
}
