//! chrono ↔ `TIMESTAMP WITH TIME ZONE`, `TIMESTAMP WITHOUT TIME ZONE`, `DATE`,
//! `TIME WITH TIME ZONE`.
//!
//! Timestamps and dates travel as epoch milliseconds (CrateDB stores milliseconds: finer
//! precision is truncated on encode). CrateDB keeps no zone with a timestamp: it answers the
//! instant, in UTC (epoch milliseconds over HTTP, `…+00` text over pgwire, whatever
//! `SET TIME ZONE` said), so a `DateTime` of any zone decodes at offset zero (`Local`: in the
//! local zone); convert with `with_timezone`. `NaiveDateTime` and `NaiveDate` are taken as UTC.
//! `TIME WITH TIME ZONE` keeps its offset: `DateTime<FixedOffset>` reads it on 1970-01-01,
//! `NaiveTime` reads the time of day as written (the offset dropped).

use chrono::{
    DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike as _, Utc,
};
use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::error::EncodeError;
use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::{CrateDbTimeTz, impl_type, parse_i64};
use crate::{CrateDb, CrateDbTypeInfo};

use CrateDbTypeInfo::{Date, TimeTz, Timestamp, Timestamptz};

impl_type!(DateTime<Utc>, [Timestamptz, Timestamp, Date], Timestamptz);
// Other zones bind (as the same instant) and read (as that instant at offset zero / in the
// local zone); the `Encode` below is generic over the zone.
impl_type!(
    DateTime<FixedOffset>,
    [Timestamptz, Timestamp, Date, TimeTz],
    Timestamptz
);
impl_type!(DateTime<Local>, [Timestamptz, Timestamp, Date], Timestamptz);
impl_type!(NaiveDateTime, [Timestamp, Timestamptz, Date], Timestamp);
impl_type!(NaiveDate, [Date, Timestamp, Timestamptz], Date);
impl_type!(NaiveTime, [TimeTz], TimeTz);

fn millis(value: &CrateDbValueRef<'_>, rust: &'static str) -> Result<DateTime<Utc>, BoxDynError> {
    let ms = parse_i64(value, rust)?;
    DateTime::<Utc>::from_timestamp_millis(ms).ok_or_else(|| value.error(rust, "out of range"))
}

/// A `TIME WITH TIME ZONE` value as chrono's time of day and offset.
fn time_tz(
    value: CrateDbValueRef<'_>,
    rust: &'static str,
) -> Result<(NaiveTime, FixedOffset), BoxDynError> {
    let raw = CrateDbTimeTz::decode(value)?;
    raw.to_chrono()
        .ok_or_else(|| value.error(rust, "time of day or offset out of range"))
}

impl<Tz: TimeZone> Encode<'_, CrateDb> for DateTime<Tz> {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_i64(self.timestamp_millis());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for DateTime<Utc> {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        millis(&value, "DateTime<Utc>")
    }
}

impl Decode<'_, CrateDb> for DateTime<FixedOffset> {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        const RUST: &str = "DateTime<FixedOffset>";
        if *value.type_info == TimeTz {
            let (time, offset) = time_tz(value, RUST)?;
            return NaiveDate::from_ymd_opt(1970, 1, 1)
                .map(|day| day.and_time(time))
                .and_then(|local| local.and_local_timezone(offset).single())
                .ok_or_else(|| value.error(RUST, "out of range"));
        }
        millis(&value, RUST).map(|d| d.fixed_offset())
    }
}

impl Decode<'_, CrateDb> for DateTime<Local> {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        millis(&value, "DateTime<Local>").map(|d| d.with_timezone(&Local))
    }
}

impl Encode<'_, CrateDb> for NaiveDateTime {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_i64(self.and_utc().timestamp_millis());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for NaiveDateTime {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        millis(&value, "NaiveDateTime").map(|d| d.naive_utc())
    }
}

impl Encode<'_, CrateDb> for NaiveDate {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let midnight = self
            .and_hms_opt(0, 0, 0)
            .ok_or(EncodeError::TimeOutOfRange)?;
        buf.push_i64(midnight.and_utc().timestamp_millis());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for NaiveDate {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        millis(&value, "NaiveDate").map(|d| d.date_naive())
    }
}

/// Binds as `HH:MM:SS.ffffff+00:00` (UTC); a leap second's extra nanoseconds are dropped.
impl Encode<'_, CrateDb> for NaiveTime {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let nanos = self.nanosecond() % 1_000_000_000;
        let time = self.with_nanosecond(nanos).unwrap_or(*self);
        let utc = FixedOffset::east_opt(0).ok_or(EncodeError::TimeOutOfRange)?;
        buf.push_str(&CrateDbTimeTz::from_chrono(time, utc).to_string());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for NaiveTime {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        time_tz(value, "NaiveTime").map(|(time, _)| time)
    }
}

#[cfg(feature = "chrono-tz")]
mod zones {
    use chrono::DateTime;
    use chrono_tz::Tz;
    use sqlx_core::decode::Decode;
    use sqlx_core::error::BoxDynError;

    use super::{Date, Timestamp, Timestamptz, impl_type, millis};
    use crate::CrateDb;
    use crate::model::value::CrateDbValueRef;

    impl_type!(DateTime<Tz>, [Timestamptz, Timestamp, Date], Timestamptz);

    /// Reads the instant in `Tz::UTC` (CrateDB keeps no zone); convert with `with_timezone`.
    impl Decode<'_, CrateDb> for DateTime<Tz> {
        fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
            millis(&value, "DateTime<Tz>").map(|d| d.with_timezone(&Tz::UTC))
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx_core::decode::Decode;

    use super::*;
    use crate::model::value::ValueFormat;
    use crate::types::test_values::{decode, encode};

    #[test]
    fn timestamps_decode_in_utc_and_at_offset_zero() {
        let ms = "1615264200123";
        let utc: DateTime<Utc> = decode(&Timestamptz, ms);
        assert_eq!(utc.to_rfc3339(), "2021-03-09T04:30:00.123+00:00");
        let fixed: DateTime<FixedOffset> = decode(&Timestamptz, ms);
        assert_eq!(fixed.to_rfc3339(), "2021-03-09T04:30:00.123+00:00");
        let naive: NaiveDateTime = decode(&Timestamp, "-1");
        assert_eq!(naive.to_string(), "1969-12-31 23:59:59.999");
        let day: NaiveDate = decode(&Date, "1615248000000");
        assert_eq!(day.to_string(), "2021-03-09");
    }

    #[test]
    fn time_with_time_zone_keeps_its_offset() {
        let at: DateTime<FixedOffset> = decode(&TimeTz, "[46800500000,3600]");
        assert_eq!(at.to_rfc3339(), "1970-01-01T13:00:00.500+01:00");
        let west: DateTime<FixedOffset> = decode(&TimeTz, "[0,-19800]");
        assert_eq!(west.to_rfc3339(), "1970-01-01T00:00:00-05:30");
        let time: NaiveTime = decode(&TimeTz, "[46800500000,3600]");
        assert_eq!(time.to_string(), "13:00:00.500");
        let bad = NaiveTime::decode(CrateDbValueRef::new(
            &TimeTz,
            b"[86400000000,0]",
            ValueFormat::Json,
        ));
        assert!(bad.unwrap_err().to_string().contains("out of range"));
        let bad_offset = DateTime::<FixedOffset>::decode(CrateDbValueRef::new(
            &TimeTz,
            b"[0,90000]",
            ValueFormat::Json,
        ));
        assert!(bad_offset.is_err());
    }

    #[test]
    fn values_bind_as_instants_and_times_as_text() {
        let berlin = FixedOffset::east_opt(3600).unwrap();
        let at = berlin.with_ymd_and_hms(2021, 3, 9, 5, 30, 0).unwrap();
        assert_eq!(encode(&at), "1615264200000");
        assert_eq!(encode(&at.with_timezone(&Utc)), "1615264200000");
        let time = NaiveTime::from_hms_micro_opt(13, 0, 0, 1_500).unwrap();
        assert_eq!(encode(&time), r#""13:00:00.001500+00:00""#);
    }

    #[cfg(feature = "chrono-tz")]
    #[test]
    fn chrono_tz_reads_utc_and_binds_the_instant() {
        use chrono_tz::Tz;
        let at: DateTime<Tz> = decode(&Timestamptz, "1615264200000");
        assert_eq!(at.timezone(), Tz::UTC);
        let local = at.with_timezone(&chrono_tz::Asia::Kolkata);
        assert_eq!(local.to_rfc3339(), "2021-03-09T10:00:00+05:30");
        assert_eq!(encode(&local), "1615264200000");
    }
}
