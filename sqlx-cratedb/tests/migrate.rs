//! `sqlx::migrate::Migrator` through the driver, against the in-process `/_sql` peer.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Reply, peer, pool, result_set, row_count};
use serde_json::json;

#[tokio::test]
async fn migrations_run_statement_by_statement_and_record_history() {
    let peer = peer(|rec| {
        let s = rec.stmt();
        if s.starts_with("SELECT version FROM") {
            Reply::Json(200, result_set(&["version"], json!([10]), json!([])))
        } else if s.starts_with("SELECT version, checksum") {
            Reply::Json(
                200,
                result_set(&["version", "checksum"], json!([10, 4]), json!([])),
            )
        } else {
            Reply::Json(200, row_count(1))
        }
    })
    .await;
    let dir = std::env::temp_dir().join(format!("sqlx-cratedb-migrations-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("1_init.sql"),
        "CREATE TABLE t (id INT PRIMARY KEY, s TEXT DEFAULT 'a;b');\nINSERT INTO t (id) VALUES (1);\n",
    )
    .unwrap();
    let migrator = sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap();
    let pool = pool(&peer.url()).await;
    migrator.run(&pool).await.unwrap();
    let stmts: Vec<String> = peer
        .requests()
        .iter()
        .map(|r| r.stmt().to_owned())
        .filter(|s| s != "SELECT 1")
        .collect();
    let pos = |prefix: &str| {
        stmts
            .iter()
            .position(|s| s.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} not sent: {stmts:#?}"))
    };
    assert!(
        pos("CREATE TABLE IF NOT EXISTS _sqlx_migrations") < pos("INSERT INTO _sqlx_migrations")
    );
    assert!(pos("INSERT INTO _sqlx_migrations") < pos("CREATE TABLE t"));
    assert!(pos("CREATE TABLE t") < pos("INSERT INTO t"));
    assert!(pos("INSERT INTO t") < pos("UPDATE _sqlx_migrations SET success = true"));
    assert!(stmts.iter().any(|s| s == "REFRESH TABLE _sqlx_migrations"));
    let insert = peer
        .requests()
        .into_iter()
        .find(|r| r.stmt().starts_with("INSERT INTO _sqlx_migrations"))
        .unwrap();
    assert_eq!(insert.args()[0], 1);
    assert_eq!(
        insert.args()[2].as_str().unwrap().len(),
        96,
        "SHA-384 checksum as hex"
    );
    let _ = std::fs::remove_dir_all(dir);
}
