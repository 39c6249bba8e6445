//! CrateDB's HTTP `/_sql` protocol: request bodies and the streaming response reader (rows are
//! split into cells by [`json`](crate::protocol::json)).
//! No sockets here; the transport lives in `connection::http`.

pub(crate) mod request;
pub(crate) mod response;

#[cfg(test)]
mod bounds_tests;
