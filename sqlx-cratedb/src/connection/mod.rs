//! [`CrateDbConnection`]: one sqlx connection: a keep-alive HTTP client, or one PostgreSQL
//! wire-protocol connection.

pub(crate) mod cluster;
pub(crate) mod deadline;
mod executor;
pub(crate) mod failover;
pub(crate) mod http;
pub(crate) mod pgwire;
mod refresh;

pub(crate) use refresh::refresh_statement;
pub mod timing;
mod tls;
mod transport;

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

pub(crate) use self::transport::Transport;

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
    /// Opens a connection and checks that a node answers (`SELECT 1` over HTTP; over pgwire
    /// the startup exchange is the check).
    pub(crate) async fn establish(options: &CrateDbConnectOptions) -> Result<Self, Error> {
        let mut conn = Self {
            transport: Transport::open(options).await?,
            tx: TxState::default(),
            last_response: None,
        };
        if !conn.transport.is_pgwire() {
            conn.execute_simple("SELECT 1").await?;
        }
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
    pub fn server_parameter(&self, name: &str) -> Option<&str> {
        self.transport.server_parameter(name)
    }

    /// True for a pgwire connection to CrateDB (it reported `crate_version`), false for
    /// PostgreSQL; over HTTP the peer is always CrateDB.
    pub fn server_is_cratedb(&self) -> bool {
        self.transport.is_cratedb()
    }

    /// The `duration` CrateDB reported for the last HTTP response this connection read to its
    /// end: the server's own time for the statement, without network and client time. Set for
    /// every statement, including `fetch` streams (whose rows carry no timing); `None` before
    /// the first response, when the server sent no duration, and always over pgwire, which has
    /// no server timing. See [`timing`] for the tracing event.
    pub fn last_server_duration(&self) -> Option<Duration> {
        self.transport.last_server_duration()
    }

    /// Runs a statement without arguments and returns its row count.
    pub(crate) async fn execute_simple(&mut self, sql: &str) -> Result<CrateDbQueryResult, Error> {
        let result = self.transport.execute_simple(sql).await;
        if result.is_ok() {
            self.last_response = Some(std::time::Instant::now());
        }
        result
    }
}

impl Connection for CrateDbConnection {
    type Database = CrateDb;
    type Options = CrateDbConnectOptions;

    async fn close(self) -> Result<(), Error> {
        self.transport.close().await
    }

    async fn close_hard(self) -> Result<(), Error> {
        Ok(())
    }

    /// Checks that a node answers (`SELECT 1`), unless a response arrived within the last
    /// second.
    async fn ping(&mut self) -> Result<(), Error> {
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

    /// Over pgwire: sends what a dropped command still owes (its `Sync`) and reads the
    /// replies still due, so the connection is in step. Over HTTP nothing is ever pending.
    async fn flush(&mut self) -> Result<(), Error> {
        self.transport.flush().await
    }

    /// True over pgwire while replies of an earlier (dropped) command are still due.
    fn should_flush(&self) -> bool {
        self.transport.has_pending()
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
