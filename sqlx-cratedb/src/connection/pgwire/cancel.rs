//! `CancelRequest`: stopping a running command from a second connection.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::socket::Socket;
use crate::protocol::pgwire::frontend;

/// Where to send a `CancelRequest` for this connection.
#[derive(Debug, Clone)]
pub(crate) struct CancelKey {
    host: String,
    port: u16,
    process_id: i32,
    secret_key: i32,
    /// Bounds the connection that carries the request (`connect_timeout`).
    connect_timeout: Duration,
}

impl CancelKey {
    /// The key a server sent in `BackendKeyData`, for the node at `host:port`.
    pub(crate) fn new(
        host: String,
        port: u16,
        process_id: i32,
        secret_key: i32,
        connect_timeout: Duration,
    ) -> Self {
        Self {
            host,
            port,
            process_id,
            secret_key,
            connect_timeout,
        }
    }

    /// Sends `CancelRequest` on a new TCP connection and waits until the server closes it
    /// (it has then seen the request). Best effort: errors are logged.
    pub(crate) async fn cancel(self) {
        let connect_timeout = self.connect_timeout;
        let send = async {
            let mut stream = Socket::connect(&self.host, self.port, None).await?;
            let mut buf = bytes::BytesMut::new();
            frontend::cancel_request(self.process_id, self.secret_key, &mut buf);
            stream.write_all(&buf).await?;
            let mut sink = [0u8; 16];
            let _ = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut sink)).await;
            Ok::<_, io::Error>(())
        };
        // Bounded as a whole: an unreachable host must not hold up the next command.
        let result = tokio::time::timeout(connect_timeout, send)
            .await
            .unwrap_or_else(|_| {
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connecting to send it timed out",
                ))
            });
        if let Err(e) = result {
            log::warn!(
                "sqlx-cratedb: CancelRequest to {}:{} failed: {e}",
                self.host,
                self.port
            );
        }
    }
}
