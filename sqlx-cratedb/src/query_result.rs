//! [`CrateDbQueryResult`]: what a statement without a result set reports.

/// The outcome of a statement: CrateDB's `rowcount`.
///
/// CrateDB reports `-1` when the count is unknown (e.g. some `ALTER`s);
/// [`rows_affected`](Self::rows_affected) is then 0 and [`rowcount`](Self::rowcount) is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CrateDbQueryResult {
    pub(crate) rows_affected: u64,
    pub(crate) unknown: bool,
}

impl CrateDbQueryResult {
    /// From CrateDB's `rowcount` (negative = unknown).
    pub(crate) fn from_rowcount(rowcount: i64) -> Self {
        match u64::try_from(rowcount) {
            Ok(n) => Self {
                rows_affected: n,
                unknown: false,
            },
            Err(_) => Self {
                rows_affected: 0,
                unknown: true,
            },
        }
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
