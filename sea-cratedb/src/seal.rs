//! Sealed tokens: structure that has to travel through a sea-query string slot (a `DynIden`, a
//! column's custom type or comment) without being representable by a plain string.
//!
//! sea-query stores identifiers and a few clauses as strings. A [`Path`](crate::expr::Path) or a
//! name rejected at construction time is carried in such a slot as a token: a marker, a tag
//! and a payload. The tag is a keyed hash (`SipHash` with a key drawn at random once per process)
//! of the payload, so only this process can make a token; a name that merely looks like one
//! fails the check and is treated as a plain (and, with its control character, invalid) name.

use std::{
    fmt::Write as _,
    hash::{BuildHasher, RandomState},
    sync::OnceLock,
};

/// The first character of every token (a control character, so no valid name starts with it).
const MARK: char = '\u{1}';
/// Hex digits of the tag (two 64-bit hashes).
const TAG_LEN: usize = 32;

fn key() -> &'static RandomState {
    static KEY: OnceLock<RandomState> = OnceLock::new();
    KEY.get_or_init(RandomState::new)
}

fn tag(kind: u8, payload: &str) -> [u64; 2] {
    let key = key();
    [
        key.hash_one((0_u8, kind, payload)),
        key.hash_one((1_u8, kind, payload)),
    ]
}

/// What a token carries (part of the tagged data, so one kind cannot pass for another).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A subscript path (`Path::encode`).
    Path = 1,
    /// A name rejected when a clause was built; reported again when the statement renders.
    RejectedName = 2,
}

/// Seals `payload`: `MARK`, the kind, the tag in hex, then the payload.
pub(crate) fn seal(kind: Kind, payload: &str) -> String {
    let [a, b] = tag(kind as u8, payload);
    let mut token = String::with_capacity(payload.len() + TAG_LEN + 2);
    token.push(MARK);
    token.push(char::from(b'0' + kind as u8));
    let _ = write!(token, "{a:016x}{b:016x}");
    token.push_str(payload);
    token
}

/// The payload of a genuine token of this kind, or `None` for any other string.
pub(crate) fn open(kind: Kind, token: &str) -> Option<&str> {
    let rest = token.strip_prefix(MARK)?;
    let rest = rest.strip_prefix(char::from(b'0' + kind as u8))?;
    let (hex, payload) = (rest.get(..TAG_LEN)?, rest.get(TAG_LEN..)?);
    let [a, b] = tag(kind as u8, payload);
    let expected = format!("{a:016x}{b:016x}");
    (hex == expected).then_some(payload)
}

/// Whether `text` might be a token (cheap test before [`open`]).
pub(crate) fn maybe_token(text: &str) -> bool {
    text.starts_with(MARK)
}

/// Renders `render` into a string while collecting the names it rejects; returns the text
/// and, when a name was rejected, a sealed token for it (see [`report_rejected`]).
///
/// Clauses rendered when they are built (table options, fulltext indexes, object types) use
/// this: their text goes into a sea-query string slot, the token into the comment slot next to
/// it, which CrateDB rendering never writes.
pub(crate) fn render_collecting(render: impl FnOnce(&mut String)) -> (String, Option<String>) {
    let mut sql = String::new();
    let result = crate::report::checked(|| render(&mut sql));
    let token = match result {
        Err(crate::Error::InvalidName(rejected)) => Some(seal(Kind::RejectedName, rejected.name())),
        _ => None,
    };
    (sql, token)
}

/// Reports the name sealed in `comment` by [`render_collecting`], if there is one.
pub(crate) fn report_rejected(comment: Option<&String>) {
    let Some(name) = comment.and_then(|c| open(Kind::RejectedName, c)) else {
        return;
    };
    if let Err(error) = crate::write::name::validate_name(name) {
        crate::report::report(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sealed_tokens_open() {
        let token = seal(Kind::Path, "payload");
        assert_eq!(open(Kind::Path, &token), Some("payload"));
        assert_eq!(open(Kind::RejectedName, &token), None);
        let forged = token.replace("payload", "payloae");
        assert_eq!(open(Kind::Path, &forged), None);
        assert_eq!(open(Kind::Path, "\u{1}1"), None);
        assert_eq!(open(Kind::Path, "plain"), None);
    }
}
