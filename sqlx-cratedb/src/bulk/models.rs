//! Bulk inserts of `#[derive(CrateModel)]` rows: [`insert_models`] and [`upsert_models`].

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::StreamExt as _;
use sea_cratedb::{CheckedQuery as _, KeyedModel, Model};
use sea_query::InsertStatement;
use sqlx_core::error::Error;
use sqlx_core::sql_str::AssertSqlSafe;

use crate::CrateDbPool;
use crate::model::arguments::CrateDbArguments;
use crate::model::bulk_result::{CrateDbBulkResult, CrateDbBulkRow};
use crate::sea_query::values_to_arguments;

/// How [`insert_models`] and [`upsert_models`] send the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelBulkOptions {
    batch_size: usize,
    concurrency: usize,
}

impl Default for ModelBulkOptions {
    fn default() -> Self {
        Self {
            batch_size: 5000,
            concurrency: 4,
        }
    }
}

impl ModelBulkOptions {
    /// 5,000 rows per bulk request, 4 requests in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows per bulk request (at least 1).
    #[must_use]
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = rows.max(1);
        self
    }

    /// Bulk requests in flight at once, each on its own pooled connection (at least 1).
    #[must_use]
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }
}

/// Inserts `rows` with `bulk_args` (batches of [`ModelBulkOptions::batch_size`],
/// [`ModelBulkOptions::concurrency`] in flight), and reports every row's outcome in the
/// order of `rows`: a row CrateDB refuses (a duplicate key, a value the column cannot take) is
/// [`CrateDbBulkRow::Failed`] with its index in `rows`, and the others are stored.
///
/// Rows whose `INSERT` differs (a `None` in a column with a DEFAULT leaves that column out)
/// are sent in separate batches.
///
/// # Errors
/// A row the dialect cannot write ([`Error::Encode`], naming the row), before anything is
/// sent. Requests that fail as a whole are reported per row, not as `Err`: their rows are
/// [`CrateDbBulkRow::NotExecuted`] when they surely were not applied (the error is in
/// [`CrateDbBulkResult::request_error`]) and [`CrateDbBulkRow::Unknown`] when they may
/// have been.
pub async fn insert_models<M: Model>(
    pool: &CrateDbPool,
    rows: &[M],
    options: ModelBulkOptions,
) -> Result<CrateDbBulkResult, Error> {
    run(pool, rows.iter().map(Model::insert), rows.len(), options).await
}

/// As [`insert_models`], with `INSERT … ON CONFLICT (key) DO UPDATE SET` every other column
/// (the model's [`upsert`](KeyedModel::upsert)).
///
/// # Errors
/// As [`insert_models`].
pub async fn upsert_models<M: KeyedModel>(
    pool: &CrateDbPool,
    rows: &[M],
    options: ModelBulkOptions,
) -> Result<CrateDbBulkResult, Error> {
    run(
        pool,
        rows.iter().map(KeyedModel::upsert),
        rows.len(),
        options,
    )
    .await
}

/// One batch: the statement, the source index and arguments of each of its rows.
struct Batch {
    sql: Arc<str>,
    indexes: Vec<usize>,
    arguments: Vec<CrateDbArguments>,
}

async fn run(
    pool: &CrateDbPool,
    statements: impl Iterator<Item = InsertStatement>,
    total: usize,
    options: ModelBulkOptions,
) -> Result<CrateDbBulkResult, Error> {
    let batches = batches(statements, options.batch_size)?;
    let mut result = CrateDbBulkResult {
        rows: vec![CrateDbBulkRow::NotExecuted; total],
        ..CrateDbBulkResult::default()
    };
    let mut done = futures_util::stream::iter(batches)
        .map(|batch| async move {
            let outcome = match pool.acquire().await {
                Ok(mut conn) => {
                    conn.execute_bulk(AssertSqlSafe(batch.sql.to_string()), batch.arguments)
                        .await
                }
                Err(e) => Err(e),
            };
            (batch.indexes, outcome)
        })
        .buffer_unordered(options.concurrency);
    while let Some((indexes, outcome)) = done.next().await {
        match outcome {
            Ok(bulk) => {
                result.requests += bulk.requests;
                if result.request_error.is_none() {
                    result.request_error.clone_from(&bulk.request_error);
                }
                for (row, index) in bulk.into_rows().into_iter().zip(&indexes) {
                    result.rows[*index] = match row {
                        CrateDbBulkRow::Failed(e) => {
                            CrateDbBulkRow::Failed(e.with_row_index(*index))
                        }
                        other => other,
                    };
                }
            }
            // `execute_bulk` returns `Err` only when nothing of its call was applied.
            Err(error) => {
                if result.request_error.is_none() {
                    result.request_error = Some(Arc::new(error));
                }
            }
        }
    }
    Ok(result)
}

/// Builds every row's statement first (so that a row the dialect refuses stops the call
/// before anything is sent), grouped by SQL and cut into batches, in source order.
fn batches(
    statements: impl Iterator<Item = InsertStatement>,
    batch_size: usize,
) -> Result<Vec<Batch>, Error> {
    let mut groups: Vec<Batch> = Vec::new();
    let mut open: HashMap<Arc<str>, usize> = HashMap::new();
    let mut full = Vec::new();
    for (index, statement) in statements.enumerate() {
        let (sql, values) = statement
            .try_build()
            .map_err(|e| Error::Encode(format!("row {index}: {e}").into()))?;
        let at = if let Some(&at) = open.get(sql.as_str()) {
            at
        } else {
            let sql: Arc<str> = sql.into();
            groups.push(Batch {
                sql: Arc::clone(&sql),
                indexes: Vec::new(),
                arguments: Vec::new(),
            });
            open.insert(sql, groups.len() - 1);
            groups.len() - 1
        };
        let batch = &mut groups[at];
        batch.indexes.push(index);
        batch.arguments.push(values_to_arguments(&values));
        if batch.indexes.len() >= batch_size {
            let sql = Arc::clone(&batch.sql);
            let filled = std::mem::replace(
                batch,
                Batch {
                    sql: Arc::clone(&sql),
                    indexes: Vec::new(),
                    arguments: Vec::new(),
                },
            );
            full.push(filled);
        }
    }
    full.extend(groups.into_iter().filter(|b| !b.indexes.is_empty()));
    Ok(full)
}
