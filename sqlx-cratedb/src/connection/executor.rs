//! `Executor` for `&mut CrateDbConnection`: one `POST /_sql` per statement, rows streamed.

use std::sync::Arc;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::TryStreamExt;
use sqlx_core::Either;
use sqlx_core::error::Error;
use sqlx_core::executor::{Execute, Executor};
use sqlx_core::logger::QueryLogger;
use sqlx_core::sql_str::SqlStr;

use super::CrateDbConnection;
use super::cluster::is_read_only;
use super::stream::ResultReader;
use crate::arguments::CrateDbArguments;
use crate::database::CrateDb;
use crate::protocol::http::request;
use crate::query_result::CrateDbQueryResult;
use crate::row::CrateDbRow;
use crate::statement::CrateDbStatement;
use crate::type_info::CrateDbTypeInfo;

type Item = Either<CrateDbQueryResult, CrateDbRow>;

enum QueryState<'c> {
    Start {
        conn: &'c mut CrateDbConnection,
        sql: SqlStr,
        arguments: Result<Option<CrateDbArguments>, Error>,
    },
    Reading {
        reader: Box<ResultReader>,
        logger: QueryLogger,
    },
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
        let body = request::query_body(sql, arguments);
        let response = self.transport.post_sql(body, is_read_only(sql)).await?;
        self.last_response = Some(std::time::Instant::now());
        ResultReader::new(response).await
    }
}

async fn read_next(
    mut reader: Box<ResultReader>,
    mut logger: QueryLogger,
) -> Option<(Result<Item, Error>, Option<QueryState<'static>>)> {
    match reader.next().await {
        Ok(Some(item)) => {
            match &item {
                Either::Left(r) => logger.increase_rows_affected(r.rows_affected()),
                Either::Right(_) => logger.increment_rows_returned(),
            }
            Some((Ok(item), Some(QueryState::Reading { reader, logger })))
        }
        Ok(None) => None,
        Err(e) => Some((Err(e), None)),
    }
}

async fn step(
    state: Option<QueryState<'_>>,
) -> Option<(Result<Item, Error>, Option<QueryState<'_>>)> {
    match state? {
        QueryState::Start {
            conn,
            sql,
            arguments,
        } => {
            let arguments = match arguments {
                Ok(Some(a)) => match a.deferred_error() {
                    Some(e) => {
                        let err = Error::Encode(format!("cannot encode argument: {e}").into());
                        return Some((Err(err), None));
                    }
                    None => Some(a),
                },
                Ok(None) => None,
                Err(e) => return Some((Err(e), None)),
            };
            let logger = QueryLogger::new(sql.clone(), conn.transport.options.log_settings.clone());
            match conn.start_query(sql.as_str(), arguments.as_ref()).await {
                Ok(reader) => read_next(Box::new(reader), logger)
                    .await
                    .map(|(r, s)| (r, s.map(reborrow))),
                Err(e) => Some((Err(e), None)),
            }
        }
        QueryState::Reading { reader, logger } => read_next(reader, logger)
            .await
            .map(|(r, s)| (r, s.map(reborrow))),
    }
}

/// `Reading` holds no borrow, so it converts to any lifetime.
fn reborrow<'a>(state: QueryState<'static>) -> QueryState<'a> {
    match state {
        QueryState::Reading { reader, logger } => QueryState::Reading { reader, logger },
        QueryState::Start {
            conn,
            sql,
            arguments,
        } => QueryState::Start {
            conn,
            sql,
            arguments,
        },
    }
}

impl<'c> Executor<'c> for &'c mut CrateDbConnection {
    type Database = CrateDb;

    fn fetch_many<'e, 'q: 'e, E>(self, mut query: E) -> BoxStream<'e, Result<Item, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, CrateDb>,
    {
        let arguments = query.take_arguments().map_err(Error::Encode);
        let sql = query.sql();
        Box::pin(futures_util::stream::unfold(
            Some(QueryState::Start {
                conn: self,
                sql,
                arguments,
            }),
            step,
        ))
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<CrateDbRow>, Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, CrateDb>,
    {
        let mut stream = self.fetch_many(query);
        Box::pin(async move {
            while let Some(item) = stream.try_next().await? {
                if let Either::Right(row) = item {
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
        // The HTTP endpoint has no prepare step: statements are parsed per request.
        Box::pin(async move {
            Ok(CrateDbStatement {
                sql,
                columns: Arc::from(Vec::new()),
            })
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
                "sqlx-cratedb: describe (used by the query! macros) is not available over \
                 CrateDB's HTTP endpoint; use the runtime query API"
                    .into(),
            ))
        })
    }
}
