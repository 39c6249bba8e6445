//! Compare a model's `CREATE TABLE` with the live table.

use sea_cratedb::AlterTable;
use sea_cratedb::CrateDbQueryBuilder;
use sea_cratedb::sea_query::{ColumnDef, ColumnType, TableBuilder as _, TableCreateStatement};

use super::change::UnsupportedChange;
use super::{DataType, TableInfo};

/// The model cannot be reached from the live table with `ADD COLUMN` alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// Every change that needs more than `ADD COLUMN`, in column order.
    #[error("table {table} cannot be brought up to date in place: {}", list(.changes))]
    Unsupported {
        /// `schema.table`.
        table: String,
        /// The changes.
        changes: Vec<UnsupportedChange>,
    },
}

fn list(changes: &[UnsupportedChange]) -> String {
    changes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

struct ModelColumn<'a> {
    name: String,
    def: &'a ColumnDef,
    /// The type as CrateDB SQL (`OBJECT(STRICT) AS (…)` with its fields).
    type_sql: Option<String>,
    data_type: Option<DataType>,
}

fn model_column(def: &ColumnDef) -> ModelColumn<'_> {
    let type_sql = def.get_column_type().map(|ct| {
        let mut sql = String::new();
        CrateDbQueryBuilder.prepare_column_type(ct, &mut sql);
        sql
    });
    ModelColumn {
        name: def.get_column_name(),
        def,
        data_type: type_sql.as_deref().map(|sql| DataType::parse(sql, None)),
        type_sql,
    }
}

/// Whether `def` is a named index (`FulltextIndex`, `PlainIndex`), which sea-cratedb keeps in
/// the column list under a marker type; it is no column, and `information_schema.columns` does
/// not list it.
fn is_named_index(def: &ColumnDef) -> bool {
    matches!(
        def.get_column_type(),
        Some(ColumnType::Custom(marker))
            if matches!(marker.to_string().as_str(), "INDEX USING FULLTEXT" | "INDEX USING PLAIN")
    )
}

/// The model's primary key: columns marked `primary_key`, else the primary-key index.
fn model_primary_key(model: &TableCreateStatement) -> Vec<String> {
    let mut key: Vec<String> = model
        .get_columns()
        .iter()
        .filter(|c| c.get_column_spec().primary_key)
        .map(ColumnDef::get_column_name)
        .collect();
    if key.is_empty()
        && let Some(index) = model.get_indexes().iter().find(|i| i.is_primary_key())
    {
        key = index.get_index_spec().get_column_names();
    }
    key
}

/// [`diff_table`] for a `#[derive(CrateModel)]` model: compares `M::create_table()`.
///
/// # Errors
/// As [`diff_table`].
pub fn diff_model<M: sea_cratedb::Model>(live: &TableInfo) -> Result<Vec<AlterTable>, DiffError> {
    diff_table(&M::create_table(), live)
}

/// Compares a model's `CREATE TABLE` (e.g. `Model::create_table()`) with the live table and
/// returns the `ALTER TABLE … ADD COLUMN` statements (one per column) that bring the live table
/// up to date.
///
/// Object columns declared with their fields (`OBJECT(STRICT) AS (…)`, as a nested
/// `CrateObject` struct declares them) are compared field by field: a missing field becomes
/// `ADD COLUMN "col"['field'] type`, a field of another type a type change; live sub-columns the
/// model lacks are left alone (dynamic objects gain keys from data). Fields of objects inside
/// arrays are not compared. Numeric precision and vector dimensions are not compared
/// (`information_schema` reports them elsewhere).
///
/// # Errors
/// [`DiffError::Unsupported`] listing **every** change `ADD COLUMN` cannot make: type and
/// `NOT NULL` changes, primary-key changes or new key columns, new columns with a `DEFAULT`,
/// new generated columns, and live columns the model lacks.
pub fn diff_table(
    model: &TableCreateStatement,
    live: &TableInfo,
) -> Result<Vec<AlterTable>, DiffError> {
    let mut changes = Vec::new();
    let mut add = Vec::new();
    let model_key = model_primary_key(model);
    let live_key = live
        .primary_key
        .as_ref()
        .map(|k| k.columns.clone())
        .unwrap_or_default();
    let columns: Vec<ModelColumn<'_>> = model
        .get_columns()
        .iter()
        .filter(|def| !is_named_index(def))
        .map(model_column)
        .collect();
    for col in &columns {
        let Some(model_type) = &col.data_type else {
            changes.push(UnsupportedChange::UntypedColumn {
                column: col.name.clone(),
            });
            continue;
        };
        let spec = col.def.get_column_spec();
        // Key columns are NOT NULL whether or not the model says so.
        let model_nullable = spec.nullable != Some(false) && !model_key.contains(&col.name);
        match live.column(&col.name) {
            Some(existing) => {
                if existing.data_type != *model_type {
                    changes.push(UnsupportedChange::TypeChange {
                        column: col.name.clone(),
                        live: existing.data_type.clone(),
                        model: model_type.clone(),
                    });
                }
                if existing.nullable != model_nullable {
                    changes.push(UnsupportedChange::NullabilityChange {
                        column: col.name.clone(),
                        live_nullable: existing.nullable,
                        model_nullable,
                    });
                }
                if existing.data_type == DataType::Object
                    && let Some(type_sql) = &col.type_sql
                {
                    let column = [col.name.clone()];
                    super::nested::diff_object(&column, type_sql, live, &mut add, &mut changes);
                }
            }
            None if spec.default.is_some() => {
                changes.push(UnsupportedChange::AddColumnWithDefault {
                    column: col.name.clone(),
                });
            }
            None if spec.generated.is_some() => {
                changes.push(UnsupportedChange::AddGeneratedColumn {
                    column: col.name.clone(),
                });
            }
            None => add.push(col.def.clone()),
        }
    }
    if model_key != live_key {
        changes.push(UnsupportedChange::PrimaryKeyChange {
            live: live_key,
            model: model_key,
        });
    }
    for existing in live.columns.iter().filter(|c| c.is_top_level()) {
        if !columns.iter().any(|c| c.name == existing.name) {
            changes.push(UnsupportedChange::RemovedColumn {
                column: existing.name.clone(),
            });
        }
    }
    if !changes.is_empty() {
        return Err(DiffError::Unsupported {
            table: format!("{}.{}", live.table.schema, live.table.name),
            changes,
        });
    }
    let table = (live.table.schema.clone(), live.table.name.clone());
    Ok(add
        .into_iter()
        .map(|def| AlterTable::new(table.clone()).add_column(def))
        .collect())
}
