//! `rust_decimal::Decimal` ↔ `NUMERIC(p, s)`.
//!
//! Encoded as a JSON string (exact; CrateDB casts it to the column's numeric type, as
//! crate-python does). Decoded from the exact digits of the JSON number, never through a float.
//! Note that CrateDB's JSON output itself may already have lost precision beyond 15–17 digits.

use std::str::FromStr;

use rust_decimal::Decimal;
use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::{CrateDbValueRef, ValueFormat};
use crate::types::impl_type;
use crate::{CrateDb, CrateDbTypeInfo};

use CrateDbTypeInfo::{Bigint, Byte, Double, Integer, Numeric, Real, Smallint, Text};

impl_type!(
    Decimal,
    [Numeric, Double, Real, Byte, Smallint, Integer, Bigint, Text],
    Numeric
);

impl Encode<'_, CrateDb> for Decimal {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(&self.to_string());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for Decimal {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let text = match value.format {
            ValueFormat::Json if value.raw.first() != Some(&b'"') => std::str::from_utf8(value.raw)
                .map_err(|_| value.error("Decimal", "invalid UTF-8"))?
                .to_owned(),
            _ => value.text("Decimal")?.into_owned(),
        };
        if text.contains(['e', 'E']) {
            Decimal::from_scientific(&text)
        } else {
            Decimal::from_str(&text)
        }
        .map_err(|e| value.error("Decimal", e.to_string()))
    }
}
