//! The `INSERT` of [`Model`] rows, and what a `None` in a column with a DEFAULT becomes.
//!
//! CrateDB accepts the `DEFAULT` keyword in `VALUES` only since 6.3.0 (and never
//! `DEFAULT VALUES`), so the statements here never write it: a column whose DEFAULT should
//! apply is left out of the column list, and where one multi-row statement cannot leave it out
//! for some rows only, those rows get the column's declared DEFAULT expression.

use sea_query::{Expr, InsertStatement, Query, Value};

use super::Model;

/// The `INSERT` of `rows` (each aligned with [`Model::INSERT_COLUMNS`]) and the columns it left
/// out because every row holds `NULL` in a column with a DEFAULT (see [`Model::insert_many`]).
pub(super) fn insert_rows<M: Model>(rows: &[Vec<Value>]) -> (InsertStatement, Vec<M::Column>) {
    let columns = M::INSERT_COLUMNS;
    let defaults: Vec<Option<&'static str>> = columns.iter().map(|c| default_of::<M>(*c)).collect();
    let mut kept: Vec<usize> = (0..columns.len())
        .filter(|&i| {
            defaults[i].is_none() || rows.is_empty() || !rows.iter().all(|r| null_at(r, i))
        })
        .collect();
    if kept.is_empty() && !columns.is_empty() {
        // CrateDB has no `INSERT … DEFAULT VALUES`: keep one column (its DEFAULT expression is
        // written below), since an INSERT needs a column.
        kept.push(0);
    }
    let omitted = (0..columns.len())
        .filter(|i| !kept.contains(i))
        .map(|i| columns[i])
        .collect();

    let mut insert = Query::insert();
    insert
        .into_table(M::table_ref())
        .columns(kept.iter().map(|&i| columns[i]));
    for row in rows {
        // The derive keeps `values()` aligned with `INSERT_COLUMNS`. A misaligned row (a
        // hand-written `Model`) is left out, as sea-query's column/value count check did before.
        if row.len() != columns.len() {
            continue;
        }
        let values = kept.iter().map(|&i| match defaults[i] {
            Some(default) if !row[i].is_some() => Expr::cust(default),
            _ => Expr::from(row[i].clone()),
        });
        // One value per kept column: the count check cannot fail.
        let _ = insert.values(values);
    }
    (insert, omitted)
}

/// The DEFAULT expression declared for `column` ([`Model::COLUMN_DEFAULTS`]).
fn default_of<M: Model>(column: M::Column) -> Option<&'static str> {
    M::COLUMN_DEFAULTS
        .iter()
        .find(|(c, _)| *c == column)
        .map(|(_, sql)| *sql)
}

/// Whether the row's value at `index` is SQL `NULL` (a `None` field).
fn null_at(row: &[Value], index: usize) -> bool {
    row.get(index).is_some_and(|value| !value.is_some())
}
