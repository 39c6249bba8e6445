//! Server timing: the `duration` CrateDB reports in every HTTP `/_sql` response.
//!
//! A finished response's duration goes three ways: onto its result
//! ([`CrateDbQueryResult::server_duration`](crate::CrateDbQueryResult::server_duration),
//! [`CrateDbBulkResult::server_duration`](crate::CrateDbBulkResult::server_duration)), into
//! the connection's [`last_server_duration`](crate::CrateDbConnection::last_server_duration)
//! (for `fetch`/`fetch_one`/streams, whose items carry no count), and into a `DEBUG` event
//! with target [`TRACING_TARGET`] and the field `server_duration_ms`. The event is a `tracing`
//! event (it belongs to whatever span the caller is in); `tracing`'s `log` feature, which sqlx
//! turns on, also emits it as a `log` record when no `tracing` subscriber is installed.
//! PostgreSQL's wire protocol carries no server timing: over pgwire all of these are `None`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The `tracing` target (and `log` target) of the server-timing event.
pub const TRACING_TARGET: &str = "sqlx_cratedb::server_timing";

/// No duration recorded.
const NONE: u64 = u64::MAX;

/// The server duration of a connection's last finished HTTP response, shared by the connection
/// and the readers of its responses (a `fetch` stream outlives the call that started it).
#[derive(Debug)]
pub(crate) struct LastServerDuration(AtomicU64);

impl Default for LastServerDuration {
    fn default() -> Self {
        Self(AtomicU64::new(NONE))
    }
}

impl LastServerDuration {
    /// The last recorded duration.
    pub(crate) fn get(&self) -> Option<Duration> {
        match self.0.load(Ordering::Relaxed) {
            NONE => None,
            nanos => Some(Duration::from_nanos(nanos)),
        }
    }

    /// Records the duration of a finished response (`None`: the server sent none).
    pub(crate) fn set(&self, duration: Option<Duration>) {
        let nanos = duration.map_or(NONE, |d| {
            u64::try_from(d.as_nanos())
                .unwrap_or(NONE - 1)
                .min(NONE - 1)
        });
        self.0.store(nanos, Ordering::Relaxed);
    }
}

/// CrateDB's `duration` (milliseconds, a float) as a `Duration`; `None` for a value that is
/// negative, not finite or absurdly large (a server bug is no reason to fail a query).
pub(crate) fn from_millis(millis: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(millis / 1000.0).ok()
}

/// Emits the server-timing event of one response.
pub(crate) fn trace(duration: Option<Duration>, rowcount: Option<i64>, bulk_items: usize) {
    if let Some(d) = duration {
        tracing::debug!(
            target: TRACING_TARGET,
            server_duration_ms = d.as_secs_f64() * 1000.0,
            rowcount,
            bulk_items,
            "CrateDB ran the request in {:.3} ms",
            d.as_secs_f64() * 1000.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_convert_and_bad_values_are_none() {
        assert_eq!(from_millis(1.5), Some(Duration::from_micros(1500)));
        assert_eq!(from_millis(0.0), Some(Duration::ZERO));
        assert_eq!(from_millis(-1.0), None);
        assert_eq!(from_millis(f64::NAN), None);
        assert_eq!(from_millis(f64::INFINITY), None);
    }

    #[test]
    fn last_duration_round_trips_and_clears() {
        let last = LastServerDuration::default();
        assert_eq!(last.get(), None);
        last.set(Some(Duration::from_micros(2500)));
        assert_eq!(last.get(), Some(Duration::from_micros(2500)));
        last.set(None);
        assert_eq!(last.get(), None);
    }
}
