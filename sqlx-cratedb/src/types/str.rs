//! Strings ↔ `TEXT`, `VARCHAR(n)`, `CHARACTER(n)` (and the textual `IP`, `UUID`, `INTERVAL`,
//! `BIT`, `REGPROC`, `REGTYPE`; `String` also reads `NUMERIC` as its exact decimal text).
//!
//! `Vec<u8>` / `&[u8]`: CrateDB has no binary type; bytes travel as base64 text.

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine as _;
use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;
use sqlx_core::types::Type;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::{CrateDbValueRef, ValueFormat};
use crate::types::compatible_with;
use crate::{CrateDb, CrateDbTypeInfo};

#[inline]
fn text_compatible(ty: &CrateDbTypeInfo) -> bool {
    ty.is_textual() || compatible_with(ty, &[CrateDbTypeInfo::Numeric])
}

macro_rules! text_type {
    ($($t:ty),*) => {$(
        impl Type<CrateDb> for $t {
            fn type_info() -> CrateDbTypeInfo {
                CrateDbTypeInfo::Text
            }

            #[inline]
    fn compatible(ty: &CrateDbTypeInfo) -> bool {
                text_compatible(ty)
            }
        }
    )*};
}
text_type!(str, String, char);

macro_rules! encode_as_str {
    ($($t:ty),*) => {$(
        impl Encode<'_, CrateDb> for $t {
            fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
                buf.push_str(AsRef::<str>::as_ref(self));
                Ok(IsNull::No)
            }
        }
    )*};
}
encode_as_str!(&'_ str, String, Cow<'_, str>, Box<str>, Arc<str>);

impl Encode<'_, CrateDb> for char {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(self.encode_utf8(&mut [0; 4]));
        Ok(IsNull::No)
    }
}

/// The value as text: a string's content, or the number text of a `NUMERIC`.
#[inline]
fn cow<'r>(value: &CrateDbValueRef<'r>, rust: &'static str) -> Result<Cow<'r, str>, BoxDynError> {
    if value.format == ValueFormat::Json
        && value.raw.first() != Some(&b'"')
        && *value.type_info == CrateDbTypeInfo::Numeric
    {
        return std::str::from_utf8(value.raw)
            .map(Cow::Borrowed)
            .map_err(|_| value.error(rust, "invalid UTF-8"));
    }
    value.text(rust)
}

impl<'r> Decode<'r, CrateDb> for &'r str {
    #[inline]
    fn decode(value: CrateDbValueRef<'r>) -> Result<Self, BoxDynError> {
        match cow(&value, "&str")? {
            Cow::Borrowed(s) => Ok(s),
            Cow::Owned(_) => Err(value.error(
                "&str",
                "this string contains escapes and cannot be borrowed; decode it as String",
            )),
        }
    }
}

impl Decode<'_, CrateDb> for String {
    #[inline]
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        cow(&value, "String").map(Cow::into_owned)
    }
}

impl Decode<'_, CrateDb> for char {
    #[inline]
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let s = cow(&value, "char")?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(value.error("char", "expected exactly one character")),
        }
    }
}

macro_rules! bytes_type {
    ($($t:ty),*) => {$(
        impl Type<CrateDb> for $t {
            fn type_info() -> CrateDbTypeInfo {
                CrateDbTypeInfo::Text
            }

            #[inline]
    fn compatible(ty: &CrateDbTypeInfo) -> bool {
                compatible_with(ty, &[CrateDbTypeInfo::Text])
            }
        }

    )*};
}
bytes_type!([u8], Vec<u8>);

impl Encode<'_, CrateDb> for &'_ [u8] {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(&base64::engine::general_purpose::STANDARD.encode(self));
        Ok(IsNull::No)
    }
}

impl Encode<'_, CrateDb> for Vec<u8> {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(&base64::engine::general_purpose::STANDARD.encode(self));
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for Vec<u8> {
    #[inline]
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let text = value.text("Vec<u8>")?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| value.error("Vec<u8>", e.to_string()))
    }
}
