//! Wire formats, without I/O.

pub(crate) mod http;
#[cfg(feature = "pgwire")]
pub(crate) mod pgwire;
