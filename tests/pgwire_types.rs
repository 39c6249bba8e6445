//! Date, time and zone values over the pgwire transport against a real, throwaway PostgreSQL:
//! text with any offset (PostgreSQL honours `SET TIME ZONE`, CrateDB does not) decodes into
//! chrono, `chrono-tz` and `time` crate values as the same instants.
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, FixedOffset, NaiveTime, Utc};
use chrono_tz::Tz;
use cratedb_integration::pg::{PgServer, PgServerConfig};
use sqlx::Connection as _;
use sqlx_cratedb::CrateDbConnection;
use time::macros::{date, datetime, time};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

#[tokio::test]
async fn timestamps_at_a_session_zone_decode_as_the_same_instants() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let mut conn = CrateDbConnection::connect_with(&server.crate_options())
        .await
        .unwrap();
    sqlx::query("SET TIME ZONE 'Asia/Kolkata'")
        .execute(&mut conn)
        .await
        .unwrap();
    let sql = "SELECT '2021-03-09 04:30:00.123456+00'::timestamptz, \
               '2021-03-09 04:30:00.123456+00'::timestamptz::text";
    let (at, text): (DateTime<Utc>, String) =
        sqlx::query_as(sql).fetch_one(&mut conn).await.unwrap();
    assert_eq!(text, "2021-03-09 10:00:00.123456+05:30");
    // PostgreSQL reports the new zone in a ParameterStatus just before the SET's
    // ReadyForQuery, which the driver reads when the next command starts, and keeps.
    assert_eq!(conn.server_parameter("TimeZone"), Some("Asia/Kolkata"));
    assert_eq!(at.to_rfc3339(), "2021-03-09T04:30:00.123+00:00");
    let (fixed, _): (DateTime<FixedOffset>, String) =
        sqlx::query_as(sql).fetch_one(&mut conn).await.unwrap();
    assert_eq!(fixed, at);
    let (zoned, _): (DateTime<Tz>, String) =
        sqlx::query_as(sql).fetch_one(&mut conn).await.unwrap();
    assert_eq!((zoned.timezone(), zoned.to_utc()), (Tz::UTC, at));
    let (odt, _): (OffsetDateTime, String) =
        sqlx::query_as(sql).fetch_one(&mut conn).await.unwrap();
    assert_eq!(odt, datetime!(2021-03-09 04:30:00.123 UTC));

    // Bound values of the `time` crate, through PostgreSQL's casts and back.
    let (odt, pdt, day): (OffsetDateTime, PrimitiveDateTime, Date) =
        sqlx::query_as("SELECT $1::timestamptz, $2::timestamp, $3::date")
            .bind(datetime!(1969-12-31 23:59:59.999 -03:00))
            .bind(datetime!(0001-01-01 00:00))
            .bind(date!(2000 - 02 - 29))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(odt, datetime!(1970-01-01 02:59:59.999 UTC));
    assert_eq!(pdt, datetime!(0001-01-01 00:00));
    assert_eq!(day, date!(2000 - 02 - 29));
    conn.close().await.unwrap();
}

#[tokio::test]
async fn time_with_time_zone_keeps_its_offset() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let mut conn = CrateDbConnection::connect_with(&server.crate_options())
        .await
        .unwrap();
    let (at, naive, t): (DateTime<FixedOffset>, NaiveTime, Time) =
        sqlx::query_as("SELECT '13:00:00.5-05:30'::timetz, '13:00:00.5-05:30'::timetz, $1::timetz")
            .bind(time!(23:59:59.999_999))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(at.to_rfc3339(), "1970-01-01T13:00:00.500-05:30");
    assert_eq!(naive, NaiveTime::from_hms_milli_opt(13, 0, 0, 500).unwrap());
    assert_eq!(t, time!(23:59:59.999_999));
    conn.close().await.unwrap();
}
