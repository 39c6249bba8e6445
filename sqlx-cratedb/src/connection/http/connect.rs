//! Opening the HTTP transport: the TCP/TLS connector, the base URL of each host, and the
//! `Authorization` and `Default-Schema` headers (credentials refused over plain HTTP unless
//! the options allow them).

use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use sqlx_core::error::Error;

use super::Transport;
use crate::connection::cluster::{self, SharedState};
use crate::error::ConfigError;
use crate::options::{CrateDbConnectOptions, CrateDbHost};
use crate::protocol::http::request::{SQL_PATH, SQL_PATH_TRACE};

/// The connector of the HTTP clients (queries and blobs): TCP without Nagle, with keepalive
/// and the connect timeout, then TLS as the options say.
pub(crate) fn connector(
    options: &CrateDbConnectOptions,
    shared: &SharedState,
) -> Result<HttpsConnector<HttpConnector>, Error> {
    let tls = shared.tls_config(options)?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(options.connect_timeout));
    http.set_keepalive(options.tcp_keepalive);
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*tls).clone())
        .https_or_http()
        .enable_http1()
        .wrap_connector(http))
}

/// `http(s)://host:port` of each configured host.
pub(crate) fn base_urls(options: &CrateDbConnectOptions) -> Vec<String> {
    let scheme = if options.tls { "https" } else { "http" };
    options
        .hosts
        .iter()
        .map(|h| format!("{scheme}://{}", h.authority()))
        .collect()
}

/// The `Authorization` header the options call for (marked sensitive, so it is never logged),
/// after refusing credentials over plain HTTP without `allow_cleartext_password`.
pub(crate) fn auth_header(options: &CrateDbConnectOptions) -> Result<Option<HeaderValue>, Error> {
    refuse_plain_http_credentials(options)?;
    let auth = if let Some(provider) = &options.token_provider {
        Some(header(&format!("Bearer {}", provider.token()?), "token")?)
    } else if let Some(token) = &options.token {
        Some(header(&format!("Bearer {token}"), "token")?)
    } else if let Some(user) = &options.username {
        use base64::Engine as _;
        let pair = format!("{user}:{}", options.password.as_deref().unwrap_or(""));
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        Some(header(&format!("Basic {encoded}"), "user")?)
    } else {
        None
    };
    Ok(auth.map(|mut v| {
        v.set_sensitive(true);
        v
    }))
}

fn header(value: &str, what: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| ConfigError::Parameter {
            name: what.to_owned(),
            value: "<not a valid header value>".to_owned(),
        })
        .map_err(Into::into)
}

/// Without TLS, a password or token is sent only with `allow_cleartext_password`: Basic and
/// Bearer headers are readable (and replayable) by anyone on the path. A user without a
/// password (CrateDB's `crate` on loopback) has nothing to protect and is let through.
fn refuse_plain_http_credentials(options: &CrateDbConnectOptions) -> Result<(), Error> {
    if options.tls || options.allow_cleartext_password {
        return Ok(());
    }
    let credential = if options.token.is_some() || options.token_provider.is_some() {
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

impl Transport {
    /// The client for `options`; no request is sent yet.
    pub(crate) fn new(options: &CrateDbConnectOptions) -> Result<Self, Error> {
        let shared = cluster::shared(options);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(50))
            .build(connector(options, &shared)?);
        let bases = base_urls(options);
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
        let auth = auth_header(options)?;
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
}
