//! [`CrateDbBlobError`]: what can go wrong with a blob request.

use std::io;

use super::digest::{BlobDigest, InvalidBlobDigest};

/// What went wrong with a blob request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrateDbBlobError {
    /// The table name cannot be used in a `/_blobs` URL: empty, starting with `_`, or holding a
    /// character other than ASCII letters, digits, `_`, `-` and `.`.
    #[error(
        "invalid blob table name {0:?}: use ASCII letters, digits, `_`, `-` and `.`, not starting with `_`"
    )]
    InvalidTable(String),
    /// Not 40 hex digits.
    #[error(transparent)]
    InvalidDigest(#[from] InvalidBlobDigest),
    /// The options name the PostgreSQL wire protocol; blobs need CrateDB's HTTP endpoint.
    #[error(
        "blob tables are reached over CrateDB's HTTP endpoint: connect with a crate:// or crate+https:// URL"
    )]
    NeedsHttp,
    /// The server computed another digest than the one given with the upload.
    #[error("the content's SHA-1 digest is not {0}: the server refused the upload")]
    DigestMismatch(BlobDigest),
    /// The blob table does not exist.
    #[error("blob table {table:?} does not exist: {message}")]
    TableNotFound {
        /// The table.
        table: String,
        /// The server's message.
        message: String,
    },
    /// A blob larger than the limit given to [`BlobReader::bytes`](super::BlobReader::bytes).
    #[error("blob of {} exceeds the limit of {limit} bytes", len.map_or("unknown size".to_owned(), |n| format!("{n} bytes")))]
    TooLarge {
        /// The limit.
        limit: usize,
        /// The size the server announced, if it did.
        len: Option<u64>,
    },
    /// The download ended before the length the server announced.
    #[error("blob download ended after {read} of {expected} bytes")]
    Truncated {
        /// The announced length.
        expected: u64,
        /// Bytes received.
        read: u64,
    },
    /// A one-shot stream was handed to a connection that failed; it cannot be sent again.
    #[error("the upload stream was already sent to a node that failed; it cannot be sent again")]
    StreamConsumed,
    /// Any other answer.
    #[error("CrateDB answered HTTP {status} to a blob request{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Server {
        /// The HTTP status.
        status: u16,
        /// The response body, if any (up to 64 KiB).
        message: String,
    },
    /// Reading or writing a local file or stream.
    #[error("blob content I/O: {0}")]
    Io(#[from] io::Error),
    /// The request failed (connection, TLS, timeout, configuration).
    #[error(transparent)]
    Request(#[from] sqlx_core::Error),
}
