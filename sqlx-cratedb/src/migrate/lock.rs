//! The migration lock: a row claimed through a primary-key insert, held as a renewed lease.
//!
//! CrateDB has neither transactions nor advisory locks, but an `INSERT` of an existing primary key
//! fails with `DuplicateKeyException` (code 4091) on every node, so a table with one fixed key is
//! a mutex: the migrator that inserts the row holds the lock and deletes it when done.
//!
//! * The row names its holder (`<host> pid <pid> id <random>`, see [`lease`](super::lease)) and
//!   the time its lease was last renewed (`acquired_at`). A background task renews it every
//!   [`LockOptions::renew_interval`] while migrations run.
//! * A lock row whose lease was not renewed for [`LockOptions::stale_after`] is taken over: the
//!   taker deletes the row **only if it still has the same holder and `acquired_at`** (so a
//!   renewal in between, or another taker's fresh claim, makes the delete a no-op) and then races
//!   for the insert like everybody else.
//! * A migrator that cannot get the lock within [`LockOptions::wait_timeout`] fails with
//!   [`MigrateLockError::Held`], which names the holder and its last renewal.
//! * `acquired_at` is the holder's clock in milliseconds since the Unix epoch; keep the clocks of
//!   the machines that migrate within a small fraction of `stale_after`.
//! * The SQL is the subset CrateDB and PostgreSQL share, so the same code runs over pgwire.
//!
//! # When the row is held
//!
//! From `lock()` until the applied migrations are listed, and again from the first migration
//! that is applied, skipped or reverted until `unlock()`. In between, sqlx's `Migrator` compares
//! checksums and may return `VersionMismatch` or `VersionMissing` without calling `unlock`, so
//! the row is released after the listing and taken again, with the history re-read under it,
//! before the first change: those early returns leave no lock behind. Every error of this
//! driver's own steps releases the row too.

use std::fmt;

use std::time::{Duration, Instant};

use sqlx_core::error::{Error, ErrorKind};
use sqlx_core::migrate::MigrateError;
use sqlx_core::sql_str::AssertSqlSafe;

use super::lease;
use super::lock_options::{LOCK_KEY, LOCK_TABLE, LockOptions, lock_options, now_millis};
use crate::CrateDbConnection;

/// CrateDB's error code for "relation already exists" (a lost `CREATE TABLE IF NOT EXISTS` race).
const RELATION_ALREADY_EXISTS: &str = "4093";

/// Why the migration lock could not be taken or kept.
///
/// It reaches the caller as `MigrateError::Execute(sqlx::Error::Io(e))` with `e.kind()`
/// `TimedOut` ([`Held`](Self::Held)) or `Other` ([`Lost`](Self::Lost)); `e.get_ref()` downcasts
/// to this type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateLockError {
    /// Another migrator held the lock for the whole wait.
    #[error(
        "the migration lock (table `{table}`) is held by `{holder}`, lease last renewed at \
         {since} (waited {waited:?}); a holder that stops renewing loses the lock \
         {stale_after:?} after its last renewal; to free it at once, run \
         `DELETE FROM {table} WHERE id = 1`"
    )]
    Held {
        /// The lock table.
        table: &'static str,
        /// Who holds the lock (`<host> pid <pid> id <random>` of the other migrator).
        holder: String,
        /// When the holder took or last renewed the lock.
        since: EpochMillis,
        /// How long this migrator waited.
        waited: Duration,
        /// The configured lease.
        stale_after: Duration,
    },
    /// The lease of this migrator expired (it could not renew it for the whole lease, e.g. cut
    /// off from the cluster) and another migrator took the lock over; this run stops before its
    /// next step.
    #[error(
        "the migration lock (table `{table}`) was taken over from `{holder}` after its lease \
         expired; stopping before the next migration step"
    )]
    Lost {
        /// The lock table.
        table: &'static str,
        /// This migrator's holder id.
        holder: String,
    },
}

/// A point in time in milliseconds since the Unix epoch, shown as UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EpochMillis(pub i64);

impl fmt::Display for EpochMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Civil date from days (Howard Hinnant's algorithm), to avoid a chrono dependency.
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            sod / 3600,
            sod / 60 % 60,
            sod % 60
        )
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(super) fn is_unique_violation(err: &Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.kind() == ErrorKind::UniqueViolation)
}

/// A lost `CREATE TABLE IF NOT EXISTS` race: CrateDB's 4093, PostgreSQL's `42P07`
/// (duplicate table) or, when both creators got past the existence check at once, PostgreSQL's
/// `42710` (the table's row type already exists; its `23505` on the `pg_type` index is
/// caught as a unique violation).
fn is_already_exists(err: &Error) -> bool {
    err.as_database_error().is_some_and(|e| {
        matches!(
            e.code().as_deref(),
            Some(RELATION_ALREADY_EXISTS | "42P07" | "42710")
        )
    })
}

fn lock_error(kind: std::io::ErrorKind, err: MigrateLockError) -> MigrateError {
    MigrateError::Execute(Error::Io(std::io::Error::new(kind, err)))
}

impl CrateDbConnection {
    async fn ensure_lock_table(&mut self) -> Result<(), Error> {
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {LOCK_TABLE} \
             (id INTEGER PRIMARY KEY, holder TEXT NOT NULL, acquired_at BIGINT NOT NULL)"
        );
        match sqlx_core::query::query(AssertSqlSafe(sql.clone()))
            .execute(&mut *self)
            .await
        {
            // Two migrators creating the table at once: the loser sees "already exists"
            // (CrateDB 4093, PostgreSQL 42P07), or on PostgreSQL a unique violation on its
            // catalog (`pg_type_typname_nsp_index`). Either way the table exists now.
            Err(e) if is_already_exists(&e) || is_unique_violation(&e) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// `Migrate::lock`: starts a session with a fresh holder id and takes the lock.
    pub(super) async fn begin_migrate_lock(&mut self) -> Result<(), MigrateError> {
        let key = lease::key_of(self);
        let holder = lease::new_holder_id();
        lease::with_sessions(|s| {
            s.insert(
                key,
                lease::Session {
                    holder: holder.clone(),
                    renewal: None,
                },
            )
        });
        let guard = lease::CancelGuard::new(key);
        let result = self.hold_migrate_lock(key, holder).await;
        if result.is_err() {
            lease::forget(key);
        }
        guard.disarm();
        result
    }

    /// Before a step that changes the history (`apply`, `skip`, `revert`): takes the lock again
    /// if it was released after the listing. Returns whether this run locks at all (sqlx's
    /// `Migrator` may run with locking off), so the caller knows to re-read the history.
    pub(super) async fn resume_migrate_lock(&mut self) -> Result<bool, MigrateError> {
        let key = lease::key_of(self);
        let state = lease::with_sessions(|s| {
            s.get(&key).map(|session| {
                (
                    session.holder.clone(),
                    session.renewal.as_ref().map(lease::Renewal::lost),
                )
            })
        });
        match state {
            None => Ok(false),
            Some((holder, Some(true))) => Err(lock_error(
                std::io::ErrorKind::Other,
                MigrateLockError::Lost {
                    table: LOCK_TABLE,
                    holder,
                },
            )),
            Some((_, Some(false))) => Ok(true),
            Some((holder, None)) => self.hold_migrate_lock(key, holder).await.map(|()| true),
        }
    }

    /// Takes the lock row for `holder`, waiting and taking over stale locks as [`LockOptions`]
    /// says, then starts renewing it.
    async fn hold_migrate_lock(&mut self, key: usize, holder: String) -> Result<(), MigrateError> {
        let opts = lock_options();
        self.claim_lock_row(&holder, &opts).await?;
        let renewal = lease::start_renewal(self.options().clone(), holder, opts);
        lease::with_sessions(|s| {
            if let Some(session) = s.get_mut(&key) {
                session.renewal = Some(renewal);
            }
        });
        Ok(())
    }

    async fn claim_lock_row(&mut self, me: &str, opts: &LockOptions) -> Result<(), MigrateError> {
        self.ensure_lock_table().await?;
        let started = Instant::now();
        loop {
            let inserted = sqlx_core::query::query(AssertSqlSafe(format!(
                "INSERT INTO {LOCK_TABLE} (id, holder, acquired_at) VALUES ($1, $2, $3)"
            )))
            .bind(LOCK_KEY)
            .bind(me)
            .bind(now_millis())
            .execute(&mut *self)
            .await;
            match inserted {
                Ok(_) => {
                    self.refresh_if_cratedb(LOCK_TABLE).await?;
                    return Ok(());
                }
                Err(e) if is_unique_violation(&e) => {}
                Err(e) => return Err(e.into()),
            }
            // A lookup by the full primary key sees the row without a refresh.
            let current: Option<(String, i64)> = sqlx_core::query_as::query_as(AssertSqlSafe(
                format!("SELECT holder, acquired_at FROM {LOCK_TABLE} WHERE id = $1"),
            ))
            .bind(LOCK_KEY)
            .fetch_optional(&mut *self)
            .await?;
            let Some((holder, since)) = current else {
                // Released between our insert and our read: try again at once.
                continue;
            };
            if holder == me {
                // Our own claim (an insert whose reply was lost): it is ours.
                return Ok(());
            }
            if now_millis().saturating_sub(since) >= millis(opts.stale_after) {
                log::warn!(
                    "sqlx-cratedb: taking over the migration lock of `{holder}`, whose lease \
                     was last renewed at {}",
                    EpochMillis(since)
                );
                // Only that exact lease: a renewal or another taker's claim changes the row.
                let delete = sqlx_core::query::query(AssertSqlSafe(format!(
                    "DELETE FROM {LOCK_TABLE} WHERE id = $1 AND holder = $2 AND acquired_at = $3"
                )))
                .bind(LOCK_KEY)
                .bind(&holder)
                .bind(since);
                self.write_and_refresh(LOCK_TABLE, delete).await?;
                continue;
            }
            let waited = started.elapsed();
            if waited >= opts.wait_timeout {
                return Err(lock_error(
                    std::io::ErrorKind::TimedOut,
                    MigrateLockError::Held {
                        table: LOCK_TABLE,
                        holder,
                        since: EpochMillis(since),
                        waited,
                        stale_after: opts.stale_after,
                    },
                ));
            }
            tokio::time::sleep(
                opts.poll_interval
                    .min(opts.wait_timeout.saturating_sub(waited)),
            )
            .await;
        }
    }

    /// Deletes this run's lock row if it holds it (stopping the renewal first); the session
    /// stays, so a later step can take the lock again.
    pub(super) async fn pause_migrate_lock(&mut self) -> Result<(), MigrateError> {
        let key = lease::key_of(self);
        let held = lease::with_sessions(|s| {
            s.get_mut(&key)
                .and_then(|session| session.renewal.take().map(|r| (session.holder.clone(), r)))
        });
        let Some((holder, renewal)) = held else {
            return Ok(());
        };
        drop(renewal);
        let done = sqlx_core::query::query(AssertSqlSafe(format!(
            "DELETE FROM {LOCK_TABLE} WHERE id = $1 AND holder = $2"
        )))
        .bind(LOCK_KEY)
        .bind(&holder)
        .execute(&mut *self)
        .await?;
        if done.rows_affected() == 0 {
            log::warn!(
                "sqlx-cratedb: the migration lock was no longer held by `{holder}` (its lease \
                 expired and it was taken over)"
            );
        }
        self.refresh_if_cratedb(LOCK_TABLE).await?;
        Ok(())
    }

    /// `Migrate::unlock`: releases the row if held and ends the session.
    pub(super) async fn release_migrate_lock(&mut self) -> Result<(), MigrateError> {
        let key = lease::key_of(self);
        let result = self.pause_migrate_lock().await;
        lease::forget(key);
        result
    }

    /// Releases the lock on an error path, where sqlx's `Migrator` will not call `unlock`; a
    /// failure here is logged, so the original error is the one reported.
    pub(super) async fn release_migrate_lock_after_error(&mut self) {
        if let Err(e) = self.release_migrate_lock().await {
            log::warn!("sqlx-cratedb: could not release the migration lock: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_millis_display_as_utc() {
        assert_eq!(EpochMillis(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            EpochMillis(1_795_000_000_123).to_string(),
            "2026-11-18T11:06:40.123Z"
        );
        assert_eq!(EpochMillis(-1).to_string(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn lock_options_builders() {
        let o = LockOptions::default()
            .wait_timeout(Duration::from_secs(1))
            .stale_after(Duration::from_secs(2))
            .poll_interval(Duration::from_millis(3));
        assert_eq!(o.wait_timeout, Duration::from_secs(1));
        assert_eq!(o.stale_after, Duration::from_secs(2));
        assert_eq!(o.poll_interval, Duration::from_millis(3));
    }
}
