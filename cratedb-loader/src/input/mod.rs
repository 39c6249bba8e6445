//! Input files as chunks of record batches: CSV and JSON lines parsed a chunk of lines at a
//! time (a chunk that fails is parsed again line by line, so that only the bad lines fail),
//! Parquet a batch at a time.

mod csv;
mod json;
mod lines;
mod parquet;

use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use crate::cli::Format;
use crate::error::Error;
use lines::{Records, Span};

/// A source row that could not be parsed.
#[derive(Debug, Clone)]
pub(crate) struct BadRow {
    /// Its line (text) or row (Parquet), from 1.
    pub(crate) line: u64,
    /// The column whose value failed, when the parser says.
    pub(crate) column: Option<String>,
    /// What is wrong.
    pub(crate) reason: String,
    /// The row's text.
    pub(crate) text: String,
}

/// What a source read next.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// The rows that parsed.
    pub(crate) batch: Option<RecordBatch>,
    /// For each row of `batch`: its line (text) or row (Parquet), from 1.
    pub(crate) lines: Vec<u64>,
    /// The rows that did not parse.
    pub(crate) bad: Vec<BadRow>,
    /// The bytes of the file consumed so far.
    pub(crate) position: u64,
}

/// An open input file.
pub(crate) trait Source: Send {
    /// The columns of its batches.
    fn schema(&self) -> SchemaRef;
    /// The next chunk; `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<Chunk>, Error>;
    /// What its positions count: `line` or `row`.
    fn unit(&self) -> &'static str;
}

/// How an input is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadSettings {
    /// Rows per chunk.
    pub(crate) chunk_rows: usize,
    /// Rows read to infer a text file's column types.
    pub(crate) infer_rows: usize,
}

/// Opens `path` as `format`, inferring the column types of a text file.
pub(crate) fn open(
    path: &Path,
    format: Format,
    settings: ReadSettings,
) -> Result<Box<dyn Source>, Error> {
    Ok(match format {
        Format::Csv => Box::new(csv::open(path, settings)?),
        Format::Json => Box::new(json::open(path, settings)?),
        Format::Parquet => Box::new(parquet::ParquetSource::open(path, settings)?),
    })
}

/// Parses whole records of one text format.
pub(crate) trait Parser: Send {
    /// Parses `bytes`, holding `rows` records, into one batch.
    fn parse(&self, bytes: &[u8], rows: usize) -> Result<RecordBatch, ArrowError>;
    /// The column and a reason for a parse error.
    fn describe(&self, error: &ArrowError) -> (Option<String>, String);
}

/// A text file read in chunks of records.
pub(crate) struct TextSource<P> {
    records: Records,
    parser: P,
    schema: SchemaRef,
    chunk_rows: usize,
    buf: Vec<u8>,
    spans: Vec<Span>,
}

impl<P: Parser> TextSource<P> {
    fn new(records: Records, parser: P, schema: SchemaRef, chunk_rows: usize) -> Self {
        Self {
            records,
            parser,
            schema,
            chunk_rows: chunk_rows.max(1),
            buf: Vec::new(),
            spans: Vec::new(),
        }
    }

    /// Parses each record of the buffer alone.
    fn parse_one_by_one(&self) -> Result<Chunk, Error> {
        let mut good = Vec::new();
        let mut lines = Vec::new();
        let mut bad = Vec::new();
        for span in &self.spans {
            let bytes = &self.buf[span.bytes.clone()];
            let failure = match self.parser.parse(bytes, 1) {
                Ok(batch) if batch.num_rows() == 1 => {
                    good.push(batch);
                    lines.push(span.line);
                    continue;
                }
                Ok(batch) => (
                    None,
                    format!("expected one record, found {}", batch.num_rows()),
                ),
                Err(e) => self.parser.describe(&e),
            };
            let text = String::from_utf8_lossy(bytes).trim_end().to_owned();
            bad.push(BadRow {
                line: span.line,
                column: failure.0,
                reason: failure.1,
                text,
            });
        }
        let batch = if good.is_empty() {
            None
        } else {
            Some(
                arrow_select::concat::concat_batches(&self.schema, &good)
                    .map_err(|e| Error::format(self.records.path(), e))?,
            )
        };
        Ok(Chunk {
            batch,
            lines,
            bad,
            position: self.records.position(),
        })
    }
}

impl<P: Parser> Source for TextSource<P> {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>, Error> {
        self.buf.clear();
        self.spans.clear();
        while self.spans.len() < self.chunk_rows {
            match self.records.next_into(&mut self.buf)? {
                Some(span) => self.spans.push(span),
                None => break,
            }
        }
        if self.spans.is_empty() {
            return Ok(None);
        }
        match self.parser.parse(&self.buf, self.spans.len()) {
            Ok(batch) if batch.num_rows() == self.spans.len() => Ok(Some(Chunk {
                batch: Some(batch),
                lines: self.spans.iter().map(|s| s.line).collect(),
                bad: Vec::new(),
                position: self.records.position(),
            })),
            _ => self.parse_one_by_one().map(Some),
        }
    }

    fn unit(&self) -> &'static str {
        "line"
    }
}

/// Feeds `bytes` to a decoder through `decode` until it takes no more.
pub(crate) fn feed(
    bytes: &[u8],
    mut decode: impl FnMut(&[u8]) -> Result<usize, ArrowError>,
) -> Result<(), ArrowError> {
    let mut offset = 0;
    while offset < bytes.len() {
        let n = decode(&bytes[offset..])?;
        if n == 0 {
            break;
        }
        offset += n;
    }
    Ok(())
}

/// The schema with columns of no inferred type (only nulls seen) as text.
pub(crate) fn nulls_as_text(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Null => Field::new(f.name(), DataType::Utf8, true),
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Text between `start` and the next `end` in `message`.
pub(crate) fn between<'a>(message: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = message.find(start)? + start.len();
    let len = message[from..].find(end)?;
    Some(&message[from..from + len])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::PathBuf;

    use arrow_array::cast::AsArray as _;
    use arrow_array::types::Int64Type;

    use super::{BadRow, ReadSettings, Source, open};
    use crate::cli::Format;

    fn file(name: &str, text: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("cratedb-loader-unit-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Every chunk: ids and lines of the good rows, and the bad rows.
    fn read(source: &mut dyn Source) -> (Vec<i64>, Vec<u64>, Vec<BadRow>) {
        let (mut ids, mut lines, mut bad) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(chunk) = source.next_chunk().unwrap() {
            if let Some(batch) = chunk.batch {
                let col = batch.column(0).as_primitive::<Int64Type>();
                ids.extend(col.iter().map(Option::unwrap));
            }
            lines.extend(chunk.lines);
            bad.extend(chunk.bad);
        }
        (ids, lines, bad)
    }

    #[test]
    fn a_bad_csv_line_fails_alone_with_its_line_and_column() {
        let path = file(
            "bad.csv",
            "id,name,v,at\n1,a,1.5,2024-01-01\n2,\"two\nlines\",2.5,2024-01-02\n\n3,c,x,2024-01-03\n4,d,4,2024-01-04\n5,e\n6,f,6.5,2024-01-06T12:00:00\n7,g,7,soon",
        );
        let settings = ReadSettings {
            chunk_rows: 3,
            infer_rows: 2,
        };
        let mut source = open(&path, Format::Csv, settings).unwrap();
        let (ids, lines, bad) = read(source.as_mut());
        assert_eq!(ids, [1, 2, 4, 6]);
        assert_eq!(lines, [2, 3, 7, 9]);
        assert!(bad[2].reason.contains("soon"), "{:?}", bad[2]);
        let bad: Vec<_> = bad
            .iter()
            .map(|b| (b.line, b.column.as_deref(), b.text.as_str()))
            .collect();
        assert_eq!(
            bad,
            [
                (6, Some("v"), "3,c,x,2024-01-03"),
                (8, None, "5,e"),
                (10, Some("at"), "7,g,7,soon")
            ]
        );
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_byte_order_mark_and_crlf_line_ends_are_not_data() {
        let path = file("crlf.csv", "\u{feff}id,name\r\n1,a\r\n2,b\r\n");
        let settings = ReadSettings {
            chunk_rows: 10,
            infer_rows: 10,
        };
        let mut source = open(&path, Format::Csv, settings).unwrap();
        let schema = source.schema();
        assert_eq!(schema.field(0).name(), "id");
        assert_eq!(schema.field(1).name(), "name");
        let chunk = source.next_chunk().unwrap().unwrap();
        let batch = chunk.batch.unwrap();
        assert_eq!(batch.column(1).as_string::<i32>().value(1), "b");
        assert_eq!(chunk.lines, [2, 3]);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_stray_quote_takes_at_most_a_bounded_number_of_lines() {
        let text: String = (2..2000).fold(String::from("id,v\n1,\"unclosed\n"), |mut t, i| {
            t += &i.to_string();
            t += ",1\n";
            t
        });
        let path = file("quote.csv", &text);
        let settings = ReadSettings {
            chunk_rows: 500,
            infer_rows: 10,
        };
        let mut source = open(&path, Format::Csv, settings).unwrap();
        let (ids, _, bad) = read(source.as_mut());
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 2);
        // The open record took lines 2 ..= 1001; the rows after it load.
        assert_eq!(ids.first(), Some(&1001));
        assert_eq!(ids.len(), 999);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn json_inference_skips_lines_that_are_not_objects() {
        let path = file(
            "infer.jsonl",
            "not json\n[1]\n{\"id\": 1}\n{\"id\": 2, \"name\": \"b\"}\n{\"id\": \"x\"}\n",
        );
        let settings = ReadSettings {
            chunk_rows: 10,
            infer_rows: 4,
        };
        let mut source = open(&path, Format::Json, settings).unwrap();
        let names: Vec<_> = source
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["id", "name"]);
        let (ids, lines, bad) = read(source.as_mut());
        assert_eq!((ids, lines), (vec![1, 2], vec![3, 4]));
        let bad: Vec<_> = bad.iter().map(|b| (b.line, b.column.as_deref())).collect();
        assert_eq!(bad, [(1, None), (2, None), (5, Some("id"))]);
        std::fs::remove_file(path).unwrap();
    }
}
