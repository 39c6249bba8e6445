//! Time zones: what CrateDB keeps of a zone (nothing for a timestamp, the offset for a
//! TIME WITH TIME ZONE), `SET TIME ZONE`, and the `chrono-tz` and `time` crate mappings.

use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use sqlx::Connection as _;
use sqlx_cratedb::CrateDbConnection;
use time::macros::{date, datetime, time};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::{Table, select};
use crate::scenarios::{Target, Transport};

/// A timestamp bound at an offset or in a named zone comes back as the same instant at offset
/// zero, whichever Rust type reads it; `SET TIME ZONE` is accepted and changes nothing (and
/// over pgwire the session's `TimeZone` stays `UTC`); TIME WITH TIME ZONE keeps its offset.
pub(super) async fn zones_are_instants_and_time_with_time_zone_keeps_its_offset(target: &Target) {
    let t = Table::new(
        target,
        "types_zones",
        "ts TIMESTAMP WITH TIME ZONE, lts TIMESTAMP WITHOUT TIME ZONE",
    )
    .await;
    let kolkata = chrono_tz::Asia::Kolkata
        .with_ymd_and_hms(2021, 3, 9, 10, 0, 0)
        .unwrap();
    let instant = "2021-03-09T04:30:00+00:00";
    t.put("ts", 1, kolkata).await;
    assert_eq!(
        t.get::<DateTime<FixedOffset>>("ts", 1).await.to_rfc3339(),
        instant
    );
    let zoned: DateTime<Tz> = t.get("ts", 1).await;
    assert_eq!((zoned.timezone(), zoned), (Tz::UTC, kolkata));
    assert_eq!(
        t.get::<OffsetDateTime>("ts", 1).await,
        datetime!(2021-03-09 10:00 +05:30)
    );

    // The `time` crate's types round-trip, sub-millisecond digits truncated.
    let at = datetime!(1969-12-31 23:59:59.9995 -03:00);
    t.put("ts", 2, at).await;
    assert_eq!(
        t.get::<OffsetDateTime>("ts", 2).await,
        datetime!(1970-01-01 02:59:59.999 UTC)
    );
    t.round_trip("lts", 2, datetime!(9999-12-31 23:59:59.999))
        .await;
    t.round_trip("ts", 3, datetime!(0001-01-01 00:00 UTC)).await;
    t.null_round_trips::<OffsetDateTime>("ts", 4).await;
    t.null_round_trips::<PrimitiveDateTime>("lts", 4).await;

    session_time_zone_changes_nothing(target, &t.name).await;

    let mut conn = CrateDbConnection::connect_with(target.options())
        .await
        .unwrap();
    for (text, offset_seconds, wall) in [
        ("13:00:00.5+01:00", 3600, time!(13:00:00.5)),
        ("00:00:00-05:30", -19_800, time!(00:00)),
    ] {
        let sql = format!("SELECT '{text}'::timetz, '{text}'::timetz, '{text}'::timetz");
        let (at, naive, time): (DateTime<FixedOffset>, NaiveTime, time::Time) =
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(at.offset().local_minus_utc(), offset_seconds, "{text}");
        assert_eq!(time, wall, "{text}");
        assert_eq!(naive, at.time(), "{text}");
        let (h, m, s, ns) = wall.as_hms_nano();
        assert_eq!(
            naive,
            NaiveTime::from_hms_nano_opt(h.into(), m.into(), s.into(), ns).unwrap(),
            "{text}"
        );
    }
    conn.close().await.unwrap();
    // Bound times of day go out as UTC.
    let back: time::Time = select(target, "SELECT $1::timetz", time!(23:59:59.999_999)).await;
    assert_eq!(back, time!(23:59:59.999_999));
    let back: DateTime<FixedOffset> = select(
        target,
        "SELECT $1::timetz",
        NaiveTime::from_hms_opt(7, 8, 9).unwrap(),
    )
    .await;
    assert_eq!(back.to_rfc3339(), "1970-01-01T07:08:09+00:00");
    let day: time::Date = select(target, "SELECT $1::date", date!(2000 - 02 - 29)).await;
    assert_eq!(day, date!(2000 - 02 - 29));
    t.drop().await;
}

/// `SET TIME ZONE` on one connection, then the row of `table` written above: the same UTC text
/// and instant as before.
async fn session_time_zone_changes_nothing(target: &Target, table: &str) {
    let mut conn = CrateDbConnection::connect_with(target.options())
        .await
        .unwrap();
    if target.transport() == Transport::PgWire {
        assert_eq!(conn.server_parameter("TimeZone"), Some("UTC"));
    }
    sqlx::query("SET TIME ZONE 'Europe/Berlin'")
        .execute(&mut conn)
        .await
        .unwrap();
    let sql = format!("SELECT ts, ts::text FROM {table} WHERE id = 1");
    let (at, text): (DateTime<Utc>, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(at.to_rfc3339(), "2021-03-09T04:30:00+00:00");
    // CrateDB casts a timestamp to text as epoch milliseconds.
    assert_eq!(text, "1615264200000");
    if target.transport() == Transport::PgWire {
        assert_eq!(conn.server_parameter("TimeZone"), Some("UTC"));
    }
    conn.close().await.unwrap();
}
