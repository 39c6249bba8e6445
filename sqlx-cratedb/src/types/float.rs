//! `f32` ↔ `REAL`, `f64` ↔ `DOUBLE PRECISION` (also reads `REAL` and `NUMERIC`).
//! NaN and infinities travel as CrateDB's strings `"NaN"`, `"Infinity"`, `"-Infinity"`.

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::{impl_type, parse_f64};
use crate::{CrateDb, CrateDbTypeInfo};

use CrateDbTypeInfo::{Double, Numeric, Real};

impl_type!(f32, [Real], Real);
impl_type!(f64, [Real, Double, Numeric], Double);

impl Encode<'_, CrateDb> for f32 {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_f32(*self);
        Ok(IsNull::No)
    }
}

impl Encode<'_, CrateDb> for f64 {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_f64(*self);
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for f64 {
    #[inline]
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        parse_f64(&value, "f64")
    }
}

impl Decode<'_, CrateDb> for f32 {
    #[inline]
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let text = value.raw;
        let text = text
            .strip_prefix(b"\"")
            .and_then(|r| r.strip_suffix(b"\""))
            .unwrap_or(text);
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse::<f32>().ok())
            .ok_or_else(|| value.error("f32", "not a number"))
    }
}
