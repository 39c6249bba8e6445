//! [`ProtocolError`]: what a wire format reader reports; the driver turns it into
//! `sqlx::Error::Protocol` with the same text.

/// The server sent something this driver cannot read: malformed, truncated or unexpected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ProtocolError {
    #[error("CrateDB response is not valid JSON at byte {offset}: {reason}")]
    Malformed { offset: usize, reason: &'static str },
    #[error("CrateDB response ended before it was complete (truncated body)")]
    Truncated,
    #[error("CrateDB response has an invalid `{key}`: {source}")]
    InvalidField {
        key: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("CrateDB response has an invalid `col_types` entry at position {0}")]
    InvalidColType(usize),
    #[error("CrateDB response has rows but no `cols`")]
    MissingColumns,
    #[error("CrateDB row has {found} values but the response declares {expected} columns")]
    RowWidth { expected: usize, found: usize },
    #[error("CrateDB row is larger than 4 GiB")]
    RowTooLarge,
    /// A message (pgwire) or a row, header value or bulk item (HTTP) is larger than the
    /// connection's `max_message_size`; `size` is what the server announced or sent so far.
    #[error("CrateDB sent a message of {size} bytes, more than max_message_size ({limit} bytes)")]
    MessageTooLarge { size: u64, limit: usize },
    /// Arrays or objects nested deeper than the decoder accepts.
    #[error("CrateDB value nests arrays or objects deeper than {limit} levels")]
    TooDeep { limit: u32 },
    #[error("CrateDB answered HTTP {status} with an unexpected body: {excerpt}")]
    UnexpectedStatus { status: u16, excerpt: String },
    #[error("CrateDB bulk response has {found} results for {expected} rows")]
    BulkResultCount { expected: usize, found: usize },
    #[error("CrateDB response is neither a result set, a row count nor a bulk result")]
    NoResult,
    #[error("PostgreSQL-protocol value: {0}")]
    PgValue(String),
    #[error("PostgreSQL-protocol message: {0}")]
    PgMessage(String),
}

impl From<ProtocolError> for sqlx_core::Error {
    fn from(err: ProtocolError) -> Self {
        sqlx_core::Error::Protocol(err.to_string())
    }
}
