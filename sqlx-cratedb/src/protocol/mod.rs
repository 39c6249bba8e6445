//! Wire formats, without I/O.

#[doc(hidden)]
pub mod fuzz;
pub(crate) mod http;
#[cfg(feature = "pgwire")]
pub(crate) mod pgwire;
