//! `Json<T>` (serde types) and `serde_json::Value` ↔ `OBJECT`, `JSON`, arrays, `GEO_SHAPE`,
//! records: any CrateDB value can be read as JSON.

use serde::{Deserialize, Serialize};
use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;
use sqlx_core::types::{Json, Type};

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::{CrateDbValueRef, ValueFormat};
use crate::{CrateDb, CrateDbTypeInfo};

impl<T> Type<CrateDb> for Json<T> {
    fn type_info() -> CrateDbTypeInfo {
        CrateDbTypeInfo::Object
    }

    /// Every CrateDB value has a JSON form, so any column can be read as JSON.
    fn compatible(_ty: &CrateDbTypeInfo) -> bool {
        true
    }
}

impl<T: Serialize> Encode<'_, CrateDb> for Json<T> {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_json(&self.0)?;
        Ok(IsNull::No)
    }
}

impl<'r, T: Deserialize<'r>> Decode<'r, CrateDb> for Json<T> {
    fn decode(value: CrateDbValueRef<'r>) -> Result<Self, BoxDynError> {
        let parsed = match value.format {
            ValueFormat::Json | ValueFormat::Null => serde_json::from_slice(value.raw),
            ValueFormat::Text => {
                let text = value.text("Json<T>")?.into_owned();
                T::deserialize(serde_json::Value::String(text))
            }
        };
        parsed
            .map(Json)
            .map_err(|e| value.error(std::any::type_name::<T>(), e.to_string()))
    }
}
