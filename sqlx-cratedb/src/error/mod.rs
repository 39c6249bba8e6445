//! Errors: [`CrateDbDatabaseError`] for what the server reports (`database.rs`),
//! [`CrateDbWriteOutcome`] for what a failed write did, small internal enums for the rest.

use std::borrow::Cow;

use sqlx_core::error::BoxDynError;

mod database;
mod outcome;

pub use self::database::{CrateDbDatabaseError, codes};
pub use self::outcome::CrateDbWriteOutcome;

/// A copy of `err` that keeps its kind, for a result that reports an error without failing
/// (bulk results): a CrateDB error is cloned whole, an I/O error keeps its `ErrorKind`, the
/// other kinds keep their variant and text.
pub(crate) fn copy_error(err: &sqlx_core::Error) -> sqlx_core::Error {
    use sqlx_core::Error as E;
    match err {
        E::Database(db) => match db.try_downcast_ref::<CrateDbDatabaseError>() {
            Some(e) => E::Database(Box::new(e.clone())),
            None => E::Protocol(db.to_string()),
        },
        E::Io(io) => E::Io(std::io::Error::new(io.kind(), io.to_string())),
        E::Tls(e) => E::Tls(e.to_string().into()),
        E::Encode(e) => E::Encode(e.to_string().into()),
        E::Configuration(e) => E::Configuration(e.to_string().into()),
        E::PoolTimedOut => E::PoolTimedOut,
        E::PoolClosed => E::PoolClosed,
        other => E::Protocol(other.to_string()),
    }
}

/// A value could not be decoded into the requested Rust type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum DecodeError {
    #[error("cannot decode CrateDB {ty} value `{excerpt}` as `{rust}`: {reason}")]
    Value {
        ty: String,
        rust: &'static str,
        excerpt: String,
        reason: Cow<'static, str>,
    },
}

impl DecodeError {
    pub(crate) fn value(
        ty: &crate::CrateDbTypeInfo,
        rust: &'static str,
        raw: &[u8],
        reason: impl Into<Cow<'static, str>>,
    ) -> BoxDynError {
        let text = String::from_utf8_lossy(&raw[..raw.len().min(64)]).into_owned();
        Box::new(DecodeError::Value {
            ty: ty.to_string(),
            rust,
            excerpt: text,
            reason: reason.into(),
        })
    }
}

/// A value could not be encoded as a CrateDB HTTP argument.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum EncodeError {
    #[error("u64 value {0} does not fit CrateDB's BIGINT")]
    U64OutOfRange(u64),
    #[error("cannot encode value as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[cfg(any(feature = "chrono", feature = "time"))]
    #[error("date/time value is out of CrateDB's millisecond range")]
    TimeOutOfRange,
}

/// Connection options that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ConfigError {
    #[error("invalid CrateDB URL: {0}")]
    Url(String),
    #[error("invalid value `{value}` for URL parameter `{name}`")]
    Parameter { name: String, value: String },
    #[error("unknown URL parameter `{0}`")]
    UnknownParameter(String),
    #[error("a CrateDB connection needs at least one host")]
    NoHosts,
    #[error("cannot read TLS file {path}: {reason}")]
    TlsFile { path: String, reason: String },
    #[error("TLS configuration: {0}")]
    Tls(String),
    /// pgwire: the server asks for a cleartext password over a connection without TLS.
    #[error(
        "refusing to send the password in cleartext to {host}: the server asks for a cleartext \
         password and the connection is not encrypted{}; connect with TLS (`crate+pgs://` or \
         `sslmode=require`), or accept the risk with the URL parameter \
         `allow_cleartext_password=true` or `CrateDbConnectOptions::allow_cleartext_password(true)`",
        if *fell_back { " (sslmode=prefer, and the server declined TLS)" } else { "" }
    )]
    CleartextPasswordRefused { host: String, fell_back: bool },
    /// HTTP: a password or token would be sent over `crate://` without TLS.
    #[error(
        "refusing to send the {credential} to {host} over plain HTTP: the connection is not \
         encrypted and anyone on the path can read it; connect with TLS (`crate+https://` or \
         `sslmode=require`), or accept the risk with the URL parameter \
         `allow_cleartext_password=true` or `CrateDbConnectOptions::allow_cleartext_password(true)`"
    )]
    PlainHttpCredentialRefused {
        host: String,
        credential: &'static str,
    },
}

impl From<ConfigError> for sqlx_core::Error {
    fn from(err: ConfigError) -> Self {
        sqlx_core::Error::Configuration(Box::new(err))
    }
}
