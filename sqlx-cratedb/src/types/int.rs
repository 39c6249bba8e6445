//! Integers ↔ `BYTE`, `SMALLINT`, `INTEGER`, `BIGINT`. Unsigned types encode only (widened;
//! `u64` checked), since CrateDB has no unsigned columns.

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;
use sqlx_core::types::Type;

use crate::error::EncodeError;
use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::{impl_type, parse_i64};
use crate::{CrateDb, CrateDbTypeInfo};

use CrateDbTypeInfo::{Bigint, Byte, Integer, Regclass, Smallint};

impl_type!(i8, [Byte], Byte);
impl_type!(i16, [Byte, Smallint], Smallint);
impl_type!(i32, [Byte, Smallint, Integer], Integer);
impl_type!(i64, [Byte, Smallint, Integer, Bigint, Regclass], Bigint);

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl Encode<'_, CrateDb> for $t {
            fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
                buf.push_i64(i64::from(*self));
                Ok(IsNull::No)
            }
        }

        impl Decode<'_, CrateDb> for $t {
            #[inline]
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
                let n = parse_i64(&value, stringify!($t))?;
                <$t>::try_from(n).map_err(|_| value.error(stringify!($t), "out of range"))
            }
        }
    )*};
}
signed!(i8, i16, i32, i64);

macro_rules! unsigned {
    ($($t:ty => $as:ty),*) => {$(
        impl Type<CrateDb> for $t {
            fn type_info() -> CrateDbTypeInfo {
                <$as as Type<CrateDb>>::type_info()
            }
        }

        impl Encode<'_, CrateDb> for $t {
            fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
                buf.push_i64(i64::from(*self));
                Ok(IsNull::No)
            }
        }
    )*};
}
unsigned!(u8 => i16, u16 => i32, u32 => i64);

impl Type<CrateDb> for u64 {
    fn type_info() -> CrateDbTypeInfo {
        Bigint
    }
}

impl Encode<'_, CrateDb> for u64 {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let v = i64::try_from(*self).map_err(|_| EncodeError::U64OutOfRange(*self))?;
        buf.push_i64(v);
        Ok(IsNull::No)
    }
}
