//! The one error type of the test support.

use std::io;
use std::process::ExitStatus;

/// Why the test support could not do what it was asked.
///
/// Every variant carries the context needed to understand a failure from the test output alone:
/// the command and its exit status with its output, or the server's log tail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SupportError {
    /// No `initdb`/`postgres` was found (see `tests/scripts/ensure-postgres.sh`).
    #[error(
        "PostgreSQL server binaries not found (looked in: {searched}); \
         run tests/scripts/ensure-postgres.sh"
    )]
    BinariesNotFound {
        /// The directories that were searched, comma-separated.
        searched: String,
    },

    /// The configuration cannot work (for example certificate authentication without TLS).
    #[error("invalid PostgreSQL test server configuration: {0}")]
    Config(String),

    /// A file-system, process or signal operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// A helper command (`initdb`, `psql`, `ipcrm`, …) exited unsuccessfully.
    #[error("`{command}` failed ({status}):\n{output}")]
    Command {
        /// The command line.
        command: String,
        /// Its exit status.
        status: ExitStatus,
        /// The tail of its standard error and standard output.
        output: String,
    },

    /// The server did not start, did not become ready in time, or did not stop.
    #[error(
        "PostgreSQL server on port {port}: {reason}\n--- server log (last lines) ---\n{log_tail}"
    )]
    Server {
        /// The server's port.
        port: u16,
        /// What went wrong.
        reason: String,
        /// The last lines of the server's log.
        log_tail: String,
    },

    /// A CrateDB node did not start, did not become ready in time, or did not stop.
    #[error(
        "CrateDB node {node} (HTTP port {http_port}): {reason}\n--- node log (last lines) ---\n{log_tail}"
    )]
    CrateDb {
        /// The node's name.
        node: String,
        /// The node's HTTP port.
        http_port: u16,
        /// What went wrong.
        reason: String,
        /// The last lines of the node's log.
        log_tail: String,
    },

    /// `CRATEDB_HOME` does not name a usable CrateDB installation.
    #[error("CRATEDB_HOME={home}: {reason}")]
    CrateDbInstall {
        /// The directory `CRATEDB_HOME` names.
        home: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Generating a certificate or key failed.
    #[error("generating TLS material ({context}): {source}")]
    Tls {
        /// Which certificate or key.
        context: String,
        /// The underlying error.
        #[source]
        source: rcgen::Error,
    },
}

impl SupportError {
    /// An [`SupportError::Io`] with context.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    /// Whether this error means the PostgreSQL binaries are missing, the one error that
    /// may turn into a skip outside CI.
    pub fn is_binaries_not_found(&self) -> bool {
        matches!(self, Self::BinariesNotFound { .. })
    }
}
