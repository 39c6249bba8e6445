//! [`CrateDbConnection`]: one sqlx connection: a keep-alive HTTP client, or one PostgreSQL
//! wire-protocol connection.

pub(crate) mod cluster;
pub(crate) mod deadline;
mod executor;
pub(crate) mod failover;
pub(crate) mod http;
#[cfg(feature = "pgwire")]
pub(crate) mod pgwire;
pub(crate) mod stream;
pub mod timing;
mod tls;

use std::fmt::{self, Debug, Formatter};
use std::time::Duration;

use log::LevelFilter;
use sqlx_core::connection::{ConnectOptions, Connection};
use sqlx_core::error::Error;
use sqlx_core::transaction::Transaction;
use sqlx_core::url::Url;

use crate::database::CrateDb;
use crate::model::query_result::CrateDbQueryResult;
use crate::options::CrateDbConnectOptions;
use crate::protocol::http::request;

use self::http::Transport as HttpTransport;

/// The transport of a connection, chosen by the URL scheme.
// The HTTP transport is the common case; boxing it would add an indirection per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Transport {
    Http(HttpTransport),
    #[cfg(feature = "pgwire")]
    Pg(Box<pgwire::PgConnection>),
}

impl Transport {
    pub(crate) fn options(&self) -> &CrateDbConnectOptions {
        match self {
            Self::Http(t) => &t.options,
            #[cfg(feature = "pgwire")]
            Self::Pg(c) => c.options(),
        }
    }

    /// The HTTP transport; only called on paths that checked for it.
    pub(crate) fn http(&self) -> Result<&HttpTransport, Error> {
        match self {
            Self::Http(t) => Ok(t),
            #[cfg(feature = "pgwire")]
            Self::Pg(_) => Err(Error::Protocol(
                "internal: HTTP request on a pgwire connection".into(),
            )),
        }
    }
}

/// Depth counter of the (no-op) transactions; see `CrateDbTransactionManager`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TxState {
    pub(crate) depth: usize,
    /// Statements executed since the outermost `begin`.
    pub(crate) statements: u64,
}

/// A connection to a CrateDB cluster, over HTTP or the PostgreSQL wire protocol.
///
/// Over HTTP it owns a keep-alive HTTP client (one TCP connection per node it talks to), so
/// CrateDB's per-connection session state stays with it; `Default-Schema` and authentication
/// are sent on every request. Over pgwire it is one session on one node, picked round-robin
/// among the healthy hosts when the connection opens.
pub struct CrateDbConnection {
    pub(crate) transport: Transport,
    pub(crate) tx: TxState,
    /// When a response last arrived; `ping` skips the round trip shortly after one.
    pub(crate) last_response: Option<std::time::Instant>,
}

/// `ping` sends `SELECT 1` only when no response arrived within this time. sqlx pings every
/// connection when it goes back to the pool; over stateless HTTP that would double each
/// query's cost without telling anything new.
const PING_FRESHNESS: Duration = Duration::from_secs(1);

impl Debug for CrateDbConnection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.debug_struct("CrateDbConnection")
            .field("transport", &self.transport)
            .field("transaction_depth", &self.tx.depth)
            .field("last_response", &self.last_response)
            .finish()
    }
}

impl CrateDbConnection {
    /// Opens a connection and checks that a node answers (`SELECT 1`).
    pub(crate) async fn establish(options: &CrateDbConnectOptions) -> Result<Self, Error> {
        #[cfg(feature = "pgwire")]
        if options.protocol == crate::options::CrateDbProtocol::PgWire {
            let pg = pgwire::PgConnection::connect(options).await?;
            return Ok(Self {
                transport: Transport::Pg(Box::new(pg)),
                tx: TxState::default(),
                last_response: None,
            });
        }
        let mut conn = Self {
            transport: Transport::Http(HttpTransport::new(options)?),
            tx: TxState::default(),
            last_response: None,
        };
        conn.execute_simple("SELECT 1").await?;
        Ok(conn)
    }

    /// The options this connection was opened with.
    pub fn options(&self) -> &CrateDbConnectOptions {
        self.transport.options()
    }

    /// The server's version when it is CrateDB, from the `crate_version` parameter it reports
    /// over pgwire (e.g. `6.4.2`). `None` over HTTP and for PostgreSQL.
    pub fn crate_version(&self) -> Option<&str> {
        self.server_parameter("crate_version")
    }

    /// A `ParameterStatus` value the server reported over pgwire (`server_version`,
    /// `crate_version`, `TimeZone`, …). `None` over HTTP.
    #[cfg_attr(not(feature = "pgwire"), allow(unused_variables))]
    pub fn server_parameter(&self, name: &str) -> Option<&str> {
        match &self.transport {
            Transport::Http(_) => None,
            #[cfg(feature = "pgwire")]
            Transport::Pg(pg) => pg.parameter(name),
        }
    }

    /// True for a pgwire connection to CrateDB (it reported `crate_version`), false for
    /// PostgreSQL; over HTTP the peer is always CrateDB.
    pub fn server_is_cratedb(&self) -> bool {
        match &self.transport {
            Transport::Http(_) => true,
            #[cfg(feature = "pgwire")]
            Transport::Pg(pg) => pg.crate_version().is_some(),
        }
    }

    /// The `duration` CrateDB reported for the last HTTP response this connection read to its
    /// end: the server's own time for the statement, without network and client time. Set for
    /// every statement, including `fetch` streams (whose rows carry no timing); `None` before
    /// the first response, when the server sent no duration, and always over pgwire, which has
    /// no server timing. See [`timing`] for the tracing event.
    pub fn last_server_duration(&self) -> Option<Duration> {
        match &self.transport {
            Transport::Http(http) => http.last_duration.get(),
            #[cfg(feature = "pgwire")]
            Transport::Pg(_) => None,
        }
    }

    /// Runs a statement without arguments and returns its row count.
    pub(crate) async fn execute_simple(&mut self, sql: &str) -> Result<CrateDbQueryResult, Error> {
        #[cfg(feature = "pgwire")]
        if let Transport::Pg(pg) = &mut self.transport {
            return pgwire::query::execute(pg, sql, None).await;
        }
        let body = request::query_body(sql, None);
        let retry = failover::is_read_only(sql);
        let response = self.transport.http()?.post_sql(body, retry).await?;
        self.last_response = Some(std::time::Instant::now());
        let mut reader = stream::ResultReader::new(response).await?;
        let mut result = CrateDbQueryResult::default();
        while let Some(item) = reader.next().await? {
            if let sqlx_core::Either::Left(r) = item {
                result.extend([r]);
            }
        }
        Ok(result)
    }
}

impl Connection for CrateDbConnection {
    type Database = CrateDb;
    type Options = CrateDbConnectOptions;

    async fn close(self) -> Result<(), Error> {
        match self.transport {
            Transport::Http(_) => Ok(()),
            #[cfg(feature = "pgwire")]
            Transport::Pg(pg) => pg.close().await,
        }
    }

    async fn close_hard(self) -> Result<(), Error> {
        Ok(())
    }

    /// Checks that a node answers (`SELECT 1`), unless a response arrived within the last
    /// second.
    async fn ping(&mut self) -> Result<(), Error> {
        #[cfg(feature = "pgwire")]
        if let Transport::Pg(pg) = &mut self.transport {
            return pg.ping().await;
        }
        if self
            .last_response
            .is_some_and(|t| t.elapsed() < PING_FRESHNESS)
        {
            return Ok(());
        }
        self.execute_simple("SELECT 1").await.map(|_| ())
    }

    fn begin(
        &mut self,
    ) -> impl Future<Output = Result<Transaction<'_, CrateDb>, Error>> + Send + '_ {
        Transaction::begin(self, None)
    }

    fn shrink_buffers(&mut self) {}

    async fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }

    fn should_flush(&self) -> bool {
        false
    }
}

/// Connecting with options: the sqlx entry point (`connect`, pools).
impl ConnectOptions for CrateDbConnectOptions {
    type Connection = CrateDbConnection;

    fn from_url(url: &Url) -> Result<Self, Error> {
        url.as_str().parse()
    }

    fn to_url_lossy(&self) -> Url {
        crate::options::parse::to_url(self)
    }

    async fn connect(&self) -> Result<CrateDbConnection, Error> {
        CrateDbConnection::establish(self).await
    }

    fn log_statements(mut self, level: LevelFilter) -> Self {
        self.log_settings.log_statements(level);
        self
    }

    fn log_slow_statements(mut self, level: LevelFilter, duration: Duration) -> Self {
        self.log_settings.log_slow_statements(level, duration);
        self
    }
}
