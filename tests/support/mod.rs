//! Test support for the real-server tests of the CrateDB Rust client stack (ring 3 of
//! `architecture.md` §3).
//!
//! This package (`cratedb-integration`, `publish = false`) lives in the workspace's top-level
//! `tests/` folder. Its library is this file, `tests/support/mod.rs` (the `[lib]` of
//! `tests/Cargo.toml`), so that the test targets beside it (`tests/*.rs`, each listed as a
//! `[[test]]`) can share it as `cratedb_integration::…`.
//!
//! # CrateDB nodes for the live ring
//!
//! [`cratedb::LiveCrateDb::from_env`] gives the live ring (`tests/live.rs`) its CrateDB: the
//! server named by `CRATEDB_URL` / `CRATEDB_PG_URL`, or a node [`cratedb::CrateDbNode`] starts
//! from the installed CrateDB named by `CRATEDB_HOME` (free loopback ports, its own data
//! directory, removed afterwards also when a test fails). [`cratedb::CrateDbCluster`] starts
//! several nodes of one cluster. Without any of them the live ring prints one skip line.
//!
//! # Throwaway PostgreSQL servers
//!
//! CrateDB speaks PostgreSQL's wire protocol v3, and CI has no CrateDB, so the pgwire transport
//! is also tested against real PostgreSQL servers that
//! [`pg::PgServer`] starts itself: `initdb` into a fresh temporary directory, a free port on
//! 127.0.0.1, a `pg_hba.conf` with the requested authentication method (cleartext `password` as
//! CrateDB uses, `md5`, `scram-sha-256`, `trust`, or client certificates) and optional TLS with a
//! generated CA. Servers are stopped and their directories removed when dropped, also when the
//! test panics. [`pg::PgCluster`] starts several at once for failover tests.
//!
//! ```no_run
//! use cratedb_integration::pg::{PgAuth, PgServer, PgServerConfig};
//!
//! // Skips (prints a line and returns) on a machine without PostgreSQL; fails with CI=true.
//! let Some(server) = PgServer::start_or_skip(PgServerConfig::new().auth(PgAuth::Password))
//! else {
//!     return;
//! };
//! let url = server.url(); // postgres://crate:<generated>@127.0.0.1:<port>/doc
//! # let _ = url;
//! ```
//!
//! # Prerequisites
//!
//! PostgreSQL's server binaries (`initdb`, `postgres`, `psql`) in the directory named by
//! `CRATEDB_TEST_PG_BINDIR` if set, else found through `pg_config --bindir` or
//! `/usr/lib/postgresql/*/bin`. `tests/scripts/ensure-postgres.sh` installs Debian's `postgresql`
//! package when they are missing. When the tests run as root, the servers run as the `postgres`
//! system user (PostgreSQL refuses to run as root). The support is Linux-only: it reads `/proc`
//! to make sure no server process outlives its test.
//!
//! Without the binaries, [`pg::PgServer::start_or_skip`] prints
//! `skipped: PostgreSQL server binaries not found (run tests/scripts/ensure-postgres.sh)` and the
//! test returns; with `CI=true` it panics instead, because in CI a missing prerequisite is a
//! failure, never a silent skip.
//!
//! # One scenario list, two transports
//!
//! [`scenarios`] holds the driver's end-to-end scenarios once ([`scenarios::SCENARIOS`]): types
//! round trip with NULLs, bulk with a duplicate-key row reported by index plus the
//! unique-violation kind, the missing-table error, streaming 50,000 rows through `fetch`, default
//! schema with failover from a dead first host, `query_as` into a `FromRow` struct, rows
//! affected by UPDATE/DELETE, a `CrateModel`'s statements round-tripping through `FromRow`, and
//! optimistic concurrency control. Each takes a [`scenarios::Target`] (server and transport) and asks
//! it only for the SQL its server spells differently. Runners:
//!
//! - `tests/scenarios_pg.rs`: every scenario over pgwire against a throwaway PostgreSQL except
//!   the CrateDB-only ones (optimistic concurrency control needs `_seq_no`), which state their
//!   reason in [`scenarios::Scenario::cratedb_only`] and are reported as not run.
//! - `tests/live.rs`: every scenario and every CrateDB-only group of [`scenarios::live`]
//!   against a real CrateDB (see above), over HTTP and over pgwire. Without a CrateDB it prints
//!   `skipped: no CrateDB …` and passes, or fails with `CRATEDB_REQUIRED=1`.
//!
//! # Running
//!
//! ```text
//! bash tests/scripts/ensure-postgres.sh          # once, on a fresh machine
//! cargo test -p cratedb-integration
//! ```

pub mod cratedb;
mod error;
pub mod fault;
pub mod pg;
mod process;
pub mod scenarios;
pub mod wire;

pub use error::SupportError;
