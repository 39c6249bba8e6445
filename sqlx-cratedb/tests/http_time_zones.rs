//! Time zones over HTTP against the in-process `/_sql` peer: epoch milliseconds and
//! `[micros, offset]` decode into chrono (with `chrono-tz`) and the `time` crate's types, and
//! those bind as CrateDB expects.

#![allow(clippy::unreadable_literal)]

mod common;

use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use common::{Reply, peer, pool, result_set, row_count};
use serde_json::json;
use sqlx::Row as _;
use time::macros::{date, datetime, offset, time};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

#[tokio::test]
async fn zoned_and_time_crate_values_decode_from_epoch_milliseconds() {
    let peer = peer(|_| {
        Reply::Json(
            200,
            result_set(
                &["tstz", "ts", "d", "ttz", "arr"],
                json!([11, 15, 24, 20, [100, 11]]),
                json!([[
                    1615264200123_i64,
                    -1,
                    1615248000000_i64,
                    [46800500000_i64, -19800],
                    [0, null]
                ]]),
            ),
        )
    })
    .await;
    let pool = pool(&peer.url()).await;
    let row = sqlx::query("SELECT * FROM zones")
        .fetch_one(&pool)
        .await
        .unwrap();

    let fixed: DateTime<FixedOffset> = row.get("tstz");
    assert_eq!(fixed.to_rfc3339(), "2021-03-09T04:30:00.123+00:00");
    let zoned: DateTime<Tz> = row.get("tstz");
    assert_eq!(zoned.timezone(), Tz::UTC);
    assert_eq!(
        zoned.with_timezone(&chrono_tz::Asia::Kolkata).to_rfc3339(),
        "2021-03-09T10:00:00.123+05:30"
    );
    let odt: OffsetDateTime = row.get("tstz");
    assert_eq!(odt, datetime!(2021-03-09 10:00:00.123 +05:30));
    assert_eq!(odt.offset(), offset!(UTC));
    let pdt: PrimitiveDateTime = row.get("ts");
    assert_eq!(pdt, datetime!(1969-12-31 23:59:59.999));
    let day: Date = row.get("d");
    assert_eq!(day, date!(2021 - 03 - 09));

    let at: DateTime<FixedOffset> = row.get("ttz");
    assert_eq!(at.to_rfc3339(), "1970-01-01T13:00:00.500-05:30");
    let naive: NaiveTime = row.get("ttz");
    assert_eq!(naive, NaiveTime::from_hms_milli_opt(13, 0, 0, 500).unwrap());
    let t: Time = row.get("ttz");
    assert_eq!(t, time!(13:00:00.5));

    let arr: Vec<Option<OffsetDateTime>> = row.get("arr");
    assert_eq!(arr, vec![Some(OffsetDateTime::UNIX_EPOCH), None]);
    // A time of day is not a timestamp: a clear error naming both types.
    let e = row.try_get::<OffsetDateTime, _>("ttz").unwrap_err();
    assert!(e.to_string().contains("TIME WITH TIME ZONE"), "{e}");
}

#[tokio::test]
async fn zoned_and_time_crate_values_bind_as_instants_and_utc_times() {
    let peer = peer(|_| Reply::Json(200, row_count(1))).await;
    let pool = pool(&peer.url()).await;
    sqlx::query("INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(
            chrono_tz::America::New_York
                .with_ymd_and_hms(2021, 3, 9, 0, 0, 0)
                .unwrap(),
        )
        .bind(datetime!(2021-03-09 10:00:00.123456 +05:30))
        .bind(datetime!(1969-12-31 23:59:59.9995))
        .bind(date!(1969 - 07 - 20))
        .bind(time!(13:00:00.0015))
        .bind(NaiveTime::from_hms_opt(23, 59, 59).unwrap())
        .bind(Utc.timestamp_millis_opt(0).unwrap())
        .execute(&pool)
        .await
        .unwrap();
    let rec = peer.requests().pop().unwrap();
    assert_eq!(
        rec.args(),
        &json!([
            1615266000000_i64,
            1615264200123_i64,
            -1,
            -14256000000_i64,
            "13:00:00.001500+00:00",
            "23:59:59.000000+00:00",
            0
        ])
    );
}
