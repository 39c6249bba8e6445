//! [`ProtocolState`]: what one pgwire connection owes the server and still expects from it.
//!
//! Its fields are private: every change goes through a method here, so the bookkeeping that
//! keeps the connection in step (one `ReadyForQuery` per `Sync` written, the `Sync` a dropped
//! stream still owes, a bulk batch encoded but not yet written) and the broken flag have one
//! owner, whichever module drives the exchange.

use std::fmt::Display;
use std::io;

use bytes::BytesMut;
use sqlx_core::error::Error;

use crate::protocol::pgwire::frontend;

/// The protocol bookkeeping of one pgwire connection.
#[derive(Debug, Default)]
pub(crate) struct ProtocolState {
    /// `ReadyForQuery` messages still to be read (one per `Sync` queued).
    pending_ready: usize,
    /// A streamed read was left with its portal open: a `Sync` must be sent before the next
    /// command.
    sync_owed: bool,
    /// The size of a bulk batch at the end of the write buffer that is not written out yet
    /// (its `Sync` is counted in `pending_ready`); 0 once it is.
    unsent_batch: usize,
    /// Why the connection cannot be used any more.
    broken: Option<String>,
}

/// The error for a connection that was closed or went out of step.
pub(crate) fn broken_error(reason: &str) -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::ConnectionAborted,
        format!("pgwire connection unusable: {reason}"),
    ))
}

impl ProtocolState {
    /// Fails when the connection is broken.
    pub(crate) fn check_usable(&self) -> Result<(), Error> {
        match &self.broken {
            Some(reason) => Err(broken_error(reason)),
            None => Ok(()),
        }
    }

    /// True once the connection cannot be used any more.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// Why the connection is broken, if it is.
    pub(crate) fn broken_reason(&self) -> Option<&str> {
        self.broken.as_deref()
    }

    /// Marks the connection unusable: the protocol is out of step or the socket failed.
    pub(crate) fn set_broken(&mut self, reason: impl Display) {
        self.broken = Some(reason.to_string());
    }

    /// Passes `result` on; an error marks the connection broken first (for I/O whose failure
    /// leaves the exchange half done).
    pub(crate) fn break_on_error<T>(&mut self, result: Result<T, Error>) -> Result<T, Error> {
        if let Err(e) = &result {
            self.set_broken(e);
        }
        result
    }

    /// `ReadyForQuery` messages still due.
    pub(crate) fn pending_ready(&self) -> usize {
        self.pending_ready
    }

    /// Queues a `Sync`; its `ReadyForQuery` is then due.
    pub(crate) fn queue_sync(&mut self, wbuf: &mut BytesMut) {
        frontend::sync(wbuf);
        self.pending_ready += 1;
    }

    /// A `ReadyForQuery` was read.
    pub(crate) fn ready_received(&mut self) {
        self.pending_ready = self.pending_ready.saturating_sub(1);
    }

    /// A streamed read ended its `Execute`s with `Flush`: it owes a `Sync`.
    pub(crate) fn owe_sync(&mut self) {
        self.sync_owed = true;
    }

    /// True while a stream owes its `Sync`.
    pub(crate) fn is_sync_owed(&self) -> bool {
        self.sync_owed
    }

    /// Queues the `Sync` a stream still owes, if any.
    pub(crate) fn queue_owed_sync(&mut self, wbuf: &mut BytesMut) {
        if std::mem::take(&mut self.sync_owed) {
            self.queue_sync(wbuf);
        }
    }

    /// A bulk batch of `size` bytes, ending in its `Sync`, was appended to the write buffer:
    /// its `ReadyForQuery` is due from now on, so that a call dropped half-way leaves the
    /// count right.
    pub(crate) fn batch_queued(&mut self, size: usize) {
        self.pending_ready += 1;
        self.unsent_batch = size;
    }

    /// The batch at the end of the write buffer was written out (or began to be).
    pub(crate) fn batch_written(&mut self) {
        self.unsent_batch = 0;
    }

    /// Drops a bulk batch that was encoded but not begun to be written: the server never saw
    /// it, so it is not run and its `ReadyForQuery` is not due. A batch written in part stays
    /// at the front of the buffer: the next flush sends the rest (its bytes cannot be taken
    /// back) and its replies are read past.
    pub(crate) fn discard_unsent_batch(&mut self, wbuf: &mut BytesMut) {
        let size = std::mem::take(&mut self.unsent_batch);
        // Written bytes leave from the front: the batch is untouched while it all remains.
        if size > 0 && wbuf.len() >= size {
            wbuf.truncate(wbuf.len() - size);
            self.ready_received();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsent_batch_is_dropped_with_its_ready_and_a_written_one_is_kept() {
        let mut state = ProtocolState::default();
        let mut wbuf = BytesMut::from(&b"earlier"[..]);
        wbuf.extend_from_slice(b"batch");
        state.batch_queued(5);
        assert_eq!(state.pending_ready(), 1);
        state.discard_unsent_batch(&mut wbuf);
        assert_eq!((&wbuf[..], state.pending_ready()), (&b"earlier"[..], 0));

        state.batch_queued(5);
        wbuf.extend_from_slice(b"batch");
        state.batch_written();
        state.discard_unsent_batch(&mut wbuf);
        assert_eq!(
            (&wbuf[..], state.pending_ready()),
            (&b"earlierbatch"[..], 1)
        );
    }

    #[test]
    fn an_owed_sync_is_queued_once() {
        let mut state = ProtocolState::default();
        let mut wbuf = BytesMut::new();
        state.owe_sync();
        state.queue_owed_sync(&mut wbuf);
        state.queue_owed_sync(&mut wbuf);
        assert_eq!(state.pending_ready(), 1);
        assert!(!state.is_sync_owed());
        state.ready_received();
        state.ready_received();
        assert_eq!(state.pending_ready(), 0);
    }

    #[test]
    fn an_error_breaks_the_connection() {
        let mut state = ProtocolState::default();
        assert!(state.check_usable().is_ok());
        let failed: Result<(), Error> = Err(Error::Protocol("boom".into()));
        assert!(state.break_on_error(failed).is_err());
        assert!(state.is_broken());
        let err = state.check_usable().unwrap_err().to_string();
        assert!(err.contains("boom"), "{err}");
    }
}
