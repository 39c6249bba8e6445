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

/// A row of `binary_timestamps_decode_as_their_text_does`.
type Row = (
    Option<DateTime<Utc>>,
    Option<chrono::NaiveDateTime>,
    Option<String>,
);

/// A read is prepared before its first execution, so timestamps come in the binary format from
/// the first execution on; they decode to the same values as text does, and
/// `binary_results=false` keeps them in text.
#[tokio::test]
async fn binary_timestamps_decode_as_their_text_does() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let sql = "SELECT t, t::timestamp, t::text FROM (VALUES \
               ('2021-03-09 04:30:00.123456+00'::timestamptz), \
               ('1969-12-31 23:59:59.999+00'), ('0001-01-01 00:00:00+00'), \
               ('2262-04-11 23:47:16.854+00'), (NULL)) AS v(t)";
    for binary in [true, false] {
        let options = server.crate_options().binary_results(binary);
        let mut conn = CrateDbConnection::connect_with(&options).await.unwrap();
        let first: Vec<Row> = sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap();
        let second: Vec<Row> = sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap();
        assert_eq!(first, second, "binary_results={binary}");
        assert_eq!(first.len(), 5);
        for (at, naive, _) in &first[..4] {
            assert_eq!(at.unwrap().naive_utc(), naive.unwrap());
        }
        assert_eq!(
            first[1].0.unwrap().to_rfc3339(),
            "1969-12-31T23:59:59.999+00:00"
        );
        assert_eq!(first[4], (None, None, None));

        // Proof of the format: with `DateStyle=SQL` the text of a timestamp is not ISO, which
        // the text path refuses; the binary form does not depend on it.
        sqlx::query("SET DateStyle = 'SQL, DMY'")
            .execute(&mut conn)
            .await
            .unwrap();
        let at = "SELECT '2021-03-09 04:30:00.5+00'::timestamptz";
        let first_run = sqlx::query_scalar::<_, DateTime<Utc>>(at)
            .fetch_one(&mut conn)
            .await;
        let second = sqlx::query_scalar::<_, DateTime<Utc>>(at)
            .fetch_one(&mut conn)
            .await;
        if binary {
            for run in [first_run, second] {
                assert_eq!(run.unwrap().to_rfc3339(), "2021-03-09T04:30:00.500+00:00");
            }
        } else {
            assert!(first_run.is_err(), "binary_results=false: text");
            assert!(second.is_err(), "binary_results=false stays in text");
        }
        conn.close().await.unwrap();
    }
}
