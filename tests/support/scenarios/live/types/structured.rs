//! IP, `BIT(n)`, geo types, `FLOAT_VECTOR(n)`, objects and arrays.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx_cratedb::types::{CrateDbBit, CrateDbGeoPoint, CrateDbGeoShape};

use super::{Table, assert_mentions};
use crate::scenarios::{Target, Transport};

/// IP: IPv4 (incl. 0.0.0.0 and 255.255.255.255), IPv6 (loopback, full, compressed,
/// IPv4-mapped), NULL; a string that is no address is the server's error.
pub(super) async fn ip_v4_and_v6_round_trip(target: &Target) {
    let t = Table::new(target, "types_ip", "ip IP").await;
    for (i, text) in [
        "0.0.0.0",
        "10.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "2001:db8::8a2e:370:7334",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fe80::1",
    ]
    .into_iter()
    .enumerate()
    {
        let id = i32::try_from(i).unwrap() + 1;
        let ip: IpAddr = text.parse().unwrap();
        t.round_trip("ip", id, ip).await;
        assert_eq!(t.get::<String>("ip", id).await, ip.to_string());
    }
    // An IPv4-mapped IPv6 address: CrateDB stores the IPv4 address.
    t.put("ip", 20, "::ffff:192.168.0.1".parse::<IpAddr>().unwrap())
        .await;
    assert_eq!(
        t.get::<IpAddr>("ip", 20).await,
        "192.168.0.1".parse::<IpAddr>().unwrap()
    );
    t.null_round_trips::<IpAddr>("ip", 21).await;
    let e = t.put_error("ip", 900, "not an ip").await;
    assert_mentions(&e, "not an ip");
    t.drop().await;
}

/// BIT(4): every value round-trips through [`CrateDbBit`]; another length is the server's
/// error.
pub(super) async fn bit_n_round_trips_and_rejects_other_lengths(target: &Target) {
    let t = Table::new(target, "types_bit", "b BIT(4)").await;
    for (i, text) in ["0000", "0101", "1111", "1000"].into_iter().enumerate() {
        let id = i32::try_from(i).unwrap() + 1;
        t.round_trip("b", id, CrateDbBit::parse(text).unwrap())
            .await;
    }
    t.null_round_trips::<CrateDbBit>("b", 10).await;
    let e = t
        .put_error("b", 900, CrateDbBit::parse("01").unwrap())
        .await;
    // Over pgwire CrateDB's BIT text reader fails on the short value before it checks the
    // length: its message is an index error, not the length check HTTP reports.
    match target.transport() {
        Transport::Http => {
            assert_mentions(&e, "bit string length 2 does not match type bit(4)");
        }
        Transport::PgWire => assert_mentions(&e, "out of bounds"),
    }
    t.drop().await;
}

/// `GEO_POINT` at the corners of the world and NULL (read by primary key: the exact doubles);
/// a latitude out of range is the server's error. `GEO_SHAPE` from WKT and from GeoJSON, point
/// and polygon (with a hole): CrateDB answers GeoJSON either way.
pub(super) async fn geo_points_at_the_limits_and_geo_shapes_as_wkt_and_geojson(target: &Target) {
    let t = Table::new(target, "types_geo", "p GEO_POINT, s GEO_SHAPE").await;
    for (i, (lon, lat)) in [
        (0.0, 0.0),
        (-180.0, -90.0),
        (180.0, 90.0),
        (13.123_456_789, 52.987_654_321),
        (-0.000_001, 0.000_001),
    ]
    .into_iter()
    .enumerate()
    {
        let id = i32::try_from(i).unwrap() + 1;
        t.round_trip("p", id, CrateDbGeoPoint::new(lon, lat)).await;
    }
    t.null_round_trips::<CrateDbGeoPoint>("p", 10).await;
    let e = t
        .put_error("p", 900, CrateDbGeoPoint::new(200.0, 1.0))
        .await;
    // HTTP: `Cannot cast value `[200, 1]` to type `geo_point``; pgwire: `invalid longitude
    // 200.0; must be between -180.0 and 180.0`.
    assert_mentions(&e, "200");

    let point = json!({"type": "Point", "coordinates": [1.5, -2.25]});
    let square = json!({"type": "Polygon", "coordinates": [
        [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]],
        [[2.0, 2.0], [2.0, 4.0], [4.0, 4.0], [4.0, 2.0], [2.0, 2.0]],
    ]});
    let cases = [
        (CrateDbGeoShape::Wkt("POINT (1.5 -2.25)".to_owned()), &point),
        (CrateDbGeoShape::GeoJson(point.clone()), &point),
        (
            CrateDbGeoShape::Wkt(
                "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))".to_owned(),
            ),
            &square,
        ),
        (CrateDbGeoShape::GeoJson(square.clone()), &square),
    ];
    for (i, (shape, geojson)) in cases.into_iter().enumerate() {
        let id = i32::try_from(i).unwrap() + 20;
        t.put("s", id, shape.clone()).await;
        let back: CrateDbGeoShape = t.get("s", id).await;
        assert_eq!(
            back,
            CrateDbGeoShape::GeoJson(geojson.clone()),
            "{}: GEO_SHAPE {shape:?}",
            target.label()
        );
        assert_eq!(t.get::<Value>("s", id).await, *geojson);
    }
    t.null_round_trips::<CrateDbGeoShape>("s", 30).await;
    let e = t
        .put_error(
            "s",
            901,
            CrateDbGeoShape::Wkt("POLYGON ((0 0, 1 1))".to_owned()),
        )
        .await;
    assert!(!e.is_empty());
    t.drop().await;
}

/// `FLOAT_VECTOR(3)` through `Vec<f32>`: exact values and NULL; a vector of another length is
/// the server's error, and so is a NaN element.
pub(super) async fn float_vector_round_trips_and_checks_dimensions(target: &Target) {
    let t = Table::new(target, "types_vector", "v FLOAT_VECTOR(3)").await;
    t.round_trip("v", 1, vec![1.0_f32, 2.5, -3.0]).await;
    t.round_trip("v", 2, vec![f32::MAX, f32::MIN_POSITIVE, 0.0])
        .await;
    t.null_round_trips::<Vec<f32>>("v", 3).await;
    let e = t.put_error("v", 900, vec![1.0_f32, 2.0]).await;
    assert_mentions(
        &e,
        "The number of vector dimensions does not match the field type",
    );
    let e = t.put_error("v", 901, vec![1.0_f32, f32::NAN, 2.0]).await;
    // HTTP: `Cannot cast value `[1, NaN, 2]` to type `float_vector``; pgwire: `non-finite
    // value at vector[1]=NaN`.
    assert_mentions(&e, "NaN");
    t.drop().await;
}

/// OBJECT(STRICT) with declared columns (an unknown key is the server's error), DYNAMIC (new
/// keys are added), IGNORED (any keys, dots and mixed types too), three levels of nesting,
/// keys that need quoting in SQL (spaces, quotes, backslashes, unicode, SQL words), the empty
/// object, `Json<T>` of a typed map and `serde_json::Value`, and NULL.
pub(super) async fn objects_strict_dynamic_ignored_nested_and_quoted_keys(target: &Target) {
    let t = Table::new(
        target,
        "types_object",
        "so OBJECT(STRICT) AS (a INT, b TEXT, deeper OBJECT(STRICT) AS (c BOOLEAN)), \
         dyn OBJECT(DYNAMIC), ign OBJECT(IGNORED), rd OBJECT",
    )
    .await;
    let strict = json!({"a": 1, "b": "x\"y", "deeper": {"c": true}});
    t.round_trip("so", 1, Json(strict.clone())).await;
    t.round_trip("so", 2, Json(json!({}))).await;
    let e = t
        .put_error("so", 900, Json(json!({"a": 1, "unknown": 2})))
        .await;
    assert_mentions(&e, "Cannot add column `unknown` to strict object `so`");

    let nested = json!({
        "level1": {"level2": {"level3": {"n": 42, "s": "deep", "list": [1, 2, 3]}}},
        "key with spaces": "v1",
        "quote\"d": "v2",
        "apo'strophe": "v3",
        "back\\slash": "v4",
        "\u{fc}n\u{ef}c\u{f6}d\u{e9} \u{65e5}\u{672c}": "v5",
        "select": "v6",
        "": "empty key",
        "null": null,
    });
    t.round_trip("dyn", 3, Json(nested.clone())).await;
    // The column of a dynamic object's new key is queryable by its quoted name.
    let pool = target.pool().await;
    // A dynamic object's new integer key becomes a BIGINT column.
    let deep: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT dyn['level1']['level2']['level3']['n'] FROM {} WHERE id = 3",
        t.name
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(deep, 42);
    let quoted: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT dyn['quote\"d'] FROM {} WHERE id = 3",
        t.name
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(quoted, "v2");
    // serde_json::Value binds and decodes directly.
    t.round_trip("dyn", 4, json!({"plain": [0.5, null, 1.5], "flag": true}))
        .await;

    let ignored = json!({"a.b": 1, "mixed": [1, "two", {"three": 3}], "n": null});
    t.round_trip("ign", 5, Json(ignored.clone())).await;
    t.round_trip("ign", 6, Json(json!({"mixed": "now a string"})))
        .await;

    // `Json<T>` of a typed serde value.
    let typed: BTreeMap<String, Vec<String>> = BTreeMap::from([
        ("tags".to_owned(), vec!["a".to_owned(), String::new()]),
        ("none".to_owned(), Vec::new()),
    ]);
    t.round_trip("rd", 7, Json(typed)).await;
    t.null_round_trips::<Json<Value>>("so", 8).await;
    t.null_round_trips::<Json<Value>>("dyn", 8).await;
    t.null_round_trips::<Value>("ign", 8).await;
    t.drop().await;
}

/// `ARRAY(T)` of every scalar type: values, NULL elements (`Vec<Option<T>>`), the empty array
/// and a NULL array.
pub(super) async fn arrays_of_every_scalar_with_null_elements_and_empty(target: &Target) {
    let t = Table::new(
        target,
        "types_arrays",
        "ab ARRAY(BOOLEAN), a8 ARRAY(BYTE), a16 ARRAY(SMALLINT), a32 ARRAY(INTEGER), \
         a64 ARRAY(BIGINT), ar ARRAY(REAL), ad ARRAY(DOUBLE PRECISION), at ARRAY(TEXT), \
         avc ARRAY(VARCHAR(3)), ach ARRAY(CHARACTER(3)), ats ARRAY(TIMESTAMP WITH TIME ZONE), \
         alts ARRAY(TIMESTAMP WITHOUT TIME ZONE), aip ARRAY(IP), ap ARRAY(GEO_POINT), \
         abit ARRAY(BIT(2)), an ARRAY(NUMERIC(5,2))",
    )
    .await;
    macro_rules! array_cases {
        ($col:literal, $t:ty, [$($v:expr),* $(,)?]) => {{
            let values: Vec<$t> = vec![$($v),*];
            t.round_trip($col, 1, values.clone()).await;
            let with_nulls: Vec<Option<$t>> =
                vec![None, values.first().cloned(), None, values.last().cloned(), None];
            t.round_trip($col, 2, with_nulls).await;
            t.round_trip($col, 3, Vec::<$t>::new()).await;
            t.null_round_trips::<Vec<$t>>($col, 4).await;
            t.round_trip($col, 5, vec![None::<$t>]).await;
        }};
    }
    array_cases!("ab", bool, [true, false]);
    array_cases!("a8", i8, [i8::MIN, 0, i8::MAX]);
    array_cases!("a16", i16, [i16::MIN, -1, i16::MAX]);
    array_cases!("a32", i32, [i32::MIN, 0, i32::MAX]);
    array_cases!("a64", i64, [i64::MIN + 1, 7, i64::MAX - 1]);
    array_cases!(
        "ar",
        f32,
        [1.5, f32::MIN_POSITIVE, f32::INFINITY, f32::NEG_INFINITY]
    );
    array_cases!("ad", f64, [0.1, f64::MAX, f64::from_bits(1), f64::INFINITY]);
    array_cases!(
        "at",
        String,
        [
            String::new(),
            "NULL".to_owned(),
            "a,b".to_owned(),
            "{x}".to_owned(),
            "it's".to_owned(),
            " sp ".to_owned(),
            "\u{1f600}".to_owned(),
        ]
    );
    // A double quote or backslash in a text array element: CrateDB writes pgwire array text
    // without escaping them (`{"q"uo"}`), which no reader can take apart; over HTTP they
    // round-trip. The write works on both.
    let awkward = vec!["q\"uo'te".to_owned(), "back\\slash".to_owned()];
    t.put("at", 20, awkward.clone()).await;
    if target.transport() == Transport::Http {
        assert_eq!(t.get::<Vec<String>>("at", 20).await, awkward);
    }
    array_cases!("avc", String, ["abc".to_owned(), String::new()]);
    array_cases!("ach", String, ["abc".to_owned(), "x y".to_owned()]);
    array_cases!(
        "ats",
        DateTime<Utc>,
        [
            DateTime::from_timestamp_millis(-1).unwrap(),
            DateTime::from_timestamp_millis(253_402_300_799_999).unwrap(),
        ]
    );
    array_cases!(
        "alts",
        NaiveDateTime,
        [
            DateTime::from_timestamp_millis(-62_135_596_800_000)
                .unwrap()
                .naive_utc(),
            DateTime::from_timestamp_millis(1_615_284_000_123)
                .unwrap()
                .naive_utc(),
        ]
    );
    array_cases!(
        "aip",
        IpAddr,
        ["10.0.0.1".parse().unwrap(), "2001:db8::1".parse().unwrap()]
    );
    array_cases!(
        "ap",
        CrateDbGeoPoint,
        [
            CrateDbGeoPoint::new(-180.0, -90.0),
            CrateDbGeoPoint::new(13.4, 52.5)
        ]
    );
    array_cases!(
        "abit",
        CrateDbBit,
        [
            CrateDbBit::parse("01").unwrap(),
            CrateDbBit::parse("10").unwrap()
        ]
    );
    array_cases!("an", String, ["123.45".to_owned(), "-0.01".to_owned()]);
    // CHARACTER(3) elements are padded like the scalar.
    t.put("ach", 10, vec!["a"]).await;
    assert_eq!(t.get::<Vec<String>>("ach", 10).await, ["a  "]);
    t.drop().await;
}

/// `ARRAY(OBJECT)` with NULL elements and the empty array; nested arrays
/// (`ARRAY(ARRAY(INTEGER))`, `ARRAY(ARRAY(TEXT))`), ragged and with empty inner arrays.
pub(super) async fn arrays_of_objects_and_nested_arrays(target: &Target) {
    let t = Table::new(
        target,
        "types_nested",
        "ao ARRAY(OBJECT(DYNAMIC)), aoi ARRAY(OBJECT(IGNORED)), ai ARRAY(ARRAY(INTEGER)), \
         at ARRAY(ARRAY(TEXT))",
    )
    .await;
    let objects = vec![
        Some(Json(json!({"a": 1, "b": {"c": "x\"y"}}))),
        None,
        Some(Json(json!({}))),
        Some(Json(json!({"a": 2, "k e y": [1, 2]}))),
    ];
    t.round_trip("ao", 1, objects).await;
    t.round_trip("ao", 2, Vec::<Json<Value>>::new()).await;
    t.null_round_trips::<Vec<Json<Value>>>("ao", 3).await;
    t.round_trip(
        "aoi",
        4,
        vec![json!({"x": 1}), json!({"x": "one", "a.b": null})],
    )
    .await;
    // The whole array as one JSON value.
    let whole: Json<Vec<Value>> = t.get("aoi", 4).await;
    assert_eq!(whole.0, [json!({"x": 1}), json!({"x": "one", "a.b": null})]);

    t.round_trip("ai", 5, vec![vec![1, 2], vec![3, 4]]).await;
    t.round_trip("ai", 6, vec![vec![1], vec![2, 3, 4], vec![]])
        .await;
    t.round_trip("ai", 7, Vec::<Vec<i32>>::new()).await;
    t.round_trip("ai", 8, vec![vec![Some(i32::MIN), None], vec![None]])
        .await;
    t.null_round_trips::<Vec<Vec<i32>>>("ai", 9).await;
    t.round_trip(
        "at",
        10,
        vec![
            vec!["a".to_owned(), "b \"c\"".to_owned()],
            vec![String::new(), "{x,y}".to_owned(), "NULL".to_owned()],
        ],
    )
    .await;
    t.drop().await;
}
