//! One command over the extended protocol: `Parse` + `Describe` (first use of a statement),
//! `Bind` with the parameters, `Execute`, then `Sync` — or, for reads with a fetch size,
//! `Flush` and further `Execute`s on the suspended portal, so a large result streams in
//! bounded memory. The `Sync` of a stream is sent when it ends (or by the next command when
//! the stream is dropped early).

use std::io;
use std::sync::Arc;

use postgres_protocol::Oid;
use sqlx_core::Either;
use sqlx_core::error::Error;
use tokio::time::Instant;

use super::PgConnection;
use super::bind::{Params, write_bind};
use super::cache::CachedStatement;
use super::prepare::fields;
use super::retry::ReadRetries;
use super::socket::Backend;
use crate::connection::failover::{is_read_only, read_failure};
use crate::error::CrateDbDatabaseError;
use crate::model::arguments::CrateDbArguments;
use crate::model::query_result::CrateDbQueryResult;
use crate::model::row::CrateDbRow;
use crate::protocol::ProtocolError;
use crate::protocol::pgwire::backend::Message;
use crate::protocol::pgwire::error::{parse_fields, unexpected};
use crate::protocol::pgwire::{frontend, tag, text};

pub(crate) use crate::model::query_result::QueryItem as Item;

/// How much of a result the caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Every row: reads page through the result (`fetch_size`), writes run to the end.
    All,
    /// The first row only (`fetch_optional`): a read asks for one row and ends at once
    /// (`Execute` with a row limit, then `Sync`: one write, no second round trip).
    First,
}

/// A statement being prepared in this exchange: cached when its description arrives.
#[derive(Debug)]
struct Preparing {
    sql: String,
    oids: Vec<Oid>,
    name: String,
    /// The parameter types, from `ParameterDescription`.
    param_types: Vec<Oid>,
}

/// One running command.
#[allow(clippy::struct_excessive_bools)] // independent flags of the protocol state
#[derive(Debug)]
pub(crate) struct PgQuery<'c> {
    conn: &'c mut PgConnection,
    statement: Option<Arc<CachedStatement>>,
    preparing: Option<Preparing>,
    want: Want,
    /// Reads with a fetch size: `Flush` instead of `Sync`, more `Execute`s on suspension.
    streaming: bool,
    fetch: i32,
    /// An `Execute` was sent and nothing of its answer has arrived yet.
    executing: bool,
    done: bool,
    deadline: Option<Instant>,
    /// For reads: the SQL and persistence, to send it again elsewhere.
    retry: Option<(String, bool)>,
    /// The SQL, to prepare it again when the server rejects the cached statement.
    sql: String,
    persistent: bool,
    /// The statement was prepared again once already.
    replanned: bool,
    params: Params,
    /// A row or result was returned to the caller (no retry after that).
    yielded: bool,
    /// How often a failed read may still be sent again elsewhere.
    retries: ReadRetries,
    /// `ReadyForQuery` messages of earlier commands to read past before this command's answer.
    skip_ready: usize,
    /// The results were asked for in the statement's binary formats.
    binary: bool,
}

impl<'c> PgQuery<'c> {
    /// Sends the command. A connection found dead before anything was sent (closed by the
    /// server, or broken earlier) is replaced by a new one to a healthy host first, which is
    /// safe for any statement.
    pub(crate) async fn start(
        conn: &'c mut PgConnection,
        sql: &str,
        arguments: Option<&CrateDbArguments>,
        persistent: bool,
        want: Want,
    ) -> Result<Self, Error> {
        let cratedb = conn.crate_version().is_some();
        let (oids, text_array) = Params::declared(arguments);
        if conn.prepare_pipeline().await.is_err() || !conn.is_alive() {
            conn.reconnect().await?;
        }
        let read_only = is_read_only(sql);
        // A first execution prepares the statement first (one round trip, as sqlx-postgres
        // always does) when that lets it go faster: a read gets even its first results in
        // binary, and a text array parameter goes in binary once the server said its type. A
        // failure here is left to the execution below, which reports (or retries) it as usual.
        let cache = persistent && conn.options.statement_cache_capacity > 0;
        let gains = (read_only && conn.options.binary_results) || text_array;
        if cache
            && gains
            && conn.cache.get(sql, &oids).is_none()
            && super::prepare::prepare_with(conn, sql, &oids)
                .await
                .is_err()
            && (conn.prepare_pipeline().await.is_err() || !conn.is_alive())
        {
            conn.reconnect().await?;
        }
        let described = match text_array.then(|| conn.cache.get(sql, &oids)).flatten() {
            Some(cached) => Params::encode_described(arguments, cratedb, &cached.param_types),
            None => Params::encode(arguments, cratedb),
        };
        let params = described?;
        let retries = ReadRetries::new(conn.options.hosts.len(), conn.options.backoff_factor);
        let deadline = conn
            .options
            .request_timeout
            .map(crate::connection::deadline::deadline_after);
        let mut query = Self {
            conn,
            statement: None,
            preparing: None,
            want,
            streaming: false,
            fetch: 0,
            executing: false,
            done: false,
            deadline,
            // Kept to send a read again on another node if this one fails before any row.
            retry: read_only.then(|| (sql.to_owned(), persistent)),
            sql: sql.to_owned(),
            persistent,
            replanned: false,
            params,
            yielded: false,
            retries,
            skip_ready: 0,
            binary: false,
        };
        query.send(sql, persistent).await?;
        Ok(query)
    }

    /// Writes Parse/Describe (unless cached), Bind, Execute and Sync or Flush, and flushes.
    async fn send(&mut self, sql: &str, persistent: bool) -> Result<(), Error> {
        let conn = &mut *self.conn;
        let params = &self.params;
        let read = is_read_only(sql);
        let streaming = self.want == Want::All && conn.options.fetch_size > 0 && read;
        let fetch = if streaming {
            i32::try_from(conn.options.fetch_size).unwrap_or(i32::MAX)
        } else {
            i32::from(self.want == Want::First && read)
        };
        self.skip_ready = conn.state.pending_ready();
        let cached = conn.cache.get(sql, &params.oids);
        let name = if let Some(s) = &cached {
            self.preparing = None;
            s.name.clone()
        } else {
            let cache = persistent && conn.options.statement_cache_capacity > 0;
            let name = if cache {
                conn.next_statement_name()
            } else {
                String::new()
            };
            let buf = conn.socket.wbuf();
            frontend::parse(&name, sql, params.oids.iter().copied(), buf)?;
            frontend::describe(b'S', &name, buf)?;
            // An unnamed statement (empty name) is described but not cached.
            self.preparing = Some(Preparing {
                sql: if cache { sql.to_owned() } else { String::new() },
                oids: params.oids.clone(),
                name: name.clone(),
                param_types: Vec::new(),
            });
            name
        };
        // Binary results only for a statement described earlier: its columns are known when
        // the `Bind` is written.
        let result_formats: &[i16] = match &cached {
            Some(s) if conn.options.binary_results => &s.binary_formats,
            _ => &[],
        };
        self.binary = !result_formats.is_empty();
        let buf = conn.socket.wbuf();
        write_bind(
            buf,
            &name,
            &params.values,
            &params.ranges,
            &params.formats,
            result_formats,
        )?;
        frontend::execute("", fetch, buf)?;
        if streaming {
            frontend::flush(buf);
            conn.state.owe_sync();
        } else {
            conn.state.queue_sync(buf);
        }
        self.statement = cached;
        self.streaming = streaming;
        self.fetch = fetch;
        self.executing = true;
        self.done = false;
        let flushed = conn.socket.flush().await;
        conn.state.break_on_error(flushed)
    }

    /// After a failure before the first row: a read is sent again over a new connection to
    /// another host (as the HTTP transport retries reads), at most once per host. Returns
    /// `false` when the failure is final.
    async fn retry_read(&mut self, error: &Error) -> bool {
        if !self.yielded && !self.replanned && is_stale_statement(error) {
            // PostgreSQL rejects a cached statement whose result type changed (after DDL) or
            // that is gone, before running it: prepare it again, for reads and writes alike.
            self.replanned = true;
            if let Some(name) = self.conn.cache.remove(&self.sql, &self.params.oids) {
                let _ = frontend::close(b'S', &name, self.conn.socket.wbuf());
            }
            let (sql, persistent) = (self.sql.clone(), self.persistent);
            return self.send(&sql, persistent).await.is_ok();
        }
        let Some((sql, persistent)) = self.retry.clone() else {
            return false;
        };
        if self.yielded {
            return false;
        }
        let Some(pause) = read_failure(error).and_then(|f| self.retries.next(f)) else {
            return false;
        };
        if !pause.is_zero() {
            // Every host failed this round: pause before the next, as over HTTP.
            tokio::time::sleep(pause).await;
        }
        log::warn!("sqlx-cratedb: pgwire read failed ({error}); trying it on another host");
        if self.conn.reconnect().await.is_err() {
            return false;
        }
        self.send(&sql, persistent).await.is_ok()
    }

    async fn recv(&mut self) -> Result<Backend, Error> {
        let received = if let Some(d) = self.deadline {
            if let Ok(r) = tokio::time::timeout_at(d, self.conn.socket.recv()).await {
                r
            } else {
                // Cancel on the server; the next command reads the rest.
                self.done = true;
                if let Some(key) = self.conn.cancel_key.clone() {
                    key.cancel().await;
                }
                return Err(Error::Io(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "CrateDB request timed out (cancelled on the server)",
                )));
            }
        } else {
            self.conn.socket.recv().await
        };
        if received.is_err() {
            self.done = true;
        }
        self.conn.state.break_on_error(received)
    }

    fn described(&mut self, fields: Vec<(String, Oid)>) {
        let Some(p) = self.preparing.take() else {
            return;
        };
        let statement = Arc::new(CachedStatement::new(p.name.clone(), p.param_types, fields));
        if !p.name.is_empty() {
            let capacity = self.conn.options.statement_cache_capacity;
            let evicted = self
                .conn
                .cache
                .insert(p.sql, p.oids, Arc::clone(&statement), capacity);
            for name in evicted {
                // The reply (CloseComplete) is skipped wherever it arrives.
                let _ = frontend::close(b'S', &name, self.conn.socket.wbuf());
            }
        }
        self.statement = Some(statement);
    }

    /// At the end of a streaming command: sends the `Sync` it owes. A failed write breaks
    /// the connection.
    async fn send_owed_sync(&mut self) -> Result<(), Error> {
        if self.streaming && self.conn.state.is_sync_owed() {
            let conn = &mut *self.conn;
            conn.state.queue_owed_sync(&mut conn.socket.writer.wbuf);
            let flushed = conn.socket.flush().await;
            conn.state.break_on_error(flushed)?;
        }
        Ok(())
    }

    /// Fails the command with a server error; a stream owes its `Sync` then (a failure to
    /// send it is recorded on the connection, the server error is the one reported).
    async fn fail(&mut self, error: Error) -> Error {
        self.done = true;
        let _ = self.send_owed_sync().await;
        error
    }

    /// The end of the command: its row count.
    async fn complete(&mut self, rows: Option<i64>) -> Result<Item, Error> {
        self.done = true;
        self.executing = false;
        self.send_owed_sync().await?;
        Ok(Either::Left(CrateDbQueryResult::from_rowcount(
            rows.unwrap_or(0),
        )))
    }

    /// The next row, or the row count at the end, or `None` after it.
    pub(crate) async fn next(&mut self) -> Result<Option<Item>, Error> {
        loop {
            match self.next_inner().await {
                Ok(item) => {
                    self.yielded = true;
                    return Ok(item);
                }
                Err(e) => {
                    if self.retry_read(&e).await {
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }

    async fn next_inner(&mut self) -> Result<Option<Item>, Error> {
        if self.done {
            return Ok(None);
        }
        loop {
            let message = match self.recv().await? {
                Backend::Message(m) if self.skip_ready > 0 => {
                    self.skip_earlier(m)?;
                    continue;
                }
                Backend::Message(m) => m,
                Backend::NegotiateProtocolVersion { .. } => {
                    return Err(self.protocol("NegotiateProtocolVersion after startup"));
                }
            };
            match message {
                Message::DataRow(body) => {
                    self.executing = false;
                    return self.row(None, body.buffer_bytes()).map(Some);
                }
                Message::ParseComplete
                | Message::BindComplete
                | Message::CloseComplete
                | Message::NoticeResponse(_)
                | Message::NotificationResponse(_) => {}
                Message::ParameterDescription(body) => {
                    use fallible_iterator::FallibleIterator as _;
                    if let Some(p) = &mut self.preparing {
                        p.param_types = body.parameters().collect()?;
                    }
                }
                Message::RowDescription(body) => {
                    let f = fields(&body)?;
                    self.described(f);
                }
                Message::NoData => self.described(Vec::new()),
                Message::PortalSuspended if !self.streaming => {
                    // The row limit of `Want::First` was reached; `Sync` was sent with it.
                    return self.complete(None).await.map(Some);
                }
                Message::PortalSuspended => {
                    // The next page: only when the caller asks for more rows.
                    let buf = self.conn.socket.wbuf();
                    frontend::execute("", self.fetch, buf)?;
                    frontend::flush(buf);
                    let flushed = self.conn.socket.flush().await;
                    if let Err(e) = self.conn.state.break_on_error(flushed) {
                        self.done = true;
                        return Err(e);
                    }
                    self.executing = true;
                }
                Message::CommandComplete(body) => {
                    let rows = tag::parse(body.tag()?).rows;
                    return self.complete(rows).await.map(Some);
                }
                Message::EmptyQueryResponse => return self.complete(Some(0)).await.map(Some),
                Message::ErrorResponse(body) => {
                    self.executing = false;
                    let e = parse_fields(body.fields());
                    let fatal = e.is_fatal();
                    let error = CrateDbDatabaseError::from(e);
                    if fatal {
                        self.conn.state.set_broken(&error);
                    }
                    let error = Error::Database(Box::new(error));
                    return Err(self.fail(error).await);
                }
                Message::ReadyForQuery(_) => {
                    // Only this command's Sync can be pending here: it ended without a
                    // CommandComplete.
                    self.conn.state.ready_received();
                    return Err(self.protocol("ReadyForQuery before CommandComplete"));
                }
                other => {
                    let e = unexpected(&other, "a query");
                    return Err(self.protocol(&e.to_string()));
                }
            }
        }
    }

    /// The next row when it is already complete in the read buffer and nothing else is due:
    /// no I/O and no future, the fast path of a streaming read. `None` sends the caller to
    /// [`PgQuery::next`].
    #[inline]
    pub(crate) fn next_buffered(&mut self) -> Option<Result<Item, Error>> {
        if self.done || self.skip_ready > 0 || self.statement.is_none() {
            return None;
        }
        let (count, values) = self.conn.socket.reader.buffered_data_row()?;
        self.executing = false;
        self.yielded = true;
        Some(self.row(Some(count), &values))
    }

    /// One `DataRow` (its column count, when known, and values) as a row of the described
    /// statement. A value count that differs from the description is also caught by
    /// `build_row` (the values run short or long).
    #[inline]
    fn row(&mut self, count: Option<u16>, values: &bytes::Bytes) -> Result<Item, Error> {
        let Some(statement) = &self.statement else {
            return Err(self.protocol("DataRow before RowDescription"));
        };
        if count.is_some_and(|n| usize::from(n) != statement.columns.len()) {
            return Err(self.protocol("DataRow width differs from RowDescription"));
        }
        let (convs, in_place) = if self.binary {
            (&statement.binary_convs, false)
        } else {
            (&statement.convs, statement.in_place)
        };
        let (data, cells) = text::build_row(values, &statement.columns, convs, in_place)?;
        Ok(Either::Right(CrateDbRow::new(
            data,
            cells,
            Arc::clone(&statement.columns),
        )))
    }

    /// A message that still belongs to an earlier (finished or abandoned) command.
    fn skip_earlier(&mut self, message: Message) -> Result<(), Error> {
        match message {
            Message::ReadyForQuery(_) => {
                self.skip_ready -= 1;
                self.conn.state.ready_received();
            }
            Message::ErrorResponse(body) => {
                let e = parse_fields(body.fields());
                if e.is_fatal() {
                    self.done = true;
                    let error = CrateDbDatabaseError::from(e);
                    self.conn.state.set_broken(&error);
                    return Err(Error::Database(Box::new(error)));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn protocol(&mut self, what: &str) -> Error {
        self.done = true;
        self.conn.state.set_broken(what);
        ProtocolError::PgMessage(what.to_owned()).into()
    }
}

/// `cached plan must not change result type` (0A000) or `prepared statement … does not
/// exist` (26000).
fn is_stale_statement(error: &Error) -> bool {
    let Error::Database(db) = error else {
        return false;
    };
    match db.code().as_deref() {
        Some("26000") => true,
        Some("0A000") => db
            .message()
            .contains("cached plan must not change result type"),
        _ => false,
    }
}

impl Drop for PgQuery<'_> {
    /// A command dropped while the server still works on it is cancelled; the next command
    /// reads what is left of its answer (see [`PgConnection::ready`]).
    fn drop(&mut self) {
        if !self.done && self.executing && !self.conn.state.is_broken() {
            self.conn.spawn_cancel();
        }
    }
}

/// Runs `sql` to the end and returns the summed row count (rows are read and dropped).
pub(crate) async fn execute(
    conn: &mut PgConnection,
    sql: &str,
    arguments: Option<&CrateDbArguments>,
) -> Result<CrateDbQueryResult, Error> {
    let mut query = PgQuery::start(conn, sql, arguments, true, Want::All).await?;
    let mut result = CrateDbQueryResult::default();
    while let Some(item) = query.next().await? {
        if let Either::Left(r) = item {
            result.extend([r]);
        }
    }
    Ok(result)
}
