//! The socket of one pgwire connection: TCP or TLS (after `SSLRequest`), a read buffer that
//! yields whole backend messages, and a write buffer flushed explicitly.

use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use sqlx_core::error::Error;
use tokio::io::{
    AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf, ReadHalf, WriteHalf,
};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::protocol::ProtocolError;
use crate::protocol::pgwire::backend::{Header, Message};
use crate::protocol::pgwire::{NEGOTIATE_PROTOCOL_VERSION, frame, frontend};

/// TCP, or TLS over TCP.
#[derive(Debug)]
pub(crate) enum Io {
    Tcp(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_flush(cx),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The tag of `DataRow`.
const DATA_ROW: u8 = b'D';

/// How many distinct `ParameterStatus` names a server may report (PostgreSQL sends about 15,
/// CrateDB fewer): bounds what a misbehaving peer can make the connection keep.
const MAX_PARAMETERS: usize = 256;

/// Read size; messages larger than this are read in several steps.
const READ_CHUNK: usize = 64 * 1024;

/// A backend message, or the `NegotiateProtocolVersion` that `postgres-protocol` does not know.
pub(crate) enum Backend {
    Message(Message),
    /// `v`: the newest minor version the server supports and the startup options it ignored.
    NegotiateProtocolVersion {
        minor: i32,
        unsupported: Vec<String>,
    },
}

/// The socket with its buffers, split into halves so that a pipelined batch can be written
/// while its replies are read (otherwise both sides could block on full socket buffers).
#[derive(Debug)]
pub(crate) struct Socket {
    pub(crate) reader: Reader,
    pub(crate) writer: Writer,
}

/// The read half and its buffer.
#[derive(Debug)]
pub(crate) struct Reader {
    io: ReadHalf<Io>,
    rbuf: BytesMut,
    /// `max_message_size`: checked against each message's length header before reading on.
    max_message_size: usize,
    /// The server's `ParameterStatus` values (`crate_version`, `server_version`, …), kept here
    /// as they arrive: the one place that reads them, whatever exchange they interrupt.
    parameters: BTreeMap<String, String>,
}

/// The write half and its buffer.
#[derive(Debug)]
pub(crate) struct Writer {
    io: WriteHalf<Io>,
    pub(crate) wbuf: BytesMut,
}

impl Socket {
    /// Connects over TCP (no delay), with keepalive probes after `keepalive` idle time.
    pub(crate) async fn connect(
        host: &str,
        port: u16,
        keepalive: Option<Duration>,
    ) -> io::Result<TcpStream> {
        let stream = TcpStream::connect((host, port)).await?;
        stream.set_nodelay(true)?;
        if let Some(idle) = keepalive {
            let probes = socket2::TcpKeepalive::new().with_time(idle);
            socket2::SockRef::from(&stream).set_tcp_keepalive(&probes)?;
        }
        Ok(stream)
    }

    /// Sends `SSLRequest`; `S` upgrades to TLS, `N` continues in plain text when `fallback`.
    pub(crate) async fn negotiate_tls(
        mut stream: TcpStream,
        host: &str,
        config: Arc<rustls::ClientConfig>,
        fallback: bool,
    ) -> Result<Io, Error> {
        let mut buf = BytesMut::new();
        frontend::ssl_request(&mut buf);
        stream.write_all(&buf).await?;
        let answer = stream.read_u8().await?;
        match answer {
            b'S' => {
                let name = rustls_pki_types::ServerName::try_from(host.to_owned())
                    .map_err(|e| Error::Tls(format!("invalid server name `{host}`: {e}").into()))?;
                let tls = tokio_rustls::TlsConnector::from(config)
                    .connect(name, stream)
                    .await
                    .map_err(|e| Error::Tls(format!("TLS handshake with {host}: {e}").into()))?;
                Ok(Io::Tls(Box::new(tls)))
            }
            b'N' if fallback => Ok(Io::Tcp(stream)),
            b'N' => Err(Error::Tls(
                format!("{host} does not accept TLS on the PostgreSQL port (sslmode=require)")
                    .into(),
            )),
            other => Err(ProtocolError::PgMessage(format!(
                "unexpected answer {other:#04x} to SSLRequest"
            ))
            .into()),
        }
    }

    pub(crate) fn new(io: Io, max_message_size: usize) -> Self {
        let (r, w) = tokio::io::split(io);
        Self {
            reader: Reader {
                io: r,
                rbuf: BytesMut::with_capacity(READ_CHUNK),
                max_message_size,
                parameters: BTreeMap::new(),
            },
            writer: Writer {
                io: w,
                wbuf: BytesMut::with_capacity(8 * 1024),
            },
        }
    }

    /// The write buffer.
    pub(crate) fn wbuf(&mut self) -> &mut BytesMut {
        &mut self.writer.wbuf
    }

    /// Writes out the write buffer.
    pub(crate) async fn flush(&mut self) -> Result<(), Error> {
        self.writer.flush().await
    }

    /// Reads the next backend message (`ParameterStatus` is kept, not returned).
    pub(crate) async fn recv(&mut self) -> Result<Backend, Error> {
        self.reader.recv().await
    }

    /// A `ParameterStatus` value the server reported.
    pub(crate) fn parameter(&self, name: &str) -> Option<&str> {
        self.reader.parameters.get(name).map(String::as_str)
    }

    /// Closes the write side (after `Terminate`).
    pub(crate) async fn shutdown(&mut self) -> Result<(), Error> {
        self.writer.io.shutdown().await?;
        Ok(())
    }
}

impl Writer {
    /// Writes out the write buffer. Cancel-safe: what each write took is removed from the
    /// front of the buffer at once, so a flush dropped half-way leaves exactly the bytes not
    /// yet on the wire, and the next flush sends those (never a byte twice).
    pub(crate) async fn flush(&mut self) -> Result<(), Error> {
        while !self.wbuf.is_empty() {
            // `write` is cancel-safe: dropped before it is ready, it wrote nothing.
            let n = self.io.write(&self.wbuf).await?;
            if n == 0 {
                return Err(Error::Io(io::ErrorKind::WriteZero.into()));
            }
            bytes::Buf::advance(&mut self.wbuf, n);
        }
        self.io.flush().await?;
        Ok(())
    }
}

impl Reader {
    /// Reads the next backend message.
    pub(crate) async fn recv(&mut self) -> Result<Backend, Error> {
        loop {
            if let Some(message) = self.try_parse()? {
                return Ok(message);
            }
            self.fill().await?;
        }
    }

    /// Reads more bytes into the buffer; cancel-safe (nothing read is lost when the future
    /// is dropped). The end of the stream is an error.
    pub(crate) async fn fill(&mut self) -> Result<(), Error> {
        frame::check_header(&self.rbuf, self.max_message_size)?;
        if self.rbuf.capacity() - self.rbuf.len() < READ_CHUNK / 4 {
            self.rbuf.reserve(READ_CHUNK);
        }
        let n = self.io.read_buf(&mut self.rbuf).await?;
        if n == 0 {
            return Err(Error::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            )));
        }
        Ok(())
    }

    /// [`fill`](Self::fill) while a write is still going on, when nothing takes messages off
    /// the buffer: more than `max_message_size` buffered is a protocol error, so that a server
    /// sending without end cannot grow the buffer without bound.
    pub(crate) async fn fill_while_writing(&mut self) -> Result<(), Error> {
        if self.rbuf.len() >= self.max_message_size {
            return Err(ProtocolError::PgMessage(format!(
                "the server sent more than max_message_size ({} bytes) while a request was \
                 still being written",
                self.max_message_size
            ))
            .into());
        }
        self.fill().await
    }

    /// The next message when it is a `DataRow` that is complete in the buffer: its column
    /// count and its values. No I/O; `None` otherwise (see [`split_data_row`]).
    #[inline]
    pub(crate) fn buffered_data_row(&mut self) -> Option<(u16, Bytes)> {
        split_data_row(&mut self.rbuf)
    }

    /// The next whole message in the buffer, `None` when more bytes are needed.
    /// `ParameterStatus` messages are kept in `parameters` and not returned.
    fn try_parse(&mut self) -> Result<Option<Backend>, Error> {
        loop {
            frame::check_header(&self.rbuf, self.max_message_size)?;
            let Some(header) = Header::parse(&self.rbuf)? else {
                return Ok(None);
            };
            if header.tag() == NEGOTIATE_PROTOCOL_VERSION {
                let total = usize::try_from(header.len()).unwrap_or(0) + 1;
                if self.rbuf.len() < total {
                    self.rbuf.reserve(total - self.rbuf.len());
                    return Ok(None);
                }
                let body = self.rbuf.split_to(total).split_off(5);
                return Ok(Some(parse_negotiate(&body)?));
            }
            let message = Message::parse(&mut self.rbuf)
                .map_err(|e| ProtocolError::PgMessage(format!("malformed backend message: {e}")))?;
            match message {
                Some(Message::ParameterStatus(body)) => {
                    let name = body.name()?;
                    if self.parameters.len() >= MAX_PARAMETERS
                        && !self.parameters.contains_key(name)
                    {
                        return Err(ProtocolError::PgMessage(format!(
                            "more than {MAX_PARAMETERS} distinct ParameterStatus names"
                        ))
                        .into());
                    }
                    self.parameters
                        .insert(name.to_owned(), body.value()?.to_owned());
                }
                other => return Ok(other.map(Backend::Message)),
            }
        }
    }
}

/// Takes a `DataRow` off the front of `buf` when it is complete there: its column count and
/// its values (the body after the count). `None` for anything else, including a malformed
/// header, which the full parser then reports.
#[inline]
fn split_data_row(buf: &mut BytesMut) -> Option<(u16, Bytes)> {
    let header = buf.get(..7)?;
    if header[0] != DATA_ROW {
        return None;
    }
    let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
    let total = usize::try_from(len).ok()?.checked_add(1)?;
    if total < 7 || buf.len() < total {
        return None;
    }
    let count = u16::from_be_bytes([header[5], header[6]]);
    let message = buf.split_to(total).freeze();
    Some((count, message.slice(7..)))
}

/// The body of `NegotiateProtocolVersion`: int32 minor version, int32 count, count C strings.
fn parse_negotiate(body: &[u8]) -> Result<Backend, ProtocolError> {
    let bad = || ProtocolError::PgMessage("malformed NegotiateProtocolVersion".into());
    let minor = i32::from_be_bytes(
        body.get(0..4)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?,
    );
    let count = i32::from_be_bytes(
        body.get(4..8)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?,
    );
    let mut unsupported = Vec::new();
    let mut rest = &body[8..];
    for _ in 0..count.max(0) {
        let end = rest.iter().position(|&b| b == 0).ok_or_else(bad)?;
        unsupported.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        rest = &rest[end + 1..];
    }
    Ok(Backend::NegotiateProtocolVersion { minor, unsupported })
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Message(_) => f.write_str("Message(..)"),
            Self::NegotiateProtocolVersion { minor, unsupported } => f
                .debug_struct("NegotiateProtocolVersion")
                .field("minor", minor)
                .field("unsupported", unsupported)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {

    #[tokio::test]
    async fn keepalive_is_set_as_configured() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let idle = Duration::from_secs(37);
        let on = Socket::connect("127.0.0.1", port, Some(idle))
            .await
            .unwrap();
        let sock = socket2::SockRef::from(&on);
        assert!(sock.keepalive().unwrap());
        assert_eq!(sock.tcp_keepalive_time().unwrap(), idle);
        let off = Socket::connect("127.0.0.1", port, None).await.unwrap();
        assert!(!socket2::SockRef::from(&off).keepalive().unwrap());
    }
    use super::*;

    #[test]
    fn complete_data_rows_are_split_off_and_anything_else_is_left() {
        // DataRow, 1 column, value "42"; then the first bytes of a CommandComplete.
        let mut buf = BytesMut::from(&[b'D', 0, 0, 0, 12, 0, 1, 0, 0, 0, 2, b'4', b'2', b'C'][..]);
        let (count, values) = split_data_row(&mut buf).unwrap();
        assert_eq!(count, 1);
        assert_eq!(&values[..], &[0, 0, 0, 2, b'4', b'2']);
        assert_eq!(&buf[..], b"C");
        assert!(split_data_row(&mut buf).is_none());
        // Incomplete: left for the next read.
        let mut partial = BytesMut::from(&[b'D', 0, 0, 0, 12, 0, 1, 0, 0][..]);
        assert!(split_data_row(&mut partial).is_none());
        assert_eq!(partial.len(), 9);
        // A length shorter than the header: left for the full parser to reject.
        let mut bad = BytesMut::from(&[b'D', 0, 0, 0, 2, 0, 1][..]);
        assert!(split_data_row(&mut bad).is_none());
        assert_eq!(bad.len(), 7);
    }

    #[test]
    fn negotiate_protocol_version_body() {
        let mut body = Vec::new();
        body.extend_from_slice(&0i32.to_be_bytes());
        body.extend_from_slice(&1i32.to_be_bytes());
        body.extend_from_slice(b"_pq_.x\0");
        match parse_negotiate(&body).unwrap() {
            Backend::NegotiateProtocolVersion { minor, unsupported } => {
                assert_eq!(minor, 0);
                assert_eq!(unsupported, ["_pq_.x"]);
            }
            Backend::Message(_) => panic!("wrong message"),
        }
        assert!(parse_negotiate(&[0, 0]).is_err());
        assert!(parse_negotiate(&[0, 0, 0, 0, 0, 0, 0, 1, b'x']).is_err());
    }
}
