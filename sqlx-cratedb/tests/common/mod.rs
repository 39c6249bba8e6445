//! An in-process HTTP peer for the driver's tests.
//!
//! It is *not* a CrateDB: it answers each request with what the test's handler scripts, in the
//! response formats CrateDB documents for `POST /_sql` (`cratedb-reference.md` §5). It records
//! every request (path, headers, decompressed JSON body) so tests can check what the driver sent.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::missing_panics_doc,
    clippy::needless_pass_by_value
)]

use std::convert::Infallible;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// A request as the peer saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
    pub gzip: bool,
}

impl Recorded {
    pub fn stmt(&self) -> &str {
        self.body["stmt"].as_str().unwrap_or("")
    }
    pub fn args(&self) -> &Value {
        &self.body["args"]
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the peer answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Status + JSON body.
    Json(u16, Value),
    /// Status + raw body (may be invalid JSON or plain text).
    Raw(u16, &'static str, String),
    /// The body in several chunks (chunked transfer encoding).
    Chunks(u16, Vec<Vec<u8>>),
    /// Wait, then answer.
    Slow(Duration, Box<Reply>),
    /// Announce `Content-Length` larger than the body, then close the connection.
    CutOff(String),
}

pub type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

type Body = BoxBody<Bytes, Infallible>;

fn full(s: impl Into<Bytes>) -> Body {
    Full::new(s.into()).boxed()
}

async fn answer(reply: Reply) -> Response<Body> {
    let mut reply = reply;
    loop {
        match reply {
            Reply::Slow(d, inner) => {
                tokio::time::sleep(d).await;
                reply = *inner;
            }
            Reply::Json(status, v) => {
                return Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(full(v.to_string()))
                    .unwrap();
            }
            Reply::Raw(status, ctype, body) => {
                let mut b = Response::builder()
                    .status(status)
                    .header("content-type", ctype);
                if status == 401 {
                    b = b.header("www-authenticate", "Basic realm=\"CrateDB Authenticator\"");
                }
                return b.body(full(body)).unwrap();
            }
            Reply::Chunks(status, chunks) => {
                let frames = futures_util::stream::iter(
                    chunks
                        .into_iter()
                        .map(|c| Ok::<_, Infallible>(Frame::data(Bytes::from(c)))),
                );
                return Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(StreamBody::new(frames).boxed())
                    .unwrap();
            }
            Reply::CutOff(body) => {
                let len = body.len() + 100;
                return Response::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .header("content-length", len)
                    .body(full(body))
                    .unwrap();
            }
        }
    }
}

pub async fn handle(
    req: Request<Incoming>,
    handler: Handler,
    log: Arc<Mutex<Vec<Recorded>>>,
) -> Result<Response<Body>, Infallible> {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let headers = req.headers().clone();
    let gzip = headers
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes() == b"gzip");
    let raw = req.into_body().collect().await.unwrap().to_bytes();
    let raw = if gzip {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw.to_vec()
    };
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let rec = Recorded {
        path,
        headers,
        body,
        gzip,
    };
    log.lock().unwrap().push(rec.clone());
    Ok(answer(handler(&rec)).await)
}

/// A running peer on 127.0.0.1.
pub struct Peer {
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<Recorded>>>,
    handler: Handler,
    tasks: Option<JoinSet<()>>,
}

impl Peer {
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let mut peer = Self {
            addr: "127.0.0.1:0".parse().unwrap(),
            log: Arc::default(),
            handler: Arc::new(handler),
            tasks: None,
        };
        peer.listen().await;
        peer
    }

    async fn listen(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.addr = listener.local_addr().unwrap();
        let handler = self.handler.clone();
        let log = self.log.clone();
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let handler = handler.clone();
                let log = log.clone();
                conns.spawn(async move {
                    let svc = service_fn(move |req| handle(req, handler.clone(), log.clone()));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        self.tasks = Some(tasks);
    }

    /// Takes the node down: closes the listener and every open connection.
    pub async fn stop(&mut self) {
        if let Some(mut t) = self.tasks.take() {
            t.shutdown().await;
        }
    }

    /// Brings the node back on the same port.
    pub async fn revive(&mut self) {
        self.listen().await;
    }

    pub fn url(&self) -> String {
        format!("crate://{}", self.addr)
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

/// A result-set body as CrateDB documents it.
pub fn result_set(cols: &[&str], col_types: Value, rows: Value) -> Value {
    let n = rows.as_array().map_or(0, Vec::len);
    json!({"cols": cols, "col_types": col_types, "rows": rows, "rowcount": n, "duration": 0.5})
}

/// A DDL/DML body: `rows` holds one empty row.
pub fn row_count(n: i64) -> Value {
    json!({"cols": [], "rows": [[]], "rowcount": n, "duration": 0.3})
}

/// An error body with CrateDB's code.
pub fn error_body(code: i64, message: &str) -> Value {
    json!({"error": {"message": message, "code": code}})
}

/// The HTTP status CrateDB uses for a code (`HttpErrorStatus`): its first three digits.
pub fn status_for(code: i64) -> u16 {
    code.to_string()[..3].parse().unwrap()
}

/// An error reply with the right status.
pub fn error_reply(code: i64, message: &str) -> Reply {
    Reply::Json(status_for(code), error_body(code, message))
}

/// Answers the driver's connect/ping `SELECT 1`.
pub fn ping(rec: &Recorded) -> Option<Reply> {
    (rec.stmt() == "SELECT 1")
        .then(|| Reply::Json(200, result_set(&["1"], json!([9]), json!([[1]]))))
}

/// A peer that answers pings and hands everything else to `handler`.
pub async fn peer(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Peer {
    Peer::start(move |rec| ping(rec).unwrap_or_else(|| handler(rec))).await
}

/// A small pool on `url`.
pub async fn pool(url: &str) -> sqlx_cratedb::CrateDbPool {
    sqlx_cratedb::CrateDbPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap()
}
