//! Host selection: round-robin over the configured hosts, with failed hosts set aside.
//!
//! A host that fails (connection error, HTTP 502/503/504/509) is set aside for the configured
//! retry interval. Selection skips set-aside hosts; when every host is set aside, the one that
//! was set aside longest ago is tried (as crate-python does).
//!
//! The hosts' health is runtime state, not configuration: [`shared`] keeps one [`SharedState`]
//! per host list and TLS settings, used by every connection (of any pool) to those hosts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use sqlx_core::error::Error;

use crate::error::ConfigError;
use crate::options::{CrateDbConnectOptions, CrateDbHost, CrateDbPem};

/// What every connection to the same hosts with the same TLS settings shares: the hosts'
/// health, and the TLS client configuration (built once, on first use).
#[derive(Debug)]
pub(crate) struct SharedState {
    /// Round-robin position and set-aside hosts.
    pub(crate) cluster: Cluster,
    tls: OnceLock<Result<Arc<rustls::ClientConfig>, String>>,
}

impl SharedState {
    /// The TLS client configuration of `options` (whose key this state was found by).
    pub(crate) fn tls_config(
        &self,
        options: &CrateDbConnectOptions,
    ) -> Result<Arc<rustls::ClientConfig>, Error> {
        self.tls
            .get_or_init(|| super::tls::client_config(options).map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| ConfigError::Tls(e).into())
    }
}

/// What identifies a [`SharedState`]: the hosts and everything the TLS configuration is
/// built from.
#[derive(Debug, PartialEq, Eq)]
struct SharedKey {
    hosts: Vec<CrateDbHost>,
    tls: bool,
    verify_cert: bool,
    root_cert: Option<CrateDbPem>,
    client_cert: Option<(CrateDbPem, CrateDbPem)>,
}

impl SharedKey {
    fn of(options: &CrateDbConnectOptions) -> Self {
        Self {
            hosts: options.hosts.clone(),
            tls: options.tls,
            verify_cert: options.verify_cert,
            root_cert: options.root_cert.clone(),
            client_cert: options.client_cert.clone(),
        }
    }
}

/// How many unused entries [`shared`] keeps before it drops the oldest unused one.
const SHARED_KEPT: usize = 64;

/// The state shared by every connection made with options like `options` (same hosts, same
/// TLS settings).
pub(crate) fn shared(options: &CrateDbConnectOptions) -> Arc<SharedState> {
    static REGISTRY: Mutex<Vec<(SharedKey, Arc<SharedState>)>> = Mutex::new(Vec::new());
    let key = SharedKey::of(options);
    // A poisoned lock only means another thread panicked while holding it; the list is
    // still consistent.
    let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, state)) = registry.iter().find(|(k, _)| *k == key) {
        return Arc::clone(state);
    }
    if registry.len() >= SHARED_KEPT
        && let Some(unused) = registry
            .iter()
            .position(|(_, state)| Arc::strong_count(state) == 1)
    {
        registry.remove(unused);
    }
    let state = Arc::new(SharedState {
        cluster: Cluster::new(key.hosts.len()),
        tls: OnceLock::new(),
    });
    registry.push((key, Arc::clone(&state)));
    state
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
            .unwrap_or_else(PoisonError::into_inner)
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
}
