//! [`Transport`]: the one place that dispatches between the two transports. Everything above
//! it (the connection, the executor, bulk execution) calls its methods; everything below is
//! one transport's own code (`http/`, `pgwire/`).

use std::sync::Arc;
use std::time::Duration;

use sqlx_core::Either;
use sqlx_core::error::Error;

use super::failover::is_read_only;
use super::http::{self, stream::ResultReader};
use super::pgwire::{self, PgConnection};
use crate::database::CrateDb;
use crate::model::arguments::CrateDbArguments;
use crate::model::bulk_result::CrateDbBulkResult;
use crate::model::column::CrateDbColumn;
use crate::model::query_result::CrateDbQueryResult;
use crate::options::{CrateDbConnectOptions, CrateDbProtocol};
use crate::protocol::http::request;
use crate::protocol::type_info::CrateDbTypeInfo;
use sqlx_core::describe::Describe;

/// The transport of a connection, chosen by the URL scheme.
// The HTTP transport is the common case; boxing it would add an indirection per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Transport {
    /// `POST /_sql` over a keep-alive HTTP client.
    Http(http::Transport),
    /// One PostgreSQL wire-protocol session on one node.
    Pg(Box<PgConnection>),
}

impl Transport {
    /// Opens the transport the options' protocol names. pgwire has answered the startup by
    /// then; HTTP sends no request yet.
    pub(crate) async fn open(options: &CrateDbConnectOptions) -> Result<Self, Error> {
        match options.protocol {
            CrateDbProtocol::PgWire => {
                Ok(Self::Pg(Box::new(PgConnection::connect(options).await?)))
            }
            CrateDbProtocol::Http => Ok(Self::Http(http::Transport::new(options)?)),
        }
    }

    /// The options the transport was opened with.
    pub(crate) fn options(&self) -> &CrateDbConnectOptions {
        match self {
            Self::Http(t) => &t.options,
            Self::Pg(c) => c.options(),
        }
    }

    /// The HTTP transport; only called on paths that checked for it.
    pub(crate) fn http(&self) -> Result<&http::Transport, Error> {
        match self {
            Self::Http(t) => Ok(t),
            Self::Pg(_) => Err(Error::Protocol(
                "internal: HTTP request on a pgwire connection".into(),
            )),
        }
    }

    /// True over pgwire.
    pub(crate) fn is_pgwire(&self) -> bool {
        matches!(self, Self::Pg(_))
    }

    /// A `ParameterStatus` value the server reported; `None` over HTTP.
    pub(crate) fn server_parameter(&self, name: &str) -> Option<&str> {
        match self {
            Self::Http(_) => None,
            Self::Pg(pg) => pg.parameter(name),
        }
    }

    /// True when the peer is CrateDB (always over HTTP; over pgwire when it reported
    /// `crate_version`).
    pub(crate) fn is_cratedb(&self) -> bool {
        match self {
            Self::Http(_) => true,
            Self::Pg(pg) => pg.crate_version().is_some(),
        }
    }

    /// The server's duration of the last HTTP response read to its end; `None` over pgwire.
    pub(crate) fn last_server_duration(&self) -> Option<Duration> {
        match self {
            Self::Http(http) => http.last_duration.get(),
            Self::Pg(_) => None,
        }
    }

    /// Sends one statement over HTTP and returns the reader of its response.
    pub(crate) async fn start_http_query(
        &self,
        sql: &str,
        arguments: Option<&CrateDbArguments>,
    ) -> Result<ResultReader, Error> {
        let body = request::query_body(sql, arguments.map(CrateDbArguments::json));
        let response = self.http()?.post_sql(body, is_read_only(sql)).await?;
        ResultReader::new(response).await
    }

    /// Runs a statement without arguments and returns its row count.
    pub(crate) async fn execute_simple(&mut self, sql: &str) -> Result<CrateDbQueryResult, Error> {
        if let Self::Pg(pg) = self {
            return pgwire::query::execute(pg, sql, None).await;
        }
        let mut reader = self.start_http_query(sql, None).await?;
        let mut result = CrateDbQueryResult::default();
        while let Some(item) = reader.next().await? {
            if let Either::Left(r) = item {
                result.extend([r]);
            }
        }
        Ok(result)
    }

    /// The result columns of `sql` over pgwire (prepared and cached); none over HTTP, whose
    /// endpoint has no prepare step (statements are parsed per request).
    pub(crate) async fn prepare(&mut self, sql: &str) -> Result<Arc<[CrateDbColumn]>, Error> {
        match self {
            Self::Http(_) => Ok(Arc::from(Vec::new())),
            Self::Pg(pg) => Ok(Arc::clone(
                &pgwire::prepare::prepare(pg, sql).await?.columns,
            )),
        }
    }

    /// What the `query!` macros need to know about `sql`: its parameter and result types, from
    /// the server's description over pgwire (nothing runs). Over HTTP an error: `/_sql` has no
    /// describe step, and running the statement to learn its columns could write.
    pub(crate) async fn describe(&mut self, sql: &str) -> Result<Describe<CrateDb>, Error> {
        let Self::Pg(pg) = self else {
            return Err(Error::Configuration(
                "sqlx-cratedb: describe (used by the query! macros) needs a pgwire connection \
                 (a crate+pg:// or crate+pgs:// URL): CrateDB's HTTP endpoint cannot describe a \
                 statement without running it"
                    .into(),
            ));
        };
        let (oids, fields) = pgwire::prepare::describe(pg, sql).await?;
        let columns: Vec<CrateDbColumn> = fields
            .into_iter()
            .enumerate()
            .map(|(i, (name, oid))| CrateDbColumn::new(i, name, CrateDbTypeInfo::from_pg_oid(oid)))
            .collect();
        Ok(Describe {
            nullable: vec![None; columns.len()],
            columns,
            parameters: Some(describe_parameters(&oids)),
        })
    }

    /// Runs `sql` once per row; see
    /// [`CrateDbConnection::execute_bulk`](crate::CrateDbConnection::execute_bulk).
    pub(crate) async fn execute_bulk<I>(
        &mut self,
        sql: &str,
        rows: I,
    ) -> Result<CrateDbBulkResult, Error>
    where
        I: IntoIterator<Item = CrateDbArguments>,
    {
        match self {
            Self::Http(http) => http.execute_bulk(sql, rows).await,
            Self::Pg(pg) => pgwire::bulk::execute_bulk(pg, sql, rows).await,
        }
    }

    /// Brings a pgwire connection in step (see [`PgConnection::ready`]); nothing over HTTP.
    pub(crate) async fn flush(&mut self) -> Result<(), Error> {
        match self {
            Self::Http(_) => Ok(()),
            Self::Pg(pg) => pg.ready().await,
        }
    }

    /// True over pgwire while a `Sync` is owed or replies are still due.
    pub(crate) fn has_pending(&self) -> bool {
        match self {
            Self::Http(_) => false,
            Self::Pg(pg) => pg.has_pending(),
        }
    }

    /// Closes the transport (`Terminate` over pgwire).
    pub(crate) async fn close(self) -> Result<(), Error> {
        match self {
            Self::Http(_) => Ok(()),
            Self::Pg(pg) => pg.close().await,
        }
    }
}

/// The parameter types of a description, or only their number when the server could not infer
/// one of them (OID 0 or `unknown`, as for `SELECT $1`): the macros then check the arity only.
fn describe_parameters(oids: &[postgres_protocol::Oid]) -> Either<Vec<CrateDbTypeInfo>, usize> {
    use crate::protocol::pgwire::types::UNKNOWN;
    if oids.iter().any(|&o| o == 0 || o == UNKNOWN) {
        return Either::Right(oids.len());
    }
    Either::Left(
        oids.iter()
            .map(|&o| CrateDbTypeInfo::from_pg_oid(o))
            .collect(),
    )
}
