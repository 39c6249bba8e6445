//! Parquet files, a batch at a time.

use std::fs::File;
use std::path::Path;

use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::{Chunk, ReadSettings, Source};
use crate::error::Error;

/// An open Parquet file.
pub(crate) struct ParquetSource {
    path: std::path::PathBuf,
    reader: ParquetRecordBatchReader,
    schema: SchemaRef,
    size: u64,
    rows: u64,
    rows_read: u64,
}

impl ParquetSource {
    /// Opens `path`, reading `chunk_rows` rows per batch.
    pub(crate) fn open(path: &Path, settings: ReadSettings) -> Result<Self, Error> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| Error::format(path, e))?;
        let rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let schema = builder.schema().clone();
        let reader = builder
            .with_batch_size(settings.chunk_rows.max(1))
            .build()
            .map_err(|e| Error::format(path, e))?;
        Ok(Self {
            path: path.to_owned(),
            reader,
            schema,
            size,
            rows,
            rows_read: 0,
        })
    }
}

impl Source for ParquetSource {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>, Error> {
        let Some(batch) = self.reader.next() else {
            return Ok(None);
        };
        let batch = batch.map_err(|e| Error::format(&self.path, e))?;
        let first = self.rows_read + 1;
        self.rows_read += batch.num_rows() as u64;
        let position = if self.rows == 0 {
            self.size
        } else {
            // Bytes are not known per row: the share of rows read, of the file's size.
            u64::try_from(
                u128::from(self.size) * u128::from(self.rows_read) / u128::from(self.rows),
            )
            .unwrap_or(self.size)
        };
        Ok(Some(Chunk {
            lines: (first..=self.rows_read).collect(),
            batch: Some(batch),
            bad: Vec::new(),
            position,
        }))
    }

    fn unit(&self) -> &'static str {
        "row"
    }
}
