//! The scenarios of [`SCENARIOS`](super::SCENARIOS): one `pub async fn` each, taking a
//! [`Target`].

// Scenario code is test code: it asserts, unwraps and compares round-tripped floats exactly.
#![allow(clippy::unwrap_used, clippy::float_cmp, clippy::missing_panics_doc)]

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use futures_util::TryStreamExt as _;
use serde_json::json;
use sqlx::error::ErrorKind;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Row as _};
use sqlx_cratedb::types::{CrateDbGeoPoint, CrateDbInterval, CrateDbTimeTz};
use sqlx_cratedb::{CrateDbArguments, CrateDbBulkRow, CrateDbHost, CrateDbPool};

use super::{Target, count, exec, pool, unique};

/// Every type both servers share over the transport, written and read back through the sqlx
/// API, a row of NULLs, and cast-only types (timetz, interval, date) in a SELECT.
///
/// PostgreSQL stand-ins: `json` for `OBJECT(DYNAMIC)`, `point` for `GEO_POINT`, `float4[]` for
/// `FLOAT_VECTOR(3)`, `int4[]` for `ARRAY(ARRAY(INTEGER))`, and `text` for `IP` (CrateDB sends
/// `ip` as `varchar` over pgwire; PostgreSQL's `inet` has its own OID, which CrateDB never sends).
pub async fn types_round_trip(target: &Target) {
    let pool = target.pool().await;
    let t = unique("types");
    let columns = target.sql(
        "id INT PRIMARY KEY, b BOOLEAN, s SMALLINT, i INTEGER, l BIGINT, r REAL, \
         d DOUBLE PRECISION, txt TEXT, ts TIMESTAMP WITH TIME ZONE, \
         lts TIMESTAMP WITHOUT TIME ZONE, ip IP, obj OBJECT(DYNAMIC), tags ARRAY(TEXT), \
         nested ARRAY(ARRAY(INTEGER)), p GEO_POINT, v FLOAT_VECTOR(3)",
        "id int PRIMARY KEY, b boolean, s smallint, i integer, l bigint, r real, \
         d double precision, txt text, ts timestamptz, lts timestamp, ip text, obj json, \
         tags text[], nested int4[], p point, v float4[]",
    );
    exec(&pool, &format!("CREATE TABLE {t} ({columns})")).await;
    let insert = format!(
        "INSERT INTO {t} (id, b, s, i, l, r, d, txt, ts, lts, ip, obj, tags, nested, p, v) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    let ts = DateTime::parse_from_rfc3339("2021-03-09T10:00:00.123Z")
        .unwrap()
        .with_timezone(&Utc);
    let lts =
        NaiveDateTime::parse_from_str("1999-12-31 23:59:59.999", "%Y-%m-%d %H:%M:%S%.3f").unwrap();
    let ip: IpAddr = "10.0.0.1".parse().unwrap();
    let obj = json!({"a": 1, "b": ["x", "y\"z"], "c": {"d": true}});
    let text = "h\u{e9}llo \"q\", {braces} and commas";
    let inserted = sqlx::query(AssertSqlSafe(insert.clone()))
        .bind(1)
        .bind(true)
        .bind(-7_i16)
        .bind(i32::MIN)
        .bind(9_000_000_000_i64)
        .bind(1.5_f32)
        .bind(-2.25e100_f64)
        .bind(text)
        .bind(ts)
        .bind(lts)
        .bind(ip)
        .bind(Json(obj.clone()))
        .bind(vec!["a", "b c", "NULL"])
        .bind(vec![vec![1, 2], vec![3, 4]])
        .bind(CrateDbGeoPoint::new(13.4, 52.5))
        .bind(vec![1.0_f32, 2.5, -3.0])
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(inserted.rows_affected(), 1);
    target.refresh(&pool, &t).await;

    let select = format!(
        "SELECT id, b, s, i, l, r, d, txt, ts, lts, ip, obj, tags, nested, p, v FROM {t} \
         WHERE id = $1"
    );
    let row = sqlx::query(AssertSqlSafe(select.clone()))
        .bind(1)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(row.get::<bool, _>("b"));
    assert_eq!(row.get::<i16, _>("s"), -7);
    assert_eq!(row.get::<i32, _>("i"), i32::MIN);
    assert_eq!(row.get::<i64, _>("l"), 9_000_000_000);
    assert_eq!(row.get::<f32, _>("r"), 1.5);
    assert_eq!(row.get::<f64, _>("d"), -2.25e100);
    assert_eq!(row.get::<String, _>("txt"), text);
    assert_eq!(row.get::<DateTime<Utc>, _>("ts"), ts);
    assert_eq!(row.get::<NaiveDateTime, _>("lts"), lts);
    assert_eq!(row.get::<IpAddr, _>("ip"), ip);
    assert_eq!(row.get::<Json<serde_json::Value>, _>("obj").0, obj);
    assert_eq!(row.get::<Vec<String>, _>("tags"), ["a", "b c", "NULL"]);
    // CrateDB sends nested arrays as JSON over pgwire; PostgreSQL reports a 2-D array with the
    // 1-D OID: JSON reads both, and the HTTP answer.
    assert_eq!(
        row.get::<Json<Vec<Vec<i32>>>, _>("nested").0,
        [[1, 2], [3, 4]]
    );
    assert_eq!(
        row.get::<CrateDbGeoPoint, _>("p"),
        CrateDbGeoPoint::new(13.4, 52.5)
    );
    assert_eq!(row.get::<Vec<f32>, _>("v"), [1.0, 2.5, -3.0]);

    null_row_round_trips(target, &pool, &t, &insert, &select).await;
    cast_only_types(&pool).await;
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// A row of NULLs in every column of [`types_round_trip`]'s table: written with typed `None`
/// binds, read back as NULL.
async fn null_row_round_trips(
    target: &Target,
    pool: &CrateDbPool,
    table: &str,
    insert: &str,
    select: &str,
) {
    sqlx::query(AssertSqlSafe(insert.to_owned()))
        .bind(2)
        .bind(None::<bool>)
        .bind(None::<i16>)
        .bind(None::<i32>)
        .bind(None::<i64>)
        .bind(None::<f32>)
        .bind(None::<f64>)
        .bind(None::<String>)
        .bind(None::<DateTime<Utc>>)
        .bind(None::<NaiveDateTime>)
        .bind(None::<IpAddr>)
        .bind(None::<Json<serde_json::Value>>)
        .bind(None::<Vec<String>>)
        .bind(None::<Vec<Vec<i32>>>)
        .bind(None::<CrateDbGeoPoint>)
        .bind(None::<Vec<f32>>)
        .execute(pool)
        .await
        .unwrap();
    target.refresh(pool, table).await;
    let row = sqlx::query(AssertSqlSafe(select.to_owned()))
        .bind(2)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(row.len(), 16);
    for i in 1..row.len() {
        assert!(
            sqlx::ValueRef::is_null(&row.try_get_raw(i).unwrap()),
            "column {i} is not NULL"
        );
    }
    assert_eq!(row.get::<Option<bool>, _>("b"), None);
    assert_eq!(row.get::<Option<DateTime<Utc>>, _>("ts"), None);
    assert_eq!(row.get::<Option<IpAddr>, _>("ip"), None);
    assert_eq!(row.get::<Option<Vec<String>>, _>("tags"), None);
    assert_eq!(row.get::<Option<CrateDbGeoPoint>, _>("p"), None);
}

/// Types CrateDB has in casts only (timetz, interval; date columns only from 6.5), in a SELECT.
async fn cast_only_types(pool: &CrateDbPool) {
    let row = sqlx::query(
        "SELECT '13:00:00+01:00'::timetz AS tz, '1 year 2 mons 3 days'::interval AS iv, \
         '2021-03-09'::date AS d, NULL AS n",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let tz = row.get::<CrateDbTimeTz, _>("tz");
    assert_eq!((tz.microseconds, tz.offset_seconds), (46_800_000_000, 3600));
    let iv = row.get::<CrateDbInterval, _>("iv");
    assert_eq!((iv.months, iv.days, iv.microseconds), (14, 3, 0));
    assert_eq!(
        row.get::<NaiveDate, _>("d"),
        NaiveDate::from_ymd_opt(2021, 3, 9).unwrap()
    );
    assert_eq!(row.get::<Option<i32>, _>("n"), None);
}

/// `execute_bulk` with a row repeating another's primary key: that row is reported `Failed`
/// by its index, the others land; then a single duplicate INSERT maps to
/// [`ErrorKind::UniqueViolation`].
pub async fn bulk_reports_the_failed_row_and_unique_violation_maps(target: &Target) {
    let pool = pool(target.bulk_options(), 1).await;
    let t = unique("bulk");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id INT PRIMARY KEY, name TEXT)"),
    )
    .await;
    // Row 2 repeats the primary key of row 0.
    let input = [(0, "first"), (1, "x"), (0, "dup"), (3, "x")];
    let rows = input.map(|(id, name)| CrateDbArguments::default().bind(id).bind(name));
    let res = sqlx_cratedb::bulk::execute_bulk(
        &pool,
        AssertSqlSafe(format!("INSERT INTO {t} (id, name) VALUES ($1, $2)")),
        rows,
    )
    .await
    .unwrap();
    let applied = |i: usize| matches!(res.rows()[i], CrateDbBulkRow::Applied(Some(1)));
    assert_eq!(res.rows().len(), 4, "{res:?}");
    assert!(applied(0) && applied(1) && applied(3), "{res:?}");
    assert!(
        matches!(res.rows()[2], CrateDbBulkRow::Failed(_)),
        "{res:?}"
    );
    let failures: Vec<_> = res
        .failures()
        .map(sqlx_cratedb::CrateDbDatabaseError::row_index)
        .collect();
    assert_eq!(failures, [Some(2)]);
    assert_eq!(res.rows_affected(), 3);
    assert_eq!(res.requests(), target.bulk_requests(4));
    target.refresh(&pool, &t).await;
    let landed: Vec<(i32, String)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT id, name FROM {t} ORDER BY id"
    )))
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected = [(0, "first"), (1, "x"), (3, "x")].map(|(i, n)| (i, n.to_owned()));
    assert_eq!(landed, expected);

    let err = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {t} (id, name) VALUES ($1, $2)"
    )))
    .bind(1)
    .bind("again")
    .execute(&pool)
    .await
    .unwrap_err();
    let db = err.as_database_error().unwrap();
    assert_eq!(db.kind(), ErrorKind::UniqueViolation, "{db}");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// A query, a parameterised query and a bulk call on a missing table fail with the unknown-table
/// code of the transport, and the connection stays usable.
pub async fn missing_table_error(target: &Target) {
    let pool = pool(target.options.clone(), 1).await;
    let missing = unique("missing");
    let plain = sqlx::query(AssertSqlSafe(format!("SELECT * FROM {missing}")));
    let with_param = sqlx::query(AssertSqlSafe(format!(
        "SELECT * FROM {missing} WHERE id = $1"
    )))
    .bind(1);
    for query in [plain, with_param] {
        let err = query.fetch_all(&pool).await.unwrap_err();
        let db = err.as_database_error().unwrap();
        assert_eq!(
            db.code().as_deref(),
            Some(target.missing_table_code()),
            "{db}"
        );
        assert_eq!(db.kind(), ErrorKind::Other);
        assert!(db.message().contains(&missing), "{}", db.message());
    }
    let rows = (0..3).map(|i| CrateDbArguments::default().bind(i));
    let err = sqlx_cratedb::bulk::execute_bulk(
        &pool,
        AssertSqlSafe(format!("INSERT INTO {missing} (id) VALUES ($1)")),
        rows,
    )
    .await
    .unwrap_err();
    let db = err.as_database_error().unwrap();
    assert_eq!(
        db.code().as_deref(),
        Some(target.missing_table_code()),
        "{db}"
    );
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
}

/// 50,000 rows written with `execute_bulk` (several requests) and read back through `fetch`,
/// counted and summed; a stream dropped half-way leaves the connection usable.
pub async fn streaming_many_rows(target: &Target) {
    const N: i32 = 50_000;
    let pool = pool(target.options.clone(), 1).await;
    let t = unique("stream");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id INT PRIMARY KEY, name TEXT)"),
    )
    .await;
    let rows = (1..=N).map(|i| CrateDbArguments::default().bind(i).bind(format!("row {i}")));
    let res = sqlx_cratedb::bulk::execute_bulk(
        &pool,
        AssertSqlSafe(format!("INSERT INTO {t} (id, name) VALUES ($1, $2)")),
        rows,
    )
    .await
    .unwrap();
    assert!(res.is_success(), "{:?}", res.failures().next());
    assert_eq!(res.rows_affected(), 50_000);
    assert!(res.requests() >= 10, "{} requests", res.requests());
    target.refresh(&pool, &t).await;
    assert_eq!(count(&pool, &t).await, 50_000);

    let mut conn = pool.acquire().await.unwrap();
    let sql = format!("SELECT id, name FROM {t} ORDER BY id");
    let mut stream = sqlx::query(AssertSqlSafe(sql.clone())).fetch(&mut *conn);
    let (mut seen, mut sum) = (0_i64, 0_i64);
    while let Some(row) = stream.try_next().await.unwrap() {
        let id: i32 = row.get("id");
        seen += 1;
        sum += i64::from(id);
        assert_eq!(i64::from(id), seen, "rows out of order");
        assert_eq!(row.get::<&str, _>("name"), format!("row {id}"));
    }
    drop(stream);
    assert_eq!(seen, 50_000);
    assert_eq!(sum, 50_000 * 50_001 / 2);
    {
        let mut stream = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *conn);
        for _ in 0..1_500 {
            stream.try_next().await.unwrap().unwrap();
        }
    }
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(one, 1);
    drop(conn);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// A dead host first in the host list is set aside and the live one used; the `schema` option
/// is where an unqualified `CREATE TABLE` lands and what `current_schema()` reports.
pub async fn default_schema_and_failover_from_a_dead_host(target: &Target) {
    let live = target.options.get_hosts()[0].clone();
    let schema = unique("schema");
    target.prepare_schema(&schema).await;
    let opts = target
        .options
        .clone()
        .hosts(vec![CrateDbHost::new("127.0.0.1", 1), live])
        .schema(&schema)
        .connect_timeout(Duration::from_secs(2));
    let pool = pool(opts, 1).await;
    exec(&pool, "CREATE TABLE t (id INT)").await;
    assert_eq!(exec(&pool, "INSERT INTO t (id) VALUES (1)").await, 1);
    let current: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(current, schema);
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables \
         WHERE table_schema = $1 AND table_name = 't'",
    )
    .bind(&schema)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(n, 1, "the table was created in the default schema");
    target.refresh(&pool, &format!("\"{schema}\".t")).await;
    assert_eq!(count(&pool, &format!("\"{schema}\".t")).await, 1);
    exec(&pool, &format!("DROP TABLE \"{schema}\".t")).await;
    pool.close().await;
    target.drop_schema(&schema).await;
}

/// The struct [`query_as_into_from_row_struct`] reads.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
struct Reading {
    id: i32,
    sensor: String,
    level: f64,
    note: Option<String>,
    #[sqlx(rename = "taken_at")]
    at: DateTime<Utc>,
}

/// `query_as` into a `#[derive(sqlx::FromRow)]` struct: `fetch_all`, `fetch_one`, and
/// `fetch_optional` of a missing key.
pub async fn query_as_into_from_row_struct(target: &Target) {
    let pool = target.pool().await;
    let t = unique("from_row");
    exec(
        &pool,
        &format!(
            "CREATE TABLE {t} (id INT PRIMARY KEY, sensor TEXT NOT NULL, level DOUBLE \
             PRECISION NOT NULL, note TEXT, taken_at TIMESTAMP WITH TIME ZONE NOT NULL)"
        ),
    )
    .await;
    let base = DateTime::from_timestamp_millis(1_709_978_400_000).unwrap();
    let rows: Vec<Reading> = (1..=4)
        .map(|id| Reading {
            id,
            sensor: format!("s{}", id % 2),
            level: f64::from(id) * 1.5,
            note: (id % 2 == 0).then(|| "even".to_owned()),
            at: base + chrono::Duration::seconds(id.into()),
        })
        .collect();
    for r in &rows {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {t} (id, sensor, level, note, taken_at) VALUES ($1, $2, $3, $4, $5)"
        )))
        .bind(r.id)
        .bind(&r.sensor)
        .bind(r.level)
        .bind(&r.note)
        .bind(r.at)
        .execute(&pool)
        .await
        .unwrap();
    }
    target.refresh(&pool, &t).await;
    let select = format!("SELECT id, sensor, level, note, taken_at FROM {t}");
    let all: Vec<Reading> = sqlx::query_as(AssertSqlSafe(format!("{select} ORDER BY id")))
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(all, rows);
    let even: Reading = sqlx::query_as(AssertSqlSafe(format!("{select} WHERE id = $1")))
        .bind(2)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(even, rows[1]);
    let none: Option<Reading> = sqlx::query_as(AssertSqlSafe(format!("{select} WHERE id = $1")))
        .bind(99)
        .fetch_optional(&pool)
        .await
        .unwrap();
    assert_eq!(none, None);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// `rows_affected` of a multi-row INSERT, of UPDATE and DELETE by filter and by key, and of
/// statements matching nothing.
pub async fn rows_affected_of_update_and_delete(target: &Target) {
    let pool = target.pool().await;
    let t = unique("affected");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id INT PRIMARY KEY, grp INT, v TEXT)"),
    )
    .await;
    let values = "(1, 1, 'a'), (2, 1, 'b'), (3, 1, 'c'), (4, 2, 'd'), (5, 2, 'e')";
    let inserted = exec(
        &pool,
        &format!("INSERT INTO {t} (id, grp, v) VALUES {values}"),
    )
    .await;
    assert_eq!(inserted, 5);
    target.refresh(&pool, &t).await;
    let update = |filter: &str| format!("UPDATE {t} SET v = 'x' WHERE {filter}");
    assert_eq!(exec(&pool, &update("grp = 1")).await, 3);
    assert_eq!(exec(&pool, &update("id = 4")).await, 1);
    assert_eq!(exec(&pool, &update("grp = 99")).await, 0);
    target.refresh(&pool, &t).await;
    let changed: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {t} WHERE v = $1"
    )))
    .bind("x")
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(changed, 4);
    let delete = |filter: &str| format!("DELETE FROM {t} WHERE {filter}");
    assert_eq!(exec(&pool, &delete("id >= 4")).await, 2);
    assert_eq!(exec(&pool, &delete("id = 42")).await, 0);
    target.refresh(&pool, &t).await;
    assert_eq!(count(&pool, &t).await, 3);
    assert_eq!(exec(&pool, &delete("id > 0")).await, 3);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}
