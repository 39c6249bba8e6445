//! Running the partitions: workers on pooled connections, their batches merged into one
//! stream of one schema.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use arrow_array::{Array as _, ArrayRef, RecordBatch};
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::SchemaRef;
use futures_core::Stream;
use futures_util::StreamExt as _;
use sqlx_core::sql_str::AssertSqlSafe;
use sqlx_cratedb::CrateDbPool;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::split::Partition;
use crate::error::Error;
use crate::read::{ReadOptions, fetch_record_batches};

/// The merged batches of a partitioned read (see [`super::PartitionedRead`]), in the order the
/// partitions deliver them.
///
/// Every batch has the schema of the first one: a batch whose types differ (a `NUMERIC`
/// column's scale is taken from each partition's first values) is cast to it when no value
/// changes, else the stream fails. The first error of any partition ends the stream and
/// cancels the others; dropping the stream cancels every partition.
#[derive(Debug)]
pub struct PartitionedStream {
    batches: mpsc::Receiver<Result<RecordBatch, Error>>,
    workers: JoinSet<()>,
    schema: Option<SchemaRef>,
    done: bool,
}

/// The partitions not yet started, shared by the workers.
type Queue = Arc<Mutex<VecDeque<Partition>>>;

impl PartitionedStream {
    /// Starts `concurrency` workers (at most one per partition) that take partitions in turn.
    pub(super) fn start(
        pool: &CrateDbPool,
        partitions: Vec<Partition>,
        concurrency: usize,
        options: &ReadOptions,
    ) -> Self {
        let workers_count = concurrency.clamp(1, partitions.len().max(1));
        let (sender, batches) = mpsc::channel(workers_count * 2);
        let queue: Queue = Arc::new(Mutex::new(partitions.into()));
        let mut workers = JoinSet::new();
        for _ in 0..workers_count {
            workers.spawn(work(
                pool.clone(),
                Arc::clone(&queue),
                options.clone(),
                sender.clone(),
            ));
        }
        Self {
            batches,
            workers,
            schema: None,
            done: false,
        }
    }

    /// The schema of the batches, known once the first batch arrived.
    pub fn schema(&self) -> Option<SchemaRef> {
        self.schema.clone()
    }

    /// Ends the stream and cancels the partitions still running.
    fn stop(&mut self) {
        self.done = true;
        self.workers.abort_all();
        self.batches.close();
    }

    /// `batch` with the stream's schema.
    fn conform(&mut self, batch: RecordBatch) -> Result<RecordBatch, Error> {
        let Some(schema) = &self.schema else {
            self.schema = Some(batch.schema());
            return Ok(batch);
        };
        if batch.schema().fields() == schema.fields() {
            return Ok(batch);
        }
        let names = |s: &SchemaRef| {
            s.fields()
                .iter()
                .map(|f| f.name().clone())
                .collect::<Vec<_>>()
        };
        if names(schema) != names(&batch.schema()) {
            return Err(Error::Invalid(format!(
                "partitions returned different columns: {:?} and {:?}",
                names(schema),
                names(&batch.schema())
            )));
        }
        let columns = batch
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(column, field)| cast_exact(column, field.name(), field.data_type()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
    }
}

/// `column` as `to`, or an error when a value would change (cast there and back).
fn cast_exact(
    column: &ArrayRef,
    name: &str,
    to: &arrow_schema::DataType,
) -> Result<ArrayRef, Error> {
    if column.data_type() == to {
        return Ok(Arc::clone(column));
    }
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let refused = || {
        Error::Invalid(format!(
            "column \"{name}\" is {} in one partition and {to} in the first: its values do not \
             fit the first partition's type",
            column.data_type()
        ))
    };
    let cast = cast_with_options(column, to, &options).map_err(|_| refused())?;
    let back = cast_with_options(&cast, column.data_type(), &options).map_err(|_| refused())?;
    if back.to_data() == column.to_data() {
        Ok(cast)
    } else {
        Err(refused())
    }
}

impl Stream for PartitionedStream {
    type Item = Result<RecordBatch, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.batches.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(batch))) => {
                let batch = self.conform(batch);
                if batch.is_err() {
                    self.stop();
                }
                Poll::Ready(Some(batch))
            }
            Poll::Ready(Some(Err(e))) => {
                self.stop();
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

/// A worker: runs partitions from `queue` until it is empty or a partition fails.
async fn work(
    pool: CrateDbPool,
    queue: Queue,
    options: ReadOptions,
    sender: mpsc::Sender<Result<RecordBatch, Error>>,
) {
    loop {
        let next = queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        let Some(partition) = next else { return };
        match run(&pool, partition, &options, &sender).await {
            Ok(true) => {}
            // The stream was dropped.
            Ok(false) => return,
            Err(e) => {
                // The reader is told; if it is gone there is nobody to tell.
                let _ = sender.send(Err(e)).await;
                return;
            }
        }
    }
}

/// Runs one partition on a pooled connection, sending its batches; `false` when the reader
/// is gone.
async fn run(
    pool: &CrateDbPool,
    partition: Partition,
    options: &ReadOptions,
    sender: &mpsc::Sender<Result<RecordBatch, Error>>,
) -> Result<bool, Error> {
    let mut conn = pool.acquire().await?;
    let query = sqlx_core::query::query_with(AssertSqlSafe(partition.sql), partition.arguments);
    let mut batches = fetch_record_batches(&mut *conn, query, options.clone());
    while let Some(batch) = batches.next().await {
        if sender.send(Ok(batch?)).await.is_err() {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use arrow_array::Decimal128Array;
    use arrow_schema::DataType;

    use super::*;

    fn decimals(values: &[i128], scale: i8) -> ArrayRef {
        Arc::new(
            Decimal128Array::from(values.to_vec())
                .with_precision_and_scale(38, scale)
                .unwrap(),
        )
    }

    #[test]
    fn only_casts_that_keep_every_value() {
        // 12 and 3 as NUMERIC(38, 0) fit a scale of 2 …
        let whole = decimals(&[12, 3], 0);
        let cast = cast_exact(&whole, "n", &DataType::Decimal128(38, 2)).unwrap();
        assert_eq!(cast.as_ref(), decimals(&[1200, 300], 2).as_ref());
        // … 12.00 fits a scale of 0, 12.25 does not.
        let to_whole = DataType::Decimal128(38, 0);
        assert!(cast_exact(&decimals(&[1200], 2), "n", &to_whole).is_ok());
        let err = cast_exact(&decimals(&[1225], 2), "n", &to_whole).unwrap_err();
        assert!(err.to_string().contains("column \"n\""), "{err}");
    }
}
