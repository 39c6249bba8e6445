//! The macros against `sys.summits` (CrateDB's built-in table of mountains): this file compiles
//! from the recorded descriptions in `.sqlx/` (no server needed), and with a CrateDB
//! (`CRATEDB_PG_URL`, `CRATEDB_URL`) the queries also run, over pgwire and over HTTP.

#![allow(clippy::unwrap_used)]

use sqlx::Connection as _;
use sqlx_cratedb::CrateDbConnection;
use sqlx_cratedb::types::CrateDbGeoPoint;
use sqlx_cratedb_macros::{query, query_as, query_scalar};

/// A row of `query_as!`: each field has its column's type (`Option` where CrateDB may
/// return NULL, which is every column unless overridden with `"name!"`).
#[derive(Debug)]
struct Summit {
    mountain: String,
    height: Option<i32>,
    coordinates: Option<CrateDbGeoPoint>,
}

/// Every macro once, run over `url`.
async fn run_queries(url: &str) {
    let mut conn = CrateDbConnection::connect(url).await.unwrap();

    let rows = query!(
        "SELECT mountain, height FROM sys.summits WHERE height > $1 ORDER BY height DESC LIMIT 2",
        4600
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let names: Vec<Option<String>> = rows.into_iter().map(|r| r.mountain).collect();
    assert_eq!(
        names,
        [Some("Mont Blanc".to_owned()), Some("Monte Rosa".to_owned())]
    );

    let summit = query_as!(
        Summit,
        r#"SELECT mountain AS "mountain!", height, coordinates FROM sys.summits
           WHERE mountain = $1"#,
        "Matterhorn"
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(summit.mountain, "Matterhorn");
    assert_eq!(summit.height, Some(4478));
    assert!(summit.coordinates.is_some());

    let count: Option<i64> =
        query_scalar!("SELECT count(*) FROM sys.summits WHERE country = $1", "CH")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(count.unwrap() > 100, "{count:?}");

    // `$1` alone gives the server nothing to infer its type from: the macro checks only the
    // number of arguments, and the column reads as text; `!` declares it not null.
    let echoed: String = query_scalar!(r#"SELECT $1 AS "v!""#, "any")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(echoed, "any");
    // The paths the macros write for types of other crates (chrono, serde_json) and for
    // arrays resolve in this crate, which depends on sqlx-cratedb only.
    let typed = query!(
        r#"SELECT $1::TIMESTAMP WITH TIME ZONE AS ts, ['a', 'b'] AS tags, {a = 1} AS obj,
           $2::DOUBLE AS d, $3::BIGINT AS n"#,
        chrono::DateTime::from_timestamp_millis(1_000).unwrap(),
        2.5,
        7_i64
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let ts: Option<chrono::DateTime<chrono::Utc>> = typed.ts;
    assert_eq!(ts.unwrap().timestamp_millis(), 1_000);
    assert_eq!(typed.tags, Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(typed.obj, Some(serde_json::json!({"a": 1})));
    assert_eq!((typed.d, typed.n), (Some(2.5), Some(7)));
    conn.close().await.unwrap();
}

#[tokio::test]
async fn checked_queries_run_against_cratedb() {
    let urls: Vec<String> = ["CRATEDB_PG_URL", "CRATEDB_URL"]
        .into_iter()
        .filter_map(|v| std::env::var(v).ok())
        .collect();
    if urls.is_empty() {
        eprintln!("skipped running: no CRATEDB_PG_URL / CRATEDB_URL (the queries compiled)");
        return;
    }
    for url in urls {
        run_queries(&url).await;
    }
}
