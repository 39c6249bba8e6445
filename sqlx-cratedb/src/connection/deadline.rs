//! Bounds of network waits: the deadline of a timeout, and the error when it passes.

use std::time::Duration;

use sqlx_core::error::Error;

/// The instant `timeout` from now, saturating: a huge configured timeout (`Duration::MAX`)
/// means "about never" instead of overflowing `Instant` (which panics).
pub(crate) fn deadline_after(timeout: Duration) -> tokio::time::Instant {
    /// About 30 years: as far as every platform's `Instant` reaches.
    const FAR: Duration = Duration::from_hours(30 * 365 * 24);
    let now = tokio::time::Instant::now();
    now.checked_add(timeout.min(FAR))
        .or_else(|| now.checked_add(Duration::from_hours(24)))
        .unwrap_or(now)
}

/// The error for a network wait that passed its bound.
pub(crate) fn timed_out(what: &str) -> Error {
    Error::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("CrateDB {what} timed out"),
    ))
}
