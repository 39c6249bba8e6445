//! [`CrateDbConnection`]: one sqlx connection, i.e. one keep-alive HTTP client.

pub(crate) mod cluster;
mod executor;
pub(crate) mod http;
pub(crate) mod stream;
mod tls;

use std::fmt::{self, Debug, Formatter};

use sqlx_core::connection::Connection;
use sqlx_core::error::Error;
use sqlx_core::transaction::Transaction;

use crate::database::CrateDb;
use crate::options::CrateDbConnectOptions;
use crate::protocol::http::request;
use crate::query_result::CrateDbQueryResult;

pub(crate) use self::http::Transport;

/// Depth counter of the (no-op) transactions; see `CrateDbTransactionManager`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TxState {
    pub(crate) depth: usize,
    /// Statements executed since the outermost `begin`.
    pub(crate) statements: u64,
}

/// A connection to a CrateDB cluster over HTTP.
///
/// It owns a keep-alive HTTP client (one TCP connection per node it talks to), so CrateDB's
/// per-connection session state stays with it. `Default-Schema` and authentication are sent on
/// every request.
pub struct CrateDbConnection {
    pub(crate) transport: Transport,
    pub(crate) tx: TxState,
    /// When a response last arrived; `ping` skips the round trip shortly after one.
    pub(crate) last_response: Option<std::time::Instant>,
}

/// `ping` sends `SELECT 1` only when no response arrived within this time. sqlx pings every
/// connection when it goes back to the pool; over stateless HTTP that would double each
/// query's cost without telling anything new.
const PING_FRESHNESS: std::time::Duration = std::time::Duration::from_secs(1);

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
        let mut conn = Self {
            transport: Transport::new(options)?,
            tx: TxState::default(),
            last_response: None,
        };
        conn.execute_simple("SELECT 1").await?;
        Ok(conn)
    }

    /// The options this connection was opened with.
    pub fn options(&self) -> &CrateDbConnectOptions {
        &self.transport.options
    }

    /// Runs a statement without arguments and returns its row count.
    pub(crate) async fn execute_simple(&mut self, sql: &str) -> Result<CrateDbQueryResult, Error> {
        let body = request::query_body(sql, None);
        let retry = cluster::is_read_only(sql);
        let response = self.transport.post_sql(body, retry).await?;
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
        Ok(())
    }

    async fn close_hard(self) -> Result<(), Error> {
        Ok(())
    }

    /// Checks that a node answers (`SELECT 1`), unless a response arrived within the last
    /// second.
    async fn ping(&mut self) -> Result<(), Error> {
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
