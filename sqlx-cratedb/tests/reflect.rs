//! Reflection over `information_schema` fixtures: answers in CrateDB's `/_sql` format, as
//! CrateDB 5.x (boolean `is_nullable`) and 6.x (`'YES'`/`'NO'`) give them, through the
//! in-process peer.

#![cfg(feature = "json")]
#![allow(clippy::unwrap_used)]

mod common;

use common::{Peer, Recorded, Reply, peer, result_set};
use serde_json::{Value, json};
use sqlx_cratedb::reflect::{self, DataType, TableKind};

const TEXT: i64 = 4;
const INTEGER: i64 = 9;
const BOOLEAN: i64 = 3;
const OBJECT: i64 = 12;

/// `is_nullable` as `is_nullable::TEXT` returns it: `'YES'`/`'NO'` on 6.1+, and the boolean's
/// text (`'true'`/`'false'`) before.
fn nullable(v6: bool, yes: bool) -> Value {
    match (v6, yes) {
        (true, true) => json!("YES"),
        (true, false) => json!("NO"),
        (false, y) => json!(y.to_string()),
    }
}

fn metrics_columns(v6: bool) -> Value {
    json!([
        ["id", 1, "text", null, nullable(v6, false), null, null],
        [
            "day",
            2,
            "timestamp with time zone",
            null,
            nullable(v6, false),
            null,
            "date_trunc('day', ts)"
        ],
        [
            "ts",
            3,
            "timestamp with time zone",
            null,
            nullable(v6, true),
            null,
            null
        ],
        ["payload", 4, "object", null, nullable(v6, true), null, null],
        [
            "payload['level']",
            5,
            "text",
            null,
            nullable(v6, true),
            null,
            null
        ],
        [
            "payload['tags']",
            6,
            "text_array",
            null,
            nullable(v6, true),
            null,
            null
        ],
        [
            "name",
            7,
            if v6 { "character varying" } else { "text" },
            20,
            nullable(v6, true),
            "'n/a'",
            null
        ],
        [
            "value",
            8,
            "double precision",
            null,
            nullable(v6, true),
            null,
            null
        ],
    ])
}

// One flat table of fixture answers, matched by statement shape.
#[allow(clippy::too_many_lines)]
fn answer(rec: &Recorded, v6: bool) -> Reply {
    let s = rec.stmt();
    let ok =
        |cols: &[&str], types: Value, rows: Value| Reply::Json(200, result_set(cols, types, rows));
    if s.starts_with("SELECT schema_name FROM information_schema.schemata") {
        return ok(
            &["schema_name"],
            json!([TEXT]),
            json!([
                ["blob"],
                ["doc"],
                ["information_schema"],
                ["pg_catalog"],
                ["sys"]
            ]),
        );
    }
    if s.starts_with("SELECT table_schema, table_name, table_type") {
        let cols = [
            "table_schema",
            "table_name",
            "table_type",
            "number_of_shards",
            "number_of_replicas",
            "clustered_by",
            "partitioned_by",
            "column_policy",
            "closed",
            "settings",
        ];
        let types = json!([
            TEXT,
            TEXT,
            TEXT,
            INTEGER,
            TEXT,
            TEXT,
            [100, TEXT],
            TEXT,
            BOOLEAN,
            OBJECT
        ]);
        let table = json!(["doc", "metrics", "BASE TABLE", 4, "0-1", "id", ["day"], "strict", false,
            {"refresh_interval": 1000, "number_of_replicas": "0-1", "column_policy": "strict"}]);
        let view = json!([
            "doc", "recent", "VIEW", null, null, null, null, "strict", null, null
        ]);
        let rows = if s.contains("table_name = $2") {
            if rec.args()[1] == "metrics" {
                json!([table])
            } else {
                json!([])
            }
        } else {
            json!([table, view])
        };
        return ok(&cols, types, rows);
    }
    if s.starts_with("SELECT column_name, ordinal_position") {
        assert!(s.contains("is_nullable::TEXT"), "{s}");
        let cols = [
            "column_name",
            "ordinal_position",
            "data_type",
            "character_maximum_length",
            "is_nullable",
            "column_default",
            "generation_expression",
        ];
        return ok(
            &cols,
            json!([TEXT, INTEGER, TEXT, INTEGER, TEXT, TEXT, TEXT]),
            metrics_columns(v6),
        );
    }
    if s.starts_with("SELECT k.constraint_name, k.column_name") {
        return ok(
            &["constraint_name", "column_name"],
            json!([TEXT, TEXT]),
            json!([["metrics_pkey", "id"], ["metrics_pkey", "day"]]),
        );
    }
    if s.starts_with("SHOW CREATE TABLE") {
        let col = s.to_owned();
        return ok(
            &[col.as_str()],
            json!([TEXT]),
            json!([[
                "CREATE TABLE IF NOT EXISTS \"doc\".\"metrics\" (\n   \"id\" TEXT NOT NULL\n)\nCLUSTERED BY (\"id\") INTO 4 SHARDS"
            ]]),
        );
    }
    if s.starts_with("SELECT partition_ident") {
        let cols = [
            "partition_ident",
            "values",
            "number_of_shards",
            "number_of_replicas",
            "closed",
        ];
        return ok(
            &cols,
            json!([TEXT, OBJECT, INTEGER, TEXT, BOOLEAN]),
            json!([
                ["04732cpp6ks3ed1o60o30c1g", {"day": 1_732_406_400_000_i64}, 4, "0-1", false],
                ["04732cpp6ksjcc9i60o30c1g", {"day": 1_732_492_800_000_i64}, 4, "0-1", false],
            ]),
        );
    }
    if s == "SELECT version()" {
        let v = if v6 {
            "CrateDB 6.4.2 (built 0a1b2c3/NA, Linux 6.8 amd64, OpenJDK 23)"
        } else {
            "CrateDB 5.10.3 (built 9f8e7d6/NA, Linux 6.8 amd64, OpenJDK 22)"
        };
        return ok(&["version()"], json!([TEXT]), json!([[v]]));
    }
    if s.starts_with("SELECT name, version['number']") {
        return ok(
            &["name", "version"],
            json!([TEXT, TEXT]),
            json!([["n1", "6.4.2"], ["n2", "6.4.1"]]),
        );
    }
    Reply::Json(
        400,
        common::error_body(
            4000,
            &format!("SQLParseException[fixture has no answer for {s}]"),
        ),
    )
}

async fn fixture_peer(v6: bool) -> Peer {
    peer(move |rec| answer(rec, v6)).await
}

async fn conn(peer: &Peer) -> sqlx_cratedb::CrateDbConnection {
    <sqlx_cratedb::CrateDbConnection as sqlx::Connection>::connect(&peer.url())
        .await
        .unwrap()
}

#[tokio::test]
async fn table_info_reads_columns_paths_types_and_key_on_both_versions() {
    for v6 in [false, true] {
        let peer = fixture_peer(v6).await;
        let mut c = conn(&peer).await;
        let info = reflect::table_info(&mut c, "doc", "metrics")
            .await
            .unwrap()
            .unwrap();
        let t = &info.table;
        assert_eq!(
            (t.schema.as_str(), t.name.as_str(), t.kind),
            ("doc", "metrics", TableKind::Table)
        );
        assert_eq!(t.number_of_shards, Some(4));
        assert_eq!(t.number_of_replicas.as_deref(), Some("0-1"));
        assert_eq!(t.clustered_by.as_deref(), Some("id"));
        assert_eq!(t.partitioned_by, ["day"]);
        assert_eq!(t.column_policy.as_deref(), Some("strict"));
        assert_eq!(t.closed, Some(false));
        assert_eq!(t.settings["refresh_interval"], 1000);

        assert_eq!(info.columns.len(), 8);
        let id = info.column("id").unwrap();
        assert!(!id.nullable, "v6={v6}");
        assert_eq!(id.data_type, DataType::Text { max_length: None });
        let ts = info.column("ts").unwrap();
        assert!(ts.nullable, "v6={v6}");
        assert_eq!(ts.data_type, DataType::TimestampTz);
        let level = info.column("payload['level']").unwrap();
        assert_eq!(level.path, ["payload", "level"]);
        assert!(!level.is_top_level());
        assert_eq!(
            info.column("payload['tags']").unwrap().data_type,
            DataType::Array(Box::new(DataType::Text { max_length: None }))
        );
        assert_eq!(info.column("payload").unwrap().data_type, DataType::Object);
        let name = info.column("name").unwrap();
        assert_eq!(
            name.data_type,
            DataType::Text {
                max_length: Some(20)
            },
            "varchar(20), v6={v6}"
        );
        assert_eq!(name.data_type.to_string(), "VARCHAR(20)");
        assert_eq!(name.default.as_deref(), Some("'n/a'"));
        assert_eq!(
            info.column("day").unwrap().generated_expression.as_deref(),
            Some("date_trunc('day', ts)")
        );
        assert_eq!(info.column("value").unwrap().data_type, DataType::Double);
        let pk = info.primary_key.unwrap();
        assert_eq!(pk.name, "metrics_pkey");
        assert_eq!(pk.columns, ["id", "day"]);

        let sent = peer.requests();
        let cols = sent
            .iter()
            .find(|r| r.stmt().starts_with("SELECT column_name"))
            .unwrap();
        assert_eq!(
            cols.args(),
            &json!(["doc", "metrics"]),
            "bound, not spliced"
        );
    }
}

#[tokio::test]
async fn tables_schemas_views_and_missing_tables() {
    let peer = fixture_peer(true).await;
    let mut c = conn(&peer).await;
    let all = reflect::tables(&mut c, None).await.unwrap();
    assert_eq!(all.len(), 2);
    let view = &all[1];
    assert_eq!(view.kind, TableKind::View);
    assert_eq!(view.number_of_shards, None);
    assert!(view.partitioned_by.is_empty());
    assert_eq!(view.settings, Value::Null);
    let req = peer
        .requests()
        .into_iter()
        .find(|r| r.stmt().contains("<> ALL($1)"))
        .unwrap();
    assert_eq!(
        req.args()[0],
        json!(["information_schema", "pg_catalog", "sys", "blob"])
    );
    assert!(
        reflect::table(&mut c, "doc", "nope")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        reflect::table_info(&mut c, "doc", "nope")
            .await
            .unwrap()
            .is_none()
    );
    let schemas = reflect::schemas(&mut c).await.unwrap();
    assert_eq!(schemas.len(), 5);
    assert_eq!(schemas[1].name, "doc");
}

#[tokio::test]
async fn show_create_table_and_versions() {
    for (v6, expected) in [(false, (5, 10, 3)), (true, (6, 4, 2))] {
        let peer = fixture_peer(v6).await;
        let mut c = conn(&peer).await;
        let v = reflect::server_version(&mut c).await.unwrap();
        assert!(v.is_cratedb());
        assert_eq!((v.major, v.minor, v.patch), expected);
        assert_eq!(v.at_least(6, 1), v6);
        let ddl = reflect::show_create_table(&mut c, "doc", "metrics")
            .await
            .unwrap();
        assert!(
            ddl.starts_with("CREATE TABLE IF NOT EXISTS \"doc\".\"metrics\""),
            "{ddl}"
        );
        let parts = reflect::partitions(&mut c, "doc", "metrics").await.unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].values["day"], 1_732_492_800_000_i64);
        assert_eq!(parts[0].number_of_shards, Some(4));
        assert_eq!(parts[0].number_of_replicas.as_deref(), Some("0-1"));
        let nodes = reflect::node_versions(&mut c).await.unwrap();
        assert_eq!(nodes[1], ("n2".to_owned(), "6.4.1".to_owned()));
    }
    let peer = fixture_peer(true).await;
    let mut c = conn(&peer).await;
    reflect::show_create_table(&mut c, "my\"schema", "t")
        .await
        .unwrap();
    assert!(
        peer.requests()
            .iter()
            .any(|r| r.stmt() == "SHOW CREATE TABLE \"my\"\"schema\".\"t\"")
    );
}

#[cfg(feature = "sea-cratedb")]
mod diff {
    use super::*;
    use sea_cratedb::sea_query::{ColumnDef, Expr, Index, Table, TableCreateStatement};
    use sea_cratedb::{CrateColumnExt as _, CrateTableExt as _, CrateType};
    use sqlx_cratedb::reflect::{DiffError, UnsupportedChange, diff_table};

    fn payload() -> ColumnDef {
        ColumnDef::new("payload")
            .crate_type(
                CrateType::object(sea_cratedb::ColumnPolicy::Dynamic)
                    .field(ColumnDef::new("level").text()),
            )
            .to_owned()
    }

    fn model() -> TableCreateStatement {
        model_with(payload())
    }

    /// The up-to-date model with `payload` declared as given.
    fn model_with(payload: ColumnDef) -> TableCreateStatement {
        Table::create()
            .table(("doc", "metrics"))
            .col(ColumnDef::new("id").text().not_null())
            .col(ColumnDef::new("day").timestamp_with_time_zone().not_null())
            .col(ColumnDef::new("ts").timestamp_with_time_zone())
            .col(payload)
            .col(ColumnDef::new("name").string_len(20))
            .col(ColumnDef::new("value").double())
            .primary_key(Index::create().col("id").col("day"))
            .to_owned()
    }

    /// `payload` as `OBJECT(STRICT) AS (fields)`, as a nested `CrateObject` declares it.
    fn strict_payload(fields: Vec<ColumnDef>) -> ColumnDef {
        let mut object = CrateType::object(sea_cratedb::ColumnPolicy::Strict);
        for field in fields {
            object = object.field(field);
        }
        ColumnDef::new("payload").crate_type(object).to_owned()
    }

    async fn live() -> reflect::TableInfo {
        let peer = fixture_peer(true).await;
        let mut c = conn(&peer).await;
        reflect::table_info(&mut c, "doc", "metrics")
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn up_to_date_model_needs_nothing() {
        assert!(diff_table(&model(), &live().await).unwrap().is_empty());
    }

    /// Named indexes sit in sea-query's column list under a marker type; they are no columns
    /// (a live run once turned one into `ADD COLUMN "title_ft" INDEX USING FULLTEXT`).
    #[tokio::test]
    async fn named_indexes_are_not_columns() {
        let mut m = model();
        m.fulltext_index(
            sea_cratedb::FulltextIndex::new("name_ft")
                .column("name")
                .analyzer("standard"),
        );
        assert!(diff_table(&m, &live().await).unwrap().is_empty());
    }

    #[tokio::test]
    async fn missing_columns_become_add_column() {
        let mut m = model();
        m.col(ColumnDef::new("unit").text())
            .col(ColumnDef::new("tags").crate_type(CrateType::array(CrateType::Text)));
        let alters = diff_table(&m, &live().await).unwrap();
        let sql: Vec<String> = alters.iter().map(|a| a.try_to_string().unwrap()).collect();
        assert_eq!(
            sql,
            [
                r#"ALTER TABLE "doc"."metrics" ADD COLUMN "unit" TEXT"#,
                r#"ALTER TABLE "doc"."metrics" ADD COLUMN "tags" ARRAY(TEXT)"#,
            ]
        );
    }

    #[tokio::test]
    async fn changes_crate_cannot_make_are_all_listed() {
        let m = Table::create()
            .table(("doc", "metrics"))
            .col(ColumnDef::new("id").big_integer().not_null())
            .col(ColumnDef::new("day").timestamp_with_time_zone().not_null())
            .col(ColumnDef::new("ts").timestamp_with_time_zone().not_null())
            .col(payload())
            .col(ColumnDef::new("name").text())
            .col(ColumnDef::new("unit").text().default(Expr::val("kg")))
            .col(
                ColumnDef::new("ts_day")
                    .timestamp_with_time_zone()
                    .generated(Expr::cust("date_trunc('day', ts)"), true),
            )
            .col(ColumnDef::new("host").text().not_null())
            .primary_key(Index::create().col("id").col("day").col("host"))
            .to_owned();
        let err = diff_table(&m, &live().await).unwrap_err();
        let DiffError::Unsupported { table, changes } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(table, "doc.metrics");
        assert_eq!(
            changes,
            &[
                UnsupportedChange::TypeChange {
                    column: "id".into(),
                    live: DataType::Text { max_length: None },
                    model: DataType::BigInt
                },
                UnsupportedChange::NullabilityChange {
                    column: "ts".into(),
                    live_nullable: true,
                    model_nullable: false
                },
                UnsupportedChange::TypeChange {
                    column: "name".into(),
                    live: DataType::Text {
                        max_length: Some(20)
                    },
                    model: DataType::Text { max_length: None }
                },
                UnsupportedChange::AddColumnWithDefault {
                    column: "unit".into()
                },
                UnsupportedChange::AddGeneratedColumn {
                    column: "ts_day".into()
                },
                UnsupportedChange::PrimaryKeyChange {
                    live: vec!["id".into(), "day".into()],
                    model: vec!["id".into(), "day".into(), "host".into()]
                },
                UnsupportedChange::RemovedColumn {
                    column: "value".into()
                },
            ]
        );
        let text = err.to_string();
        assert!(
            text.contains("column `id` is TEXT but the model says BIGINT"),
            "{text}"
        );
        assert!(text.contains("ADD COLUMN does not accept"), "{text}");
        assert!(
            text.contains("column `ts` is NULL but the model says NOT NULL"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn new_object_fields_become_sub_column_adds_and_changed_ones_are_listed() {
        // `level` as live (its constraint is not part of the type), `tags` left out (kept:
        // the diff never drops), two new fields.
        let m = model_with(strict_payload(vec![
            ColumnDef::new("level").text().not_null().to_owned(),
            ColumnDef::new("count").integer().to_owned(),
            ColumnDef::new("source")
                .crate_type(
                    CrateType::object(sea_cratedb::ColumnPolicy::Dynamic)
                        .field(ColumnDef::new("url").text()),
                )
                .to_owned(),
        ]));
        let alters = diff_table(&m, &live().await).unwrap();
        let sql: Vec<String> = alters.iter().map(|a| a.try_to_string().unwrap()).collect();
        assert_eq!(
            sql,
            [
                r#"ALTER TABLE "doc"."metrics" ADD COLUMN "payload"['count'] INTEGER"#,
                r#"ALTER TABLE "doc"."metrics" ADD COLUMN "payload"['source'] OBJECT(DYNAMIC) AS ("url" TEXT)"#,
            ]
        );

        // A field whose type changed is reported with its sub-column name.
        let m = model_with(strict_payload(vec![
            ColumnDef::new("level").integer().to_owned(),
        ]));
        let err = diff_table(&m, &live().await).unwrap_err();
        let DiffError::Unsupported { changes, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            changes,
            &[UnsupportedChange::TypeChange {
                column: "payload['level']".into(),
                live: DataType::Text { max_length: None },
                model: DataType::Integer,
            }]
        );
    }
}
