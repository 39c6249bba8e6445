//! Reading a text file record by record: a record is a line, or for CSV several lines while a
//! quoted field spans them. Blank lines are skipped; line numbers count every line from 1.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::ops::Range;
use std::path::Path;

use crate::error::Error;

/// The most lines one CSV record may span: a stray quote makes the rest of the file one
/// record, so a record that is still open after this many lines is cut there (and fails to
/// parse, naming its first line).
const MAX_RECORD_LINES: u64 = 1000;

/// Where a record is: its first line and its bytes in the caller's buffer.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub(crate) line: u64,
    pub(crate) bytes: Range<usize>,
}

/// Records of a text file, with the bytes consumed so far.
#[derive(Debug)]
pub(crate) struct Records {
    reader: BufReader<File>,
    path: std::path::PathBuf,
    line: u64,
    position: u64,
    quoted_fields: bool,
}

impl Records {
    /// Opens `path`; `quoted_fields` lets a double-quoted field span lines (CSV).
    pub(crate) fn open(path: &Path, quoted_fields: bool) -> Result<Self, Error> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(Self {
            reader: BufReader::with_capacity(1 << 20, file),
            path: path.to_owned(),
            line: 0,
            position: 0,
            quoted_fields,
        })
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The bytes read so far.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// Appends the next record to `buf`, ending with a newline, and returns where it is;
    /// `None` at the end of the file.
    pub(crate) fn next_into(&mut self, buf: &mut Vec<u8>) -> Result<Option<Span>, Error> {
        loop {
            let start = buf.len();
            let Some(first) = self.read_line(buf)? else {
                return Ok(None);
            };
            if buf[start..].iter().all(u8::is_ascii_whitespace) {
                buf.truncate(start);
                continue;
            }
            if self.quoted_fields {
                let mut open = quotes(&buf[start..]) % 2 == 1;
                while open && self.line - first + 1 < MAX_RECORD_LINES {
                    let from = buf.len();
                    if self.read_line(buf)?.is_none() {
                        break;
                    }
                    open ^= quotes(&buf[from..]) % 2 == 1;
                }
            }
            if buf.last() != Some(&b'\n') {
                buf.push(b'\n');
            }
            return Ok(Some(Span {
                line: first,
                bytes: start..buf.len(),
            }));
        }
    }

    /// Appends one line (with its newline, if any) and returns its number.
    fn read_line(&mut self, buf: &mut Vec<u8>) -> Result<Option<u64>, Error> {
        let n = self
            .reader
            .read_until(b'\n', buf)
            .map_err(|e| Error::io(&self.path, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        self.position += n as u64;
        Ok(Some(self.line))
    }
}

fn quotes(line: &[u8]) -> usize {
    memchr::memchr_iter(b'"', line).count()
}
