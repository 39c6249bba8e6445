//! [`CrateDbQueryResult`]: what a statement without a result set reports.

use std::time::Duration;

use sqlx_core::Either;
use sqlx_core::logger::QueryLogger;

use super::row::CrateDbRow;

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
            self.server_duration = add_durations(self.server_duration, r.server_duration);
        }
    }
}

/// Adds two optional durations: the sum of those present, `None` when neither is.
pub(crate) fn add_durations(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, b) => a.or(b),
    }
}

/// One item of a query's stream: a statement's row count or a row.
pub(crate) type QueryItem = Either<CrateDbQueryResult, CrateDbRow>;

/// Counts an item of a query stream in its log record.
pub(crate) fn log_item(logger: &mut QueryLogger, item: &QueryItem) {
    match item {
        Either::Left(r) => logger.increase_rows_affected(r.rows_affected()),
        Either::Right(_) => logger.increment_rows_returned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_present_durations() {
        let ms = Duration::from_millis;
        assert_eq!(add_durations(Some(ms(1)), Some(ms(2))), Some(ms(3)));
        assert_eq!(add_durations(None, Some(ms(2))), Some(ms(2)));
        assert_eq!(add_durations(Some(ms(1)), None), Some(ms(1)));
        assert_eq!(add_durations(None, None), None);
    }
}
