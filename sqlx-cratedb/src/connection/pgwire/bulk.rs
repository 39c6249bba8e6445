//! Bulk execution over pgwire: per chunk one `Parse` (of a named statement, after a `Close` of
//! the previous chunk's), then N × (`Bind`, `Execute`) and one `Sync`. CrateDB parks the N writes and runs them as one bulk operation at the `Sync`
//! (`cratedb-reference.md` §6.3), answering each `Execute` with its own `CommandComplete`; a
//! failed item gets the count `-3`, not an `ErrorResponse`. One statement per chunk, and never
//! a read in the batch (CrateDB rejects reads among parked writes).
//!
//! PostgreSQL runs a batch up to its `Sync` as one implicit transaction: the first failing row
//! gets an `ErrorResponse`, the rows after it are skipped and the rows before it are rolled
//! back. Those rows are reported as [`CrateDbBulkRow::NotExecuted`].
//!
//! The batch is written while its replies are read, so neither side can block the other on
//! full socket buffers.

use sqlx_core::error::Error;

use super::PgConnection;
use super::socket::{Backend, Reader};
use crate::arguments::CrateDbArguments;
use crate::bulk::{CrateDbBulkResult, CrateDbBulkRow};
use crate::connection::pgwire::query::{Params, write_bind};
use crate::error::CrateDbDatabaseError;
use crate::protocol::pgwire::backend::Message;
use crate::protocol::pgwire::error::parse_fields;
use crate::protocol::pgwire::{frontend, tag};

/// The named statement of a bulk chunk. Named, not unnamed, so that PostgreSQL plans it once
/// for the chunk instead of at every `Bind` (about 20% more rows/s there); CrateDB groups the
/// parked writes by statement either way (`cratedb-reference.md` §6.3).
const BULK_STATEMENT: &str = "sqlx_cratedb_bulk";

/// The replies to one chunk.
#[derive(Debug, Default)]
struct ChunkReplies {
    rows: Vec<CrateDbBulkRow>,
    /// The statement itself failed (`Parse`): nothing ran.
    statement_error: Option<CrateDbDatabaseError>,
}

/// Runs one statement for every row; see [`CrateDbConnection::execute_bulk`](crate::CrateDbConnection::execute_bulk).
pub(crate) async fn execute_bulk<I>(
    conn: &mut PgConnection,
    sql: &str,
    rows: I,
) -> Result<CrateDbBulkResult, Error>
where
    I: IntoIterator<Item = CrateDbArguments>,
{
    // A connection found dead before anything was sent is replaced (safe for writes).
    if conn.ready().await.is_err() || !conn.is_alive() {
        conn.reconnect().await?;
    }
    let max_rows = conn.options.bulk_rows.max(1);
    let max_bytes = conn.options.bulk_bytes.max(1);
    let postgres = conn.crate_version().is_none();
    let mut result = CrateDbBulkResult::default();
    let mut rows = rows.into_iter().enumerate().peekable();
    let mut failed = false;
    while rows.peek().is_some() {
        let mut params = Params::default();
        let mut count = 0usize;
        let first_index = result.rows.len();
        let buf = conn.socket.wbuf();
        buf.clear();
        while count < max_rows && (count == 0 || params.values.len() < max_bytes) {
            let Some((index, row)) = rows.next() else {
                break;
            };
            if let Some(e) = row.deferred_error() {
                return Err(Error::Encode(
                    format!("bulk row {index}: cannot encode argument: {e}").into(),
                ));
            }
            if failed {
                result.rows.push(CrateDbBulkRow::NotExecuted);
                continue;
            }
            let start = params.ranges.len();
            params.push_row(&row, count == 0)?;
            if count == 0 {
                // Replaces the previous chunk's statement (closing a missing one is no error,
                // on CrateDB as on PostgreSQL); its parameter types come from this chunk.
                frontend::close(b'S', BULK_STATEMENT, buf)?;
                frontend::parse(BULK_STATEMENT, sql, params.oids.iter().copied(), buf)?;
            }
            write_bind(buf, BULK_STATEMENT, &params.values, &params.ranges[start..])?;
            frontend::execute("", 0, buf)?;
            count += 1;
        }
        if count == 0 {
            continue;
        }
        frontend::sync(buf);
        result.requests += 1;
        let socket = &mut conn.socket;
        let (written, replies) = futures_util::future::join(
            socket.writer.flush(),
            read_chunk(&mut socket.reader, first_index, count),
        )
        .await;
        let replies = match (written, replies) {
            (Ok(()), Ok(r)) => r,
            (Err(e), _) | (_, Err(e)) => {
                conn.broken = Some(e.to_string());
                if first_index == 0 {
                    return Err(e);
                }
                result.request_error = Some(e.to_string());
                result
                    .rows
                    .extend((0..count).map(|_| CrateDbBulkRow::Unknown));
                failed = true;
                continue;
            }
        };
        if let Some(e) = replies.statement_error {
            if first_index == 0 {
                return Err(Error::Database(Box::new(e)));
            }
            result.request_error = Some(e.to_string());
            result.rows.extend(
                (0..count)
                    .map(|i| CrateDbBulkRow::Failed(e.clone().with_row_index(first_index + i))),
            );
            failed = true;
            continue;
        }
        let mut chunk = replies.rows;
        let any_failed = chunk.iter().any(|r| matches!(r, CrateDbBulkRow::Failed(_)));
        if postgres && any_failed {
            // PostgreSQL rolled the batch back.
            for r in &mut chunk {
                if matches!(*r, CrateDbBulkRow::Applied(_)) {
                    *r = CrateDbBulkRow::NotExecuted;
                }
            }
        }
        chunk.resize(count, CrateDbBulkRow::NotExecuted);
        result.rows.extend(chunk);
    }
    Ok(result)
}

/// Reads the replies up to `ReadyForQuery`.
async fn read_chunk(
    reader: &mut Reader,
    first_index: usize,
    count: usize,
) -> Result<ChunkReplies, Error> {
    let mut out = ChunkReplies {
        rows: Vec::with_capacity(count),
        statement_error: None,
    };
    let mut parsed = false;
    loop {
        let message = match reader.recv().await? {
            Backend::Message(m) => m,
            Backend::NegotiateProtocolVersion { .. } => continue,
        };
        match message {
            Message::ParseComplete => parsed = true,
            Message::CommandComplete(body) => {
                let index = first_index + out.rows.len();
                out.rows.push(match tag::parse(body.tag()?).rows {
                    Some(tag::ROW_FAILED) => CrateDbBulkRow::Failed(
                        CrateDbDatabaseError::from_sqlstate(
                            "XX000".into(),
                            "row failed (CrateDB sent no error details for it)".into(),
                        )
                        .with_row_index(index),
                    ),
                    Some(tag::ROWS_UNKNOWN) => CrateDbBulkRow::Applied(None),
                    Some(n) => CrateDbBulkRow::Applied(u64::try_from(n).ok()),
                    None => CrateDbBulkRow::Applied(Some(0)),
                });
            }
            Message::ErrorResponse(body) => {
                let e = parse_fields(body.fields());
                if e.is_fatal() {
                    return Err(Error::Database(Box::new(e.error)));
                }
                if parsed {
                    let index = first_index + out.rows.len();
                    out.rows
                        .push(CrateDbBulkRow::Failed(e.error.with_row_index(index)));
                } else {
                    out.statement_error = Some(e.error);
                }
            }
            Message::ReadyForQuery(_) => return Ok(out),
            _ => {}
        }
    }
}
