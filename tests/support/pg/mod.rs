//! Throwaway PostgreSQL servers: the wire peer of the pgwire transport's tests.
//!
//! - [`PgServer::start`] runs `initdb` into a fresh temporary directory, picks a free port on
//!   127.0.0.1, writes `postgresql.conf` and `pg_hba.conf`, starts `postgres` as a child process,
//!   waits until it accepts connections and creates the configured user and database.
//! - [`PgServerConfig`] chooses the authentication method ([`PgAuth`]: `trust`, cleartext
//!   `password` as CrateDB uses, `md5`, `scram-sha-256`, client certificates) and TLS ([`PgTls`]).
//! - [`PgServer::stop`], [`PgServer::restart`] (same port, same data) and [`PgServer::kill`]
//!   (SIGKILL, a crash) drive failover scenarios; [`PgCluster`] starts several servers at once.
//! - Dropping a [`PgServer`] stops it and removes its directory, also while a test panics. A server
//!   left behind by a test process that was itself killed is removed by the next test process
//!   that starts a server.
//!
//! # Directory layout of one server
//!
//! ```text
//! $TMPDIR/cratedb-pg-<test pid>-<n>/   owned by the server's OS user, mode 0700;
//!                                      also the Unix socket directory
//!   data/                              PGDATA
//!   data/cratedb-test.conf             the support's settings (included by postgresql.conf)
//!   tls/ca.crt server.crt server.key client.crt client.key   (only with TLS)
//!   postgres.log                       the server's stderr, kept across restarts
//! ```
//!
//! # Administration
//!
//! The support itself connects as the `postgres` superuser over the Unix socket in
//! [`PgServer::socket_dir`], where `pg_hba.conf` says `trust`; tests may do the same for set-up
//! that the test user should not do. All TCP connections to 127.0.0.1 use the configured method.

mod binaries;
mod cluster;
mod config;
mod process;
mod server;
mod tls;

pub use crate::process::processes_in;
pub use binaries::{BINDIR_ENV, PgBinaries};
pub use cluster::PgCluster;
pub use config::{PgAuth, PgServerConfig, PgTls};
pub use process::shm_exists;
pub use server::PgServer;

use crate::SupportError;

/// The line a test prints when it skips for lack of PostgreSQL binaries.
pub const SKIP_MESSAGE: &str =
    "skipped: PostgreSQL server binaries not found (run tests/scripts/ensure-postgres.sh)";

/// Whether this run is CI (`CI=true`, or `CI=1`), where a missing prerequisite is a failure.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The skip-or-fail policy for a start result, shared by the `start_or_skip` functions.
///
/// Returns `None` (after printing [`SKIP_MESSAGE`] to stderr) when the binaries are missing
/// outside CI.
///
/// # Panics
///
/// When the binaries are missing and [`is_ci`] is true, or when starting failed for any other
/// reason. This is test support: failing the test with the full error is the point.
#[expect(
    clippy::panic,
    reason = "test support: fails the calling test with the full error"
)]
pub(crate) fn or_skip<T>(result: Result<T, SupportError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) if error.is_binaries_not_found() => {
            assert!(!is_ci(), "CI=true and a prerequisite is missing: {error}");
            eprintln!("{SKIP_MESSAGE}");
            None
        }
        Err(error) => panic!("could not start the PostgreSQL test server: {error}"),
    }
}
