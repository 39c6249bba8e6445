//! [`CrateDbDatabaseError`]: what the server reported, with its classification.
//!
//! Codes and HTTP statuses follow CrateDB's `HttpErrorStatus` table
//! (<https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#error-codes>).

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt::{self, Display, Formatter};

use sqlx_core::error::{DatabaseError, ErrorKind};

/// CrateDB's numeric error codes (HTTP endpoint) that this driver classifies.
pub mod codes {
    /// Syntax error or unsupported statement; also CHECK / NOT NULL violations and bad casts.
    pub const SQL_PARSE: i64 = 4000;
    /// Feature not supported (yet).
    pub const UNSUPPORTED_FEATURE: i64 = 4004;
    /// Not authorized.
    pub const UNAUTHORIZED: i64 = 4010;
    /// Missing privilege.
    pub const MISSING_PRIVILEGE: i64 = 4011;
    /// Unknown relation.
    pub const UNKNOWN_RELATION: i64 = 4041;
    /// Unknown column.
    pub const UNKNOWN_COLUMN: i64 = 4043;
    /// Unknown schema.
    pub const UNKNOWN_SCHEMA: i64 = 4045;
    /// Duplicate primary key.
    pub const DUPLICATE_PRIMARY_KEY: i64 = 4091;
    /// Version conflict (optimistic concurrency control).
    pub const VERSION_CONFLICT: i64 = 4092;
    /// Relation already exists.
    pub const RELATION_EXISTS: i64 = 4093;
    /// Too many requests.
    pub const TOO_MANY_REQUESTS: i64 = 4290;
    /// Unhandled server error (also a node of the cluster that is not connected).
    pub const UNHANDLED: i64 = 5000;
    /// Shards unavailable.
    pub const SHARDS_UNAVAILABLE: i64 = 5002;
    /// Statement killed (`KILL` or `statement_timeout`).
    pub const KILLED: i64 = 5005;
    /// No shard available.
    pub const NO_SHARD_AVAILABLE: i64 = 5033;
}

/// An error reported by CrateDB: its numeric code, the HTTP status, the message and, when
/// `error_trace` is on, the server's stack trace.
///
/// Users receive it as `sqlx::Error::Database`; downcast with
/// `err.as_database_error().and_then(|e| e.try_downcast_ref::<CrateDbDatabaseError>())`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateDbDatabaseError {
    code: Option<i64>,
    /// The HTTP status; `None` for errors received over the PostgreSQL wire protocol.
    status: Option<u16>,
    message: String,
    error_trace: Option<String>,
    row_index: Option<usize>,
    /// The SQLSTATE, for errors received over the PostgreSQL wire protocol.
    sqlstate: Option<String>,
}

impl CrateDbDatabaseError {
    /// An error from a CrateDB JSON error body.
    pub(crate) fn new(code: Option<i64>, status: u16, message: String) -> Self {
        Self {
            code,
            status: Some(status),
            message,
            error_trace: None,
            row_index: None,
            sqlstate: None,
        }
    }

    /// An error from a PostgreSQL-protocol `ErrorResponse` (no HTTP status).
    pub(crate) fn from_sqlstate(sqlstate: String, message: String) -> Self {
        Self {
            code: None,
            status: None,
            message,
            error_trace: None,
            row_index: None,
            sqlstate: Some(sqlstate),
        }
    }

    /// The SQLSTATE (e.g. `23505`, or CrateDB's frequent `XX000`), for errors received over the
    /// PostgreSQL wire protocol; `None` over HTTP.
    pub fn sqlstate(&self) -> Option<&str> {
        self.sqlstate.as_deref()
    }

    pub(crate) fn with_trace(mut self, trace: Option<String>) -> Self {
        self.error_trace = trace;
        self
    }

    pub(crate) fn with_row_index(mut self, index: usize) -> Self {
        self.row_index = Some(index);
        self
    }

    /// CrateDB's numeric error code (e.g. 4091 for a duplicate primary key), when the server
    /// sent one. A 401 answered in plain text has none.
    pub fn http_code(&self) -> Option<i64> {
        self.code
    }

    /// The HTTP status of the response (200 for per-row errors of a bulk request); `None` for
    /// errors received over the PostgreSQL wire protocol, which has no status.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The server's stack trace, present when the connection was opened with `error_trace`.
    pub fn error_trace(&self) -> Option<&str> {
        self.error_trace.as_deref()
    }

    /// For per-row errors of a bulk request: the index of the failed row in the input.
    pub fn row_index(&self) -> Option<usize> {
        self.row_index
    }

    /// True when the server rejected the credentials (HTTP 401, code 4010; SQLSTATE class 28).
    pub fn is_authentication_error(&self) -> bool {
        if let Some(state) = &self.sqlstate {
            return state.starts_with("28");
        }
        self.status == Some(401) && self.code.is_none_or(|c| c == codes::UNAUTHORIZED)
    }

    /// The server says a table or schema does not exist (4041, 4045; over pgwire `42P01`,
    /// `3F000`). A CrateDB node that is starting answers so for a second or two for tables
    /// that do exist, before it knows the cluster's tables; a read asks the other nodes once
    /// before reporting it.
    pub(crate) fn is_unknown_relation_or_schema(&self) -> bool {
        matches!(
            self.code,
            Some(codes::UNKNOWN_RELATION | codes::UNKNOWN_SCHEMA)
        ) || matches!(self.sqlstate.as_deref(), Some("42P01" | "3F000"))
    }

    /// The server did not answer the statement itself: a proxy or overloaded node answered
    /// 502/503/504/509, or (pgwire) the node shut down or crashed while running it
    /// (`57P01`–`57P03`, class `08`). Whether it was applied is unknown.
    pub(crate) fn is_unanswered(&self) -> bool {
        matches!(self.status, Some(502..=504 | 509))
            || self
                .sqlstate
                .as_deref()
                .is_some_and(|s| matches!(s, "57P01" | "57P02" | "57P03") || s.starts_with("08"))
    }

    /// A node the statement ran on left the cluster or closed while it ran. CrateDB 6.4:
    /// `JobKilledException[Job killed. Participating node <id> disconnected.]` (code 5005),
    /// `NodeNotConnectedException[…]` (5000), `NodeClosedException` or, while the plan still
    /// names the node, `SQLParseException[Unknown node: <id>]` (4000) over HTTP; SQLSTATE XX000
    /// with the same messages, mostly without the exception's name, over pgwire.
    pub(crate) fn node_left(&self) -> bool {
        ((self.message.contains("JobKilledException") || self.message.contains("Job killed."))
            && self.message.contains("disconnected"))
            || [
                "NodeNotConnectedException",
                "NodeDisconnectedException",
                "NoSuchNodeException",
                "NodeClosedException",
                "ConnectTransportException",
                // Over pgwire the same errors come without the exception's name.
                "] Node not connected",
                "No such node [",
                "node closed {",
            ]
            .iter()
            .any(|name| self.message.contains(name))
            || self.message.contains("Unknown node: ")
    }

    /// True for errors where retrying a read on another node may help
    /// (shards unavailable, no shard available, HTTP 503, a statement killed because a node it
    /// ran on left the cluster; over pgwire the SQLSTATEs of a server shutting down or starting
    /// up, and CrateDB's messages for the same cases). A statement killed by `KILL` or a
    /// timeout is not transient.
    pub fn is_transient(&self) -> bool {
        let node_left = self.node_left();
        if let Some(state) = &self.sqlstate {
            return matches!(state.as_str(), "57P01" | "57P02" | "57P03")
                || state.starts_with("08")
                || node_left
                || self.message.contains("UnavailableShardsException")
                || self.message.contains("NoShardAvailableActionException");
        }
        matches!(
            self.code,
            Some(codes::SHARDS_UNAVAILABLE | codes::NO_SHARD_AVAILABLE)
        ) || (matches!(
            self.code,
            Some(codes::KILLED | codes::UNHANDLED | codes::SQL_PARSE)
        ) && node_left)
            || matches!(self.status, Some(502..=504 | 509))
    }
}

/// An error from a PostgreSQL-protocol `ErrorResponse` (no HTTP status).
impl From<crate::protocol::pgwire::error::ServerError> for CrateDbDatabaseError {
    fn from(e: crate::protocol::pgwire::error::ServerError) -> Self {
        Self::from_sqlstate(e.sqlstate, e.message)
    }
}

impl Display for CrateDbDatabaseError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (&self.sqlstate, self.code) {
            (Some(state), _) => write!(f, "[{state}] {}", self.message)?,
            (None, Some(code)) => write!(f, "[{code}] {}", self.message)?,
            (None, None) => match self.status {
                Some(status) => write!(f, "[HTTP {status}] {}", self.message)?,
                None => f.write_str(&self.message)?,
            },
        }
        if let Some(index) = self.row_index {
            write!(f, " (bulk row {index})")?;
        }
        Ok(())
    }
}

impl StdError for CrateDbDatabaseError {}

impl DatabaseError for CrateDbDatabaseError {
    fn message(&self) -> &str {
        &self.message
    }

    /// CrateDB's numeric code over HTTP, the SQLSTATE over the PostgreSQL wire protocol.
    fn code(&self) -> Option<Cow<'_, str>> {
        if let Some(state) = &self.sqlstate {
            return Some(Cow::Borrowed(state));
        }
        self.code.map(|c| Cow::Owned(c.to_string()))
    }

    fn as_error(&self) -> &(dyn StdError + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn StdError + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn StdError + Send + Sync + 'static> {
        self
    }

    fn is_transient_in_connect_phase(&self) -> bool {
        self.is_transient()
    }

    /// Maps CrateDB codes to sqlx kinds. CrateDB reports CHECK and NOT NULL violations as the
    /// generic 4000, so those two are recognised by their message text.
    ///
    /// Over pgwire the SQLSTATE decides (`23505` unique, `23502` not null, `23514` check,
    /// `23503` foreign key); CrateDB's catch-all `XX000` (which it also sends for duplicate
    /// keys, NOT NULL and CHECK violations) is classified by its message.
    fn kind(&self) -> ErrorKind {
        match self.sqlstate.as_deref() {
            Some("23505") => return ErrorKind::UniqueViolation,
            Some("23502") => return ErrorKind::NotNullViolation,
            Some("23514") => return ErrorKind::CheckViolation,
            Some("23503") => return ErrorKind::ForeignKeyViolation,
            Some("XX000") | None => {}
            Some(_) => return ErrorKind::Other,
        }
        if self.code == Some(codes::DUPLICATE_PRIMARY_KEY)
            || self.message.starts_with("DuplicateKeyException")
        {
            return ErrorKind::UniqueViolation;
        }
        if self.code == Some(codes::SQL_PARSE) || self.code.is_none() {
            // Also CrateDB's `XX000` over pgwire (no numeric code there).
            if self.message.contains("must not be null") {
                return ErrorKind::NotNullViolation;
            }
            if self.message.contains("Failed CHECK constraint") {
                return ErrorKind::CheckViolation;
            }
        }
        ErrorKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_killed_because_a_node_left_is_transient_and_a_kill_is_not() {
        let left = "JobKilledException[Job killed. Participating node abc disconnected.]";
        assert!(CrateDbDatabaseError::new(Some(codes::KILLED), 500, left.into()).is_transient());
        assert!(CrateDbDatabaseError::from_sqlstate("XX000".into(), left.into()).is_transient());
        // Over pgwire CrateDB 6.4 sends the message without the exception's name.
        let left_pg = "Job killed. Participating node X_3NzY3STAWhccCiG8oVTA disconnected";
        assert!(CrateDbDatabaseError::from_sqlstate("XX000".into(), left_pg.into()).is_transient());
        let gone = "NodeNotConnectedException[[node-1][127.0.0.1:4300] Node not connected]";
        assert!(CrateDbDatabaseError::new(Some(codes::UNHANDLED), 500, gone.into()).is_transient());
        let gone_pg = "[node-1][127.0.0.1:37293] Node not connected";
        assert!(CrateDbDatabaseError::from_sqlstate("XX000".into(), gone_pg.into()).is_transient());
        let no_such = "NoSuchNodeException[No such node [NnnWVWeATYy0paMVrGucGg]]";
        assert!(
            CrateDbDatabaseError::new(Some(codes::UNHANDLED), 500, no_such.into()).is_transient()
        );
        let planned = "SQLParseException[Unknown node: WMebY_DuTUyHlIaVVj-R5Q]";
        assert!(
            CrateDbDatabaseError::new(Some(codes::SQL_PARSE), 400, planned.into()).is_transient()
        );
        let syntax = "SQLParseException[line 1:1: mismatched input 'SELEC']";
        assert!(
            !CrateDbDatabaseError::new(Some(codes::SQL_PARSE), 400, syntax.into()).is_transient()
        );
        let killed = "JobKilledException[Job killed. KILL statement]";
        assert!(!CrateDbDatabaseError::new(Some(codes::KILLED), 500, killed.into()).is_transient());
        assert!(!CrateDbDatabaseError::from_sqlstate("XX000".into(), killed.into()).is_transient());
    }

    #[test]
    fn kind_maps_duplicate_key_and_constraint_messages() {
        let dup = CrateDbDatabaseError::new(
            Some(4091),
            409,
            "DuplicateKeyException[A document with the same primary key exists already]".into(),
        );
        assert_eq!(dup.kind(), ErrorKind::UniqueViolation);
        assert_eq!(dup.code().as_deref(), Some("4091"));
        let nn = CrateDbDatabaseError::new(Some(4000), 400, "\"name\" must not be null".into());
        assert_eq!(nn.kind(), ErrorKind::NotNullViolation);
        let check = CrateDbDatabaseError::new(
            Some(4000),
            400,
            "Failed CHECK constraint(s): CONSTRAINT c CHECK(\"x\" > 0)".into(),
        );
        assert_eq!(check.kind(), ErrorKind::CheckViolation);
        let other = CrateDbDatabaseError::new(Some(4041), 404, "RelationUnknown[x]".into());
        assert_eq!(other.kind(), ErrorKind::Other);
    }

    #[test]
    fn plain_401_is_an_authentication_error() {
        let e = CrateDbDatabaseError::new(None, 401, "trust authentication failed".into());
        assert!(e.is_authentication_error());
        assert_eq!(e.to_string(), "[HTTP 401] trust authentication failed");
    }
}
