//! Bulk execution over pgwire: per chunk one `Parse` (of a named statement, after a `Close` of
//! the previous chunk's), then N × (`Bind`, `Execute`) and one `Sync`. CrateDB parks the N
//! writes and runs them as one bulk operation at the `Sync`, answering each `Execute` with its
//! own `CommandComplete`; a failed item gets the count `-3`, not an `ErrorResponse`. One statement per chunk, and never
//! a read in the batch (CrateDB rejects reads among parked writes).
//!
//! PostgreSQL runs a batch up to its `Sync` as one implicit transaction: the first failing row
//! gets an `ErrorResponse`, the rows after it are skipped and the rows before it are rolled
//! back. Those rows are reported as [`CrateDbBulkRow::NotExecuted`].
//!
//! Against PostgreSQL the next batch is written while the replies to the previous one are read,
//! so neither side can block the other on full socket buffers. Against CrateDB a batch is sent
//! only after the previous one's `ReadyForQuery`: CrateDB 6.4 delays the replies of a batch
//! while it runs and can send the next pipelined batch's `CommandComplete`s before the earlier
//! batch's `ReadyForQuery`, so the rows of two batches cannot be told apart. A reply beyond the
//! rows of its batch is a protocol error, never dropped.
//!
//! A batch whose replies were lost (connection closed, protocol error) is reported
//! [`CrateDbBulkRow::Unknown`], the first one included: its `Sync` was sent, so the server may
//! have run it. An argument that cannot be encoded after a batch was sent stops the call with
//! the batches sent reported and the rest [`CrateDbBulkRow::NotExecuted`] (the error is in
//! [`CrateDbBulkResult::request_error`]); before anything was sent it is an `Err`.
//!
//! A call dropped half-way (a timeout or `select!` around it) leaves the connection in step:
//! each batch's `ReadyForQuery` is counted on the connection when the batch is encoded and
//! taken off when it is read, so the next command reads past the replies still due; a batch
//! not begun to be written is dropped unsent, one written in part is completed first.

use std::sync::Arc;

use sqlx_core::error::Error;

use super::PgConnection;
use super::socket::{Backend, Reader, Socket};
use super::state::ProtocolState;
use crate::connection::pgwire::bind::{Params, write_bind};
use crate::error::{CrateDbDatabaseError, copy_error};
use crate::model::arguments::CrateDbArguments;
use crate::model::bulk_result::{CrateDbBulkResult, CrateDbBulkRow};
use crate::protocol::ProtocolError;
use crate::protocol::pgwire::backend::Message;
use crate::protocol::pgwire::error::parse_fields;
use crate::protocol::pgwire::{frontend, tag};

/// The named statement of a bulk chunk. Named, not unnamed, so that PostgreSQL plans it once
/// for the chunk instead of at every `Bind` (about 20% more rows/s there); CrateDB groups the
/// parked writes by statement either way.
const BULK_STATEMENT: &str = "sqlx_cratedb_bulk";

/// The replies to one chunk.
#[derive(Debug, Default)]
struct ChunkReplies {
    rows: Vec<CrateDbBulkRow>,
    /// The statement itself failed (`Parse`): nothing ran.
    statement_error: Option<CrateDbDatabaseError>,
}

/// A chunk written to the server whose replies are still to be read.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    first_index: usize,
    count: usize,
}

/// Runs one statement for every row; see [`CrateDbConnection::execute_bulk`](crate::CrateDbConnection::execute_bulk).
///
/// Chunks are pipelined one deep: chunk k+1 is encoded while the server runs chunk k, then
/// written while chunk k's replies are read.
#[allow(clippy::too_many_lines)] // one loop over the batches and their failure cases
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
    let postgres = conn.crate_version().is_none();
    let mut result = CrateDbBulkResult::default();
    let mut rows = rows.into_iter().enumerate().peekable();
    let mut next_index = 0usize;
    let mut failed = false;
    let mut in_flight: Option<InFlight> = None;
    let mut encode_error: Option<Error> = None;
    loop {
        let next = if failed {
            // Nothing more is sent after a failed chunk; the rest is reported as not run.
            let rest = rows.by_ref().count();
            next_index += rest;
            None
        } else {
            match encode_chunk(conn, sql, &mut rows, next_index) {
                Ok(next) => next,
                Err((bad_index, e)) => {
                    if result.requests == 0 {
                        // Nothing was sent: nothing of this call was applied.
                        return Err(e);
                    }
                    // Batches already sent are still read and reported; the rows of the
                    // unsent batch, this row and the rest are not run.
                    encode_error = Some(e);
                    next_index = bad_index + 1;
                    failed = true;
                    None
                }
            }
        };
        if let Some(n) = next {
            next_index += n.count;
            result.requests += 1;
        }
        let Some(prev) = in_flight.take() else {
            if next.is_none() {
                break;
            }
            in_flight = next;
            let Socket { reader, writer } = &mut conn.socket;
            let flush = std::pin::pin!(writer.flush());
            let write = finish_write(flush, reader);
            let written = bounded(conn.options.request_timeout, write, || {
                Err(crate::connection::deadline::timed_out("bulk write"))
            })
            .await;
            conn.state.break_on_error(written)?;
            conn.state.batch_written();
            continue;
        };
        let exchange = async {
            let state = &mut conn.state;
            if postgres {
                write_while_reading(&mut conn.socket, state, prev, postgres).await
            } else {
                read_then_write(&mut conn.socket, state, prev, postgres).await
            }
        };
        // Each batch's wait is bounded by `timeout`; when it passes, the batch (and the next
        // one, possibly written in part) may have been applied: `Unknown`.
        let exchanged = bounded(conn.options.request_timeout, exchange, || {
            (
                Some(Ok(())),
                Err(crate::connection::deadline::timed_out("bulk batch")),
            )
        })
        .await;
        let (written, replies) = exchanged;
        if matches!(written, Some(Ok(()))) {
            conn.state.batch_written();
        }
        let replies = match replies {
            Ok(r) => r,
            Err(e) => {
                conn.state.set_broken(&e);
                replies_lost(&mut result, &e, prev, next, matches!(written, Some(Ok(()))));
                in_flight = None;
                failed = true;
                continue;
            }
        };
        if let Some(e) = replies.statement_error {
            if prev.first_index == 0 {
                // The next batch, if written, is read past by the next command.
                return Err(Error::Database(Box::new(e)));
            }
            result.request_error = Some(Arc::new(Error::Database(Box::new(e.clone()))));
            result.rows.extend(
                (0..prev.count).map(|i| {
                    CrateDbBulkRow::Failed(e.clone().with_row_index(prev.first_index + i))
                }),
            );
            failed = true;
        } else {
            result
                .rows
                .extend(batch_rows(replies.rows, prev.count, postgres));
        }
        if let Some(Err(e)) = written {
            // The next batch's write failed, so its `Sync` never arrived: it was not run.
            conn.state.set_broken(&e);
            result.request_error = Some(Arc::new(e));
            let unsent = next.map_or(0, |n| n.count);
            result
                .rows
                .extend((0..unsent).map(|_| CrateDbBulkRow::NotExecuted));
            in_flight = None;
            failed = true;
            continue;
        }
        in_flight = next;
    }
    result.rows.resize(next_index, CrateDbBulkRow::NotExecuted);
    result.request_error = result
        .request_error
        .take()
        .or_else(|| encode_error.map(Arc::new));
    Ok(result)
}

/// `fut` within `limit`, `on_timeout()` when it passed.
async fn bounded<T>(
    limit: Option<std::time::Duration>,
    fut: impl Future<Output = T>,
    on_timeout: impl FnOnce() -> T,
) -> T {
    match limit {
        Some(limit) => tokio::time::timeout(limit, fut)
            .await
            .unwrap_or_else(|_| on_timeout()),
        None => fut.await,
    }
}

/// The rows of a batch from its replies: PostgreSQL rolls a batch with a failed row back.
fn batch_rows(mut chunk: Vec<CrateDbBulkRow>, count: usize, postgres: bool) -> Vec<CrateDbBulkRow> {
    let any_failed = chunk.iter().any(|r| matches!(r, CrateDbBulkRow::Failed(_)));
    if postgres && any_failed {
        for r in &mut chunk {
            if matches!(*r, CrateDbBulkRow::Applied(_)) {
                *r = CrateDbBulkRow::NotExecuted;
            }
        }
    }
    chunk.resize(count, CrateDbBulkRow::NotExecuted);
    chunk
}

/// Records the rows of a batch whose replies were lost, and of the batch written after it.
fn replies_lost(
    result: &mut CrateDbBulkResult,
    error: &Error,
    prev: InFlight,
    next: Option<InFlight>,
    next_written: bool,
) {
    result.request_error = Some(Arc::new(copy_error(error)));
    // `prev` was written in full, its `Sync` included: the server may have run it.
    result
        .rows
        .extend((0..prev.count).map(|_| CrateDbBulkRow::Unknown));
    if let Some(n) = next {
        let row = if next_written {
            CrateDbBulkRow::Unknown
        } else {
            CrateDbBulkRow::NotExecuted
        };
        result.rows.extend((0..n.count).map(|_| row.clone()));
    }
}

/// Encodes the next chunk into the write buffer: `Close` of the previous chunk's statement,
/// `Parse`, N × (`Bind`, `Execute`), `Sync`. `None` when no rows are left.
fn encode_chunk<I>(
    conn: &mut PgConnection,
    sql: &str,
    rows: &mut std::iter::Peekable<std::iter::Enumerate<I>>,
    first_index: usize,
) -> Result<Option<InFlight>, (usize, Error)>
where
    I: Iterator<Item = CrateDbArguments>,
{
    let mut index = first_index;
    let start = conn.socket.writer.wbuf.len();
    match encode_rows(conn, sql, rows, first_index, &mut index) {
        Ok(Some(batch)) => {
            // From here the batch's `Sync` is due: counted at once, so that a call dropped
            // half-way leaves the connection's count right (see `PgConnection::ready`).
            conn.state
                .batch_queued(conn.socket.writer.wbuf.len() - start);
            Ok(Some(batch))
        }
        Ok(None) => Ok(None),
        Err(e) => {
            conn.socket.writer.wbuf.truncate(start);
            Err((index, e))
        }
    }
}

/// [`encode_chunk`]; `index` is left at the row being encoded.
fn encode_rows<I>(
    conn: &mut PgConnection,
    sql: &str,
    rows: &mut std::iter::Peekable<std::iter::Enumerate<I>>,
    first_index: usize,
    current: &mut usize,
) -> Result<Option<InFlight>, Error>
where
    I: Iterator<Item = CrateDbArguments>,
{
    let max_rows = conn.options.bulk_rows.max(1);
    let max_bytes = conn.options.bulk_bytes.max(1);
    let mut params = Params {
        cratedb: conn.crate_version().is_some(),
        ..Params::default()
    };
    let mut count = 0usize;
    let buf = conn.socket.wbuf();
    while count < max_rows && (count == 0 || params.values.len() < max_bytes) {
        let Some((index, row)) = rows.next() else {
            break;
        };
        *current = index;
        if let Some(e) = row.deferred_error() {
            return Err(Error::Encode(
                format!("bulk row {index}: cannot encode argument: {e}").into(),
            ));
        }
        let start = params.ranges.len();
        params.push_row(&row, count == 0)?;
        if count == 0 {
            // Replaces the previous chunk's statement (closing a missing one is no error, on
            // CrateDB as on PostgreSQL); its parameter types come from this chunk's first row.
            frontend::close(b'S', BULK_STATEMENT, buf)?;
            frontend::parse(BULK_STATEMENT, sql, params.oids.iter().copied(), buf)?;
        }
        write_bind(
            buf,
            BULK_STATEMENT,
            &params.values,
            &params.ranges[start..],
            &params.formats[start..],
            &[],
        )?;
        frontend::execute("", 0, buf)?;
        count += 1;
    }
    if count == 0 {
        return Ok(None);
    }
    frontend::sync(buf);
    Ok(Some(InFlight { first_index, count }))
}

/// Writes the write buffer while reading the replies to `prev`, so that neither side can
/// block the other on full socket buffers.
async fn write_while_reading(
    socket: &mut Socket,
    state: &mut ProtocolState,
    prev: InFlight,
    postgres: bool,
) -> (Option<Result<(), Error>>, Result<ChunkReplies, Error>) {
    let Socket { reader, writer } = socket;
    let mut write = std::pin::pin!(writer.flush());
    let mut written = None;
    let replies = {
        let mut read = std::pin::pin!(read_chunk(reader, state, prev, postgres));
        loop {
            tokio::select! {
                w = &mut write, if written.is_none() => written = Some(w),
                r = &mut read => break r,
            }
        }
    };
    let written = match written {
        Some(w) => w,
        None => finish_write(write, reader).await,
    };
    (Some(written), replies)
}

/// Reads the replies to `prev` up to its `ReadyForQuery`, then writes the write buffer (the next
/// chunk): one batch in flight at a time, for CrateDB.
async fn read_then_write(
    socket: &mut Socket,
    state: &mut ProtocolState,
    prev: InFlight,
    postgres: bool,
) -> (Option<Result<(), Error>>, Result<ChunkReplies, Error>) {
    let Socket { reader, writer } = socket;
    let replies = read_chunk(reader, state, prev, postgres).await;
    if replies.is_err() {
        // The next batch is not written.
        return (None, replies);
    }
    let written = finish_write(std::pin::pin!(writer.flush()), reader).await;
    (Some(written), replies)
}

/// Finishes a write while buffering whatever the server sends meanwhile (the replies to what
/// is being written), so that the server never blocks on a full socket; at most
/// `max_message_size` of it.
async fn finish_write<F>(mut write: std::pin::Pin<&mut F>, reader: &mut Reader) -> Result<(), Error>
where
    F: Future<Output = Result<(), Error>>,
{
    loop {
        tokio::select! {
            w = &mut write => return w,
            r = reader.fill_while_writing() => r?,
        }
    }
}

/// Reads the replies up to `ReadyForQuery`, and takes that one off the connection's count
/// (`state`) as it is read: dropped half-way, the rest is read past by the next command.
///
/// The row an `ErrorResponse` belongs to: PostgreSQL answers each `Bind` and `Execute` in turn,
/// so it is the row after the last one completed, whether its `Bind` or its `Execute` failed.
/// CrateDB answers every `Bind` at once but defers the `Execute`s to the `Sync`: an error
/// before all `Bind`s were answered is the `Bind` error of the row after the last `BindComplete`
/// (and the writes parked before it are thrown away: `NotExecuted`); after that, errors come in
/// row order like the `CommandComplete`s.
async fn read_chunk(
    reader: &mut Reader,
    state: &mut ProtocolState,
    batch: InFlight,
    postgres: bool,
) -> Result<ChunkReplies, Error> {
    let InFlight { first_index, count } = batch;
    let mut out = ChunkReplies {
        rows: Vec::with_capacity(count),
        statement_error: None,
    };
    let mut parsed = false;
    let mut bound = 0usize;
    // `BindComplete`s seen and results recorded when the last `ErrorResponse` came.
    let mut last_error: Option<(usize, usize)> = None;
    loop {
        let message = match reader.recv().await? {
            Backend::Message(m) => m,
            Backend::NegotiateProtocolVersion { .. } => continue,
        };
        match message {
            Message::ParseComplete => parsed = true,
            Message::BindComplete => bound += 1,
            Message::CommandComplete(body) => {
                if out.rows.len() == count {
                    return Err(ProtocolError::PgMessage(format!(
                        "bulk: more results than the {count} rows of the batch starting at row \
                         {first_index}"
                    ))
                    .into());
                }
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
                    return Err(Error::Database(Box::new(CrateDbDatabaseError::from(e))));
                }
                if parsed {
                    last_error = Some((bound, out.rows.len()));
                    if out.rows.len() == count {
                        return Err(ProtocolError::PgMessage(format!(
                            "bulk: an error beyond the {count} rows of the batch starting at \
                             row {first_index}"
                        ))
                        .into());
                    }
                    let index = first_index + out.rows.len();
                    out.rows.push(CrateDbBulkRow::Failed(
                        CrateDbDatabaseError::from(e).with_row_index(index),
                    ));
                } else {
                    out.statement_error = Some(CrateDbDatabaseError::from(e));
                }
            }
            Message::ReadyForQuery(_) => {
                state.ready_received();
                if !postgres && out.rows.len() < count {
                    bind_error_moves_to_its_row(&mut out.rows, count, first_index, last_error);
                }
                return Ok(out);
            }
            _ => {}
        }
    }
}

/// CrateDB 6.4 answers each row of a batch with `BindComplete`, then (at the `Sync`) its
/// `CommandComplete` or `ErrorResponse`. A failed `Bind` instead ends the batch: the parked
/// rows' `BindComplete`s, the error, then `ReadyForQuery`, with no result for any row (the
/// parked writes are thrown away, the rest skipped). So a batch that ends short of results
/// right after an error had a failed `Bind`: the error belongs to the row after the last bound
/// one, and every other row of the batch was not run.
fn bind_error_moves_to_its_row(
    rows: &mut Vec<CrateDbBulkRow>,
    count: usize,
    first_index: usize,
    last_error: Option<(usize, usize)>,
) {
    let Some((bound, at)) = last_error else {
        return;
    };
    if at + 1 != rows.len() || bound >= count {
        return;
    }
    let CrateDbBulkRow::Failed(error) = rows.remove(at) else {
        return;
    };
    rows.resize(count, CrateDbBulkRow::NotExecuted);
    rows[bound] = CrateDbBulkRow::Failed(error.with_row_index(first_index + bound));
}
