//! `bool` ↔ `BOOLEAN`.

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::{CrateDbValueRef, ValueFormat};
use crate::types::impl_type;
use crate::{CrateDb, CrateDbTypeInfo};

impl_type!(bool, [CrateDbTypeInfo::Boolean], CrateDbTypeInfo::Boolean);

impl Encode<'_, CrateDb> for bool {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_bytes(if *self { b"true" } else { b"false" });
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for bool {
    #[inline]
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        match (value.format, value.raw) {
            (ValueFormat::Json, b"true") => Ok(true),
            (ValueFormat::Json, b"false") => Ok(false),
            _ => Err(value.error("bool", "expected true or false")),
        }
    }
}
