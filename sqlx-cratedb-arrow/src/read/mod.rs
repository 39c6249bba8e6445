//! Reading a query's result as a stream of Arrow [`RecordBatch`]es.

mod column;
mod partition;

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Fields, Schema, SchemaRef};
use futures_core::Stream;
use futures_core::stream::BoxStream;
use sqlx_core::column::Column as _;
use sqlx_core::executor::{Execute, Executor};
use sqlx_core::row::Row as _;
use sqlx_core::value::ValueRef as _;
use sqlx_cratedb::{CrateDb, CrateDbRow, CrateDbTypeInfo};

use crate::error::Error;
use crate::types::{DECIMAL128_MAX_PRECISION, TypeHints, arrow_type};
use column::{Plan, Source, fraction_digits};
pub use partition::{
    DEFAULT_PARTITIONS, Partition, PartitionedRead, PartitionedStream, RangeValue,
};

/// The default number of rows per batch.
pub const DEFAULT_BATCH_SIZE: usize = 16_384;

/// How a result is read into batches.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    batch_size: usize,
    object_fields: HashMap<String, Fields>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            batch_size: DEFAULT_BATCH_SIZE,
            object_fields: HashMap::new(),
        }
    }
}

impl ReadOptions {
    /// Default options: batches of [`DEFAULT_BATCH_SIZE`] rows, objects as JSON text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows per batch (at least 1). Memory held by the reader is about one batch of rows
    /// plus the batch being built.
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = rows.max(1);
        self
    }

    /// The rows per batch.
    pub fn rows_per_batch(&self) -> usize {
        self.batch_size
    }

    /// Reads the `OBJECT` column `column` as an Arrow `Struct` of `fields` (keys not among
    /// them are left out) instead of JSON text.
    pub fn object_fields(mut self, column: impl Into<String>, fields: Fields) -> Self {
        self.object_fields.insert(column.into(), fields);
        self
    }
}

/// Runs `query` on `executor` and streams its result as Arrow record batches.
///
/// Works over both transports. Column types come from CrateDB's column types; see
/// [`arrow_type`] for the mapping. The batches are built from the raw cells of the rows,
/// [`ReadOptions::batch_size`] rows at a time. A result without rows yields no batch.
///
/// ```no_run
/// # async fn run(pool: &sqlx_cratedb::CrateDbPool) -> Result<(), sqlx_cratedb_arrow::Error> {
/// use futures_util::TryStreamExt as _;
/// use sqlx_cratedb_arrow::{ReadOptions, fetch_record_batches};
///
/// let batches: Vec<_> = fetch_record_batches(
///     pool,
///     sqlx::query("SELECT * FROM sys.summits"),
///     ReadOptions::new(),
/// )
/// .try_collect()
/// .await?;
/// # Ok(()) }
/// ```
pub fn fetch_record_batches<'e, 'q: 'e, E, Q>(
    executor: E,
    query: Q,
    options: ReadOptions,
) -> RecordBatchStream<'e>
where
    E: Executor<'e, Database = CrateDb>,
    Q: Execute<'q, CrateDb> + 'q,
{
    RecordBatchStream::new(executor.fetch(query), options)
}

/// The schema and per-column plans, fixed by the first batch.
#[derive(Debug)]
struct Layout {
    schema: SchemaRef,
    plans: Vec<Plan>,
}

/// A stream of [`RecordBatch`]es read from a stream of rows (see [`fetch_record_batches`]).
pub struct RecordBatchStream<'e> {
    rows: BoxStream<'e, Result<CrateDbRow, sqlx_core::Error>>,
    options: ReadOptions,
    chunk: Vec<CrateDbRow>,
    layout: Option<Layout>,
    rows_read: usize,
    done: bool,
}

impl std::fmt::Debug for RecordBatchStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordBatchStream")
            .field("schema", &self.schema())
            .field("rows_read", &self.rows_read)
            .finish_non_exhaustive()
    }
}

impl<'e> RecordBatchStream<'e> {
    /// Batches from any stream of rows (e.g. `executor.fetch(query)`).
    pub fn new(
        rows: BoxStream<'e, Result<CrateDbRow, sqlx_core::Error>>,
        options: ReadOptions,
    ) -> Self {
        Self {
            rows,
            chunk: Vec::with_capacity(options.batch_size.min(1 << 16)),
            options,
            layout: None,
            rows_read: 0,
            done: false,
        }
    }

    /// The schema of the batches, known once the first batch was read.
    pub fn schema(&self) -> Option<SchemaRef> {
        self.layout.as_ref().map(|l| Arc::clone(&l.schema))
    }

    /// Builds a batch from the buffered rows.
    fn flush(&mut self) -> Result<RecordBatch, Error> {
        let layout = match self.layout.take() {
            Some(layout) => layout,
            None => layout(&self.chunk, &self.options)?,
        };
        let first_row = self.rows_read;
        self.rows_read += self.chunk.len();
        let batch = build_batch(&layout, &self.chunk, first_row);
        self.layout = Some(layout);
        self.chunk.clear();
        batch
    }
}

impl Stream for RecordBatchStream<'_> {
    type Item = Result<RecordBatch, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        while !this.done {
            match this.rows.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(row))) => {
                    this.chunk.push(row);
                    if this.chunk.len() >= this.options.batch_size {
                        return Poll::Ready(Some(this.flush()));
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    this.chunk.clear();
                    return Poll::Ready(Some(Err(e.into())));
                }
                Poll::Ready(None) => this.done = true,
            }
        }
        if this.chunk.is_empty() {
            Poll::Ready(None)
        } else {
            Poll::Ready(Some(this.flush()))
        }
    }
}

/// The schema and plans for a result, from its columns and the values of its first batch.
fn layout(rows: &[CrateDbRow], options: &ReadOptions) -> Result<Layout, Error> {
    let Some(first) = rows.first() else {
        return Ok(Layout {
            schema: Arc::new(Schema::empty()),
            plans: Vec::new(),
        });
    };
    let mut fields = Vec::with_capacity(first.columns().len());
    let mut plans = Vec::with_capacity(first.columns().len());
    for (index, column) in first.columns().iter().enumerate() {
        let ty = column.type_info();
        let hints = hints(rows, index, ty, options.object_fields.get(column.name()))?;
        let data_type = arrow_type(ty, &hints);
        plans.push(Plan::for_type(&data_type));
        fields.push(Field::new(column.name(), data_type, true));
    }
    Ok(Layout {
        schema: Arc::new(Schema::new(fields)),
        plans,
    })
}

/// What the first batch's values tell about a column of `ty`.
fn hints(
    rows: &[CrateDbRow],
    index: usize,
    ty: &CrateDbTypeInfo,
    object_fields: Option<&Fields>,
) -> Result<TypeHints, Error> {
    let mut hints = TypeHints {
        object_fields: object_fields.cloned(),
        ..TypeHints::default()
    };
    match ty {
        CrateDbTypeInfo::Numeric => {
            let mut scale = 0i64;
            let mut fits = true;
            for row in rows {
                let value = row.try_get_raw(index)?;
                if value.is_null() {
                    continue;
                }
                let text = String::from_utf8_lossy(value.as_bytes());
                let text = text.trim_matches('"');
                let digits = text.bytes().filter(u8::is_ascii_digit).count();
                match fraction_digits(text) {
                    Some(d) if digits <= usize::from(DECIMAL128_MAX_PRECISION) => {
                        scale = scale.max(d);
                    }
                    _ => fits = false,
                }
            }
            hints.numeric_scale = i8::try_from(scale)
                .ok()
                .filter(|s| fits && *s <= DECIMAL128_MAX_PRECISION.cast_signed());
        }
        CrateDbTypeInfo::FloatVector => {
            for row in rows {
                let value = row.try_get_raw(index)?;
                if !value.is_null() {
                    let elements: Vec<serde::de::IgnoredAny> =
                        serde_json::from_slice(value.as_bytes()).unwrap_or_default();
                    hints.vector_length = i32::try_from(elements.len()).ok().filter(|n| *n > 0);
                    break;
                }
            }
        }
        _ => {}
    }
    Ok(hints)
}

fn build_batch(
    layout: &Layout,
    rows: &[CrateDbRow],
    first_row: usize,
) -> Result<RecordBatch, Error> {
    let columns = layout
        .plans
        .iter()
        .zip(layout.schema.fields())
        .enumerate()
        .map(|(index, (plan, field))| {
            column::build(
                plan,
                &Source {
                    rows,
                    index,
                    name: field.name(),
                    first_row,
                },
            )
        })
        .collect::<Result<Vec<ArrayRef>, Error>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
    Ok(RecordBatch::try_new_with_options(
        Arc::clone(&layout.schema),
        columns,
        &options,
    )?)
}
