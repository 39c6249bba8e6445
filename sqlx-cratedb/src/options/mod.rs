//! [`CrateDbConnectOptions`]: hosts, credentials, schema, TLS, timeouts and bulk limits.
#![doc = include_str!("url.md")]

pub(crate) mod parse;

use std::fmt::{self, Debug, Formatter};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx_core::connection::LogSettings;
use sqlx_core::error::Error;

/// The default HTTP port of CrateDB.
pub const DEFAULT_PORT: u16 = 4200;
/// The default PostgreSQL wire-protocol port of CrateDB (and PostgreSQL).
pub const DEFAULT_PG_PORT: u16 = 5432;
/// Default number of rows fetched per round trip when streaming a result over pgwire.
pub const DEFAULT_FETCH_SIZE: u32 = 10_000;
/// Default number of prepared statements kept per pgwire connection.
pub const DEFAULT_STATEMENT_CACHE_CAPACITY: usize = 100;

/// Which of CrateDB's protocols a connection speaks; chosen by the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CrateDbProtocol {
    /// `POST /_sql` (`crate://`, `crate+https://`, `http://`, `https://`).
    #[default]
    Http,
    /// The PostgreSQL wire protocol (`postgres://`, `postgresql://`, `crate+pg://`,
    /// `crate+pgs://`).
    PgWire,
}
/// Default bound of every wait for the server after connecting (`timeout`): a whole HTTP
/// request, a pgwire query, prepare, ping, or bulk batch.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_mins(5);
/// Default number of parameter rows per bulk request.
pub const DEFAULT_BULK_ROWS: usize = 5_000;
/// Default byte cap of one bulk request body (before compression); CrateDB's limit is 100 MB.
pub const DEFAULT_BULK_BYTES: usize = 16 * 1024 * 1024;
/// Request bodies at least this large are sent gzip-compressed (as crate-python does).
pub const DEFAULT_GZIP_MIN_BYTES: usize = 8 * 1024;
pub use crate::protocol::DEFAULT_MAX_MESSAGE_SIZE;
/// Default pause before the second round of a read over all hosts; it doubles each round
/// (crate-python's `backoff_factor`, 0.1 s there too).
pub const DEFAULT_BACKOFF_FACTOR: Duration = Duration::from_millis(100);
/// Default idle time before TCP keepalive probes start on a connection.
pub const DEFAULT_TCP_KEEPALIVE: Duration = Duration::from_mins(1);

/// A callback that returns the JWT to send, asked before every HTTP request and every
/// pgwire connect, so a token can be refreshed while a pool runs. Keep it cheap: return a
/// cached token and refresh it elsewhere (a background task) before it expires. An error
/// fails the request with `Error::Configuration` before anything is sent.
#[derive(Clone)]
pub struct CrateDbTokenProvider(
    Arc<dyn Fn() -> Result<String, sqlx_core::error::BoxDynError> + Send + Sync>,
);

impl CrateDbTokenProvider {
    /// Wraps `callback`.
    pub fn new(
        callback: impl Fn() -> Result<String, sqlx_core::error::BoxDynError> + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(callback))
    }

    /// The current token.
    pub(crate) fn token(&self) -> Result<String, Error> {
        (self.0)()
            .map_err(|e| Error::Configuration(format!("the token provider failed: {e}").into()))
    }
}

impl Debug for CrateDbTokenProvider {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("CrateDbTokenProvider(<callback>)")
    }
}

/// One CrateDB node of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateDbHost {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// HTTP port.
    pub port: u16,
}

impl fmt::Display for CrateDbHost {
    /// `host:port`, with brackets around IPv6 addresses.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.authority())
    }
}

impl CrateDbHost {
    /// A host and port.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
        }
    }

    pub(crate) fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Where a PEM file comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum CrateDbPem {
    /// A file path.
    Path(PathBuf),
    /// PEM text in memory.
    Pem(Vec<u8>),
}

impl Debug for CrateDbPem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Self::Pem(_) => f.write_str("Pem(<redacted>)"),
        }
    }
}

/// Options for connecting to CrateDB over its HTTP endpoint or its PostgreSQL wire protocol.
///
/// Build from a URL (`"crate://crate@h1:4200,h2:4200/doc".parse()`) or with the builder
/// methods. `Debug` never shows the password or the token.
#[derive(Clone)]
#[allow(clippy::struct_excessive_bools)] // independent switches, each with its own URL parameter
pub struct CrateDbConnectOptions {
    pub(crate) hosts: Vec<CrateDbHost>,
    pub(crate) protocol: CrateDbProtocol,
    pub(crate) tls: bool,
    /// pgwire `sslmode=prefer`: continue without TLS when the server declines it.
    pub(crate) tls_fallback: bool,
    /// Send a password (HTTP Basic, pgwire cleartext) or a token over a connection without TLS.
    pub(crate) allow_cleartext_password: bool,
    pub(crate) fetch_size: u32,
    pub(crate) statement_cache_capacity: usize,
    pub(crate) application_name: Option<String>,
    pub(crate) pg_options: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) token_provider: Option<CrateDbTokenProvider>,
    pub(crate) schema: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) error_trace: bool,
    pub(crate) root_cert: Option<CrateDbPem>,
    pub(crate) client_cert: Option<(CrateDbPem, CrateDbPem)>,
    pub(crate) retry_interval: Duration,
    pub(crate) backoff_factor: Duration,
    pub(crate) tcp_keepalive: Option<Duration>,
    pub(crate) verify_cert: bool,
    pub(crate) binary_results: bool,
    pub(crate) refresh_after_writes: bool,
    pub(crate) bulk_rows: usize,
    pub(crate) bulk_bytes: usize,
    pub(crate) gzip_min_bytes: usize,
    pub(crate) max_message_size: usize,
    pub(crate) log_settings: LogSettings,
}

impl Debug for CrateDbConnectOptions {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.debug_struct("CrateDbConnectOptions")
            .field("hosts", &self.hosts)
            .field("protocol", &self.protocol)
            .field("tls", &self.tls)
            .field("tls_fallback", &self.tls_fallback)
            .field("allow_cleartext_password", &self.allow_cleartext_password)
            .field("fetch_size", &self.fetch_size)
            .field("statement_cache_capacity", &self.statement_cache_capacity)
            .field("application_name", &self.application_name)
            .field("pg_options", &self.pg_options)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_provider", &self.token_provider)
            .field("schema", &self.schema)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("error_trace", &self.error_trace)
            .field("root_cert", &self.root_cert)
            .field("client_cert", &self.client_cert.as_ref().map(|(c, _)| c))
            .field("retry_interval", &self.retry_interval)
            .field("backoff_factor", &self.backoff_factor)
            .field("tcp_keepalive", &self.tcp_keepalive)
            .field("verify_cert", &self.verify_cert)
            .field("binary_results", &self.binary_results)
            .field("refresh_after_writes", &self.refresh_after_writes)
            .field("bulk_rows", &self.bulk_rows)
            .field("bulk_bytes", &self.bulk_bytes)
            .field("gzip_min_bytes", &self.gzip_min_bytes)
            .field("max_message_size", &self.max_message_size)
            .finish_non_exhaustive()
    }
}

impl Default for CrateDbConnectOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl CrateDbConnectOptions {
    /// Options for `http://localhost:4200`, no credentials, schema `doc`.
    pub fn new() -> Self {
        Self {
            hosts: vec![CrateDbHost::new("localhost", DEFAULT_PORT)],
            protocol: CrateDbProtocol::Http,
            tls: false,
            tls_fallback: false,
            allow_cleartext_password: false,
            fetch_size: DEFAULT_FETCH_SIZE,
            statement_cache_capacity: DEFAULT_STATEMENT_CACHE_CAPACITY,
            application_name: None,
            pg_options: None,
            username: None,
            password: None,
            token: None,
            token_provider: None,
            schema: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            error_trace: false,
            root_cert: None,
            client_cert: None,
            retry_interval: Duration::from_secs(30),
            backoff_factor: DEFAULT_BACKOFF_FACTOR,
            tcp_keepalive: Some(DEFAULT_TCP_KEEPALIVE),
            verify_cert: true,
            binary_results: true,
            refresh_after_writes: false,
            bulk_rows: DEFAULT_BULK_ROWS,
            bulk_bytes: DEFAULT_BULK_BYTES,
            gzip_min_bytes: DEFAULT_GZIP_MIN_BYTES,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            log_settings: LogSettings::default(),
        }
    }

    /// Replaces the host list with one host.
    pub fn host(self, host: impl Into<String>, port: u16) -> Self {
        self.hosts(vec![CrateDbHost::new(host, port)])
    }

    /// Replaces the host list. Requests are balanced round-robin across the hosts.
    pub fn hosts(mut self, hosts: Vec<CrateDbHost>) -> Self {
        self.hosts = hosts;
        self
    }

    /// Uses HTTPS (TLS with certificate verification; there is no way to turn verification off).
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Trusts this CA certificate (PEM) in addition to the bundled web PKI roots.
    pub fn root_cert(mut self, pem: CrateDbPem) -> Self {
        self.root_cert = Some(pem);
        self
    }

    /// Authenticates with this client certificate chain and private key (both PEM).
    pub fn client_cert(mut self, cert: CrateDbPem, key: CrateDbPem) -> Self {
        self.client_cert = Some((cert, key));
        self
    }

    /// User name for basic authentication.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Password for basic authentication.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Lets the driver send a password or token over a connection without TLS, where anyone
    /// on the path can read it: over HTTP (`crate://`) the `Authorization: Basic` or `Bearer`
    /// header, over pgwire the answer to a cleartext password request (CrateDB's only password
    /// method).
    ///
    /// Off by default: the connection then fails with `Error::Configuration` naming this
    /// option, before the secret is sent. Over TLS, and for users without a password
    /// (CrateDB's `crate` on loopback), it is not needed. Same as the URL parameter
    /// `allow_cleartext_password=true`.
    pub fn allow_cleartext_password(mut self, allow: bool) -> Self {
        self.allow_cleartext_password = allow;
        self
    }

    /// A callback asked for the JWT before every HTTP request and every pgwire connect (see
    /// [`CrateDbTokenProvider`]); takes precedence over [`token`](Self::token). Over pgwire
    /// the token is sent as the password of the configured user, as CrateDB's JWT
    /// authentication expects.
    pub fn token_provider(mut self, provider: CrateDbTokenProvider) -> Self {
        self.token_provider = Some(provider);
        self
    }

    /// The pause before a read's second round over all hosts; each further round doubles it
    /// (default 100 ms; URL parameter `backoff_factor`, crate-python's name, in seconds).
    pub fn backoff_factor(mut self, pause: Duration) -> Self {
        self.backoff_factor = pause;
        self
    }

    /// Idle time before TCP keepalive probes start on each connection, both transports
    /// (default 60 s; `None` turns keepalive off; URL parameter `keepalive`).
    pub fn tcp_keepalive(mut self, idle: Option<Duration>) -> Self {
        self.tcp_keepalive = idle;
        self
    }

    /// `false` turns TLS certificate verification off: any certificate and host name is
    /// accepted, so the connection is encrypted but not authenticated (anyone on the path can
    /// impersonate the server). For test clusters with self-signed certificates only; prefer
    /// [`root_cert`](Self::root_cert). Logged as a warning when a connection opens. Default
    /// `true`; URL parameter `verify_ssl_cert` (crate-python's name).
    pub fn verify_cert(mut self, verify: bool) -> Self {
        self.verify_cert = verify;
        self
    }

    /// A JWT sent as `Authorization: Bearer …` (takes precedence over user and password).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The default schema, sent as `Default-Schema` on every request.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Time allowed to open a connection to a host, TLS handshake and (pgwire) authentication
    /// included, and to send a pgwire `CancelRequest` (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, response body included, and over pgwire for each
    /// query, prepare, ping and bulk batch (default 5 minutes; `None` waits forever). A huge
    /// value is accepted and means "about never".
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Ask CrateDB for stack traces in error responses (`error_trace=true`).
    pub fn error_trace(mut self, on: bool) -> Self {
        self.error_trace = on;
        self
    }

    /// How long a failed host is set aside before it is tried again (default 30 s).
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// Rows per bulk request (default 5,000).
    pub fn bulk_rows(mut self, rows: usize) -> Self {
        self.bulk_rows = rows.max(1);
        self
    }

    /// Byte cap of one bulk request body (default 16 MiB).
    pub fn bulk_bytes(mut self, bytes: usize) -> Self {
        self.bulk_bytes = bytes.max(1);
        self
    }

    /// Request bodies at least this large are gzip-compressed (default 8 KiB).
    pub fn gzip_min_bytes(mut self, bytes: usize) -> Self {
        self.gzip_min_bytes = bytes;
        self
    }

    /// The largest message the driver accepts from the server (default 64 MiB, at least 1 KiB;
    /// URL parameter `max_message_size`, in bytes). pgwire: one backend message (a `DataRow`
    /// is one row), checked against its length header before anything is allocated, and
    /// what the server sends while a bulk batch is still being written. HTTP: one
    /// row, header value or bulk item of the streamed response body (the body as a whole is
    /// not limited). A larger one fails the query with a protocol error instead of growing a
    /// buffer to whatever size the server names.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes.max(1024);
        self
    }

    /// The protocol: HTTP (the default) or the PostgreSQL wire protocol.
    pub fn protocol(mut self, protocol: CrateDbProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// pgwire: rows fetched per round trip when streaming a read (default 10,000; 0 fetches
    /// the whole result at once).
    pub fn fetch_size(mut self, rows: u32) -> Self {
        self.fetch_size = rows;
        self
    }

    /// pgwire: prepared statements kept per connection (default 100; 0 disables the cache).
    pub fn statement_cache_capacity(mut self, capacity: usize) -> Self {
        self.statement_cache_capacity = capacity;
        self
    }

    /// pgwire: ask for results in the binary format for the columns whose binary form is
    /// cheaper than their text (timestamps, integers, floats, booleans). A cached read is
    /// prepared before its first execution (one extra round trip, once per connection and
    /// statement, as sqlx-postgres does) so that its columns are known when it is bound; other
    /// statements from their second execution on. Default `true`; URL parameter
    /// `binary_results`. Turn it off to compare, or for a server whose binary format of a type
    /// is broken.
    pub fn binary_results(mut self, on: bool) -> Self {
        self.binary_results = on;
        self
    }

    /// Runs `REFRESH TABLE` on a write's table after each successful `INSERT INTO t`,
    /// `UPDATE t`, `DELETE FROM t` or `COPY t FROM` (and bulk run), so that the next scan
    /// sees the rows at once, as sqlalchemy-cratedb's `refresh_after_dml` does. Default
    /// `false`: a refresh costs the cluster work on every write, and CrateDB refreshes by
    /// itself every second; reads by primary key see writes at once anyway. URL parameter
    /// `refresh_after_writes` (or `refresh_after_dml`). A statement whose table cannot be read
    /// from its start (a write behind `WITH`) is not refreshed.
    pub fn refresh_after_writes(mut self, on: bool) -> Self {
        self.refresh_after_writes = on;
        self
    }

    /// pgwire: the `application_name` startup parameter.
    pub fn application_name(mut self, name: impl Into<String>) -> Self {
        self.application_name = Some(name.into());
        self
    }

    /// pgwire: the `options` startup parameter, e.g. `-c statement_timeout=90000`.
    pub fn options(mut self, options: impl Into<String>) -> Self {
        self.pg_options = Some(options.into());
        self
    }

    /// The configured protocol.
    pub fn get_protocol(&self) -> CrateDbProtocol {
        self.protocol
    }

    /// The configured hosts.
    pub fn get_hosts(&self) -> &[CrateDbHost] {
        &self.hosts
    }

    /// The configured default schema.
    pub fn get_schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The configured user name.
    pub fn get_username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// pgwire: the configured fetch size (rows per round trip when streaming a read).
    pub fn get_fetch_size(&self) -> u32 {
        self.fetch_size
    }

    /// True when connecting over HTTPS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }
}

impl FromStr for CrateDbConnectOptions {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(parse::parse(s)?)
    }
}
