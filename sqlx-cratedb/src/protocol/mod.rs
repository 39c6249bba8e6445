//! Wire formats, without I/O, and CrateDB's type table: the lowest layer of the driver. Nothing
//! here imports the driver's connection, row, value or error types (ARCHITECTURE.md).
//!
//! - [`type_info`]: a column's CrateDB type ([`CrateDbTypeInfo`](type_info::CrateDbTypeInfo)),
//!   read from HTTP `col_types` codes and pgwire OIDs.
//! - [`json`]: the JSON scanner and the cell (a typed byte range of a row) both transports
//!   produce.
//! - [`http`] and `pgwire`: each transport's messages.

pub(crate) mod error;
pub(crate) mod http;
pub(crate) mod json;
pub(crate) mod pgwire;
pub(crate) mod type_info;

pub(crate) use error::ProtocolError;

/// Default cap on one server message (`max_message_size`): 64 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;
