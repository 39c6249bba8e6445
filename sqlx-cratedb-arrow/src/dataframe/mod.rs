//! Polars `DataFrame`s read from and written to CrateDB (feature `polars`), converted from
//! and to the crate's Arrow record batches through the Arrow C Data Interface.

mod ffi;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema};
use futures_core::Stream;
use futures_util::TryStreamExt as _;
use polars_arrow::array::ArrayRef as PolarsArrayRef;
use polars_core::prelude::{CompatLevel, DataFrame, IntoColumn, PlSmallStr, Series};
use sqlx_core::executor::{Execute, Executor};
use sqlx_cratedb::{CrateDb, CrateDbPool};

use crate::error::Error;
use crate::read::{PartitionedRead, ReadOptions, fetch_record_batches};
use crate::write::{BulkWriter, WriteOptions, WriteReport};
use ffi::column_error;

/// Runs `query` on `executor` and reads its result into a Polars [`DataFrame`].
///
/// The result is read as by [`fetch_record_batches`]; every batch becomes a chunk of the
/// frame's columns (see [`record_batches_to_dataframe`]). A result without rows gives an
/// empty frame without columns.
///
/// # Errors
/// As [`fetch_record_batches`], or [`Error::DataFrame`] naming a column whose Arrow type has
/// no Polars form.
pub async fn fetch_dataframe<'e, 'q: 'e, E, Q>(
    executor: E,
    query: Q,
    options: ReadOptions,
) -> Result<DataFrame, Error>
where
    E: Executor<'e, Database = CrateDb>,
    Q: Execute<'q, CrateDb> + 'q,
{
    collect(fetch_record_batches(executor, query, options)).await
}

impl PartitionedRead {
    /// Reads every partition into one Polars [`DataFrame`] (see [`fetch_dataframe`]).
    ///
    /// # Errors
    /// As [`Self::stream`], or as [`fetch_dataframe`].
    pub async fn collect_dataframe(&self, pool: &CrateDbPool) -> Result<DataFrame, Error> {
        collect(self.stream(pool).await?).await
    }
}

/// Writes the rows of `frame` into a table (see [`BulkWriter`]): the frame is sent in
/// [`WriteOptions::batch_size`] rows per request, and [`WriteReport::failed`] gives each
/// refused row's index in the frame.
///
/// # Errors
/// As [`dataframe_to_record_batches`], [`BulkWriter::new`] and [`BulkWriter::write`].
pub async fn write_dataframe(
    pool: CrateDbPool,
    frame: &DataFrame,
    options: WriteOptions,
) -> Result<WriteReport, Error> {
    let batches = dataframe_to_record_batches(frame)?;
    let Some(first) = batches.first() else {
        return Ok(WriteReport::default());
    };
    let mut writer = BulkWriter::new(pool, first.schema(), options).await?;
    for batch in &batches {
        writer.write(batch).await?;
    }
    writer.finish().await
}

/// A Polars [`DataFrame`] of `batches`, one chunk per batch. Numbers, booleans and timestamps
/// keep their buffers; Polars copies strings and 32-bit list offsets into its own layouts.
///
/// # Errors
/// [`Error::DataFrame`] naming a column whose Arrow type has no Polars form (binary,
/// intervals, unions, maps, …) or whose type differs between batches; [`Error::Invalid`]
/// for batches with different columns or a frame Polars refuses (duplicate names).
pub fn record_batches_to_dataframe(batches: &[RecordBatch]) -> Result<DataFrame, Error> {
    let mut chunks = Chunks::default();
    for batch in batches {
        chunks.push(batch)?;
    }
    chunks.finish()
}

/// The record batches of a Polars [`DataFrame`], one per chunk (after aligning the chunks of
/// its columns), sharing its buffers. Polars types give their Arrow types: `String` is
/// `Utf8View`, `List` `LargeList`, `Array` `FixedSizeList`, `Datetime` `Timestamp`,
/// `Decimal` `Decimal128`.
///
/// # Errors
/// [`Error::Invalid`] for a frame without columns; [`Error::DataFrame`] when arrow-rs does not
/// import a column's array.
pub fn dataframe_to_record_batches(frame: &DataFrame) -> Result<Vec<RecordBatch>, Error> {
    if frame.width() == 0 {
        return Err(Error::Invalid("a DataFrame without columns".to_owned()));
    }
    let mut frame = frame.clone();
    frame.align_chunks();
    frame
        .iter_chunks(CompatLevel::newest(), false)
        .map(|chunk| {
            let (schema, arrays) = chunk.into_schema_and_arrays();
            let mut fields = Vec::with_capacity(arrays.len());
            let mut columns = Vec::with_capacity(arrays.len());
            for (field, array) in schema.iter_values().zip(arrays) {
                let array = ffi::polars_to_arrow(field, array)?;
                fields.push(Field::new(
                    field.name.as_str(),
                    array.data_type().clone(),
                    true,
                ));
                columns.push(array);
            }
            Ok(RecordBatch::try_new(
                Arc::new(Schema::new(fields)),
                columns,
            )?)
        })
        .collect()
}

/// Reads a stream of batches into a frame.
async fn collect<S>(mut batches: S) -> Result<DataFrame, Error>
where
    S: Stream<Item = Result<RecordBatch, Error>> + Unpin,
{
    let mut chunks = Chunks::default();
    while let Some(batch) = batches.try_next().await? {
        chunks.push(&batch)?;
    }
    chunks.finish()
}

/// The columns of a frame being built, as Polars arrays, one per batch.
#[derive(Default)]
struct Chunks {
    /// The name and Arrow type of each column, from the first batch.
    columns: Vec<(String, DataType)>,
    arrays: Vec<Vec<PolarsArrayRef>>,
    height: usize,
}

impl Chunks {
    fn push(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let schema = batch.schema();
        if self.columns.is_empty() {
            self.columns = schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().clone()))
                .collect();
            self.arrays = vec![Vec::new(); self.columns.len()];
        } else if schema.fields().len() != self.columns.len()
            || schema
                .fields()
                .iter()
                .zip(&self.columns)
                .any(|(f, (name, _))| f.name() != name)
        {
            return Err(Error::Invalid(
                "record batches with different columns".to_owned(),
            ));
        }
        for (((name, data_type), chunks), array) in self
            .columns
            .iter()
            .zip(&mut self.arrays)
            .zip(batch.columns())
        {
            if array.data_type() != data_type {
                return Err(column_error(
                    name,
                    &format!(
                        "Arrow type {} differs from the first batch's {data_type}",
                        array.data_type()
                    ),
                ));
            }
            chunks.push(ffi::arrow_to_polars(name, array)?);
        }
        self.height += batch.num_rows();
        Ok(())
    }

    fn finish(self) -> Result<DataFrame, Error> {
        let columns = self
            .columns
            .into_iter()
            .zip(self.arrays)
            .map(|((name, _), arrays)| {
                Series::from_arrow_chunks(PlSmallStr::from_str(&name), arrays)
                    .map(IntoColumn::into_column)
                    .map_err(|e| column_error(&name, &e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        DataFrame::new(self.height, columns).map_err(|e| Error::Invalid(e.to_string()))
    }
}

#[cfg(test)]
mod tests;
