//! [`CrateDbBulkResult`]: the per-row outcome of a bulk execution, the same for both
//! transports.

use std::sync::Arc;

use sqlx_core::error::Error;

use crate::error::CrateDbDatabaseError;

/// The outcome of one input row of a bulk execution.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrateDbBulkRow {
    /// The row was applied; CrateDB's row count for it (`None` when CrateDB reported it unknown).
    Applied(Option<u64>),
    /// CrateDB rejected this row; the error carries the row's index
    /// ([`CrateDbDatabaseError::row_index`]).
    Failed(CrateDbDatabaseError),
    /// The request carrying this row failed as a whole after it was sent (connection lost,
    /// timeout, HTTP 502/503/504 from a proxy or an overloaded node): CrateDB may or may not
    /// have applied it. Resending such a row may apply it twice.
    Unknown,
    /// Not applied: an earlier request of the same call failed without a definite answer, or
    /// (over pgwire against PostgreSQL, which runs each batch up to its `Sync` as one implicit
    /// transaction) another row of the same batch failed, so the batch was rolled back and later rows of it
    /// were skipped. CrateDB has no transactions: it reports each row on its own.
    NotExecuted,
}

/// Per-row results of a bulk execution, in input order.
#[derive(Debug, Clone, Default)]
pub struct CrateDbBulkResult {
    pub(crate) rows: Vec<CrateDbBulkRow>,
    pub(crate) requests: usize,
    pub(crate) request_error: Option<Arc<Error>>,
    pub(crate) server_duration: Option<std::time::Duration>,
    pub(crate) refresh_error: Option<Arc<Error>>,
}

impl CrateDbBulkResult {
    /// One entry per input row, in input order.
    pub fn rows(&self) -> &[CrateDbBulkRow] {
        &self.rows
    }

    /// Consumes the result into its rows.
    pub fn into_rows(self) -> Vec<CrateDbBulkRow> {
        self.rows
    }

    /// Sum of the row counts of the applied rows.
    pub fn rows_affected(&self) -> u64 {
        self.rows
            .iter()
            .map(|r| match r {
                CrateDbBulkRow::Applied(Some(n)) => *n,
                _ => 0,
            })
            .sum()
    }

    /// The rows that failed, with their errors (the error's `row_index` is the input index).
    pub fn failures(&self) -> impl Iterator<Item = &CrateDbDatabaseError> {
        self.rows.iter().filter_map(|r| match r {
            CrateDbBulkRow::Failed(e) => Some(e),
            _ => None,
        })
    }

    /// True when every row was applied.
    pub fn is_success(&self) -> bool {
        self.rows
            .iter()
            .all(|r| matches!(r, CrateDbBulkRow::Applied(_)))
    }

    /// With `refresh_after_writes`: the error of the `REFRESH TABLE` that followed the run
    /// (the rows were applied as [`rows`](Self::rows) says; only their visibility to scans
    /// waits for CrateDB's periodic refresh).
    pub fn refresh_error(&self) -> Option<&Error> {
        self.refresh_error.as_deref()
    }

    /// How many HTTP requests (over pgwire: `Sync` batches) were sent.
    pub fn requests(&self) -> usize {
        self.requests
    }

    /// When a request failed as a whole without making the call fail, or a row could not be
    /// encoded after a request was sent: that error, with its kind (`Error::Io` for a lost
    /// connection or a timeout, `Error::Database` for a request CrateDB refused, `Error::Encode`
    /// for a row that could not be encoded).
    pub fn request_error(&self) -> Option<&Error> {
        self.request_error.as_deref()
    }

    /// The time CrateDB spent on the requests that answered, summed (each HTTP response's
    /// `duration`); `None` over pgwire, which carries no timing, or when no request answered.
    pub fn server_duration(&self) -> Option<std::time::Duration> {
        self.server_duration
    }
}
