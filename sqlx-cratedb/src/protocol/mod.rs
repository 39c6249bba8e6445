//! Wire formats, without I/O.

pub(crate) mod http;
