//! `sqlx::Any` with the CrateDB driver registered, against the in-process `/_sql` peer.

#![allow(clippy::unwrap_used, clippy::float_cmp)]

mod common;

use common::{Reply, peer, result_set, row_count};
use serde_json::json;
use sqlx::Row;
use sqlx::any::{AnyPoolOptions, install_drivers};

#[tokio::test]
async fn any_pool_runs_queries_and_maps_crate_types() {
    install_drivers(&[sqlx_cratedb::any::DRIVER]).unwrap();
    let peer = peer(|rec| {
        if rec.stmt().starts_with("SELECT") {
            Reply::Json(
                200,
                result_set(
                    &["b", "i", "l", "d", "t", "o", "ts", "n"],
                    json!([3, 9, 10, 6, 4, 12, 11, 22]),
                    json!([[true, 1, 2, 1.5, "x", {"a": [1]}, 1000, 12.5]]),
                ),
            )
        } else {
            Reply::Json(200, row_count(2))
        }
    })
    .await;
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("{}/doc", peer.url()))
        .await
        .unwrap();
    assert_eq!(pool.connect_options().database_url.scheme(), "crate");
    let row = sqlx::query("SELECT * FROM t WHERE a = $1")
        .bind(5_i32)
        .bind("s")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(row.get::<bool, _>("b"));
    assert_eq!(row.get::<i32, _>("i"), 1);
    assert_eq!(row.get::<i64, _>("l"), 2);
    assert_eq!(row.get::<f64, _>("d"), 1.5);
    assert_eq!(row.get::<String, _>("t"), "x");
    assert_eq!(row.get::<String, _>("o"), r#"{"a":[1]}"#);
    assert_eq!(row.get::<i64, _>("ts"), 1000);
    assert_eq!(row.get::<String, _>("n"), "12.5");
    let res = sqlx::query("DELETE FROM t").execute(&pool).await.unwrap();
    assert_eq!(res.rows_affected(), 2);
    let sent = peer.requests();
    let select = sent
        .iter()
        .find(|r| r.stmt().starts_with("SELECT *"))
        .unwrap();
    assert_eq!(select.args(), &json!([5, "s"]));
    assert_eq!(select.header("default-schema"), Some("doc"));
}
