//! Reflection against a real CrateDB when `CRATEDB_URL` is set (`crate://crate@localhost:4200`);
//! each test prints why it skipped otherwise, and fails instead with `CRATEDB_REQUIRED=1`.

#![cfg(feature = "json")]
#![allow(clippy::unwrap_used)]

use sqlx::AssertSqlSafe;
use sqlx_cratedb::reflect::{self, DataType, TableKind};

fn url() -> Option<String> {
    match std::env::var("CRATEDB_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CRATEDB_REQUIRED").as_deref() != Ok("1"),
                "CRATEDB_REQUIRED=1 but CRATEDB_URL is not set"
            );
            eprintln!("skipped: CRATEDB_URL not set");
            None
        }
    }
}

#[tokio::test]
async fn live_reflection_of_a_partitioned_table() {
    let Some(url) = url() else { return };
    let mut c = <sqlx_cratedb::CrateDbConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let name = format!("sqlx_cratedb_reflect_{}", std::process::id());
    let exec = |sql: String| sqlx::query(AssertSqlSafe(sql));
    exec(format!("DROP TABLE IF EXISTS doc.{name}"))
        .execute(&mut c)
        .await
        .unwrap();
    exec(format!(
        "CREATE TABLE doc.{name} (id TEXT NOT NULL, day TIMESTAMP WITH TIME ZONE NOT NULL, \
         payload OBJECT(DYNAMIC) AS (level TEXT), tags ARRAY(TEXT), name VARCHAR(20), \
         PRIMARY KEY (id, day)) CLUSTERED BY (id) INTO 2 SHARDS PARTITIONED BY (day) \
         WITH (number_of_replicas = '0-1')"
    ))
    .execute(&mut c)
    .await
    .unwrap();
    let info = reflect::table_info(&mut c, "doc", &name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.table.kind, TableKind::Table);
    assert_eq!(info.table.number_of_shards, Some(2));
    assert_eq!(info.table.number_of_replicas.as_deref(), Some("0-1"));
    assert_eq!(info.table.partitioned_by, ["day"]);
    assert_eq!(info.table.clustered_by.as_deref(), Some("id"));
    assert!(!info.column("id").unwrap().nullable);
    assert!(info.column("name").unwrap().nullable);
    assert_eq!(
        info.column("name").unwrap().data_type,
        DataType::Text {
            max_length: Some(20)
        }
    );
    assert_eq!(
        info.column("payload['level']").unwrap().path,
        ["payload", "level"]
    );
    assert!(info.column("tags").unwrap().data_type.is_array());
    assert_eq!(info.primary_key.unwrap().columns, ["id", "day"]);
    let ddl = reflect::show_create_table(&mut c, "doc", &name)
        .await
        .unwrap();
    assert!(ddl.contains("PARTITIONED BY"), "{ddl}");
    exec(format!(
        "INSERT INTO doc.{name} (id, day) VALUES ('a', '2026-11-24T00:00:00Z')"
    ))
    .execute(&mut c)
    .await
    .unwrap();
    exec(format!("REFRESH TABLE doc.{name}"))
        .execute(&mut c)
        .await
        .unwrap();
    let parts = reflect::partitions(&mut c, "doc", &name).await.unwrap();
    assert_eq!(parts.len(), 1);
    assert!(
        parts[0].values.get("day").is_some(),
        "{:?}",
        parts[0].values
    );
    assert!(reflect::server_version(&mut c).await.unwrap().is_cratedb());
    exec(format!("DROP TABLE doc.{name}"))
        .execute(&mut c)
        .await
        .unwrap();
}
