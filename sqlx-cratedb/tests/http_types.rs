//! The driver through the sqlx API against the in-process `/_sql` peer: binding, decoding of
//! every `col_types` code, `FromRow`, errors.

#![allow(
    clippy::unreadable_literal,
    clippy::float_cmp,
    clippy::too_many_lines,
    clippy::panic,
    clippy::items_after_statements
)]

mod common;

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use common::{Reply, peer, pool, result_set, row_count};
use serde_json::{Value, json};
use sqlx::{Row, types::Json};
use sqlx_cratedb::types::{
    CrateDbBit, CrateDbGeoPoint, CrateDbGeoShape, CrateDbInterval, CrateDbTimeTz,
};

fn all_types_body() -> Value {
    result_set(
        &[
            "n", "byte", "bool", "txt", "ip", "dbl", "real", "small", "int", "big", "tstz", "obj",
            "point", "shape", "ts", "interval", "timetz", "numeric", "date", "bit", "json", "chr",
            "vec", "uuid", "arr", "nested", "objs",
        ],
        json!([
            0,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            12,
            13,
            14,
            15,
            17,
            20,
            22,
            24,
            25,
            26,
            27,
            28,
            29,
            [100, 4],
            [100, [100, 9]],
            [100, 12]
        ]),
        json!([[
            null, -5, true, "h\u{e9}llo \"q\"", "10.0.0.1", 1.5, 2.25, 300, 70000, 9000000000_i64,
            1615284000000_i64, {"a": 1, "b": ["x"]}, [13.4, 52.5],
            {"type": "Point", "coordinates": [1.0, 2.0]}, 1615284000123_i64,
            "1 year 2 mons 3 days 04:05:06", [46800000000_i64, 3600], 123.45, 1615248000000_i64,
            "B'0101'", {"k": "v"}, "ab  ", [1.0, 2.5, -3.0],
            "65ace7f6-2d3b-4c1e-9f5a-0123456789ab", ["a", null, "c\nd"], [[1, 2], [], [3]],
            [{"x": 1}, {"x": 2}]
        ]]),
    )
}

#[tokio::test]
async fn every_col_type_decodes_into_its_rust_type() {
    let peer = peer(|_| Reply::Json(200, all_types_body())).await;
    let pool = pool(&peer.url()).await;
    let row = sqlx::query("SELECT * FROM all_types")
        .fetch_one(&pool)
        .await
        .unwrap();

    assert_eq!(row.try_get::<Option<i32>, _>("n").unwrap(), None);
    assert_eq!(row.get::<i8, _>("byte"), -5);
    assert!(row.get::<bool, _>("bool"));
    assert_eq!(row.get::<String, _>("txt"), "h\u{e9}llo \"q\"");
    assert_eq!(row.get::<&str, _>("txt"), "h\u{e9}llo \"q\"");
    assert_eq!(
        row.get::<IpAddr, _>("ip"),
        "10.0.0.1".parse::<IpAddr>().unwrap()
    );
    assert_eq!(row.get::<f64, _>("dbl"), 1.5);
    assert_eq!(row.get::<f32, _>("real"), 2.25);
    assert_eq!(row.get::<i16, _>("small"), 300);
    assert_eq!(row.get::<i32, _>("int"), 70000);
    assert_eq!(row.get::<i64, _>("big"), 9_000_000_000);
    assert_eq!(
        row.get::<DateTime<Utc>, _>("tstz"),
        DateTime::parse_from_rfc3339("2021-03-09T10:00:00Z").unwrap()
    );
    assert_eq!(row.get::<Value, _>("obj"), json!({"a": 1, "b": ["x"]}));
    #[derive(serde::Deserialize, PartialEq, Debug)]
    struct Obj {
        a: i32,
        b: Vec<String>,
    }
    assert_eq!(
        row.get::<Json<Obj>, _>("obj").0,
        Obj {
            a: 1,
            b: vec!["x".into()]
        }
    );
    assert_eq!(
        row.get::<CrateDbGeoPoint, _>("point"),
        CrateDbGeoPoint::new(13.4, 52.5)
    );
    assert_eq!(
        row.get::<CrateDbGeoShape, _>("shape"),
        CrateDbGeoShape::GeoJson(json!({"type": "Point", "coordinates": [1.0, 2.0]}))
    );
    assert_eq!(
        row.get::<NaiveDateTime, _>("ts"),
        NaiveDate::from_ymd_opt(2021, 3, 9)
            .unwrap()
            .and_hms_milli_opt(10, 0, 0, 123)
            .unwrap()
    );
    let iv = row.get::<CrateDbInterval, _>("interval");
    assert_eq!((iv.months, iv.days), (14, 3));
    assert_eq!(
        row.get::<CrateDbTimeTz, _>("timetz"),
        CrateDbTimeTz {
            microseconds: 46_800_000_000,
            offset_seconds: 3600
        }
    );
    assert_eq!(row.get::<f64, _>("numeric"), 123.45);
    assert_eq!(row.get::<String, _>("numeric"), "123.45");
    assert_eq!(
        row.get::<NaiveDate, _>("date"),
        NaiveDate::from_ymd_opt(2021, 3, 9).unwrap()
    );
    assert_eq!(
        row.get::<CrateDbBit, _>("bit"),
        CrateDbBit(vec![false, true, false, true])
    );
    assert_eq!(row.get::<Value, _>("json"), json!({"k": "v"}));
    assert_eq!(row.get::<String, _>("chr"), "ab  ");
    assert_eq!(row.get::<Vec<f32>, _>("vec"), vec![1.0, 2.5, -3.0]);
    #[cfg(feature = "uuid")]
    assert_eq!(
        row.get::<uuid::Uuid, _>("uuid").to_string(),
        "65ace7f6-2d3b-4c1e-9f5a-0123456789ab"
    );
    assert_eq!(
        row.get::<String, _>("uuid"),
        "65ace7f6-2d3b-4c1e-9f5a-0123456789ab"
    );
    assert_eq!(
        row.get::<Vec<Option<String>>, _>("arr"),
        vec![Some("a".into()), None, Some("c\nd".into())]
    );
    assert_eq!(
        row.get::<Vec<Vec<i32>>, _>("nested"),
        vec![vec![1, 2], vec![], vec![3]]
    );
    assert_eq!(
        row.get::<Vec<Value>, _>("objs"),
        vec![json!({"x": 1}), json!({"x": 2})]
    );
    assert_eq!(row.get::<Json<Vec<Value>>, _>("objs").0.len(), 2);
}

#[tokio::test]
async fn decoding_into_an_incompatible_type_names_column_and_types() {
    let peer = peer(|_| Reply::Json(200, all_types_body())).await;
    let pool = pool(&peer.url()).await;
    let row = sqlx::query("SELECT * FROM all_types")
        .fetch_one(&pool)
        .await
        .unwrap();
    let err = row.try_get::<i32, _>("txt").unwrap_err().to_string();
    assert!(err.contains("\"txt\""), "{err}");
    assert!(err.contains("i32") && err.contains("TEXT"), "{err}");
    let err = row.try_get::<bool, _>(3).unwrap_err().to_string();
    assert!(err.contains("\"txt\" (#3)"), "{err}");
    let err = row.try_get::<i8, _>("int").unwrap_err().to_string();
    assert!(err.contains("INTEGER"), "{err}");
    let err = row.try_get::<Vec<i32>, _>("arr").unwrap_err().to_string();
    assert!(err.contains("ARRAY(TEXT)"), "{err}");
    assert!(row.try_get::<i32, _>("nope").is_err());
    // An out-of-range value of a compatible type is a decode error, not a panic.
    let err = row.try_get::<i32, _>("big").unwrap_err().to_string();
    assert!(err.contains("BIGINT"), "{err}");
    let err = row
        .try_get_unchecked::<i32, _>("big")
        .unwrap_err()
        .to_string();
    assert!(err.contains("out of range"), "{err}");
}

#[tokio::test]
async fn binds_encode_as_crate_expects_over_http() {
    let peer = peer(|_| Reply::Json(200, row_count(1))).await;
    let pool = pool(&peer.url()).await;
    let ts = DateTime::parse_from_rfc3339("2021-03-09T10:00:00.123Z")
        .unwrap()
        .with_timezone(&Utc);
    let res = sqlx::query(
        "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)",
    )
    .bind(true)
    .bind(7_i32)
    .bind(u64::MAX >> 1)
    .bind(1.5_f64)
    .bind(f64::NAN)
    .bind("a\"b")
    .bind(Option::<String>::None)
    .bind(ts)
    .bind(NaiveDate::from_ymd_opt(2021, 3, 9).unwrap())
    .bind("10.0.0.1".parse::<IpAddr>().unwrap())
    .bind(json!({"k": [1, 2]}))
    .bind(Json(vec![1, 2]))
    .bind(vec![vec![1_i64], vec![]])
    .bind(CrateDbGeoPoint::new(13.4, 52.5))
    .bind("123.45")
    .bind(CrateDbTimeTz {
        microseconds: 46_800_000_000,
        offset_seconds: 3600,
    })
    .bind(vec![Some(1.5_f32), None])
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(res.rows_affected(), 1);
    let rec = peer.requests().pop().unwrap();
    assert_eq!(
        rec.args(),
        &json!([
            true, 7, 4611686018427387903_i64 * 2 + 1, 1.5, "NaN", "a\"b", null, 1615284000123_i64,
            1615248000000_i64, "10.0.0.1", {"k": [1, 2]}, [1, 2], [[1], []], [13.4, 52.5],
            "123.45", "13:00:00.000000+01:00", [1.5, null]
        ])
    );
    assert_eq!(rec.path, "/_sql?types");
    assert_eq!(rec.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn u64_beyond_bigint_is_an_encode_error() {
    let peer = peer(|_| Reply::Json(200, row_count(1))).await;
    let pool = pool(&peer.url()).await;
    let err = sqlx::query("SELECT $1")
        .bind(u64::MAX)
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(matches!(err, sqlx::Error::Encode(_)), "{err:?}");
    assert!(
        peer.requests().iter().all(|r| r.stmt() == "SELECT 1"),
        "the failed statement was not sent"
    );
}

#[derive(sqlx::FromRow, Debug, PartialEq)]
struct Metric {
    id: i32,
    name: String,
    tags: Vec<String>,
    ts: DateTime<Utc>,
    score: Option<f64>,
}

#[tokio::test]
async fn query_as_from_row_scalar_optional_and_streams() {
    let peer = peer(|rec| {
        if rec.stmt().contains("WHERE false") {
            return Reply::Json(200, result_set(&["id"], json!([9]), json!([])));
        }
        Reply::Json(
            200,
            result_set(
                &["id", "name", "tags", "ts", "score"],
                json!([9, 4, [100, 4], 11, 6]),
                json!([[1, "a", ["x"], 0, 0.5], [2, "b", [], 1000, null]]),
            ),
        )
    })
    .await;
    let pool = pool(&peer.url()).await;
    let metrics: Vec<Metric> = sqlx::query_as("SELECT * FROM m")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(metrics.len(), 2);
    assert_eq!(metrics[1].ts.timestamp_millis(), 1000);
    assert_eq!(metrics[1].score, None);
    let id: i32 = sqlx::query_scalar("SELECT * FROM m")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(id, 1);
    let none: Option<i32> = sqlx::query_scalar("SELECT id FROM m WHERE false")
        .fetch_optional(&pool)
        .await
        .unwrap();
    assert_eq!(none, None);
    let err = sqlx::query("SELECT id FROM m WHERE false")
        .fetch_one(&pool)
        .await
        .unwrap_err();
    assert!(matches!(err, sqlx::Error::RowNotFound));
    use futures_util::TryStreamExt;
    let names: Vec<String> = sqlx::query_as::<_, Metric>("SELECT * FROM m")
        .fetch(&pool)
        .map_ok(|m| m.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b"]);
    let mut conn = pool.acquire().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT * FROM m")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn dml_row_counts_including_unknown() {
    let peer = peer(|rec| match rec.stmt() {
        s if s.starts_with("ALTER") => Reply::Json(200, row_count(-1)),
        _ => Reply::Json(200, row_count(3)),
    })
    .await;
    let pool = pool(&peer.url()).await;
    let r = sqlx::query("UPDATE t SET a = 1")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 3);
    assert_eq!(r.rowcount(), Some(3));
    let r = sqlx::query("ALTER TABLE t SET (x = 1)")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 0);
    assert_eq!(r.rowcount(), None);
    let rows = sqlx::query("UPDATE t SET a = 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(rows.is_empty(), "the [[]] of a DML answer is not a row");
}

#[tokio::test]
async fn escaped_and_unicode_strings_in_many_small_chunks() {
    let body = result_set(
        &["s"],
        json!([4]),
        json!([
            ["tab\there"],
            ["quote \" and \\ backslash"],
            ["emoji \u{1F600}"],
            ["\u{0}"]
        ]),
    )
    .to_string();
    // Chunk boundaries at every 3 bytes, cutting escapes and UTF-8 sequences in half.
    let chunks: Vec<Vec<u8>> = body.as_bytes().chunks(3).map(<[u8]>::to_vec).collect();
    let peer = peer(move |_| Reply::Chunks(200, chunks.clone())).await;
    let pool = pool(&peer.url()).await;
    let got: Vec<String> = sqlx::query_scalar("SELECT s FROM t")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        got,
        [
            "tab\there",
            "quote \" and \\ backslash",
            "emoji \u{1F600}",
            "\u{0}"
        ]
    );
}

#[tokio::test]
async fn internal_and_catalog_col_types_decode() {
    let peer = peer(|_| {
        Reply::Json(
            200,
            result_set(
                &["nosup", "unchecked", "rec", "proc", "oidv", "cls", "typ", "future"],
                json!([1, 16, 18, 19, 21, 23, 30, 99]),
                json!([[
                    "x", {"a": 1}, [1, "b"], "pg_typeof", [23, 25], 1_234_567, "integer", {"z": true}
                ]]),
            ),
        )
    })
    .await;
    let pool = pool(&peer.url()).await;
    let row = sqlx::query("SELECT catalog")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(row.get::<Value, _>("nosup"), json!("x"));
    assert_eq!(row.get::<Value, _>("unchecked"), json!({"a": 1}));
    assert_eq!(row.get::<Value, _>("rec"), json!([1, "b"]));
    assert_eq!(row.get::<String, _>("proc"), "pg_typeof");
    assert_eq!(row.get::<Json<Vec<i64>>, _>("oidv").0, vec![23, 25]);
    assert_eq!(row.get::<i64, _>("cls"), 1_234_567);
    assert_eq!(row.get::<String, _>("typ"), "integer");
    // A code this driver does not know is read by the shape of its JSON.
    assert_eq!(row.get::<Value, _>("future"), json!({"z": true}));
    use sqlx::{Column, TypeInfo};
    let names: Vec<String> = row
        .columns()
        .iter()
        .map(|c| c.type_info().name().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "NOT SUPPORTED",
            "UNCHECKED OBJECT",
            "RECORD",
            "REGPROC",
            "OIDVECTOR",
            "REGCLASS",
            "REGTYPE",
            "UNKNOWN"
        ]
    );
}

/// The peer echoes the bound arguments back as one row, typed by the `col_types` given in the
/// statement (`SELECT /*[9,4]*/ $1, $2`): what the driver encodes, it decodes back.
fn echo(rec: &common::Recorded) -> Reply {
    let stmt = rec.stmt();
    let types: Value = stmt
        .split_once("/*")
        .and_then(|(_, rest)| rest.split_once("*/"))
        .and_then(|(t, _)| serde_json::from_str(t).ok())
        .unwrap_or(json!([]));
    let args = rec.args().as_array().cloned().unwrap_or_default();
    let cols: Vec<String> = (0..args.len()).map(|i| format!("c{i}")).collect();
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    Reply::Json(200, result_set(&cols, types, json!([args])))
}

#[tokio::test]
async fn bound_values_round_trip_through_the_wire_format() {
    let peer = peer(echo).await;
    let pool = pool(&peer.url()).await;
    let ts = DateTime::parse_from_rfc3339("2021-03-09T10:00:00.123Z")
        .unwrap()
        .with_timezone(&Utc);
    let date = NaiveDate::from_ymd_opt(1969, 7, 20).unwrap();
    let shape = CrateDbGeoShape::GeoJson(json!({"type": "Point", "coordinates": [1.5, 2.5]}));
    let iv = CrateDbInterval {
        months: 14,
        days: -3,
        microseconds: 14_706_789_000,
    };
    let row = sqlx::query(
        "SELECT /*[3,2,8,9,10,7,6,4,11,15,24,5,12,[100,[100,10]],13,14,28,17,25,[100,4],9]*/ \
         $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21",
    )
    .bind(false)
    .bind(-128_i8)
    .bind(i16::MIN)
    .bind(i32::MAX)
    .bind(i64::MIN)
    .bind(f32::MIN_POSITIVE)
    .bind(-0.1_f64)
    .bind("tab\t, quote \", emoji \u{1F600}, nul \u{0}")
    .bind(ts)
    .bind(ts.naive_utc())
    .bind(date)
    .bind("::1".parse::<IpAddr>().unwrap())
    .bind(json!({"nested": {"k": [1, null, "x"]}}))
    .bind(vec![vec![1_i64, -2], vec![]])
    .bind(CrateDbGeoPoint::new(-179.5, 89.25))
    .bind(shape.clone())
    .bind(vec![0.5_f32, -1.25])
    .bind(iv)
    .bind(CrateDbBit(vec![true, false, true]))
    .bind(vec![Some("a"), None])
    .bind(Option::<i32>::None)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!row.get::<bool, _>(0));
    assert_eq!(row.get::<i8, _>(1), -128);
    assert_eq!(row.get::<i16, _>(2), i16::MIN);
    assert_eq!(row.get::<i32, _>(3), i32::MAX);
    assert_eq!(row.get::<i64, _>(4), i64::MIN);
    assert_eq!(row.get::<f32, _>(5), f32::MIN_POSITIVE);
    assert_eq!(row.get::<f64, _>(6), -0.1);
    assert_eq!(
        row.get::<String, _>(7),
        "tab\t, quote \", emoji \u{1F600}, nul \u{0}"
    );
    assert_eq!(row.get::<DateTime<Utc>, _>(8), ts);
    assert_eq!(row.get::<NaiveDateTime, _>(9), ts.naive_utc());
    assert_eq!(row.get::<NaiveDate, _>(10), date);
    assert_eq!(row.get::<IpAddr, _>(11).to_string(), "::1");
    assert_eq!(row.get::<Value, _>(12)["nested"]["k"][2], "x");
    assert_eq!(row.get::<Vec<Vec<i64>>, _>(13), vec![vec![1, -2], vec![]]);
    assert_eq!(
        row.get::<CrateDbGeoPoint, _>(14),
        CrateDbGeoPoint::new(-179.5, 89.25)
    );
    assert_eq!(row.get::<CrateDbGeoShape, _>(15), shape);
    assert_eq!(row.get::<Vec<f32>, _>(16), vec![0.5, -1.25]);
    assert_eq!(row.get::<CrateDbInterval, _>(17), iv);
    assert_eq!(
        row.get::<CrateDbBit, _>(18),
        CrateDbBit(vec![true, false, true])
    );
    assert_eq!(
        row.get::<Vec<Option<String>>, _>(19),
        vec![Some("a".into()), None]
    );
    assert_eq!(row.get::<Option<i32>, _>(20), None);
}
