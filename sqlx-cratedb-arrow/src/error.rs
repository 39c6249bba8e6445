//! [`Error`]: what reading to or writing from Arrow can fail with.

pub use crate::types::UnsupportedType;

/// An error of the Arrow reader or writer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The driver failed (connection, query, server error).
    #[error(transparent)]
    Sqlx(#[from] sqlx_core::Error),
    /// arrow-rs refused to build a batch.
    #[error(transparent)]
    Arrow(#[from] arrow_schema::ArrowError),
    /// A value the server sent does not have its column type's shape.
    #[error("column \"{column}\", row {row}: {message}")]
    Value {
        /// The column's name.
        column: String,
        /// The row's index in the result (0-based).
        row: usize,
        /// What is wrong, with an excerpt of the value.
        message: String,
    },
    /// An Arrow type that CrateDB cannot store.
    #[error(transparent)]
    UnsupportedType(#[from] UnsupportedType),
    /// The SQL builder refused a statement (e.g. an invalid name).
    #[error(transparent)]
    Sql(#[from] sea_cratedb::Error),
    /// A range-partitioned read's column is not a number or a timestamp.
    #[error("partition column \"{column}\" is {found}, not a number or a timestamp")]
    PartitionColumn {
        /// The column's name.
        column: String,
        /// Its CrateDB type.
        found: String,
    },
    /// A column that cannot be converted between Arrow and a Polars `DataFrame`.
    #[cfg(feature = "polars")]
    #[error("column \"{column}\": {message}")]
    DataFrame {
        /// The column's name.
        column: String,
        /// Why the conversion failed.
        message: String,
    },
    /// Options that cannot work together, or a batch whose schema is not the writer's.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// A [`Error::Value`] with an excerpt of at most 64 bytes of the raw value.
    pub(crate) fn value(column: &str, row: usize, what: &str, raw: &[u8]) -> Self {
        let excerpt = String::from_utf8_lossy(&raw[..raw.len().min(64)]).into_owned();
        Self::Value {
            column: column.to_owned(),
            row,
            message: format!("{what}: `{excerpt}`"),
        }
    }
}
