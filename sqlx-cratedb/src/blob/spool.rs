//! Content whose digest is not known yet: hashed while it is written to a temporary file, so
//! that it can be uploaded (and sent again on failover) with bounded memory.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures_util::StreamExt as _;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};

use super::digest::{BlobDigest, BlobHasher};
use super::request::Content;

/// The size of the pieces read from a file or reader.
const PIECE: usize = 64 * 1024;

/// The digest and length of a file's content.
pub(crate) async fn digest_file(path: &Path) -> io::Result<(BlobDigest, u64)> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = BlobHasher::default();
    let mut buf = vec![0u8; PIECE];
    loop {
        let read = file.read(&mut buf).await?;
        if read == 0 {
            break;
        }
        hasher.update(&buf[..read]);
    }
    let len = hasher.len();
    Ok((hasher.finish(), len))
}

/// Content written to a temporary file while it was hashed; the file is removed on drop.
pub(crate) struct Spooled {
    pub(crate) digest: BlobDigest,
    path: PathBuf,
    len: u64,
}

impl Spooled {
    /// Spools what `reader` yields.
    pub(crate) async fn from_reader<R: AsyncRead + Unpin>(mut reader: R) -> io::Result<Self> {
        let mut writer = Writer::create().await?;
        let mut buf = vec![0u8; PIECE];
        loop {
            let read = reader.read(&mut buf).await?;
            if read == 0 {
                break;
            }
            writer.write(&buf[..read]).await?;
        }
        writer.finish().await
    }

    /// Spools the chunks of `stream`.
    pub(crate) async fn from_stream<S>(mut stream: S) -> io::Result<Self>
    where
        S: futures_core::Stream<Item = Result<Bytes, io::Error>> + Unpin,
    {
        let mut writer = Writer::create().await?;
        while let Some(chunk) = stream.next().await {
            writer.write(&chunk?).await?;
        }
        writer.finish().await
    }

    /// The spooled file as upload content.
    pub(crate) fn content(&self) -> Content {
        Content::File {
            path: self.path.clone(),
            len: self.len,
        }
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A temporary file being written and hashed; removed on drop unless finished.
struct Writer {
    file: tokio::fs::File,
    hasher: BlobHasher,
    path: Option<PathBuf>,
}

impl Writer {
    async fn create() -> io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir();
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = dir.join(format!(
                "sqlx-cratedb-blob-{}-{n}-{nanos}",
                std::process::id()
            ));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => {
                    return Ok(Self {
                        file,
                        hasher: BlobHasher::default(),
                        path: Some(path),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
    }

    async fn write(&mut self, piece: &[u8]) -> io::Result<()> {
        self.hasher.update(piece);
        self.file.write_all(piece).await
    }

    async fn finish(mut self) -> io::Result<Spooled> {
        self.file.flush().await?;
        self.file.sync_data().await?;
        let len = self.hasher.len();
        let digest = std::mem::take(&mut self.hasher).finish();
        let path = self.path.take().unwrap_or_default();
        Ok(Spooled { digest, path, len })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spooling_hashes_the_content_and_removes_the_file() {
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let spooled = Spooled::from_reader(&content[..]).await.unwrap();
        assert_eq!(spooled.digest, BlobDigest::of(&content));
        assert_eq!(spooled.len, content.len() as u64);
        assert_eq!(std::fs::read(&spooled.path).unwrap(), content);
        assert_eq!(
            digest_file(&spooled.path).await.unwrap(),
            (spooled.digest, spooled.len)
        );
        let path = spooled.path.clone();
        drop(spooled);
        assert!(!path.exists());

        let chunks = futures_util::stream::iter([
            Ok(Bytes::from_static(b"ab")),
            Ok(Bytes::from_static(b"c")),
        ]);
        let spooled = Spooled::from_stream(chunks).await.unwrap();
        assert_eq!(spooled.digest, BlobDigest::of(b"abc"));
    }
}
