//! The pgwire transport of `sqlx-cratedb` against real, throwaway PostgreSQL servers
//! (`cratedb_integration::pg`): authentication (cleartext like CrateDB, md5, SCRAM, TLS),
//! type round trips through the sqlx API for every type PostgreSQL shares with CrateDB's wire
//! mapping, row counts, cancellation, failover (bulk and streaming: `pgwire_data.rs`).
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

// Round trips must be exact, so floats are compared exactly; the type test is one long table.
#![allow(clippy::unwrap_used, clippy::float_cmp, clippy::too_many_lines)]

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use cratedb_integration::pg::{PgAuth, PgCluster, PgServer, PgServerConfig, PgTls};
use serde_json::json;
use sqlx::types::Json;
use sqlx::{Connection as _, Row as _};
use sqlx_cratedb::types::{CrateDbGeoPoint, CrateDbInterval};
use sqlx_cratedb::{
    CrateDbConnectOptions, CrateDbConnection, CrateDbPem, CrateDbPool, CrateDbPoolOptions,
    CrateDbProtocol,
};

#[tokio::test]
async fn cleartext_password_connects_and_reports_server_parameters() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let opts = server.crate_options();
    assert_eq!(opts.get_protocol(), CrateDbProtocol::PgWire);
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    // PostgreSQL, not CrateDB: no crate_version.
    assert_eq!(conn.crate_version(), None);
    assert!(!conn.server_is_cratedb());
    assert!(conn.server_parameter("server_version").is_some());
    conn.ping().await.unwrap();
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(one, 1);
    // `database` is CrateDB's schema; on PostgreSQL it is the database.
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(db, "doc");
    conn.close().await.unwrap();

    // A cleartext password without TLS is sent only with the opt-in; without it the driver
    // refuses before sending anything.
    let bad = format!(
        "postgres://{}:wrong@{}/doc",
        server.user(),
        server.host_port()
    );
    let err = CrateDbConnection::connect(&bad).await.unwrap_err();
    assert!(matches!(err, sqlx::Error::Configuration(_)), "{err:?}");
    assert!(
        err.to_string().contains("allow_cleartext_password=true"),
        "{err}"
    );
    let bad = format!("{bad}?allow_cleartext_password=true");
    let err = CrateDbConnection::connect(&bad).await.unwrap_err();
    let db = err.as_database_error().expect("a database error");
    assert_eq!(db.code().as_deref(), Some("28P01"));
}

#[tokio::test]
async fn md5_and_scram_authentication() {
    for auth in [PgAuth::Md5, PgAuth::ScramSha256] {
        let Some(server) = PgServer::start_or_skip(PgServerConfig::new().auth(auth)) else {
            return;
        };
        let mut conn = server.crate_connect().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT 40 + $1")
            .bind(2_i64)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 42, "{auth:?}");
    }
}

#[tokio::test]
async fn tls_with_the_generated_ca_and_client_certificate() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new().tls(PgTls::Required)) else {
        return;
    };
    let ca = server.ca_cert_path().unwrap().to_path_buf();
    // Without TLS the server refuses (hostssl only).
    assert!(
        CrateDbConnection::connect_with(&server.crate_options())
            .await
            .is_err()
    );
    let opts = server
        .crate_options()
        .tls(true)
        .root_cert(CrateDbPem::Path(ca.clone()));
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(ssl);
    // sslmode in the URL, and a server certificate that is not trusted.
    let url = format!("{}?sslmode=require", server.url());
    let err = CrateDbConnection::connect(&url).await.unwrap_err();
    assert!(matches!(err, sqlx::Error::Tls(_)), "{err:?}");

    let Some(cert_server) = PgServer::start_or_skip(
        PgServerConfig::new()
            .auth(PgAuth::Cert)
            .tls(PgTls::Required),
    ) else {
        return;
    };
    let opts = cert_server
        .crate_options()
        .tls(true)
        .root_cert(CrateDbPem::Path(
            cert_server.ca_cert_path().unwrap().to_path_buf(),
        ))
        .client_cert(
            CrateDbPem::Path(cert_server.client_cert_path().unwrap().to_path_buf()),
            CrateDbPem::Path(cert_server.client_key_path().unwrap().to_path_buf()),
        );
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    conn.ping().await.unwrap();
}

#[tokio::test]
async fn every_shared_type_round_trips_through_the_sqlx_api() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let pool = CrateDbPool::connect_with(server.crate_options())
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE types (id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, \
         f8 float8, t text, v varchar(20), j json, p point, n numeric(10,3), tz timestamptz, \
         ts timestamp, d date, iv interval, fv float4[], ta text[], ja json[])",
    )
    .execute(&pool)
    .await
    .unwrap();
    let obj = json!({"a": 1, "nested": {"b": [1, 2, {"c": "x\"y"}], "d": null}});
    let tz = DateTime::<Utc>::from_timestamp_millis(1_615_280_400_123).unwrap();
    let ts =
        NaiveDateTime::parse_from_str("1969-12-31 23:59:59.999", "%Y-%m-%d %H:%M:%S%.3f").unwrap();
    let d = NaiveDate::from_ymd_opt(2021, 3, 9).unwrap();
    let iv = CrateDbInterval {
        months: 14,
        days: 3,
        microseconds: 14_706_000_000,
    };
    let inserted = sqlx::query(
        "INSERT INTO types VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19)",
    )
    .bind(1)
    .bind(true)
    .bind(-7_i16)
    .bind(i32::MIN)
    .bind(i64::MAX)
    .bind(1.5_f32)
    .bind(-2.25e100_f64)
    .bind("text with \"quotes\", commas, {braces} and ünïcode")
    .bind("short")
    .bind(Json(obj.clone()))
    .bind(CrateDbGeoPoint::new(13.4, 52.5))
    .bind("1234567.891")
    .bind(tz)
    .bind(ts)
    .bind(d)
    .bind(iv)
    .bind(vec![1.0_f32, -2.5, 3.25])
    .bind(vec![
        "a".to_owned(),
        "b c".to_owned(),
        "NULL".to_owned(),
        "x\\y\"z".to_owned(),
    ])
    .bind(vec![Json(json!({"k": 1})), Json(json!({"k": [2]}))])
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(inserted.rows_affected(), 1);
    // A row of NULLs in every column.
    let mut nulls = sqlx::query(
        "INSERT INTO types VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19)",
    )
    .bind(2);
    nulls = nulls
        .bind(None::<bool>)
        .bind(None::<i16>)
        .bind(None::<i32>)
        .bind(None::<i64>)
        .bind(None::<f32>)
        .bind(None::<f64>)
        .bind(None::<String>)
        .bind(None::<String>)
        .bind(None::<Json<serde_json::Value>>)
        .bind(None::<CrateDbGeoPoint>)
        .bind(None::<String>)
        .bind(None::<DateTime<Utc>>)
        .bind(None::<NaiveDateTime>)
        .bind(None::<NaiveDate>)
        .bind(None::<CrateDbInterval>)
        .bind(None::<Vec<f32>>)
        .bind(None::<Vec<String>>)
        .bind(None::<Vec<Json<serde_json::Value>>>);
    nulls.execute(&pool).await.unwrap();

    let row = sqlx::query("SELECT * FROM types WHERE id = $1")
        .bind(1)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(row.get::<bool, _>("b"));
    assert_eq!(row.get::<i16, _>("i2"), -7);
    assert_eq!(row.get::<i32, _>("i4"), i32::MIN);
    assert_eq!(row.get::<i64, _>("i8"), i64::MAX);
    assert_eq!(row.get::<f32, _>("f4"), 1.5);
    assert_eq!(row.get::<f64, _>("f8"), -2.25e100);
    assert_eq!(
        row.get::<String, _>("t"),
        "text with \"quotes\", commas, {braces} and ünïcode"
    );
    assert_eq!(row.get::<&str, _>("v"), "short");
    assert_eq!(row.get::<Json<serde_json::Value>, _>("j").0, obj);
    assert_eq!(row.get::<serde_json::Value, _>("j"), obj);
    assert_eq!(
        row.get::<CrateDbGeoPoint, _>("p"),
        CrateDbGeoPoint::new(13.4, 52.5)
    );
    assert_eq!(row.get::<String, _>("n"), "1234567.891");
    assert_eq!(row.get::<f64, _>("n"), 1_234_567.891);
    assert_eq!(row.get::<DateTime<Utc>, _>("tz"), tz);
    assert_eq!(row.get::<NaiveDateTime, _>("ts"), ts);
    assert_eq!(row.get::<NaiveDate, _>("d"), d);
    assert_eq!(row.get::<CrateDbInterval, _>("iv"), iv);
    assert_eq!(row.get::<Vec<f32>, _>("fv"), vec![1.0, -2.5, 3.25]);
    assert_eq!(
        row.get::<Vec<String>, _>("ta"),
        vec!["a", "b c", "NULL", "x\\y\"z"]
    );
    assert_eq!(
        row.get::<Vec<serde_json::Value>, _>("ja"),
        vec![json!({"k": 1}), json!({"k": [2]})]
    );

    let row = sqlx::query("SELECT * FROM types WHERE id = 2")
        .fetch_one(&pool)
        .await
        .unwrap();
    for i in 1..row.len() {
        let raw = row.try_get_raw(i).unwrap();
        assert!(sqlx::ValueRef::is_null(&raw), "column {i}");
    }
    assert_eq!(row.get::<Option<bool>, _>("b"), None);
    assert_eq!(row.get::<Option<Vec<String>>, _>("ta"), None);
    assert_eq!(row.get::<Option<DateTime<Utc>>, _>("tz"), None);

    // NULL elements inside arrays, and nested arrays.
    let (a, b): (Vec<Option<String>>, Vec<Option<i32>>) =
        sqlx::query_as("SELECT ARRAY['x', NULL]::text[], ARRAY[1, NULL, 3]")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(a, vec![Some("x".to_owned()), None]);
    assert_eq!(b, vec![Some(1), None, Some(3)]);
    // PostgreSQL reports a 2-D array with the 1-D OID (CrateDB sends nested arrays as json):
    // read it as JSON.
    let nested: Json<Vec<Vec<i32>>> = sqlx::query_scalar("SELECT $1::int4[][]")
        .bind(vec![vec![1, 2], vec![3, 4]])
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(nested.0, vec![vec![1, 2], vec![3, 4]]);
}

#[tokio::test]
async fn execute_reports_rows_affected_and_errors_carry_sqlstate() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let mut conn = server.crate_connect().await.unwrap();
    sqlx::query("CREATE TABLE t (id int PRIMARY KEY, v text)")
        .execute(&mut conn)
        .await
        .unwrap();
    for i in 0..5 {
        sqlx::query("INSERT INTO t VALUES ($1, $2)")
            .bind(i)
            .bind(format!("v{i}"))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let r = sqlx::query("UPDATE t SET v = 'x' WHERE id >= $1")
        .bind(2)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 3);
    let err = sqlx::query("INSERT INTO t VALUES (1, 'dup')")
        .execute(&mut conn)
        .await
        .unwrap_err();
    let db = err.as_database_error().unwrap();
    assert_eq!(db.code().as_deref(), Some("23505"));
    assert_eq!(db.kind(), sqlx::error::ErrorKind::UniqueViolation);
    // The connection stays usable after an error, and after a dropped half-read stream.
    let first: Option<i32> = sqlx::query_scalar("SELECT id FROM t ORDER BY id")
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    assert_eq!(first, Some(0));
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 5);
    let err = sqlx::query("SELEC 1").execute(&mut conn).await.unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("42601")
    );
    // A cached `SELECT *` whose result type changes after DDL is prepared again.
    let before = sqlx::query("SELECT * FROM t WHERE id = $1")
        .bind(1)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(before.len(), 2);
    sqlx::query("ALTER TABLE t ADD COLUMN extra int DEFAULT 9")
        .execute(&mut conn)
        .await
        .unwrap();
    let after = sqlx::query("SELECT * FROM t WHERE id = $1")
        .bind(1)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(after.get::<i32, _>("extra"), 9);
    let r = sqlx::query("DELETE FROM t")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 5);
}

#[tokio::test]
async fn a_dropped_or_timed_out_pg_sleep_is_cancelled() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let mut conn = server.crate_connect().await.unwrap();
    let started = Instant::now();
    let dropped = tokio::time::timeout(
        Duration::from_millis(300),
        sqlx::query("SELECT pg_sleep(30)").execute(&mut conn),
    )
    .await;
    assert!(
        dropped.is_err(),
        "the sleep was expected to run past the timeout"
    );
    // The next query waits for the cancel and reads the cancelled query's error first.
    let n: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    let opts = server
        .crate_options()
        .request_timeout(Some(Duration::from_millis(300)));
    let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
    let started = Instant::now();
    let err = sqlx::query("SELECT pg_sleep(30)")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, sqlx::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut),
        "{err:?}"
    );
    let n: i32 = sqlx::query_scalar("SELECT 2")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// Resident set size of this process, from `/proc/self/statm` (Linux).
#[tokio::test]
async fn failover_across_three_servers_with_one_stopped_one_killed_both_restarted() {
    let Some(mut cluster) = PgCluster::start_or_skip(3, PgServerConfig::new()) else {
        return;
    };
    for server in cluster.servers() {
        let mut conn = server.crate_connect().await.unwrap();
        sqlx::query("CREATE TABLE w (id int PRIMARY KEY)")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let opts: CrateDbConnectOptions = cluster.crate_url().parse().unwrap();
    let opts = opts.retry_interval(Duration::from_millis(300));
    // No ping before acquire: the driver itself must notice the dead connection.
    let pool = CrateDbPoolOptions::new()
        .max_connections(3)
        .min_connections(3)
        .test_before_acquire(false)
        .connect_with(opts)
        .await
        .unwrap();
    let mut acknowledged = Vec::new();
    let mut uncertain = Vec::new();
    for i in 0..300 {
        if i == 100 {
            cluster.server_mut(1).stop().unwrap();
        }
        if i == 150 {
            // A crash: no goodbye message, the sockets just close.
            cluster.server_mut(2).kill().unwrap();
        }
        if i == 200 {
            cluster.server_mut(1).restart().unwrap();
        }
        if i == 250 {
            cluster.server_mut(2).restart().unwrap();
        }
        // Every read succeeds, whichever server is down.
        let n: i32 = sqlx::query_scalar("SELECT $1::int4")
            .bind(i)
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("read {i} failed: {e}"));
        assert_eq!(n, i);
        match sqlx::query("INSERT INTO w VALUES ($1)")
            .bind(i)
            .execute(&pool)
            .await
        {
            Ok(r) => {
                assert_eq!(r.rows_affected(), 1);
                acknowledged.push(i);
            }
            // A write that may have reached a failing server is not sent again.
            Err(_) => uncertain.push(i),
        }
    }
    pool.close().await;
    let mut seen = std::collections::HashMap::new();
    for server in cluster.servers() {
        let mut conn = server.crate_connect().await.unwrap();
        let ids: Vec<i32> = sqlx::query_scalar("SELECT id FROM w")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for id in ids {
            *seen.entry(id).or_insert(0) += 1;
        }
    }
    for id in &acknowledged {
        assert_eq!(
            seen.get(id),
            Some(&1),
            "acknowledged write {id} lost or applied twice"
        );
    }
    for id in &uncertain {
        assert!(
            seen.get(id).copied().unwrap_or(0) <= 1,
            "write {id} applied twice"
        );
    }
    assert!(
        acknowledged.len() >= 290,
        "too many failed writes: {uncertain:?}"
    );
}

/// A stream dropped half-way leaves its `Sync` owed; `should_flush` says so and `flush` brings
/// the connection in step before the next command.
#[tokio::test]
async fn flush_settles_what_a_dropped_stream_owes() {
    use futures_util::TryStreamExt as _;

    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let options = server.crate_options().fetch_size(10);
    let mut conn = CrateDbConnection::connect_with(&options).await.unwrap();
    assert!(!conn.should_flush());
    {
        let mut rows = sqlx::query("SELECT g FROM generate_series(1, 1000) AS g").fetch(&mut conn);
        let first: sqlx_cratedb::CrateDbRow = rows.try_next().await.unwrap().unwrap();
        assert_eq!(first.get::<i32, _>(0), 1);
    }
    assert!(
        conn.should_flush(),
        "the dropped stream still owes its Sync"
    );
    conn.flush().await.unwrap();
    assert!(!conn.should_flush());
    let n: i64 = sqlx::query_scalar("SELECT 42::int8")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 42);
}
