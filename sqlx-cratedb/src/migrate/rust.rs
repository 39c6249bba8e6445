//! Migrations written in Rust, as statements (usually built with sea-cratedb).

use std::borrow::Cow;

use sqlx_core::migrate::{Migration, MigrationType, Migrator};
use sqlx_core::sql_str::{AssertSqlSafe, SqlSafeStr as _};

/// A migration written in Rust: a version, a description and the statements to run.
///
/// It becomes ordinary [`Migration`]s whose SQL is the statements joined by `;`, so it goes
/// through the same lock, dirty-record and history machinery as SQL files, and its checksum
/// changes whenever the rendered SQL changes (`MigrateError::VersionMismatch` then, as for an
/// edited file). Build the statements with sea-cratedb or write SQL text.
///
/// # Examples
///
/// ```no_run
/// use sqlx_cratedb::migrate::RustMigration;
///
/// # async fn f(pool: sqlx_cratedb::CrateDbPool) -> Result<(), sqlx_core::migrate::MigrateError> {
/// let migrator = RustMigration::migrator([
///     RustMigration::new(1, "create metrics")
///         .up("CREATE TABLE metrics (id TEXT PRIMARY KEY, value DOUBLE)")
///         .down("DROP TABLE metrics"),
///     // With the `sea-cratedb` feature: `.up_schema(&Table::create()…)` or
///     // `.up_schema(&MyModel::create_table())`, and
///     // `.up(AlterTable::new("metrics").add_column(…).try_to_string()?)`.
///     RustMigration::new(2, "add unit")
///         .up("ALTER TABLE metrics ADD COLUMN unit TEXT")
///         .down("ALTER TABLE metrics DROP COLUMN unit"),
/// ]);
/// migrator.run(&pool).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustMigration {
    version: i64,
    description: String,
    up: Vec<String>,
    down: Vec<String>,
}

impl RustMigration {
    /// A migration with no statements yet.
    pub fn new(version: i64, description: impl Into<String>) -> Self {
        Self {
            version,
            description: description.into(),
            up: Vec::new(),
            down: Vec::new(),
        }
    }

    /// Adds a statement to run when migrating up.
    #[must_use]
    pub fn up(mut self, statement: impl Into<String>) -> Self {
        self.up.push(statement.into());
        self
    }

    /// Adds a statement to run when reverting. A migration with down statements is reversible.
    #[must_use]
    pub fn down(mut self, statement: impl Into<String>) -> Self {
        self.down.push(statement.into());
        self
    }

    /// Adds a sea-query schema statement (`Table::create()`, `Model::create_table()`, …) to run
    /// when migrating up, rendered with sea-cratedb's `CrateDbQueryBuilder`. sea-cratedb's own
    /// statements (`AlterTable`, `DropTable`, …) render with `try_to_string()`/`to_string()`;
    /// pass those to [`up`](Self::up).
    #[cfg(feature = "sea-cratedb")]
    #[must_use]
    pub fn up_schema(self, statement: &impl sea_query::SchemaStatementBuilder) -> Self {
        self.up(statement.to_string(sea_cratedb::CrateDbQueryBuilder))
    }

    /// Like [`up_schema`](Self::up_schema), for the down direction.
    #[cfg(feature = "sea-cratedb")]
    #[must_use]
    pub fn down_schema(self, statement: &impl sea_query::SchemaStatementBuilder) -> Self {
        self.down(statement.to_string(sea_cratedb::CrateDbQueryBuilder))
    }

    /// The version.
    #[must_use]
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The SQL of the up direction, statements joined by `;\n`.
    #[must_use]
    pub fn up_sql(&self) -> String {
        join(&self.up)
    }

    /// The SQL of the down direction, statements joined by `;\n`.
    #[must_use]
    pub fn down_sql(&self) -> String {
        join(&self.down)
    }

    /// The sqlx migrations: one `Simple`, or a `ReversibleUp` + `ReversibleDown` pair when there
    /// are down statements.
    #[must_use]
    pub fn into_migrations(self) -> Vec<Migration> {
        let description: Cow<'static, str> = Cow::Owned(self.description.clone());
        let migration = |kind, sql: String| {
            Migration::new(
                self.version,
                description.clone(),
                kind,
                AssertSqlSafe(sql).into_sql_str(),
                false,
            )
        };
        if self.down.is_empty() {
            vec![migration(MigrationType::Simple, self.up_sql())]
        } else {
            vec![
                migration(MigrationType::ReversibleUp, self.up_sql()),
                migration(MigrationType::ReversibleDown, self.down_sql()),
            ]
        }
    }

    /// A [`Migrator`] over these migrations (sorted by version).
    pub fn migrator(migrations: impl IntoIterator<Item = RustMigration>) -> Migrator {
        Migrator::with_migrations(
            migrations
                .into_iter()
                .flat_map(RustMigration::into_migrations)
                .collect(),
        )
    }
}

fn join(statements: &[String]) -> String {
    statements
        .iter()
        .map(|s| s.trim().trim_end_matches(';'))
        .collect::<Vec<_>>()
        .join(";\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_and_reversible_migrations() {
        let simple = RustMigration::new(3, "one")
            .up("CREATE TABLE a (x INT);")
            .up("SELECT 1");
        let ms = simple.into_migrations();
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].migration_type, MigrationType::Simple);
        assert_eq!(ms[0].sql.as_str(), "CREATE TABLE a (x INT);\nSELECT 1");
        let rev = RustMigration::new(4, "two")
            .up("A")
            .down("B")
            .into_migrations();
        assert_eq!(rev[0].migration_type, MigrationType::ReversibleUp);
        assert_eq!(rev[1].migration_type, MigrationType::ReversibleDown);
        assert_eq!(rev[1].sql.as_str(), "B");
        let m = RustMigration::migrator([RustMigration::new(9, "b").up("B"), simple_one()]);
        let versions: Vec<i64> = m.iter().map(|m| m.version).collect();
        assert_eq!(versions, [1, 9]);
    }

    #[cfg(feature = "sea-cratedb")]
    #[test]
    fn sea_cratedb_statements_render_as_cratedb_sql() {
        use sea_cratedb::AlterTable;
        use sea_query::{ColumnDef, Table};

        let m = RustMigration::new(1, "metrics")
            .up_schema(
                Table::create()
                    .table("metrics")
                    .col(ColumnDef::new("id").text().not_null().primary_key()),
            )
            .up(AlterTable::new("metrics")
                .add_column(ColumnDef::new("unit").text())
                .try_to_string()
                .unwrap())
            .down_schema(Table::drop().table("metrics"));
        assert_eq!(
            m.up_sql(),
            "CREATE TABLE \"metrics\" ( \"id\" TEXT NOT NULL PRIMARY KEY );\n\
             ALTER TABLE \"metrics\" ADD COLUMN \"unit\" TEXT"
        );
        assert_eq!(m.down_sql(), "DROP TABLE \"metrics\"");
    }

    fn simple_one() -> RustMigration {
        RustMigration::new(1, "a").up("A")
    }
}
