//! CrateDB's HTTP `/_sql` protocol: request bodies and the streaming response reader.
//! No sockets here; the transport lives in `connection::http`.

pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod scan;

#[cfg(test)]
mod bounds_tests;
