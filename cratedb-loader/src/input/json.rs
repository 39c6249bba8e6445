//! JSON lines: one object a line, column types inferred from the first lines.

use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

use super::lines::Records;
use super::{Parser, ReadSettings, TextSource, between, feed, nulls_as_text};
use crate::error::Error;

/// Parses JSON lines of a known schema; a key that is not a column fails its line.
#[derive(Debug)]
pub(crate) struct JsonParser {
    schema: SchemaRef,
}

impl Parser for JsonParser {
    fn parse(&self, bytes: &[u8], rows: usize) -> Result<RecordBatch, ArrowError> {
        let mut decoder = arrow_json::ReaderBuilder::new(Arc::clone(&self.schema))
            .with_batch_size(rows + 1)
            .with_strict_mode(true)
            .with_coerce_primitive(true)
            .build_decoder()?;
        feed(bytes, |b| decoder.decode(b))?;
        Ok(decoder
            .flush()?
            .unwrap_or_else(|| RecordBatch::new_empty(Arc::clone(&self.schema))))
    }

    fn describe(&self, error: &ArrowError) -> (Option<String>, String) {
        let message = error.to_string();
        let message = message.strip_prefix("Json error: ").unwrap_or(&message);
        // arrow-json: "whilst decoding field 'a': failed to parse \"x\" as Int64"
        let column = between(message, "whilst decoding field '", "'").map(str::to_owned);
        let reason = message
            .rsplit_once("': ")
            .filter(|_| column.is_some())
            .map_or(message, |r| r.1);
        (column, reason.to_owned())
    }
}

/// Opens a JSON lines file: the first `infer_rows` lines that are JSON give the columns.
pub(crate) fn open(path: &Path, settings: ReadSettings) -> Result<TextSource<JsonParser>, Error> {
    let mut records = Records::open(path, false)?;
    let mut buf = Vec::new();
    let mut values = Vec::new();
    for _ in 0..settings.infer_rows.max(1) {
        buf.clear();
        if records.next_into(&mut buf)?.is_none() {
            break;
        }
        if let Ok(value @ serde_json::Value::Object(_)) = serde_json::from_slice(&buf) {
            values.push(value);
        }
    }
    let schema = arrow_json::reader::infer_json_schema_from_iterator(values.iter().map(Ok))
        .map_err(|e| Error::format(path, e))?;
    if schema.fields().is_empty() {
        return Err(Error::format(
            path,
            format!(
                "no JSON object with keys in its first {} lines",
                settings.infer_rows
            ),
        ));
    }
    let schema = nulls_as_text(&schema);
    let parser = JsonParser {
        schema: Arc::clone(&schema),
    };
    let records = Records::open(path, false)?;
    Ok(TextSource::new(
        records,
        parser,
        schema,
        settings.chunk_rows,
    ))
}
