//! [`Error`]: what ends a load or an export (rows that fail do not: they are reported).

use std::path::PathBuf;

/// A fatal error of the loader: the command stops and exits with status 1.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file whose format is not known from its extension (and no `--format`).
    #[error("{}: unknown format (use a .csv, .json/.jsonl/.ndjson or .parquet name, or --format)", .0.display())]
    UnknownFormat(PathBuf),
    /// A file that cannot be read as its format (e.g. not Parquet, no CSV header).
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The database refused or the connection failed.
    #[error("{context}: {source}")]
    Database {
        /// What was being done.
        context: String,
        /// The writer's or reader's error.
        source: sqlx_cratedb_arrow::Error,
    },
    /// Options that do not work together.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Format`] for `path`.
    pub(crate) fn format(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        Self::Format {
            path: path.into(),
            message: message.to_string(),
        }
    }

    /// An [`Error::Database`] while doing `context`.
    pub(crate) fn database(
        context: impl Into<String>,
        source: impl Into<sqlx_cratedb_arrow::Error>,
    ) -> Self {
        Self::Database {
            context: context.into(),
            source: source.into(),
        }
    }
}
