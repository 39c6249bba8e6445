//! [`ChangeSet`]: a partial update of a model's columns and object sub-fields.

use std::{fmt, marker::PhantomData};

use sea_query::{DynIden, Expr, IntoIden, Value};
use serde_json::{Map, Value as Json};

use super::{KeyedModel, Model, ModelColumn};
use crate::expr::Subscript;

/// The assignments of a partial `UPDATE` for model `M`: whole columns and object sub-fields
/// (`SET "col"['key'] = …`), in the order they were added.
///
/// Build one by hand, or compute it from two versions of a row with [`diff`](Self::diff);
/// run it with [`KeyedModel::update_fields`] (or [`KeyedModel::update_changed`]).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "macros")] {
/// use sea_cratedb::{ChangeSet, CheckedQuery, CrateModel, KeyedModel, sea_query::{Expr, ExprTrait}};
///
/// #[derive(CrateModel)]
/// #[cratedb(table = "sensors")]
/// struct Sensor {
///     #[cratedb(primary_key)]
///     id: String,
///     readings: i64,
///     #[cratedb(object(policy = "dynamic"))]
///     meta: serde_json::Value,
/// }
///
/// let changes = ChangeSet::new()
///     .set_expr(SensorColumn::Readings, Expr::col(SensorColumn::Readings).add(1))
///     .set_path(SensorColumn::Meta, ["location", "room"], "lab");
/// let sql = Sensor::update_fields("s1".to_owned(), changes).try_to_string()?;
/// assert_eq!(
///     sql,
///     r#"UPDATE "sensors" SET "readings" = "readings" + 1, "meta"['location']['room'] = 'lab' WHERE "id" = 's1'"#
/// );
/// # }
/// # Ok::<(), sea_cratedb::Error>(())
/// ```
pub struct ChangeSet<M: Model> {
    assignments: Vec<(DynIden, Expr)>,
    model: PhantomData<fn() -> M>,
}

impl<M: Model> ChangeSet<M> {
    /// No changes.
    pub fn new() -> Self {
        Self {
            assignments: Vec::new(),
            model: PhantomData,
        }
    }

    /// `SET "column" = value` (bound as a parameter).
    pub fn set(self, column: M::Column, value: impl Into<Value>) -> Self {
        self.push(column.into_iden(), Expr::from(value.into()))
    }

    /// `SET "column" = expr` (any sea-query expression, e.g. `Expr::col(c).add(1)`).
    pub fn set_expr(self, column: M::Column, expr: impl Into<Expr>) -> Self {
        self.push(column.into_iden(), expr.into())
    }

    /// `SET "column"['k1']['k2'] = value`: one sub-field of an object column. (CrateDB cannot
    /// update fields inside arrays of objects.)
    pub fn set_path<I, S>(self, column: M::Column, path: I, value: impl Into<Value>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Subscript>,
    {
        self.push(column.path(path).into(), Expr::from(value.into()))
    }

    /// `SET "column"['k1'] = expr`.
    pub fn set_path_expr<I, S>(self, column: M::Column, path: I, expr: impl Into<Expr>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Subscript>,
    {
        self.push(column.path(path).into(), expr.into())
    }

    /// Whether there is nothing to set.
    pub fn is_empty(&self) -> bool {
        self.assignments.is_empty()
    }

    /// The number of assignments.
    pub fn len(&self) -> usize {
        self.assignments.len()
    }

    /// The assignments: targets (columns or [`path`](crate::expr::path)s) and expressions.
    pub fn into_assignments(self) -> Vec<(DynIden, Expr)> {
        self.assignments
    }

    fn push(mut self, target: DynIden, expr: Expr) -> Self {
        self.assignments.push((target, expr));
        self
    }
}

impl<M: KeyedModel> ChangeSet<M> {
    /// The changes that turn `before` into `after`.
    ///
    /// Primary-key columns are never included (CrateDB cannot update them), nor generated
    /// columns. A changed value is set whole, except when both versions are JSON objects
    /// (`OBJECT` columns from nested structs or `serde_json::Value`): then each changed leaf
    /// is set by path (nested objects are walked; arrays are leaves), and each removed key is
    /// set to `NULL`.
    pub fn diff(before: &M, after: &M) -> Self {
        let mut changes = Self::new();
        let columns = M::INSERT_COLUMNS.iter().copied();
        for ((column, old), new) in columns.zip(before.values()).zip(after.values()) {
            if old == new || M::PRIMARY_KEY.contains(&column) {
                continue;
            }
            match (&old, &new) {
                (Value::Json(Some(old)), Value::Json(Some(new))) => {
                    if let (Json::Object(old), Json::Object(new)) = (&**old, &**new) {
                        diff_objects(column, &mut Vec::new(), old, new, &mut changes.assignments);
                        continue;
                    }
                    changes = changes.set(column, Value::Json(Some(new.clone())));
                }
                _ => changes = changes.set(column, new),
            }
        }
        changes
    }
}

/// Appends an assignment per changed leaf of `new` and per key removed from `old`.
fn diff_objects<C: ModelColumn>(
    column: C,
    path: &mut Vec<String>,
    old: &Map<String, Json>,
    new: &Map<String, Json>,
    out: &mut Vec<(DynIden, Expr)>,
) {
    for (key, new_value) in new {
        let old_value = old.get(key);
        if old_value == Some(new_value) {
            continue;
        }
        path.push(key.clone());
        match (old_value, new_value) {
            (Some(Json::Object(old)), Json::Object(new)) => {
                diff_objects(column, path, old, new, out);
            }
            _ => out.push((
                column.path(path.iter().cloned()).into(),
                json_leaf(new_value),
            )),
        }
        path.pop();
    }
    for key in old.keys().filter(|key| !new.contains_key(*key)) {
        path.push(key.clone());
        out.push((column.path(path.iter().cloned()).into(), Expr::null()));
        path.pop();
    }
}

/// A JSON leaf as a typed value (numbers, text and booleans bind as themselves).
fn json_leaf(value: &Json) -> Expr {
    match value {
        Json::Null => Expr::null(),
        Json::Bool(b) => Expr::from(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Expr::from(i),
            (None, Some(u), _) => Expr::from(u),
            (None, None, Some(f)) => Expr::from(f),
            (None, None, None) => Expr::from(Value::Json(Some(Box::new(value.clone())))),
        },
        Json::String(s) => Expr::from(s.clone()),
        Json::Array(_) | Json::Object(_) => Expr::from(Value::Json(Some(Box::new(value.clone())))),
    }
}

impl<M: Model> Default for ChangeSet<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> Clone for ChangeSet<M> {
    fn clone(&self) -> Self {
        Self {
            assignments: self.assignments.clone(),
            model: PhantomData,
        }
    }
}

impl<M: Model> fmt::Debug for ChangeSet<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangeSet")
            .field("assignments", &self.assignments)
            .finish()
    }
}
