//! What the type modules share: the `Type` impl macro, the compatibility check and number
//! parsing from raw JSON.

use sqlx_core::error::BoxDynError;

use crate::model::value::{CrateDbValueRef, ValueFormat};
use crate::protocol::type_info::CrateDbTypeInfo;

/// True when `ty` is one of `accepted`, or a type this driver does not know (decoded by shape).
pub(crate) fn compatible_with(ty: &CrateDbTypeInfo, accepted: &[CrateDbTypeInfo]) -> bool {
    matches!(ty, CrateDbTypeInfo::Unknown(_)) || accepted.contains(ty)
}

/// Parses an integer from raw JSON digits.
#[inline]
pub(crate) fn parse_i64(
    value: &CrateDbValueRef<'_>,
    rust: &'static str,
) -> Result<i64, BoxDynError> {
    if value.format != ValueFormat::Json {
        return Err(value.error(rust, "expected a JSON number"));
    }
    let raw = value.raw;
    let (neg, digits) = match raw.split_first() {
        Some((b'-', tail)) => (true, tail),
        _ => (false, raw),
    };
    if digits.is_empty() || digits.len() > 19 {
        return parse_i64_slow(value, rust);
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return parse_i64_slow(value, rust);
        }
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(d - b'0')))
        {
            Some(n) => n,
            // `i64::MIN` overflows the positive accumulator; the slow path handles it.
            None => return parse_i64_slow(value, rust),
        };
    }
    Ok(if neg { -n } else { n })
}

/// Handles `-9223372036854775808` and integral floats like `3.0` or `1e3`.
fn parse_i64_slow(value: &CrateDbValueRef<'_>, rust: &'static str) -> Result<i64, BoxDynError> {
    let text = std::str::from_utf8(value.raw).map_err(|_| value.error(rust, "invalid UTF-8"))?;
    if let Ok(n) = text.parse::<i64>() {
        return Ok(n);
    }
    let f: f64 = text
        .parse()
        .map_err(|_| value.error(rust, "not a number"))?;
    if f.fract() == 0.0 && text.bytes().all(|b| b == b'-' || b.is_ascii_digit()) {
        return Err(value.error(rust, "out of range"));
    }
    if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
    {
        // Checked above: integral and within i64's range.
        #[allow(clippy::cast_possible_truncation)]
        Ok(f as i64)
    } else {
        Err(value.error(rust, "not an integer"))
    }
}

/// Parses a float from a JSON number or CrateDB's `"NaN"` / `"Infinity"` strings.
#[inline]
pub(crate) fn parse_f64(
    value: &CrateDbValueRef<'_>,
    rust: &'static str,
) -> Result<f64, BoxDynError> {
    if value.format == ValueFormat::Null {
        return Err(value.error(rust, "unexpected NULL"));
    }
    let raw = value.raw;
    let raw = raw
        .strip_prefix(b"\"")
        .and_then(|r| r.strip_suffix(b"\""))
        .unwrap_or(raw);
    let text = std::str::from_utf8(raw).map_err(|_| value.error(rust, "invalid UTF-8"))?;
    text.parse::<f64>()
        .map_err(|_| value.error(rust, "not a number"))
}

/// Implements `Type`: the default type info and the accepted column types (as patterns).
macro_rules! impl_type {
    ($t:ty, [$($accepted:pat),+ $(,)?], $info:expr) => {
        impl sqlx_core::types::Type<$crate::CrateDb> for $t {
            fn type_info() -> $crate::CrateDbTypeInfo {
                $info
            }

            #[inline]
            fn compatible(ty: &$crate::CrateDbTypeInfo) -> bool {
                matches!(ty, $($accepted)|+ | $crate::CrateDbTypeInfo::Unknown(_))
            }
        }
    };
}
pub(crate) use impl_type;

/// Decoding from raw JSON and encoding to it, for the unit tests of the type modules.
#[cfg(test)]
pub(crate) mod test_values {
    use sqlx_core::decode::Decode;
    use sqlx_core::encode::{Encode, IsNull};

    use super::{CrateDbTypeInfo, CrateDbValueRef, ValueFormat};
    use crate::{CrateDb, CrateDbArgumentBuffer};

    /// `raw` JSON of a column of type `ty`, decoded as `T` (panics on failure).
    pub(crate) fn decode<T: for<'r> Decode<'r, CrateDb>>(ty: &CrateDbTypeInfo, raw: &str) -> T {
        T::decode(CrateDbValueRef::new(ty, raw.as_bytes(), ValueFormat::Json)).unwrap()
    }

    /// The JSON `value` encodes to (panics on failure or NULL).
    pub(crate) fn encode<'q, T: Encode<'q, CrateDb>>(value: &T) -> String {
        let mut buf = CrateDbArgumentBuffer::default();
        assert!(matches!(value.encode_by_ref(&mut buf).unwrap(), IsNull::No));
        String::from_utf8(buf.as_bytes().to_vec()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(raw: &str) -> Result<i64, String> {
        let v = CrateDbValueRef::new(&CrateDbTypeInfo::Bigint, raw.as_bytes(), ValueFormat::Json);
        parse_i64(&v, "i64").map_err(|e| e.to_string())
    }

    #[test]
    fn integers_parse_at_the_edges() {
        assert_eq!(int("0"), Ok(0));
        assert_eq!(int("-1"), Ok(-1));
        assert_eq!(int("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(int("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(int("1e3"), Ok(1000));
        assert_eq!(int("3.0"), Ok(3));
        assert!(
            int("9223372036854775808")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(
            int("99999999999999999999")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(int("3.5").unwrap_err().contains("not an integer"));
        assert!(int("abc").is_err());
        assert!(int("").is_err());
    }
}
