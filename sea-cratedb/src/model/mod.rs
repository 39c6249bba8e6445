//! ORM-style model definitions: the runtime side of `#[derive(CrateModel)]` and
//! `#[derive(CrateObject)]` (crate `sea-cratedb-derive`, re-exported with the `macros` feature).
//!
//! [`Model`] turns a struct into statements (`CREATE TABLE`, `INSERT`, `SELECT`);
//! [`KeyedModel`] adds what needs a primary key (upsert, update, delete, select by key);
//! [`ChangeSet`] is a partial update, object sub-fields included, either built by hand or
//! computed from two versions of a row ([`KeyedModel::update_changed`]).

#[doc(hidden)]
pub mod __private;
mod changes;
mod insert;
mod occ;

pub use changes::ChangeSet;
pub use occ::RowVersion;

use sea_query::{
    Cond, DeleteStatement, Expr, ExprTrait, Iden, InsertStatement, IntoIden, OnConflict, Query,
    SchemaName, SelectStatement, TableCreateStatement, TableName, TableRef, UpdateStatement, Value,
};

use crate::{ColumnPolicy, ObjectType, expr::Subscript};

/// A column of a [`Model`]: the generated `<Struct>Column` enum.
///
/// Use a column wherever sea-query takes a column name (`Expr::col(DocColumn::Id)`), or
/// [`path`](Self::path) for an object sub-field.
pub trait ModelColumn: Iden + Copy + PartialEq + 'static {
    /// The column name as written in SQL (unquoted).
    fn name(self) -> &'static str;

    /// A sub-field of this (object or array) column: `"col"['key'][1]`, usable in expressions
    /// and as an `UPDATE … SET` target (see [`expr::path`](crate::expr::path)).
    ///
    /// # Examples
    ///
    /// ```
    /// use sea_cratedb::{CrateDbQueryBuilder, ModelColumn, sea_query::{Expr, ExprTrait, Iden, Query}};
    ///
    /// #[derive(Clone, Copy, PartialEq)]
    /// struct Meta;
    /// impl Iden for Meta {
    ///     fn unquoted(&self) -> &str { "meta" }
    /// }
    /// impl ModelColumn for Meta {
    ///     fn name(self) -> &'static str { "meta" }
    /// }
    ///
    /// let sql = Query::select()
    ///     .column(Meta.path(["level"]))
    ///     .from("docs")
    ///     .and_where(Expr::col(Meta.path(["tags", "1"])).eq("x"))
    ///     .to_string(CrateDbQueryBuilder);
    /// assert_eq!(sql, r#"SELECT "meta"['level'] FROM "docs" WHERE "meta"['tags']['1'] = 'x'"#);
    /// ```
    fn path<I, S>(self, segments: I) -> crate::expr::Path
    where
        I: IntoIterator<Item = S>,
        S: Into<Subscript>,
    {
        crate::expr::path(self.name(), segments)
    }
}

/// A struct stored as an `OBJECT` column: implemented by `#[derive(CrateObject)]`.
///
/// Values are written as JSON (the struct must implement `serde::Serialize`).
pub trait CrateObject {
    /// `OBJECT(policy) AS (…)` with this struct's fields.
    fn object_type(policy: ColumnPolicy) -> ObjectType;
}

/// A CrateDB table declared on a Rust struct: implemented by `#[derive(CrateModel)]`.
///
/// The derive provides the constants and [`create_table`](Self::create_table) /
/// [`values`](Self::values); the statements are provided methods. Every statement is a plain
/// sea-query statement: add clauses, then render it with
/// [`CheckedQuery::try_build`](crate::CheckedQuery::try_build) (or `build(CrateDbQueryBuilder)`).
///
/// Read rows back with `sqlx::FromRow` derived on the same struct (see the derive's docs).
///
/// # `None` in a column with a DEFAULT
///
/// A `None` in a column declared with a DEFAULT ([`COLUMN_DEFAULTS`](Self::COLUMN_DEFAULTS),
/// `#[cratedb(default = "…")]`) means "not given": the DEFAULT applies, not `NULL`.
/// [`insert`](Self::insert) leaves such a column out of the statement, so CrateDB fills in the
/// table's DEFAULT; [`insert_many`](Self::insert_many) does the same for a column that is
/// `None` in every row, and writes the declared DEFAULT expression for the rows that hold `None`
/// where other rows hold a value; [`KeyedModel::upsert`] also keeps such a column out of
/// `DO UPDATE SET`, so an existing row keeps its value. (The `DEFAULT` keyword itself is not
/// written: CrateDB accepts it in `VALUES` only since 6.3.0.) To store an explicit `NULL` in
/// such a column, update it: [`KeyedModel::update`] and [`KeyedModel::update_fields`] write
/// `None` as `NULL`.
///
/// ```
/// # #[cfg(feature = "macros")] {
/// use sea_cratedb::{CheckedQuery, CrateModel, Model};
///
/// #[derive(CrateModel)]
/// #[cratedb(table = "events")]
/// struct Event {
///     name: String,
///     #[cratedb(default = "now()")]
///     at: Option<chrono::DateTime<chrono::Utc>>,
/// }
///
/// let event = Event { name: "boot".into(), at: None };
/// assert_eq!(event.insert().try_to_string()?, r#"INSERT INTO "events" ("name") VALUES ('boot')"#);
/// # }
/// # Ok::<(), sea_cratedb::Error>(())
/// ```
///
/// The examples below use this model:
///
/// ```
/// # #[cfg(feature = "macros")] {
/// use sea_cratedb::CrateModel;
///
/// #[derive(CrateModel)]
/// #[cratedb(table = "docs", schema = "app")]
/// struct Doc {
///     #[cratedb(primary_key)]
///     id: String,
///     title: String,
///     views: Option<i64>,
/// }
/// # }
/// ```
pub trait Model: Sized {
    /// The generated column enum (`<Struct>Column`).
    type Column: ModelColumn;

    /// The table name.
    const TABLE: &'static str;
    /// The schema, if declared (else the session's current schema, `doc` by default).
    const SCHEMA: Option<&'static str>;
    /// Every column, in declaration order (the `SELECT` list).
    const COLUMNS: &'static [Self::Column];
    /// The columns an `INSERT` writes: every column except generated ones.
    const INSERT_COLUMNS: &'static [Self::Column];
    /// The columns declared with a DEFAULT, each with its SQL expression as written in
    /// `CREATE TABLE` (`#[cratedb(default = "…")]`). A `None` in one of them is not written as
    /// `NULL` (see [the trait docs](Self#none-in-a-column-with-a-default)).
    /// Empty unless declared, so a hand-written `Model` keeps writing every value.
    const COLUMN_DEFAULTS: &'static [(Self::Column, &'static str)] = &[];

    /// `CREATE TABLE` with every column, the primary key and the table options.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs", schema = "app")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, views: Option<i64> }
    /// use sea_cratedb::{CheckedSchema, Model};
    ///
    /// assert_eq!(
    ///     Doc::create_table().if_not_exists().try_to_string()?,
    ///     r#"CREATE TABLE IF NOT EXISTS "app"."docs" ( "id" TEXT NOT NULL, "title" TEXT NOT NULL, "views" BIGINT, PRIMARY KEY ("id") )"#
    /// );
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn create_table() -> TableCreateStatement;

    /// This row's values for [`INSERT_COLUMNS`](Self::INSERT_COLUMNS), in that order.
    fn values(&self) -> Vec<Value>;

    /// The table, schema-qualified when a schema is declared.
    fn table_ref() -> TableRef {
        let table = Self::TABLE.into_iden();
        TableRef::Table(
            TableName(
                Self::SCHEMA.map(|schema| SchemaName(None, schema.into_iden())),
                table,
            ),
            None,
        )
    }

    /// `INSERT` of this row: every non-generated column, except a column with a DEFAULT that
    /// holds `None`, which is left out so that CrateDB applies the table's DEFAULT. (A model
    /// whose every insert column is such a column keeps the first one, with its DEFAULT
    /// expression as the value: CrateDB has no `INSERT … DEFAULT VALUES`.)
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs", schema = "app")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, views: Option<i64> }
    /// use sea_cratedb::{CheckedQuery, Model};
    ///
    /// let doc = Doc { id: "a".into(), title: "Hello".into(), views: None };
    /// let (sql, values) = doc.insert().try_build()?;
    /// assert_eq!(sql, r#"INSERT INTO "app"."docs" ("id", "title", "views") VALUES ($1, $2, $3)"#);
    /// assert_eq!(values.0.len(), 3);
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn insert(&self) -> InsertStatement {
        Self::insert_many([self])
    }

    /// One multi-row `INSERT` of `rows` (all rows are validated by CrateDB before any is
    /// written). With no rows the statement has no `VALUES`, which CrateDB rejects.
    ///
    /// A `None` in a column with a DEFAULT ([`COLUMN_DEFAULTS`](Self::COLUMN_DEFAULTS)) is
    /// never written as `NULL`: a column that is `None` in every row is left out (CrateDB
    /// applies the table's DEFAULT, as [`insert`](Self::insert) does), and in a column that
    /// holds a value in some rows, the `None` rows get the column's declared DEFAULT expression
    /// written as their value (one statement cannot leave a column out for some rows only, and
    /// CrateDB accepts the `DEFAULT` keyword in `VALUES` only since 6.3.0). That expression is
    /// the model's: if the table's DEFAULT was changed since, insert those rows on their own.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs", schema = "app")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, views: Option<i64> }
    /// use sea_cratedb::{CheckedQuery, Model};
    ///
    /// let docs = [
    ///     Doc { id: "a".into(), title: "A".into(), views: Some(1) },
    ///     Doc { id: "b".into(), title: "B".into(), views: None },
    /// ];
    /// let sql = Doc::insert_many(&docs).try_to_string()?;
    /// assert_eq!(
    ///     sql,
    ///     r#"INSERT INTO "app"."docs" ("id", "title", "views") VALUES ('a', 'A', 1), ('b', 'B', NULL)"#
    /// );
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn insert_many<'a, I>(rows: I) -> InsertStatement
    where
        I: IntoIterator<Item = &'a Self>,
        Self: 'a,
    {
        let rows: Vec<Vec<Value>> = rows.into_iter().map(Self::values).collect();
        insert::insert_rows::<Self>(&rows).0
    }

    /// `SELECT` of every column; add filters with sea-query on the column enum.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs", schema = "app")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, views: Option<i64> }
    /// use sea_cratedb::{CheckedQuery, Model, sea_query::{Expr, ExprTrait, Order}};
    ///
    /// let (sql, _) = Doc::select()
    ///     .and_where(Expr::col(DocColumn::Views).gt(10))
    ///     .order_by(DocColumn::Title, Order::Asc)
    ///     .limit(5)
    ///     .try_build()?;
    /// assert_eq!(
    ///     sql,
    ///     r#"SELECT "id", "title", "views" FROM "app"."docs" WHERE "views" > $1 ORDER BY "title" ASC LIMIT $2"#
    /// );
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn select() -> SelectStatement {
        let mut select = Query::select();
        select
            .columns(Self::COLUMNS.iter().copied())
            .from(Self::table_ref());
        select
    }
}

/// A [`Model`] with a primary key: upsert, update and delete by key.
///
/// `#[derive(CrateModel)]` implements it when at least one field is `#[cratedb(primary_key)]`.
/// The examples use this model:
///
/// ```
/// # #[cfg(feature = "macros")] {
/// use sea_cratedb::CrateModel;
///
/// #[derive(CrateModel)]
/// #[cratedb(table = "docs")]
/// struct Doc {
///     #[cratedb(primary_key)]
///     id: String,
///     title: String,
///     #[cratedb(object)]
///     meta: serde_json::Value,
/// }
/// # }
/// ```
pub trait KeyedModel: Model {
    /// The key: the primary-key field's type, or a tuple of them in declaration order.
    type PrimaryKey;

    /// The primary-key columns, in declaration order.
    const PRIMARY_KEY: &'static [Self::Column];

    /// This row's key (cloned).
    fn primary_key(&self) -> Self::PrimaryKey;

    /// The key's values, aligned with [`PRIMARY_KEY`](Self::PRIMARY_KEY).
    fn primary_key_values(key: Self::PrimaryKey) -> Vec<Value>;

    /// `WHERE` condition matching `key` (equality on every key column, which CrateDB runs as a
    /// direct lookup that sees unrefreshed writes).
    fn key_condition(key: Self::PrimaryKey) -> Cond {
        Self::PRIMARY_KEY
            .iter()
            .zip(Self::primary_key_values(key))
            .fold(Cond::all(), |cond, (column, value)| {
                cond.add(Expr::col(*column).eq(value))
            })
    }

    /// `INSERT … ON CONFLICT (primary key) DO UPDATE SET col = excluded.col` for every
    /// non-key, non-generated column (`DO NOTHING` when every column is part of the key).
    ///
    /// A column with a DEFAULT that holds `None` is left out of both the `INSERT` (a new row
    /// gets the table's DEFAULT, as with [`insert`](Model::insert)) and the `SET` list (an
    /// existing row keeps its value, instead of being overwritten with `NULL`); when that leaves
    /// nothing to set, the statement is `DO NOTHING`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, #[cratedb(object)] meta: serde_json::Value }
    /// use sea_cratedb::{CheckedQuery, KeyedModel};
    ///
    /// let doc = Doc { id: "a".into(), title: "Hello".into(), meta: serde_json::json!({"level": 1}) };
    /// let (sql, _) = doc.upsert().try_build()?;
    /// assert_eq!(
    ///     sql,
    ///     r#"INSERT INTO "docs" ("id", "title", "meta") VALUES ($1, $2, $3) ON CONFLICT ("id") DO UPDATE SET "title" = "excluded"."title", "meta" = "excluded"."meta""#
    /// );
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn upsert(&self) -> InsertStatement {
        let (mut insert, omitted) = insert::insert_rows::<Self>(&[self.values()]);
        let mut on_conflict = OnConflict::columns(Self::PRIMARY_KEY.iter().copied());
        let updates: Vec<Self::Column> = non_key_columns::<Self>()
            .filter(|column| !omitted.contains(column))
            .collect();
        if updates.is_empty() {
            on_conflict.do_nothing();
        } else {
            on_conflict.update_columns(updates);
        }
        insert.on_conflict(on_conflict);
        insert
    }

    /// `UPDATE … SET` every non-key, non-generated column to this row's value, `WHERE` the key
    /// matches. (CrateDB cannot update primary-key columns; a model whose columns are all key
    /// columns gets an empty `SET`, which CrateDB rejects.) A `None` is written as `NULL`, in a
    /// column with a DEFAULT too: a DEFAULT applies to inserted rows only.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, #[cratedb(object)] meta: serde_json::Value }
    /// use sea_cratedb::{CheckedQuery, KeyedModel};
    ///
    /// let doc = Doc { id: "a".into(), title: "Hello".into(), meta: serde_json::json!({"level": 1}) };
    /// let (sql, _) = doc.update().try_build()?;
    /// assert_eq!(sql, r#"UPDATE "docs" SET "title" = $1, "meta" = $2 WHERE "id" = $3"#);
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn update(&self) -> UpdateStatement {
        let values = Self::INSERT_COLUMNS.iter().zip(self.values());
        let mut update = Query::update();
        update.table(Self::table_ref());
        for (column, value) in values {
            if !Self::PRIMARY_KEY.contains(column) {
                update.value(*column, value);
            }
        }
        update.cond_where(Self::key_condition(self.primary_key()));
        update
    }

    /// A partial `UPDATE` of the row with this key: only the columns and object sub-fields in
    /// `changes`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, #[cratedb(object)] meta: serde_json::Value }
    /// use sea_cratedb::{ChangeSet, CheckedQuery, KeyedModel};
    ///
    /// let changes = ChangeSet::new()
    ///     .set(DocColumn::Title, "New title")
    ///     .set_path(DocColumn::Meta, ["level"], 3);
    /// let (sql, _) = Doc::update_fields("a".to_owned(), changes).try_build()?;
    /// assert_eq!(sql, r#"UPDATE "docs" SET "title" = $1, "meta"['level'] = $2 WHERE "id" = $3"#);
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn update_fields(key: Self::PrimaryKey, changes: ChangeSet<Self>) -> UpdateStatement {
        let mut update = Query::update();
        update.table(Self::table_ref());
        for (target, value) in changes.into_assignments() {
            update.value(target, value);
        }
        update.cond_where(Self::key_condition(key));
        update
    }

    /// The partial `UPDATE` that turns `before` into `self` (tracked updates, as
    /// sqlalchemy-cratedb does for object columns): changed columns are set whole, except
    /// `OBJECT` values (nested structs and JSON objects), whose changed leaves are set one by
    /// one as `"col"['key'] = …` and whose removed keys are set to `NULL`. `None` when nothing
    /// changed. The row is identified by `self`'s key; key columns are never set.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel, Clone)]
    /// # #[cratedb(table = "docs")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, #[cratedb(object)] meta: serde_json::Value }
    /// use sea_cratedb::{CheckedQuery, KeyedModel};
    /// use serde_json::json;
    ///
    /// let before = Doc { id: "a".into(), title: "T".into(), meta: json!({"level": 1, "src": "x", "old": 0}) };
    /// let mut after = before.clone();
    /// after.meta = json!({"level": 2, "src": "x"});
    /// let sql = after.update_changed(&before).unwrap().try_to_string()?;
    /// assert_eq!(sql, r#"UPDATE "docs" SET "meta"['level'] = 2, "meta"['old'] = NULL WHERE "id" = 'a'"#);
    /// assert!(before.update_changed(&before).is_none());
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn update_changed(&self, before: &Self) -> Option<UpdateStatement> {
        let changes = ChangeSet::diff(before, self);
        if changes.is_empty() {
            None
        } else {
            Some(Self::update_fields(self.primary_key(), changes))
        }
    }

    /// `DELETE` of this row (by its key).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, #[cratedb(object)] meta: serde_json::Value }
    /// use sea_cratedb::{CheckedQuery, KeyedModel};
    ///
    /// let doc = Doc { id: "a".into(), title: "Hello".into(), meta: serde_json::json!({}) };
    /// assert_eq!(doc.delete().try_to_string()?, r#"DELETE FROM "docs" WHERE "id" = 'a'"#);
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn delete(&self) -> DeleteStatement {
        Self::delete_by_pk(self.primary_key())
    }

    /// `DELETE` of the row with this key.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, #[cratedb(object)] meta: serde_json::Value }
    /// use sea_cratedb::{CheckedQuery, KeyedModel};
    ///
    /// let (sql, _) = Doc::delete_by_pk("a".to_owned()).try_build()?;
    /// assert_eq!(sql, r#"DELETE FROM "docs" WHERE "id" = $1"#);
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn delete_by_pk(key: Self::PrimaryKey) -> DeleteStatement {
        let mut delete = Query::delete();
        delete
            .from_table(Self::table_ref())
            .cond_where(Self::key_condition(key));
        delete
    }

    /// `SELECT` of every column of the row with this key.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "macros")] {
    /// # use sea_cratedb::CrateModel;
    /// # #[derive(CrateModel)]
    /// # #[cratedb(table = "docs")]
    /// # struct Doc { #[cratedb(primary_key)] id: String, title: String, #[cratedb(object)] meta: serde_json::Value }
    /// use sea_cratedb::{CheckedQuery, KeyedModel};
    ///
    /// let (sql, _) = Doc::select_by_pk("a".to_owned()).try_build()?;
    /// assert_eq!(sql, r#"SELECT "id", "title", "meta" FROM "docs" WHERE "id" = $1"#);
    /// # }
    /// # Ok::<(), sea_cratedb::Error>(())
    /// ```
    fn select_by_pk(key: Self::PrimaryKey) -> SelectStatement {
        let mut select = Self::select();
        select.cond_where(Self::key_condition(key));
        select
    }

    /// [`select_by_pk`](Self::select_by_pk) plus the row's version, `_seq_no` and
    /// `_primary_term`, as the last two columns (see [`RowVersion`] for an example).
    fn select_versioned_by_pk(key: Self::PrimaryKey) -> SelectStatement {
        let mut select = Self::select_by_pk(key);
        RowVersion::select_columns(&mut select);
        select
    }

    /// [`update`](Self::update), applied only if the row is still at `version` (optimistic
    /// concurrency control): zero rows affected means another writer came first. See
    /// [`RowVersion`].
    fn update_if_version(&self, version: RowVersion) -> UpdateStatement {
        let mut update = self.update();
        version.guard_update(&mut update);
        update
    }

    /// [`delete`](Self::delete), applied only if the row is still at `version`. See
    /// [`RowVersion`].
    fn delete_if_version(&self, version: RowVersion) -> DeleteStatement {
        let mut delete = self.delete();
        version.guard_delete(&mut delete);
        delete
    }
}

/// Insert columns that are not part of the primary key (what an update may set).
fn non_key_columns<M: KeyedModel>() -> impl Iterator<Item = M::Column> {
    M::INSERT_COLUMNS
        .iter()
        .copied()
        .filter(|column| !M::PRIMARY_KEY.contains(column))
}
