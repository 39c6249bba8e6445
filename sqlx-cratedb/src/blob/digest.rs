//! [`BlobDigest`]: the SHA-1 digest that names a blob, and computing one as data goes by.

use std::fmt;
use std::str::FromStr;

use sha1::{Digest as _, Sha1};

/// The SHA-1 digest of a blob's content: its name in a blob table (40 lowercase hex digits).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobDigest([u8; 20]);

impl BlobDigest {
    /// The digest of `content`.
    pub fn of(content: &[u8]) -> Self {
        let mut hasher = BlobHasher::default();
        hasher.update(content);
        hasher.finish()
    }

    /// Parses 40 hex digits (either case).
    ///
    /// # Errors
    /// [`InvalidBlobDigest`] for anything else.
    pub fn from_hex(hex: &str) -> Result<Self, InvalidBlobDigest> {
        let invalid = || InvalidBlobDigest(hex.chars().take(64).collect());
        let bytes = hex.as_bytes();
        if bytes.len() != 40 {
            return Err(invalid());
        }
        let mut out = [0u8; 20];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let high = hex_value(pair[0]).ok_or_else(invalid)?;
            let low = hex_value(pair[1]).ok_or_else(invalid)?;
            out[i] = high << 4 | low;
        }
        Ok(Self(out))
    }

    /// The 20 digest bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The 40 lowercase hex digits, as the `/_blobs` URL and `blob.<table>.digest` spell it.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for BlobDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for BlobDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobDigest({self})")
    }
}

/// Text that is not a SHA-1 digest (40 hex digits); holds the text, cut at 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid blob digest {0:?}: a SHA-1 digest is 40 hex digits")]
pub struct InvalidBlobDigest(pub String);

impl FromStr for BlobDigest {
    type Err = InvalidBlobDigest;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s)
    }
}

/// Computes a [`BlobDigest`] over content fed in pieces.
#[derive(Default, Clone)]
pub(crate) struct BlobHasher {
    sha1: Sha1,
    len: u64,
}

impl BlobHasher {
    /// Feeds the next piece of content.
    pub(crate) fn update(&mut self, piece: &[u8]) {
        self.sha1.update(piece);
        self.len += piece.len() as u64;
    }

    /// Bytes fed so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The digest of everything fed.
    pub(crate) fn finish(self) -> BlobDigest {
        BlobDigest(self.sha1.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_sha1_values_and_round_trip() {
        // SHA-1 of "" and "abc" (FIPS 180 test vectors).
        assert_eq!(
            BlobDigest::of(b"").to_hex(),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        let abc = BlobDigest::of(b"abc");
        assert_eq!(abc.to_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(BlobDigest::from_hex(&abc.to_hex()).unwrap(), abc);
        assert_eq!(
            "A9993E364706816ABA3E25717850C26C9CD0D89D"
                .parse::<BlobDigest>()
                .unwrap(),
            abc
        );
        let mut pieces = BlobHasher::default();
        pieces.update(b"a");
        pieces.update(b"bc");
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces.finish(), abc);
    }

    #[test]
    fn anything_but_forty_hex_digits_is_refused() {
        for bad in [
            "",
            "abc",
            &"g".repeat(40),
            &"a".repeat(41),
            "../../_sql?x=1aaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(BlobDigest::from_hex(bad).is_err(), "{bad}");
        }
    }
}
