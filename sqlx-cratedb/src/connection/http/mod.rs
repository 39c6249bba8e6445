//! The HTTP transport: a keep-alive client per connection that posts to CrateDB's `/_sql`.
//!
//! The same inner layout as the pgwire transport: [`connect`] (the client, TLS, the
//! authentication and schema headers), [`send`] (one request through the failover loop, gzip
//! bodies, the request timeout), [`response`] (the body as a stream of chunks, error bodies),
//! [`stream`] (rows read from the body as they arrive) and [`bulk`] (`bulk_args` requests).

pub(crate) mod bulk;
pub(crate) mod connect;
pub(crate) mod response;
pub(crate) mod send;
pub(crate) mod stream;

use std::sync::Arc;

use bytes::Bytes;
use http::HeaderValue;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

use super::cluster::SharedState;
use super::timing::LastServerDuration;
use crate::options::CrateDbConnectOptions;

type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The HTTP client of one sqlx connection.
pub(crate) struct Transport {
    client: HttpClient,
    pub(crate) options: CrateDbConnectOptions,
    /// `http(s)://host:port` per configured host.
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
