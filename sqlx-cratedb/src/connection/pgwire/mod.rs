//! The PostgreSQL wire-protocol transport: one TCP (or TLS) connection to one node, with the
//! startup and authentication exchange, a statement cache, and the bookkeeping that keeps the
//! protocol in step when a query is dropped half-way (see [`PgConnection::ready`]).
//!
//! Facts: `cratedb-reference.md` §6. The driver never sends `GSSENCRequest` or `ROLLBACK`,
//! treats `ReadyForQuery` `T`/`E` as harmless, and requests protocol 3.0.

mod auth;
pub(crate) mod bulk;
pub(crate) mod prepare;
pub(crate) mod query;
pub(crate) mod socket;
pub(crate) mod stream;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::sync::Arc;
use std::time::Duration;

use postgres_protocol::Oid;
use sqlx_core::error::Error;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use self::auth::Channel;
use self::socket::{Backend, Io, Socket};
use crate::error::{ConfigError, CrateDbDatabaseError};
use crate::model::column::CrateDbColumn;
use crate::options::CrateDbConnectOptions;
use crate::protocol::ProtocolError;
use crate::protocol::pgwire::backend::Message;
use crate::protocol::pgwire::error::parse_fields;
use crate::protocol::pgwire::text::Conv;
use crate::protocol::pgwire::{frontend, text, types};

/// The user CrateDB's superuser has, used when the URL names none.
const DEFAULT_USER: &str = "crate";

/// A prepared statement: its server-side name and result columns.
#[derive(Debug)]
pub(crate) struct CachedStatement {
    pub(crate) name: String,
    pub(crate) columns: Arc<[CrateDbColumn]>,
    pub(crate) convs: Arc<[Conv]>,
    /// Every column's text is used as it is (no per-row rewriting).
    pub(crate) in_place: bool,
}

impl CachedStatement {
    pub(crate) fn new(name: String, fields: Vec<(String, Oid)>) -> Self {
        let columns: Arc<[CrateDbColumn]> = fields
            .into_iter()
            .enumerate()
            .map(|(i, (n, oid))| CrateDbColumn::new(i, n, types::type_info(oid)))
            .collect();
        let convs: Arc<[Conv]> = columns
            .iter()
            .map(|c| text::conv_for(&c.type_info))
            .collect();
        let in_place = convs.iter().all(|c| text::in_place(*c));
        Self {
            name,
            columns,
            convs,
            in_place,
        }
    }
}

/// A cached statement and the parameter OIDs it was prepared with.
type Entry = (Vec<Oid>, Arc<CachedStatement>);

/// Prepared statements by SQL text and parameter OIDs, evicted oldest first.
#[derive(Debug, Default)]
pub(crate) struct StatementCache {
    map: HashMap<String, Vec<Entry>>,
    order: VecDeque<(String, Vec<Oid>)>,
}

impl StatementCache {
    pub(crate) fn get(&self, sql: &str, oids: &[Oid]) -> Option<Arc<CachedStatement>> {
        self.map
            .get(sql)?
            .iter()
            .find(|(o, _)| o == oids)
            .map(|(_, s)| Arc::clone(s))
    }

    /// Forgets a statement; returns its name.
    pub(crate) fn remove(&mut self, sql: &str, oids: &[Oid]) -> Option<String> {
        let list = self.map.get_mut(sql)?;
        let i = list.iter().position(|(o, _)| o == oids)?;
        let (_, statement) = list.swap_remove(i);
        if list.is_empty() {
            self.map.remove(sql);
        }
        self.order.retain(|(s, o)| !(s == sql && o == oids));
        Some(statement.name.clone())
    }

    /// Inserts; returns the names of statements evicted to stay within `capacity`.
    pub(crate) fn insert(
        &mut self,
        sql: String,
        oids: Vec<Oid>,
        statement: Arc<CachedStatement>,
        capacity: usize,
    ) -> Vec<String> {
        let mut evicted = Vec::new();
        while self.order.len() >= capacity.max(1) {
            let Some((old_sql, old_oids)) = self.order.pop_front() else {
                break;
            };
            if let Some(list) = self.map.get_mut(&old_sql) {
                if let Some(i) = list.iter().position(|(o, _)| *o == old_oids) {
                    evicted.push(list.swap_remove(i).1.name.clone());
                }
                if list.is_empty() {
                    self.map.remove(&old_sql);
                }
            }
        }
        self.order.push_back((sql.clone(), oids.clone()));
        self.map.entry(sql).or_default().push((oids, statement));
        evicted
    }
}

/// Where to send a `CancelRequest` for this connection.
#[derive(Debug, Clone)]
pub(crate) struct CancelKey {
    host: String,
    port: u16,
    process_id: i32,
    secret_key: i32,
    /// Bounds the connection that carries the request (`connect_timeout`).
    connect_timeout: Duration,
}

impl CancelKey {
    /// Sends `CancelRequest` on a new TCP connection and waits until the server closes it
    /// (it has then seen the request). Best effort: errors are logged.
    pub(crate) async fn cancel(self) {
        let connect_timeout = self.connect_timeout;
        let send = async {
            let mut stream = Socket::connect(&self.host, self.port).await?;
            let mut buf = bytes::BytesMut::new();
            frontend::cancel_request(self.process_id, self.secret_key, &mut buf);
            stream.write_all(&buf).await?;
            let mut sink = [0u8; 16];
            let _ = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut sink)).await;
            Ok::<_, io::Error>(())
        };
        // Bounded as a whole: an unreachable host must not hold up the next command.
        let result = tokio::time::timeout(connect_timeout, send)
            .await
            .unwrap_or_else(|_| {
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connecting to send it timed out",
                ))
            });
        if let Err(e) = result {
            log::warn!(
                "sqlx-cratedb: CancelRequest to {}:{} failed: {e}",
                self.host,
                self.port
            );
        }
    }
}

/// One pgwire connection.
#[derive(Debug)]
pub(crate) struct PgConnection {
    pub(crate) socket: Socket,
    pub(crate) options: CrateDbConnectOptions,
    /// Index of the host in `options.hosts`.
    pub(crate) host: usize,
    /// `ParameterStatus` values (`crate_version`, `server_version`, …).
    pub(crate) parameters: BTreeMap<String, String>,
    pub(crate) cancel_key: Option<CancelKey>,
    pub(crate) cache: StatementCache,
    next_statement: u64,
    /// `ReadyForQuery` messages still to be read (one per `Sync` sent).
    pub(crate) pending_ready: usize,
    /// A streamed read was left with its portal open: a `Sync` must be sent before the next
    /// command.
    pub(crate) sync_owed: bool,
    /// A `CancelRequest` being sent for a dropped query; awaited before the next command, so
    /// it cannot hit that command.
    pub(crate) cancel_task: Option<tokio::task::JoinHandle<()>>,
    /// Why the connection cannot be used any more.
    pub(crate) broken: Option<String>,
    /// The size of a bulk batch at the end of the write buffer that is not written out yet
    /// (its `Sync` is counted in `pending_ready`); 0 once it is. See
    /// [`PgConnection::discard_unsent_batch`].
    pub(crate) unsent_batch: usize,
}

/// The error for a connection that was closed or went out of step.
pub(crate) fn broken_error(reason: &str) -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::ConnectionAborted,
        format!("pgwire connection unusable: {reason}"),
    ))
}

impl PgConnection {
    /// Connects to one of the hosts, balancing and failing over like the HTTP transport:
    /// round-robin, hosts that failed set aside for `retry_interval`.
    pub(crate) async fn connect(options: &CrateDbConnectOptions) -> Result<Self, Error> {
        let hosts = options.hosts.len();
        if hosts == 0 {
            return Err(ConfigError::NoHosts.into());
        }
        let cluster = &options.cluster;
        let mut tried = Vec::with_capacity(hosts);
        let mut last_error = None;
        while tried.len() < hosts {
            let host = cluster.pick(hosts, options.retry_interval, &tried);
            tried.push(host);
            let attempt =
                tokio::time::timeout(options.connect_timeout, Self::connect_to(options, host))
                    .await;
            match attempt {
                Ok(Ok(conn)) => {
                    cluster.healthy(host);
                    return Ok(conn);
                }
                // The server answered and refused (credentials, unknown database): final.
                Ok(Err(e @ Error::Database(_))) if !is_transient(&e) => return Err(e),
                // The options forbid this connection (e.g. a cleartext password without TLS):
                // the same on every host.
                Ok(Err(e @ Error::Configuration(_))) => return Err(e),
                Ok(Err(e)) => {
                    log::warn!(
                        "sqlx-cratedb: pgwire connect to {} failed: {e}; set aside",
                        options.hosts[host]
                    );
                    cluster.set_aside(host);
                    last_error = Some(e);
                }
                Err(_) => {
                    cluster.set_aside(host);
                    last_error = Some(Error::Io(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("connecting to {} timed out", options.hosts[host]),
                    )));
                }
            }
        }
        Err(last_error.unwrap_or_else(|| ConfigError::NoHosts.into()))
    }

    async fn connect_to(options: &CrateDbConnectOptions, host: usize) -> Result<Self, Error> {
        let target = &options.hosts[host];
        let stream = Socket::connect(&target.host, target.port).await?;
        let (io, channel) = if options.tls {
            let config = options
                .tls_config
                .get_or_init(|| super::tls::client_config(options).map_err(|e| e.to_string()))
                .clone()
                .map_err(ConfigError::Tls)?;
            match Socket::negotiate_tls(stream, &target.host, config, options.tls_fallback).await? {
                io @ Io::Tls(_) => (io, Channel::Tls),
                io @ Io::Tcp(_) => {
                    log::warn!(
                        "sqlx-cratedb: {target} declined TLS; continuing WITHOUT encryption \
                         (sslmode=prefer); a cleartext password is still refused unless \
                         allow_cleartext_password=true"
                    );
                    (io, Channel::FellBack)
                }
            }
        } else {
            (Io::Tcp(stream), Channel::Plain)
        };
        let mut conn = Self {
            socket: Socket::new(io, options.max_message_size),
            options: options.clone(),
            host,
            parameters: BTreeMap::new(),
            cancel_key: None,
            cache: StatementCache::default(),
            next_statement: 0,
            pending_ready: 0,
            sync_owed: false,
            cancel_task: None,
            broken: None,
            unsent_batch: 0,
        };
        conn.startup(channel).await?;
        Ok(conn)
    }

    /// Startup message, authentication, then `ParameterStatus`, `BackendKeyData` and the first
    /// `ReadyForQuery`.
    async fn startup(&mut self, channel: Channel) -> Result<(), Error> {
        let user = self
            .options
            .username
            .clone()
            .unwrap_or_else(|| DEFAULT_USER.to_owned());
        let mut params: Vec<(&str, &str)> = vec![
            ("user", &user),
            ("client_encoding", "UTF8"),
            // PostgreSQL: ISO dates (CrateDB always answers ISO and ignores this).
            ("DateStyle", "ISO"),
        ];
        if let Some(schema) = &self.options.schema {
            params.push(("database", schema));
        }
        if let Some(name) = &self.options.application_name {
            params.push(("application_name", name));
        }
        if let Some(opts) = &self.options.pg_options {
            params.push(("options", opts));
        }
        frontend::startup_message(params.iter().copied(), self.socket.wbuf())?;
        self.socket.flush().await?;
        self.authenticate(&user, channel).await?;
        loop {
            match self.socket.recv().await? {
                Backend::Message(Message::ParameterStatus(body)) => {
                    self.parameters
                        .insert(body.name()?.to_owned(), body.value()?.to_owned());
                }
                Backend::Message(Message::BackendKeyData(body)) => {
                    let target = &self.options.hosts[self.host];
                    self.cancel_key = Some(CancelKey {
                        host: target.host.clone(),
                        port: target.port,
                        process_id: body.process_id(),
                        secret_key: body.secret_key(),
                        connect_timeout: self.options.connect_timeout,
                    });
                }
                Backend::Message(Message::ReadyForQuery(_)) => return Ok(()),
                Backend::Message(Message::ErrorResponse(body)) => {
                    return Err(Error::Database(Box::new(CrateDbDatabaseError::from(
                        parse_fields(body.fields()),
                    ))));
                }
                Backend::Message(Message::NoticeResponse(_)) => {}
                Backend::NegotiateProtocolVersion { minor, unsupported } => {
                    log::debug!(
                        "sqlx-cratedb: server speaks protocol 3.{minor}; ignored: {unsupported:?}"
                    );
                }
                Backend::Message(other) => return Err(unexpected(&other, "startup")),
            }
        }
    }

    /// Prepares the connection for a pipelined command: fails if broken, waits for a pending
    /// cancel, and queues the `Sync` a dropped stream still owes. Against PostgreSQL it does
    /// not wait for outstanding `ReadyForQuery` messages: the next command reads past them (see
    /// `query::PgQuery`), which saves a round trip per command. Against CrateDB it does
    /// ([`PgConnection::ready`]), because CrateDB can reorder replies across a `Sync`.
    pub(crate) async fn prepare_pipeline(&mut self) -> Result<(), Error> {
        if let Some(reason) = &self.broken {
            return Err(broken_error(reason));
        }
        if self.crate_version().is_some() {
            // CrateDB 6.4 writes a command's replies when it has run, but answers the messages
            // that follow at once: a command sent past a pending `ReadyForQuery` can have its
            // replies overtake the earlier ones (`ReadyForQuery before CommandComplete`). Against
            // CrateDB every command waits for the previous `ReadyForQuery`.
            return self.ready().await;
        }
        self.await_cancel().await;
        self.discard_unsent_batch();
        self.queue_owed_sync();
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

    /// Drops a bulk batch that an `execute_bulk` dropped half-way had encoded but not begun to
    /// write: the server never saw it, so it is not run and its `ReadyForQuery` is not pending.
    /// A batch written in part stays at the front of the write buffer: the next flush sends
    /// the rest (its bytes cannot be taken back) and its replies are read past.
    fn discard_unsent_batch(&mut self) {
        let size = std::mem::take(&mut self.unsent_batch);
        let wbuf = &mut self.socket.writer.wbuf;
        // Written bytes leave from the front: the batch is untouched while it all remains.
        if size > 0 && wbuf.len() >= size {
            wbuf.truncate(wbuf.len() - size);
            self.pending_ready = self.pending_ready.saturating_sub(1);
        }
    }

    /// Queues the `Sync` that a stream still owes (it ended its `Execute`s with `Flush`), if
    /// any; its `ReadyForQuery` is then pending.
    pub(crate) fn queue_owed_sync(&mut self) {
        if self.sync_owed {
            frontend::sync(self.socket.wbuf());
            self.sync_owed = false;
            self.pending_ready += 1;
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
        if let Some(reason) = &self.broken {
            return Err(broken_error(reason));
        }
        let result = self.ready_inner().await;
        if let Err(e) = &result {
            self.broken = Some(e.to_string());
        }
        result
    }

    async fn ready_inner(&mut self) -> Result<(), Error> {
        self.await_cancel().await;
        self.discard_unsent_batch();
        self.queue_owed_sync();
        if !self.socket.writer.wbuf.is_empty() {
            self.socket.flush().await?;
        }
        while self.pending_ready > 0 {
            match self.socket.recv().await? {
                Backend::Message(Message::ReadyForQuery(_)) => self.pending_ready -= 1,
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
                Backend::Message(Message::ParameterStatus(body)) => {
                    self.parameters
                        .insert(body.name()?.to_owned(), body.value()?.to_owned());
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
        if self.broken.is_some() {
            return false;
        }
        loop {
            match self.socket.recv().now_or_never() {
                None => return true,
                Some(Ok(Backend::Message(Message::ParameterStatus(body)))) => {
                    if let (Ok(n), Ok(v)) = (body.name(), body.value()) {
                        self.parameters.insert(n.to_owned(), v.to_owned());
                    }
                }
                Some(Ok(Backend::Message(
                    Message::NoticeResponse(_) | Message::NotificationResponse(_),
                ))) => {}
                // The end of an earlier command, not read yet.
                Some(Ok(Backend::Message(Message::ReadyForQuery(_)))) if self.pending_ready > 0 => {
                    self.pending_ready -= 1;
                }
                Some(Ok(Backend::Message(Message::ErrorResponse(body)))) => {
                    let e = parse_fields(body.fields());
                    if self.pending_ready > 0 && !e.is_fatal() {
                        // An abandoned command's error.
                        continue;
                    }
                    self.broken = Some(CrateDbDatabaseError::from(e.clone()).to_string());
                    return false;
                }
                // The rest of an abandoned command's answer.
                Some(Ok(_)) if self.pending_ready > 0 => {}
                Some(Ok(_)) => {
                    self.broken = Some("unsolicited message while idle".into());
                    return false;
                }
                Some(Err(e)) => {
                    self.broken = Some(e.to_string());
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
            self.broken.as_deref().unwrap_or("broken")
        );
        self.options.cluster.set_aside(self.host);
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
                self.broken = Some("a running command was dropped outside a runtime".into());
            }
        }
    }

    /// `Sync` and its `ReadyForQuery`: a round trip that checks the connection, within
    /// `timeout` (the connection is unusable after it passed).
    pub(crate) async fn ping(&mut self) -> Result<(), Error> {
        let limit = self.options.request_timeout;
        let round_trip = async {
            self.ready().await?;
            frontend::sync(self.socket.wbuf());
            self.pending_ready += 1;
            self.ready().await
        };
        let Some(limit) = limit else {
            return round_trip.await;
        };
        if let Ok(result) = tokio::time::timeout(limit, round_trip).await {
            return result;
        }
        self.broken = Some("ping timed out".into());
        Err(super::timed_out("ping"))
    }

    /// `Terminate`, then close.
    pub(crate) async fn close(mut self) -> Result<(), Error> {
        if self.broken.is_none() {
            self.discard_unsent_batch();
            frontend::terminate(self.socket.wbuf());
            self.socket.flush().await?;
            self.socket.shutdown().await?;
        }
        Ok(())
    }

    /// The CrateDB version (the `crate_version` parameter status); `None` for PostgreSQL.
    pub(crate) fn crate_version(&self) -> Option<&str> {
        self.parameters.get("crate_version").map(String::as_str)
    }
}

fn is_transient(e: &Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.try_downcast_ref::<CrateDbDatabaseError>())
        .is_some_and(CrateDbDatabaseError::is_transient)
}

/// A message that has no place in the current exchange.
pub(crate) fn unexpected(message: &Message, during: &str) -> Error {
    let name = match message {
        Message::CopyInResponse(_) | Message::CopyOutResponse(_) | Message::CopyData(_) => {
            "a COPY sub-protocol message (not supported)"
        }
        Message::ReadyForQuery(_) => "ReadyForQuery",
        Message::DataRow(_) => "DataRow",
        Message::NotificationResponse(_) => "NotificationResponse",
        _ => "a message",
    };
    ProtocolError::PgMessage(format!("unexpected {name} during {during}")).into()
}
