//! `prepare()` over pgwire: `Parse` + `Describe` + `Sync`, the description cached; and
//! `describe()` (the `query!` macros): the same exchange, unnamed and uncached, keeping the
//! parameter types too.

use std::sync::Arc;

use postgres_protocol::Oid;

use sqlx_core::error::Error;

use super::PgConnection;
use super::cache::CachedStatement;
use super::socket::Backend;
use super::state::broken_error;
use crate::error::CrateDbDatabaseError;
use crate::protocol::pgwire::backend::{Message, RowDescriptionBody};
use crate::protocol::pgwire::error::parse_fields;
use crate::protocol::pgwire::frontend;

/// Prepares `sql` (cached) and returns its result columns, within `timeout` (the
/// connection is unusable after it passed: the server's answer is still on its way).
pub(crate) async fn prepare(
    conn: &mut PgConnection,
    sql: &str,
) -> Result<Arc<CachedStatement>, Error> {
    prepare_with(conn, sql, &[]).await
}

/// Prepares `sql` with parameters of the types `oids` (cached under both).
pub(crate) async fn prepare_with(
    conn: &mut PgConnection,
    sql: &str,
    oids: &[Oid],
) -> Result<Arc<CachedStatement>, Error> {
    conn.within_timeout("prepare", async |conn| prepare_inner(conn, sql, oids).await)
        .await
}

async fn prepare_inner(
    conn: &mut PgConnection,
    sql: &str,
    oids: &[Oid],
) -> Result<Arc<CachedStatement>, Error> {
    conn.ready().await?;
    if let Some(s) = conn.cache.get(sql, oids) {
        return Ok(s);
    }
    let cache = conn.options.statement_cache_capacity > 0;
    let name = if cache {
        conn.next_statement_name()
    } else {
        String::new()
    };
    let (param_types, fields) = describe_statement(conn, &name, sql, oids).await?;
    let statement = Arc::new(CachedStatement::new(name.clone(), param_types, fields));
    if cache {
        let capacity = conn.options.statement_cache_capacity;
        for old in conn.cache.insert(
            sql.to_owned(),
            oids.to_vec(),
            Arc::clone(&statement),
            capacity,
        ) {
            let _ = frontend::close(b'S', &old, conn.socket.wbuf());
        }
    }
    Ok(statement)
}

/// The parameter OIDs and result columns (name, OID) of `sql`, as the server describes it.
type Description = (Vec<Oid>, Vec<(String, Oid)>);

/// Describes `sql` (`Parse` into the unnamed statement, `Describe`, `Sync`; nothing runs),
/// within the request timeout like [`prepare`].
pub(crate) async fn describe(conn: &mut PgConnection, sql: &str) -> Result<Description, Error> {
    conn.within_timeout("describe", async |conn| {
        conn.ready().await?;
        describe_statement(conn, "", sql, &[]).await
    })
    .await
}

/// Parses `sql` as statement `name` (parameters of the types `oids`) and reads its description
/// up to `ReadyForQuery`.
async fn describe_statement(
    conn: &mut PgConnection,
    name: &str,
    sql: &str,
    oids: &[Oid],
) -> Result<Description, Error> {
    use fallible_iterator::FallibleIterator as _;
    let buf = conn.socket.wbuf();
    frontend::parse(name, sql, oids.iter().copied(), buf)?;
    frontend::describe(b'S', name, buf)?;
    conn.state.queue_sync(buf);
    conn.socket.flush().await?;
    let mut parameters = Vec::new();
    let mut described = None;
    let mut error = None;
    while conn.state.pending_ready() > 0 {
        match conn.socket.recv().await? {
            Backend::Message(Message::ParameterDescription(body)) => {
                parameters = body.parameters().collect()?;
            }
            Backend::Message(Message::RowDescription(body)) => described = Some(fields(&body)?),
            Backend::Message(Message::NoData) => described = Some(Vec::new()),
            Backend::Message(Message::ErrorResponse(body)) => {
                error = Some(CrateDbDatabaseError::from(parse_fields(body.fields())));
            }
            Backend::Message(Message::ReadyForQuery(_)) => conn.state.ready_received(),
            _ => {}
        }
    }
    if let Some(e) = error {
        return Err(Error::Database(Box::new(e)));
    }
    let fields = described.ok_or_else(|| broken_error("no statement description"))?;
    Ok((parameters, fields))
}

/// The field names and type OIDs of a `RowDescription`.
pub(crate) fn fields(body: &RowDescriptionBody) -> Result<Vec<(String, Oid)>, Error> {
    use fallible_iterator::FallibleIterator as _;
    let mut out = Vec::new();
    let mut it = body.fields();
    while let Some(f) = it.next()? {
        out.push((f.name().to_owned(), f.type_oid()));
    }
    Ok(out)
}
