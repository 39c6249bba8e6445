//! Golden SQL for everything `#[derive(CrateModel)]` / `#[derive(CrateObject)]` produce:
//! CREATE TABLE, insert, upsert, select with filters, update by key, object sub-field updates
//! and delete. Every statement is also recorded for CrateDB's grammar check.

#[path = "../../sea-cratedb/tests/common/mod.rs"]
mod common;

use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use common::assert_sql;
use pretty_assertions::assert_eq;
use sea_cratedb::{
    ChangeSet, CheckedQuery, CheckedSchema, CrateModel, CrateObject, KeyedModel, Model,
    ModelColumn,
    expr::match_,
    sea_query::{Expr, ExprTrait, Iden, Order, Value},
};
use serde::Serialize;
use serde_json::json;

/// The sub-fields of `Metric::payload`.
#[derive(CrateObject, Serialize, Clone, PartialEq, Debug)]
struct Payload {
    #[cratedb(default = "0")]
    level: i32,
    src: Option<String>,
    #[serde(rename = "Kind")]
    kind: Option<String>,
    #[cratedb(object(policy = "ignored"))]
    extra: Option<serde_json::Value>,
    #[cratedb(object(policy = "strict"))]
    origin: Option<Origin>,
    #[serde(skip)]
    #[allow(dead_code)]
    cache: u8,
}

/// A nested object inside `Payload`.
#[derive(CrateObject, Serialize, Clone, PartialEq, Debug)]
struct Origin {
    #[cratedb(fulltext)]
    host: String,
    #[cratedb(index_off)]
    port: Option<i32>,
}

/// Every table-level option and column constraint of the derive (`cratedb-reference.md` §2.1).
#[derive(CrateModel, Clone)]
#[cratedb(
    table = "metrics",
    schema = "doc",
    shards = 6,
    clustered_by = "id",
    partitioned_by("day"),
    replicas = "0-1",
    column_policy = "strict",
    with(refresh_interval = 1000, "write.wait_for_active_shards" = 1, codec = "best_compression")
)]
struct Metric {
    #[cratedb(primary_key)]
    id: String,
    tenant: String,
    title: Option<String>,
    ts: DateTime<Utc>,
    #[cratedb(primary_key, generated = "date_trunc('day', \"ts\")")]
    day: DateTime<Utc>,
    #[cratedb(fulltext(analyzer = "english"))]
    body: Option<String>,
    #[cratedb(index_off, columnstore_off)]
    raw: Option<String>,
    tags: Vec<String>,
    #[cratedb(object(policy = "strict"))]
    payload: Payload,
    #[cratedb(column_type = "GEO_POINT")]
    loc: Option<Vec<f64>>,
    #[cratedb(column_type = "FLOAT_VECTOR(3)")]
    emb: Option<Vec<f32>>,
    #[cratedb(check = "\"score\" >= 0")]
    score: Option<f32>,
    #[cratedb(default = "now()")]
    seen: Option<DateTime<Utc>>,
    #[cratedb(skip)]
    #[allow(dead_code)]
    cached: Vec<u8>,
}

fn metric() -> Metric {
    let ts = Utc.with_ymd_and_hms(2024, 3, 9, 10, 0, 0).unwrap();
    Metric {
        id: "m1".into(),
        tenant: "acme".into(),
        title: Some("CPU".into()),
        ts,
        day: Utc.with_ymd_and_hms(2024, 3, 9, 0, 0, 0).unwrap(),
        body: None,
        raw: Some("raw".into()),
        tags: vec!["a".into(), "b".into()],
        payload: Payload {
            level: 3,
            src: Some("agent".into()),
            kind: None,
            extra: Some(json!({"x": 1})),
            origin: Some(Origin {
                host: "h1".into(),
                port: Some(4200),
            }),
            cache: 0,
        },
        loc: Some(vec![13.4, 52.5]),
        emb: Some(vec![1.0, 0.5, -0.5]),
        score: Some(0.5),
        seen: None,
        cached: Vec::new(),
    }
}

#[test]
fn create_table_with_every_option_and_constraint() {
    let sql = Metric::create_table().try_to_string().unwrap();
    assert_sql(
        "create_table_with_every_option_and_constraint",
        &sql,
        concat!(
            r#"CREATE TABLE "doc"."metrics" ( "id" TEXT NOT NULL, "tenant" TEXT NOT NULL, "title" TEXT, "#,
            r#""ts" TIMESTAMP WITH TIME ZONE NOT NULL, "#,
            r#""day" TIMESTAMP WITH TIME ZONE NOT NULL GENERATED ALWAYS AS (date_trunc('day', "ts")), "#,
            r#""body" TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), "#,
            r#""raw" TEXT INDEX OFF STORAGE WITH (columnstore = false), "#,
            r#""tags" ARRAY(TEXT) NOT NULL, "#,
            r#""payload" OBJECT(STRICT) AS ("level" INTEGER NOT NULL DEFAULT 0, "src" TEXT, "Kind" TEXT, "#,
            r#""extra" OBJECT(IGNORED), "origin" OBJECT(STRICT) AS ("host" TEXT NOT NULL INDEX USING FULLTEXT, "#,
            r#""port" INTEGER INDEX OFF)) NOT NULL, "#,
            r#""loc" GEO_POINT, "emb" FLOAT_VECTOR(3), "score" REAL CHECK ("score" >= 0), "#,
            r#""seen" TIMESTAMP WITH TIME ZONE DEFAULT now(), "#,
            r#"PRIMARY KEY ("id", "day") ) "#,
            r#"PARTITIONED BY ("day") CLUSTERED BY ("id") INTO 6 SHARDS "#,
            r#"WITH (number_of_replicas = '0-1', column_policy = 'strict', refresh_interval = 1000, "#,
            r#""write.wait_for_active_shards" = 1, codec = 'best_compression')"#
        ),
    );
    let sql = Metric::create_table()
        .if_not_exists()
        .try_to_string()
        .unwrap();
    assert!(sql.starts_with(r#"CREATE TABLE IF NOT EXISTS "doc"."metrics" ( "id" TEXT"#));
    common::record("create_table_if_not_exists", &sql);
}

#[test]
fn column_enum_names_every_column_and_implements_iden() {
    assert_eq!(Metric::TABLE, "metrics");
    assert_eq!(Metric::SCHEMA, Some("doc"));
    let names: Vec<&str> = Metric::COLUMNS.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "id", "tenant", "title", "ts", "day", "body", "raw", "tags", "payload", "loc", "emb",
            "score", "seen"
        ]
    );
    // Generated columns are read, never written.
    assert!(!Metric::INSERT_COLUMNS.contains(&MetricColumn::Day));
    assert_eq!(MetricColumn::Payload.unquoted(), "payload");
    assert_eq!(Metric::PRIMARY_KEY, [MetricColumn::Id, MetricColumn::Day]);
}

/// `seen` (`DEFAULT now()`) is `None`: it is left out so that its DEFAULT applies
/// (`tests/defaults.rs` covers DEFAULT columns in detail).
#[test]
fn insert_writes_every_non_generated_column() {
    let metric = metric();
    let (sql, values) = metric.insert().try_build().unwrap();
    assert_sql(
        "insert_writes_every_non_generated_column",
        &sql,
        concat!(
            r#"INSERT INTO "doc"."metrics" ("id", "tenant", "title", "ts", "body", "raw", "tags", "payload", "#,
            r#""loc", "emb", "score") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"#
        ),
    );
    assert_eq!(values.0.len(), 11);
    assert_eq!(
        values.0[7],
        Value::Json(Some(Box::new(json!({
            "level": 3, "src": "agent", "Kind": null, "extra": {"x": 1},
            "origin": {"host": "h1", "port": 4200}
        }))))
    );
    let sql = metric.insert().try_to_string().unwrap();
    assert_sql(
        "insert_inline_literals",
        &sql,
        concat!(
            r#"INSERT INTO "doc"."metrics" ("id", "tenant", "title", "ts", "body", "raw", "tags", "payload", "#,
            r#""loc", "emb", "score") VALUES ('m1', 'acme', 'CPU', '2024-03-09T10:00:00+00:00', NULL, 'raw', "#,
            r#"['a', 'b'], '{"Kind":null,"extra":{"x":1},"level":3,"origin":{"host":"h1","port":4200},"src":"agent"}'::OBJECT, "#,
            r#"[13.4, 52.5], [1.0, 0.5, -0.5], 0.5)"#
        ),
    );
}

#[test]
fn upsert_updates_every_non_key_column_from_excluded() {
    let (sql, values) = metric().upsert().try_build().unwrap();
    assert_sql(
        "upsert_updates_every_non_key_column_from_excluded",
        &sql,
        concat!(
            r#"INSERT INTO "doc"."metrics" ("id", "tenant", "title", "ts", "body", "raw", "tags", "payload", "#,
            r#""loc", "emb", "score") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "#,
            r#"ON CONFLICT ("id", "day") DO UPDATE SET "tenant" = "excluded"."tenant", "title" = "excluded"."title", "#,
            r#""ts" = "excluded"."ts", "body" = "excluded"."body", "raw" = "excluded"."raw", "tags" = "excluded"."tags", "#,
            r#""payload" = "excluded"."payload", "loc" = "excluded"."loc", "emb" = "excluded"."emb", "#,
            r#""score" = "excluded"."score""#
        ),
    );
    assert_eq!(values.0.len(), 11);
}

#[test]
fn select_all_columns_with_filters_on_the_column_enum() {
    let (sql, values) = Metric::select()
        .and_where(Expr::col(MetricColumn::Tenant).eq("acme"))
        .and_where(Expr::col(MetricColumn::Payload.path(["level"])).gte(2))
        .and_where(match_(MetricColumn::Body).query("cpu").into())
        .order_by(MetricColumn::Ts, Order::Desc)
        .limit(10)
        .try_build()
        .unwrap();
    assert_sql(
        "select_all_columns_with_filters_on_the_column_enum",
        &sql,
        concat!(
            r#"SELECT "id", "tenant", "title", "ts", "day", "body", "raw", "tags", "payload", "loc", "emb", "#,
            r#""score", "seen" FROM "doc"."metrics" WHERE "tenant" = $1 AND "payload"['level'] >= $2 "#,
            r#"AND (MATCH("body", $3)) ORDER BY "ts" DESC LIMIT $4"#
        ),
    );
    assert_eq!(values.0.len(), 4);
}

#[test]
fn select_by_composite_key() {
    let day = Utc.with_ymd_and_hms(2024, 3, 9, 0, 0, 0).unwrap();
    let sql = Metric::select_by_pk(("m1".to_owned(), day))
        .try_to_string()
        .unwrap();
    assert_sql(
        "select_by_composite_key",
        &sql,
        concat!(
            r#"SELECT "id", "tenant", "title", "ts", "day", "body", "raw", "tags", "payload", "loc", "emb", "#,
            r#""score", "seen" FROM "doc"."metrics" WHERE "id" = 'm1' AND "day" = '2024-03-09T00:00:00+00:00'"#
        ),
    );
}

#[test]
fn update_by_key_sets_every_non_key_column() {
    let (sql, values) = metric().update().try_build().unwrap();
    assert_sql(
        "update_by_key_sets_every_non_key_column",
        &sql,
        concat!(
            r#"UPDATE "doc"."metrics" SET "tenant" = $1, "title" = $2, "ts" = $3, "body" = $4, "raw" = $5, "#,
            r#""tags" = $6, "payload" = $7, "loc" = $8, "emb" = $9, "score" = $10, "seen" = $11 "#,
            r#"WHERE "id" = $12 AND "day" = $13"#
        ),
    );
    assert_eq!(values.0.len(), 13);
    assert_eq!(values.0[11], Value::String(Some("m1".into())));
}

#[test]
fn update_fields_sets_columns_and_object_sub_fields() {
    let day = Utc.with_ymd_and_hms(2024, 3, 9, 0, 0, 0).unwrap();
    let changes = ChangeSet::new()
        .set(MetricColumn::Title, "Memory")
        .set_path(MetricColumn::Payload, ["level"], 4)
        .set_path(MetricColumn::Payload, ["origin", "port"], 5432)
        .set_expr(MetricColumn::Score, Expr::col(MetricColumn::Score).mul(2));
    assert_eq!(changes.len(), 4);
    let stmt = Metric::update_fields(("m1".to_owned(), day), changes);
    let (sql, values) = stmt.try_build().unwrap();
    assert_sql(
        "update_fields_sets_columns_and_object_sub_fields",
        &sql,
        concat!(
            r#"UPDATE "doc"."metrics" SET "title" = $1, "payload"['level'] = $2, "payload"['origin']['port'] = $3, "#,
            r#""score" = "score" * $4 WHERE "id" = $5 AND "day" = $6"#
        ),
    );
    assert_eq!(values.0[1], Value::Int(Some(4)));
    assert_sql(
        "update_fields_inline",
        &stmt.try_to_string().unwrap(),
        concat!(
            r#"UPDATE "doc"."metrics" SET "title" = 'Memory', "payload"['level'] = 4, "payload"['origin']['port'] = 5432, "#,
            r#""score" = "score" * 2 WHERE "id" = 'm1' AND "day" = '2024-03-09T00:00:00+00:00'"#
        ),
    );
}

#[test]
fn update_changed_sets_changed_object_leaves_only() {
    let before = metric();
    let mut after = before.clone();
    after.title = None;
    after.payload.level = 7;
    after.payload.kind = Some("gauge".into());
    after.payload.extra = Some(json!({"y": [1, 2]}));
    if let Some(origin) = &mut after.payload.origin {
        origin.host = "h2".into();
    }
    let stmt = after.update_changed(&before).unwrap();
    let sql = stmt.try_to_string().unwrap();
    assert_sql(
        "update_changed_sets_changed_object_leaves_only",
        &sql,
        concat!(
            r#"UPDATE "doc"."metrics" SET "title" = NULL, "payload"['Kind'] = 'gauge', "#,
            r#""payload"['extra']['y'] = [1, 2], "payload"['extra']['x'] = NULL, "payload"['level'] = 7, "#,
            r#""payload"['origin']['host'] = 'h2' WHERE "id" = 'm1' AND "day" = '2024-03-09T00:00:00+00:00'"#
        ),
    );
    let (sql, _) = stmt.try_build().unwrap();
    common::record("update_changed_placeholders", &sql);
    assert!(before.update_changed(&before).is_none());
}

#[test]
fn update_changed_sets_a_whole_object_that_was_null() {
    let mut before = metric();
    before.payload.origin = None;
    let after = metric();
    let sql = after
        .update_changed(&before)
        .unwrap()
        .try_to_string()
        .unwrap();
    assert_sql(
        "update_changed_sets_a_whole_object_that_was_null",
        &sql,
        concat!(
            r#"UPDATE "doc"."metrics" SET "payload"['origin'] = '{"host":"h1","port":4200}'::OBJECT "#,
            r#"WHERE "id" = 'm1' AND "day" = '2024-03-09T00:00:00+00:00'"#
        ),
    );
}

/// Regression (hardening defect 1, root cause 2): object keys come from row data; a key that
/// contains the old path separators stays one string literal, so the WHERE clause stays.
#[test]
fn update_changed_keeps_hostile_object_keys_inside_one_literal() {
    let before = Doc {
        id: 1,
        title: "t".into(),
        meta: json!({}),
    };
    let after = Doc {
        id: 1,
        title: "t".into(),
        meta: json!({"x\u{3}1] = 1 --": 1, "it's\\": 2}),
    };
    let sql = after
        .update_changed(&before)
        .unwrap()
        .try_to_string()
        .unwrap();
    assert_eq!(
        sql,
        "UPDATE \"docs\" SET \"meta\"['it''s\\'] = 2, \"meta\"['x\u{3}1] = 1 --'] = 1 WHERE \"id\" = 1"
    );
}

#[test]
fn delete_by_key() {
    let (sql, values) = metric().delete().try_build().unwrap();
    assert_sql(
        "delete_by_key",
        &sql,
        r#"DELETE FROM "doc"."metrics" WHERE "id" = $1 AND "day" = $2"#,
    );
    assert_eq!(values.0.len(), 2);
    let sql = Doc::delete_by_pk(7).try_to_string().unwrap();
    assert_sql("delete_by_pk", &sql, r#"DELETE FROM "docs" WHERE "id" = 7"#);
}

/// A small model: default table name, single key, `serde_json::Value` object.
#[derive(CrateModel, Clone)]
#[cratedb(table = "docs")]
struct Doc {
    #[cratedb(primary_key)]
    id: i64,
    title: String,
    #[cratedb(object)]
    meta: serde_json::Value,
}

#[test]
fn single_key_model_statements() {
    let doc = Doc {
        id: 1,
        title: "Hello".into(),
        meta: json!({"lang": "en"}),
    };
    let cases = [
        (
            "single_key_create_table",
            Doc::create_table().try_to_string().unwrap(),
            r#"CREATE TABLE "docs" ( "id" BIGINT NOT NULL, "title" TEXT NOT NULL, "meta" OBJECT(DYNAMIC) NOT NULL, PRIMARY KEY ("id") )"#,
        ),
        (
            "single_key_insert",
            doc.insert().try_build().unwrap().0,
            r#"INSERT INTO "docs" ("id", "title", "meta") VALUES ($1, $2, $3)"#,
        ),
        (
            "single_key_upsert",
            doc.upsert().try_to_string().unwrap(),
            r#"INSERT INTO "docs" ("id", "title", "meta") VALUES (1, 'Hello', '{"lang":"en"}'::OBJECT) ON CONFLICT ("id") DO UPDATE SET "title" = "excluded"."title", "meta" = "excluded"."meta""#,
        ),
        (
            "single_key_update",
            doc.update().try_to_string().unwrap(),
            r#"UPDATE "docs" SET "title" = 'Hello', "meta" = '{"lang":"en"}'::OBJECT WHERE "id" = 1"#,
        ),
        (
            "single_key_select_by_pk",
            Doc::select_by_pk(1).try_build().unwrap().0,
            r#"SELECT "id", "title", "meta" FROM "docs" WHERE "id" = $1"#,
        ),
        (
            "single_key_delete",
            doc.delete().try_build().unwrap().0,
            r#"DELETE FROM "docs" WHERE "id" = $1"#,
        ),
        (
            "single_key_update_json_path",
            Doc::update_fields(
                1,
                ChangeSet::new().set_path(DocColumn::Meta, ["lang"], "de"),
            )
            .try_to_string()
            .unwrap(),
            r#"UPDATE "docs" SET "meta"['lang'] = 'de' WHERE "id" = 1"#,
        ),
    ];
    for (name, actual, expected) in cases {
        assert_sql(name, &actual, expected);
    }
    assert_eq!(doc.primary_key(), 1);
}

/// A table without a primary key: only `Model` (no upsert/update/delete by key).
#[derive(CrateModel)]
struct EventLog {
    at: NaiveDateTime,
    message: String,
}

#[test]
fn keyless_model_inserts_many_rows() {
    let at = NaiveDate::from_ymd_opt(2024, 3, 9)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let rows = [
        EventLog {
            at,
            message: "start".into(),
        },
        EventLog {
            at,
            message: "it's up".into(),
        },
    ];
    assert_sql(
        "keyless_create_table",
        &EventLog::create_table().try_to_string().unwrap(),
        r#"CREATE TABLE "event_log" ( "at" TIMESTAMP WITHOUT TIME ZONE NOT NULL, "message" TEXT NOT NULL )"#,
    );
    assert_sql(
        "keyless_insert_many",
        &EventLog::insert_many(&rows).try_to_string().unwrap(),
        r#"INSERT INTO "event_log" ("at", "message") VALUES ('2024-03-09T10:00:00', 'start'), ('2024-03-09T10:00:00', 'it''s up')"#,
    );
    let (sql, values) = EventLog::insert_many(&rows).try_build().unwrap();
    assert_sql(
        "keyless_insert_many_placeholders",
        &sql,
        r#"INSERT INTO "event_log" ("at", "message") VALUES ($1, $2), ($3, $4)"#,
    );
    assert_eq!(values.0.len(), 4);
}

/// Every inferred type.
#[allow(clippy::struct_field_names)]
#[derive(CrateModel)]
#[cratedb(table = "all_types")]
struct AllTypes {
    #[cratedb(primary_key)]
    c_text: String,
    c_bool: bool,
    c_byte: i8,
    c_small: i16,
    c_int: i32,
    c_big: i64,
    c_real: f32,
    c_double: f64,
    c_tstz: DateTime<Utc>,
    c_ts: NaiveDateTime,
    c_date: Option<NaiveDate>,
    c_json: Option<serde_json::Value>,
    c_ints: Vec<i32>,
    c_nested: Option<Vec<Vec<f64>>>,
    c_ip: IpAddr,
    c_ip_opt: Option<IpAddr>,
    c_uuid: uuid::Uuid,
    c_u16: u16,
    c_u32: Option<u32>,
}

#[test]
fn rust_types_map_to_cratedb_types() {
    assert_sql(
        "rust_types_map_to_cratedb_types",
        &AllTypes::create_table().try_to_string().unwrap(),
        concat!(
            r#"CREATE TABLE "all_types" ( "c_text" TEXT NOT NULL, "c_bool" BOOLEAN NOT NULL, "c_byte" BYTE NOT NULL, "#,
            r#""c_small" SMALLINT NOT NULL, "c_int" INTEGER NOT NULL, "c_big" BIGINT NOT NULL, "#,
            r#""c_real" REAL NOT NULL, "c_double" DOUBLE PRECISION NOT NULL, "#,
            r#""c_tstz" TIMESTAMP WITH TIME ZONE NOT NULL, "c_ts" TIMESTAMP WITHOUT TIME ZONE NOT NULL, "#,
            r#""c_date" DATE, "c_json" OBJECT(DYNAMIC), "c_ints" ARRAY(INTEGER) NOT NULL, "#,
            r#""c_nested" ARRAY(ARRAY(DOUBLE PRECISION)), "c_ip" IP NOT NULL, "c_ip_opt" IP, "#,
            r#""c_uuid" TEXT NOT NULL, "c_u16" INTEGER NOT NULL, "c_u32" BIGINT, PRIMARY KEY ("c_text") )"#
        ),
    );
    let row = AllTypes {
        c_text: "k".into(),
        c_bool: true,
        c_byte: -8,
        c_small: 16,
        c_int: 32,
        c_big: 64,
        c_real: 1.5,
        c_double: 2.25,
        c_tstz: Utc.with_ymd_and_hms(2024, 3, 9, 10, 0, 0).unwrap(),
        c_ts: NaiveDate::from_ymd_opt(2024, 3, 9)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
        c_date: NaiveDate::from_ymd_opt(2024, 3, 9),
        c_json: None,
        c_ints: vec![1, 2],
        c_nested: Some(vec![vec![1.0], vec![2.5, 3.0]]),
        c_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        c_ip_opt: None,
        c_uuid: uuid::Uuid::nil(),
        c_u16: 7,
        c_u32: Some(9),
    };
    assert_sql(
        "rust_values_render_as_cratedb_literals",
        &row.insert().try_to_string().unwrap(),
        concat!(
            r#"INSERT INTO "all_types" ("c_text", "c_bool", "c_byte", "c_small", "c_int", "c_big", "c_real", "#,
            r#""c_double", "c_tstz", "c_ts", "c_date", "c_json", "c_ints", "c_nested", "c_ip", "c_ip_opt", "#,
            r#""c_uuid", "c_u16", "c_u32") VALUES ('k', TRUE, -8, 16, 32, 64, 1.5, 2.25, "#,
            r#"'2024-03-09T10:00:00+00:00', '2024-03-09T10:00:00', '2024-03-09', NULL, [1, 2], "#,
            r#"[[1.0], [2.5, 3.0]], '10.0.0.1', NULL, '00000000-0000-0000-0000-000000000000', 7, 9)"#
        ),
    );
    let (_, values) = row.insert().try_build().unwrap();
    assert_eq!(values.0.len(), 19);
}

/// A key that covers every column: an upsert has nothing to update.
#[derive(CrateModel)]
#[cratedb(table = "tags", replicas = 1, with("blocks.read_only" = false, "routing.allocation.total_shards_per_node" = -1))]
struct Tag {
    #[cratedb(primary_key)]
    name: String,
    #[cratedb(primary_key)]
    kind: i16,
}

#[test]
fn all_key_model_upserts_with_do_nothing() {
    let tag = Tag {
        name: "x".into(),
        kind: 1,
    };
    assert_sql(
        "all_key_create_table",
        &Tag::create_table().try_to_string().unwrap(),
        concat!(
            r#"CREATE TABLE "tags" ( "name" TEXT NOT NULL, "kind" SMALLINT NOT NULL, PRIMARY KEY ("name", "kind") ) "#,
            r#"WITH (number_of_replicas = '1', "blocks.read_only" = false, "routing.allocation.total_shards_per_node" = -1)"#
        ),
    );
    assert_sql(
        "all_key_model_upserts_with_do_nothing",
        &tag.upsert().try_to_string().unwrap(),
        r#"INSERT INTO "tags" ("name", "kind") VALUES ('x', 1) ON CONFLICT ("name", "kind") DO NOTHING"#,
    );
}
