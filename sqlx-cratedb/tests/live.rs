//! The same scenarios as the peer tests, against a real CrateDB.
//!
//! Runs when `CRATEDB_URL` is set (e.g. `crate://crate@localhost:4200`, with a server from
//! `docker run -p 4200:4200 crate -Cdiscovery.type=single-node`). Without it every test prints
//! why it skipped and passes; with `CRATEDB_REQUIRED=1` a missing URL fails instead.

#![allow(clippy::unwrap_used, clippy::panic, clippy::float_cmp)]

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::error::ErrorKind;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Row};
use sqlx_cratedb::types::{CrateDbGeoPoint, CrateDbInterval, CrateDbTimeTz};
use sqlx_cratedb::{
    CrateDbArguments, CrateDbBulkRow, CrateDbHost, CrateDbPool, CrateDbPoolOptions,
};

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

async fn pool(url: &str) -> CrateDbPool {
    CrateDbPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap()
}

/// A table name unique to this process and call.
fn table(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "sqlx_cratedb_{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn exec(pool: &CrateDbPool, sql: String) {
    sqlx::query(AssertSqlSafe(sql)).execute(pool).await.unwrap();
}

#[tokio::test]
async fn live_types_round_trip() {
    let Some(url) = url() else { return };
    let pool = pool(&url).await;
    let t = table("types");
    exec(
        &pool,
        format!(
            "CREATE TABLE {t} (id INT PRIMARY KEY, b BOOLEAN, s SMALLINT, l BIGINT, r REAL, \
             d DOUBLE PRECISION, txt TEXT, ts TIMESTAMP WITH TIME ZONE, ip IP, obj OBJECT(DYNAMIC), \
             tags ARRAY(TEXT), nested ARRAY(ARRAY(INTEGER)), p GEO_POINT, v FLOAT_VECTOR(3))"
        ),
    )
    .await;
    let ts = DateTime::parse_from_rfc3339("2021-03-09T10:00:00.123Z")
        .unwrap()
        .with_timezone(&Utc);
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {t} VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"
    )))
    .bind(1)
    .bind(true)
    .bind(7_i16)
    .bind(9_000_000_000_i64)
    .bind(1.5_f32)
    .bind(2.25_f64)
    .bind("h\u{e9}llo \"q\"")
    .bind(ts)
    .bind("10.0.0.1".parse::<IpAddr>().unwrap())
    .bind(json!({"a": 1, "b": ["x"]}))
    .bind(vec!["a", "b"])
    .bind(vec![vec![1, 2], vec![3]])
    .bind(CrateDbGeoPoint::new(13.4, 52.5))
    .bind(vec![1.0_f32, 2.5, -3.0])
    .execute(&pool)
    .await
    .unwrap();
    exec(&pool, format!("REFRESH TABLE {t}")).await;
    let row = sqlx::query(AssertSqlSafe(format!("SELECT * FROM {t} WHERE id = 1")))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(row.get::<bool, _>("b"));
    assert_eq!(row.get::<i16, _>("s"), 7);
    assert_eq!(row.get::<i64, _>("l"), 9_000_000_000);
    assert_eq!(row.get::<f32, _>("r"), 1.5);
    assert_eq!(row.get::<f64, _>("d"), 2.25);
    assert_eq!(row.get::<String, _>("txt"), "h\u{e9}llo \"q\"");
    assert_eq!(row.get::<DateTime<Utc>, _>("ts"), ts);
    assert_eq!(row.get::<IpAddr, _>("ip").to_string(), "10.0.0.1");
    assert_eq!(row.get::<Json<serde_json::Value>, _>("obj").0["b"][0], "x");
    assert_eq!(row.get::<Vec<String>, _>("tags"), ["a", "b"]);
    assert_eq!(
        row.get::<Vec<Vec<i32>>, _>("nested"),
        vec![vec![1, 2], vec![3]]
    );
    assert_eq!(
        row.get::<CrateDbGeoPoint, _>("p"),
        CrateDbGeoPoint::new(13.4, 52.5)
    );
    assert_eq!(row.get::<Vec<f32>, _>("v"), vec![1.0, 2.5, -3.0]);

    let row = sqlx::query(
        "SELECT '13:00:00+01:00'::timetz AS tz, '1 year 2 mons 3 days'::interval AS iv, \
         '2021-03-09'::date AS d, NULL AS n",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let tz = row.get::<CrateDbTimeTz, _>("tz");
    assert_eq!(tz.microseconds, 46_800_000_000);
    assert_eq!(row.get::<CrateDbInterval, _>("iv").months, 14);
    assert_eq!(
        row.get::<NaiveDate, _>("d"),
        NaiveDate::from_ymd_opt(2021, 3, 9).unwrap()
    );
    assert_eq!(row.get::<Option<i32>, _>("n"), None);
    exec(&pool, format!("DROP TABLE {t}")).await;
}

#[tokio::test]
async fn live_bulk_reports_every_row_and_errors_map() {
    let Some(url) = url() else { return };
    let pool = pool(&url).await;
    let t = table("bulk");
    exec(
        &pool,
        format!("CREATE TABLE {t} (id INT PRIMARY KEY, name TEXT)"),
    )
    .await;
    // Row 2 repeats the primary key of row 0.
    let rows = [0, 1, 0, 3].map(|id| CrateDbArguments::default().bind(id).bind("x"));
    let res = sqlx_cratedb::bulk::execute_bulk(
        &pool,
        AssertSqlSafe(format!("INSERT INTO {t} (id, name) VALUES ($1, $2)")),
        rows,
    )
    .await
    .unwrap();
    assert_eq!(res.rows().len(), 4);
    assert!(
        matches!(res.rows()[2], CrateDbBulkRow::Failed(_)),
        "{res:?}"
    );
    assert_eq!(res.rows_affected(), 3);

    let err = sqlx::query(AssertSqlSafe(format!("INSERT INTO {t} (id) VALUES (1)")))
        .execute(&pool)
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().kind(),
        ErrorKind::UniqueViolation
    );
    let err = sqlx::query("SELECT * FROM sqlx_cratedb_missing_table")
        .fetch_all(&pool)
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("4041")
    );
    exec(&pool, format!("DROP TABLE {t}")).await;
}

#[tokio::test]
async fn live_default_schema_and_failover_from_a_dead_host() {
    let Some(url) = url() else { return };
    let opts: sqlx_cratedb::CrateDbConnectOptions = url.parse().unwrap();
    let live = opts.get_hosts()[0].clone();
    let schema = table("schema");
    // A dead host first: the driver sets it aside and uses the live one.
    let opts = opts
        .hosts(vec![CrateDbHost::new("127.0.0.1", 1), live])
        .schema(&schema)
        .connect_timeout(std::time::Duration::from_secs(2));
    let pool = CrateDbPoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .unwrap();
    exec(&pool, "CREATE TABLE t (id INT)".to_owned()).await;
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1",
    )
    .bind(&schema)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(n, 1, "the table was created in the Default-Schema");
    exec(&pool, format!("DROP TABLE \"{schema}\".t")).await;
}
