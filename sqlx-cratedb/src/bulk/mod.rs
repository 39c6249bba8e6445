//! Bulk execution over CrateDB's `bulk_args`: one statement, many parameter rows, a result for
//! every row.
//!
//! Rows are packed into requests of at most [`bulk_rows`](crate::CrateDbConnectOptions::bulk_rows)
//! rows (default 5,000) and [`bulk_bytes`](crate::CrateDbConnectOptions::bulk_bytes) bytes
//! (default 16 MiB, well under CrateDB's 100 MB request limit); bodies from
//! [`gzip_min_bytes`](crate::CrateDbConnectOptions::gzip_min_bytes) on are gzip-compressed.
//! Bulk statements are writes, so a request is sent to another node only if it never left.
//!
//! Over the PostgreSQL wire protocol the same API sends each batch as one `Parse`, then
//! N × (`Bind`, `Execute`) and one `Sync`; CrateDB runs that as one bulk operation and answers
//! every row with its own command tag (`INSERT 0 -3` marks a failed row, reported as
//! [`CrateDbBulkRow::Failed`](crate::CrateDbBulkRow::Failed) with its index; CrateDB sends no message for it). Against
//! PostgreSQL a batch is one implicit transaction: the failing row is `Failed` with its error,
//! and the other rows of that batch are [`CrateDbBulkRow::NotExecuted`](crate::CrateDbBulkRow::NotExecuted) (rolled back or
//! skipped); other batches are unaffected. [`CrateDbBulkResult::requests`] then counts batches.
//!
//! With the `sea-cratedb` feature, `insert_models` and `upsert_models` write a slice of
//! `#[derive(CrateModel)]` rows this way, several requests in flight, every row's outcome
//! reported at its index in the slice.

#[cfg(feature = "sea-cratedb")]
mod models;

#[cfg(feature = "sea-cratedb")]
pub use models::{ModelBulkOptions, insert_models, upsert_models};
use sqlx_core::error::Error;
use sqlx_core::sql_str::SqlSafeStr;

use crate::CrateDbPool;
use crate::connection::CrateDbConnection;
use crate::model::arguments::CrateDbArguments;
use crate::model::bulk_result::CrateDbBulkResult;

impl CrateDbConnection {
    /// Runs `sql` (an `INSERT`, `UPDATE` or `DELETE` without `RETURNING`) once per parameter
    /// row, in as few requests as the limits allow, and reports every row's outcome.
    ///
    /// `Err` means that nothing of this call was applied; whenever rows may have been applied,
    /// the result is `Ok` and says for every row what is known. A request that was sent but
    /// got no definite answer (connection lost, `timeout`, HTTP 502/503/504, an unreadable
    /// answer) marks its rows [`CrateDbBulkRow::Unknown`](crate::CrateDbBulkRow::Unknown), even for the first request: CrateDB
    /// may have applied them, so do not resend them blindly. A row whose arguments failed to
    /// encode after a request was sent stops the call: the requests sent are reported, that
    /// row and every later one are [`CrateDbBulkRow::NotExecuted`](crate::CrateDbBulkRow::NotExecuted), and
    /// [`CrateDbBulkResult::request_error`] names the row and the encode error. A later request
    /// that CrateDB refuses as a whole as invalid (HTTP 4xx: a value it cannot convert to the column's
    /// type rejects every row of its request; a duplicate key fails only its row) marks its rows
    /// [`CrateDbBulkRow::Failed`](crate::CrateDbBulkRow::Failed) and the next requests still run.
    ///
    /// # Errors
    /// A read (`SELECT`, `WITH`, `SHOW`, `VALUES`, `EXPLAIN`): CrateDB runs only writes in
    /// bulk, so it is refused before anything is sent ([`Error::Configuration`]). A row whose
    /// arguments failed to encode before any request was sent ([`Error::Encode`]). The *first*
    /// request rejected by CrateDB as a whole (e.g. a syntax error or an unknown table: nothing
    /// was executed), or never sent (no node reachable). Failures of single rows, and
    /// whole-request failures after the first request, are reported per row in the result.
    pub async fn execute_bulk<I>(
        &mut self,
        sql: impl SqlSafeStr,
        rows: I,
    ) -> Result<CrateDbBulkResult, Error>
    where
        I: IntoIterator<Item = CrateDbArguments>,
    {
        let sql = sql.into_sql_str();
        if crate::connection::failover::is_read_only(sql.as_str()) {
            return Err(Error::Configuration(
                "sqlx-cratedb: execute_bulk runs INSERT, UPDATE or DELETE; a read cannot be \
                 batched (CrateDB rejects result sets in bulk operations): run it with \
                 fetch/fetch_all instead"
                    .into(),
            ));
        }
        let mut result = self.transport.execute_bulk(sql.as_str(), rows).await;
        if let Ok(bulk) = &mut result {
            self.refresh_after_bulk(sql.as_str(), bulk).await;
        }
        if self.tx.depth > 0 {
            self.tx.statements += result
                .as_ref()
                .map_or(1, |r| u64::try_from(r.requests).unwrap_or(u64::MAX));
        }
        result
    }
}

impl CrateDbConnection {
    /// With `refresh_after_writes`, refreshes the table of a bulk run that applied rows; a
    /// failed refresh is kept in the result ([`CrateDbBulkResult::refresh_error`]), not
    /// returned in its place, so that no row's outcome is lost.
    async fn refresh_after_bulk(&mut self, sql: &str, bulk: &mut CrateDbBulkResult) {
        let wrote = bulk.rows().iter().any(|row| {
            !matches!(
                row,
                crate::CrateDbBulkRow::Failed(_) | crate::CrateDbBulkRow::NotExecuted
            )
        });
        if !self.transport.options().refresh_after_writes || !wrote {
            return;
        }
        let Some(refresh) = crate::connection::refresh_statement(sql) else {
            return;
        };
        if let Err(error) = self.transport.execute_simple(&refresh).await {
            log::warn!("sqlx-cratedb: the bulk run was applied, but {refresh} failed: {error}");
            bulk.refresh_error = Some(std::sync::Arc::new(error));
        }
    }
}

/// [`CrateDbConnection::execute_bulk`] on a connection taken from `pool`.
///
/// # Errors
/// As [`CrateDbConnection::execute_bulk`], plus failing to acquire a connection.
pub async fn execute_bulk<I>(
    pool: &CrateDbPool,
    sql: impl SqlSafeStr,
    rows: I,
) -> Result<CrateDbBulkResult, Error>
where
    I: IntoIterator<Item = CrateDbArguments>,
{
    let mut conn = pool.acquire().await?;
    conn.execute_bulk(sql, rows).await
}
