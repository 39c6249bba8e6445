//! Golden SQL for columns with a DEFAULT (`#[cratedb(default = "…")]`): a `None` in such a
//! column is never written as `NULL` by `insert`, `insert_many` or `upsert`. CrateDB accepts
//! the `DEFAULT` keyword in `VALUES` only since 6.3.0 (the grammar check runs CrateDB 6.1), so
//! the column is left out, or, in a multi-row insert where other rows hold a value, its
//! declared DEFAULT expression is written. Every statement is recorded for the grammar check.

#[path = "../../sea-cratedb/tests/common/mod.rs"]
mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::assert_sql;
use pretty_assertions::assert_eq;
use sea_cratedb::{
    CheckedQuery, CheckedSchema, CrateModel, CrateObject, KeyedModel, Model, sea_query::Value,
};
use serde::Serialize;

/// Defaults on a key, on nullable columns and on a `NOT NULL` column, and a nullable column
/// without a default.
#[derive(CrateModel, Clone)]
#[cratedb(table = "sessions", schema = "app")]
struct Session {
    #[cratedb(primary_key, default = "gen_random_text_uuid()")]
    id: String,
    user_name: String,
    #[cratedb(default = "'active'")]
    state: Option<String>,
    #[cratedb(default = "now()")]
    started: Option<DateTime<Utc>>,
    #[cratedb(default = "0")]
    hits: i64,
    note: Option<String>,
}

fn session(id: &str, state: Option<&str>) -> Session {
    Session {
        id: id.into(),
        user_name: "ann".into(),
        state: state.map(Into::into),
        started: None,
        hits: 5,
        note: None,
    }
}

fn ts() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 9, 10, 0, 0).unwrap()
}

fn text(value: &str) -> Value {
    Value::String(Some(value.into()))
}

#[test]
fn column_defaults_list_every_declared_default() {
    assert_eq!(
        Session::COLUMN_DEFAULTS,
        [
            (SessionColumn::Id, "gen_random_text_uuid()"),
            (SessionColumn::State, "'active'"),
            (SessionColumn::Started, "now()"),
            (SessionColumn::Hits, "0"),
        ]
    );
    assert_sql(
        "defaults_create_table",
        &Session::create_table().try_to_string().unwrap(),
        concat!(
            r#"CREATE TABLE "app"."sessions" ( "id" TEXT NOT NULL DEFAULT gen_random_text_uuid(), "#,
            r#""user_name" TEXT NOT NULL, "state" TEXT DEFAULT 'active', "#,
            r#""started" TIMESTAMP WITH TIME ZONE DEFAULT now(), "hits" BIGINT NOT NULL DEFAULT 0, "#,
            r#""note" TEXT, PRIMARY KEY ("id") )"#
        ),
    );
}

#[test]
fn insert_leaves_out_none_in_a_default_column() {
    let row = session("s1", None);
    let (sql, values) = row.insert().try_build().unwrap();
    // `state` and `started` get the table's DEFAULT; `note` has none, so its None is NULL.
    assert_sql(
        "defaults_insert_none_left_out",
        &sql,
        r#"INSERT INTO "app"."sessions" ("id", "user_name", "hits", "note") VALUES ($1, $2, $3, $4)"#,
    );
    assert_eq!(
        values.0,
        [
            text("s1"),
            text("ann"),
            Value::BigInt(Some(5)),
            Value::String(None)
        ]
    );
    assert_sql(
        "defaults_insert_none_left_out_inline",
        &row.insert().try_to_string().unwrap(),
        r#"INSERT INTO "app"."sessions" ("id", "user_name", "hits", "note") VALUES ('s1', 'ann', 5, NULL)"#,
    );
}

#[test]
fn insert_writes_a_value_given_to_a_default_column() {
    let mut row = session("s1", Some("closed"));
    row.started = Some(ts());
    let (sql, values) = row.insert().try_build().unwrap();
    assert_sql(
        "defaults_insert_values_given",
        &sql,
        concat!(
            r#"INSERT INTO "app"."sessions" ("id", "user_name", "state", "started", "hits", "note") "#,
            r#"VALUES ($1, $2, $3, $4, $5, $6)"#
        ),
    );
    assert_eq!(
        values.0,
        [
            text("s1"),
            text("ann"),
            text("closed"),
            Value::ChronoDateTimeUtc(Some(ts())),
            Value::BigInt(Some(5)),
            Value::String(None),
        ]
    );
}

#[test]
fn insert_many_leaves_out_a_column_that_is_none_in_every_row() {
    let rows = [session("s1", None), session("s2", None)];
    let (sql, values) = Session::insert_many(&rows).try_build().unwrap();
    assert_sql(
        "defaults_insert_many_all_none",
        &sql,
        concat!(
            r#"INSERT INTO "app"."sessions" ("id", "user_name", "hits", "note") "#,
            r#"VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)"#
        ),
    );
    assert_eq!(
        values.0,
        [
            text("s1"),
            text("ann"),
            Value::BigInt(Some(5)),
            Value::String(None),
            text("s2"),
            text("ann"),
            Value::BigInt(Some(5)),
            Value::String(None),
        ]
    );
}

#[test]
fn insert_many_writes_the_default_expression_where_other_rows_hold_a_value() {
    // `state` is given in one row only: the other row gets `'active'`, not NULL. `started` is
    // None in every row: left out.
    let rows = [session("s1", Some("closed")), session("s2", None)];
    let (sql, values) = Session::insert_many(&rows).try_build().unwrap();
    assert_sql(
        "defaults_insert_many_mixed",
        &sql,
        concat!(
            r#"INSERT INTO "app"."sessions" ("id", "user_name", "state", "hits", "note") "#,
            r#"VALUES ($1, $2, $3, $4, $5), ($6, $7, 'active', $8, $9)"#
        ),
    );
    assert_eq!(
        values.0,
        [
            text("s1"),
            text("ann"),
            text("closed"),
            Value::BigInt(Some(5)),
            Value::String(None),
            text("s2"),
            text("ann"),
            Value::BigInt(Some(5)),
            Value::String(None),
        ]
    );
    let mut later = session("s3", None);
    later.started = Some(ts());
    let rows = [session("s1", None), later];
    assert_sql(
        "defaults_insert_many_mixed_function_default",
        &Session::insert_many(&rows).try_to_string().unwrap(),
        concat!(
            r#"INSERT INTO "app"."sessions" ("id", "user_name", "started", "hits", "note") "#,
            r#"VALUES ('s1', 'ann', now(), 5, NULL), ('s3', 'ann', '2024-03-09T10:00:00+00:00', 5, NULL)"#
        ),
    );
}

#[test]
fn upsert_leaves_a_none_default_column_out_of_insert_and_set() {
    // An existing row keeps its `started`; a new row gets the DEFAULT.
    let (sql, values) = session("s1", Some("closed")).upsert().try_build().unwrap();
    assert_sql(
        "defaults_upsert_none_left_out",
        &sql,
        concat!(
            r#"INSERT INTO "app"."sessions" ("id", "user_name", "state", "hits", "note") "#,
            r#"VALUES ($1, $2, $3, $4, $5) ON CONFLICT ("id") DO UPDATE SET "#,
            r#""user_name" = "excluded"."user_name", "state" = "excluded"."state", "#,
            r#""hits" = "excluded"."hits", "note" = "excluded"."note""#
        ),
    );
    assert_eq!(values.0.len(), 5);
}

#[test]
fn update_still_writes_none_as_null() {
    // A DEFAULT applies to inserted rows only: an UPDATE sets what the row holds.
    assert_sql(
        "defaults_update_writes_null",
        &session("s1", None).update().try_to_string().unwrap(),
        concat!(
            r#"UPDATE "app"."sessions" SET "user_name" = 'ann', "state" = NULL, "started" = NULL, "#,
            r#""hits" = 5, "note" = NULL WHERE "id" = 's1'"#
        ),
    );
}

/// A key and one nullable column with a default.
#[derive(CrateModel)]
#[cratedb(table = "counters")]
struct Counter {
    #[cratedb(primary_key)]
    id: i64,
    #[cratedb(default = "0")]
    n: Option<i64>,
}

#[test]
fn upsert_with_nothing_left_to_set_does_nothing() {
    assert_sql(
        "defaults_upsert_do_nothing",
        &Counter { id: 1, n: None }.upsert().try_to_string().unwrap(),
        r#"INSERT INTO "counters" ("id") VALUES (1) ON CONFLICT ("id") DO NOTHING"#,
    );
    assert_sql(
        "defaults_upsert_value_given",
        &Counter { id: 1, n: Some(3) }
            .upsert()
            .try_to_string()
            .unwrap(),
        r#"INSERT INTO "counters" ("id", "n") VALUES (1, 3) ON CONFLICT ("id") DO UPDATE SET "n" = "excluded"."n""#,
    );
}

/// Every column has a default and is nullable.
#[derive(CrateModel)]
#[cratedb(table = "pings")]
struct Ping {
    #[cratedb(default = "now()")]
    at: Option<DateTime<Utc>>,
    #[cratedb(default = "'x'")]
    tag: Option<String>,
}

#[test]
fn all_none_defaults_keep_the_first_column_with_its_default_expression() {
    // CrateDB has no `INSERT … DEFAULT VALUES` and no empty column list.
    let ping = Ping {
        at: None,
        tag: None,
    };
    let (sql, values) = ping.insert().try_build().unwrap();
    assert_sql(
        "defaults_all_none_insert",
        &sql,
        r#"INSERT INTO "pings" ("at") VALUES (now())"#,
    );
    assert!(values.0.is_empty());
    let rows = [
        Ping {
            at: None,
            tag: None,
        },
        Ping {
            at: None,
            tag: Some("y".into()),
        },
    ];
    assert_sql(
        "defaults_all_none_insert_many",
        &Ping::insert_many(&rows).try_to_string().unwrap(),
        r#"INSERT INTO "pings" ("tag") VALUES ('x'), ('y')"#,
    );
}

/// Arrays of objects, object defaults on sub-fields, and a key with a DEFAULT (a non-`Option`
/// field: always written).
#[derive(CrateObject, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct LineItem {
    sku_code: String,
    #[cratedb(default = "1")]
    quantity: i32,
}

#[derive(CrateModel, Clone)]
#[cratedb(table = "orders")]
struct Purchase {
    #[cratedb(primary_key, default = "gen_random_text_uuid()")]
    id: String,
    #[cratedb(object(policy = "strict"))]
    items: Vec<LineItem>,
    #[cratedb(object(policy = "strict"))]
    shipping: Option<LineItem>,
}

#[test]
fn arrays_of_objects_and_nullable_objects() {
    assert_sql(
        "arrays_of_objects_create_table",
        &Purchase::create_table().try_to_string().unwrap(),
        concat!(
            r#"CREATE TABLE "orders" ( "id" TEXT NOT NULL DEFAULT gen_random_text_uuid(), "#,
            r#""items" ARRAY(OBJECT(STRICT) AS ("skuCode" TEXT NOT NULL, "quantity" INTEGER NOT NULL DEFAULT 1)) NOT NULL, "#,
            r#""shipping" OBJECT(STRICT) AS ("skuCode" TEXT NOT NULL, "quantity" INTEGER NOT NULL DEFAULT 1), "#,
            r#"PRIMARY KEY ("id") )"#
        ),
    );
    let order = Purchase {
        id: "o1".into(),
        items: vec![LineItem {
            sku_code: "A-1".into(),
            quantity: 2,
        }],
        shipping: None,
    };
    assert_sql(
        "arrays_of_objects_insert",
        &order.insert().try_to_string().unwrap(),
        r#"INSERT INTO "orders" ("id", "items", "shipping") VALUES ('o1', ['{"quantity":2,"skuCode":"A-1"}'::OBJECT], NULL)"#,
    );
    let (sql, values) = order.upsert().try_build().unwrap();
    assert_sql(
        "arrays_of_objects_upsert",
        &sql,
        r#"INSERT INTO "orders" ("id", "items", "shipping") VALUES ($1, $2, $3) ON CONFLICT ("id") DO UPDATE SET "items" = "excluded"."items", "shipping" = "excluded"."shipping""#,
    );
    assert_eq!(values.0[2], Value::Json(None));
}
