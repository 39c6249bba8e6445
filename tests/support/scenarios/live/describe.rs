//! Live group `describe`: `Executor::describe`, what the `query!` macros of
//! `sqlx-cratedb-macros` ask the server at compile time. Over pgwire the server describes a
//! statement without running it (parameter and result types); over HTTP describe is refused.

use sqlx::{AssertSqlSafe, Either, Executor as _, SqlSafeStr as _};
use sqlx_cratedb::CrateDbTypeInfo as T;

use super::scenario;
use crate::scenarios::{Scenario, Target, Transport, count, exec, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[scenario!(
    describe_reports_parameter_and_column_types_without_running_the_statement
)];

/// Over pgwire: a SELECT's columns and parameter types, an INSERT's parameters (and the
/// INSERT does not run), an uninferable parameter as a count only, a bad statement as the
/// server's error. Over HTTP: a configuration error naming pgwire.
pub(super) async fn describe_reports_parameter_and_column_types_without_running_the_statement(
    target: &Target,
) {
    let pool = target.pool().await;
    let t = unique("describe");
    exec(
        &pool,
        &format!(
            "CREATE TABLE {t} (id INT PRIMARY KEY, name TEXT, tags ARRAY(TEXT), obj OBJECT, \
             ts TIMESTAMP WITH TIME ZONE)"
        ),
    )
    .await;
    let mut conn = pool.acquire().await.unwrap();
    let select = format!("SELECT id, name, tags, obj, ts FROM {t} WHERE id = $1");
    let described = (&mut *conn)
        .describe(AssertSqlSafe(select).into_sql_str())
        .await;
    if target.transport() == Transport::Http {
        let e = described.expect_err("describe over HTTP");
        assert!(e.to_string().contains("pgwire"), "{e}");
        exec(&pool, &format!("DROP TABLE {t}")).await;
        return;
    }
    let d = described.unwrap();
    let columns: Vec<(&str, &T)> = d
        .columns
        .iter()
        .map(|c| (sqlx::Column::name(c), sqlx::Column::type_info(c)))
        .collect();
    assert_eq!(
        columns,
        [
            ("id", &T::Integer),
            ("name", &T::Text),
            ("tags", &T::array_of(T::Text)),
            ("obj", &T::Object),
            ("ts", &T::Timestamptz),
        ]
    );
    assert_eq!(d.nullable, [None; 5], "CrateDB reports no nullability");
    assert_eq!(d.parameters, Some(Either::Left(vec![T::Integer])));

    let insert = format!("INSERT INTO {t} (id, name) VALUES ($1, $2)");
    let d = (&mut *conn)
        .describe(AssertSqlSafe(insert).into_sql_str())
        .await
        .unwrap();
    assert!(d.columns.is_empty(), "an INSERT returns no rows");
    assert_eq!(d.parameters, Some(Either::Left(vec![T::Integer, T::Text])));

    let d = (&mut *conn)
        .describe("SELECT $1".into_sql_str())
        .await
        .unwrap();
    assert_eq!(
        d.parameters,
        Some(Either::Right(1)),
        "an uninferable parameter"
    );

    let e = (&mut *conn)
        .describe(AssertSqlSafe(format!("SELECT nope FROM {t}")).into_sql_str())
        .await
        .expect_err("an unknown column");
    assert!(e.as_database_error().is_some(), "{e}");
    drop(conn);
    exec(&pool, &format!("REFRESH TABLE {t}")).await;
    assert_eq!(count(&pool, &t).await, 0, "describe ran nothing");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}
