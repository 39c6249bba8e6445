//! [`CrateDbWriteOutcome`]: what a write that failed did, as far as the driver can tell.

use sqlx_core::error::Error;

use super::database::CrateDbDatabaseError;

/// What a statement that returned an error did to the data: whether it surely was not run, may
/// have been applied, or was answered with an error by the server.
///
/// The driver never sends a write twice on its own (only reads fail over after they were
/// sent), so after an error the caller decides; this says what is safe. Bulk calls report the
/// same per row ([`CrateDbBulkRow`](crate::CrateDbBulkRow)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrateDbWriteOutcome {
    /// Surely not run: the statement never reached a server (no node accepted the connection,
    /// the TLS handshake failed, the options or arguments were refused, no pooled connection).
    /// Sending it again cannot apply it twice.
    NotExecuted,
    /// May have been applied: the connection was lost or the timeout passed after the
    /// statement was sent, the answer could not be read, or a proxy or overloaded node answered
    /// 502/503/504/509, or a node it ran on shut down or left the cluster while running it.
    /// Check before sending it again.
    Unknown,
    /// The server answered with an error for this statement (a constraint, a bad value, an
    /// unknown table …); CrateDB did not apply it. One exception: while a node fails, CrateDB
    /// retries a replicated write internally and may answer `DuplicateKeyException` for a row
    /// that its first attempt stored (see the crate docs, "While nodes fail or restart").
    Rejected,
}

impl CrateDbWriteOutcome {
    /// Classifies the error a write (`execute`, `fetch` of an `INSERT … RETURNING`, …)
    /// returned.
    pub fn of(error: &Error) -> Self {
        match error {
            // The HTTP transport reports a request that never left as `ConnectionRefused`; so
            // does a pgwire connect that failed.
            Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Self::NotExecuted,
            Error::Tls(_)
            | Error::Configuration(_)
            | Error::Encode(_)
            | Error::PoolTimedOut
            | Error::PoolClosed => Self::NotExecuted,
            Error::Database(db) => match db.try_downcast_ref::<CrateDbDatabaseError>() {
                Some(e) if e.is_unanswered() || e.node_left() => Self::Unknown,
                _ => Self::Rejected,
            },
            _ => Self::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn errors_map_to_what_they_did() {
        let io = |kind| Error::Io(io::Error::new(kind, "x"));
        assert_eq!(
            CrateDbWriteOutcome::of(&io(io::ErrorKind::ConnectionRefused)),
            CrateDbWriteOutcome::NotExecuted
        );
        for kind in [
            io::ErrorKind::ConnectionAborted,
            io::ErrorKind::TimedOut,
            io::ErrorKind::UnexpectedEof,
        ] {
            assert_eq!(
                CrateDbWriteOutcome::of(&io(kind)),
                CrateDbWriteOutcome::Unknown
            );
        }
        assert_eq!(
            CrateDbWriteOutcome::of(&Error::Protocol("garbled".into())),
            CrateDbWriteOutcome::Unknown
        );
        let db = |status, message: &str| {
            Error::Database(Box::new(CrateDbDatabaseError::new(
                None,
                status,
                message.into(),
            )))
        };
        assert_eq!(
            CrateDbWriteOutcome::of(&db(503, "node unavailable")),
            CrateDbWriteOutcome::Unknown
        );
        assert_eq!(
            CrateDbWriteOutcome::of(&db(409, "DuplicateKeyException[…]")),
            CrateDbWriteOutcome::Rejected
        );
        let shutdown = CrateDbDatabaseError::from_sqlstate("57P01".into(), "terminating".into());
        assert_eq!(
            CrateDbWriteOutcome::of(&Error::Database(Box::new(shutdown))),
            CrateDbWriteOutcome::Unknown
        );
        // Seen over pgwire in a rolling restart: the shard's node closed under the write.
        let closed = CrateDbDatabaseError::from_sqlstate(
            "XX000".into(),
            "node closed {node-0}{eYs3y00nT6K7iEZI_qVgTA}{127.0.0.1}{127.0.0.1:34239}{dm}".into(),
        );
        assert_eq!(
            CrateDbWriteOutcome::of(&Error::Database(Box::new(closed))),
            CrateDbWriteOutcome::Unknown
        );
        assert_eq!(
            CrateDbWriteOutcome::of(&Error::PoolTimedOut),
            CrateDbWriteOutcome::NotExecuted
        );
    }
}
