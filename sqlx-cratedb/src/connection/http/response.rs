//! A `/_sql` response whose body is read as it arrives, within the request deadline, and
//! the error a non-200 response stands for.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::StatusCode;
use hyper::body::Body as _;
use hyper::body::Incoming;
use sqlx_core::error::Error;
use tokio::time::Instant;

use crate::connection::timing::LastServerDuration;
use crate::error::CrateDbDatabaseError;
use crate::protocol::ProtocolError;
use crate::protocol::http::response::ResponseParser;

/// Error bodies are read up to this size.
const ERROR_BODY_LIMIT: usize = 1024 * 1024;

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

pub(crate) fn timed_out() -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::TimedOut,
        "CrateDB request timed out",
    ))
}

impl HttpResponse {
    /// A response with the driver's default `max_message_size`.
    pub(crate) fn new(status: StatusCode, body: Incoming, deadline: Option<Instant>) -> Self {
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
