//! `MigrateDatabase` for CrateDB, where a URL's "database" is its default schema.
//!
//! CrateDB creates schemas implicitly with their first table, so `create_database` only checks
//! that the cluster answers; `database_exists` asks `information_schema.schemata`;
//! `drop_database` drops every table and view in the schema (system schemas are refused).
//! [`Migrate`] runs `sqlx::migrate!` migrations; see its impl for CrateDB's limits.
//!
//! # Migrations on CrateDB
//!
//! `sqlx::migrate!()` and [`Migrator::run`](sqlx_core::migrate::Migrator::run) work unchanged.
//! CrateDB has no transactions and no advisory locks, so this driver:
//!
//! * **locks** through a row in [`LOCK_TABLE`] claimed by a primary-key `INSERT` and held as a
//!   lease that a background task renews while migrations run (see [`LockOptions`] for waiting,
//!   renewal and the takeover of an expired lease, [`MigrateLockError`] for the errors);
//! * records each migration **before** it runs (`success = false`) and marks it finished after,
//!   so a migration that fails or crashes half-way leaves a *dirty* record: the next run stops
//!   with `MigrateError::Dirty(version)` instead of re-applying it. Repair the schema by hand,
//!   then delete that row from `_sqlx_migrations`;
//! * the history row's primary key (`version`) is a second guard: even without the lock, two
//!   migrators cannot both start the same version;
//! * checks checksums (`MigrateError::VersionMismatch` when an applied file changed);
//! * runs `REFRESH TABLE` on the history and lock tables after each write on CrateDB, so the
//!   next reader sees them (not on PostgreSQL, which a pgwire connection may also reach);
//! * splits scripts into single statements, since each request runs one statement.
//!
//! sqlx's `Migrator` returns early on errors without calling `unlock`. This driver releases
//! the lock itself when one of its steps fails or finds a dirty version, and it releases the
//! lock after listing the applied migrations, before sqlx compares checksums: a changed
//! (`VersionMismatch`) or missing (`VersionMissing`) migration leaves no lock behind. The lock is
//! taken again before the first migration is applied, skipped or reverted, and the history row
//! of every such migration is re-read under it, so a migrator that lost a race finds the
//! migration applied (and skips it), dirty (`Dirty`) or changed (`VersionMismatch`). A run that
//! is cancelled mid-step stops renewing, and its row expires after
//! [`stale_after`](LockOptions::stale_after).
//!
//! Migrations can also be written in Rust, as statements built with sea-cratedb (or any SQL
//! text): see [`RustMigration`].

use std::time::{Duration, Instant};

use futures_core::future::BoxFuture;
use sqlx_core::connection::Connection;
use sqlx_core::error::Error;
use sqlx_core::migrate::{AppliedMigration, Migrate, MigrateDatabase, MigrateError, Migration};
use sqlx_core::sql_str::AssertSqlSafe;

use cratedb_quote::quote_identifier;

use crate::{CrateDb, CrateDbConnectOptions, CrateDbConnection};

mod lease;
mod lock;
mod lock_options;
mod rust;

pub use lock::{EpochMillis, MigrateLockError};
pub use lock_options::{LOCK_TABLE, LockOptions, lock_options, set_lock_options};
pub use rust::RustMigration;

/// Runs one `Migrate` step of a locking run: an error releases the lock (sqlx's `Migrator`
/// returns without `unlock`), and a step dropped before it finishes ends the run's lease
/// session (see [`lease::CancelGuard`]).
macro_rules! locked_step {
    ($conn:ident, $step:expr) => {{
        let guard = lease::CancelGuard::new(lease::key_of($conn));
        let result = $step.await;
        if result.is_err() {
            $conn.release_migrate_lock_after_error().await;
        }
        guard.disarm();
        result
    }};
}

/// Schemas that belong to CrateDB itself.
const SYSTEM_SCHEMAS: &[&str] = &["sys", "information_schema", "pg_catalog", "blob"];

fn schema_of(url: &str) -> Result<(CrateDbConnectOptions, String), Error> {
    let opts: CrateDbConnectOptions = url.parse()?;
    let schema = opts.schema.clone().unwrap_or_else(|| "doc".to_owned());
    Ok((opts, schema))
}

impl MigrateDatabase for CrateDb {
    async fn create_database(url: &str) -> Result<(), Error> {
        let (opts, _) = schema_of(url)?;
        // Schemas are created with their first table; connecting checks the cluster answers.
        CrateDbConnection::connect_with(&opts).await?.close().await
    }

    async fn database_exists(url: &str) -> Result<bool, Error> {
        let (opts, schema) = schema_of(url)?;
        let mut conn = CrateDbConnection::connect_with(&opts).await?;
        let n: i64 = sqlx_core::query_scalar::query_scalar(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1",
        )
        .bind(schema)
        .fetch_one(&mut conn)
        .await?;
        Ok(n > 0)
    }

    async fn drop_database(url: &str) -> Result<(), Error> {
        let (opts, schema) = schema_of(url)?;
        if SYSTEM_SCHEMAS.contains(&schema.as_str()) {
            return Err(Error::Configuration(
                format!("refusing to drop CrateDB system schema `{schema}`").into(),
            ));
        }
        let mut conn = CrateDbConnection::connect_with(&opts).await?;
        let tables: Vec<(String, String)> = sqlx_core::query_as::query_as(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $1",
        )
        .bind(&schema)
        .fetch_all(&mut conn)
        .await?;
        for (name, kind) in tables {
            let what = if kind == "VIEW" { "VIEW" } else { "TABLE" };
            let sql = format!(
                "DROP {what} IF EXISTS {}.{}",
                quote_identifier(&schema),
                quote_identifier(&name)
            );
            sqlx_core::query::query(AssertSqlSafe(sql))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await
    }
}

/// Splits a migration script into single statements (CrateDB's HTTP endpoint runs one
/// statement per request). Understands `'…'` and `"…"` quoting, `$tag$…$tag$` strings, `--` and
/// `/* */` comments; statements that are only whitespace or comments are dropped.
pub(crate) fn split_statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut has_code = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == q {
                        // A doubled quote is an escaped quote.
                        if bytes.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                has_code = true;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
            }
            b'$' => {
                // `$tag$` or `$$` opens a dollar-quoted string; `$1` is a placeholder.
                let tag_end = sql[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map(|n| i + 1 + n);
                match tag_end {
                    Some(e)
                        if bytes[e] == b'$'
                            && !bytes[i + 1..e].first().is_some_and(u8::is_ascii_digit) =>
                    {
                        let tag = &sql[i..=e];
                        i = sql[e + 1..]
                            .find(tag)
                            .map_or(bytes.len(), |n| e + 1 + n + tag.len());
                    }
                    _ => i += 1,
                }
                has_code = true;
            }
            b';' => {
                if has_code {
                    out.push(sql[start..i].trim());
                }
                i += 1;
                start = i;
                has_code = false;
            }
            c => {
                if !c.is_ascii_whitespace() {
                    has_code = true;
                }
                i += 1;
            }
        }
    }
    if has_code {
        out.push(sql[start..].trim());
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

impl CrateDbConnection {
    async fn run_script(&mut self, sql: &str) -> Result<(), Error> {
        for statement in split_statements(sql) {
            sqlx_core::query::query(AssertSqlSafe(statement))
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }

    /// Whether the server is CrateDB (and so needs `REFRESH TABLE` to see its own writes):
    /// always over HTTP; over pgwire when the server reported `crate_version` (PostgreSQL does
    /// not, and has no `REFRESH`).
    fn is_cratedb(&self) -> bool {
        self.server_is_cratedb()
    }

    async fn refresh_if_cratedb(&mut self, table: &str) -> Result<(), Error> {
        if !self.is_cratedb() {
            return Ok(());
        }
        sqlx_core::query::query(AssertSqlSafe(format!("REFRESH TABLE {table}")))
            .execute(&mut *self)
            .await
            .map(|_| ())
    }

    /// One write to a migration table (history or lock), then a refresh on CrateDB, so that the
    /// next reader (another migrator, or the next run after a crash) sees it.
    async fn write_and_refresh(
        &mut self,
        table_name: &str,
        write: sqlx_core::query::Query<'_, CrateDb, crate::CrateDbArguments>,
    ) -> Result<(), Error> {
        write.execute(&mut *self).await?;
        self.refresh_if_cratedb(table_name).await
    }
}

/// Migrations on CrateDB: the history table keeps checksums as hex text (CrateDB has no binary
/// type) and is refreshed after every write. CrateDB has no transactions: a migration that
/// fails half-way stays applied up to the failing statement and its history row keeps
/// `success = false`, so the next run stops with `MigrateError::Dirty`. `lock` claims a row in
/// [`LOCK_TABLE`]. Scripts are split into single statements. See the [module docs](self).
impl Migrate for CrateDbConnection {
    fn create_schema_if_not_exists<'e>(
        &'e mut self,
        _schema_name: &'e str,
    ) -> BoxFuture<'e, Result<(), MigrateError>> {
        // Schemas are created implicitly with their first table.
        Box::pin(async { Ok(()) })
    }

    fn ensure_migrations_table<'e>(
        &'e mut self,
        table_name: &'e str,
    ) -> BoxFuture<'e, Result<(), MigrateError>> {
        Box::pin(async move {
            locked_step!(self, async {
                self.run_script(&format!(
                    "CREATE TABLE IF NOT EXISTS {table_name} (\
                     version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
                     installed_on TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, \
                     success BOOLEAN NOT NULL, checksum TEXT NOT NULL, \
                     execution_time BIGINT NOT NULL)"
                ))
                .await
                .map_err(MigrateError::from)
            })
        })
    }

    fn dirty_version<'e>(
        &'e mut self,
        table_name: &'e str,
    ) -> BoxFuture<'e, Result<Option<i64>, MigrateError>> {
        Box::pin(async move { locked_step!(self, self.dirty_version_checked(table_name)) })
    }

    fn list_applied_migrations<'e>(
        &'e mut self,
        table_name: &'e str,
    ) -> BoxFuture<'e, Result<Vec<AppliedMigration>, MigrateError>> {
        Box::pin(async move {
            locked_step!(self, async {
                let applied = self.applied_migrations(table_name).await?;
                // sqlx compares checksums next and may return without `unlock`: release now,
                // take the lock again before the first change.
                self.pause_migrate_lock().await?;
                Ok(applied)
            })
        })
    }

    fn lock(&mut self) -> BoxFuture<'_, Result<(), MigrateError>> {
        Box::pin(self.begin_migrate_lock())
    }

    fn unlock(&mut self) -> BoxFuture<'_, Result<(), MigrateError>> {
        Box::pin(self.release_migrate_lock())
    }

    fn apply<'e>(
        &'e mut self,
        table_name: &'e str,
        migration: &'e Migration,
    ) -> BoxFuture<'e, Result<Duration, MigrateError>> {
        Box::pin(async move {
            locked_step!(self, async {
                if self.resume_migrate_lock().await?
                    && let Some(row) = self.recorded(table_name, migration.version).await?
                {
                    // Applied by another migrator since the listing.
                    return row.check(migration).map(|()| Duration::ZERO);
                }
                self.apply_recorded(table_name, migration).await
            })
        })
    }

    fn skip<'e>(
        &'e mut self,
        table_name: &'e str,
        migration: &'e Migration,
    ) -> BoxFuture<'e, Result<(), MigrateError>> {
        Box::pin(async move {
            locked_step!(self, async {
                let version = migration.version;
                if self.resume_migrate_lock().await?
                    && let Some(row) = self.recorded(table_name, version).await?
                {
                    return row.check(migration);
                }
                // Recorded as applied without running it (`execution_time = -1`).
                let insert = sqlx_core::query::query(AssertSqlSafe(format!(
                    "INSERT INTO {table_name} \
                     (version, description, success, checksum, execution_time) \
                     VALUES ($1, $2, true, $3, -1)"
                )))
                .bind(version)
                .bind(&*migration.description)
                .bind(hex(&migration.checksum));
                self.write_and_refresh(table_name, insert)
                    .await
                    .map_err(|e| MigrateError::ExecuteMigration(e, version))
            })
        })
    }

    fn revert<'e>(
        &'e mut self,
        table_name: &'e str,
        migration: &'e Migration,
    ) -> BoxFuture<'e, Result<Duration, MigrateError>> {
        Box::pin(async move {
            locked_step!(self, async {
                if self.resume_migrate_lock().await? {
                    match self.recorded(table_name, migration.version).await? {
                        // Reverted by another migrator since the listing.
                        None => return Ok(Duration::ZERO),
                        Some(Recorded { success: false, .. }) => {
                            return Err(MigrateError::Dirty(migration.version));
                        }
                        Some(_) => {}
                    }
                }
                self.revert_recorded(table_name, migration).await
            })
        })
    }
}

/// A migration's history row, re-read under the lock before changing it.
struct Recorded {
    success: bool,
    checksum: String,
}

impl Recorded {
    /// A row found where the listing had none: another migrator got there first. Fine if it
    /// finished the same migration; `Dirty` if it did not finish; `VersionMismatch` if its file
    /// differs from ours.
    fn check(&self, migration: &Migration) -> Result<(), MigrateError> {
        let version = migration.version;
        if !self.success {
            return Err(MigrateError::Dirty(version));
        }
        if unhex(&self.checksum).as_deref() != Some(&*migration.checksum) {
            return Err(MigrateError::VersionMismatch(version));
        }
        log::info!("sqlx-cratedb: migration {version} was applied meanwhile by another migrator");
        Ok(())
    }
}

impl CrateDbConnection {
    async fn dirty_version_checked(
        &mut self,
        table_name: &str,
    ) -> Result<Option<i64>, MigrateError> {
        self.refresh_if_cratedb(table_name).await?;
        let row: Option<i64> = sqlx_core::query_scalar::query_scalar(AssertSqlSafe(format!(
            "SELECT version FROM {table_name} WHERE success = false ORDER BY version LIMIT 1"
        )))
        .fetch_optional(&mut *self)
        .await?;
        if let Some(version) = row {
            log::error!(
                "sqlx-cratedb: migration {version} is dirty (started but never finished); \
                 repair the schema, then `DELETE FROM {table_name} WHERE version = {version}`"
            );
            // sqlx's Migrator stops with `Dirty` without calling `unlock`.
            self.release_migrate_lock_after_error().await;
        }
        Ok(row)
    }

    async fn applied_migrations(
        &mut self,
        table_name: &str,
    ) -> Result<Vec<AppliedMigration>, MigrateError> {
        self.refresh_if_cratedb(table_name).await?;
        let rows: Vec<(i64, String)> = sqlx_core::query_as::query_as(AssertSqlSafe(format!(
            "SELECT version, checksum FROM {table_name} ORDER BY version"
        )))
        .fetch_all(&mut *self)
        .await?;
        rows.into_iter()
            .map(|(version, checksum)| {
                let checksum = unhex(&checksum).ok_or_else(|| {
                    MigrateError::Execute(Error::Protocol(format!(
                        "invalid checksum for migration {version}"
                    )))
                })?;
                Ok(AppliedMigration {
                    version,
                    checksum: checksum.into(),
                })
            })
            .collect()
    }

    /// The history row of `version`; a lookup by primary key, which CrateDB answers from its
    /// latest state without a refresh.
    async fn recorded(
        &mut self,
        table_name: &str,
        version: i64,
    ) -> Result<Option<Recorded>, MigrateError> {
        let row: Option<(bool, String)> = sqlx_core::query_as::query_as(AssertSqlSafe(format!(
            "SELECT success, checksum FROM {table_name} WHERE version = $1"
        )))
        .bind(version)
        .fetch_optional(&mut *self)
        .await?;
        Ok(row.map(|(success, checksum)| Recorded { success, checksum }))
    }

    /// Records the start, runs the script, records the end. Every write to the history is
    /// refreshed, so a crash at any point leaves a visible dirty (or absent) record.
    async fn apply_recorded(
        &mut self,
        table_name: &str,
        migration: &Migration,
    ) -> Result<Duration, MigrateError> {
        let version = migration.version;
        let start = Instant::now();
        // Recorded first as unsuccessful: if a statement fails, the version stays dirty. The
        // primary key on `version` also stops a second migrator that runs without the lock.
        let insert = sqlx_core::query::query(AssertSqlSafe(format!(
            "INSERT INTO {table_name} (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, false, $3, -1)"
        )))
        .bind(version)
        .bind(&*migration.description)
        .bind(hex(&migration.checksum));
        self.write_and_refresh(table_name, insert)
            .await
            .map_err(|e| {
                if lock::is_unique_violation(&e) {
                    MigrateError::ExecuteMigration(
                        Error::Protocol(format!(
                            "migration {version} was started by another migrator \
                         (its row in `{table_name}` already exists): {e}"
                        )),
                        version,
                    )
                } else {
                    MigrateError::ExecuteMigration(e, version)
                }
            })?;
        self.run_script(migration.sql.as_str()).await.map_err(|e| {
            log::error!(
                "sqlx-cratedb: migration {version} failed part-way; its record in `{table_name}` \
                 stays dirty (success = false) and CrateDB cannot roll back: {e}"
            );
            MigrateError::ExecuteMigration(e, version)
        })?;
        let elapsed = start.elapsed();
        let nanos = i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX);
        let finish = sqlx_core::query::query(AssertSqlSafe(format!(
            "UPDATE {table_name} SET success = true, execution_time = $1 WHERE version = $2"
        )))
        .bind(nanos)
        .bind(version);
        self.write_and_refresh(table_name, finish)
            .await
            .map_err(|e| MigrateError::ExecuteMigration(e, version))?;
        Ok(elapsed)
    }

    /// Marks the version dirty, runs the down script, deletes the record.
    async fn revert_recorded(
        &mut self,
        table_name: &str,
        migration: &Migration,
    ) -> Result<Duration, MigrateError> {
        let version = migration.version;
        let start = Instant::now();
        let wrap = |e| MigrateError::ExecuteMigration(e, version);
        let dirty = sqlx_core::query::query(AssertSqlSafe(format!(
            "UPDATE {table_name} SET success = false WHERE version = $1"
        )))
        .bind(version);
        self.write_and_refresh(table_name, dirty)
            .await
            .map_err(wrap)?;
        self.run_script(migration.sql.as_str())
            .await
            .map_err(wrap)?;
        let delete = sqlx_core::query::query(AssertSqlSafe(format!(
            "DELETE FROM {table_name} WHERE version = $1"
        )))
        .bind(version);
        self.write_and_refresh(table_name, delete)
            .await
            .map_err(wrap)?;
        Ok(start.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_scripts_into_statements() {
        let sql = "CREATE TABLE a (s TEXT DEFAULT 'x;y'); -- comment; here\n\
                   INSERT INTO \"we;ird\" VALUES ('it''s;', $1);\n\
                   /* block; comment */ SELECT $tag$ a;b $tag$, $$c;d$$;\n  ;\n-- only a comment";
        let parts = split_statements(sql);
        assert_eq!(
            parts,
            [
                "CREATE TABLE a (s TEXT DEFAULT 'x;y')",
                "-- comment; here\nINSERT INTO \"we;ird\" VALUES ('it''s;', $1)",
                "/* block; comment */ SELECT $tag$ a;b $tag$, $$c;d$$",
            ]
        );
        assert!(split_statements("  -- nothing\n").is_empty());
    }

    #[test]
    fn checksums_round_trip_as_hex() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(hex(&bytes), "0001abff");
        assert_eq!(unhex("0001abff").unwrap(), bytes);
        assert_eq!(unhex("zz"), None);
    }
}
