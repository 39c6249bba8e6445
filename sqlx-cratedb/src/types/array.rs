//! `Vec<T>` / `&[T]` ↔ `ARRAY(T)` (nested arrays nest), and `Vec<f32>` ↔ `FLOAT_VECTOR(n)`.

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;
use sqlx_core::types::Type;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::{CrateDb, CrateDbTypeInfo};

/// Types that can be elements of a CrateDB array (`Vec<T>`, `&[T]`).
pub trait CrateDbHasArrayType: Type<CrateDb> {}

static REAL: CrateDbTypeInfo = CrateDbTypeInfo::Real;
static UNKNOWN: CrateDbTypeInfo = CrateDbTypeInfo::Unknown(-1);

fn array_compatible<T: Type<CrateDb>>(ty: &CrateDbTypeInfo) -> bool {
    match ty {
        CrateDbTypeInfo::Array(inner) => {
            matches!(**inner, CrateDbTypeInfo::Null | CrateDbTypeInfo::Unknown(_))
                || T::compatible(inner)
        }
        CrateDbTypeInfo::FloatVector => T::compatible(&CrateDbTypeInfo::Real),
        // CrateDB sends a nested array (`array(array(…))`) over pgwire as `json`; its elements
        // are read by shape (a JSON object there fails to decode as an array).
        CrateDbTypeInfo::Unknown(_) | CrateDbTypeInfo::Object | CrateDbTypeInfo::Json => true,
        _ => false,
    }
}

macro_rules! array_type {
    ($($t:ty),*) => {$(
        impl<T: CrateDbHasArrayType> Type<CrateDb> for $t {
            fn type_info() -> CrateDbTypeInfo {
                CrateDbTypeInfo::array_of(T::type_info())
            }

            fn compatible(ty: &CrateDbTypeInfo) -> bool {
                array_compatible::<T>(ty)
            }
        }
    )*};
}
array_type!(Vec<T>, [T]);

impl<T: CrateDbHasArrayType, const N: usize> Type<CrateDb> for [T; N] {
    fn type_info() -> CrateDbTypeInfo {
        CrateDbTypeInfo::array_of(T::type_info())
    }

    fn compatible(ty: &CrateDbTypeInfo) -> bool {
        array_compatible::<T>(ty)
    }
}

impl<T: CrateDbHasArrayType> CrateDbHasArrayType for Vec<T> {}
impl<T: CrateDbHasArrayType> CrateDbHasArrayType for Option<T> {}

fn encode_slice<'q, T: Encode<'q, CrateDb>>(
    items: &[T],
    buf: &mut CrateDbArgumentBuffer,
) -> Result<IsNull, BoxDynError> {
    buf.push_bytes(b"[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            buf.push_bytes(b",");
        }
        let mark = buf.len();
        if let IsNull::Yes = item.encode_by_ref(buf)? {
            buf.truncate(mark);
            buf.push_bytes(b"null");
        }
    }
    buf.push_bytes(b"]");
    Ok(IsNull::No)
}

impl<'q, T: Encode<'q, CrateDb> + CrateDbHasArrayType> Encode<'q, CrateDb> for Vec<T> {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        encode_slice(self, buf)
    }
}

impl<'q, T: Encode<'q, CrateDb> + CrateDbHasArrayType> Encode<'q, CrateDb> for &'_ [T] {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        encode_slice(self, buf)
    }
}

impl<'q, T: Encode<'q, CrateDb> + CrateDbHasArrayType, const N: usize> Encode<'q, CrateDb>
    for [T; N]
{
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        encode_slice(self, buf)
    }
}

impl<'r, T> Decode<'r, CrateDb> for Vec<T>
where
    T: Decode<'r, CrateDb> + CrateDbHasArrayType,
{
    fn decode(value: CrateDbValueRef<'r>) -> Result<Self, BoxDynError> {
        let element: &'r CrateDbTypeInfo = match value.type_info {
            CrateDbTypeInfo::Array(inner) => inner,
            CrateDbTypeInfo::FloatVector => &REAL,
            _ => &UNKNOWN,
        };
        let elements = value.elements(element, "Vec<T>")?;
        let mut out = Vec::new();
        for (i, item) in elements.enumerate() {
            out.push(
                T::decode(item).map_err(|e| value.error("Vec<T>", format!("element {i}: {e}")))?,
            );
        }
        Ok(out)
    }
}

/// Marks types that can be array elements: `element!(T, U)`. The driver's own CrateDB types
/// mark themselves in their files, next to their `Type` impls.
macro_rules! element {
    ($($t:ty),*) => {$( impl $crate::types::array::CrateDbHasArrayType for $t {} )*};
}
pub(crate) use element;

element!(
    bool,
    i8,
    i16,
    i32,
    i64,
    f32,
    f64,
    String,
    &'_ str,
    std::borrow::Cow<'_, str>
);
#[cfg(feature = "json")]
element!(serde_json::Value);
#[cfg(feature = "json")]
impl<T> CrateDbHasArrayType for sqlx_core::types::Json<T> {}
#[cfg(feature = "chrono")]
element!(
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::FixedOffset>,
    chrono::NaiveDateTime,
    chrono::NaiveDate,
    chrono::NaiveTime
);
#[cfg(feature = "chrono-tz")]
element!(chrono::DateTime<chrono_tz::Tz>);
#[cfg(feature = "time")]
element!(
    time::OffsetDateTime,
    time::PrimitiveDateTime,
    time::Date,
    time::Time
);
#[cfg(feature = "uuid")]
element!(uuid::Uuid);
#[cfg(feature = "rust_decimal")]
element!(rust_decimal::Decimal);
