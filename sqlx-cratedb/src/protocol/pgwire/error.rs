//! `ErrorResponse` / `NoticeResponse` fields → [`ServerError`] (the pgwire transport turns it
//! into the driver's `CrateDbDatabaseError`), and [`BadValue`]: a
//! text value that does not have its type's shape.
//!
//! CrateDB sends `S`, `M`, `C` (SQLSTATE), Java `F`/`R`/`L` and up to 20 stack frames in `W`;
//! never `P` (position), `D` or `H`. PostgreSQL sends more; the
//! detail and hint are appended to the message when present.

use std::fmt;

use fallible_iterator::FallibleIterator as _;

use super::backend::{ErrorFields, Message};
use crate::protocol::ProtocolError;

/// The parts of an `ErrorResponse` the driver keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerError {
    /// `ERROR`, `FATAL`, `PANIC` (the non-localized `V` when present, else `S`).
    pub(crate) severity: String,
    /// The SQLSTATE (`XX000` when the server sent none).
    pub(crate) sqlstate: String,
    /// The message, with the detail and hint appended when present.
    pub(crate) message: String,
}

impl ServerError {
    /// True when the server closes the connection after this error.
    pub(crate) fn is_fatal(&self) -> bool {
        matches!(self.severity.as_str(), "FATAL" | "PANIC")
    }
}

/// Reads the fields. Missing fields get defaults (SQLSTATE `XX000`, empty message); a
/// malformed field list is reported as such in the message rather than failing.
pub(crate) fn parse_fields(mut fields: ErrorFields<'_>) -> ServerError {
    let mut severity = None;
    let mut localized = None;
    let mut code = None;
    let mut message = None;
    let mut detail = None;
    let mut hint = None;
    loop {
        match fields.next() {
            Ok(Some(field)) => {
                let value = String::from_utf8_lossy(field.value_bytes()).into_owned();
                match field.type_() {
                    b'V' => severity = Some(value),
                    b'S' => localized = Some(value),
                    b'C' => code = Some(value),
                    b'M' => message = Some(value),
                    b'D' => detail = Some(value),
                    b'H' => hint = Some(value),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => {
                message.get_or_insert_with(|| format!("malformed ErrorResponse: {e}"));
                break;
            }
        }
    }
    let mut text = message.unwrap_or_default();
    if let Some(d) = detail {
        text.push_str("\nDETAIL: ");
        text.push_str(&d);
    }
    if let Some(h) = hint {
        text.push_str("\nHINT: ");
        text.push_str(&h);
    }
    ServerError {
        severity: severity.or(localized).unwrap_or_else(|| "ERROR".to_owned()),
        sqlstate: code.unwrap_or_else(|| "XX000".into()),
        message: text,
    }
}

/// A message that has no place in the current exchange (`during` names it).
pub(crate) fn unexpected(message: &Message, during: &str) -> ProtocolError {
    let name = match message {
        Message::CopyInResponse(_) | Message::CopyOutResponse(_) | Message::CopyData(_) => {
            "a COPY sub-protocol message (not supported)"
        }
        Message::ReadyForQuery(_) => "ReadyForQuery",
        Message::DataRow(_) => "DataRow",
        Message::NotificationResponse(_) => "NotificationResponse",
        _ => "a message",
    };
    ProtocolError::PgMessage(format!("unexpected {name} during {during}"))
}

/// A text value that does not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadValue {
    pub(crate) what: &'static str,
    pub(crate) excerpt: String,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} text `{}`", self.what, self.excerpt)
    }
}

pub(crate) fn bad(what: &'static str, raw: &[u8]) -> BadValue {
    BadValue {
        what,
        excerpt: String::from_utf8_lossy(&raw[..raw.len().min(64)]).into_owned(),
    }
}

impl From<BadValue> for ProtocolError {
    fn from(e: BadValue) -> Self {
        ProtocolError::PgValue(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;
    use sqlx_core::error::{DatabaseError as _, ErrorKind};

    use super::super::backend::Message;
    use super::*;
    use crate::error::CrateDbDatabaseError;

    fn db(e: &ServerError) -> CrateDbDatabaseError {
        e.clone().into()
    }

    fn error_response(fields: &[(u8, &str)]) -> BytesMut {
        let mut body = Vec::new();
        for (t, v) in fields {
            body.push(*t);
            body.extend_from_slice(v.as_bytes());
            body.push(0);
        }
        body.push(0);
        let mut buf = BytesMut::new();
        buf.extend_from_slice(b"E");
        buf.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_be_bytes());
        buf.extend_from_slice(&body);
        buf
    }

    fn parse_bytes(mut buf: BytesMut) -> ServerError {
        match Message::parse(&mut buf).unwrap().unwrap() {
            Message::ErrorResponse(body) => parse_fields(body.fields()),
            _ => panic!("not an ErrorResponse"),
        }
    }

    #[test]
    fn cratedb_error_without_position_is_classified_by_message() {
        // As CrateDB sends it: S, M, C, F/R/L, no P.
        let e = parse_bytes(error_response(&[
            (b'S', "ERROR"),
            (b'M', "\"name\" must not be null"),
            (b'C', "XX000"),
            (b'F', "Exceptions.java"),
            (b'R', "toPGError"),
            (b'L', "42"),
        ]));
        assert!(!e.is_fatal());
        assert_eq!(db(&e).sqlstate(), Some("XX000"));
        assert_eq!(db(&e).code().as_deref(), Some("XX000"));
        assert_eq!(db(&e).kind(), ErrorKind::NotNullViolation);
        assert_eq!(db(&e).to_string(), "[XX000] \"name\" must not be null");
    }

    #[test]
    fn sqlstate_decides_the_kind() {
        let dup = parse_bytes(error_response(&[
            (b'S', "ERROR"),
            (b'C', "23505"),
            (
                b'M',
                "DuplicateKeyException[A document with the same primary key exists already]",
            ),
        ]));
        assert_eq!(db(&dup).kind(), ErrorKind::UniqueViolation);
        let auth = parse_bytes(error_response(&[
            (b'S', "FATAL"),
            (b'V', "FATAL"),
            (b'C', "28P01"),
            (b'M', "password authentication failed for user \"x\""),
            (b'D', "detail"),
        ]));
        assert!(auth.is_fatal());
        assert!(db(&auth).is_authentication_error());
        assert!(db(&auth).message().ends_with("\nDETAIL: detail"));
        let missing = parse_bytes(error_response(&[]));
        assert_eq!(db(&missing).sqlstate(), Some("XX000"));
    }
}
