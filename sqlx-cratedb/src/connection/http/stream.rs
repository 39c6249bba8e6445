//! Reading a `/_sql` response as a stream of rows and a final row count.

use std::collections::VecDeque;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use sqlx_core::Either;
use sqlx_core::error::Error;

use super::response::HttpResponse;
use crate::error::CrateDbDatabaseError;
use crate::model::column::CrateDbColumn;
use crate::model::query_result::CrateDbQueryResult;
use crate::model::row::CrateDbRow;
use crate::protocol::ProtocolError;
use crate::protocol::http::response::{BulkItem, Event, RawRow, ResponseParser};
use crate::protocol::type_info::CrateDbTypeInfo;

/// Pulls rows out of a response body as they arrive.
pub(crate) struct ResultReader {
    response: HttpResponse,
    parser: ResponseParser,
    columns: Option<Arc<[CrateDbColumn]>>,
    pending: VecDeque<RawRow>,
    finished: bool,
    received: usize,
    /// Bulk items read so far (for the timing event).
    bulk_items: usize,
}

impl ResultReader {
    /// Checks the status; a non-200 response becomes its error.
    pub(crate) async fn new(response: HttpResponse) -> Result<Self, Error> {
        if response.status != http::StatusCode::OK {
            return Err(response.into_error().await);
        }
        Ok(Self {
            parser: ResponseParser::with_max_message_size(response.max_message_size),
            response,
            columns: None,
            pending: VecDeque::new(),
            finished: false,
            received: 0,
            bulk_items: 0,
        })
    }

    fn ensure_columns(&mut self) -> Result<(), ProtocolError> {
        if self.columns.is_some() {
            return Ok(());
        }
        let Some(names) = &self.parser.cols else {
            return Ok(());
        };
        let types = match &self.parser.col_types {
            Some(t) if t.len() == names.len() => t.clone(),
            Some(t) => {
                return Err(ProtocolError::RowWidth {
                    expected: names.len(),
                    found: t.len(),
                });
            }
            // `col_types` is always requested; tolerate a server that omits it.
            None => vec![CrateDbTypeInfo::Unknown(-1); names.len()],
        };
        self.columns = Some(
            names
                .iter()
                .zip(types)
                .enumerate()
                .map(|(i, (n, t))| CrateDbColumn::new(i, n.clone(), t))
                .collect(),
        );
        Ok(())
    }

    fn row(columns: &Arc<[CrateDbColumn]>, raw: RawRow) -> Result<CrateDbRow, ProtocolError> {
        if raw.cells.len() != columns.len() {
            return Err(ProtocolError::RowWidth {
                expected: columns.len(),
                found: raw.cells.len(),
            });
        }
        Ok(CrateDbRow::new(raw.data, raw.cells, Arc::clone(columns)))
    }

    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        match ready!(self.response.poll_chunk(cx))? {
            Some(chunk) => {
                self.received += chunk.len();
                self.parser.feed(&chunk);
            }
            None => self.parser.finish(),
        }
        Poll::Ready(Ok(()))
    }

    async fn fill(&mut self) -> Result<(), Error> {
        std::future::poll_fn(|cx| self.poll_fill(cx)).await
    }

    /// The next row, or the final row count, or `None` after it.
    pub(crate) async fn next(
        &mut self,
    ) -> Result<Option<Either<CrateDbQueryResult, CrateDbRow>>, Error> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    /// Polls for the next row, or the final row count, or `None` after it. Rows already in the
    /// buffer are returned without waiting.
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Either<CrateDbQueryResult, CrateDbRow>>, Error>> {
        loop {
            if self.finished {
                return Poll::Ready(Ok(None));
            }
            if let (Some(columns), Some(raw)) = (&self.columns, self.pending.front()) {
                if columns.is_empty() && raw.cells.is_empty() {
                    self.pending.pop_front();
                    continue;
                }
                let raw = self.pending.pop_front().ok_or(ProtocolError::NoResult)?;
                return Poll::Ready(Ok(Some(Either::Right(Self::row(columns, raw)?))));
            }
            match self.parser.next_event()? {
                None => ready!(self.poll_fill(cx))?,
                Some(Event::Row(raw)) => {
                    self.ensure_columns()?;
                    match &self.columns {
                        // DDL/DML answer `"cols":[],"rows":[[]]`: that empty row is no row.
                        Some(c) if c.is_empty() && raw.cells.is_empty() => {}
                        Some(c) => return Poll::Ready(Ok(Some(Either::Right(Self::row(c, raw)?)))),
                        None => self.pending.push_back(raw),
                    }
                }
                Some(Event::BulkItem(_)) => {
                    return Poll::Ready(Err(ProtocolError::NoResult.into()));
                }
                Some(Event::End) => {
                    if let Some(err) = self.parser.error.take() {
                        self.finished = true;
                        return Poll::Ready(Err(Error::Database(Box::new(
                            CrateDbDatabaseError::new(err.code, 200, err.message)
                                .with_trace(self.parser.error_trace.take()),
                        ))));
                    }
                    if !self.pending.is_empty() {
                        self.ensure_columns()?;
                        if self.columns.is_none() {
                            return Poll::Ready(Err(ProtocolError::MissingColumns.into()));
                        }
                        continue;
                    }
                    self.finished = true;
                    let rowcount = self.parser.rowcount.ok_or(ProtocolError::NoResult)?;
                    let duration = self.finish_timing(0);
                    return Poll::Ready(Ok(Some(Either::Left(
                        CrateDbQueryResult::from_rowcount(rowcount).with_server_duration(duration),
                    ))));
                }
            }
        }
    }

    /// The server duration of a finished response: recorded on the connection and traced.
    fn finish_timing(&mut self, bulk_items: usize) -> Option<std::time::Duration> {
        let duration = self
            .parser
            .duration
            .and_then(crate::connection::timing::from_millis);
        if let Some(last) = &self.response.last_duration {
            last.set(duration);
        }
        crate::connection::timing::trace(duration, self.parser.rowcount, bulk_items);
        duration
    }

    /// Reads (and checks) the rest of a response whose first row was all the caller wanted, so
    /// the keep-alive connection can be reused. Gives up once `budget` bytes were received in
    /// total: the connection is then dropped instead.
    pub(crate) async fn drain(&mut self, budget: usize) -> Result<(), Error> {
        while self.received <= budget {
            if self.next().await?.is_none() {
                break;
            }
        }
        Ok(())
    }

    /// For bulk responses: the next per-row result, `None` at the end.
    pub(crate) async fn next_bulk_item(&mut self) -> Result<Option<BulkItem>, Error> {
        loop {
            match self.parser.next_event()? {
                None => self.fill().await?,
                Some(Event::BulkItem(item)) => {
                    self.bulk_items += 1;
                    return Ok(Some(item));
                }
                Some(Event::Row(_)) => return Err(ProtocolError::NoResult.into()),
                Some(Event::End) => {
                    if let Some(err) = self.parser.error.take() {
                        return Err(Error::Database(Box::new(CrateDbDatabaseError::new(
                            err.code,
                            200,
                            err.message,
                        ))));
                    }
                    if !self.parser.saw_results {
                        return Err(ProtocolError::NoResult.into());
                    }
                    self.finish_timing(self.bulk_items);
                    return Ok(None);
                }
            }
        }
    }
}
