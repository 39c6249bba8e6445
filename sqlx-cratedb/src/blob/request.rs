//! Sending one `/_blobs/{table}/{digest}` request: the client, the body (bytes, a file read
//! in chunks, or a one-shot stream), failover over the configured hosts, and the redirect a
//! node answers with when the blob lives on another node.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt as _, TryStreamExt as _};
use http::header::{AUTHORIZATION, CONTENT_LENGTH, LOCATION};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt as _, Empty, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::io::AsyncReadExt as _;
use tokio::time::Instant;

use super::digest::BlobDigest;
use super::error::CrateDbBlobError;
use crate::connection::cluster::{self, SharedState};
use crate::connection::deadline::deadline_after;
use crate::connection::failover::{self, Attempt, Host, READ_ROUNDS, Rounds, Turn};
use crate::connection::http::connect::{auth_header, base_urls, connector};
use crate::connection::http::response::timed_out;
use crate::connection::http::send::{connection_failure, is_failover_status};
use crate::error::CrateDbDatabaseError;
use crate::options::{CrateDbConnectOptions, CrateDbProtocol};

/// A request or upload body.
pub(crate) type BlobBody = UnsyncBoxBody<Bytes, io::Error>;

/// How many `307 Temporary Redirect`s one request follows.
const MAX_REDIRECTS: usize = 3;
/// The size of the pieces a file is uploaded in.
const FILE_CHUNK: usize = 64 * 1024;

/// What a request sends.
pub(crate) enum Content {
    /// No body (`GET`, `HEAD`, `DELETE`).
    Empty,
    /// Bytes in memory: sent again as often as failover needs.
    Bytes(Bytes),
    /// A file of `len` bytes, opened again for each attempt.
    File { path: PathBuf, len: u64 },
    /// A stream that can be sent once: an attempt after it was handed to a connection fails.
    Once {
        body: Mutex<Option<BlobBody>>,
        len: Option<u64>,
    },
}

impl Content {
    /// The body for one attempt, with its length when known; `None` once a one-shot stream
    /// was used up.
    async fn body(&self) -> Result<Option<(BlobBody, Option<u64>)>, io::Error> {
        Ok(Some(match self {
            Self::Empty => (
                Empty::new().map_err(|never| match never {}).boxed_unsync(),
                None,
            ),
            Self::Bytes(bytes) => (
                Full::new(bytes.clone())
                    .map_err(|never| match never {})
                    .boxed_unsync(),
                Some(bytes.len() as u64),
            ),
            Self::File { path, len } => (file_body(tokio::fs::File::open(path).await?), Some(*len)),
            Self::Once { body, len } => {
                let taken = body
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                match taken {
                    Some(body) => (body, *len),
                    None => return Ok(None),
                }
            }
        }))
    }

    /// True when the content can be sent again after an attempt that may have read it.
    fn repeatable(&self) -> bool {
        !matches!(self, Self::Once { .. })
    }

    /// True for a one-shot stream that was handed to a connection.
    fn used_up(&self) -> bool {
        match self {
            Self::Once { body, .. } => body
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .is_none(),
            _ => false,
        }
    }
}

/// A file's content as a body, read in [`FILE_CHUNK`] pieces.
fn file_body(file: tokio::fs::File) -> BlobBody {
    let chunks = futures_util::stream::try_unfold(file, |mut file| async move {
        let mut buf = BytesMut::with_capacity(FILE_CHUNK);
        let read = file.read_buf(&mut buf).await?;
        Ok::<_, io::Error>((read > 0).then(|| (Frame::data(buf.freeze()), file)))
    });
    StreamBody::new(chunks).boxed_unsync()
}

/// A stream of chunks as a one-shot body.
pub(crate) fn stream_body<S>(chunks: S) -> BlobBody
where
    S: futures_core::Stream<Item = Result<Bytes, io::Error>> + Send + 'static,
{
    StreamBody::new(chunks.map_ok(Frame::data).boxed()).boxed_unsync()
}

/// The HTTP client of a [`CrateDbBlobs`](super::CrateDbBlobs): the query client's connector,
/// TLS, credentials and host health, with a body type that can stream.
pub(crate) struct BlobEndpoint {
    client: Client<HttpsConnector<HttpConnector>, BlobBody>,
    pub(crate) options: CrateDbConnectOptions,
    bases: Vec<String>,
    shared: Arc<SharedState>,
}

impl BlobEndpoint {
    /// The client for `options`, which must name CrateDB's HTTP endpoint.
    pub(crate) fn new(options: &CrateDbConnectOptions) -> Result<Self, CrateDbBlobError> {
        if options.protocol != CrateDbProtocol::Http {
            return Err(CrateDbBlobError::NeedsHttp);
        }
        // Credentials over plain HTTP are refused here, before any request.
        auth_header(options)?;
        let shared = cluster::shared(options);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(connector(options, &shared)?);
        Ok(Self {
            client,
            options: options.clone(),
            bases: base_urls(options),
            shared,
        })
    }

    /// Sends `method` for `table`/`digest` through the failover loop and returns the first
    /// answer that is not a redirect or a "node cannot serve" status, with the request's
    /// deadline. `repeatable`: the request may be sent to another host after it may have
    /// reached one (reads, and content-addressed uploads, which cannot apply twice).
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        content: &Content,
        repeatable: bool,
    ) -> Result<(Response<Incoming>, Option<Instant>), CrateDbBlobError> {
        let deadline = self.options.request_timeout.map(deadline_after);
        let repeatable = repeatable && content.repeatable();
        let rounds = Rounds {
            max: if repeatable { READ_ROUNDS } else { 1 },
            backoff: self.options.backoff_factor,
            deadline,
        };
        let answer = failover::run(
            &self.shared.cluster,
            self.bases.len(),
            self.options.retry_interval,
            rounds,
            |turn| self.attempt(turn, &method, path, content, repeatable, deadline),
        )
        .await;
        match answer {
            Ok(response) => Ok((response, deadline)),
            // A connect failure dropped the stream before the next host could be asked.
            Err(sqlx_core::Error::Protocol(_)) if content.used_up() => {
                Err(CrateDbBlobError::StreamConsumed)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// One request to one host, following redirects.
    async fn attempt(
        &self,
        turn: Turn,
        method: &Method,
        path: &str,
        content: &Content,
        repeatable: bool,
        deadline: Option<Instant>,
    ) -> Attempt<Response<Incoming>> {
        let base = &self.bases[turn.host];
        let mut uri = format!("{base}{path}");
        for _ in 0..=MAX_REDIRECTS {
            let response = match self.request_once(method, &uri, content, deadline).await {
                Ok(Some(response)) => response,
                Ok(None) => {
                    return Attempt::Final {
                        error: sqlx_core::Error::Protocol("upload stream used up".to_owned()),
                        host: Host::Unknown,
                    };
                }
                Err(Failure::Config(error)) => {
                    return Attempt::Final {
                        error,
                        host: Host::Unknown,
                    };
                }
                Err(Failure::Connection(e)) => return connection_failure(base, &e, repeatable),
                Err(Failure::Timeout) => {
                    return Attempt::Final {
                        error: timed_out(),
                        host: Host::Unknown,
                    };
                }
            };
            let status = response.status();
            if is_failover_status(status) {
                log::warn!(
                    "sqlx-cratedb: {base} answered HTTP {status} to a blob request; set aside"
                );
                let error = server_error(status, "the node cannot serve now");
                return Attempt::host_failed(error, repeatable);
            }
            if status != StatusCode::TEMPORARY_REDIRECT {
                return Attempt::Done(response);
            }
            let Some(next) = redirect_target(&response, &uri) else {
                let error = server_error(status, "a redirect without a usable Location");
                return Attempt::Final {
                    error,
                    host: Host::Answered,
                };
            };
            uri = next;
        }
        let error = server_error(
            StatusCode::TEMPORARY_REDIRECT,
            &format!("more than {MAX_REDIRECTS} redirects"),
        );
        Attempt::Final {
            error,
            host: Host::Answered,
        }
    }

    /// One HTTP exchange, up to the response head.
    async fn request_once(
        &self,
        method: &Method,
        uri: &str,
        content: &Content,
        deadline: Option<Instant>,
    ) -> Result<Option<Response<Incoming>>, Failure> {
        let uri: Uri = uri
            .parse()
            .map_err(|e: http::uri::InvalidUri| Failure::Config(config(e)))?;
        let Some((body, len)) = content
            .body()
            .await
            .map_err(|e| Failure::Config(e.into()))?
        else {
            return Ok(None);
        };
        let mut request = Request::builder().method(method.clone()).uri(uri);
        if let Some(auth) = auth_header(&self.options).map_err(Failure::Config)? {
            request = request.header(AUTHORIZATION, auth);
        }
        if let Some(len) = len {
            request = request.header(CONTENT_LENGTH, len);
        }
        let request = request.body(body).map_err(|e| Failure::Config(config(e)))?;
        let sent = self.client.request(request);
        let result = match deadline {
            Some(d) => tokio::time::timeout_at(d, sent)
                .await
                .map_err(|_| Failure::Timeout)?,
            None => sent.await,
        };
        result.map(Some).map_err(Failure::Connection)
    }
}

/// Why one exchange ended without a response.
enum Failure {
    Config(sqlx_core::Error),
    Connection(hyper_util::client::legacy::Error),
    Timeout,
}

/// A blob request the server answered with an error status, as a typed database error
/// (`CrateDbDatabaseError::status()` gives the status).
fn server_error(status: StatusCode, message: &str) -> sqlx_core::Error {
    let message = format!("blob request: HTTP {status}: {message}");
    sqlx_core::Error::Database(Box::new(CrateDbDatabaseError::new(
        None,
        status.as_u16(),
        message,
    )))
}

fn config(e: impl std::error::Error + Send + Sync + 'static) -> sqlx_core::Error {
    sqlx_core::Error::Configuration(Box::new(e))
}

/// The absolute URL a redirect points to: CrateDB sends `http://host:port/_blobs/…`; a
/// relative target is resolved against the request's origin.
fn redirect_target(response: &Response<Incoming>, from: &str) -> Option<String> {
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    if location.starts_with("http://") || location.starts_with("https://") {
        return Some(location.to_owned());
    }
    if !location.starts_with('/') {
        return None;
    }
    let origin_end = from.find("://").map(|i| i + 3)?;
    let path_start = from[origin_end..]
        .find('/')
        .map_or(from.len(), |i| origin_end + i);
    Some(format!("{}{location}", &from[..path_start]))
}

/// `/_blobs/{table}/{digest}`, after checking that the table name can stand in a URL path as
/// it is (CrateDB does not decode percent escapes there, so none are made).
pub(crate) fn blob_path(table: &str, digest: &BlobDigest) -> Result<String, CrateDbBlobError> {
    let valid = !table.is_empty()
        && !table.starts_with('_')
        && table
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !valid {
        return Err(CrateDbBlobError::InvalidTable(
            table.chars().take(128).collect(),
        ));
    }
    Ok(format!("/_blobs/{table}/{digest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_that_could_change_the_url_are_refused() {
        let digest = BlobDigest::of(b"x");
        assert_eq!(
            blob_path("images", &digest).unwrap(),
            format!("/_blobs/images/{digest}")
        );
        assert!(blob_path("my-blobs.v2", &digest).is_ok());
        for bad in [
            "", "_sql", "a/b", "../_sql", "a?b", "a#b", "a%2Fb", "a b", "é",
        ] {
            assert!(
                matches!(
                    blob_path(bad, &digest),
                    Err(CrateDbBlobError::InvalidTable(_))
                ),
                "{bad}"
            );
        }
    }
}
