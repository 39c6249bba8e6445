//! Numbers, strings and booleans.

use std::borrow::Cow;

use super::{Table, assert_mentions};
use crate::scenarios::Target;

/// BYTE, `"char"` (a BYTE column in CrateDB 6.4), SMALLINT, INTEGER and BIGINT at MIN, -1, 0 and
/// MAX (BIGINT columns refuse `i64::MIN` and `i64::MAX`), and NULL; a wider Rust integer reads a narrower column; a value too wide for its
/// column is the server's error; `u64` above `i64::MAX` is refused before it is sent.
pub(super) async fn integers_of_every_width_at_their_limits(target: &Target) {
    let t = Table::new(
        target,
        "types_int",
        "bt BYTE, ch \"char\", s SMALLINT, i INTEGER, l BIGINT",
    )
    .await;
    let mut id = 0;
    for v in [i8::MIN, -1, 0, i8::MAX] {
        id += 1;
        t.round_trip("bt", id, v).await;
        t.round_trip("ch", id, v).await;
        assert_eq!(t.get::<i64>("bt", id).await, i64::from(v));
    }
    for v in [i16::MIN, -1, 0, i16::MAX] {
        id += 1;
        t.round_trip("s", id, v).await;
        assert_eq!(t.get::<i32>("s", id).await, i32::from(v));
    }
    for v in [i32::MIN, -1, 0, i32::MAX] {
        id += 1;
        t.round_trip("i", id, v).await;
        assert_eq!(t.get::<i64>("i", id).await, i64::from(v));
    }
    // CrateDB keeps `i64::MIN` and `i64::MAX` out of BIGINT columns (the server's errors
    // below): the storable range is one narrower at each end.
    for v in [i64::MIN + 1, -1, 0, i64::MAX - 1] {
        id += 1;
        t.round_trip("l", id, v).await;
    }
    let e = t.put_error("l", 903, i64::MIN).await;
    assert_mentions(
        &e,
        "Value -9223372036854775808 exceeds allowed range for column of type bigint",
    );
    let e = t.put_error("l", 904, i64::MAX).await;
    assert_mentions(
        &e,
        "Value 9223372036854775807 exceeds allowed range for column of type bigint",
    );
    // In a SELECT, both round-trip.
    for v in [i64::MIN, i64::MAX] {
        let back: i64 = super::select(target, "SELECT $1::bigint", v).await;
        assert_eq!(back, v);
    }
    id += 1;
    t.null_round_trips::<i8>("bt", id).await;
    t.null_round_trips::<i16>("s", id).await;
    t.null_round_trips::<i32>("i", id).await;
    t.null_round_trips::<i64>("l", id).await;
    // Unsigned binds widen; `u32::MAX` fits BIGINT.
    id += 1;
    t.put("l", id, u32::MAX).await;
    assert_eq!(t.get::<i64>("l", id).await, i64::from(u32::MAX));
    id += 1;
    t.put("s", id, u8::MAX).await;
    assert_eq!(t.get::<i16>("s", id).await, 255);

    // Too wide for the column: the server refuses the value.
    let e = t.put_error("s", 900, i32::from(i16::MAX) + 1).await;
    assert_mentions(&e, "32768");
    let e = t.put_error("bt", 901, 128_i16).await;
    assert_mentions(&e, "128");
    // `u64` beyond `i64::MAX` never reaches the server.
    let e = t.put_error("l", 902, u64::MAX).await;
    assert_mentions(&e, "18446744073709551615");
    t.drop().await;
}

/// REAL and DOUBLE PRECISION keep NaN, both infinities, -0.0, the smallest subnormal, the
/// smallest normal (`MIN_POSITIVE`) and MIN/MAX bit for bit; NULL stays NULL.
pub(super) async fn floats_keep_nan_infinities_subnormals_and_limits(target: &Target) {
    let t = Table::new(target, "types_float", "r REAL, d DOUBLE PRECISION").await;
    let reals = [
        0.0,
        -0.0,
        1.5,
        f32::MIN_POSITIVE,
        f32::from_bits(1),
        f32::MAX,
        f32::MIN,
        f32::EPSILON,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ];
    let doubles = [
        0.0,
        -0.0,
        0.1,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    for (i, (r, d)) in reals.into_iter().zip(doubles).enumerate() {
        let id = i32::try_from(i).unwrap() + 1;
        t.put("r", id, r).await;
        t.put("d", id, d).await;
        let (r_back, d_back) = (t.get::<f32>("r", id).await, t.get::<f64>("d", id).await);
        assert_eq!(
            r_back.to_bits(),
            r.to_bits(),
            "{}: REAL {r:e} came back as {r_back:e}",
            target.label()
        );
        assert_eq!(
            d_back.to_bits(),
            d.to_bits(),
            "{}: DOUBLE {d:e} came back as {d_back:e}",
            target.label()
        );
        // f64 reads REAL too: the REAL's shortest decimal text read as f64, which narrows
        // back to the same f32.
        let widened = t.get::<f64>("r", id).await;
        #[allow(clippy::cast_possible_truncation)]
        let narrowed = widened as f32;
        assert!(
            widened.is_nan() && r.is_nan() || narrowed.to_bits() == r.to_bits(),
            "{}: REAL {r:e} read as f64 {widened:e}",
            target.label()
        );
    }
    t.null_round_trips::<f32>("r", 100).await;
    t.null_round_trips::<f64>("d", 100).await;
    t.drop().await;
}

/// NUMERIC(10,3): exact digits through `String` binds and decodes; the server rounds to the
/// scale (half up) and refuses more integer digits than precision minus scale.
pub(super) async fn numeric_rounds_to_its_scale_and_rejects_too_many_digits(target: &Target) {
    let t = Table::new(target, "types_numeric", "n NUMERIC(10,3)").await;
    for (id, (sent, stored)) in [
        ("1234567.125", "1234567.125"),
        ("-1234567.125", "-1234567.125"),
        ("9999999.999", "9999999.999"),
        ("0.001", "0.001"),
        ("0", "0"),
        ("1.23456", "1.235"),
        ("-1.0005", "-1.001"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = i32::try_from(id).unwrap() + 1;
        t.put("n", id, sent).await;
        let back: String = t.get("n", id).await;
        // CrateDB's JSON number drops trailing zeros of the scale; compare as numbers of the
        // same text where the digits are exact.
        assert_eq!(
            normalise(&back),
            normalise(stored),
            "{}: NUMERIC {sent}",
            target.label()
        );
        let as_f64: f64 = t.get("n", id).await;
        assert_eq!(as_f64, stored.parse::<f64>().unwrap());
    }
    // An f64 bind into NUMERIC.
    t.put("n", 50, 2.5_f64).await;
    assert_eq!(normalise(&t.get::<String>("n", 50).await), "2.5");
    t.null_round_trips::<String>("n", 51).await;
    // Eight integer digits do not fit NUMERIC(10,3).
    let e = t.put_error("n", 900, "123456789.5").await;
    assert_mentions(&e, "numeric(10,3)");
    // NUMERIC without precision and scale cannot be stored (the server's refusal).
    let pool = target.pool().await;
    let e = sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE {}_unbounded (n NUMERIC)",
        t.name
    )))
    .execute(&pool)
    .await
    .unwrap_err();
    assert_mentions(
        &super::message(&e),
        "NUMERIC storage is only supported if precision and scale are specified",
    );
    t.drop().await;
}

/// `1.50` and `1.5` compare equal: trailing fractional zeros and a bare `.` are dropped.
fn normalise(digits: &str) -> String {
    if digits.contains('.') {
        digits
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        digits.to_owned()
    }
}

/// TEXT: the empty string, unicode (accents, CJK, emoji, combining marks, RTL), quotes,
/// backslashes, control characters, JSON- and array-literal look-alikes, the word NULL and a
/// long string (in an unindexed column; an indexed one refuses it), through `String`, `&str`, `Cow<str>` and `char`; NULL stays NULL.
pub(super) async fn text_of_every_shape_round_trips(target: &Target) {
    // A long value goes into a column without index and column store: an indexed TEXT
    // column holds at most 32766 bytes (the server's error below).
    let t = Table::new(
        target,
        "types_text",
        "txt TEXT, big TEXT INDEX OFF STORAGE WITH (columnstore = false)",
    )
    .await;
    let long = "x\u{e9}\u{1f600}".repeat(20_000);
    let values = [
        "",
        " ",
        "h\u{e9}llo w\u{f6}rld",
        "\u{65e5}\u{672c}\u{8a9e} \u{1f600}\u{1f44d}\u{1f3fd}",
        "e\u{301} combining, \u{5e9}\u{5dc}\u{5d5}\u{5dd} rtl",
        "it's \"quoted\" 'twice'",
        r"back\slash \\ \n \u0041 \",
        "tab\tnew\nline\r\nend",
        "{\"a\":1}",
        "{1,2,\"x\"}",
        "NULL",
        "null",
        "$1 ? %s",
    ];
    for (i, v) in values.into_iter().enumerate() {
        let id = i32::try_from(i).unwrap() + 1;
        t.round_trip("txt", id, v.to_owned()).await;
    }
    t.round_trip("big", 50, long.clone()).await;
    let e = t.put_error("txt", 900, long).await;
    assert_mentions(&e, "32766");
    t.put("txt", 100, "borrowed \u{e9}").await;
    t.put("txt", 101, Cow::Borrowed("cow \"q\"")).await;
    t.put("txt", 102, '\u{1f600}').await;
    assert_eq!(t.get::<String>("txt", 100).await, "borrowed \u{e9}");
    assert_eq!(t.get::<String>("txt", 101).await, "cow \"q\"");
    assert_eq!(t.get::<char>("txt", 102).await, '\u{1f600}');
    t.null_round_trips::<String>("txt", 103).await;
    t.drop().await;
}

/// VARCHAR(5): up to five characters (counted as characters, not bytes) round-trip; a longer
/// value is refused, unless what is over the length is spaces, which the server cuts (as SQL
/// says).
pub(super) async fn varchar_n_keeps_short_values_and_rejects_longer_ones(target: &Target) {
    let t = Table::new(target, "types_varchar", "vc VARCHAR(5)").await;
    for (i, v) in ["", "abc", "abcde", "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", "ab  "]
        .into_iter()
        .enumerate()
    {
        let id = i32::try_from(i).unwrap() + 1;
        t.round_trip("vc", id, v.to_owned()).await;
    }
    t.put("vc", 50, "abcde   ").await;
    assert_eq!(t.get::<String>("vc", 50).await, "abcde");
    t.null_round_trips::<String>("vc", 51).await;
    let e = t.put_error("vc", 900, "abcdef").await;
    assert_mentions(&e, "'abcdef' is too long for the text type of length: 5");
    t.drop().await;
}

/// CHARACTER(5): shorter values come back padded with spaces to the length; surplus spaces are
/// cut; a longer value is refused.
pub(super) async fn character_n_pads_with_spaces_and_rejects_longer_values(target: &Target) {
    let t = Table::new(target, "types_character", "ch CHARACTER(5)").await;
    for (i, (sent, stored)) in [
        ("ab", "ab   "),
        ("abcde", "abcde"),
        ("", "     "),
        ("\u{e9}", "\u{e9}    "),
        ("abcde   ", "abcde"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = i32::try_from(i).unwrap() + 1;
        t.put("ch", id, sent).await;
        assert_eq!(
            t.get::<String>("ch", id).await,
            stored,
            "{}: CHARACTER(5) {sent:?}",
            target.label()
        );
    }
    t.null_round_trips::<String>("ch", 50).await;
    let e = t.put_error("ch", 900, "abcdef").await;
    assert_mentions(
        &e,
        "'abcdef' is too long for the character type of length: 5",
    );
    t.drop().await;
}

/// BOOLEAN: true, false and NULL.
pub(super) async fn booleans_round_trip(target: &Target) {
    let t = Table::new(target, "types_bool", "b BOOLEAN").await;
    t.round_trip("b", 1, true).await;
    t.round_trip("b", 2, false).await;
    t.null_round_trips::<bool>("b", 3).await;
    t.drop().await;
}
