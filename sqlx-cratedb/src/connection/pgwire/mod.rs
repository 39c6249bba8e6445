//! The PostgreSQL wire-protocol transport: one TCP (or TLS) connection to one node.
//!
//! The same inner layout as the HTTP transport: [`connect`] (host selection, startup),
//! [`auth`] (passwords, SCRAM) and the TLS socket ([`socket`]), [`query`] and [`stream`]
//! (one command, rows streamed), [`prepare`], [`bulk`]. [`state`] holds the bookkeeping that
//! keeps the protocol in step when a command is dropped half-way (see
//! [`PgConnection::ready`]); [`cache`] the prepared statements; [`cancel`] `CancelRequest`.
//!
//! The driver requests protocol 3.0, never sends `GSSENCRequest` or `ROLLBACK`, and treats
//! `ReadyForQuery` `T`/`E` as harmless (CrateDB has no transactions).

mod auth;
mod bind;
pub(crate) mod bulk;
mod cache;
mod cancel;
mod connect;
pub(crate) mod prepare;
pub(crate) mod query;
mod retry;
pub(crate) mod socket;
mod state;
pub(crate) mod stream;

use sqlx_core::error::Error;

use self::cache::StatementCache;
use self::cancel::CancelKey;
use self::socket::{Backend, Socket};
use self::state::ProtocolState;
use crate::error::CrateDbDatabaseError;
use crate::options::CrateDbConnectOptions;
use crate::protocol::pgwire::backend::Message;
use crate::protocol::pgwire::error::parse_fields;
use crate::protocol::pgwire::frontend;

/// One pgwire connection. Its fields are private to this module and its parts; the protocol
/// bookkeeping is changed only through [`ProtocolState`]'s methods.
#[derive(Debug)]
pub(crate) struct PgConnection {
    socket: Socket,
    options: CrateDbConnectOptions,
    /// Index of the host in `options.hosts`.
    host: usize,
    cancel_key: Option<CancelKey>,
    cache: StatementCache,
    next_statement: u64,
    state: ProtocolState,
    /// A `CancelRequest` being sent for a dropped query; awaited before the next command, so
    /// it cannot hit that command.
    cancel_task: Option<tokio::task::JoinHandle<()>>,
}

impl PgConnection {
    /// Prepares the connection for a pipelined command: fails if broken, waits for a pending
    /// cancel, and queues the `Sync` a dropped stream still owes. Against PostgreSQL it does
    /// not wait for outstanding `ReadyForQuery` messages: the next command reads past them (see
    /// `query::PgQuery`), which saves a round trip per command. Against CrateDB it does
    /// ([`PgConnection::ready`]), because CrateDB can reorder replies across a `Sync`.
    pub(crate) async fn prepare_pipeline(&mut self) -> Result<(), Error> {
        self.state.check_usable()?;
        if self.crate_version().is_some() {
            // CrateDB 6.4 writes a command's replies when it has run, but answers the messages
            // that follow at once: a command sent past a pending `ReadyForQuery` can have its
            // replies overtake the earlier ones (`ReadyForQuery before CommandComplete`). Against
            // CrateDB every command waits for the previous `ReadyForQuery`.
            return self.ready().await;
        }
        self.await_cancel().await;
        self.state
            .discard_unsent_batch(&mut self.socket.writer.wbuf);
        self.state.queue_owed_sync(&mut self.socket.writer.wbuf);
        Ok(())
    }

    /// Waits for the `CancelRequest` of a dropped command, if one is being sent. Cancel-safe:
    /// the task is forgotten only once it ended, so a wait dropped half-way is taken up again
    /// by the next command (the request can never hit a later command).
    async fn await_cancel(&mut self) {
        if let Some(task) = &mut self.cancel_task {
            let _ = task.await;
            self.cancel_task = None;
        }
    }

    /// A fresh statement name.
    pub(crate) fn next_statement_name(&mut self) -> String {
        self.next_statement += 1;
        format!("sqlx_cratedb_s{}", self.next_statement)
    }

    /// Brings the protocol back in step before a new command: waits for a pending cancel,
    /// sends the `Sync` a dropped stream still owes, and reads everything up to the
    /// `ReadyForQuery` of every `Sync` sent. Errors reported there belong to a command whose
    /// caller is gone and are dropped; a broken connection stays broken.
    pub(crate) async fn ready(&mut self) -> Result<(), Error> {
        self.state.check_usable()?;
        let result = self.ready_inner().await;
        self.state.break_on_error(result)
    }

    async fn ready_inner(&mut self) -> Result<(), Error> {
        self.await_cancel().await;
        self.state
            .discard_unsent_batch(&mut self.socket.writer.wbuf);
        self.state.queue_owed_sync(&mut self.socket.writer.wbuf);
        if !self.socket.writer.wbuf.is_empty() {
            self.socket.flush().await?;
        }
        while self.state.pending_ready() > 0 {
            match self.socket.recv().await? {
                Backend::Message(Message::ReadyForQuery(_)) => self.state.ready_received(),
                Backend::Message(Message::ErrorResponse(body)) => {
                    let e = parse_fields(body.fields());
                    if e.is_fatal() {
                        return Err(Error::Database(Box::new(CrateDbDatabaseError::from(e))));
                    }
                    log::debug!(
                        "sqlx-cratedb: error of an abandoned command: {}",
                        CrateDbDatabaseError::from(e)
                    );
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// False when the server closed the connection (or announced it with a `FATAL` error,
    /// as PostgreSQL does on shutdown) while it was idle. Reads only what already arrived.
    pub(crate) fn is_alive(&mut self) -> bool {
        use futures_util::FutureExt as _;
        if self.state.is_broken() {
            return false;
        }
        loop {
            match self.socket.recv().now_or_never() {
                None => return true,
                Some(Ok(Backend::Message(
                    Message::NoticeResponse(_) | Message::NotificationResponse(_),
                ))) => {}
                // The end of an earlier command, not read yet.
                Some(Ok(Backend::Message(Message::ReadyForQuery(_))))
                    if self.state.pending_ready() > 0 =>
                {
                    self.state.ready_received();
                }
                Some(Ok(Backend::Message(Message::ErrorResponse(body)))) => {
                    let e = parse_fields(body.fields());
                    if self.state.pending_ready() > 0 && !e.is_fatal() {
                        // An abandoned command's error.
                        continue;
                    }
                    self.state.set_broken(CrateDbDatabaseError::from(e));
                    return false;
                }
                // The rest of an abandoned command's answer.
                Some(Ok(_)) if self.state.pending_ready() > 0 => {}
                Some(Ok(_)) => {
                    self.state.set_broken("unsolicited message while idle");
                    return false;
                }
                Some(Err(e)) => {
                    self.state.set_broken(e);
                    return false;
                }
            }
        }
    }

    /// Replaces this connection by a new one (to a host picked as at connect time); the host
    /// of this one is set aside.
    pub(crate) async fn reconnect(&mut self) -> Result<(), Error> {
        log::warn!(
            "sqlx-cratedb: pgwire connection to {} lost ({}); reconnecting",
            self.options.hosts[self.host],
            self.state.broken_reason().unwrap_or("broken")
        );
        crate::connection::cluster::shared(&self.options)
            .cluster
            .set_aside(self.host);
        let fresh = Self::connect(&self.options).await?;
        *self = fresh;
        Ok(())
    }

    /// Starts sending a `CancelRequest` for the running command (used when its stream is
    /// dropped); the next command waits for it first.
    pub(crate) fn spawn_cancel(&mut self) {
        let Some(key) = self.cancel_key.clone() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => self.cancel_task = Some(rt.spawn(key.cancel())),
            Err(_) => {
                self.state
                    .set_broken("a running command was dropped outside a runtime");
            }
        }
    }

    /// `Sync` and its `ReadyForQuery`: a round trip that checks the connection, within
    /// `timeout` (the connection is unusable after it passed).
    pub(crate) async fn ping(&mut self) -> Result<(), Error> {
        self.within_timeout("ping", async |conn| {
            conn.ready().await?;
            conn.state.queue_sync(&mut conn.socket.writer.wbuf);
            conn.ready().await
        })
        .await
    }

    /// Runs `exchange` within the request timeout; when it passes, the connection is broken
    /// (the server's answer is still on its way) and `what` timed out.
    pub(crate) async fn within_timeout<T>(
        &mut self,
        what: &str,
        exchange: impl AsyncFnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let Some(limit) = self.options.request_timeout else {
            return exchange(self).await;
        };
        if let Ok(result) = tokio::time::timeout(limit, exchange(&mut *self)).await {
            return result;
        }
        self.state.set_broken(format!("{what} timed out"));
        Err(super::deadline::timed_out(what))
    }

    /// `Terminate`, then close.
    pub(crate) async fn close(mut self) -> Result<(), Error> {
        if !self.state.is_broken() {
            self.state
                .discard_unsent_batch(&mut self.socket.writer.wbuf);
            frontend::terminate(self.socket.wbuf());
            self.socket.flush().await?;
            self.socket.shutdown().await?;
        }
        Ok(())
    }

    /// The CrateDB version (the `crate_version` parameter status); `None` for PostgreSQL.
    pub(crate) fn crate_version(&self) -> Option<&str> {
        self.socket.parameter("crate_version")
    }

    /// True while a `Sync` is owed or `ReadyForQuery` replies are still due.
    pub(crate) fn has_pending(&self) -> bool {
        self.state.pending_ready() > 0 || self.state.is_sync_owed()
    }

    /// A `ParameterStatus` value the server reported.
    pub(crate) fn parameter(&self, name: &str) -> Option<&str> {
        self.socket.parameter(name)
    }

    /// The options this connection was opened with.
    pub(crate) fn options(&self) -> &CrateDbConnectOptions {
        &self.options
    }
}
