//! sea-query glue: bind `sea_query::Values` as CrateDB arguments, and run statements built
//! with `sea_cratedb::CrateDbQueryBuilder` in one call.
//!
//! ```no_run
//! # #[cfg(feature = "sea-cratedb")]
//! # async fn demo(pool: &sqlx_cratedb::CrateDbPool) -> Result<(), sqlx::Error> {
//! use sea_cratedb::sea_query::{Alias, Expr, ExprTrait, Query};
//! let stmt = Query::select()
//!     .column(Alias::new("id"))
//!     .from(Alias::new("metrics"))
//!     .and_where(Expr::col(Alias::new("tenant")).eq("acme"))
//!     .to_owned();
//! let ids: Vec<(i32,)> = sqlx_cratedb::sea_query::query_as_statement(&stmt)
//!     .fetch_all(pool)
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Values are encoded as CrateDB expects them over HTTP (timestamps as epoch milliseconds,
//! decimals as exact strings, JSON as JSON, arrays and vectors as JSON arrays). A value that
//! cannot be encoded (a `u64` above `i64::MAX`, a variant this driver does not know) is never
//! dropped: the error is kept and the query fails with `sqlx::Error::Encode` before anything is
//! sent.

use sea_query::{OptionEnum, Value, Values};
use sea_query_sqlx::SqlxValues;
use sqlx_core::arguments::IntoArguments;
use sqlx_core::encode::{Encode, IsNull};
use sqlx_core::error::BoxDynError;
use sqlx_core::query::{Query, query_with};
use sqlx_core::query_as::{QueryAs, query_as_with};
use sqlx_core::query_scalar::{QueryScalar, query_scalar_with};
use sqlx_core::sql_str::AssertSqlSafe;
use sqlx_core::types::Type;

use crate::error::EncodeError;
use crate::model::arguments::{CrateDbArgumentBuffer, CrateDbArguments};
use crate::{CrateDb, CrateDbRow, CrateDbTypeInfo};

/// A sea-query value that cannot be sent to CrateDB.
#[derive(Debug, thiserror::Error)]
#[error("sea-query value {0} cannot be encoded for CrateDB")]
struct UnsupportedValue(String);

/// One sea-query value, borrowed, as an sqlx argument.
struct SeaValue<'a>(&'a Value);

impl Type<CrateDb> for SeaValue<'_> {
    fn type_info() -> CrateDbTypeInfo {
        CrateDbTypeInfo::Unknown(-1)
    }
}

impl Encode<'_, CrateDb> for SeaValue<'_> {
    fn encode_by_ref(&self, buf: &mut CrateDbArgumentBuffer) -> Result<IsNull, BoxDynError> {
        encode(self.0, buf)?;
        Ok(IsNull::No)
    }

    /// The CrateDB type of the value, so that transports which declare parameter types (the
    /// PostgreSQL wire protocol) send timestamps, objects and vectors as such rather than as
    /// the epoch-millisecond numbers and JSON text that go over HTTP.
    fn produces(&self) -> Option<CrateDbTypeInfo> {
        Some(match self.0 {
            Value::Bool(_) => CrateDbTypeInfo::Boolean,
            Value::TinyInt(_) => CrateDbTypeInfo::Byte,
            Value::SmallInt(_) | Value::TinyUnsigned(_) => CrateDbTypeInfo::Smallint,
            Value::Int(_) | Value::SmallUnsigned(_) => CrateDbTypeInfo::Integer,
            Value::BigInt(_) | Value::Unsigned(_) | Value::BigUnsigned(_) => {
                CrateDbTypeInfo::Bigint
            }
            Value::Float(_) => CrateDbTypeInfo::Real,
            Value::Double(_) => CrateDbTypeInfo::Double,
            Value::Json(_) => CrateDbTypeInfo::Object,
            Value::ChronoDate(_) => CrateDbTypeInfo::Date,
            Value::ChronoDateTime(_) => CrateDbTypeInfo::Timestamp,
            Value::ChronoDateTimeUtc(_)
            | Value::ChronoDateTimeLocal(_)
            | Value::ChronoDateTimeWithTimeZone(_) => CrateDbTypeInfo::Timestamptz,
            Value::Decimal(_) | Value::BigDecimal(_) => CrateDbTypeInfo::Numeric,
            Value::Vector(_) => CrateDbTypeInfo::FloatVector,
            _ => return None,
        })
    }
}

macro_rules! some {
    ($buf:ident, $v:expr, |$x:ident| $body:expr) => {
        match $v {
            Some($x) => $body,
            None => $buf.push_bytes(b"null"),
        }
    };
}

fn millis_naive(dt: &sea_query::prelude::NaiveDateTime) -> i64 {
    dt.and_utc().timestamp_millis()
}

/// Writes one value as JSON (NULL as `null`).
// sea-query's variants depend on features other crates may enable: keep a catch-all arm.
#[allow(clippy::match_wildcard_for_single_variants)]
fn encode(value: &Value, buf: &mut CrateDbArgumentBuffer) -> Result<(), BoxDynError> {
    match value {
        Value::Bool(v) => some!(buf, v, |b| buf.push_bytes(if *b {
            b"true"
        } else {
            b"false"
        })),
        Value::TinyInt(v) => some!(buf, v, |n| buf.push_i64(i64::from(*n))),
        Value::SmallInt(v) => some!(buf, v, |n| buf.push_i64(i64::from(*n))),
        Value::Int(v) => some!(buf, v, |n| buf.push_i64(i64::from(*n))),
        Value::BigInt(v) => some!(buf, v, |n| buf.push_i64(*n)),
        Value::TinyUnsigned(v) => some!(buf, v, |n| buf.push_i64(i64::from(*n))),
        Value::SmallUnsigned(v) => some!(buf, v, |n| buf.push_i64(i64::from(*n))),
        Value::Unsigned(v) => some!(buf, v, |n| buf.push_i64(i64::from(*n))),
        Value::BigUnsigned(v) => some!(buf, v, |n| buf
            .push_i64(i64::try_from(*n).map_err(|_| EncodeError::U64OutOfRange(*n))?)),
        Value::Float(v) => some!(buf, v, |f| buf.push_f32(*f)),
        Value::Double(v) => some!(buf, v, |f| buf.push_f64(*f)),
        Value::String(v) => some!(buf, v, |s| buf.push_str(s)),
        Value::Char(v) => some!(buf, v, |c| buf.push_str(c.encode_utf8(&mut [0; 4]))),
        Value::Enum(OptionEnum::Some(e)) => buf.push_str(&e.value),
        Value::Enum(OptionEnum::None(_)) => buf.push_bytes(b"null"),
        Value::Bytes(v) => some!(buf, v, |b| {
            use base64::Engine as _;
            buf.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
        }),
        Value::Json(v) => some!(buf, v, |j| buf.push_json(j.as_ref())?),
        Value::ChronoDate(v) => some!(buf, v, |d| buf.push_i64(
            d.and_hms_opt(0, 0, 0)
                .map(|dt| millis_naive(&dt))
                .ok_or_else(|| UnsupportedValue(format!("{d}")))?
        )),
        // CrateDB has no time-without-zone type: send the ISO text (castable to timetz).
        Value::ChronoTime(v) => some!(buf, v, |t| buf
            .push_str(&t.format("%H:%M:%S%.f").to_string())),
        Value::ChronoDateTime(v) => some!(buf, v, |dt| buf.push_i64(millis_naive(dt))),
        Value::ChronoDateTimeUtc(v) => some!(buf, v, |dt| buf.push_i64(dt.timestamp_millis())),
        Value::ChronoDateTimeLocal(v) => some!(buf, v, |dt| buf.push_i64(dt.timestamp_millis())),
        Value::ChronoDateTimeWithTimeZone(v) => {
            some!(buf, v, |dt| buf.push_i64(dt.timestamp_millis()));
        }
        Value::Uuid(v) => some!(buf, v, |u| buf.push_str(&u.hyphenated().to_string())),
        Value::Decimal(v) => some!(buf, v, |d| buf.push_str(&d.to_string())),
        Value::BigDecimal(v) => some!(buf, v, |d| buf.push_str(&d.to_string())),
        Value::IpNetwork(v) => some!(buf, v, |n| buf.push_str(&n.ip().to_string())),
        Value::Vector(v) => some!(buf, v, |vec| {
            buf.push_bytes(b"[");
            for (i, f) in vec.as_slice().iter().enumerate() {
                if i > 0 {
                    buf.push_bytes(b",");
                }
                buf.push_f32(*f);
            }
            buf.push_bytes(b"]");
        }),
        Value::Array(_, v) => some!(buf, v, |items| {
            buf.push_bytes(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    buf.push_bytes(b",");
                }
                encode(item, buf)?;
            }
            buf.push_bytes(b"]");
        }),
        // Variants behind sea-query features this driver does not enable (time, jiff,
        // mac_address, ranges): refuse rather than guess.
        #[allow(unreachable_patterns)]
        other => return Err(Box::new(UnsupportedValue(format!("{other:?}")))),
    }
    Ok(())
}

/// Binds sea-query values; the first value that fails to encode makes the query fail with
/// `sqlx::Error::Encode` before it is sent.
impl IntoArguments<CrateDb> for SqlxValues {
    fn into_arguments(self) -> CrateDbArguments {
        values_to_arguments(&self.0)
    }
}

/// Converts sea-query values to CrateDB arguments (errors are kept, see
/// [`CrateDbArguments::deferred_error`]).
pub fn values_to_arguments(values: &Values) -> CrateDbArguments {
    values
        .0
        .iter()
        .fold(CrateDbArguments::default(), |args, v| {
            args.bind(SeaValue(v))
        })
}

/// `sqlx::query_with` for SQL and values from sea-query's `build(...)`.
pub fn query(sql: String, values: Values) -> Query<'static, CrateDb, SqlxValues> {
    query_with(AssertSqlSafe(sql), SqlxValues(values))
}

/// `sqlx::query_as_with` for SQL and values from sea-query's `build(...)`.
pub fn query_as<O>(sql: String, values: Values) -> QueryAs<'static, CrateDb, O, SqlxValues>
where
    O: for<'r> sqlx_core::from_row::FromRow<'r, CrateDbRow>,
{
    query_as_with(AssertSqlSafe(sql), SqlxValues(values))
}

/// `sqlx::query_scalar_with` for SQL and values from sea-query's `build(...)`.
pub fn query_scalar<O>(sql: String, values: Values) -> QueryScalar<'static, CrateDb, O, SqlxValues>
where
    (O,): for<'r> sqlx_core::from_row::FromRow<'r, CrateDbRow>,
{
    query_scalar_with(AssertSqlSafe(sql), SqlxValues(values))
}

/// Builds a sea-query DML statement with `CrateDbQueryBuilder` and returns the query.
#[cfg(feature = "sea-cratedb")]
pub fn statement<S: sea_query::QueryStatementWriter>(
    stmt: &S,
) -> Query<'static, CrateDb, SqlxValues> {
    let (sql, values) = stmt.build(sea_cratedb::CrateDbQueryBuilder);
    query(sql, values)
}

/// Builds a sea-query DML statement with `CrateDbQueryBuilder` and maps rows with `FromRow`.
#[cfg(feature = "sea-cratedb")]
pub fn query_as_statement<O, S>(stmt: &S) -> QueryAs<'static, CrateDb, O, SqlxValues>
where
    S: sea_query::QueryStatementWriter,
    O: for<'r> sqlx_core::from_row::FromRow<'r, CrateDbRow>,
{
    let (sql, values) = stmt.build(sea_cratedb::CrateDbQueryBuilder);
    query_as(sql, values)
}

/// Builds a sea-query schema statement (`CREATE TABLE`, …) with `CrateDbQueryBuilder`.
#[cfg(feature = "sea-cratedb")]
pub fn schema_statement<S: sea_query::SchemaStatementBuilder>(
    stmt: &S,
) -> Query<'static, CrateDb, CrateDbArguments> {
    sqlx_core::query::query(AssertSqlSafe(stmt.build(sea_cratedb::CrateDbQueryBuilder)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(values: Vec<Value>) -> Result<String, String> {
        let args = values_to_arguments(&Values(values));
        match args.deferred_error() {
            Some(e) => Err(e.to_string()),
            None => Ok(String::from_utf8(args.json().to_vec()).unwrap()),
        }
    }

    #[test]
    fn sea_values_encode_as_cratedb_expects() {
        let dt = sea_query::prelude::NaiveDate::from_ymd_opt(2021, 3, 9)
            .unwrap()
            .and_hms_milli_opt(10, 0, 0, 123)
            .unwrap();
        let got = json(vec![
            Value::Int(Some(1)),
            Value::String(None),
            Value::String(Some("a\"b".into())),
            Value::BigUnsigned(Some(5)),
            Value::Double(Some(f64::INFINITY)),
            Value::ChronoDateTime(Some(dt)),
            Value::Json(Some(Box::new(serde_json::json!({"k": [1]})))),
            Value::Array(
                sea_query::ArrayType::Int,
                Some(Box::new(vec![Value::Int(Some(1)), Value::Int(None)])),
            ),
            Value::Bool(Some(true)),
        ])
        .unwrap();
        assert_eq!(
            got,
            r#"1,null,"a\"b",5,"Infinity",1615284000123,{"k":[1]},[1,null],true"#
        );
    }

    #[test]
    fn encode_errors_are_kept_not_dropped() {
        let err = json(vec![
            Value::Int(Some(1)),
            Value::BigUnsigned(Some(u64::MAX)),
        ])
        .unwrap_err();
        assert!(err.contains("does not fit"), "{err}");
    }
}
