//! Host selection: round-robin over the configured hosts, with failed hosts set aside.
//!
//! A host that fails (connection error, HTTP 502/503/504/509) is set aside for the configured
//! retry interval. Selection skips set-aside hosts; when every host is set aside, the one that
//! was set aside longest ago is tried (as crate-python does).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How many rounds over all hosts a read gets (both transports) before its last error is
/// returned.
pub(crate) const READ_ROUNDS: u32 = 4;

/// The pause before read round `round + 1` (`round` counts from 1): 100, 200, 400 ms. A node
/// that left the cluster is named in the other nodes' answers until they drop it, within that.
pub(crate) fn read_retry_pause(round: u32) -> Duration {
    Duration::from_millis(100) * 2u32.saturating_pow(round.saturating_sub(1))
}

/// Shared state of one cluster (shared by all connections made from the same options).
#[derive(Debug)]
pub(crate) struct Cluster {
    next: AtomicUsize,
    set_aside: Mutex<Vec<Option<Instant>>>,
}

impl Cluster {
    pub(crate) fn new(hosts: usize) -> Self {
        Self {
            next: AtomicUsize::new(0),
            set_aside: Mutex::new(vec![None; hosts.max(1)]),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<Instant>>> {
        // A poisoned lock only means another thread panicked while holding it; the data (a
        // list of timestamps) is still consistent.
        self.set_aside
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Picks the host for the next attempt, skipping hosts in `tried`.
    pub(crate) fn pick(&self, hosts: usize, retry_interval: Duration, tried: &[usize]) -> usize {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut state = self.lock();
        if state.len() != hosts {
            state.resize(hosts, None);
        }
        let now = Instant::now();
        for k in 0..hosts {
            let i = (start + k) % hosts;
            if tried.contains(&i) {
                continue;
            }
            match state[i] {
                None => return i,
                Some(since) if now.duration_since(since) >= retry_interval => {
                    state[i] = None;
                    return i;
                }
                Some(_) => {}
            }
        }
        // Every untried host is set aside: take the one set aside longest ago.
        (0..hosts)
            .filter(|i| !tried.contains(i))
            .min_by_key(|&i| state[i].unwrap_or(now))
            .unwrap_or(start % hosts)
    }

    /// Sets a host aside after a failure.
    pub(crate) fn set_aside(&self, host: usize) {
        let mut state = self.lock();
        if let Some(slot) = state.get_mut(host) {
            *slot = Some(Instant::now());
        }
    }

    /// Marks a host healthy after a successful response.
    pub(crate) fn healthy(&self, host: usize) {
        let mut state = self.lock();
        if let Some(slot) = state.get_mut(host) {
            *slot = None;
        }
    }

    /// How many hosts are currently set aside.
    #[cfg(test)]
    pub(crate) fn set_aside_count(&self) -> usize {
        self.lock().iter().filter(|s| s.is_some()).count()
    }
}

/// True when `sql` only reads, so it is safe to send again to another node.
pub(crate) fn is_read_only(sql: &str) -> bool {
    let mut s = sql.trim_start();
    loop {
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = s.strip_prefix('(') {
            s = rest.trim_start();
        } else {
            break;
        }
    }
    let word: String = s
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    match word.as_str() {
        // CTEs are SELECT-only in CrateDB.
        "SELECT" | "SHOW" | "VALUES" | "WITH" => true,
        // EXPLAIN without ANALYZE does not execute.
        "EXPLAIN" => !s.to_ascii_uppercase().contains("ANALYZE"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_skips_set_aside_hosts_and_revives_the_oldest() {
        let c = Cluster::new(3);
        let iv = Duration::from_secs(30);
        let picks: Vec<_> = (0..3).map(|_| c.pick(3, iv, &[])).collect();
        assert_eq!(picks, [0, 1, 2]);
        c.set_aside(1);
        for _ in 0..6 {
            assert_ne!(c.pick(3, iv, &[]), 1);
        }
        c.set_aside(0);
        std::thread::sleep(Duration::from_millis(2));
        c.set_aside(2);
        // All set aside (1 first, then 0, then 2): the oldest, 1, is tried.
        assert_eq!(c.pick(3, iv, &[]), 1);
        assert_eq!(c.pick(3, iv, &[1]), 0);
        c.healthy(1);
        assert_eq!(c.set_aside_count(), 2);
        // With a zero interval the next pick revives a host.
        assert!(c.pick(3, Duration::ZERO, &[]) < 3);
        assert_eq!(c.set_aside_count(), 1);
    }

    #[test]
    fn read_only_detection() {
        for sql in [
            "SELECT 1",
            "  select * from t",
            "/* c */ -- x\n (SELECT 1)",
            "WITH a AS (SELECT 1) SELECT * FROM a",
            "show tables",
            "EXPLAIN SELECT 1",
        ] {
            assert!(is_read_only(sql), "{sql}");
        }
        for sql in [
            "INSERT INTO t VALUES (1)",
            "update t set a = 1",
            "DELETE FROM t",
            "EXPLAIN ANALYZE SELECT 1",
            "REFRESH TABLE t",
            "",
        ] {
            assert!(!is_read_only(sql), "{sql}");
        }
    }
}
