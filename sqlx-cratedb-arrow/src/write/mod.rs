//! Writing Arrow record batches into a table: batched bulk inserts with several batches in
//! flight, a result for every source row, optional table creation and upserts.
//!
//! A chunk is written with one `INSERT … SELECT * FROM UNNEST(…)` when the table has a primary
//! key and every column is a plain scalar (`columnar.rs`), else as `bulk_args` rows; rows the
//! columnar statement did not write go through `bulk_args` too, so each gets its own result.

mod columnar;
mod encode;
mod sql;

use std::collections::VecDeque;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use futures_core::Stream;
use futures_util::StreamExt as _;
use sqlx_core::sql_str::{AssertSqlSafe, SqlSafeStr as _};
use sqlx_cratedb::{CrateDbBulkRow, CrateDbDatabaseError, CrateDbPool};
use tokio::task::JoinSet;

use crate::error::Error;
use columnar::ColumnarPlan;
pub use sql::{create_table_sql, insert_sql};

/// The default number of rows per bulk request.
pub const DEFAULT_WRITE_BATCH: usize = 5_000;
/// The default number of bulk requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// How often rows that were not executed (their batch was rolled back because of another
/// row, as PostgreSQL does) are sent again.
const RETRY_ROUNDS: usize = 8;

/// What happens to a row whose primary key exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WriteMode {
    /// `INSERT`: the row fails (duplicate key).
    #[default]
    Insert,
    /// `INSERT … ON CONFLICT (key) DO UPDATE SET` every other column: the row replaces the
    /// stored values. Needs [`WriteOptions::primary_key`].
    Upsert,
    /// `INSERT … ON CONFLICT DO NOTHING`: the stored row is kept.
    Ignore,
}

/// Where and how batches are written.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub(crate) schema: Option<String>,
    pub(crate) table: String,
    pub(crate) batch_size: usize,
    pub(crate) concurrency: usize,
    pub(crate) create_table: bool,
    pub(crate) primary_key: Vec<String>,
    pub(crate) mode: WriteMode,
}

impl WriteOptions {
    /// Insert into `table` (in the connection's default schema), [`DEFAULT_WRITE_BATCH`]
    /// rows per request, [`DEFAULT_CONCURRENCY`] requests in flight.
    pub fn new(table: impl Into<String>) -> Self {
        Self {
            schema: None,
            table: table.into(),
            batch_size: DEFAULT_WRITE_BATCH,
            concurrency: DEFAULT_CONCURRENCY,
            create_table: false,
            primary_key: Vec::new(),
            mode: WriteMode::Insert,
        }
    }

    /// The table's schema.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Rows per bulk request (at least 1). Keep it at most the connection's `bulk_rows`
    /// (default 5,000) so that each batch is one request.
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = rows.max(1);
        self
    }

    /// Bulk requests in flight at once, each on its own pooled connection (at least 1).
    /// Memory held is about `batch_size × concurrency` rows.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// Creates the table from the Arrow schema first (`CREATE TABLE IF NOT EXISTS`).
    pub fn create_table(mut self, create: bool) -> Self {
        self.create_table = create;
        self
    }

    /// The primary key columns, for the created table and for [`WriteMode::Upsert`].
    pub fn primary_key<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.primary_key = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Insert, upsert or skip existing keys.
    pub fn mode(mut self, mode: WriteMode) -> Self {
        self.mode = mode;
        self
    }
}

/// Why a source row was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// Its values could not be bound (e.g. a date out of range).
    Encode,
    /// CrateDB rejected the row.
    Rejected,
    /// Its request got no definite answer: the row may or may not be stored.
    Unknown,
    /// It was never executed (its request failed before it, or it was rolled back each time).
    NotExecuted,
}

/// A source row that was not written.
#[derive(Debug, Clone)]
pub struct FailedRow {
    /// The row's index in the source: rows of all batches written, counted from 0.
    pub index: usize,
    /// What kind of failure.
    pub kind: FailureKind,
    /// The reason, as the server or the encoder gave it.
    pub reason: String,
    /// The row's values as a JSON object (arrow-json's rendering).
    pub values: String,
}

/// The outcome of a write so far.
#[derive(Debug, Clone, Default)]
pub struct WriteReport {
    /// Source rows whose outcome is known (written or failed).
    pub rows_done: usize,
    /// The row count CrateDB reported for the written rows.
    pub rows_written: u64,
    /// The rows that were not written, in the order their batches completed.
    pub failed: Vec<FailedRow>,
}

impl WriteReport {
    fn add(&mut self, chunk: ChunkOutcome) {
        self.rows_done += chunk.rows;
        self.rows_written += chunk.written;
        self.failed.extend(chunk.failed);
    }
}

/// Writes record batches into a table, `concurrency` bulk requests at a time.
///
/// ```no_run
/// # async fn run(pool: sqlx_cratedb::CrateDbPool, batch: arrow_array::RecordBatch)
/// # -> Result<(), sqlx_cratedb_arrow::Error> {
/// use sqlx_cratedb_arrow::{BulkWriter, WriteMode, WriteOptions};
///
/// let options = WriteOptions::new("metrics")
///     .create_table(true)
///     .primary_key(["id"])
///     .mode(WriteMode::Upsert);
/// let mut writer = BulkWriter::new(pool, batch.schema(), options).await?;
/// writer.write(&batch).await?;
/// let report = writer.finish().await?;
/// for row in &report.failed {
///     eprintln!("row {}: {}", row.index, row.reason);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct BulkWriter {
    pool: CrateDbPool,
    sql: Arc<str>,
    columnar: Option<Arc<ColumnarPlan>>,
    schema: SchemaRef,
    options: WriteOptions,
    tasks: JoinSet<Result<ChunkOutcome, Error>>,
    next_index: usize,
    report: WriteReport,
}

impl BulkWriter {
    /// A writer for batches of `schema`; creates the table first when asked to. Without
    /// [`WriteOptions::primary_key`], the table's primary key is read from
    /// `information_schema` (for the columnar write).
    ///
    /// # Errors
    /// Invalid options (upsert without a primary key, a key column not in the schema), an
    /// Arrow type CrateDB cannot store, or the `CREATE TABLE` failing.
    pub async fn new(
        pool: CrateDbPool,
        schema: SchemaRef,
        options: WriteOptions,
    ) -> Result<Self, Error> {
        let sql = insert_sql(&schema, &options)?;
        if options.create_table {
            let create = create_table_sql(&schema, &options)?;
            sqlx_core::query::query(AssertSqlSafe(create))
                .execute(&pool)
                .await?;
        }
        let columnar = columnar_plan(&pool, &schema, &options).await?.map(Arc::new);
        Ok(Self {
            pool,
            sql: Arc::from(sql),
            columnar,
            schema,
            options,
            tasks: JoinSet::new(),
            next_index: 0,
            report: WriteReport::default(),
        })
    }

    /// The outcome of the batches completed so far.
    pub fn report(&self) -> &WriteReport {
        &self.report
    }

    /// The `INSERT` statement the writer runs for rows sent as `bulk_args`.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The columnar `INSERT … SELECT * FROM UNNEST(…) RETURNING <key>` the writer runs first
    /// for each chunk, if the table and columns allow it (see the module docs).
    pub fn columnar_sql(&self) -> Option<&str> {
        self.columnar.as_deref().map(ColumnarPlan::sql)
    }

    /// Queues `batch`: it is split into requests of `batch_size` rows, and this waits while
    /// `concurrency` requests are in flight. Its rows are numbered after the rows of the
    /// batches written before.
    ///
    /// # Errors
    /// A batch whose columns are not the writer's, or a request that failed as a whole for
    /// a reason that every row would share (unknown table or column, lost connection, …).
    pub async fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let names = |s: &SchemaRef| {
            s.fields()
                .iter()
                .map(|f| f.name().clone())
                .collect::<Vec<_>>()
        };
        if names(&batch.schema()) != names(&self.schema) {
            return Err(Error::Invalid(format!(
                "batch columns {:?} differ from the writer's {:?}",
                names(&batch.schema()),
                names(&self.schema)
            )));
        }
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = self.options.batch_size.min(batch.num_rows() - offset);
            while self.tasks.len() >= self.options.concurrency {
                self.join_one().await?;
            }
            let chunk = batch.slice(offset, len);
            let (pool, sql, first) = (self.pool.clone(), Arc::clone(&self.sql), self.next_index);
            let columnar = self.columnar.clone();
            self.tasks.spawn(async move {
                write_chunk(&pool, &sql, columnar.as_deref(), &chunk, first).await
            });
            self.next_index += len;
            offset += len;
        }
        Ok(())
    }

    /// Waits for every request in flight and returns the report.
    ///
    /// # Errors
    /// As [`write`](Self::write).
    pub async fn finish(mut self) -> Result<WriteReport, Error> {
        while !self.tasks.is_empty() {
            self.join_one().await?;
        }
        Ok(self.report)
    }

    async fn join_one(&mut self) -> Result<(), Error> {
        if let Some(joined) = self.tasks.join_next().await {
            let outcome =
                joined.map_err(|e| Error::Invalid(format!("a write task failed: {e}")))??;
            self.report.add(outcome);
        }
        Ok(())
    }
}

/// Writes a stream of record batches (see [`BulkWriter`]).
///
/// # Errors
/// The stream's first error, or as [`BulkWriter::new`] and [`BulkWriter::write`].
pub async fn write_record_batches<S, E>(
    pool: CrateDbPool,
    schema: SchemaRef,
    batches: S,
    options: WriteOptions,
) -> Result<WriteReport, Error>
where
    S: Stream<Item = Result<RecordBatch, E>>,
    Error: From<E>,
{
    let mut writer = BulkWriter::new(pool, schema, options).await?;
    let mut batches = std::pin::pin!(batches);
    while let Some(batch) = batches.next().await {
        writer.write(&batch?).await?;
    }
    writer.finish().await
}

/// The outcome of one chunk.
#[derive(Debug, Default)]
struct ChunkOutcome {
    rows: usize,
    written: u64,
    failed: Vec<FailedRow>,
}

/// True when a whole-request failure is one every row would share: retrying single rows
/// cannot help.
fn is_systemic(e: &sqlx_core::Error) -> bool {
    let sqlx_core::Error::Database(db) = e else {
        return true;
    };
    let Some(crate_db) = db.try_downcast_ref::<CrateDbDatabaseError>() else {
        return true;
    };
    let unknown_object = crate_db
        .http_code()
        .is_some_and(|c| (4040..=4049).contains(&c) || c == 4010);
    let undefined = crate_db
        .sqlstate()
        .is_some_and(|s| s.starts_with("42") || s.starts_with("28") || s.starts_with("08"));
    unknown_object || undefined || crate_db.is_authentication_error()
}

/// True when nothing of a request was applied and several rows failed, not all for a key
/// conflict: a value CrateDB cannot convert fails its whole request over HTTP, and over
/// pgwire the rest of its batch.
fn rejected_as_a_whole(rows: &[CrateDbBulkRow]) -> bool {
    let conflict = |e: &CrateDbDatabaseError| {
        e.http_code().is_some_and(|c| (4090..=4099).contains(&c))
            || e.sqlstate().is_some_and(|s| s.starts_with("23"))
    };
    let mut failed = 0;
    let mut all_conflicts = true;
    for row in rows {
        match row {
            CrateDbBulkRow::Failed(e) => {
                failed += 1;
                all_conflicts &= conflict(e);
            }
            CrateDbBulkRow::NotExecuted => {}
            _ => return false,
        }
    }
    failed > 1 && !all_conflicts
}

/// The columnar plan for a writer: with the given primary key, or the table's own, when the
/// server is CrateDB or the statement is atomic (PostgreSQL: an error means nothing was
/// written, and the rows go through `bulk_args`).
async fn columnar_plan(
    pool: &CrateDbPool,
    schema: &SchemaRef,
    options: &WriteOptions,
) -> Result<Option<ColumnarPlan>, Error> {
    use sqlx_cratedb::reflect;
    let mut conn = pool.acquire().await?;
    let atomic = !conn.server_is_cratedb();
    let table_schema = match &options.schema {
        Some(s) => s.clone(),
        None => {
            sqlx_core::query_scalar::query_scalar::<_, String>("SELECT CURRENT_SCHEMA")
                .fetch_one(&mut *conn)
                .await?
        }
    };
    let key = if options.primary_key.is_empty() {
        reflect::primary_key(&mut *conn, &table_schema, &options.table)
            .await?
            .map(|k| k.columns)
            .unwrap_or_default()
    } else {
        options.primary_key.clone()
    };
    if key.is_empty() {
        return Ok(None);
    }
    let Some(plan) = ColumnarPlan::new(schema, options, &key, atomic) else {
        return Ok(None);
    };
    // Returned keys are matched exactly only when the table stores them as the data has them.
    let stored = reflect::columns(&mut *conn, &table_schema, &options.table).await?;
    if !plan.key_stored_as_given(&stored) {
        return Ok(None);
    }
    // Over pgwire CrateDB reports a statement it cannot analyse (a column the data cannot be
    // converted to) as XX000, which looks like an error while it ran; describing it first
    // (nothing runs) keeps such a table on bulk rows. Over HTTP describing is not possible
    // (a configuration error), and such an error is a 4xx, which the columnar path reads as
    // "nothing applied".
    let sql = AssertSqlSafe(plan.sql().to_owned()).into_sql_str();
    match sqlx_core::executor::Executor::describe(&mut *conn, sql).await {
        Ok(_) | Err(sqlx_core::Error::Configuration(_)) => Ok(Some(plan)),
        Err(sqlx_core::Error::Database(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Writes one chunk: by column first when the writer has a columnar plan, then the rows that
/// statement did not write as `bulk_args` rows.
async fn write_chunk(
    pool: &CrateDbPool,
    sql: &str,
    columnar: Option<&ColumnarPlan>,
    chunk: &RecordBatch,
    first: usize,
) -> Result<ChunkOutcome, Error> {
    let mut outcome = ChunkOutcome {
        rows: chunk.num_rows(),
        ..ChunkOutcome::default()
    };
    // Both paths bind from the same columns, cast once.
    let binder = encode::Encoder::new(chunk)?;
    let rows = match columnar {
        Some(plan) => {
            let by_column =
                columnar::write(pool, plan, &binder, chunk.num_rows(), is_systemic).await?;
            outcome.written += by_column.written.len() as u64;
            for (row, reason) in by_column.unknown {
                let failed = failed_row(chunk, first, row, FailureKind::Unknown, reason);
                outcome.failed.push(failed);
            }
            by_column.to_bulk
        }
        None => (0..chunk.num_rows()).collect(),
    };
    if !rows.is_empty() {
        write_rows(pool, sql, chunk, &binder, first, rows, &mut outcome).await?;
    }
    Ok(outcome)
}

/// Source row `row` of a chunk whose first row is source row `first`, as a failed row.
fn failed_row(
    chunk: &RecordBatch,
    first: usize,
    row: usize,
    kind: FailureKind,
    reason: String,
) -> FailedRow {
    FailedRow {
        index: first + row,
        kind,
        reason,
        values: encode::row_json(chunk, row),
    }
}

/// Writes `rows` of a chunk as `bulk_args` rows; rows of a request rejected as a whole are
/// retried in halves down to single rows, so that one bad value fails only its own row.
async fn write_rows(
    pool: &CrateDbPool,
    sql: &str,
    chunk: &RecordBatch,
    binder: &encode::Encoder,
    first: usize,
    rows: Vec<usize>,
    outcome: &mut ChunkOutcome,
) -> Result<(), Error> {
    let failed = |row, kind, reason| failed_row(chunk, first, row, kind, reason);
    let mut queue: VecDeque<(Vec<usize>, usize)> = VecDeque::new();
    queue.push_back((rows, 0));
    while let Some((rows, round)) = queue.pop_front() {
        let encoded = binder.encode(&rows);
        for (row, reason) in encoded.failed {
            outcome
                .failed
                .push(failed(row, FailureKind::Encode, reason));
        }
        if encoded.rows.is_empty() {
            continue;
        }
        let result = sqlx_cratedb::bulk::execute_bulk(pool, AssertSqlSafe(sql), encoded.args).await;
        let result = match result {
            Ok(result) => result,
            Err(e) if encoded.rows.len() > 1 && !is_systemic(&e) => {
                let (a, b) = encoded.rows.split_at(encoded.rows.len() / 2);
                queue.push_back((a.to_vec(), round));
                queue.push_back((b.to_vec(), round));
                continue;
            }
            Err(e) if encoded.rows.len() == 1 && !is_systemic(&e) => {
                outcome.failed.push(failed(
                    encoded.rows[0],
                    FailureKind::Rejected,
                    e.to_string(),
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if encoded.rows.len() > 1 && rejected_as_a_whole(result.rows()) {
            let (a, b) = encoded.rows.split_at(encoded.rows.len() / 2);
            queue.push_back((a.to_vec(), round));
            queue.push_back((b.to_vec(), round));
            continue;
        }
        let mut again = Vec::new();
        for (&row, status) in encoded.rows.iter().zip(result.rows()) {
            match status {
                CrateDbBulkRow::Applied(n) => outcome.written += n.unwrap_or(1),
                CrateDbBulkRow::Failed(e) => {
                    outcome
                        .failed
                        .push(failed(row, FailureKind::Rejected, e.to_string()));
                }
                CrateDbBulkRow::NotExecuted if round < RETRY_ROUNDS => again.push(row),
                CrateDbBulkRow::NotExecuted => {
                    let reason = result
                        .request_error()
                        .map_or_else(|| "not executed".to_owned(), ToString::to_string);
                    outcome
                        .failed
                        .push(failed(row, FailureKind::NotExecuted, reason));
                }
                _ => {
                    let reason = "no answer for its request: it may or may not be stored";
                    outcome
                        .failed
                        .push(failed(row, FailureKind::Unknown, reason.to_owned()));
                }
            }
        }
        if !again.is_empty() {
            queue.push_back((again, round + 1));
        }
    }
    Ok(())
}

/// A schema with a name that needs quoting and a timestamp, for the statement tests of
/// `sql.rs` and `columnar.rs`.
#[cfg(test)]
fn sample_schema() -> arrow_schema::Schema {
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("na\"me", DataType::Utf8, true),
        Field::new(
            "at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
    ])
}
