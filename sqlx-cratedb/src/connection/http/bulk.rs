//! Bulk execution over HTTP: `bulk_args` requests of at most `bulk_rows` rows and
//! `bulk_bytes` bytes, a result for every row (see
//! [`CrateDbConnection::execute_bulk`](crate::CrateDbConnection::execute_bulk)). Bulk
//! statements are writes: a request is sent to another node only if it never left.

use std::sync::Arc;

use sqlx_core::error::Error;

use super::Transport;
use super::stream::ResultReader;
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

impl Transport {
    /// Runs `sql` once per row in as few requests as the limits allow.
    pub(crate) async fn execute_bulk<I>(
        &self,
        sql: &str,
        rows: I,
    ) -> Result<CrateDbBulkResult, Error>
    where
        I: IntoIterator<Item = CrateDbArguments>,
    {
        let limits = Limits {
            rows: self.options.bulk_rows,
            bytes: self.options.bulk_bytes,
        };
        let mut result = CrateDbBulkResult::default();
        let prefix = request::bulk_body_start(sql);
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
        &self,
        mut body: Vec<u8>,
        count: usize,
        result: &mut CrateDbBulkResult,
    ) -> Result<bool, Error> {
        let first_index = result.rows.len();
        request::bulk_body_finish(&mut body);
        result.requests += 1;
        match self.bulk_request(body, first_index, count).await {
            Ok(items) => {
                result.rows.extend(items);
                result.server_duration = crate::model::query_result::add_durations(
                    result.server_duration,
                    self.last_duration.get(),
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
        &self,
        body: Vec<u8>,
        first_index: usize,
        count: usize,
    ) -> Result<Vec<CrateDbBulkRow>, (Error, bool)> {
        let response = self.post_sql(body, false).await.map_err(|e| {
            // `post_sql` reports a request that never left as `ConnectionRefused` or, when the
            // TLS handshake failed, as `Error::Tls`.
            let sent = !matches!(&e,
                Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused)
                && !matches!(&e, Error::Tls(_));
            (e, sent)
        })?;
        let mut reader = ResultReader::new(response).await.map_err(|e| (e, true))?;
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
