//! `uuid::Uuid` ↔ `UUID` (text on the wire; CrateDB 6.2+, or any `TEXT` column).

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;
use uuid::Uuid;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::impl_type;
use crate::{CrateDb, CrateDbTypeInfo};

impl_type!(
    Uuid,
    [CrateDbTypeInfo::Uuid, CrateDbTypeInfo::Text],
    CrateDbTypeInfo::Uuid
);

impl Encode<'_, CrateDb> for Uuid {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(self.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for Uuid {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        Uuid::parse_str(&value.text("Uuid")?).map_err(|e| value.error("Uuid", e.to_string()))
    }
}
