//! The `time` crate ↔ `TIMESTAMP WITH TIME ZONE` (`OffsetDateTime`), `TIMESTAMP WITHOUT TIME
//! ZONE` (`PrimitiveDateTime`), `DATE` (`Date`) and `TIME WITH TIME ZONE` (`Time`).
//!
//! The same rules as for chrono: epoch milliseconds on the wire, sub-millisecond precision
//! truncated on encode, an `OffsetDateTime` read at offset zero (CrateDB keeps no zone; use
//! `to_offset`), `PrimitiveDateTime` and `Date` taken as UTC, `Time` bound as UTC and read as
//! the time of day written (the offset dropped; [`CrateDbTimeTz::to_time`] keeps it).

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::EncodeError;
use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::{CrateDbTimeTz, impl_type, parse_i64};
use crate::{CrateDb, CrateDbTypeInfo};

use CrateDbTypeInfo::{Date as DateColumn, TimeTz, Timestamp, Timestamptz};

impl_type!(
    OffsetDateTime,
    [Timestamptz, Timestamp, DateColumn],
    Timestamptz
);
impl_type!(
    PrimitiveDateTime,
    [Timestamp, Timestamptz, DateColumn],
    Timestamp
);
impl_type!(Date, [DateColumn, Timestamp, Timestamptz], DateColumn);
impl_type!(Time, [TimeTz], TimeTz);

impl CrateDbTimeTz {
    /// As a `time` time of day and offset; `None` when either is out of range.
    pub fn to_time(&self) -> Option<(Time, UtcOffset)> {
        let micros = u64::try_from(self.microseconds).ok()?;
        let secs = micros / 1_000_000;
        let time = Time::from_hms_micro(
            u8::try_from(secs / 3600).ok()?,
            u8::try_from((secs / 60) % 60).ok()?,
            u8::try_from(secs % 60).ok()?,
            u32::try_from(micros % 1_000_000).ok()?,
        )
        .ok()?;
        Some((
            time,
            UtcOffset::from_whole_seconds(self.offset_seconds).ok()?,
        ))
    }

    /// From a `time` time of day and offset (nanoseconds truncated to microseconds).
    pub fn from_time(time: Time, offset: UtcOffset) -> Self {
        let (h, m, s, micro) = time.as_hms_micro();
        Self {
            microseconds: ((i64::from(h) * 60 + i64::from(m)) * 60 + i64::from(s)) * 1_000_000
                + i64::from(micro),
            offset_seconds: offset.whole_seconds(),
        }
    }
}

/// Epoch milliseconds of an instant, rounded towards the past like chrono's.
fn to_millis(at: OffsetDateTime) -> Result<i64, BoxDynError> {
    i64::try_from(at.unix_timestamp_nanos().div_euclid(1_000_000))
        .map_err(|_| EncodeError::TimeOutOfRange.into())
}

fn from_millis(
    value: &CrateDbValueRef<'_>,
    rust: &'static str,
) -> Result<OffsetDateTime, BoxDynError> {
    let ms = parse_i64(value, rust)?;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|_| value.error(rust, "out of range"))
}

impl Encode<'_, CrateDb> for OffsetDateTime {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_i64(to_millis(*self)?);
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for OffsetDateTime {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        from_millis(&value, "OffsetDateTime")
    }
}

impl Encode<'_, CrateDb> for PrimitiveDateTime {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_i64(to_millis(self.assume_utc())?);
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for PrimitiveDateTime {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        from_millis(&value, "PrimitiveDateTime")
            .map(|at| PrimitiveDateTime::new(at.date(), at.time()))
    }
}

impl Encode<'_, CrateDb> for Date {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_i64(to_millis(self.midnight().assume_utc())?);
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for Date {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        from_millis(&value, "Date").map(OffsetDateTime::date)
    }
}

impl Encode<'_, CrateDb> for Time {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(&CrateDbTimeTz::from_time(*self, UtcOffset::UTC).to_string());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for Time {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let raw = CrateDbTimeTz::decode(value)?;
        raw.to_time()
            .map(|(time, _)| time)
            .ok_or_else(|| value.error("Time", "time of day or offset out of range"))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime, time};

    use super::*;
    use crate::model::value::ValueFormat;
    use crate::types::test_values::{decode, encode};

    #[test]
    fn instants_round_trip_through_epoch_milliseconds() {
        let at: OffsetDateTime = decode(&Timestamptz, "1615264200123");
        assert_eq!(at, datetime!(2021-03-09 04:30:00.123 UTC));
        assert_eq!(at.offset(), UtcOffset::UTC);
        assert_eq!(
            encode(&at.to_offset(time::macros::offset!(+5:30))),
            "1615264200123"
        );
        // Sub-millisecond digits are dropped towards the past, before 1970 too.
        assert_eq!(encode(&datetime!(1969-12-31 23:59:59.9995 UTC)), "-1");
        let naive: PrimitiveDateTime = decode(&Timestamp, "-1");
        assert_eq!(naive, datetime!(1969-12-31 23:59:59.999));
        assert_eq!(encode(&naive), "-1");
        let day: Date = decode(&DateColumn, "1615248000000");
        assert_eq!(day, date!(2021 - 03 - 09));
        assert_eq!(encode(&day), "1615248000000");
        let err = OffsetDateTime::decode(CrateDbValueRef::new(
            &Timestamptz,
            b"9223372036854775807",
            ValueFormat::Json,
        ));
        assert!(err.unwrap_err().to_string().contains("out of range"));
    }

    #[test]
    fn times_of_day_keep_or_drop_the_offset() {
        let t: Time = decode(&TimeTz, "[46800500000,3600]");
        assert_eq!(t, time!(13:00:00.5));
        assert_eq!(encode(&t), r#""13:00:00.500000+00:00""#);
        let raw = CrateDbTimeTz {
            microseconds: 1_500,
            offset_seconds: -19_800,
        };
        let (t, offset) = raw.to_time().unwrap();
        assert_eq!((t, offset.whole_seconds()), (time!(00:00:00.0015), -19_800));
        assert_eq!(CrateDbTimeTz::from_time(t, offset), raw);
        assert!(
            CrateDbTimeTz {
                microseconds: 86_400_000_000,
                offset_seconds: 0
            }
            .to_time()
            .is_none()
        );
    }
}
