//! [`BlobReader`]: a blob's content as it arrives, without holding it all.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use super::error::CrateDbBlobError;
use crate::connection::http::response::HttpResponse;

/// A blob being downloaded: read it chunk by chunk ([`chunk`](Self::chunk), or as a
/// [`Stream`](futures_core::Stream) of [`Bytes`]), copy it to a writer
/// ([`copy_to`](Self::copy_to)), or collect it up to a size you choose ([`bytes`](Self::bytes)).
///
/// The connection's `request_timeout`, when set, bounds the whole download.
pub struct BlobReader {
    response: HttpResponse,
    len: Option<u64>,
    read: u64,
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("len", &self.len)
            .field("read", &self.read)
            .finish_non_exhaustive()
    }
}

impl BlobReader {
    pub(crate) fn new(response: HttpResponse, len: Option<u64>) -> Self {
        Self {
            response,
            len,
            read: 0,
        }
    }

    /// The blob's size as the server announced it (`Content-Length`).
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// True when the server announced an empty blob.
    pub fn is_empty(&self) -> bool {
        self.len == Some(0)
    }

    /// The next piece of the content, `None` at its end.
    ///
    /// # Errors
    /// The connection failed or timed out, or the body ended before the announced length
    /// ([`CrateDbBlobError::Truncated`]).
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, CrateDbBlobError> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Bytes>, CrateDbBlobError>> {
        match self.response.poll_chunk(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(e.into())),
            Poll::Ready(Ok(Some(chunk))) => {
                self.read += chunk.len() as u64;
                Poll::Ready(Ok(Some(chunk)))
            }
            Poll::Ready(Ok(None)) => match self.len {
                Some(expected) if expected != self.read => {
                    Poll::Ready(Err(CrateDbBlobError::Truncated {
                        expected,
                        read: self.read,
                    }))
                }
                _ => Poll::Ready(Ok(None)),
            },
        }
    }

    /// The whole content, refusing a blob larger than `limit` bytes (checked against the
    /// announced size before anything is read, and again as it arrives).
    ///
    /// # Errors
    /// [`CrateDbBlobError::TooLarge`], or what [`chunk`](Self::chunk) returns.
    pub async fn bytes(mut self, limit: usize) -> Result<Bytes, CrateDbBlobError> {
        let limit64 = limit as u64;
        if let Some(len) = self.len
            && len > limit64
        {
            return Err(CrateDbBlobError::TooLarge {
                limit,
                len: Some(len),
            });
        }
        let mut out =
            BytesMut::with_capacity(self.len.and_then(|n| usize::try_from(n).ok()).unwrap_or(0));
        while let Some(chunk) = self.chunk().await? {
            if out.len() + chunk.len() > limit {
                return Err(CrateDbBlobError::TooLarge {
                    limit,
                    len: self.len,
                });
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
    }

    /// Writes the whole content to `writer` and flushes it; returns the bytes written.
    ///
    /// # Errors
    /// What [`chunk`](Self::chunk) returns, or the writer's error.
    pub async fn copy_to<W: AsyncWrite + Unpin>(
        mut self,
        writer: &mut W,
    ) -> Result<u64, CrateDbBlobError> {
        let mut written = 0u64;
        while let Some(chunk) = self.chunk().await? {
            writer.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        writer.flush().await?;
        Ok(written)
    }
}

impl futures_core::Stream for BlobReader {
    type Item = Result<Bytes, CrateDbBlobError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx).map(Result::transpose)
    }
}
