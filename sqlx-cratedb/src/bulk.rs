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
//! [`CrateDbBulkRow::Failed`] with its index; CrateDB sends no message for it). Against
//! PostgreSQL a batch is one implicit transaction: the failing row is `Failed` with its error,
//! and the other rows of that batch are [`CrateDbBulkRow::NotExecuted`] (rolled back or
//! skipped); other batches are unaffected. [`CrateDbBulkResult::requests`] then counts batches.

use std::sync::Arc;

use sqlx_core::error::Error;
use sqlx_core::sql_str::SqlSafeStr;

use crate::CrateDbPool;
use crate::connection::CrateDbConnection;
use crate::error::{CrateDbDatabaseError, copy_error};
use crate::model::arguments::CrateDbArguments;
use crate::model::bulk_result::{CrateDbBulkResult, CrateDbBulkRow};
use crate::protocol::ProtocolError;
use crate::protocol::http::request;

/// CrateDB's `rowcount` for a row that failed at runtime.
const ROW_FAILED: i64 = -2;

/// Limits of one bulk execution (defaults from the connection options).
#[derive(Debug, Clone, Copy)]
struct Limits {
    rows: usize,
    bytes: usize,
}

impl CrateDbConnection {
    /// Runs `sql` (an `INSERT`, `UPDATE` or `DELETE` without `RETURNING`) once per parameter
    /// row, in as few requests as the limits allow, and reports every row's outcome.
    ///
    /// `Err` means that nothing of this call was applied; whenever rows may have been applied,
    /// the result is `Ok` and says for every row what is known. A request that was sent but
    /// got no definite answer (connection lost, `timeout`, HTTP 502/503/504, an unreadable
    /// answer) marks its rows [`CrateDbBulkRow::Unknown`], even for the first request: CrateDB
    /// may have applied them, so do not resend them blindly. A row whose arguments failed to
    /// encode after a request was sent stops the call: the requests sent are reported, that
    /// row and every later one are [`CrateDbBulkRow::NotExecuted`], and
    /// [`CrateDbBulkResult::request_error`] names the row and the encode error. A later request
    /// that CrateDB refuses as a whole as invalid (HTTP 4xx: a value it cannot convert to the column's
    /// type rejects every row of its request; a duplicate key fails only its row) marks its rows
    /// [`CrateDbBulkRow::Failed`] and the next requests still run.
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
        #[cfg(feature = "pgwire")]
        if let crate::connection::Transport::Pg(pg) = &mut self.transport {
            let result =
                crate::connection::pgwire::bulk::execute_bulk(pg, sql.as_str(), rows).await;
            if self.tx.depth > 0 {
                self.tx.statements += result
                    .as_ref()
                    .map_or(1, |r| u64::try_from(r.requests).unwrap_or(u64::MAX));
            }
            return result;
        }
        let limits = Limits {
            rows: self.transport.options().bulk_rows,
            bytes: self.transport.options().bulk_bytes,
        };
        let mut result = CrateDbBulkResult::default();
        let prefix = request::bulk_body_start(sql.as_str());
        let fresh = || {
            let mut b = Vec::with_capacity(limits.bytes.min(1 << 20));
            b.extend_from_slice(&prefix);
            b
        };
        let mut body = fresh();
        let mut in_chunk = 0usize;
        let mut failed = false;
        for (index, row) in rows.into_iter().enumerate() {
            if failed {
                result.rows.push(CrateDbBulkRow::NotExecuted);
                continue;
            }
            if let Some(e) = row.deferred_error() {
                let message = format!("bulk row {index}: cannot encode argument: {e}");
                if result.requests == 0 {
                    // Nothing was sent: nothing of this call was applied.
                    return Err(Error::Encode(message.into()));
                }
                // Earlier requests were sent and are reported; the rows of the unsent request,
                // this row and the rest are not run.
                result
                    .rows
                    .extend((0..=in_chunk).map(|_| CrateDbBulkRow::NotExecuted));
                result.request_error = Some(Arc::new(Error::Encode(message.into())));
                failed = true;
                continue;
            }
            let size = request::bulk_row_size(row.json());
            if in_chunk > 0 && (in_chunk >= limits.rows || body.len() + size > limits.bytes) {
                let chunk = std::mem::replace(&mut body, fresh());
                failed = !self.send_chunk(chunk, in_chunk, &mut result).await?;
                in_chunk = 0;
                if failed {
                    result.rows.push(CrateDbBulkRow::NotExecuted);
                    continue;
                }
            }
            request::bulk_body_push(&mut body, row.json(), in_chunk == 0);
            in_chunk += 1;
        }
        if in_chunk > 0 && !failed {
            self.send_chunk(body, in_chunk, &mut result).await?;
        }
        Ok(result)
    }

    /// Sends one request of `count` rows. Returns `Ok(false)` when it failed as a whole without
    /// a definite answer (rows marked in `result`: the call stops), `Ok(true)` when it succeeded
    /// or CrateDB refused it as invalid with a 4xx error body (rows marked `Failed`: the call goes
    /// on), `Err`
    /// when it was the first request and nothing of it can have been
    /// applied (never sent, or rejected by CrateDB with an error body).
    async fn send_chunk(
        &mut self,
        mut body: Vec<u8>,
        count: usize,
        result: &mut CrateDbBulkResult,
    ) -> Result<bool, Error> {
        let first_index = result.rows.len();
        request::bulk_body_finish(&mut body);
        result.requests += 1;
        if self.tx.depth > 0 {
            self.tx.statements += 1;
        }
        match self.bulk_request(body, first_index, count).await {
            Ok(items) => {
                result.rows.extend(items);
                result.server_duration = crate::model::query_result::add_durations(
                    result.server_duration,
                    self.last_server_duration(),
                );
                Ok(true)
            }
            Err((error, sent)) => {
                let outcome = request_outcome(&error, sent);
                if first_index == 0 && !matches!(outcome, RequestOutcome::Unknown) {
                    return Err(error);
                }
                for i in 0..count {
                    result.rows.push(match &outcome {
                        RequestOutcome::Rejected(e) => {
                            CrateDbBulkRow::Failed(e.clone().with_row_index(first_index + i))
                        }
                        RequestOutcome::Unknown => CrateDbBulkRow::Unknown,
                        RequestOutcome::NotSent => CrateDbBulkRow::NotExecuted,
                    });
                }
                result.request_error = Some(Arc::new(copy_error(&error)));
                // A request CrateDB refused as invalid (4xx: for example a value it cannot
                // convert rejects the whole request) applied none of its rows and leaves the
                // connection in step: the next requests still run. After a server error the
                // call stops.
                Ok(
                    matches!(&outcome, RequestOutcome::Rejected(e) if e.status().is_some_and(|s| (400..500).contains(&s))),
                )
            }
        }
    }

    /// Sends a finished bulk body; on failure also says whether the request may have been sent.
    async fn bulk_request(
        &mut self,
        body: Vec<u8>,
        first_index: usize,
        count: usize,
    ) -> Result<Vec<CrateDbBulkRow>, (Error, bool)> {
        let http = self.transport.http().map_err(|e| (e, false))?;
        let response = http.post_sql(body, false).await.map_err(|e| {
            // `post_sql` reports a request that never left as `ConnectionRefused` or, when the
            // TLS handshake failed, as `Error::Tls`.
            let sent = !matches!(&e,
                Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused)
                && !matches!(&e, Error::Tls(_));
            (e, sent)
        })?;
        let mut reader = crate::connection::stream::ResultReader::new(response)
            .await
            .map_err(|e| (e, true))?;
        let mut out = Vec::with_capacity(count);
        while let Some(item) = reader.next_bulk_item().await.map_err(|e| (e, true))? {
            let index = first_index + out.len();
            out.push(match (item.rowcount, item.error) {
                (_, Some(err)) => CrateDbBulkRow::Failed(
                    CrateDbDatabaseError::new(err.code, 200, err.message).with_row_index(index),
                ),
                (ROW_FAILED, None) => CrateDbBulkRow::Failed(
                    CrateDbDatabaseError::new(
                        None,
                        200,
                        "row failed (CrateDB sent no error details for it)".to_owned(),
                    )
                    .with_row_index(index),
                ),
                (n, None) => CrateDbBulkRow::Applied(u64::try_from(n).ok()),
            });
        }
        if out.len() != count {
            return Err((
                ProtocolError::BulkResultCount {
                    expected: count,
                    found: out.len(),
                }
                .into(),
                true,
            ));
        }
        Ok(out)
    }
}

/// What a request that failed as a whole did to its rows.
#[derive(Debug)]
enum RequestOutcome {
    /// CrateDB answered with an error for the whole request: none of its rows was applied.
    Rejected(CrateDbDatabaseError),
    /// The request never left: none of its rows was applied.
    NotSent,
    /// The request was sent and no definite answer came back (connection lost, timeout, a
    /// gateway's 502/503/504, an unreadable answer): CrateDB may have applied any of its rows.
    Unknown,
}

/// Classifies a whole-request failure. A 502/503/504/509 comes from a proxy or a node that
/// stopped answering after it may have forwarded or begun the request, so it is `Unknown`,
/// never `Rejected`: resending those rows could apply them twice.
fn request_outcome(error: &Error, sent: bool) -> RequestOutcome {
    if !sent {
        return RequestOutcome::NotSent;
    }
    let Error::Database(db) = error else {
        return RequestOutcome::Unknown;
    };
    // Over HTTP every database error is CrateDB's; anything else has no definite answer.
    match db.try_downcast_ref::<CrateDbDatabaseError>() {
        Some(e) if !matches!(e.status(), Some(502..=504 | 509)) => {
            RequestOutcome::Rejected(e.clone())
        }
        _ => RequestOutcome::Unknown,
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
