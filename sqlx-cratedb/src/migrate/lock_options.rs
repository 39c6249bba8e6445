//! The migration lock's table, its key, and the process-wide [`LockOptions`].

use std::sync::{OnceLock, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The table that holds the migration lock (in the connection's default schema).
pub const LOCK_TABLE: &str = "_sqlx_migrations_lock";

/// The one primary-key value the lock row uses.
pub(super) const LOCK_KEY: i32 = 1;

/// How [`Migrate::lock`](sqlx_core::migrate::Migrate::lock) waits for and takes over the lock.
///
/// The options are process-wide, because sqlx's `Migrator` gives the driver no place for them;
/// set them with [`set_lock_options`] before running migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LockOptions {
    /// How long to wait for a lock another migrator holds before failing. Default: 60 s.
    pub wait_timeout: Duration,
    /// The lease: a lock row not renewed for this long counts as abandoned and is taken over.
    /// Default: 2 min.
    pub stale_after: Duration,
    /// Pause between two attempts to take a held lock. Default: 250 ms.
    pub poll_interval: Duration,
    /// How often the holder renews its lease while migrations run. Default: 20 s. Values of
    /// `stale_after / 2` or more (and zero) are replaced by `stale_after / 4`.
    pub renew_interval: Duration,
}

impl Default for LockOptions {
    fn default() -> Self {
        Self {
            wait_timeout: Duration::from_mins(1),
            stale_after: Duration::from_mins(2),
            poll_interval: Duration::from_millis(250),
            renew_interval: Duration::from_secs(20),
        }
    }
}

impl LockOptions {
    /// Sets [`wait_timeout`](Self::wait_timeout).
    #[must_use]
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }

    /// Sets [`stale_after`](Self::stale_after).
    #[must_use]
    pub fn stale_after(mut self, age: Duration) -> Self {
        self.stale_after = age;
        self
    }

    /// Sets [`poll_interval`](Self::poll_interval).
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Sets [`renew_interval`](Self::renew_interval).
    #[must_use]
    pub fn renew_interval(mut self, interval: Duration) -> Self {
        self.renew_interval = interval;
        self
    }

    /// The renewal period used: [`renew_interval`](Self::renew_interval) when it is below half
    /// the lease, else a quarter of the lease (so two renewals can fail before it expires).
    pub(super) fn effective_renew_interval(&self) -> Duration {
        if self.renew_interval.is_zero() || self.renew_interval >= self.stale_after / 2 {
            (self.stale_after / 4).max(Duration::from_millis(1))
        } else {
            self.renew_interval
        }
    }
}

fn options_cell() -> &'static RwLock<LockOptions> {
    static OPTIONS: OnceLock<RwLock<LockOptions>> = OnceLock::new();
    OPTIONS.get_or_init(|| RwLock::new(LockOptions::default()))
}

/// Sets the process-wide [`LockOptions`] used by every later `lock()`.
pub fn set_lock_options(options: LockOptions) {
    let mut guard = options_cell()
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    *guard = options;
}

/// The process-wide [`LockOptions`] in effect.
#[must_use]
pub fn lock_options() -> LockOptions {
    *options_cell()
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Milliseconds since the Unix epoch by the system clock (0 before 1970).
pub(super) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}
