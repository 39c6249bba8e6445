//! Sending a `/_sql` request: the request and its headers, a gzip body when it is large,
//! the request timeout, and each attempt through the failover loop.

use std::io;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use http::{Request, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use sqlx_core::error::Error;
use tokio::time::Instant;

use super::Transport;
use super::connect::auth_header;
use super::response::{HttpResponse, timed_out};
use crate::connection::deadline::deadline_after;
use crate::connection::failover::{
    self, Attempt, Host, READ_ROUNDS, ReadFailure, Rounds, Turn, read_failure,
};

/// The header CrateDB reads the session's schema from.
const DEFAULT_SCHEMA: &str = "Default-Schema";

/// True for statuses that mean "this node cannot serve now" (crate-python's list).
pub(crate) fn is_failover_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 502..=504 | 509)
}

impl Transport {
    /// The `/_sql` request of `body` to host `host`.
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
        // A token provider is asked for every request (the token may have been refreshed).
        let auth = match &self.options.token_provider {
            Some(_) => auth_header(&self.options)?,
            None => self.auth.clone(),
        };
        if let Some(auth) = auth {
            req = req.header(AUTHORIZATION, auth);
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
    /// 502/503/504/509; sends again only when `retry_safe` (a read) or the request never left,
    /// or when a node answered that it does not know the table (4041/4045: refused before
    /// anything ran), which a node that is still starting does for tables that exist.
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
            backoff: self.options.backoff_factor,
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
                Attempt::host_failed(error, retry_safe)
            }
            Ok(resp) => {
                let (parts, body) = resp.into_parts();
                let response = self.response(parts.status, body, deadline);
                let failed = parts.status.is_client_error() || parts.status.is_server_error();
                // A write moves on only when a node answered 404 in the first round: one that is
                // still starting does not know the table yet, and refused the statement before
                // it ran. The last host's answer goes back as it is.
                let write_may_move =
                    parts.status == StatusCode::NOT_FOUND && turn.round == 0 && turn.hosts_left;
                if !failed || !(retry_safe || write_may_move) {
                    return Attempt::Done(response);
                }
                let error = response.into_error().await;
                let unknown_here = match read_failure(&error) {
                    Some(ReadFailure::Transient) if retry_safe => false,
                    Some(ReadFailure::UnknownHere) if turn.round == 0 && turn.hosts_left => true,
                    _ => {
                        return Attempt::Final {
                            error,
                            host: Host::Answered,
                        };
                    }
                };
                log::warn!(
                    "sqlx-cratedb: a statement through {base} failed ({error}); trying it elsewhere"
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
/// or is safe to repeat, else final (it may have been applied). The host is set aside either
/// way. (Shared by `/_sql` and `/_blobs` requests.)
pub(crate) fn connection_failure<T>(
    base: &str,
    e: &hyper_util::client::legacy::Error,
    retry_safe: bool,
) -> Attempt<T> {
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
    Attempt::host_failed(error, never_sent || retry_safe)
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
