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
        if self.transport.is_pgwire() {
            return Box::pin(pg_stream(self, query, super::pgwire::query::Want::All));
        }
        Box::pin(QueryStream::new(self, query))
    }

    fn fetch<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<CrateDbRow, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, CrateDb>,
    {
        if self.transport.is_pgwire() {
            let stream = pg_stream(self, query, super::pgwire::query::Want::All);
            return Box::pin(RowStream(stream));
        }
        Box::pin(RowStream(QueryStream::new(self, query)))
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        mut query: E,
    ) -> BoxFuture<'e, Result<Option<CrateDbRow>, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, CrateDb>,
    {
        if self.transport.is_pgwire() {
            return Box::pin(async move {
                use futures_util::TryStreamExt as _;
                let stream = pg_stream(self, query, super::pgwire::query::Want::First);
                RowStream(stream).try_next().await
            });
        }
        let arguments = query.take_arguments().map_err(Error::Encode);
        let sql = query.sql();
        Box::pin(async move {
            let arguments = checked(arguments)?;
            let mut logger =
                QueryLogger::new(sql.clone(), self.transport.options().log_settings.clone());
            let mut reader = self.start_query(sql.as_str(), arguments.as_ref()).await?;
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
        _sql: SqlStr,
    ) -> BoxFuture<'e, Result<sqlx_core::describe::Describe<CrateDb>, Error>>
    where
        'c: 'e,
    {
        Box::pin(async move {
            Err(Error::Configuration(
                "sqlx-cratedb: describe (used by the query! macros) is not available (CrateDB \
                 cannot report nullability, over HTTP or pgwire); use the runtime query API"
                    .into(),
            ))
        })
    }
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
