//! Incremental reader of `/_sql` response bodies.
//!
//! The body is fed chunk by chunk. Rows are cut out of the buffer one at a time as soon as they
//! are complete ([`Event::Row`]), so a result set is never held in memory as a whole and no
//! `serde_json::Value` is built per row. Header fields (`cols`, `col_types`, `rowcount`,
//! `error`, bulk `results`) are small and are parsed with serde when complete.

use bytes::{Buf, Bytes, BytesMut};
use serde::Deserialize;

use crate::protocol::ProtocolError;
use crate::protocol::json::{self, Cell, CellKind, Cells, Resume, RowScan};
use crate::protocol::type_info::CrateDbTypeInfo;

/// The `error` object of a CrateDB error body or of a failed bulk item.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    pub(crate) message: String,
    pub(crate) code: Option<i64>,
}

/// One entry of a bulk response's `results`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(crate) struct BulkItem {
    pub(crate) rowcount: i64,
    #[serde(default)]
    pub(crate) error: Option<ErrorBody>,
}

/// A complete row, cut from the body: its bytes and the cells in them.
#[derive(Debug)]
pub(crate) struct RawRow {
    pub(crate) data: Bytes,
    pub(crate) cells: Cells,
}

/// What the parser found next.
#[derive(Debug)]
pub(crate) enum Event {
    /// A row of the result set.
    Row(RawRow),
    /// One bulk item.
    BulkItem(BulkItem),
    /// The whole body has been read.
    End,
}

/// What one step of the state machine did.
enum Step {
    Continue,
    Yield(Option<Event>),
}

fn malformed(reason: &'static str) -> ProtocolError {
    ProtocolError::Malformed { offset: 0, reason }
}

use crate::protocol::DEFAULT_MAX_MESSAGE_SIZE;

/// The top-level keys the parser reads; others are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Cols,
    ColTypes,
    Rowcount,
    Duration,
    Error,
    ErrorTrace,
    Rows,
    Results,
    Other,
}

impl Key {
    /// The key of a complete JSON key string (with its quotes).
    fn from_quoted(raw: &[u8]) -> Self {
        match raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default() {
            b"cols" => Self::Cols,
            b"col_types" => Self::ColTypes,
            b"rowcount" => Self::Rowcount,
            b"duration" => Self::Duration,
            b"error" => Self::Error,
            b"error_trace" => Self::ErrorTrace,
            b"rows" => Self::Rows,
            b"results" => Self::Results,
            _ => Self::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// After `{`: `}` or the first key.
    FirstKey,
    Key,
    Colon(Key),
    Value(Key),
    AfterValue,
    RowsFirst,
    Rows,
    ResultsFirst,
    Results,
    Trailer,
    Done,
}

/// The parser. Feed chunks with [`ResponseParser::feed`], pull events with
/// [`ResponseParser::next_event`].
#[derive(Debug)]
pub(crate) struct ResponseParser {
    buf: BytesMut,
    eof: bool,
    state: State,
    cells: Cells,
    /// Progress through the key, header value or bulk item at the front of `buf`.
    resume: Resume,
    /// Progress through the row at the front of `buf`.
    row: RowScan,
    /// The most bytes buffered while waiting for the rest of one element.
    max_message_size: usize,
    /// Column names, once `cols` was read.
    pub(crate) cols: Option<Vec<String>>,
    /// Column types, once `col_types` was read.
    pub(crate) col_types: Option<Vec<CrateDbTypeInfo>>,
    /// `rowcount`, once read.
    pub(crate) rowcount: Option<i64>,
    /// `duration` in milliseconds, once read.
    pub(crate) duration: Option<f64>,
    /// The `error` object of an error body.
    pub(crate) error: Option<ErrorBody>,
    /// The `error_trace` of an error body.
    pub(crate) error_trace: Option<String>,
    /// True once a `rows` key was seen.
    pub(crate) saw_rows: bool,
    /// True once a `results` key was seen (bulk response).
    pub(crate) saw_results: bool,
}

impl Default for ResponseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseParser {
    /// A parser with the default [`DEFAULT_MAX_MESSAGE_SIZE`].
    pub(crate) fn new() -> Self {
        Self::with_max_message_size(DEFAULT_MAX_MESSAGE_SIZE)
    }

    /// A parser that fails with [`ProtocolError::MessageTooLarge`] rather than buffer more
    /// than `max` bytes (plus one chunk) of a row, header value or bulk item.
    pub(crate) fn with_max_message_size(max: usize) -> Self {
        Self {
            buf: BytesMut::with_capacity(16 * 1024),
            eof: false,
            state: State::Start,
            cells: Cells::new(),
            resume: Resume::default(),
            row: RowScan::default(),
            max_message_size: max,
            cols: None,
            col_types: None,
            rowcount: None,
            duration: None,
            error: None,
            error_trace: None,
            saw_rows: false,
            saw_results: false,
        }
    }

    /// Appends a body chunk.
    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// Marks the end of the body.
    pub(crate) fn finish(&mut self) {
        self.eof = true;
    }

    /// True when the body has been read completely.
    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    #[inline]
    fn ws(&mut self) -> Option<u8> {
        let i = json::skip_ws(&self.buf, 0);
        if i > 0 {
            self.buf.advance(i);
        }
        self.buf.first().copied()
    }

    fn need_more(&self) -> Result<Option<Event>, ProtocolError> {
        if self.eof {
            Err(ProtocolError::Truncated)
        } else if self.buf.len() > self.max_message_size {
            Err(ProtocolError::MessageTooLarge {
                size: self.buf.len() as u64,
                limit: self.max_message_size,
            })
        } else {
            Ok(None)
        }
    }

    /// The next event, `Ok(None)` if more body is needed first.
    pub(crate) fn next_event(&mut self) -> Result<Option<Event>, ProtocolError> {
        loop {
            let step = match self.state {
                State::Done => return Ok(Some(Event::End)),
                State::Start => self.step_start()?,
                State::FirstKey => match self.ws() {
                    // `{` and `}` may arrive in different chunks, whitespace between them.
                    Some(b'}') => {
                        self.buf.advance(1);
                        self.state = State::Trailer;
                        Step::Continue
                    }
                    Some(_) => {
                        self.state = State::Key;
                        Step::Continue
                    }
                    None => self.wait()?,
                },
                State::Key => self.step_key()?,
                State::Colon(key) => self.step_colon(key)?,
                State::Value(key) => self.step_value(key)?,
                State::AfterValue => self.step_after_value()?,
                State::Trailer => self.step_trailer()?,
                State::RowsFirst | State::ResultsFirst | State::Rows | State::Results => {
                    self.step_array()?
                }
            };
            if let Step::Yield(event) = step {
                return Ok(event);
            }
        }
    }

    fn wait(&self) -> Result<Step, ProtocolError> {
        self.need_more().map(Step::Yield)
    }

    fn step_start(&mut self) -> Result<Step, ProtocolError> {
        match self.ws() {
            None => self.wait(),
            Some(b'{') => {
                self.buf.advance(1);
                self.state = State::FirstKey;
                Ok(Step::Continue)
            }
            Some(_) => Err(malformed("expected a JSON object")),
        }
    }

    fn step_key(&mut self) -> Result<Step, ProtocolError> {
        match self.ws() {
            None => return self.wait(),
            Some(b'"') => {}
            Some(_) => return Err(malformed("expected a key")),
        }
        let Some(end) = json::value_end_from(&self.buf, 0, self.eof, &mut self.resume)? else {
            return self.wait();
        };
        self.resume = Resume::default();
        let key = Key::from_quoted(&self.buf[..end]);
        self.buf.advance(end);
        self.state = State::Colon(key);
        Ok(Step::Continue)
    }

    fn step_colon(&mut self, key: Key) -> Result<Step, ProtocolError> {
        match self.ws() {
            None => self.wait(),
            Some(b':') => {
                self.buf.advance(1);
                self.state = State::Value(key);
                Ok(Step::Continue)
            }
            Some(_) => Err(malformed("expected `:`")),
        }
    }

    fn step_value(&mut self, key: Key) -> Result<Step, ProtocolError> {
        let Some(first) = self.ws() else {
            return self.wait();
        };
        if matches!(key, Key::Rows | Key::Results) {
            if first != b'[' {
                return Err(malformed("expected an array"));
            }
            self.buf.advance(1);
            if key == Key::Rows {
                self.saw_rows = true;
                self.state = State::RowsFirst;
            } else {
                self.saw_results = true;
                self.state = State::ResultsFirst;
            }
            return Ok(Step::Continue);
        }
        let Some(end) = json::value_end_from(&self.buf, 0, self.eof, &mut self.resume)? else {
            return self.wait();
        };
        self.resume = Resume::default();
        let taken = self.buf.split_to(end);
        self.header_value(key, &taken)?;
        self.state = State::AfterValue;
        Ok(Step::Continue)
    }

    fn step_after_value(&mut self) -> Result<Step, ProtocolError> {
        match self.ws() {
            None => self.wait(),
            Some(b',') => {
                self.buf.advance(1);
                self.state = State::Key;
                Ok(Step::Continue)
            }
            Some(b'}') => {
                self.buf.advance(1);
                self.state = State::Trailer;
                Ok(Step::Continue)
            }
            Some(_) => Err(malformed("expected `,` or `}`")),
        }
    }

    fn step_trailer(&mut self) -> Result<Step, ProtocolError> {
        if self.ws().is_some() {
            return Err(malformed("data after the end of the response"));
        }
        if !self.eof {
            // Wait for the end of the body to make sure nothing follows.
            return Ok(Step::Yield(None));
        }
        self.state = State::Done;
        Ok(Step::Continue)
    }

    fn step_array(&mut self) -> Result<Step, ProtocolError> {
        let rows = matches!(self.state, State::RowsFirst | State::Rows);
        let first = matches!(self.state, State::RowsFirst | State::ResultsFirst);
        let Some(b) = self.ws() else {
            return self.wait();
        };
        if b == b']' {
            self.buf.advance(1);
            self.state = State::AfterValue;
            return Ok(Step::Continue);
        }
        if !first {
            if b != b',' {
                return Err(malformed("expected `,` or `]` between rows"));
            }
            self.buf.advance(1);
            self.state = if rows {
                State::RowsFirst
            } else {
                State::ResultsFirst
            };
            return Ok(Step::Continue);
        }
        if rows {
            let Some(end) = json::scan_row(&self.buf, &mut self.cells, &mut self.row)? else {
                return self.wait();
            };
            self.state = State::Rows;
            return Ok(Step::Yield(Some(Event::Row(self.take_row(end)?))));
        }
        let Some(end) = json::value_end_from(&self.buf, 0, self.eof, &mut self.resume)? else {
            return self.wait();
        };
        self.resume = Resume::default();
        let item: BulkItem = serde_json::from_slice(&self.buf[..end]).map_err(|source| {
            ProtocolError::InvalidField {
                key: "results",
                source,
            }
        })?;
        self.buf.advance(end);
        self.state = State::Results;
        Ok(Step::Yield(Some(Event::BulkItem(item))))
    }

    fn take_row(&mut self, end: usize) -> Result<RawRow, ProtocolError> {
        let mut data = self.buf.split_to(end);
        let mut cells = std::mem::take(&mut self.cells);
        for cell in &mut cells {
            if cell.kind() == CellKind::EscapedText {
                let new_end = json::unescape_in_place(&mut data, cell.start(), cell.end())?;
                *cell = Cell::new(cell.start(), new_end, CellKind::Text)?;
            }
        }
        Ok(RawRow {
            data: data.freeze(),
            cells,
        })
    }

    fn header_value(&mut self, key: Key, value: &[u8]) -> Result<(), ProtocolError> {
        let field = |key: &'static str| move |source| ProtocolError::InvalidField { key, source };
        match key {
            Key::Cols => self.cols = Some(serde_json::from_slice(value).map_err(field("cols"))?),
            Key::ColTypes => {
                let raw: Vec<serde_json::Value> =
                    serde_json::from_slice(value).map_err(field("col_types"))?;
                let mut types = Vec::with_capacity(raw.len());
                for (i, v) in raw.iter().enumerate() {
                    types.push(
                        CrateDbTypeInfo::from_json(v).ok_or(ProtocolError::InvalidColType(i))?,
                    );
                }
                self.col_types = Some(types);
            }
            Key::Rowcount => {
                self.rowcount = Some(serde_json::from_slice(value).map_err(field("rowcount"))?);
            }
            Key::Duration => {
                self.duration = Some(serde_json::from_slice(value).map_err(field("duration"))?);
            }
            Key::Error => self.error = Some(serde_json::from_slice(value).map_err(field("error"))?),
            Key::ErrorTrace => {
                self.error_trace = serde_json::from_slice(value).map_err(field("error_trace"))?;
            }
            // Unknown keys (newer servers) are skipped; `rows` and `results` are streamed.
            Key::Other | Key::Rows | Key::Results => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
