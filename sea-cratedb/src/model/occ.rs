//! Optimistic concurrency control: CrateDB's `_seq_no` and `_primary_term` (reference §3.4).

use sea_query::{DeleteStatement, ExprTrait as _, SelectStatement, UpdateStatement};

use crate::expr;

/// The version of a row as CrateDB reports it (`_seq_no`, `_primary_term`), for optimistic
/// concurrency control: read it with the row, then update or delete the row only if it is
/// still at that version. Zero rows affected means another writer changed (or deleted) the
/// row first: read it again and retry, or give up.
///
/// CrateDB requires the full primary key in such a statement, which the
/// [`KeyedModel`](super::KeyedModel) methods always include.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "macros")] {
/// # use sea_cratedb::CrateModel;
/// # #[derive(CrateModel)]
/// # #[cratedb(table = "docs")]
/// # struct Doc { #[cratedb(primary_key)] id: String, title: String }
/// use sea_cratedb::{CheckedQuery, KeyedModel, RowVersion};
///
/// // The row and its version: `_seq_no` and `_primary_term` are the last two columns.
/// let (sql, _) = Doc::select_versioned_by_pk("a".to_owned()).try_build()?;
/// assert_eq!(
///     sql,
///     r#"SELECT "id", "title", "_seq_no", "_primary_term" FROM "docs" WHERE "id" = $1"#
/// );
///
/// let doc = Doc { id: "a".into(), title: "New".into() };
/// let version = RowVersion { seq_no: 4, primary_term: 1 };
/// let (sql, _) = doc.update_if_version(version).try_build()?;
/// assert_eq!(
///     sql,
///     r#"UPDATE "docs" SET "title" = $1 WHERE "id" = $2 AND "_seq_no" = $3 AND "_primary_term" = $4"#
/// );
/// let (sql, _) = doc.delete_if_version(version).try_build()?;
/// assert_eq!(
///     sql,
///     r#"DELETE FROM "docs" WHERE "id" = $1 AND "_seq_no" = $2 AND "_primary_term" = $3"#
/// );
/// # }
/// # Ok::<(), sea_cratedb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowVersion {
    /// `_seq_no`: the sequence number of the row's last write.
    pub seq_no: i64,
    /// `_primary_term`: the primary term of the row's last write.
    pub primary_term: i64,
}

impl RowVersion {
    /// Adds the version columns to a `SELECT` (after its other columns).
    pub(crate) fn select_columns(select: &mut SelectStatement) {
        select.expr(expr::seq_no()).expr(expr::primary_term());
    }

    /// Restricts an `UPDATE` to rows still at this version.
    pub(crate) fn guard_update(self, update: &mut UpdateStatement) {
        update
            .and_where(expr::seq_no().eq(self.seq_no))
            .and_where(expr::primary_term().eq(self.primary_term));
    }

    /// Restricts a `DELETE` to rows still at this version.
    pub(crate) fn guard_delete(self, delete: &mut DeleteStatement) {
        delete
            .and_where(expr::seq_no().eq(self.seq_no))
            .and_where(expr::primary_term().eq(self.primary_term));
    }
}
