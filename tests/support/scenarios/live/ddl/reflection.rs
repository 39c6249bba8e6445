//! Tables created through the builders and through `#[derive(CrateModel)]`, reflected back with
//! `sqlx_cratedb::reflect`: the diff against their own definition is empty.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};
use sea_cratedb::sea_query::{ColumnDef, Expr, ExprTrait as _, Table, TableCreateStatement};
use sea_cratedb::{
    ColumnPolicy, CrateColumnExt as _, CrateDbQueryBuilder, CrateModel, CrateTableExt as _,
    CrateType, Model, Replicas, TableOptions,
};
use sqlx::{AssertSqlSafe, Connection as _};
use sqlx_cratedb::CrateDbConnection;
use sqlx_cratedb::reflect::{self, TableInfo};
use sqlx_cratedb::sea_query::schema_statement;

use super::statements::full_table_statement;
use crate::scenarios::{Reading, Target, unique};

async fn run(conn: &mut CrateDbConnection, sql: &str) {
    sqlx::query(AssertSqlSafe(sql.to_owned()))
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn info(conn: &mut CrateDbConnection, schema: &str, name: &str) -> TableInfo {
    reflect::table_info(conn, schema, name)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{schema}.{name} is not reflected"))
}

/// Creates `create` (the table `schema.name`), reflects it, and asserts an empty diff;
/// `SHOW CREATE TABLE` names every column.
async fn assert_round_trip(
    conn: &mut CrateDbConnection,
    create: &TableCreateStatement,
    (schema, name): (&str, &str),
) {
    run(conn, &create.to_string(CrateDbQueryBuilder)).await;
    let live = info(conn, schema, name).await;
    let diff = reflect::diff_table(create, &live)
        .unwrap_or_else(|e| panic!("{schema}.{name}: {e}\nreflected: {live:#?}"));
    assert!(diff.is_empty(), "{schema}.{name}: {diff:?}");
    let ddl = reflect::show_create_table(&mut *conn, schema, name)
        .await
        .unwrap();
    for column in create.get_columns() {
        let column = column.get_column_name();
        assert!(ddl.contains(&format!("\"{column}\"")), "{column} in {ddl}");
    }
}

/// Asserts that a model diff succeeded and found nothing to change.
fn assert_empty(diff: Result<Vec<sea_cratedb::AlterTable>, reflect::DiffError>, live: &TableInfo) {
    match diff {
        Ok(changes) => assert!(changes.is_empty(), "{changes:?}\nreflected: {live:#?}"),
        Err(e) => panic!("{e}\nreflected: {live:#?}"),
    }
}

/// A table of every column kind the diff compares: scalar types, arrays, a strict object with
/// nested fields, NOT NULL, a composite primary key, a generated partition column, `WITH`.
fn rich_table(schema: &str) -> TableCreateStatement {
    let payload = CrateType::object(ColumnPolicy::Strict)
        .field(ColumnDef::new("level").integer().not_null())
        .field(ColumnDef::new("src").text())
        .field(
            ColumnDef::new("inner").crate_type(
                CrateType::object(ColumnPolicy::Dynamic)
                    .field(ColumnDef::new("x").crate_type(CrateType::array(CrateType::Text))),
            ),
        );
    Table::create()
        .table((schema.to_owned(), "rich"))
        .col(ColumnDef::new("id").text().not_null())
        .col(ColumnDef::new("ts").timestamp_with_time_zone().not_null())
        .col(
            ColumnDef::new("day")
                .timestamp_with_time_zone()
                .not_null()
                .generated(Expr::cust(r#"date_trunc('day', "ts")"#), true),
        )
        .col(ColumnDef::new("n_small").small_integer())
        .col(ColumnDef::new("n_big").big_integer().not_null())
        .col(ColumnDef::new("ratio").double())
        .col(ColumnDef::new("flag").boolean())
        .col(ColumnDef::new("name").string_len(40))
        .col(ColumnDef::new("at").timestamp())
        .col(ColumnDef::new("ip").crate_type(CrateType::Ip))
        .col(ColumnDef::new("loc").crate_type(CrateType::GeoPoint))
        .col(ColumnDef::new("tags").crate_type(CrateType::array(CrateType::Text)))
        .col(
            ColumnDef::new("grid")
                .crate_type(CrateType::array(CrateType::array(CrateType::Integer))),
        )
        .col(ColumnDef::new("emb").crate_type(CrateType::FloatVector(4)))
        .col(ColumnDef::new("doc").crate_type(CrateType::object(ColumnPolicy::Dynamic)))
        .col(ColumnDef::new("payload").crate_type(payload))
        .col(
            ColumnDef::new("score")
                .float()
                .check(Expr::col("score").gte(0)),
        )
        .primary_key(sea_cratedb::sea_query::Index::create().col("id").col("day"))
        .crate_options(
            TableOptions::new()
                .partitioned_by(["day"])
                .clustered_by("id")
                .shards(2)
                .number_of_replicas(Replicas::Fixed(0)),
        )
        .to_owned()
}

/// Builder tables: the rich table above, the golden tests' full table; then a model with one
/// more column diffs to exactly that `ADD COLUMN`, and after running it the diff is empty again.
pub(crate) async fn builder_tables_reflect_with_an_empty_diff(target: &Target) {
    let mut conn = CrateDbConnection::connect_with(target.options())
        .await
        .unwrap();
    let schema = unique("reflect");
    let rich = rich_table(&schema);
    assert_round_trip(&mut conn, &rich, (&schema, "rich")).await;
    assert_round_trip(
        &mut conn,
        &full_table_statement(&schema),
        (&schema, "metrics"),
    )
    .await;

    let mut grown = rich.clone();
    grown.col(ColumnDef::new("added").text());
    let live = info(&mut conn, &schema, "rich").await;
    let diff = reflect::diff_table(&grown, &live).unwrap();
    assert_eq!(diff.len(), 1, "{diff:?}");
    let sql = diff[0].try_to_string().unwrap();
    assert!(sql.ends_with(r#"ADD COLUMN "added" TEXT"#), "{sql}");
    run(&mut conn, &sql).await;
    let live = info(&mut conn, &schema, "rich").await;
    assert_empty(reflect::diff_table(&grown, &live), &live);

    for table in ["rich", "metrics"] {
        run(&mut conn, &format!(r#"DROP TABLE "{schema}"."{table}""#)).await;
    }
    conn.close().await.unwrap();
}

/// A model of many field types (its schema fixed by the derive, so it is dropped first).
#[derive(CrateModel, Debug, Clone)]
#[cratedb(
    table = "sqlx_cratedb_ddl_samples",
    schema = "sqlx_cratedb_ddl_models",
    partitioned_by("day"),
    clustered_by = "id",
    shards = 2,
    replicas = "0-1",
    with(refresh_interval = 1000)
)]
pub(crate) struct Sample {
    #[cratedb(primary_key)]
    id: String,
    #[cratedb(primary_key)]
    day: i64,
    tiny: i8,
    small: i16,
    big: Option<i64>,
    ratio: f32,
    exact: f64,
    flag: bool,
    label: Option<String>,
    #[cratedb(fulltext(analyzer = "english"))]
    body: Option<String>,
    at: DateTime<Utc>,
    local: Option<NaiveDateTime>,
    ip: Option<IpAddr>,
    tags: Vec<String>,
    grid: Option<Vec<Vec<i32>>>,
    doc: Option<serde_json::Value>,
    #[cratedb(generated = "small + 1")]
    #[expect(
        dead_code,
        reason = "a generated column: written by CrateDB, only reflected here"
    )]
    next: i32,
}

/// Models: [`Reading`] (the shared scenarios' model) and [`Sample`] are created from their own
/// `create_table()`, reflected, and `diff_model` finds nothing to change.
pub(crate) async fn derived_models_reflect_with_an_empty_diff(target: &Target) {
    let mut conn = CrateDbConnection::connect_with(target.options())
        .await
        .unwrap();
    let reading = "sqlx_cratedb_scenario_readings";
    run(&mut conn, &format!("DROP TABLE IF EXISTS doc.{reading}")).await;
    schema_statement(&Reading::create_table())
        .execute(&mut conn)
        .await
        .unwrap();
    let live = info(&mut conn, "doc", reading).await;
    assert_empty(reflect::diff_model::<Reading>(&live), &live);
    run(&mut conn, &format!("DROP TABLE doc.{reading}")).await;

    let (schema, table) = ("sqlx_cratedb_ddl_models", "sqlx_cratedb_ddl_samples");
    run(&mut conn, &format!("DROP TABLE IF EXISTS {schema}.{table}")).await;
    schema_statement(&Sample::create_table())
        .execute(&mut conn)
        .await
        .unwrap();
    let live = info(&mut conn, schema, table).await;
    assert_eq!(
        live.table.partitioned_by,
        vec!["day".to_owned()],
        "{live:#?}"
    );
    assert_eq!(
        live.primary_key.as_ref().map(|k| k.columns.clone()),
        Some(vec!["id".to_owned(), "day".to_owned()])
    );
    assert_empty(reflect::diff_model::<Sample>(&live), &live);
    run(&mut conn, &format!("DROP TABLE {schema}.{table}")).await;
    conn.close().await.unwrap();
}
