//! CSV files: a header line, column types inferred from the first rows.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

use super::lines::Records;
use super::{Parser, ReadSettings, TextSource, between, feed, nulls_as_text};
use crate::error::Error;

/// Parses CSV records of a known schema.
#[derive(Debug)]
pub(crate) struct CsvParser {
    schema: SchemaRef,
}

impl Parser for CsvParser {
    fn parse(&self, bytes: &[u8], rows: usize) -> Result<RecordBatch, ArrowError> {
        let mut decoder = arrow_csv::ReaderBuilder::new(Arc::clone(&self.schema))
            .with_header(false)
            .with_batch_size(rows + 1)
            .build_decoder();
        feed(bytes, |b| decoder.decode(b))?;
        Ok(decoder
            .flush()?
            .unwrap_or_else(|| RecordBatch::new_empty(Arc::clone(&self.schema))))
    }

    fn describe(&self, error: &ArrowError) -> (Option<String>, String) {
        let message = error.to_string();
        // arrow-csv: "Error while parsing value 'x' as type 'Int64' for column 2 at line 0 …"
        // and "incorrect number of fields for line 1, expected 3 got 2"; its line numbers
        // count from the chunk, so they are left out.
        if let Some(head) = between(&message, "Error while parsing ", " for column ") {
            let column = between(&message, " for column ", " at line")
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| self.schema.fields().get(i))
                .map(|f| f.name().clone());
            return (column, format!("cannot parse {head}"));
        }
        // Timestamps and decimals: "Error parsing column 2 at line 0: Parser error: …".
        if let Some(index) = between(&message, "Error parsing column ", " at line") {
            let column = index
                .parse::<usize>()
                .ok()
                .and_then(|i| self.schema.fields().get(i))
                .map(|f| f.name().clone());
            let rest = message
                .rsplit_once(": Parser error: ")
                .map_or(message.as_str(), |r| r.1);
            return (column, rest.to_owned());
        }
        if let Some(counts) = message.split_once("incorrect number of fields for line ") {
            let counts = counts.1.split_once(", ").map_or(counts.1, |c| c.1);
            return (None, format!("wrong number of fields: {counts}"));
        }
        (None, message)
    }
}

/// Opens a CSV file: its header names the columns, the first `infer_rows` records give
/// their types.
pub(crate) fn open(path: &Path, settings: ReadSettings) -> Result<TextSource<CsvParser>, Error> {
    let mut records = Records::open(path, true)?;
    let mut sample = Vec::new();
    if records.next_into(&mut sample)?.is_none() {
        return Err(Error::format(
            path,
            "empty file: a CSV file needs a header line",
        ));
    }
    for _ in 0..settings.infer_rows {
        if records.next_into(&mut sample)?.is_none() {
            break;
        }
    }
    // A byte order mark is not part of the first column's name.
    let sample = sample.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&sample);
    let (schema, _) = arrow_csv::reader::Format::default()
        .with_header(true)
        .with_truncated_rows(true)
        .infer_schema(Cursor::new(sample), None)
        .map_err(|e| Error::format(path, e))?;
    let schema = nulls_as_text(&schema);
    let mut records = Records::open(path, true)?;
    records.next_into(&mut Vec::new())?;
    let parser = CsvParser {
        schema: Arc::clone(&schema),
    };
    Ok(TextSource::new(
        records,
        parser,
        schema,
        settings.chunk_rows,
    ))
}
