//! CrateDB's PostgreSQL wire protocol (v3), without I/O: a thin layer over the
//! `postgres-protocol` crate (frontend message writers, backend `Message::parse`) plus what
//! CrateDB needs on top: command tags with odd words and negative counts, type OIDs mapped to
//! [`CrateDbTypeInfo`](crate::CrateDbTypeInfo), text-format values turned into the driver's value
//! model, parameters encoded with OIDs CrateDB accepts (in binary for numbers, booleans and
//! timestamps and their arrays, as text otherwise), and `ErrorResponse` fields.
//!
//! The socket side lives in `connection::pgwire`.

pub(crate) mod binary_param;
pub(crate) mod datetime;
pub(crate) mod error;
pub(crate) mod frame;
pub(crate) mod param;
pub(crate) mod tag;
pub(crate) mod text;
pub(crate) mod text_array;
pub(crate) mod types;

pub(crate) use postgres_protocol::message::{backend, frontend};

/// The `NegotiateProtocolVersion` message tag (`v`), which `postgres-protocol` does not parse.
pub(crate) const NEGOTIATE_PROTOCOL_VERSION: u8 = b'v';
