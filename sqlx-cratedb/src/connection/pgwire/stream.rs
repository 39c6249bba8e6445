//! [`PgStream`]: one pgwire query as a `Stream` of rows and row counts.
//!
//! Rows already complete in the read buffer are handed out straight from `poll_next`, without
//! creating a future (a streaming read gets hundreds of rows per socket read); only when the
//! buffer runs dry, or another message is due, does the stream wait on
//! [`PgQuery::next`](super::query::PgQuery::next).

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::future::BoxFuture;
use futures_core::stream::Stream;
use sqlx_core::error::Error;
use sqlx_core::logger::QueryLogger;

use super::query::{Item, PgQuery};
use crate::model::query_result::log_item;

/// The query and the outcome of one wait on it.
type Step<'c> = (Option<Box<PgQuery<'c>>>, Result<Option<Item>, Error>);

enum State<'c> {
    /// Waiting for the server (or starting the query).
    Busy(BoxFuture<'c, Step<'c>>),
    /// Between items.
    Idle(Box<PgQuery<'c>>),
    /// Ended, by the last item or an error.
    Done,
}

/// A running pgwire query as a stream. Dropping it while the server still works on the query
/// cancels the query (see `PgQuery`'s `Drop`).
pub(crate) struct PgStream<'c> {
    state: State<'c>,
    logger: QueryLogger,
}

impl<'c> PgStream<'c> {
    /// A stream whose first step is `start` (which sends the query).
    pub(crate) fn new<F>(start: F, logger: QueryLogger) -> Self
    where
        F: Future<Output = Result<PgQuery<'c>, Error>> + Send + 'c,
    {
        let first = Box::pin(async move {
            match start.await {
                Ok(query) => step(Box::new(query)).await,
                Err(e) => (None, Err(e)),
            }
        });
        Self {
            state: State::Busy(first),
            logger,
        }
    }
}

/// Waits for the next item of `query`, handing the query back with it.
async fn step(mut query: Box<PgQuery<'_>>) -> Step<'_> {
    let result = query.next().await;
    (Some(query), result)
}

impl Stream for PgStream<'_> {
    type Item = Result<Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Idle(mut query) => match query.next_buffered() {
                    Some(Ok(item)) => {
                        this.state = State::Idle(query);
                        log_item(&mut this.logger, &item);
                        return Poll::Ready(Some(Ok(item)));
                    }
                    Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                    None => this.state = State::Busy(Box::pin(step(query))),
                },
                State::Busy(mut future) => match future.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = State::Busy(future);
                        return Poll::Pending;
                    }
                    Poll::Ready((query, result)) => match result {
                        Ok(Some(item)) => {
                            if let Some(query) = query {
                                this.state = State::Idle(query);
                            }
                            log_item(&mut this.logger, &item);
                            return Poll::Ready(Some(Ok(item)));
                        }
                        Ok(None) => return Poll::Ready(None),
                        Err(e) => return Poll::Ready(Some(Err(e))),
                    },
                },
            }
        }
    }
}
