//! The value model: what a result is, the same for both transports. A row is the bytes of the
//! row plus one [`Cell`](crate::protocol::json::Cell) per column; the HTTP scanner and the pgwire
//! decoders build it, `types/` decode a [`CrateDbValueRef`](value::CrateDbValueRef) from it.

pub(crate) mod arguments;
pub(crate) mod bulk_result;
pub(crate) mod column;
pub(crate) mod query_result;
pub(crate) mod row;
pub(crate) mod statement;
pub(crate) mod value;
