//! BLOB tables over CrateDB's `/_blobs/{table}/{sha1-digest}` HTTP endpoint.
//!
//! A blob table (`CREATE BLOB TABLE images`; sea-cratedb's `CreateBlobTable`) stores binary
//! objects addressed by the SHA-1 digest of their content. [`CrateDbBlobs`] uploads
//! ([`put`](CrateDbBlobs::put) from memory, [`put_file`](CrateDbBlobs::put_file),
//! [`put_reader`](CrateDbBlobs::put_reader) / [`put_stream`](CrateDbBlobs::put_stream) from a
//! reader or stream, [`put_with_digest`](CrateDbBlobs::put_with_digest) in one pass when the
//! digest is known), downloads ([`get`](CrateDbBlobs::get), streaming), and checks and deletes
//! blobs; [`digests`] lists a table's blobs through SQL (`blob.<table>`).
//!
//! Requests use the connection options of the HTTP transport (hosts, TLS, credentials,
//! `request_timeout`, `retry_interval`, `backoff_factor`) and fail over like queries: a node
//! that cannot be reached, or answers 502/503/504/509, is set aside and the next one is asked.
//! Reads, and uploads of content that can be sent again, are repeated on another node even when
//! a connection broke mid-request: an upload is addressed by its content, so it cannot apply
//! twice. A node that does not hold a blob answers `307 Temporary Redirect` to one that does;
//! the redirect is followed (up to three times).
//!
//! ```no_run
//! # async fn demo() -> Result<(), sqlx_cratedb::blob::CrateDbBlobError> {
//! use sqlx_cratedb::blob::CrateDbBlobs;
//!
//! let blobs = CrateDbBlobs::connect("crate://localhost:4200")?;
//! let put = blobs.put("images", b"\x89PNG...".to_vec()).await?;
//! let content = blobs.get("images", &put.digest).await?.expect("just stored").bytes(1 << 20).await?;
//! assert_eq!(&content[..], b"\x89PNG...");
//! blobs.delete("images", &put.digest).await?;
//! # Ok(()) }
//! ```

mod digest;
mod error;
mod reader;
mod request;
mod spool;

use std::io;
use std::path::Path;
use std::sync::Mutex;

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{Method, StatusCode};
use sqlx_core::executor::Executor;
use sqlx_core::sql_str::AssertSqlSafe;
use tokio::io::AsyncRead;

pub use self::digest::{BlobDigest, InvalidBlobDigest};
pub use self::error::CrateDbBlobError;
pub use self::reader::BlobReader;
use self::request::{BlobEndpoint, Content, blob_path, stream_body};
use crate::CrateDb;
use crate::connection::http::response::HttpResponse;
use crate::options::CrateDbConnectOptions;

/// Error bodies of blob requests are read up to this size.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The outcome of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobPut {
    /// The blob's digest: its name in the table.
    pub digest: BlobDigest,
    /// False when the table already held this content (not an error: blobs are immutable and
    /// addressed by content).
    pub created: bool,
}

/// A client for blob tables; cheap to share (`&self` methods), one per application is enough.
pub struct CrateDbBlobs {
    endpoint: BlobEndpoint,
}

impl std::fmt::Debug for CrateDbBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrateDbBlobs").finish_non_exhaustive()
    }
}

impl CrateDbBlobs {
    /// A client for the HTTP endpoint(s) in `url` (`crate://host:4200,host2:4200?…`).
    ///
    /// # Errors
    /// An invalid URL, a `postgres://` URL ([`CrateDbBlobError::NeedsHttp`]), unreadable TLS
    /// files, or credentials over plain HTTP without `allow_cleartext_password`.
    pub fn connect(url: &str) -> Result<Self, CrateDbBlobError> {
        let options: CrateDbConnectOptions = url.parse()?;
        Self::new(&options)
    }

    /// A client with the given connection options (those of an HTTP pool, say).
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub fn new(options: &CrateDbConnectOptions) -> Result<Self, CrateDbBlobError> {
        Ok(Self {
            endpoint: BlobEndpoint::new(options)?,
        })
    }

    /// Uploads `content` held in memory; its digest is computed here.
    ///
    /// # Errors
    /// See [`CrateDbBlobError`]; an existing blob is not an error ([`BlobPut::created`]).
    pub async fn put(
        &self,
        table: &str,
        content: impl Into<Bytes>,
    ) -> Result<BlobPut, CrateDbBlobError> {
        let content = content.into();
        let digest = BlobDigest::of(&content);
        self.upload(table, digest, Content::Bytes(content)).await
    }

    /// Uploads a file: read once for its digest, then streamed (and read again if failover
    /// sends it to another node).
    ///
    /// # Errors
    /// As [`put`](Self::put), and the file's I/O errors.
    pub async fn put_file(
        &self,
        table: &str,
        path: impl AsRef<Path>,
    ) -> Result<BlobPut, CrateDbBlobError> {
        let path = path.as_ref().to_owned();
        let (digest, len) = spool::digest_file(&path).await?;
        self.upload(table, digest, Content::File { path, len })
            .await
    }

    /// Uploads what `reader` yields. The digest must be known before the upload starts, so the
    /// content is first written to a temporary file (in `std::env::temp_dir()`) while it is
    /// hashed; memory stays bounded whatever the size. The file is removed afterwards.
    ///
    /// # Errors
    /// As [`put_file`](Self::put_file).
    pub async fn put_reader<R>(&self, table: &str, reader: R) -> Result<BlobPut, CrateDbBlobError>
    where
        R: AsyncRead + Unpin,
    {
        let spooled = spool::Spooled::from_reader(reader).await?;
        self.upload(table, spooled.digest, spooled.content()).await
    }

    /// Uploads the chunks of `stream`, spooled like [`put_reader`](Self::put_reader).
    ///
    /// # Errors
    /// As [`put_file`](Self::put_file), and the stream's errors.
    pub async fn put_stream<S>(&self, table: &str, stream: S) -> Result<BlobPut, CrateDbBlobError>
    where
        S: futures_core::Stream<Item = Result<Bytes, io::Error>> + Unpin,
    {
        let spooled = spool::Spooled::from_stream(stream).await?;
        self.upload(table, spooled.digest, spooled.content()).await
    }

    /// Uploads `stream` in one pass when its digest is already known (and its length, if
    /// `len` is given). The server checks the digest ([`CrateDbBlobError::DigestMismatch`]).
    /// A stream can be sent once: if the node fails after taking it, the upload fails with
    /// that error rather than being repeated elsewhere.
    ///
    /// # Errors
    /// See [`CrateDbBlobError`].
    pub async fn put_with_digest<S>(
        &self,
        table: &str,
        digest: BlobDigest,
        len: Option<u64>,
        stream: S,
    ) -> Result<BlobPut, CrateDbBlobError>
    where
        S: futures_core::Stream<Item = Result<Bytes, io::Error>> + Send + 'static,
    {
        let content = Content::Once {
            body: Mutex::new(Some(stream_body(stream))),
            len,
        };
        self.upload(table, digest, content).await
    }

    async fn upload(
        &self,
        table: &str,
        digest: BlobDigest,
        content: Content,
    ) -> Result<BlobPut, CrateDbBlobError> {
        let path = blob_path(table, &digest)?;
        let (response, deadline) = self
            .endpoint
            .send(Method::PUT, &path, &content, true)
            .await?;
        match response.status() {
            StatusCode::CREATED => Ok(BlobPut {
                digest,
                created: true,
            }),
            StatusCode::CONFLICT => Ok(BlobPut {
                digest,
                created: false,
            }),
            StatusCode::BAD_REQUEST => {
                let message = self.error_body(response, deadline).await;
                if message.contains("mismatch") || message.is_empty() {
                    Err(CrateDbBlobError::DigestMismatch(digest))
                } else {
                    Err(CrateDbBlobError::Server {
                        status: 400,
                        message,
                    })
                }
            }
            other => Err(self.failure(table, other, response, deadline).await),
        }
    }

    /// Starts downloading a blob; `None` when the table does not hold it.
    ///
    /// # Errors
    /// See [`CrateDbBlobError`].
    pub async fn get(
        &self,
        table: &str,
        digest: &BlobDigest,
    ) -> Result<Option<BlobReader>, CrateDbBlobError> {
        let path = blob_path(table, digest)?;
        let (response, deadline) = self
            .endpoint
            .send(Method::GET, &path, &Content::Empty, true)
            .await?;
        match response.status() {
            StatusCode::OK => {
                let len = content_length(&response);
                let (parts, body) = response.into_parts();
                Ok(Some(BlobReader::new(
                    HttpResponse::new(parts.status, body, deadline),
                    len,
                )))
            }
            StatusCode::NOT_FOUND => self
                .not_found(table, response, deadline)
                .await
                .map(|()| None),
            other => Err(self.failure(table, other, response, deadline).await),
        }
    }

    /// True when the table holds a blob with this digest (`HEAD`).
    ///
    /// # Errors
    /// See [`CrateDbBlobError`].
    pub async fn exists(&self, table: &str, digest: &BlobDigest) -> Result<bool, CrateDbBlobError> {
        let path = blob_path(table, digest)?;
        let (response, deadline) = self
            .endpoint
            .send(Method::HEAD, &path, &Content::Empty, true)
            .await?;
        match response.status() {
            StatusCode::OK => Ok(true),
            // A HEAD answer has no body: a missing table shows as the length of its message.
            StatusCode::NOT_FOUND if content_length(&response).is_some_and(|n| n > 0) => {
                Err(CrateDbBlobError::TableNotFound {
                    table: table.to_owned(),
                    message: "the server answered 404 with a message (which a HEAD answer \
                              does not carry): the table is unknown"
                        .to_owned(),
                })
            }
            StatusCode::NOT_FOUND => Ok(false),
            other => Err(self.failure(table, other, response, deadline).await),
        }
    }

    /// Deletes a blob; false when the table did not hold it. A delete whose connection broke
    /// after it was sent is not repeated (its outcome is unknown: the error says so).
    ///
    /// # Errors
    /// See [`CrateDbBlobError`].
    pub async fn delete(&self, table: &str, digest: &BlobDigest) -> Result<bool, CrateDbBlobError> {
        let path = blob_path(table, digest)?;
        let (response, deadline) = self
            .endpoint
            .send(Method::DELETE, &path, &Content::Empty, false)
            .await?;
        match response.status() {
            StatusCode::NO_CONTENT | StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND => self
                .not_found(table, response, deadline)
                .await
                .map(|()| false),
            other => Err(self.failure(table, other, response, deadline).await),
        }
    }

    /// A 404: the blob is missing (empty body) or the table is (a message naming it).
    async fn not_found(
        &self,
        table: &str,
        response: http::Response<hyper::body::Incoming>,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<(), CrateDbBlobError> {
        let message = self.error_body(response, deadline).await;
        if message.is_empty() {
            Ok(())
        } else {
            Err(CrateDbBlobError::TableNotFound {
                table: table.to_owned(),
                message,
            })
        }
    }

    async fn failure(
        &self,
        table: &str,
        status: StatusCode,
        response: http::Response<hyper::body::Incoming>,
        deadline: Option<tokio::time::Instant>,
    ) -> CrateDbBlobError {
        let message = self.error_body(response, deadline).await;
        if status == StatusCode::NOT_FOUND {
            return CrateDbBlobError::TableNotFound {
                table: table.to_owned(),
                message,
            };
        }
        CrateDbBlobError::Server {
            status: status.as_u16(),
            message,
        }
    }

    /// The body of an error answer as text (empty if it cannot be read).
    async fn error_body(
        &self,
        response: http::Response<hyper::body::Incoming>,
        deadline: Option<tokio::time::Instant>,
    ) -> String {
        let (parts, body) = response.into_parts();
        let mut reader = HttpResponse::new(parts.status, body, deadline);
        let body = reader
            .read_to_end(ERROR_BODY_LIMIT)
            .await
            .unwrap_or_default();
        String::from_utf8_lossy(&body).trim().to_owned()
    }
}

fn content_length(response: &http::Response<hyper::body::Incoming>) -> Option<u64> {
    response
        .headers()
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The digests of every blob in `table`, in digest order, read through SQL from
/// `blob.<table>` (any executor: a pool or connection over either transport).
///
/// # Errors
/// What the query returns (an unknown table included), or a digest that is not 40 hex digits.
pub async fn digests<'c>(
    executor: impl Executor<'c, Database = CrateDb>,
    table: &str,
) -> Result<Vec<BlobDigest>, sqlx_core::Error> {
    let sql = format!(
        "SELECT digest FROM blob.{} ORDER BY digest",
        cratedb_quote::quote_identifier(table)
    );
    let hex: Vec<String> = sqlx_core::query_scalar::query_scalar(AssertSqlSafe(sql))
        .fetch_all(executor)
        .await?;
    hex.iter()
        .map(|h| BlobDigest::from_hex(h).map_err(|e| sqlx_core::Error::Protocol(e.to_string())))
        .collect()
}
