//! `TIME WITH TIME ZONE` ↔ [`CrateDbTimeTz`]: CrateDB answers
//! `[microseconds_since_midnight, offset_seconds]`; bound values go out as `HH:MM:SS.ffffff+HH:MM`.

use std::fmt::{self, Display, Formatter};

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::impl_type;
use crate::{CrateDb, CrateDbTypeInfo};

/// A time of day with a UTC offset (east of UTC is positive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CrateDbTimeTz {
    /// Microseconds since midnight.
    pub microseconds: i64,
    /// Offset from UTC in seconds.
    pub offset_seconds: i32,
}

impl CrateDbTimeTz {
    /// As a chrono time and offset.
    #[cfg(feature = "chrono")]
    pub fn to_chrono(&self) -> Option<(chrono::NaiveTime, chrono::FixedOffset)> {
        let secs = u32::try_from(self.microseconds / 1_000_000).ok()?;
        let nanos = u32::try_from((self.microseconds % 1_000_000) * 1_000).ok()?;
        Some((
            chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)?,
            chrono::FixedOffset::east_opt(self.offset_seconds)?,
        ))
    }

    /// From a chrono time and offset.
    #[cfg(feature = "chrono")]
    pub fn from_chrono(time: chrono::NaiveTime, offset: chrono::FixedOffset) -> Self {
        use chrono::Timelike as _;
        Self {
            microseconds: i64::from(time.num_seconds_from_midnight()) * 1_000_000
                + i64::from(time.nanosecond() / 1_000),
            offset_seconds: offset.local_minus_utc(),
        }
    }
}

impl Display for CrateDbTimeTz {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let us = self.microseconds.unsigned_abs();
        let secs = us / 1_000_000;
        write!(
            f,
            "{:02}:{:02}:{:02}.{:06}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            us % 1_000_000
        )?;
        let sign = if self.offset_seconds < 0 { '-' } else { '+' };
        let off = self.offset_seconds.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", off / 3600, (off / 60) % 60)
    }
}

impl_type!(
    CrateDbTimeTz,
    [CrateDbTypeInfo::TimeTz],
    CrateDbTypeInfo::TimeTz
);

impl Encode<'_, CrateDb> for CrateDbTimeTz {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(&self.to_string());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for CrateDbTimeTz {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let (microseconds, offset_seconds): (i64, i32) = serde_json::from_slice(value.raw)
            .map_err(|e| value.error("CrateDbTimeTz", e.to_string()))?;
        Ok(Self {
            microseconds,
            offset_seconds,
        })
    }
}

super::array::element!(CrateDbTimeTz);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timetz_text() {
        let t = CrateDbTimeTz {
            microseconds: 46_800_000_000 + 1_500,
            offset_seconds: 3600,
        };
        assert_eq!(t.to_string(), "13:00:00.001500+01:00");
    }
}
