//! chrono ↔ `TIMESTAMP WITH TIME ZONE`, `TIMESTAMP WITHOUT TIME ZONE`, `DATE`.
//!
//! On the wire all three are epoch milliseconds (CrateDB stores milliseconds: finer precision
//! is truncated on encode). `NaiveDateTime` and `NaiveDate` are taken as UTC. `DateTime<Tz>`
//! of any zone binds as its instant; `DateTime<FixedOffset>` and `DateTime<Local>` also decode.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::arguments::CrateDbArgumentBuffer;
use crate::error::EncodeError;
use crate::types::{impl_type, parse_i64};
use crate::value::CrateDbValueRef;
use crate::{CrateDb, CrateDbTypeInfo};

use CrateDbTypeInfo::{Date, Timestamp, Timestamptz};

impl_type!(DateTime<Utc>, [Timestamptz, Timestamp, Date], Timestamptz);
// Other zones bind (as the same instant) and read (as that instant at offset zero / in the
// local zone); the `Encode` below is generic over the zone.
impl_type!(
    DateTime<FixedOffset>,
    [Timestamptz, Timestamp, Date],
    Timestamptz
);
impl_type!(DateTime<Local>, [Timestamptz, Timestamp, Date], Timestamptz);
impl_type!(NaiveDateTime, [Timestamp, Timestamptz, Date], Timestamp);
impl_type!(NaiveDate, [Date, Timestamp, Timestamptz], Date);

fn millis(value: &CrateDbValueRef<'_>, rust: &'static str) -> Result<DateTime<Utc>, BoxDynError> {
    let ms = parse_i64(value, rust)?;
    DateTime::<Utc>::from_timestamp_millis(ms).ok_or_else(|| value.error(rust, "out of range"))
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
        millis(&value, "DateTime<FixedOffset>").map(|d| d.fixed_offset())
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
