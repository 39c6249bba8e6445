//! `INTERVAL` ↔ [`CrateDbInterval`]: CrateDB answers text like
//! `1 year 2 mons 3 days 04:05:06.789`; the same format is sent when binding.

use std::fmt::{self, Display, Formatter};

use sqlx_core::decode::Decode;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;

use crate::model::arguments::CrateDbArgumentBuffer;
use crate::model::value::CrateDbValueRef;
use crate::types::impl_type;
use crate::{CrateDb, CrateDbTypeInfo};

/// An interval as PostgreSQL and CrateDB model it: months, days and microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CrateDbInterval {
    /// Months (a year is 12).
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Microseconds of the time part.
    pub microseconds: i64,
}

const MICROS_PER_SECOND: i64 = 1_000_000;

fn parse_time(part: &str) -> Option<i64> {
    let (neg, part) = match part.strip_prefix('-') {
        Some(p) => (true, p),
        None => (false, part.strip_prefix('+').unwrap_or(part)),
    };
    let mut it = part.splitn(3, ':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec = it.next().unwrap_or("0");
    let (s, frac) = sec.split_once('.').unwrap_or((sec, ""));
    let s: i64 = s.parse().ok()?;
    let mut micros = 0i64;
    if !frac.is_empty() {
        let digits: String = frac.chars().chain(std::iter::repeat('0')).take(6).collect();
        micros = digits.parse().ok()?;
    }
    let total = ((h * 60 + m) * 60 + s) * MICROS_PER_SECOND + micros;
    Some(if neg { -total } else { total })
}

impl CrateDbInterval {
    /// Parses CrateDB's interval text, e.g. `1 year 2 mons 3 days 04:05:06` or `-1 days`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut out = Self::default();
        let mut words = text.split_whitespace().peekable();
        while let Some(word) = words.next() {
            if word.contains(':') {
                out.microseconds = out.microseconds.checked_add(parse_time(word)?)?;
                continue;
            }
            let n: i32 = word.parse().ok()?;
            let unit = words.next()?.trim_end_matches(',');
            match unit {
                "year" | "years" => out.months = out.months.checked_add(n.checked_mul(12)?)?,
                "mon" | "mons" | "month" | "months" => out.months = out.months.checked_add(n)?,
                "day" | "days" => out.days = out.days.checked_add(n)?,
                _ => return None,
            }
        }
        Some(out)
    }
}

impl Display for CrateDbInterval {
    /// Writes `Y years M mons D days [-]HH:MM:SS[.ffffff]`, leaving out zero parts.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        let years = self.months / 12;
        let months = self.months % 12;
        if years != 0 {
            write!(f, "{years} years")?;
            sep = " ";
        }
        if months != 0 {
            write!(f, "{sep}{months} mons")?;
            sep = " ";
        }
        if self.days != 0 {
            write!(f, "{sep}{} days", self.days)?;
            sep = " ";
        }
        if self.microseconds != 0 || sep.is_empty() {
            let sign = if self.microseconds < 0 { "-" } else { "" };
            let us = self.microseconds.unsigned_abs();
            let secs = us / 1_000_000;
            let frac = us % 1_000_000;
            write!(
                f,
                "{sep}{sign}{:02}:{:02}:{:02}",
                secs / 3600,
                (secs / 60) % 60,
                secs % 60
            )?;
            if frac != 0 {
                write!(f, ".{frac:06}")?;
            }
        }
        Ok(())
    }
}

impl_type!(
    CrateDbInterval,
    [CrateDbTypeInfo::Interval],
    CrateDbTypeInfo::Interval
);

impl Encode<'_, CrateDb> for CrateDbInterval {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push_str(&self.to_string());
        Ok(IsNull::No)
    }
}

impl Decode<'_, CrateDb> for CrateDbInterval {
    fn decode(value: CrateDbValueRef<'_>) -> Result<Self, BoxDynError> {
        let text = value.text("CrateDbInterval")?;
        Self::parse(&text).ok_or_else(|| value.error("CrateDbInterval", "unrecognised interval"))
    }
}

super::array::element!(CrateDbInterval);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_text_round_trips() {
        let i = CrateDbInterval::parse("1 year 2 mons 3 days 04:05:06.789").unwrap();
        assert_eq!(i.months, 14);
        assert_eq!(i.days, 3);
        assert_eq!(
            i.microseconds,
            ((4 * 60 + 5) * 60 + 6) * 1_000_000 + 789_000
        );
        assert_eq!(i.to_string(), "1 years 2 mons 3 days 04:05:06.789000");
        assert_eq!(CrateDbInterval::parse(&i.to_string()), Some(i));
        let neg = CrateDbInterval::parse("-1 days -00:00:01").unwrap();
        assert_eq!((neg.days, neg.microseconds), (-1, -1_000_000));
        assert_eq!(CrateDbInterval::default().to_string(), "00:00:00");
        assert_eq!(CrateDbInterval::parse("3 fortnights"), None);
    }
}
