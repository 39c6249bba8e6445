//! Real CrateDB servers for the live ring: nodes started from an installed distribution, or a
//! server the user names.
//!
//! [`LiveCrateDb::from_env`] picks, in this order:
//!
//! 1. `CRATEDB_URL` (HTTP, e.g. `crate://crate@localhost:4200`) and/or `CRATEDB_PG_URL`
//!    (pgwire, e.g. `postgres://crate@localhost:5432/doc`): an existing server, used as it is.
//! 2. `CRATEDB_HOME`: an installed CrateDB (the release tarball unpacked, or any directory with
//!    its layout: `lib/`, `config/`, optionally a bundled `jdk/`). The support starts a
//!    single node itself ([`CrateDbNode`]) on free loopback ports with its own data directory,
//!    and stops it and removes the directory when the test ends, also when it fails. The JVM is
//!    `CRATE_JAVA_HOME`, else the bundled `jdk/`, else `JAVA_HOME`, else `java` on the `PATH`.
//! 3. Neither: the test prints one line, `skipped: no CrateDB (set CRATEDB_HOME, or CRATEDB_URL
//!    / CRATEDB_PG_URL)`, and passes; with `CRATEDB_REQUIRED=1` it fails instead.
//!
//! [`CrateDbCluster`] starts several nodes of one cluster (for failover tests; needs
//! `CRATEDB_HOME`).
//!
//! # Directory layout of one node
//!
//! ```text
//! $TMPDIR/cratedb-node-<test pid>-<n>/   the JVM's working directory
//!   data/                                path.data
//!   logs/                                path.logs
//!   node.log                             the JVM's standard output and error, kept across restarts
//! ```

mod cluster;
mod install;
mod node;

pub use cluster::CrateDbCluster;
pub use install::{CrateDbInstall, HOME_ENV};
pub use node::CrateDbNode;

/// The line a live test prints when it has no CrateDB.
pub const SKIP_MESSAGE: &str =
    "skipped: no CrateDB (set CRATEDB_HOME, or CRATEDB_URL / CRATEDB_PG_URL)";

/// The CrateDB a live test runs against.
#[derive(Debug)]
pub enum LiveCrateDb {
    /// A server the user named by URL.
    External {
        /// `CRATEDB_URL`, if set.
        http_url: Option<String>,
        /// `CRATEDB_PG_URL`, if set.
        pg_url: Option<String>,
    },
    /// A node this test started from `CRATEDB_HOME` (stopped when dropped).
    Started(Box<CrateDbNode>),
}

impl LiveCrateDb {
    /// The CrateDB the environment names (see the module docs), or `None` after printing
    /// [`SKIP_MESSAGE`].
    ///
    /// # Panics
    /// With `CRATEDB_REQUIRED=1` when none is named; when `CRATEDB_HOME` is set but its node
    /// does not start (the panic carries the node's log tail).
    #[expect(
        clippy::panic,
        reason = "test support: fails the calling test with the full error"
    )]
    pub fn from_env() -> Option<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let (http_url, pg_url) = (var("CRATEDB_URL"), var("CRATEDB_PG_URL"));
        if http_url.is_some() || pg_url.is_some() {
            return Some(Self::External { http_url, pg_url });
        }
        match CrateDbInstall::from_env() {
            Ok(Some(install)) => match CrateDbNode::start(&install) {
                Ok(node) => Some(Self::Started(Box::new(node))),
                Err(e) => panic!("could not start a CrateDB node from {HOME_ENV}: {e}"),
            },
            Ok(None) => {
                assert!(
                    !required(),
                    "CRATEDB_REQUIRED=1 but no CrateDB is named: set {HOME_ENV}, or CRATEDB_URL \
                     and CRATEDB_PG_URL"
                );
                eprintln!("{SKIP_MESSAGE}");
                None
            }
            Err(e) => panic!("{e}"),
        }
    }

    /// The HTTP URL, if this CrateDB is reachable over HTTP.
    pub fn http_url(&self) -> Option<String> {
        match self {
            Self::External { http_url, .. } => http_url.clone(),
            Self::Started(node) => Some(node.http_url()),
        }
    }

    /// The pgwire URL, if this CrateDB is reachable over pgwire.
    pub fn pg_url(&self) -> Option<String> {
        match self {
            Self::External { pg_url, .. } => pg_url.clone(),
            Self::Started(node) => Some(node.pg_url()),
        }
    }
}

/// Whether `CRATEDB_REQUIRED=1`: a missing CrateDB (or transport) fails the live ring.
pub fn required() -> bool {
    std::env::var("CRATEDB_REQUIRED").as_deref() == Ok("1")
}
