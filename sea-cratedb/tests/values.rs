//! Inline literals (`to_string`) for every sea-query value type, and what `build` binds.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::assert_sql;
use pretty_assertions::assert_eq;
use sea_cratedb::{
    CheckedQuery, CrateDbQueryBuilder, Error, InvalidValue, Unsupported,
    sea_query::{Expr, Query, QueryBuilder, Value},
};

fn literal(value: impl Into<Value>) -> String {
    CrateDbQueryBuilder.value_to_string(&value.into())
}

fn select_literal(test: &str, value: impl Into<Value>, expected_literal: &str) {
    let sql = Query::select()
        .expr(Expr::val(value))
        .to_string(CrateDbQueryBuilder);
    assert_sql(test, &sql, &format!("SELECT {expected_literal}"));
}

#[test]
fn scalar_literals() {
    select_literal("literal_bool_true", true, "TRUE");
    select_literal("literal_bool_false", false, "FALSE");
    select_literal("literal_i8", -8_i8, "-8");
    select_literal("literal_i16", 16_i16, "16");
    select_literal("literal_i32", i32::MIN, "-2147483648");
    select_literal("literal_i64", i64::MAX, "9223372036854775807");
    select_literal("literal_u8", 8_u8, "8");
    select_literal("literal_u16", 16_u16, "16");
    select_literal("literal_u32", u32::MAX, "4294967295");
    select_literal("literal_u64", 64_u64, "64");
    select_literal("literal_f32", 1.5_f32, "1.5");
    select_literal("literal_f64_whole", 2.0_f64, "2.0");
    select_literal("literal_f64_exponent", 1e300_f64, "1e300");
    select_literal("literal_null", Value::Int(None), "NULL");
    select_literal("literal_char", 'x', "'x'");
}

#[test]
fn non_finite_floats_are_casts() {
    select_literal("literal_nan", f64::NAN, "'NaN'::DOUBLE PRECISION");
    select_literal("literal_inf", f64::INFINITY, "'Infinity'::DOUBLE PRECISION");
    select_literal("literal_neg_inf", f32::NEG_INFINITY, "'-Infinity'::REAL");
}

#[test]
fn strings_escape_quotes_and_keep_backslashes_and_unicode() {
    select_literal("literal_quote", "it's", "'it''s'");
    select_literal(
        "literal_breakout",
        "'); DROP TABLE t; --",
        "'''); DROP TABLE t; --'",
    );
    select_literal("literal_backslash", r"C:\path\n", r"'C:\path\n'");
    select_literal(
        "literal_unicode",
        "grüne Äpfel é \u{2028} ü",
        "'grüne Äpfel é \u{2028} ü'",
    );
    // Asserted but not sent to the grammar check: cratedb-sqlparse's case-insensitive input
    // stream upper-cases each character and crashes where that yields two (`ß` → `SS`), and on
    // astral-plane characters.
    assert_eq!(literal("grüße 🚀"), "'grüße 🚀'");
    select_literal("literal_newline", "a\nb", "'a\nb'");
    select_literal("literal_empty", "", "''");
}

#[test]
fn json_objects_arrays_and_scalars() {
    let object = serde_json::json!({"a": 1, "b": "it's", "c": [true, null]});
    select_literal(
        "literal_json_object",
        object,
        r#"'{"a":1,"b":"it''s","c":[true,null]}'::OBJECT"#,
    );
    select_literal(
        "literal_json_array",
        serde_json::json!([1, "x", {"k": 2}]),
        r#"[1, 'x', '{"k":2}'::OBJECT]"#,
    );
    select_literal("literal_json_string", serde_json::json!("s"), "'s'");
}

#[test]
fn chrono_values_use_iso_8601() {
    let ts: DateTime<Utc> =
        Utc.with_ymd_and_hms(2024, 3, 9, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(123);
    select_literal("literal_timestamptz", ts, "'2024-03-09T10:00:00.123+00:00'");
    let naive = NaiveDate::from_ymd_opt(2024, 3, 9)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    select_literal("literal_timestamp", naive, "'2024-03-09T10:00:00'");
    select_literal(
        "literal_date",
        NaiveDate::from_ymd_opt(2024, 3, 9).unwrap(),
        "'2024-03-09'",
    );
    let offset = chrono::FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2021, 3, 9, 10, 0, 0)
        .unwrap();
    select_literal(
        "literal_timestamp_offset",
        offset,
        "'2021-03-09T10:00:00+01:00'",
    );
}

#[test]
fn arrays_vectors_decimals_uuids_and_ips() {
    select_literal("literal_int_array", vec![1, 2, 3], "[1, 2, 3]");
    select_literal("literal_text_array", vec!["a'b".to_owned()], "['a''b']");
    select_literal("literal_empty_array", Vec::<i32>::new(), "[]");
    select_literal(
        "literal_decimal",
        rust_decimal::Decimal::new(12345, 2),
        "'123.45'::NUMERIC",
    );
    let uuid = uuid::Uuid::nil();
    select_literal(
        "literal_uuid",
        uuid,
        "'00000000-0000-0000-0000-000000000000'",
    );
    assert_eq!(
        literal(pgvector::Vector::from(vec![1.0, -0.5])),
        "[1.0, -0.5]"
    );
}

#[test]
fn build_binds_every_value_as_a_placeholder() {
    let (sql, values) = Query::select()
        .expr(Expr::val("it's"))
        .expr(Expr::val(1.5))
        .expr(Expr::val(serde_json::json!({"a": 1})))
        .build(CrateDbQueryBuilder);
    assert_sql(
        "build_binds_every_value_as_a_placeholder",
        &sql,
        "SELECT $1, $2, $3",
    );
    assert_eq!(values.0.len(), 3);
}

#[test]
fn unsigned_above_bigint_is_a_typed_error() {
    let query = Query::select().expr(Expr::val(u64::MAX)).to_owned();
    assert_eq!(
        query.try_build().unwrap_err(),
        Error::InvalidValue(InvalidValue::UnsignedOutOfRange(u64::MAX))
    );
    assert!(
        query
            .try_to_string()
            .unwrap_err()
            .to_string()
            .contains("BIGINT")
    );
}

#[test]
fn bytes_are_a_typed_error_and_hex_text_otherwise() {
    let query = Query::select()
        .expr(Expr::val(vec![0xde_u8, 0xad]))
        .to_owned();
    assert_eq!(
        query.try_to_string().unwrap_err(),
        Error::Unsupported(Unsupported::Bytes)
    );
    assert_eq!(query.to_string(CrateDbQueryBuilder), r"SELECT '\xdead'");
}
