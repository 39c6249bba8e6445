//! `Executor` for `&mut CrateDbConnection`: one `POST /_sql` per statement, rows streamed.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::future::BoxFuture;
use futures_core::stream::{BoxStream, Stream};
use sqlx_core::Either;
use sqlx_core::error::Error;
use sqlx_core::executor::{Execute, Executor};
use sqlx_core::logger::QueryLogger;
use sqlx_core::sql_str::SqlStr;

use super::CrateDbConnection;
use super::http::stream::ResultReader;
use super::refresh::refresh_statement;
use crate::database::CrateDb;
use crate::model::arguments::CrateDbArguments;
use crate::model::row::CrateDbRow;
use crate::model::statement::CrateDbStatement;
use crate::protocol::type_info::CrateDbTypeInfo;

use crate::model::query_result::{QueryItem as Item, log_item};

/// The stream of one query: the request future, then the response read row by row.
struct QueryStream<'c> {
    start: Option<BoxFuture<'c, Result<ResultReader, Error>>>,
    reader: Option<ResultReader>,
    logger: QueryLogger,
    done: bool,
}

impl<'c> QueryStream<'c> {
    fn new<'q, E>(conn: &'c mut CrateDbConnection, mut query: E) -> Self
    where
        E: 'q + Execute<'q, CrateDb>,
        'q: 'c,
    {
        let arguments = query.take_arguments().map_err(Error::Encode);
        let sql = query.sql();
        let logger = QueryLogger::new(sql.clone(), conn.transport.options().log_settings.clone());
        let start = Box::pin(async move {
            let arguments = checked(arguments)?;
            conn.start_query(sql.as_str(), arguments.as_ref()).await
        });
        Self {
            start: Some(start),
            reader: None,
            logger,
            done: false,
        }
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Item, Error>>> {
        let this = self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(start) = &mut this.start {
            match start.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(reader)) => {
                    this.start = None;
                    this.reader = Some(reader);
                }
                Poll::Ready(Err(e)) => {
                    this.start = None;
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
        let Some(reader) = &mut this.reader else {
            this.done = true;
            return Poll::Ready(None);
        };
        match reader.poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(Some(item))) => {
                log_item(&mut this.logger, &item);
                Poll::Ready(Some(Ok(item)))
            }
            Poll::Ready(Ok(None)) => {
                this.done = true;
                this.reader = None;
                Poll::Ready(None)
            }
            Poll::Ready(Err(e)) => {
                this.done = true;
                this.reader = None;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

impl Stream for QueryStream<'_> {
    type Item = Result<Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

/// Only the rows of a query stream (what `fetch` returns), its row counts dropped, without
/// an extra adapter layer. Serves both transports.
struct RowStream<S>(S);

impl<S> Stream for RowStream<S>
where
    S: Stream<Item = Result<Item, Error>> + Unpin,
{
    type Item = Result<CrateDbRow, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let inner = &mut self.get_mut().0;
        loop {
            match Pin::new(&mut *inner).poll_next(cx) {
                Poll::Ready(Some(Ok(Either::Left(_)))) => {}
                Poll::Ready(Some(Ok(Either::Right(row)))) => return Poll::Ready(Some(Ok(row))),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl CrateDbConnection {
    /// Sends one statement and returns the reader of its response.
    pub(crate) async fn start_query(
        &mut self,
        sql: &str,
        arguments: Option<&CrateDbArguments>,
    ) -> Result<ResultReader, Error> {
        if self.tx.depth > 0 {
            self.tx.statements += 1;
        }
        let reader = self.transport.start_http_query(sql, arguments).await?;
        self.last_response = Some(std::time::Instant::now());
        Ok(reader)
    }
}

/// `fetch_optional` reads the rest of a response up to this many bytes, so that the
/// connection stays reusable; beyond it the connection is dropped instead.
const DRAIN_BUDGET: usize = 256 * 1024;

/// Fails on an argument whose encoding failed earlier (`CrateDbArguments::bind`).
fn checked(
    arguments: Result<Option<CrateDbArguments>, Error>,
) -> Result<Option<CrateDbArguments>, Error> {
    match arguments? {
        Some(a) => match a.deferred_error() {
            Some(e) => Err(Error::Encode(format!("cannot encode argument: {e}").into())),
            None => Ok(Some(a)),
        },
        None => Ok(None),
    }
}

impl<'c> Executor<'c> for &'c mut CrateDbConnection {
    type Database = CrateDb;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Item, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, CrateDb>,
    {
        match refresh_plan(self, query) {
            Plan::Plain(conn, query) => plain_fetch_many(conn, query),
            Plan::Parts(conn, parts, refresh) => refreshing(conn, parts, refresh),
            Plan::Failed(error) => Box::pin(futures_util::stream::once(async { Err(error) })),
        }
    }

    fn fetch<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<CrateDbRow, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, CrateDb>,
    {
        match refresh_plan(self, query) {
            Plan::Plain(conn, query) if conn.transport.is_pgwire() => Box::pin(RowStream(
                pg_stream(conn, query, super::pgwire::query::Want::All),
            )),
            Plan::Plain(conn, query) => Box::pin(RowStream(QueryStream::new(conn, query))),
            Plan::Parts(conn, parts, refresh) => {
                Box::pin(RowStream(refreshing(conn, parts, refresh)))
            }
            Plan::Failed(error) => Box::pin(futures_util::stream::once(async { Err(error) })),
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<CrateDbRow>, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, CrateDb>,
    {
        match refresh_plan(self, query) {
            Plan::Plain(conn, query) => plain_fetch_optional(conn, query),
            Plan::Parts(conn, parts, refresh) => Box::pin(async move {
                use futures_util::TryStreamExt as _;
                RowStream(refreshing(conn, parts, refresh)).try_next().await
            }),
            Plan::Failed(error) => Box::pin(async { Err(error) }),
        }
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        _parameters: &'e [CrateDbTypeInfo],
    ) -> BoxFuture<'e, Result<CrateDbStatement, Error>>
    where
        'c: 'e,
    {
        Box::pin(async move {
            let columns = self.transport.prepare(sql.as_str()).await?;
            Ok(CrateDbStatement { sql, columns })
        })
    }

    fn describe<'e>(
        self,
        sql: SqlStr,
    ) -> BoxFuture<'e, Result<sqlx_core::describe::Describe<CrateDb>, Error>>
    where
        'c: 'e,
    {
        Box::pin(async move { self.transport.describe(sql.as_str()).await })
    }
}

/// How a statement runs: as it is, or taken apart to be followed by `REFRESH TABLE`
/// (`refresh_after_writes`).
enum Plan<'c, E> {
    Plain(&'c mut CrateDbConnection, E),
    /// Taken apart (the option is on); the `REFRESH TABLE` statement when it is a write.
    Parts(&'c mut CrateDbConnection, Parts, Option<String>),
    Failed(Error),
}

/// A query taken apart so that its SQL can be read before it runs.
struct Parts {
    sql: SqlStr,
    arguments: Option<CrateDbArguments>,
    persistent: bool,
}

impl Execute<'_, CrateDb> for Parts {
    fn sql(self) -> SqlStr {
        self.sql
    }

    fn statement(&self) -> Option<&CrateDbStatement> {
        None
    }

    fn take_arguments(
        &mut self,
    ) -> Result<Option<CrateDbArguments>, sqlx_core::error::BoxDynError> {
        Ok(self.arguments.take())
    }

    fn persistent(&self) -> bool {
        self.persistent
    }
}

/// The plan for `query`: without `refresh_after_writes` the query is not even looked at.
fn refresh_plan<'c, 'q, E>(conn: &'c mut CrateDbConnection, mut query: E) -> Plan<'c, E>
where
    E: 'q + Execute<'q, CrateDb>,
{
    if !conn.transport.options().refresh_after_writes {
        return Plan::Plain(conn, query);
    }
    let arguments = match query.take_arguments() {
        Ok(arguments) => arguments,
        Err(e) => return Plan::Failed(Error::Encode(e)),
    };
    let persistent = query.persistent();
    let sql = query.sql();
    let refresh = refresh_statement(sql.as_str());
    let parts = Parts {
        sql,
        arguments,
        persistent,
    };
    Plan::Parts(conn, parts, refresh)
}

/// `fetch_many` without the refresh check.
fn plain_fetch_many<'e, 'q: 'e, E>(
    conn: &'e mut CrateDbConnection,
    query: E,
) -> BoxStream<'e, Result<Item, Error>>
where
    E: 'q + Execute<'q, CrateDb>,
{
    if conn.transport.is_pgwire() {
        return Box::pin(pg_stream(conn, query, super::pgwire::query::Want::All));
    }
    Box::pin(QueryStream::new(conn, query))
}

/// Runs a write to its end, then `refresh` (if any) when it succeeded. The write's
/// items (row counts, `RETURNING` rows) are held until the refresh is done, so that a caller
/// who saw them can read the rows back at once; a failed refresh is the last item (the write
/// was applied).
fn refreshing(
    conn: &mut CrateDbConnection,
    parts: Parts,
    refresh: Option<String>,
) -> BoxStream<'_, Result<Item, Error>> {
    use futures_util::StreamExt as _;
    let Some(refresh) = refresh else {
        return plain_fetch_many(conn, parts);
    };
    Box::pin(
        futures_util::stream::once(async move {
            let mut items: Vec<Result<Item, Error>> =
                plain_fetch_many(&mut *conn, parts).collect().await;
            if items.iter().all(Result::is_ok)
                && let Err(error) = conn.transport.execute_simple(&refresh).await
            {
                log::warn!("sqlx-cratedb: the write was applied, but {refresh} failed: {error}");
                items.push(Err(error));
            }
            futures_util::stream::iter(items)
        })
        .flatten(),
    )
}

/// `fetch_optional` without the refresh check.
fn plain_fetch_optional<'e, 'q: 'e, E>(
    conn: &'e mut CrateDbConnection,
    mut query: E,
) -> BoxFuture<'e, Result<Option<CrateDbRow>, Error>>
where
    E: 'q + Execute<'q, CrateDb>,
{
    if conn.transport.is_pgwire() {
        return Box::pin(async move {
            use futures_util::TryStreamExt as _;
            let stream = pg_stream(conn, query, super::pgwire::query::Want::First);
            RowStream(stream).try_next().await
        });
    }
    let arguments = query.take_arguments().map_err(Error::Encode);
    let sql = query.sql();
    Box::pin(async move {
        let arguments = checked(arguments)?;
        let mut logger =
            QueryLogger::new(sql.clone(), conn.transport.options().log_settings.clone());
        let mut reader = conn.start_query(sql.as_str(), arguments.as_ref()).await?;
        while let Some(item) = reader.next().await? {
            if let Either::Right(row) = item {
                logger.increment_rows_returned();
                reader.drain(DRAIN_BUDGET).await?;
                return Ok(Some(row));
            }
        }
        Ok(None)
    })
}

/// A query over pgwire as a stream of rows and its row count. Dropping
/// the stream while the server still works on the query cancels it (see
/// `pgwire::query::PgQuery`).
fn pg_stream<'e, 'q: 'e, E>(
    conn: &'e mut CrateDbConnection,
    mut query: E,
    want: super::pgwire::query::Want,
) -> super::pgwire::stream::PgStream<'e>
where
    E: 'q + Execute<'q, CrateDb>,
{
    let arguments = query.take_arguments().map_err(Error::Encode);
    let persistent = query.persistent();
    let sql = query.sql();
    let logger = QueryLogger::new(sql.clone(), conn.transport.options().log_settings.clone());
    if conn.tx.depth > 0 {
        conn.tx.statements += 1;
    }
    let transport = &mut conn.transport;
    let start = async move {
        let super::Transport::Pg(pg) = transport else {
            return Err(Error::Protocol("internal: not a pgwire connection".into()));
        };
        let arguments = checked(arguments)?;
        super::pgwire::query::PgQuery::start(pg, sql.as_str(), arguments.as_ref(), persistent, want)
            .await
    };
    super::pgwire::stream::PgStream::new(start, logger)
}
