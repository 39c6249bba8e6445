//! A small, allocation-free JSON scanner: finds where values end, splits rows into cells and
//! unescapes strings in place. It does not build values; decoding happens per cell by type.
//!
//! Every function takes the bytes seen so far and answers `Ok(None)` when the value is not
//! complete yet, so the response parser can wait for the next body chunk.

use crate::protocol::ProtocolError;

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

/// The deepest nesting of arrays and objects the scanner accepts in one value. `serde_json`,
/// which decodes `OBJECT` and `ARRAY` cells later, stops at 128 levels itself, so a deeper
/// value could not be read anyway; refusing it here keeps the error typed and early.
pub(crate) const MAX_JSON_DEPTH: u32 = 128;

#[cfg(test)]
thread_local! {
    /// Bytes examined by the scanners on this thread (tests check that work is linear).
    pub(crate) static EXAMINED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` examined bytes (tests only; nothing in other builds).
#[inline]
#[allow(unused_variables)]
fn tally(n: usize) {
    #[cfg(test)]
    EXAMINED.with(|c| c.set(c.get() + n as u64));
}

#[inline]
pub(crate) fn skip_ws(buf: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < buf.len() && matches!(buf[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    tally(i - start);
    i
}

/// How far the scan of a value that is not complete yet got, so that the next call, with
/// more bytes, goes on from there instead of starting over: every byte of a body is examined
/// once, however it is chunked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Resume {
    /// The next byte to examine.
    pos: usize,
    /// Open arrays and objects.
    depth: u32,
    /// Inside a string.
    in_string: bool,
    /// A string seen so far contained an escape.
    escaped: bool,
}

impl Resume {
    /// A scan of the value that starts at `start`.
    pub(crate) fn at(start: usize) -> Self {
        Self {
            pos: start,
            ..Self::default()
        }
    }
}

/// Goes on with a string, array or object from where `r` stopped. Strings are skipped with
/// `memchr`; brackets are counted outside strings (at most [`MAX_JSON_DEPTH`] open).
fn compound_end(buf: &[u8], r: &mut Resume) -> Result<Option<usize>, ProtocolError> {
    let from = r.pos;
    let mut i = r.pos;
    loop {
        if r.in_string {
            // Most strings are short: look at the first bytes directly before calling memchr.
            let short_end = buf.len().min(i + 16);
            let mut found = None;
            while i < short_end {
                if matches!(buf[i], b'"' | b'\\') {
                    found = Some(i);
                    break;
                }
                i += 1;
            }
            let j = if let Some(j) = found {
                j
            } else if let Some(rel) = buf
                .get(i..)
                .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
            {
                i + rel
            } else {
                r.pos = buf.len();
                tally(r.pos - from);
                return Ok(None);
            };
            if buf[j] == b'"' {
                r.in_string = false;
                i = j + 1;
                if r.depth == 0 {
                    tally(i - from);
                    return Ok(Some(i));
                }
                continue;
            }
            // A backslash: skip it and the escaped byte (`\uXXXX` digits never contain a
            // quote). At the end of the buffer, stop on the backslash to read it again.
            if j + 1 >= buf.len() {
                r.pos = j;
                tally(j - from);
                return Ok(None);
            }
            r.escaped = true;
            i = j + 2;
            continue;
        }
        let Some(&b) = buf.get(i) else {
            r.pos = i;
            tally(i - from);
            return Ok(None);
        };
        i += 1;
        match b {
            b'"' => r.in_string = true,
            b'[' | b'{' => {
                r.depth += 1;
                if r.depth > MAX_JSON_DEPTH {
                    return Err(ProtocolError::TooDeep {
                        limit: MAX_JSON_DEPTH,
                    });
                }
            }
            b']' | b'}' => {
                r.depth = r.depth.saturating_sub(1);
                if r.depth == 0 {
                    tally(i - from);
                    return Ok(Some(i));
                }
            }
            _ => {}
        }
    }
}

/// The end of a scalar (number or literal) whose scan is at `r`. At the end of the buffer the
/// scalar is complete only when `eof` is set.
#[inline]
fn scalar_end(buf: &[u8], r: &mut Resume, eof: bool) -> Option<usize> {
    let from = r.pos;
    let mut i = r.pos;
    while i < buf.len() {
        if matches!(buf[i], b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
            tally(i - from);
            return Some(i);
        }
        i += 1;
    }
    r.pos = i;
    tally(i - from);
    eof.then_some(i)
}

/// The end (exclusive) of the JSON value that starts at `start` (no leading whitespace).
pub(crate) fn value_end(
    buf: &[u8],
    start: usize,
    eof: bool,
) -> Result<Option<usize>, ProtocolError> {
    value_end_from(buf, start, eof, &mut Resume::at(start))
}

/// [`value_end`] that goes on from where an earlier call with the same `r` stopped. `r` must
/// be `Resume::at(start)` for the first call; it is left as it is once the value is complete.
pub(crate) fn value_end_from(
    buf: &[u8],
    start: usize,
    eof: bool,
    r: &mut Resume,
) -> Result<Option<usize>, ProtocolError> {
    let Some(&first) = buf.get(start) else {
        return Ok(None);
    };
    match first {
        b'"' | b'[' | b'{' => compound_end(buf, r),
        b']' | b'}' | b',' | b':' => Err(malformed(start, "expected a value")),
        _ => Ok(scalar_end(buf, r, eof)),
    }
}

/// Where [`scan_row`] is in a row that is not complete yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RowScan {
    stage: RowStage,
    /// The next byte to examine, relative to the row's `[`.
    pos: usize,
    /// Inside a value: where it starts and how far its scan got.
    value: Option<(usize, Resume)>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum RowStage {
    /// Before the `[`.
    #[default]
    Open,
    /// After the `[`: the first value or `]`.
    First,
    /// After a `,`: a value.
    Value,
    /// After a value: `,` or `]`.
    After,
}

/// Scans the row array at the start of `buf` (which must be `[`) and pushes one [`Cell`] per
/// element. Returns the end of the array, or `None` if incomplete; the next call, with the
/// same `state` and more bytes, goes on where this one stopped. `state` is reset when the row
/// is complete.
pub(crate) fn scan_row(
    buf: &[u8],
    cells: &mut Cells,
    state: &mut RowScan,
) -> Result<Option<usize>, ProtocolError> {
    loop {
        match state.stage {
            RowStage::Open => {
                match buf.first() {
                    None => return Ok(None),
                    Some(b'[') => {}
                    Some(_) => return Err(malformed(0, "expected a row array")),
                }
                cells.clear();
                state.pos = 1;
                state.stage = RowStage::First;
            }
            RowStage::First | RowStage::After => {
                state.pos = skip_ws(buf, state.pos);
                let Some(&b) = buf.get(state.pos) else {
                    return Ok(None);
                };
                match b {
                    b']' => {
                        let end = state.pos + 1;
                        *state = RowScan::default();
                        return Ok(Some(end));
                    }
                    b',' if state.stage == RowStage::After => {
                        state.pos += 1;
                        state.stage = RowStage::Value;
                    }
                    _ if state.stage == RowStage::First => state.stage = RowStage::Value,
                    _ => return Err(malformed(state.pos, "expected `,` or `]` in a row")),
                }
            }
            RowStage::Value => {
                let (start, mut r) = state.value.unwrap_or_else(|| {
                    let start = skip_ws(buf, state.pos);
                    state.pos = start;
                    (start, Resume::at(start))
                });
                let Some(&b) = buf.get(start) else {
                    return Ok(None);
                };
                let end = match b {
                    b',' | b']' | b'}' | b':' => {
                        return Err(malformed(start, "expected a value in a row"));
                    }
                    b'"' | b'[' | b'{' => compound_end(buf, &mut r)?,
                    _ => scalar_end(buf, &mut r, false),
                };
                let Some(end) = end else {
                    state.value = Some((start, r));
                    return Ok(None);
                };
                let cell = match b {
                    b'"' if r.escaped => Cell::new(start + 1, end - 1, CellKind::EscapedText)?,
                    b'"' => Cell::new(start + 1, end - 1, CellKind::Text)?,
                    b'[' | b'{' => Cell::new(start, end, CellKind::Json)?,
                    _ if &buf[start..end] == b"null" => Cell::new(start, end, CellKind::Null)?,
                    _ => Cell::new(start, end, CellKind::Json)?,
                };
                cells.push(cell);
                state.value = None;
                state.pos = end;
                state.stage = RowStage::After;
            }
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
        let end = scan_row(row, &mut cells, &mut RowScan::default())
            .unwrap()
            .unwrap();
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
            assert_eq!(
                scan_row(row, &mut cells, &mut RowScan::default()).unwrap(),
                None,
                "cut {cut}"
            );
        }
        assert!(scan_row(b"[1 2]", &mut cells, &mut RowScan::default()).is_err());
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
