//! The HTTP transport: a keep-alive client, host selection with failover, auth and schema
//! headers, gzip request bodies, timeouts, and the response body as a stream of chunks.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderValue};
use http::{Request, StatusCode};
use http_body_util::Full;
use hyper::body::Body as _;
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use sqlx_core::error::Error;
use tokio::time::Instant;

use super::cluster::SharedState;
use super::deadline::deadline_after;
use super::failover::{self, Attempt, Host, READ_ROUNDS, ReadFailure, Rounds, Turn, read_failure};
use super::timing::LastServerDuration;
use crate::error::{ConfigError, CrateDbDatabaseError};
use crate::options::{CrateDbConnectOptions, CrateDbHost};
use crate::protocol::ProtocolError;
use crate::protocol::http::request::{SQL_PATH, SQL_PATH_TRACE};
use crate::protocol::http::response::ResponseParser;

type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The header CrateDB reads the session's schema from.
const DEFAULT_SCHEMA: &str = "Default-Schema";
/// Error bodies are read up to this size.
const ERROR_BODY_LIMIT: usize = 1024 * 1024;

/// The HTTP client of one sqlx connection.
pub(crate) struct Transport {
    client: HttpClient,
    pub(crate) options: CrateDbConnectOptions,
    bases: Vec<String>,
    /// `/_sql` URI per host, built once.
    uris: Vec<http::Uri>,
    auth: Option<HeaderValue>,
    schema: Option<HeaderValue>,
    /// The server duration of the last response read to its end.
    pub(crate) last_duration: Arc<LastServerDuration>,
    /// The hosts' health, shared with every connection to them.
    shared: Arc<SharedState>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("hosts", &self.bases)
            .finish_non_exhaustive()
    }
}

/// A response whose body has not been read yet.
pub(crate) struct HttpResponse {
    pub(crate) status: StatusCode,
    body: Incoming,
    /// Fires at the request deadline (`request_timeout`).
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The largest row, header value or bulk item read from the body (`max_message_size`).
    pub(crate) max_message_size: usize,
    /// Where the server duration goes once the body was read to its end.
    pub(crate) last_duration: Option<Arc<LastServerDuration>>,
}

fn timed_out() -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::TimedOut,
        "CrateDB request timed out",
    ))
}

impl HttpResponse {
    fn new(status: StatusCode, body: Incoming, deadline: Option<Instant>) -> Self {
        Self {
            status,
            body,
            timer: deadline.map(|d| Box::pin(tokio::time::sleep_until(d))),
            max_message_size: crate::options::DEFAULT_MAX_MESSAGE_SIZE,
            last_duration: None,
        }
    }

    /// Polls for the next chunk of the body, `None` at its end.
    pub(crate) fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Bytes>, Error>> {
        loop {
            match Pin::new(&mut self.body).poll_frame(cx) {
                Poll::Ready(None) => return Poll::Ready(Ok(None)),
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Err(Error::Io(io::Error::other(e))));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Ok(Some(data)));
                    }
                }
                Poll::Pending => {
                    if let Some(timer) = &mut self.timer
                        && timer.as_mut().poll(cx).is_ready()
                    {
                        return Poll::Ready(Err(timed_out()));
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    /// The next chunk of the body, `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// The whole body, up to `limit` bytes.
    pub(crate) async fn read_to_end(&mut self, limit: usize) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            let room = limit.saturating_sub(out.len());
            out.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Turns a non-200 response into an error: CrateDB's JSON error body when there is one,
    /// an authentication error for a plain-text 401, a protocol error otherwise.
    pub(crate) async fn into_error(mut self) -> Error {
        let status = self.status.as_u16();
        let body = match self.read_to_end(ERROR_BODY_LIMIT).await {
            Ok(b) => b,
            Err(e) => return e,
        };
        error_from_body(status, &body)
    }
}

/// Builds the error for a non-200 response body.
pub(crate) fn error_from_body(status: u16, body: &[u8]) -> Error {
    let mut parser = ResponseParser::new();
    parser.feed(body);
    parser.finish();
    let mut parsed = Ok(());
    while !parser.is_done() {
        match parser.next_event() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                parsed = Err(e);
                break;
            }
        }
    }
    if let (Ok(()), Some(err)) = (parsed, parser.error.take()) {
        return Error::Database(Box::new(
            CrateDbDatabaseError::new(err.code, status, err.message)
                .with_trace(parser.error_trace.take()),
        ));
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(512)])
        .trim()
        .to_owned();
    if status == 401 {
        let message = if text.is_empty() {
            "authentication failed".to_owned()
        } else {
            format!("authentication failed: {text}")
        };
        return Error::Database(Box::new(CrateDbDatabaseError::new(None, status, message)));
    }
    if matches!(status, 502..=504 | 509) {
        let message = format!("node unavailable (HTTP {status}): {text}");
        return Error::Database(Box::new(CrateDbDatabaseError::new(None, status, message)));
    }
    ProtocolError::UnexpectedStatus {
        status,
        excerpt: text,
    }
    .into()
}

fn header(value: &str, what: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| ConfigError::Parameter {
            name: what.to_owned(),
            value: "<not a valid header value>".to_owned(),
        })
        .map_err(Into::into)
}

/// True for statuses that mean "this node cannot serve now" (crate-python's list).
/// Without TLS, a password or token is sent only with `allow_cleartext_password`: Basic and
/// Bearer headers are readable (and replayable) by anyone on the path. A user without a
/// password (CrateDB's `crate` on loopback) has nothing to protect and is let through.
fn refuse_plain_http_credentials(options: &CrateDbConnectOptions) -> Result<(), Error> {
    if options.tls || options.allow_cleartext_password {
        return Ok(());
    }
    let credential = if options.token.is_some() {
        "token"
    } else if options.password.as_deref().is_some_and(|p| !p.is_empty()) {
        "password"
    } else {
        return Ok(());
    };
    let host = options
        .hosts
        .iter()
        .map(CrateDbHost::authority)
        .collect::<Vec<_>>()
        .join(",");
    Err(ConfigError::PlainHttpCredentialRefused { host, credential }.into())
}

fn is_failover_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 502..=504 | 509)
}

impl Transport {
    pub(crate) fn new(options: &CrateDbConnectOptions) -> Result<Self, Error> {
        let shared = super::cluster::shared(options);
        let tls = shared.tls_config(options)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(options.connect_timeout));
        http.set_keepalive(Some(Duration::from_mins(1)));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(50))
            .build(connector);
        let scheme = if options.tls { "https" } else { "http" };
        let bases: Vec<String> = options
            .hosts
            .iter()
            .map(|h| format!("{scheme}://{}", h.authority()))
            .collect();
        let path = if options.error_trace {
            SQL_PATH_TRACE
        } else {
            SQL_PATH
        };
        let uris = bases
            .iter()
            .map(|b: &String| {
                format!("{b}{path}")
                    .parse::<http::Uri>()
                    .map_err(|e| ConfigError::Url(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        refuse_plain_http_credentials(options)?;
        let auth = if let Some(token) = &options.token {
            Some(header(&format!("Bearer {token}"), "token")?)
        } else if let Some(user) = &options.username {
            use base64::Engine as _;
            let pair = format!("{user}:{}", options.password.as_deref().unwrap_or(""));
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            Some(header(&format!("Basic {encoded}"), "user")?)
        } else {
            None
        };
        let auth = auth.map(|mut v| {
            v.set_sensitive(true);
            v
        });
        let default_schema = options
            .schema
            .as_deref()
            .map(|s| header(s, "schema"))
            .transpose()?;
        Ok(Self {
            client,
            options: options.clone(),
            bases,
            uris,
            auth,
            schema: default_schema,
            last_duration: Arc::default(),
            shared,
        })
    }

    fn request(
        &self,
        host: usize,
        body: &Bytes,
        gzip: bool,
    ) -> Result<Request<Full<Bytes>>, Error> {
        // Until this request's answer was read, there is no "last" duration.
        self.last_duration.set(None);
        let mut req = Request::post(self.uris[host].clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json");
        if let Some(auth) = &self.auth {
            req = req.header(AUTHORIZATION, auth.clone());
        }
        if let Some(schema) = &self.schema {
            req = req.header(DEFAULT_SCHEMA, schema.clone());
        }
        if gzip {
            req = req.header(CONTENT_ENCODING, "gzip");
        }
        req.body(Full::new(body.clone()))
            .map_err(|e| Error::Configuration(Box::new(e)))
    }

    /// A response that reads its body with this transport's `max_message_size`.
    fn response(
        &self,
        status: StatusCode,
        body: Incoming,
        deadline: Option<Instant>,
    ) -> HttpResponse {
        let mut response = HttpResponse::new(status, body, deadline);
        response.max_message_size = self.options.max_message_size;
        response.last_duration = Some(Arc::clone(&self.last_duration));
        response
    }

    /// Sends a `/_sql` request. Fails over to the next host on connection errors and on
    /// 502/503/504/509; sends again only when `retry_safe` (a read) or the request never left.
    /// A read that fails on every host is tried again, up to [`READ_ROUNDS`] rounds in all,
    /// after the pauses of [`failover::read_retry_pause`], within the request timeout; a table
    /// unknown to a (starting) node is asked of each other node once.
    pub(crate) async fn post_sql(
        &self,
        body: Vec<u8>,
        retry_safe: bool,
    ) -> Result<HttpResponse, Error> {
        let (body, gzip) = if body.len() >= self.options.gzip_min_bytes {
            (Bytes::from(gzip(&body)?), true)
        } else {
            (Bytes::from(body), false)
        };
        let deadline = self.options.request_timeout.map(deadline_after);
        let rounds = Rounds {
            max: if retry_safe { READ_ROUNDS } else { 1 },
            deadline,
        };
        let hosts = self.bases.len();
        failover::run(
            &self.shared.cluster,
            hosts,
            self.options.retry_interval,
            rounds,
            |turn| self.attempt(turn, &body, gzip, retry_safe, deadline),
        )
        .await
    }

    /// One `/_sql` request to one host, and what it came to (see [`failover::run`]).
    async fn attempt(
        &self,
        turn: Turn,
        body: &Bytes,
        gzip: bool,
        retry_safe: bool,
        deadline: Option<Instant>,
    ) -> Attempt<HttpResponse> {
        let base = &self.bases[turn.host];
        let req = match self.request(turn.host, body, gzip) {
            Ok(req) => req,
            Err(error) => {
                return Attempt::Final {
                    error,
                    host: Host::Unknown,
                };
            }
        };
        let sent = self.client.request(req);
        let result = match deadline {
            Some(d) => match tokio::time::timeout_at(d, sent).await {
                Ok(result) => result,
                Err(_) => {
                    return Attempt::Final {
                        error: timed_out(),
                        host: Host::Unknown,
                    };
                }
            },
            None => sent.await,
        };
        match result {
            Ok(resp) if is_failover_status(resp.status()) => {
                let (parts, body) = resp.into_parts();
                let error = HttpResponse::new(parts.status, body, deadline)
                    .into_error()
                    .await;
                log::warn!(
                    "sqlx-cratedb: {base} answered HTTP {}; set aside",
                    parts.status
                );
                if retry_safe {
                    Attempt::Next {
                        error,
                        host: Host::Failed,
                        unknown_here: false,
                    }
                } else {
                    Attempt::Final {
                        error,
                        host: Host::Failed,
                    }
                }
            }
            Ok(resp) => {
                let (parts, body) = resp.into_parts();
                let response = self.response(parts.status, body, deadline);
                if !retry_safe
                    || !(parts.status.is_client_error() || parts.status.is_server_error())
                {
                    return Attempt::Done(response);
                }
                let error = response.into_error().await;
                let unknown_here = match read_failure(&error) {
                    Some(ReadFailure::Transient) => false,
                    Some(ReadFailure::UnknownHere) if turn.round == 0 && turn.hosts_left => true,
                    _ => {
                        return Attempt::Final {
                            error,
                            host: Host::Answered,
                        };
                    }
                };
                log::warn!(
                    "sqlx-cratedb: a read through {base} failed ({error}); trying it elsewhere"
                );
                Attempt::Next {
                    error,
                    host: Host::Answered,
                    unknown_here,
                }
            }
            Err(e) => connection_failure(base, &e, retry_safe),
        }
    }
}

/// The attempt on `base` whose connection failed: tried elsewhere when the request never left
/// or is a read, else final (it may have been applied). The host is set aside either way.
fn connection_failure(
    base: &str,
    e: &hyper_util::client::legacy::Error,
    retry_safe: bool,
) -> Attempt<HttpResponse> {
    let never_sent = e.is_connect();
    log::warn!("sqlx-cratedb: {base} failed: {e}; set aside");
    let kind = if never_sent {
        io::ErrorKind::ConnectionRefused
    } else {
        io::ErrorKind::ConnectionAborted
    };
    let message = format!("CrateDB node {base}: {}", chain(e));
    // `Error::Tls` only for a handshake that failed before the request was sent: bulk
    // execution reads it as "not applied".
    let error = if never_sent && is_tls_failure(e) {
        Error::Tls(message.into())
    } else {
        Error::Io(io::Error::new(kind, message))
    };
    if never_sent || retry_safe {
        Attempt::Next {
            error,
            host: Host::Failed,
            unknown_here: false,
        }
    } else {
        Attempt::Final {
            error,
            host: Host::Failed,
        }
    }
}

/// The error and its sources, joined with `: `.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// True when a TLS handshake or certificate check failed somewhere in the error's sources.
fn is_tls_failure(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.is::<rustls::Error>() {
            return true;
        }
        if e.downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            .is_some_and(<dyn std::error::Error + Send + Sync>::is::<rustls::Error>)
        {
            return true;
        }
        current = e.source();
    }
    false
}

fn gzip(body: &[u8]) -> Result<Vec<u8>, Error> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::fast(),
    );
    enc.write_all(body)?;
    Ok(enc.finish()?)
}
