//! The lease behind the migration lock: who holds it, and the background task that renews it.
//!
//! * **Holder id.** Each `lock()` draws a fresh id, `<host> pid <pid> id <16 hex digits>`: the
//!   host and process say where the migrator runs, the random part tells two migrators (or two
//!   runs) of one process apart. It is written to the lock row and named in
//!   [`MigrateLockError`](super::MigrateLockError).
//! * **Renewal.** While this process holds the row, a background task (on its own connection,
//!   opened with the same options at the first renewal) sets `acquired_at` to the current time
//!   every [`LockOptions::renew_interval`](super::LockOptions::renew_interval), so a
//!   migration longer than [`LockOptions::stale_after`](super::LockOptions::stale_after) keeps
//!   its lock; only a holder that stopped renewing (crashed, hung, cut off) goes stale. A
//!   background task, not a renewal per migration step, because one statement of a migration
//!   (a backfill, a re-index) can outlast the lease on its own. If the row is no longer this
//!   holder's (taken over after a network partition longer than the lease), the task stops and
//!   the migrator's next step fails with [`MigrateLockError::Lost`](super::MigrateLockError).
//! * **Bookkeeping.** sqlx's `Migrator` calls `lock`, …, `unlock` on one `&mut` connection and
//!   gives the driver no place for state, so this process keeps each run's session (holder id,
//!   renewal task) in a map keyed by the connection's address, which stays fixed for the run.
//!   The address never reaches the database. Every error path and a cancelled (dropped) step
//!   ends the session, which stops the renewal.

use std::collections::HashMap;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use sqlx_core::connection::Connection as _;
use sqlx_core::sql_str::AssertSqlSafe;

use super::lock_options::{LOCK_KEY, LOCK_TABLE, LockOptions, now_millis};
use crate::{CrateDbConnectOptions, CrateDbConnection};

/// One migrator run on one connection.
#[derive(Debug)]
pub(super) struct Session {
    /// This run's holder id.
    pub(super) holder: String,
    /// `Some` while the lock row is this run's.
    pub(super) renewal: Option<Renewal>,
}

/// The renewal task of a held lock; dropping it stops the task.
#[derive(Debug)]
pub(super) struct Renewal {
    task: tokio::task::JoinHandle<()>,
    /// Set by the task when the row turned out not to be this holder's any more.
    lost: Arc<AtomicBool>,
}

impl Renewal {
    /// Whether the renewal found the lock taken by someone else.
    pub(super) fn lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn sessions() -> &'static Mutex<HashMap<usize, Session>> {
    static SESSIONS: OnceLock<Mutex<HashMap<usize, Session>>> = OnceLock::new();
    SESSIONS.get_or_init(Mutex::default)
}

/// Runs `f` on the session map (a poisoned map is still consistent: every update is one call).
pub(super) fn with_sessions<T>(f: impl FnOnce(&mut HashMap<usize, Session>) -> T) -> T {
    let mut guard = sessions().lock().unwrap_or_else(PoisonError::into_inner);
    f(&mut guard)
}

/// The map key of a connection.
pub(super) fn key_of(conn: &CrateDbConnection) -> usize {
    std::ptr::from_ref(conn).addr()
}

/// Ends the session of `key` (stopping its renewal). The lock row, if any, is not touched.
pub(super) fn forget(key: usize) {
    // Dropped outside the lock: `Renewal::drop` aborts a task.
    let session = with_sessions(|s| s.remove(&key));
    drop(session);
}

/// Ends `key`'s session if the step future holding it is dropped before it finishes (a
/// cancelled migration run): nothing can be awaited in `drop`, so the lock row stays until its
/// lease expires, but the renewal stops.
#[derive(Debug)]
pub(super) struct CancelGuard {
    key: usize,
    armed: bool,
}

impl CancelGuard {
    pub(super) fn new(key: usize) -> Self {
        Self { key, armed: true }
    }

    /// The step finished (successfully or not): its own code has settled the session.
    pub(super) fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        if self.armed {
            forget(self.key);
        }
    }
}

/// The host name: `HOSTNAME`, else `/etc/hostname`, else `/proc/sys/kernel/hostname`.
fn host_name() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .map(|h| h.trim().replace(char::is_whitespace, "_"))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown-host".to_owned())
    })
}

/// 64 random bits from the standard library's randomly keyed hasher, mixed with the time and a
/// counter so that two calls never repeat.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_i64(now_millis());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u32(d.subsec_nanos());
    }
    h.finish()
}

/// A fresh holder id: `<host> pid <pid> id <16 hex digits>`.
pub(super) fn new_holder_id() -> String {
    format!(
        "{} pid {} id {:016x}",
        host_name(),
        std::process::id(),
        random_u64()
    )
}

/// Starts renewing `holder`'s lease on the lock row of the database `options` reach.
pub(super) fn start_renewal(
    options: CrateDbConnectOptions,
    holder: String,
    opts: LockOptions,
) -> Renewal {
    let lost = Arc::new(AtomicBool::new(false));
    let task = tokio::spawn(renew(options, holder, opts.effective_renew_interval(), {
        Arc::clone(&lost)
    }));
    Renewal { task, lost }
}

async fn renew(
    options: CrateDbConnectOptions,
    holder: String,
    every: std::time::Duration,
    lost: Arc<AtomicBool>,
) {
    let mut conn: Option<CrateDbConnection> = None;
    loop {
        tokio::time::sleep(every).await;
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match CrateDbConnection::connect_with(&options).await {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    log::warn!("sqlx-cratedb: cannot connect to renew the migration lock: {e}");
                    continue;
                }
            },
        };
        let renewed = sqlx_core::query::query(AssertSqlSafe(format!(
            "UPDATE {LOCK_TABLE} SET acquired_at = $1 WHERE id = $2 AND holder = $3"
        )))
        .bind(now_millis())
        .bind(LOCK_KEY)
        .bind(&holder)
        .execute(&mut *c)
        .await;
        match renewed {
            Ok(done) if done.rows_affected() == 0 => {
                log::error!(
                    "sqlx-cratedb: the migration lock is no longer held by `{holder}` (its \
                     lease expired and another migrator took it over); stopping"
                );
                lost.store(true, Ordering::SeqCst);
                return;
            }
            Ok(_) => log::debug!("sqlx-cratedb: renewed the migration lock of `{holder}`"),
            Err(e) => {
                log::warn!("sqlx-cratedb: could not renew the migration lock: {e}");
                conn = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_ids_name_host_and_process_and_differ() {
        let a = new_holder_id();
        let b = new_holder_id();
        assert_ne!(a, b);
        let prefix = format!("{} pid {} id ", host_name(), std::process::id());
        let tail = a.strip_prefix(&prefix).unwrap_or_default();
        assert_eq!(tail.len(), 16, "{a}");
        assert!(tail.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
    }
}
