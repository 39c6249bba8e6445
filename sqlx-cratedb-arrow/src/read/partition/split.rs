//! The sub-queries of a partitioned read: split points of a column's range, and the SQL and
//! arguments of each partition. Pure: no I/O.

use chrono::{DateTime, NaiveDateTime, Utc};
use cratedb_quote::quote_identifier;
use sqlx_core::arguments::Arguments as _;
use sqlx_cratedb::{CrateDbArguments, CrateDbTypeInfo};

use crate::error::Error;

/// A value of a range-partition column: a bound given by the caller or a split point.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum RangeValue {
    /// An integer column (`BYTE` … `BIGINT`).
    Int(i64),
    /// A floating-point or `NUMERIC` column.
    Float(f64),
    /// A `TIMESTAMP WITH TIME ZONE` column.
    Timestamp(DateTime<Utc>),
    /// A `TIMESTAMP WITHOUT TIME ZONE` column.
    NaiveTimestamp(NaiveDateTime),
}

impl From<i64> for RangeValue {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<f64> for RangeValue {
    fn from(value: f64) -> Self {
        Self::Float(value)
    }
}

impl From<DateTime<Utc>> for RangeValue {
    fn from(value: DateTime<Utc>) -> Self {
        Self::Timestamp(value)
    }
}

impl From<NaiveDateTime> for RangeValue {
    fn from(value: NaiveDateTime) -> Self {
        Self::NaiveTimestamp(value)
    }
}

/// How a column's values are compared and split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Int,
    Float,
    Timestamp,
    NaiveTimestamp,
}

impl Kind {
    /// The kind of a column of CrateDB type `ty`, or an error naming it.
    pub(super) fn of(column: &str, ty: &CrateDbTypeInfo) -> Result<Self, Error> {
        use CrateDbTypeInfo as T;
        match ty {
            T::Byte | T::Smallint | T::Integer | T::Bigint => Ok(Self::Int),
            T::Real | T::Double | T::Numeric => Ok(Self::Float),
            T::Timestamptz => Ok(Self::Timestamp),
            T::Timestamp => Ok(Self::NaiveTimestamp),
            other => Err(Error::PartitionColumn {
                column: column.to_owned(),
                found: other.to_string(),
            }),
        }
    }

    /// The kind of a caller's bound.
    pub(super) fn of_value(value: RangeValue) -> Self {
        match value {
            RangeValue::Int(_) => Self::Int,
            RangeValue::Float(_) => Self::Float,
            RangeValue::Timestamp(_) => Self::Timestamp,
            RangeValue::NaiveTimestamp(_) => Self::NaiveTimestamp,
        }
    }
}

/// A value as the number it is split by: integers and epoch milliseconds exactly, floats as
/// they are. `None` for a value of another kind than `kind`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    Exact(i64),
    Float(f64),
}

fn number(kind: Kind, value: RangeValue) -> Option<Number> {
    match (kind, value) {
        (Kind::Int, RangeValue::Int(v)) => Some(Number::Exact(v)),
        (Kind::Float, RangeValue::Float(v)) => Some(Number::Float(v)),
        (Kind::Float, RangeValue::Int(v)) => Some(Number::Float(i64_to_f64(v))),
        (Kind::Timestamp | Kind::NaiveTimestamp, RangeValue::Timestamp(v)) => {
            Some(Number::Exact(v.timestamp_millis()))
        }
        (Kind::Timestamp | Kind::NaiveTimestamp, RangeValue::NaiveTimestamp(v)) => {
            Some(Number::Exact(v.and_utc().timestamp_millis()))
        }
        _ => None,
    }
}

/// `v` as the nearest `f64` (exact up to 2^53).
#[allow(clippy::cast_precision_loss)]
fn i64_to_f64(v: i64) -> f64 {
    v as f64
}

/// The value of `kind` for the split point `n`.
fn value(kind: Kind, n: Number) -> Option<RangeValue> {
    match (kind, n) {
        (Kind::Int, Number::Exact(v)) => Some(RangeValue::Int(v)),
        (Kind::Float, Number::Float(v)) => Some(RangeValue::Float(v)),
        (Kind::Timestamp, Number::Exact(ms)) => {
            DateTime::from_timestamp_millis(ms).map(RangeValue::Timestamp)
        }
        (Kind::NaiveTimestamp, Number::Exact(ms)) => {
            DateTime::from_timestamp_millis(ms).map(|d| RangeValue::NaiveTimestamp(d.naive_utc()))
        }
        _ => None,
    }
}

/// At most `partitions - 1` strictly increasing split points between `lo` and `hi`, evenly
/// spaced. None when the range holds one value, is not finite, or the bounds are not of
/// `kind`.
pub(super) fn split_points(
    kind: Kind,
    lo: RangeValue,
    hi: RangeValue,
    partitions: usize,
) -> Vec<RangeValue> {
    let (Some(lo), Some(hi)) = (number(kind, lo), number(kind, hi)) else {
        return Vec::new();
    };
    let n = u32::try_from(partitions).unwrap_or(u32::MAX);
    let points = match (lo, hi) {
        (Number::Exact(lo), Number::Exact(hi)) => exact_points(lo, hi, n),
        (Number::Float(lo), Number::Float(hi)) => float_points(lo, hi, n),
        _ => Vec::new(),
    };
    points.into_iter().filter_map(|p| value(kind, p)).collect()
}

/// `lo + span × k / n` for k in 1..n, where span is the count of integers in `lo..=hi`
/// (n at most span, so every range holds at least one integer).
fn exact_points(lo: i64, hi: i64, n: u32) -> Vec<Number> {
    if hi <= lo {
        return Vec::new();
    }
    let span = i128::from(hi) - i128::from(lo) + 1;
    let n = i128::from(n).min(span);
    (1..n)
        .filter_map(|k| i64::try_from(i128::from(lo) + span * k / n).ok())
        .map(Number::Exact)
        .collect()
}

/// `lo + (hi - lo) × k / n` for k in 1..n, without repeats.
fn float_points(lo: f64, hi: f64, n: u32) -> Vec<Number> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Vec::new();
    }
    let mut points: Vec<Number> = Vec::new();
    let mut last = lo;
    for k in 1..n {
        let t = f64::from(k) / f64::from(n);
        // Written so that `hi - lo` cannot overflow.
        let p = lo * (1.0 - t) + hi * t;
        if p > last && p < hi {
            points.push(Number::Float(p));
            last = p;
        }
    }
    points
}

/// One sub-query of a partitioned read: its SQL and its arguments.
#[derive(Debug, Clone)]
pub struct Partition {
    pub(super) sql: String,
    pub(super) arguments: CrateDbArguments,
}

impl Partition {
    /// The sub-query's SQL.
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

/// `SELECT * FROM (<sql>) AS t WHERE <filter>`.
fn wrapped(sql: &str, filter: &str) -> String {
    format!("SELECT * FROM ({sql}) AS t WHERE {filter}")
}

/// Adds `value` to `arguments`.
pub(super) fn bind<'q, T>(arguments: &mut CrateDbArguments, value: T) -> Result<(), Error>
where
    T: sqlx_core::encode::Encode<'q, sqlx_cratedb::CrateDb>
        + sqlx_core::types::Type<sqlx_cratedb::CrateDb>
        + 'q,
{
    arguments
        .add(value)
        .map_err(|e| Error::Sqlx(sqlx_core::Error::Encode(e)))
}

fn bind_range(arguments: &mut CrateDbArguments, value: RangeValue) -> Result<(), Error> {
    match value {
        RangeValue::Int(v) => bind(arguments, v),
        RangeValue::Float(v) => bind(arguments, v),
        RangeValue::Timestamp(v) => bind(arguments, v),
        RangeValue::NaiveTimestamp(v) => bind(arguments, v),
    }
}

/// The partitions of `sql` (with `arguments`) by `column` at `points`: below the first point
/// (and NULL), between each pair, from the last point on. Each non-NULL row is placed by the
/// tests `column < point` alone, so it lands in exactly one partition. No points: `sql` as
/// it is.
pub(super) fn range_partitions(
    sql: &str,
    arguments: &CrateDbArguments,
    column: &str,
    points: &[RangeValue],
) -> Result<Vec<Partition>, Error> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Ok(vec![Partition {
            sql: sql.to_owned(),
            arguments: arguments.clone(),
        }]);
    };
    let col = quote_identifier(column);
    let next = arguments.len() + 1;
    let mut partitions = Vec::with_capacity(points.len() + 1);
    let mut args = arguments.clone();
    bind_range(&mut args, *first)?;
    partitions.push(Partition {
        sql: wrapped(sql, &format!("({col} < ${next} OR {col} IS NULL)")),
        arguments: args,
    });
    for pair in points.windows(2) {
        let mut args = arguments.clone();
        bind_range(&mut args, pair[0])?;
        bind_range(&mut args, pair[1])?;
        let filter = format!("NOT ({col} < ${next}) AND {col} < ${}", next + 1);
        partitions.push(Partition {
            sql: wrapped(sql, &filter),
            arguments: args,
        });
    }
    let mut args = arguments.clone();
    bind_range(&mut args, *last)?;
    partitions.push(Partition {
        sql: wrapped(sql, &format!("NOT ({col} < ${next})")),
        arguments: args,
    });
    Ok(partitions)
}

/// The partition of `sql` whose columns have the values of one table partition (a JSON
/// object of column name to value; a NULL value is `IS NULL`).
pub(super) fn value_partition(
    sql: &str,
    arguments: &CrateDbArguments,
    values: &serde_json::Map<String, serde_json::Value>,
) -> Result<Partition, Error> {
    use serde_json::Value;
    let mut args = arguments.clone();
    let mut filter = Vec::with_capacity(values.len());
    for (column, value) in values {
        let col = quote_identifier(column);
        match value {
            Value::Null => {
                filter.push(format!("{col} IS NULL"));
                continue;
            }
            Value::Bool(b) => bind(&mut args, *b)?,
            Value::String(s) => bind(&mut args, s.clone())?,
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => bind(&mut args, i)?,
                (None, Some(f)) => bind(&mut args, f)?,
                (None, None) => return Err(unsupported_value(column, value)),
            },
            Value::Array(_) | Value::Object(_) => return Err(unsupported_value(column, value)),
        }
        filter.push(format!("{col} = ${}", args.len()));
    }
    if filter.is_empty() {
        return Err(Error::Invalid(
            "a table partition without partition values".to_owned(),
        ));
    }
    Ok(Partition {
        sql: wrapped(sql, &filter.join(" AND ")),
        arguments: args,
    })
}

fn unsupported_value(column: &str, value: &serde_json::Value) -> Error {
    Error::Invalid(format!(
        "partition column \"{column}\" has a value that cannot be bound: {value}"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ints(points: &[RangeValue]) -> Vec<i64> {
        points
            .iter()
            .map(|p| match p {
                RangeValue::Int(v) => *v,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn integer_points_split_evenly_and_never_repeat() {
        let p = |lo, hi, n| {
            ints(&split_points(
                Kind::Int,
                RangeValue::Int(lo),
                RangeValue::Int(hi),
                n,
            ))
        };
        assert_eq!(p(0, 99, 4), [25, 50, 75]);
        assert_eq!(p(1, 3, 8), [2, 3]);
        assert_eq!(p(5, 5, 4), Vec::<i64>::new());
        assert_eq!(p(0, 99, 1), Vec::<i64>::new());
        assert_eq!(p(i64::MIN, i64::MAX, 2), [0]);
    }

    #[test]
    fn float_points_stay_finite_and_increasing() {
        let points = split_points(
            Kind::Float,
            RangeValue::Float(-f64::MAX),
            RangeValue::Float(f64::MAX),
            4,
        );
        assert_eq!(points.len(), 3);
        assert_eq!(points[1], RangeValue::Float(0.0));
        let nan = split_points(
            Kind::Float,
            RangeValue::Float(0.0),
            RangeValue::Float(f64::NAN),
            4,
        );
        assert!(nan.is_empty());
        // Integer bounds of a float column.
        let mixed = split_points(Kind::Float, RangeValue::Int(0), RangeValue::Int(1), 2);
        assert_eq!(mixed, [RangeValue::Float(0.5)]);
    }

    #[test]
    fn timestamp_points_keep_their_zone_kind() {
        let lo = DateTime::from_timestamp_millis(0).unwrap();
        let hi = DateTime::from_timestamp_millis(3_000).unwrap();
        let tz = split_points(Kind::Timestamp, lo.into(), hi.into(), 3);
        assert_eq!(
            tz,
            [1_000, 2_000]
                .map(|ms| RangeValue::Timestamp(DateTime::from_timestamp_millis(ms).unwrap()))
        );
        let naive = split_points(Kind::NaiveTimestamp, lo.into(), hi.into(), 2);
        assert_eq!(
            naive,
            [RangeValue::NaiveTimestamp(
                DateTime::from_timestamp_millis(1_500).unwrap().naive_utc()
            )]
        );
    }

    #[test]
    fn range_sql_wraps_quotes_and_numbers_after_the_callers_arguments() {
        let mut args = CrateDbArguments::default();
        bind(&mut args, 7_i64).unwrap();
        let points = [RangeValue::Int(10), RangeValue::Int(20)];
        let parts =
            range_partitions("SELECT * FROM m WHERE a = $1", &args, "x\"y", &points).unwrap();
        let sql: Vec<&str> = parts.iter().map(Partition::sql).collect();
        assert_eq!(
            sql,
            [
                "SELECT * FROM (SELECT * FROM m WHERE a = $1) AS t WHERE (\"x\"\"y\" < $2 OR \"x\"\"y\" IS NULL)",
                "SELECT * FROM (SELECT * FROM m WHERE a = $1) AS t WHERE NOT (\"x\"\"y\" < $2) AND \"x\"\"y\" < $3",
                "SELECT * FROM (SELECT * FROM m WHERE a = $1) AS t WHERE NOT (\"x\"\"y\" < $2)",
            ]
        );
        let counts: Vec<usize> = parts.iter().map(|p| p.arguments.len()).collect();
        assert_eq!(counts, [2, 3, 2]);
        let whole = range_partitions("SELECT 1", &args, "x", &[]).unwrap();
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].sql(), "SELECT 1");
    }

    #[test]
    fn value_sql_binds_values_and_tests_nulls() {
        let values: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"day": 1700000000000, "region": "eu", "z": null}"#).unwrap();
        let part =
            value_partition("SELECT * FROM m", &CrateDbArguments::default(), &values).unwrap();
        assert_eq!(
            part.sql(),
            "SELECT * FROM (SELECT * FROM m) AS t WHERE \"day\" = $1 AND \"region\" = $2 AND \"z\" IS NULL"
        );
        assert_eq!(part.arguments.len(), 2);
        let nested: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"o": {"a": 1}}"#).unwrap();
        assert!(matches!(
            value_partition("SELECT 1", &CrateDbArguments::default(), &nested),
            Err(Error::Invalid(_))
        ));
    }

    #[test]
    fn only_numbers_and_timestamps_partition_by_range() {
        assert_eq!(
            Kind::of("c", &CrateDbTypeInfo::Smallint).unwrap(),
            Kind::Int
        );
        assert_eq!(
            Kind::of("c", &CrateDbTypeInfo::Numeric).unwrap(),
            Kind::Float
        );
        let err = Kind::of("c", &CrateDbTypeInfo::Text).unwrap_err();
        assert!(matches!(err, Error::PartitionColumn { .. }), "{err}");
    }
}
