//! [`CrateDbQueryResult`]: what a statement without a result set reports.

use std::time::Duration;

/// The outcome of a statement: CrateDB's `rowcount` and, over HTTP, its `duration`.
///
/// CrateDB reports `-1` when the count is unknown (e.g. some `ALTER`s);
/// [`rows_affected`](Self::rows_affected) is then 0 and [`rowcount`](Self::rowcount) is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CrateDbQueryResult {
    pub(crate) rows_affected: u64,
    pub(crate) unknown: bool,
    pub(crate) server_duration: Option<Duration>,
}

impl CrateDbQueryResult {
    /// From CrateDB's `rowcount` (negative = unknown).
    pub(crate) fn from_rowcount(rowcount: i64) -> Self {
        match u64::try_from(rowcount) {
            Ok(n) => Self {
                rows_affected: n,
                unknown: false,
                server_duration: None,
            },
            Err(_) => Self {
                rows_affected: 0,
                unknown: true,
                server_duration: None,
            },
        }
    }

    /// With the server's duration for the statement.
    pub(crate) fn with_server_duration(mut self, duration: Option<Duration>) -> Self {
        self.server_duration = duration;
        self
    }

    /// The time CrateDB spent on the statement, as its HTTP response reports it (`duration`),
    /// without network and client time; summed over the statements of one `execute_many`.
    /// `None` over pgwire (the PostgreSQL protocol carries no timing) and when the server
    /// sent no duration. [`CrateDbConnection::last_server_duration`](crate::CrateDbConnection::last_server_duration)
    /// has it for `fetch` calls.
    pub fn server_duration(&self) -> Option<Duration> {
        self.server_duration
    }

    /// The number of rows the statement inserted, updated, deleted or returned.
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }

    /// The count as CrateDB reported it: `None` when the server said `-1` (unknown).
    pub fn rowcount(&self) -> Option<u64> {
        (!self.unknown).then_some(self.rows_affected)
    }
}

impl Extend<CrateDbQueryResult> for CrateDbQueryResult {
    fn extend<T: IntoIterator<Item = CrateDbQueryResult>>(&mut self, iter: T) {
        for r in iter {
            self.rows_affected += r.rows_affected;
            self.unknown |= r.unknown;
            self.server_duration =
                crate::connection::timing::add(self.server_duration, r.server_duration);
        }
    }
}

#[cfg(feature = "any")]
impl From<CrateDbQueryResult> for sqlx_core::any::AnyQueryResult {
    fn from(r: CrateDbQueryResult) -> Self {
        sqlx_core::any::AnyQueryResult {
            rows_affected: r.rows_affected,
            last_insert_id: None,
        }
    }
}
