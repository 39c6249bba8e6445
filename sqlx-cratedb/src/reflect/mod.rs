//! Reflection: a typed API over `information_schema`, `SHOW CREATE TABLE` and the server version.
//!
//! Every function takes any CrateDB executor (`&mut CrateDbConnection`, `&CrateDbPool`) and
//! binds user input as `$n` parameters. The queries stay correct across CrateDB versions:
//!
//! * `information_schema.columns.is_nullable` is `'YES'`/`'NO'` since CrateDB 6.1.0 and a
//!   boolean before; it is read as text and both spellings are understood;
//! * `information_schema.tables.number_of_replicas` is text (`'0-1'`, `'2'`) although older docs
//!   call it an integer; it is cast to text;
//! * `varchar(n)` shows as `text` (or `character varying`) with `character_maximum_length = n`;
//!   arrays show as `<inner>_array`; [`DataType`] understands all of these;
//! * object sub-columns are rows of their own, named like `payload['level']`; [`Column::path`]
//!   splits them.
//!
//! `information_schema` shows only what the user may see. With the `sea-cratedb` feature,
//! [`diff_table`] compares a model's `CREATE TABLE` with the live table, down to the fields of
//! declared objects.

use sqlx_core::executor::Executor;
use sqlx_core::row::Row as _;
use sqlx_core::sql_str::AssertSqlSafe;
use sqlx_core::types::Json;

use cratedb_quote::quote_identifier;

use crate::CrateDb;

#[cfg(feature = "sea-cratedb")]
mod change;
mod data_type;
#[cfg(feature = "sea-cratedb")]
mod diff;
#[cfg(feature = "sea-cratedb")]
mod nested;

#[cfg(feature = "sea-cratedb")]
pub use change::UnsupportedChange;
pub use data_type::{DataType, column_path};
#[cfg(feature = "sea-cratedb")]
pub use diff::{DiffError, diff_model, diff_table};

/// Schemas that belong to CrateDB itself.
pub const SYSTEM_SCHEMAS: &[&str] = &["information_schema", "pg_catalog", "sys", "blob"];

/// A schema (`information_schema.schemata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// The schema name.
    pub name: String,
}

/// Whether a relation is a table or a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableKind {
    /// `BASE TABLE`.
    Table,
    /// `VIEW`.
    View,
}

/// A table or view (`information_schema.tables`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Table {
    /// The schema.
    pub schema: String,
    /// The table name.
    pub name: String,
    /// Table or view.
    pub kind: TableKind,
    /// Shards (per partition for partitioned tables); `None` for views.
    pub number_of_shards: Option<i32>,
    /// Replicas as CrateDB reports them: a number or a range like `"0-1"`; `None` for views.
    pub number_of_replicas: Option<String>,
    /// The routing column (`CLUSTERED BY`), `_id` when none was declared.
    pub clustered_by: Option<String>,
    /// The partition columns (`PARTITIONED BY`), empty when not partitioned.
    pub partitioned_by: Vec<String>,
    /// `strict`, `dynamic` or `ignored`.
    pub column_policy: Option<String>,
    /// Whether the table is closed.
    pub closed: Option<bool>,
    /// The table settings (`WITH (…)`) as an object, e.g. `settings["refresh_interval"]`.
    pub settings: serde_json::Value,
}

/// A column (`information_schema.columns`); object sub-columns are columns too.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// The name as `information_schema` shows it: `id`, or `payload['level']` for a sub-column.
    pub name: String,
    /// The name split into its path: `["payload", "level"]`.
    pub path: Vec<String>,
    /// `ordinal_position` (1-based).
    pub ordinal: i32,
    /// The parsed type.
    pub data_type: DataType,
    /// The type as `information_schema` spells it (`text_array`).
    pub data_type_name: String,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// The `DEFAULT` expression.
    pub default: Option<String>,
    /// The generation expression of a generated column.
    pub generated_expression: Option<String>,
}

impl Column {
    /// Whether this is a top-level column (not an object sub-column).
    #[must_use]
    pub fn is_top_level(&self) -> bool {
        self.path.len() == 1
    }
}

/// The primary key (`table_constraints` + `key_column_usage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    /// The constraint name (`<table>_pkey`).
    pub name: String,
    /// The key columns, in key order.
    pub columns: Vec<String>,
}

/// A partition of a partitioned table (`information_schema.table_partitions`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Partition {
    /// CrateDB's identifier of the partition (`partition_ident`).
    pub ident: String,
    /// The partition column values, e.g. `{"day": 1732406400000}`.
    pub values: serde_json::Value,
    /// Shards of this partition.
    pub number_of_shards: Option<i32>,
    /// Replicas of this partition (`"0-1"`, `"2"`).
    pub number_of_replicas: Option<String>,
    /// Whether the partition is closed.
    pub closed: Option<bool>,
}

/// A table with its columns and primary key.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TableInfo {
    /// The table.
    pub table: Table,
    /// Its columns (sub-columns included), by ordinal position.
    pub columns: Vec<Column>,
    /// Its primary key, if any.
    pub primary_key: Option<PrimaryKey>,
}

impl TableInfo {
    /// The column with this `information_schema` name (`payload['level']` for a sub-column).
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Which server answered, from `SELECT version()`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerVersion {
    /// `CrateDB`, `PostgreSQL`, or the first word of the answer.
    pub product: String,
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch version.
    pub patch: u32,
    /// The full `version()` text.
    pub raw: String,
}

impl ServerVersion {
    /// Parses `version()` text: `CrateDB 6.4.2 (built …)`, `PostgreSQL 16.2 on …`.
    #[must_use]
    pub fn parse(raw: &str) -> Self {
        let mut words = raw.split_whitespace();
        let product = words.next().unwrap_or_default().to_owned();
        let mut nums = words
            .next()
            .unwrap_or_default()
            .split(|c: char| !c.is_ascii_digit())
            .map(|n| n.parse::<u32>().unwrap_or(0));
        Self {
            product,
            major: nums.next().unwrap_or(0),
            minor: nums.next().unwrap_or(0),
            patch: nums.next().unwrap_or(0),
            raw: raw.to_owned(),
        }
    }

    /// Whether the server is CrateDB.
    #[must_use]
    pub fn is_cratedb(&self) -> bool {
        self.product.eq_ignore_ascii_case("cratedb")
    }

    /// Whether the version is at least `major.minor`.
    #[must_use]
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

/// Reads `is_nullable` in either spelling: `'YES'`/`'NO'` (6.1+) or a boolean before
/// (`'true'`/`'false'` once cast to text).
fn parse_nullable(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.eq_ignore_ascii_case("yes") || t.eq_ignore_ascii_case("true"))
}

/// Every schema.
///
/// # Errors
/// What the query returns.
pub async fn schemas<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
) -> Result<Vec<Schema>, sqlx_core::Error> {
    let names: Vec<String> = sqlx_core::query_scalar::query_scalar(
        "SELECT schema_name FROM information_schema.schemata ORDER BY schema_name",
    )
    .fetch_all(executor)
    .await?;
    Ok(names.into_iter().map(|name| Schema { name }).collect())
}

const TABLE_COLUMNS: &str = "SELECT table_schema, table_name, table_type, number_of_shards, \
     number_of_replicas::TEXT AS number_of_replicas, clustered_by, partitioned_by, \
     column_policy, closed, settings FROM information_schema.tables";

fn table_from_row(row: &crate::CrateDbRow) -> Result<Table, sqlx_core::Error> {
    let kind: String = row.try_get("table_type")?;
    let settings: Option<Json<serde_json::Value>> = row.try_get("settings")?;
    let partitioned_by: Option<Vec<String>> = row.try_get("partitioned_by")?;
    Ok(Table {
        schema: row.try_get("table_schema")?,
        name: row.try_get("table_name")?,
        kind: if kind == "VIEW" {
            TableKind::View
        } else {
            TableKind::Table
        },
        number_of_shards: row.try_get("number_of_shards")?,
        number_of_replicas: row.try_get("number_of_replicas")?,
        clustered_by: row.try_get("clustered_by")?,
        partitioned_by: partitioned_by.unwrap_or_default(),
        column_policy: row.try_get("column_policy")?,
        closed: row.try_get("closed")?,
        settings: settings.map_or(serde_json::Value::Null, |Json(v)| v),
    })
}

/// Tables and views in `schema`, or in every user schema (not [`SYSTEM_SCHEMAS`]) for `None`.
///
/// # Errors
/// What the query returns, or a decode error for an unexpected column type.
pub async fn tables<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
    schema: Option<&str>,
) -> Result<Vec<Table>, sqlx_core::Error> {
    let rows =
        match schema {
            Some(schema) => {
                sqlx_core::query::query(AssertSqlSafe(format!(
                    "{TABLE_COLUMNS} WHERE table_schema = $1 ORDER BY table_name"
                )))
                .bind(schema)
                .fetch_all(executor)
                .await?
            }
            None => sqlx_core::query::query(AssertSqlSafe(format!(
                "{TABLE_COLUMNS} WHERE table_schema <> ALL($1) ORDER BY table_schema, table_name"
            )))
            .bind(
                SYSTEM_SCHEMAS
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<Vec<_>>(),
            )
            .fetch_all(executor)
            .await?,
        };
    rows.iter().map(table_from_row).collect()
}

/// One table or view, if it exists (and the user may see it).
///
/// # Errors
/// What the query returns.
pub async fn table<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
    schema: &str,
    name: &str,
) -> Result<Option<Table>, sqlx_core::Error> {
    let row = sqlx_core::query::query(AssertSqlSafe(format!(
        "{TABLE_COLUMNS} WHERE table_schema = $1 AND table_name = $2"
    )))
    .bind(schema)
    .bind(name)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(table_from_row).transpose()
}

/// The columns of a table or view, sub-columns included, by ordinal position.
///
/// # Errors
/// What the query returns.
pub async fn columns<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
    schema: &str,
    table: &str,
) -> Result<Vec<Column>, sqlx_core::Error> {
    let rows = sqlx_core::query::query(
        "SELECT column_name, ordinal_position, data_type, character_maximum_length, \
         is_nullable::TEXT AS is_nullable, column_default, generation_expression \
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 \
         ORDER BY ordinal_position",
    )
    .bind(schema)
    .bind(table)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            let name: String = row.try_get("column_name")?;
            let type_name: String = row.try_get("data_type")?;
            let max_length: Option<i32> = row.try_get("character_maximum_length")?;
            let nullable: Option<String> = row.try_get("is_nullable")?;
            Ok(Column {
                path: column_path(&name),
                name,
                ordinal: row.try_get("ordinal_position")?,
                data_type: DataType::parse(&type_name, max_length),
                data_type_name: type_name,
                nullable: parse_nullable(nullable.as_deref()),
                default: row.try_get("column_default")?,
                generated_expression: row.try_get("generation_expression")?,
            })
        })
        .collect()
}

/// The primary key of a table, if it has one.
///
/// # Errors
/// What the query returns.
pub async fn primary_key<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
    schema: &str,
    table: &str,
) -> Result<Option<PrimaryKey>, sqlx_core::Error> {
    let rows: Vec<(String, String)> = sqlx_core::query_as::query_as(
        "SELECT k.constraint_name, k.column_name FROM information_schema.key_column_usage k \
         JOIN information_schema.table_constraints c ON c.table_schema = k.table_schema \
         AND c.table_name = k.table_name AND c.constraint_name = k.constraint_name \
         WHERE c.constraint_type = 'PRIMARY KEY' AND k.table_schema = $1 AND k.table_name = $2 \
         ORDER BY k.ordinal_position",
    )
    .bind(schema)
    .bind(table)
    .fetch_all(executor)
    .await?;
    let Some(name) = rows.first().map(|(n, _)| n.clone()) else {
        return Ok(None);
    };
    Ok(Some(PrimaryKey {
        name,
        columns: rows.into_iter().map(|(_, c)| c).collect(),
    }))
}

/// The partitions of a partitioned table (none for other tables), by `partition_ident`.
///
/// # Errors
/// What the query returns.
pub async fn partitions<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
    schema: &str,
    table: &str,
) -> Result<Vec<Partition>, sqlx_core::Error> {
    let rows = sqlx_core::query::query(
        "SELECT partition_ident, \"values\", number_of_shards, \
         number_of_replicas::TEXT AS number_of_replicas, closed \
         FROM information_schema.table_partitions WHERE table_schema = $1 AND table_name = $2 \
         ORDER BY partition_ident",
    )
    .bind(schema)
    .bind(table)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            let values: Option<Json<serde_json::Value>> = row.try_get("values")?;
            Ok(Partition {
                ident: row.try_get("partition_ident")?,
                values: values.map_or(serde_json::Value::Null, |Json(v)| v),
                number_of_shards: row.try_get("number_of_shards")?,
                number_of_replicas: row.try_get("number_of_replicas")?,
                closed: row.try_get("closed")?,
            })
        })
        .collect()
}

/// A table with its columns and primary key (three queries on one connection), if it exists.
///
/// # Errors
/// What the queries return.
pub async fn table_info(
    conn: &mut crate::CrateDbConnection,
    schema: &str,
    name: &str,
) -> Result<Option<TableInfo>, sqlx_core::Error> {
    let Some(table) = table(&mut *conn, schema, name).await? else {
        return Ok(None);
    };
    let columns = columns(&mut *conn, schema, name).await?;
    let primary_key = primary_key(&mut *conn, schema, name).await?;
    Ok(Some(TableInfo {
        table,
        columns,
        primary_key,
    }))
}

/// `SHOW CREATE TABLE "schema"."table"`: CrateDB's canonical DDL, every setting spelled out.
///
/// # Errors
/// What the statement returns (an unknown table is a database error).
pub async fn show_create_table<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
    schema: &str,
    table: &str,
) -> Result<String, sqlx_core::Error> {
    let sql = format!(
        "SHOW CREATE TABLE {}.{}",
        quote_identifier(schema),
        quote_identifier(table)
    );
    let row = sqlx_core::query::query(AssertSqlSafe(sql))
        .fetch_one(executor)
        .await?;
    row.try_get(0)
}

/// The server version from `SELECT version()`.
///
/// # Errors
/// What the query returns.
pub async fn server_version<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
) -> Result<ServerVersion, sqlx_core::Error> {
    let raw: String = sqlx_core::query_scalar::query_scalar("SELECT version()")
        .fetch_one(executor)
        .await?;
    Ok(ServerVersion::parse(&raw))
}

/// Each node's name and version from `sys.nodes` (they differ during a rolling upgrade).
///
/// # Errors
/// What the query returns.
pub async fn node_versions<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
) -> Result<Vec<(String, String)>, sqlx_core::Error> {
    sqlx_core::query_as::query_as(
        "SELECT name, version['number'] AS version FROM sys.nodes ORDER BY name",
    )
    .fetch_all(executor)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        let v = ServerVersion::parse(
            "CrateDB 6.4.2 (built 1a2b3c/2026-10-01T00:00:00Z, Linux 6.1 amd64, OpenJDK 23)",
        );
        assert_eq!((v.major, v.minor, v.patch), (6, 4, 2));
        assert!(v.is_cratedb());
        assert!(v.at_least(6, 1) && !v.at_least(6, 5));
        let pg = ServerVersion::parse("PostgreSQL 16.2 on x86_64-pc-linux-gnu");
        assert_eq!((pg.major, pg.minor, pg.patch), (16, 2, 0));
        assert!(!pg.is_cratedb());
    }

    #[test]
    fn nullable_in_both_spellings() {
        assert!(parse_nullable(Some("YES")));
        assert!(!parse_nullable(Some("NO")));
        assert!(parse_nullable(Some("true")));
        assert!(!parse_nullable(Some("false")));
        assert!(parse_nullable(None));
    }
}
