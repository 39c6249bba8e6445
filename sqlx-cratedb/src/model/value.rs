//! [`CrateDbValue`] and [`CrateDbValueRef`]: one value of a row, as raw JSON plus its type.

use std::borrow::Cow;

use bytes::Bytes;
use sqlx_core::error::BoxDynError;
use sqlx_core::value::{Value, ValueRef};

use crate::database::CrateDb;
use crate::error::DecodeError;
use crate::protocol::json::{self, CellKind};
use crate::protocol::type_info::CrateDbTypeInfo;

/// How the bytes of a value are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueFormat {
    /// SQL NULL.
    Null,
    /// Unescaped string content (a top-level text cell).
    Text,
    /// Raw JSON (numbers, literals, quoted strings inside arrays, arrays, objects).
    Json,
}

impl From<CellKind> for ValueFormat {
    fn from(kind: CellKind) -> Self {
        match kind {
            CellKind::Null => Self::Null,
            CellKind::Text | CellKind::EscapedText => Self::Text,
            CellKind::Json => Self::Json,
        }
    }
}

/// A borrowed value of a row, decoded lazily by its CrateDB type.
#[derive(Debug, Clone, Copy)]
pub struct CrateDbValueRef<'r> {
    pub(crate) type_info: &'r CrateDbTypeInfo,
    pub(crate) raw: &'r [u8],
    pub(crate) format: ValueFormat,
}

impl<'r> CrateDbValueRef<'r> {
    #[inline]
    pub(crate) fn new(type_info: &'r CrateDbTypeInfo, raw: &'r [u8], format: ValueFormat) -> Self {
        let format = if format == ValueFormat::Json && raw == b"null" {
            ValueFormat::Null
        } else {
            format
        };
        Self {
            type_info,
            raw,
            format,
        }
    }

    /// The CrateDB type of the value.
    pub fn type_info_ref(&self) -> &'r CrateDbTypeInfo {
        self.type_info
    }

    /// The raw bytes: JSON text, or the unescaped content of a string.
    pub fn as_bytes(&self) -> &'r [u8] {
        self.raw
    }

    /// How to read [`as_bytes`](Self::as_bytes): `true` when they are raw JSON (a number,
    /// `true` / `false`, a quoted string, an array or an object), `false` when they are the
    /// unescaped content of a text value, or the value is NULL. Both transports deliver
    /// values in this one shape, so a reader working on the raw bytes (such as the Arrow
    /// reader of `sqlx-cratedb-arrow`) needs no per-transport code.
    pub fn is_json(&self) -> bool {
        self.format == ValueFormat::Json
    }

    /// A decode error naming the CrateDB type, the Rust type and the value.
    pub(crate) fn error(
        &self,
        rust: &'static str,
        reason: impl Into<Cow<'static, str>>,
    ) -> BoxDynError {
        DecodeError::value(self.type_info, rust, self.raw, reason)
    }

    /// The value as a string: a text cell as it is, a quoted JSON string unescaped.
    #[inline]
    pub(crate) fn text(&self, rust: &'static str) -> Result<Cow<'r, str>, BoxDynError> {
        match self.format {
            ValueFormat::Text => std::str::from_utf8(self.raw)
                .map(Cow::Borrowed)
                .map_err(|_| self.error(rust, "invalid UTF-8")),
            ValueFormat::Json if self.raw.first() == Some(&b'"') => {
                // A lone `"` (a malformed server value) has no inner part.
                let Some(inner) = self.raw.get(1..self.raw.len() - 1) else {
                    return Err(self.error(rust, "unterminated JSON string"));
                };
                if memchr::memchr(b'\\', inner).is_none() {
                    std::str::from_utf8(inner)
                        .map(Cow::Borrowed)
                        .map_err(|_| self.error(rust, "invalid UTF-8"))
                } else {
                    json::unescape_quoted(self.raw)
                        .map(Cow::Owned)
                        .map_err(|e| self.error(rust, e.to_string()))
                }
            }
            ValueFormat::Json => Err(self.error(rust, "expected a JSON string")),
            ValueFormat::Null => Err(self.error(rust, "unexpected NULL")),
        }
    }

    /// The elements of an array value, each typed by `element`.
    pub(crate) fn elements(
        &self,
        element: &'r CrateDbTypeInfo,
        rust: &'static str,
    ) -> Result<impl Iterator<Item = CrateDbValueRef<'r>> + 'r, BoxDynError> {
        if self.format != ValueFormat::Json {
            return Err(self.error(rust, "expected a JSON array"));
        }
        let raw = self.raw;
        let spans = json::split_array(raw).map_err(|e| self.error(rust, e.to_string()))?;
        Ok(spans
            .into_iter()
            .map(move |(s, e)| CrateDbValueRef::new(element, &raw[s..e], ValueFormat::Json)))
    }
}

impl<'r> ValueRef<'r> for CrateDbValueRef<'r> {
    type Database = CrateDb;

    fn to_owned(&self) -> CrateDbValue {
        CrateDbValue {
            type_info: self.type_info.clone(),
            raw: Bytes::copy_from_slice(self.raw),
            format: self.format,
        }
    }

    fn type_info(&self) -> Cow<'_, CrateDbTypeInfo> {
        Cow::Borrowed(self.type_info)
    }

    #[inline]
    fn is_null(&self) -> bool {
        self.format == ValueFormat::Null
    }
}

/// An owned value, detached from its row.
#[derive(Debug, Clone)]
pub struct CrateDbValue {
    pub(crate) type_info: CrateDbTypeInfo,
    pub(crate) raw: Bytes,
    pub(crate) format: ValueFormat,
}

impl Value for CrateDbValue {
    type Database = CrateDb;

    fn as_ref(&self) -> CrateDbValueRef<'_> {
        CrateDbValueRef {
            type_info: &self.type_info,
            raw: &self.raw,
            format: self.format,
        }
    }

    fn type_info(&self) -> Cow<'_, CrateDbTypeInfo> {
        Cow::Borrowed(&self.type_info)
    }

    fn is_null(&self) -> bool {
        self.format == ValueFormat::Null
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_json_tells_raw_json_from_text_content_and_null() {
        let text = CrateDbTypeInfo::Text;
        assert!(CrateDbValueRef::new(&text, b"\"a\"", ValueFormat::Json).is_json());
        assert!(!CrateDbValueRef::new(&text, b"a", ValueFormat::Text).is_json());
        // A JSON `null` is NULL, not JSON.
        assert!(!CrateDbValueRef::new(&text, b"null", ValueFormat::Json).is_json());
    }
}
