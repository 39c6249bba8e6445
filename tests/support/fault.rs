//! A loopback TCP fault proxy: it sits between a client and a server and, per connection, passes
//! bytes through or breaks the connection in one of the ways networks do.
//!
//! ```no_run
//! # async fn demo() {
//! use cratedb_integration::fault::{Fault, FaultProxy};
//!
//! let upstream: std::net::SocketAddr = "127.0.0.1:5432".parse().unwrap();
//! let proxy = FaultProxy::start(upstream).await;
//! proxy.set(Fault::Stall); // new and running connections stop forwarding
//! let port = proxy.port(); // point the client here
//! # let _ = port;
//! proxy.set(Fault::Pass);
//! # }
//! ```
//!
//! The fault is read whenever bytes arrive, so it applies to connections that are already open
//! as well as to new ones. Every task ends when the proxy is dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the proxy does to the connections through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward every byte both ways.
    Pass,
    /// Close a new connection at once; close a running one at the next byte either way.
    Drop,
    /// Stop forwarding (both ways) but keep the connections open: a peer that hangs.
    Stall,
    /// Forward the client's bytes; of the server's answer forward the first `n` bytes, then
    /// close the client's connection: an answer cut mid-message.
    CutAfter(usize),
    /// Forward the client's request to the server, then reset the client's connection (RST)
    /// when the server answers, without forwarding the answer: the request may have been
    /// executed, its outcome never arrives.
    ResetAfterRequest,
}

/// A running proxy on `127.0.0.1:<port>` in front of one upstream address.
#[derive(Debug)]
pub struct FaultProxy {
    port: u16,
    fault: Arc<Mutex<Fault>>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream`, passing everything through.
    ///
    /// # Panics
    /// When no loopback port can be bound (test support).
    #[expect(clippy::unwrap_used, reason = "test support: a failure fails the test")]
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let fault = Arc::new(Mutex::new(Fault::Pass));
        let shared = fault.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let fault = shared.clone();
                tokio::spawn(async move {
                    if current(&fault) == Fault::Drop {
                        return;
                    }
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        Box::pin(relay(client, server, fault)).await;
                    }
                });
            }
        });
        Self {
            port,
            fault,
            accept,
        }
    }

    /// The proxy's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sets the fault for new bytes on every connection.
    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap_or_else(PoisonError::into_inner) = fault;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn current(fault: &Mutex<Fault>) -> Fault {
    *fault.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Forwards between `client` and `server` under the current fault until either side closes.
async fn relay(client: TcpStream, server: TcpStream, fault: Arc<Mutex<Fault>>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let mut to_server = [0u8; 16 * 1024];
    let mut to_client = [0u8; 16 * 1024];
    // Bytes of the server's answer forwarded since the fault became `CutAfter`.
    let mut answered = 0usize;
    loop {
        tokio::select! {
            read = client_read.read(&mut to_server) => {
                let Ok(n @ 1..) = read else { return };
                match current(&fault) {
                    Fault::Drop => return,
                    Fault::Stall => stall().await,
                    _ => {
                        if server_write.write_all(&to_server[..n]).await.is_err() {
                            return;
                        }
                    }
                }
            }
            read = server_read.read(&mut to_client) => {
                let Ok(n @ 1..) = read else { return };
                match current(&fault) {
                    Fault::Pass => {
                        if client_write.write_all(&to_client[..n]).await.is_err() {
                            return;
                        }
                    }
                    Fault::Drop => return,
                    Fault::Stall => stall().await,
                    Fault::CutAfter(limit) => {
                        let allowed = limit.saturating_sub(answered).min(n);
                        answered += allowed;
                        let _ = client_write.write_all(&to_client[..allowed]).await;
                        if answered >= limit {
                            return;
                        }
                    }
                    Fault::ResetAfterRequest => {
                        if let Ok(stream) = client_read.reunite(client_write) {
                            // A zero linger makes the close a reset (RST); with zero it does
                            // not block, which is what the deprecation warns about.
                            #[expect(deprecated, reason = "SO_LINGER 0 resets without blocking")]
                            let _ = stream.set_linger(Some(Duration::ZERO));
                        }
                        return;
                    }
                }
            }
        }
    }
}

/// Holds a connection open without forwarding, until the proxy's runtime ends it.
async fn stall() {
    tokio::time::sleep(Duration::from_hours(1)).await;
}
