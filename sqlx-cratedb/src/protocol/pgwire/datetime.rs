//! Date and time text of the PostgreSQL protocol (`DateStyle=ISO`, `TimeZone=UTC`) → epoch
//! milliseconds and microseconds, and the day-count arithmetic both directions use.

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
#[allow(clippy::many_single_char_names)] // the algorithm's own names
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
#[allow(clippy::many_single_char_names)] // the algorithm's own names
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
}

/// `YYYY-MM-DD` (year of 4+ digits) and a trailing ` BC`; returns (days since epoch, rest).
fn parse_date_part(raw: &[u8]) -> Option<(i64, &[u8], bool)> {
    let (raw, bc) = match raw.strip_suffix(b" BC") {
        Some(r) => (r, true),
        None => (raw, false),
    };
    let dash = raw.iter().position(|&b| b == b'-')?;
    let year = digits(&raw[..dash])?;
    let rest = &raw[dash + 1..];
    let month = digits(rest.get(0..2)?)?;
    if rest.get(2) != Some(&b'-') {
        return None;
    }
    let day = digits(rest.get(3..5)?)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // 1 BC is year 0 in the proleptic calendar.
    let year = if bc { 1 - year } else { year };
    Some((days_from_civil(year, month, day), &rest[5..], bc))
}

pub(crate) fn parse_date_ms(raw: &[u8]) -> Option<i64> {
    let (days, rest, _) = parse_date_part(raw)?;
    rest.is_empty().then_some(days * 86_400_000)
}

/// `HH:MM:SS[.ffffff]` → (micros since midnight, rest).
fn parse_time_part(raw: &[u8]) -> Option<(i64, &[u8])> {
    let hours = digits(raw.get(0..2)?)?;
    let minutes = digits(raw.get(3..5)?)?;
    let seconds = digits(raw.get(6..8)?)?;
    if raw.get(2) != Some(&b':') || raw.get(5) != Some(&b':') {
        return None;
    }
    let mut micros = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000;
    let mut rest = &raw[8..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
        let f = &frac[..n];
        let mut value = 0i64;
        for i in 0..6 {
            value = value * 10 + f.get(i).map_or(0, |d| i64::from(d - b'0'));
        }
        micros += value;
        rest = &frac[n..];
    }
    Some((micros, rest))
}

/// `±HH[:MM[:SS]]` → seconds east of UTC.
fn parse_offset(raw: &[u8]) -> Option<i64> {
    let (sign, rest) = match raw.split_first()? {
        (b'+', r) => (1, r),
        (b'-', r) => (-1, r),
        _ => return None,
    };
    let mut parts = rest.split(|&b| b == b':');
    let hours = digits(parts.next()?)?;
    let minutes = parts.next().map_or(Some(0), digits)?;
    let seconds = parts.next().map_or(Some(0), digits)?;
    if parts.next().is_some() {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60 + seconds))
}

/// A `timestamp` / `timestamptz` text value → epoch milliseconds (sub-millisecond digits are
/// dropped, as CrateDB stores milliseconds).
pub(crate) fn parse_timestamp(raw: &[u8]) -> Option<i64> {
    let (raw, bc) = match raw.strip_suffix(b" BC") {
        Some(r) => (r, true),
        None => (raw, false),
    };
    let space = raw.iter().position(|&b| b == b' ' || b == b'T')?;
    let mut date = raw[..space].to_vec();
    if bc {
        date.extend_from_slice(b" BC");
    }
    let (days, tail, _) = parse_date_part(&date)?;
    if !tail.is_empty() {
        return None;
    }
    let (micros, rest) = parse_time_part(&raw[space + 1..])?;
    let offset = if rest.is_empty() || rest == b"Z" {
        0
    } else {
        parse_offset(rest)?
    };
    Some(days * 86_400_000 + micros.div_euclid(1000) - offset * 1000)
}

/// `HH:MM:SS[.ffffff][±HH[:MM[:SS]]]` → (micros since midnight, seconds east of UTC).
/// CrateDB leaves the offset out when it is zero (`00:00:00`, not `00:00:00+00`).
pub(crate) fn parse_timetz(raw: &[u8]) -> Option<(i64, i64)> {
    let (micros, rest) = parse_time_part(raw)?;
    let offset = if rest.is_empty() || rest == b"Z" {
        0
    } else {
        parse_offset(rest)?
    };
    Some((micros, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_day_counts() {
        for days in [-719_468, -1, 0, 1, 10_957, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2000, 1, 1), 10_957);
    }
}
