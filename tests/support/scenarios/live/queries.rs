//! Live group `queries`: CrateDB's query features, built with sea-cratedb's expressions where it
//! has them and run through the driver: MATCH with options and `_score`, `KNN_MATCH`, subscripts,
//! `= ANY`, upsert with `excluded`, RETURNING, UNNEST, aggregations and the system columns.

// Scenario code is test code: it compares scores and floats exactly where the server is exact.
#![allow(clippy::float_cmp)]

use sea_cratedb::CrateDbQueryBuilder;
use sea_cratedb::expr::{
    ArrayComparison, MatchType, Subscript, any, id, knn_match, match_, primary_term, score, seq_no,
    subscript, version,
};
use sea_cratedb::sea_query::{Alias, Expr, ExprTrait as _, Order, Query};
use sqlx::{AssertSqlSafe, Row as _};

use super::scenario;
use crate::scenarios::{Scenario, Target, exec, unique};
use sqlx_cratedb::CrateDbPool;

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(fulltext_match_with_options_ranks_by_score),
    scenario!(knn_match_finds_the_nearest_vectors),
    scenario!(subscripts_and_any_filter_objects_and_arrays),
    scenario!(upsert_with_excluded_and_returning),
    scenario!(unnest_inserts_and_aggregations_group),
    scenario!(system_columns_are_readable),
];

/// A table of documents with a fulltext-indexed title, an object and a vector; refreshed.
async fn documents(target: &Target, pool: &CrateDbPool) -> String {
    let t = unique("docs");
    exec(
        pool,
        &format!(
            "CREATE TABLE {t} (id INT PRIMARY KEY, title TEXT INDEX USING FULLTEXT WITH \
             (analyzer = 'english'), meta OBJECT(DYNAMIC) AS (author TEXT, tags ARRAY(TEXT)), \
             v FLOAT_VECTOR(2)) WITH (number_of_replicas = 0)"
        ),
    )
    .await;
    exec(
        pool,
        &format!(
            "INSERT INTO {t} (id, title, meta, v) VALUES \
             (1, 'CrateDB is a distributed SQL database', \
              {{author = 'ann', tags = ['db', 'sql']}}, [1.0, 0.0]), \
             (2, 'Rust drivers for databases', {{author = 'bob', tags = ['rust']}}, [0.0, 1.0]), \
             (3, 'Cooking with cast iron', {{author = 'cid', tags = []}}, [0.9, 0.1])"
        ),
    )
    .await;
    target.refresh(pool, &t).await;
    t
}

/// `MATCH(title, $1) USING best_fields WITH (fuzziness = 1)`: the typo still finds the
/// documents about databases, ordered by `_score`.
pub(super) async fn fulltext_match_with_options_ranks_by_score(target: &Target) {
    let pool = target.pool().await;
    let t = documents(target, &pool).await;
    let stmt = Query::select()
        .column("id")
        .expr_as(score(), Alias::new("score"))
        .from(Alias::new(&t))
        .and_where(
            match_("title")
                .query("databse")
                .using(MatchType::BestFields)
                .option("fuzziness", 1)
                .into(),
        )
        .order_by(Alias::new("_score"), Order::Desc)
        .to_owned();
    let rows = sqlx_cratedb::sea_query::statement(&stmt)
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", stmt.to_string(CrateDbQueryBuilder)));
    let ids: Vec<i32> = rows.iter().map(|r| r.get("id")).collect();
    assert!(ids.contains(&1) && !ids.contains(&3), "{ids:?}");
    let scores: Vec<f32> = rows.iter().map(|r| r.get("score")).collect();
    assert!(scores.iter().all(|s| *s > 0.0), "{scores:?}");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// `KNN_MATCH(v, [1, 0], 2)` returns the two nearest vectors first.
pub(super) async fn knn_match_finds_the_nearest_vectors(target: &Target) {
    let pool = target.pool().await;
    let t = documents(target, &pool).await;
    let stmt = Query::select()
        .column("id")
        .from(Alias::new(&t))
        .and_where(knn_match("v", &[1.0, 0.0], 2))
        .order_by(Alias::new("_score"), Order::Desc)
        .limit(2)
        .to_owned();
    let ids: Vec<(i32,)> = sqlx_cratedb::sea_query::query_as_statement(&stmt)
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", stmt.to_string(CrateDbQueryBuilder)));
    assert_eq!(ids, [(1,), (3,)]);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// `meta['author']`, `meta['tags'][1]` and `$1 = ANY(meta['tags'])`.
pub(super) async fn subscripts_and_any_filter_objects_and_arrays(target: &Target) {
    let pool = target.pool().await;
    let t = documents(target, &pool).await;
    let stmt = Query::select()
        .expr_as(
            subscript(Expr::col("meta"), [Subscript::from("author")]),
            Alias::new("author"),
        )
        .expr_as(
            subscript(
                Expr::col("meta"),
                [Subscript::from("tags"), Subscript::Index(1)],
            ),
            Alias::new("first_tag"),
        )
        .from(Alias::new(&t))
        .and_where(any(
            Expr::val("sql"),
            ArrayComparison::Eq,
            subscript(Expr::col("meta"), [Subscript::from("tags")]),
        ))
        .to_owned();
    let rows: Vec<(String, String)> = sqlx_cratedb::sea_query::query_as_statement(&stmt)
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", stmt.to_string(CrateDbQueryBuilder)));
    assert_eq!(rows, [("ann".to_owned(), "db".to_owned())]);
    let ids: Vec<(i32,)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT id FROM {t} WHERE id = ANY($1) ORDER BY id"
    )))
    .bind(vec![2_i32, 3, 99])
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(ids, [(2,), (3,)]);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// `INSERT … ON CONFLICT (id) DO UPDATE SET n = n + excluded.n RETURNING id, n` adds to the
/// existing row; `DO NOTHING` leaves it; `UPDATE … RETURNING` reports the new value.
pub(super) async fn upsert_with_excluded_and_returning(target: &Target) {
    let pool = target.pool().await;
    let t = unique("upsert");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id INT PRIMARY KEY, n INT)"),
    )
    .await;
    let upsert = format!(
        "INSERT INTO {t} (id, n) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET n = n + excluded.n \
         RETURNING id, n"
    );
    for (n, expected) in [(5, 5), (7, 12)] {
        let row = sqlx::query(AssertSqlSafe(upsert.clone()))
            .bind(1)
            .bind(n)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(row.get::<i32, _>("n"), expected);
    }
    let ignored = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {t} (id, n) VALUES (1, 100) ON CONFLICT DO NOTHING"
    )))
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(ignored.rows_affected(), 0);
    let updated: i32 = sqlx::query_scalar(AssertSqlSafe(format!(
        "UPDATE {t} SET n = n * 2 WHERE id = $1 RETURNING n"
    )))
    .bind(1)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(updated, 24);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// `INSERT … SELECT * FROM UNNEST($1::INT[], …)` inserts arrays as rows (over pgwire CrateDB 6.4
/// types an uncast `UNNEST($1)` parameter as an array of undefined and reads a text array's
/// elements as JSON, so `{"g0"}` fails with "Unrecognized token 'g0'": the cast is needed); `GROUP BY` with `count`,
/// `sum`, `avg`, `max` and `HAVING` aggregates them.
pub(super) async fn unnest_inserts_and_aggregations_group(target: &Target) {
    let pool = target.pool().await;
    let t = unique("unnest");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id INT PRIMARY KEY, grp TEXT, x DOUBLE)"),
    )
    .await;
    let ids: Vec<i32> = (1..=100).collect();
    let groups: Vec<String> = ids.iter().map(|i| format!("g{}", i % 3)).collect();
    let xs: Vec<f64> = ids.iter().map(|i| f64::from(*i) / 2.0).collect();
    let inserted = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {t} (id, grp, x) SELECT * FROM UNNEST($1::INT[], $2::TEXT[], $3::DOUBLE[])"
    )))
    .bind(ids)
    .bind(groups)
    .bind(xs)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(inserted.rows_affected(), 100);
    target.refresh(&pool, &t).await;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT grp, count(*) AS n, sum(x) AS s, avg(x) AS a, max(id) AS m FROM {t} \
         GROUP BY grp HAVING count(*) > 33 ORDER BY grp"
    )))
    .fetch_all(&pool)
    .await
    .unwrap();
    let got: Vec<(String, i64, f64, i32)> = rows
        .iter()
        .map(|r| (r.get("grp"), r.get("n"), r.get("s"), r.get("m")))
        .collect();
    // g1: 1, 4, …, 100 (34 rows, sum of ids 1717); only that group has more than 33 rows.
    assert_eq!(got, [("g1".to_owned(), 34, 858.5, 100)]);
    assert_eq!(rows[0].get::<f64, _>("a"), 858.5 / 34.0);
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// `_id`, `_version`, `_seq_no` and `_primary_term` of a row, read through sea-cratedb's
/// system-column expressions; an update raises `_version` and `_seq_no`.
pub(super) async fn system_columns_are_readable(target: &Target) {
    let pool = target.pool().await;
    let t = unique("syscols");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id TEXT PRIMARY KEY, n INT)"),
    )
    .await;
    exec(&pool, &format!("INSERT INTO {t} (id, n) VALUES ('k', 1)")).await;
    let stmt = Query::select()
        .expr_as(id(), Alias::new("i"))
        .expr_as(version(), Alias::new("v"))
        .expr_as(seq_no(), Alias::new("s"))
        .expr_as(primary_term(), Alias::new("p"))
        .from(Alias::new(&t))
        .and_where(Expr::col("id").eq("k"))
        .to_owned();
    let read = || async {
        let row = sqlx_cratedb::sea_query::statement(&stmt)
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", stmt.to_string(CrateDbQueryBuilder)));
        (
            row.get::<String, _>("i"),
            row.get::<i64, _>("v"),
            row.get::<i64, _>("s"),
            row.get::<i64, _>("p"),
        )
    };
    let (row_id, v1, s1, p1) = read().await;
    assert_eq!(row_id, "k");
    assert!(v1 >= 1 && p1 >= 1, "{v1} {p1}");
    exec(&pool, &format!("UPDATE {t} SET n = 2 WHERE id = 'k'")).await;
    let (_, v2, s2, p2) = read().await;
    assert_eq!((v2, p2), (v1 + 1, p1));
    assert!(s2 > s1, "{s1} -> {s2}");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}
