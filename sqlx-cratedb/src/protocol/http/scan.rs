//! A small, allocation-free JSON scanner: finds where values end, splits rows into cells and
//! unescapes strings in place. It does not build values; decoding happens per cell by type.
//!
//! Every function takes the bytes seen so far and answers `Ok(None)` when the value is not
//! complete yet, so the response parser can wait for the next body chunk.

use crate::error::ProtocolError;

/// How a cell's bytes are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellKind {
    /// JSON `null`.
    Null,
    /// The content of a JSON string, already unescaped (no quotes).
    Text,
    /// The content of a JSON string that still has escapes (only during a scan).
    EscapedText,
    /// Raw JSON: a number, `true`/`false`, an array or an object.
    Json,
}

/// The cells of one row; inline up to 8 columns, so most rows need no allocation.
pub(crate) type Cells = sqlx_core::SmallVec<[Cell; 8]>;

/// One value of a row: a byte range in the row's buffer, 8 bytes (the kind lives in the top
/// two bits of `end`, so a row is limited to 1 GiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    start: u32,
    end_kind: u32,
}

const END_MASK: u32 = (1 << 30) - 1;

impl Cell {
    #[inline]
    pub(crate) fn new(start: usize, end: usize, kind: CellKind) -> Result<Self, ProtocolError> {
        // Checked without building an error value up front (`ok_or` would, once per cell).
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
            return Err(ProtocolError::RowTooLarge);
        };
        if end > END_MASK {
            return Err(ProtocolError::RowTooLarge);
        }
        let tag = match kind {
            CellKind::Null => 0,
            CellKind::Text => 1,
            CellKind::EscapedText => 2,
            CellKind::Json => 3,
        };
        Ok(Self {
            start,
            end_kind: end | (tag << 30),
        })
    }

    #[inline]
    pub(crate) fn start(self) -> usize {
        self.start as usize
    }

    #[inline]
    pub(crate) fn end(self) -> usize {
        (self.end_kind & END_MASK) as usize
    }

    #[inline]
    pub(crate) fn kind(self) -> CellKind {
        match self.end_kind >> 30 {
            0 => CellKind::Null,
            1 => CellKind::Text,
            2 => CellKind::EscapedText,
            _ => CellKind::Json,
        }
    }
}

fn malformed(offset: usize, reason: &'static str) -> ProtocolError {
    ProtocolError::Malformed { offset, reason }
}

#[inline]
pub(crate) fn skip_ws(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && matches!(buf[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// Scans a string whose opening quote is at `start`. Returns the index just past the closing
/// quote and whether the string contains escapes.
#[inline]
pub(crate) fn string_end(buf: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
    // Most values are short: look at the first bytes directly before calling memchr.
    let short_end = buf.len().min(i + 16);
    while i < short_end {
        match buf[i] {
            b'"' => return Some((i + 1, false)),
            b'\\' => break,
            _ => i += 1,
        }
    }
    loop {
        let rel = memchr::memchr2(b'"', b'\\', buf.get(i..)?)?;
        i += rel;
        if buf[i] == b'"' {
            return Some((i + 1, escaped));
        }
        escaped = true;
        // Skip the backslash and the escaped byte (`\uXXXX` digits never contain a quote).
        i += 2;
        if i > buf.len() {
            return None;
        }
    }
}

/// The end of a scalar (number or literal) starting at `start`. At the end of the buffer the
/// scalar is complete only when `eof` is set.
#[inline]
fn scalar_end(buf: &[u8], start: usize, eof: bool) -> Option<usize> {
    let mut i = start;
    while i < buf.len() {
        if matches!(buf[i], b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
            return Some(i);
        }
        i += 1;
    }
    eof.then_some(i)
}

/// The end (exclusive) of the JSON value that starts at `start` (no leading whitespace).
pub(crate) fn value_end(
    buf: &[u8],
    start: usize,
    eof: bool,
) -> Result<Option<usize>, ProtocolError> {
    let Some(&first) = buf.get(start) else {
        return Ok(None);
    };
    match first {
        b'"' => Ok(string_end(buf, start).map(|(end, _)| end)),
        b'[' | b'{' => Ok(nested_end(buf, start)),
        b']' | b'}' | b',' | b':' => Err(malformed(start, "expected a value")),
        _ => Ok(scalar_end(buf, start, eof)),
    }
}

/// The end of an array or object starting at `start`, tracking depth outside strings.
fn nested_end(buf: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < buf.len() {
        match buf[i] {
            b'"' => {
                i = string_end(buf, i)?.0;
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Scans the array at `start` (which must be `[`) and pushes one [`Cell`] per element, with
/// offsets relative to `start`. Returns the end of the array, or `None` if incomplete.
pub(crate) fn scan_row(
    buf: &[u8],
    start: usize,
    cells: &mut Cells,
) -> Result<Option<usize>, ProtocolError> {
    if buf.get(start) != Some(&b'[') {
        return Err(malformed(start, "expected a row array"));
    }
    cells.clear();
    let mut i = skip_ws(buf, start + 1);
    match buf.get(i) {
        None => return Ok(None),
        Some(b']') => return Ok(Some(i + 1)),
        Some(_) => {}
    }
    loop {
        let Some(&b) = buf.get(i) else {
            return Ok(None);
        };
        let (cell_start, cell_end, kind, next) = match b {
            b'"' => {
                let Some((end, escaped)) = string_end(buf, i) else {
                    return Ok(None);
                };
                let kind = if escaped {
                    CellKind::EscapedText
                } else {
                    CellKind::Text
                };
                (i + 1, end - 1, kind, end)
            }
            b'[' | b'{' => {
                let Some(end) = nested_end(buf, i) else {
                    return Ok(None);
                };
                (i, end, CellKind::Json, end)
            }
            b',' | b']' | b'}' | b':' => return Err(malformed(i, "expected a value in a row")),
            _ => {
                let Some(end) = scalar_end(buf, i, false) else {
                    return Ok(None);
                };
                let kind = if &buf[i..end] == b"null" {
                    CellKind::Null
                } else {
                    CellKind::Json
                };
                (i, end, kind, end)
            }
        };
        cells.push(Cell::new(cell_start - start, cell_end - start, kind)?);
        i = skip_ws(buf, next);
        match buf.get(i) {
            None => return Ok(None),
            Some(b',') => i = skip_ws(buf, i + 1),
            Some(b']') => return Ok(Some(i + 1)),
            Some(_) => return Err(malformed(i, "expected `,` or `]` in a row")),
        }
    }
}

/// Splits a complete JSON array into the byte ranges of its elements (no surrounding space).
pub(crate) fn split_array(raw: &[u8]) -> Result<Vec<(usize, usize)>, ProtocolError> {
    let mut out = Vec::new();
    let mut i = skip_ws(raw, 0);
    if raw.get(i) != Some(&b'[') {
        return Err(malformed(i, "expected an array"));
    }
    i = skip_ws(raw, i + 1);
    if raw.get(i) == Some(&b']') {
        return Ok(out);
    }
    loop {
        let end = value_end(raw, i, true)?.ok_or(ProtocolError::Truncated)?;
        out.push((i, end));
        i = skip_ws(raw, end);
        match raw.get(i) {
            Some(b',') => i = skip_ws(raw, i + 1),
            Some(b']') => return Ok(out),
            None => return Err(ProtocolError::Truncated),
            Some(_) => return Err(malformed(i, "expected `,` or `]` in an array")),
        }
    }
}

fn hex4(buf: &[u8], at: usize) -> Result<u32, ProtocolError> {
    let digits = buf
        .get(at..at + 4)
        .ok_or(malformed(at, "short \\u escape"))?;
    let mut v = 0u32;
    for &d in digits {
        let n = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return Err(malformed(at, "bad hex digit in \\u escape")),
        };
        v = (v << 4) | u32::from(n);
    }
    Ok(v)
}

/// Unescapes the string content `buf[start..end]` in place (the result is never longer) and
/// returns the new end.
pub(crate) fn unescape_in_place(
    buf: &mut [u8],
    start: usize,
    end: usize,
) -> Result<usize, ProtocolError> {
    let mut r = start;
    let mut w = start;
    while r < end {
        let b = buf[r];
        if b != b'\\' {
            buf[w] = b;
            r += 1;
            w += 1;
            continue;
        }
        let esc = *buf.get(r + 1).ok_or(malformed(r, "dangling escape"))?;
        r += 2;
        let simple = match esc {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            _ => return Err(malformed(r, "unknown escape")),
        };
        if let Some(c) = simple {
            buf[w] = c;
            w += 1;
            continue;
        }
        let mut code = hex4(buf, r)?;
        r += 4;
        if (0xD800..0xDC00).contains(&code) {
            if buf.get(r) == Some(&b'\\') && buf.get(r + 1) == Some(&b'u') {
                let low = hex4(buf, r + 2)?;
                if (0xDC00..0xE000).contains(&low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    r += 6;
                } else {
                    return Err(malformed(r, "unpaired surrogate"));
                }
            } else {
                return Err(malformed(r, "unpaired surrogate"));
            }
        }
        let ch = char::from_u32(code).ok_or(malformed(r, "invalid code point"))?;
        let mut tmp = [0u8; 4];
        let s = ch.encode_utf8(&mut tmp);
        buf[w..w + s.len()].copy_from_slice(s.as_bytes());
        w += s.len();
    }
    Ok(w)
}

/// Unescapes a JSON string *with* quotes into an owned `String`.
pub(crate) fn unescape_quoted(raw: &[u8]) -> Result<String, ProtocolError> {
    if raw.len() < 2 || raw[0] != b'"' || raw[raw.len() - 1] != b'"' {
        return Err(malformed(0, "expected a string"));
    }
    let mut bytes = raw[1..raw.len() - 1].to_vec();
    let len = bytes.len();
    let end = unescape_in_place(&mut bytes, 0, len)?;
    bytes.truncate(end);
    String::from_utf8(bytes).map_err(|_| malformed(0, "invalid UTF-8 in string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_row_splits_cells_of_every_shape() {
        let row = br#"[1, "a\"b", null, [1,[2]], {"k":"]"}, -2.5e3, true]"#;
        let mut cells = Cells::new();
        let end = scan_row(row, 0, &mut cells).unwrap().unwrap();
        assert_eq!(end, row.len());
        let texts: Vec<_> = cells
            .iter()
            .map(|c| std::str::from_utf8(&row[c.start()..c.end()]).unwrap())
            .collect();
        assert_eq!(
            texts,
            [
                "1",
                r#"a\"b"#,
                "null",
                "[1,[2]]",
                r#"{"k":"]"}"#,
                "-2.5e3",
                "true"
            ]
        );
        assert_eq!(cells[1].kind(), CellKind::EscapedText);
        assert_eq!(cells[2].kind(), CellKind::Null);
    }

    #[test]
    fn incomplete_rows_ask_for_more() {
        let mut cells = Cells::new();
        for cut in 1..14 {
            let row = &br#"[1,"ab",[2,3]]"#[..cut];
            assert_eq!(scan_row(row, 0, &mut cells).unwrap(), None, "cut {cut}");
        }
        assert!(scan_row(b"[1 2]", 0, &mut cells).is_err());
    }

    #[test]
    fn unescape_handles_surrogates_and_shrinks() {
        let mut s = br#"a\n\u00e9\ud83d\ude00\"z"#.to_vec();
        let len = s.len();
        let end = unescape_in_place(&mut s, 0, len).unwrap();
        assert_eq!(std::str::from_utf8(&s[..end]).unwrap(), "a\né😀\"z");
        assert!(unescape_quoted(br#""\ud83d""#).is_err());
    }

    #[test]
    fn split_array_and_value_end() {
        let parts = split_array(br#" [ 1 , "x,y" , [3] ] "#).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(value_end(b"123", 0, false).unwrap(), None);
        assert_eq!(value_end(b"123", 0, true).unwrap(), Some(3));
        assert_eq!(value_end(br#"{"a":[1]}x"#, 0, false).unwrap(), Some(9));
    }
}
