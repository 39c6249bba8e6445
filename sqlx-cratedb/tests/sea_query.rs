//! Building with sea-cratedb and executing with sqlx-cratedb in one call, against the
//! in-process `/_sql` peer.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Reply, peer, pool, result_set, row_count};
use sea_cratedb::sea_query::{Alias, ColumnDef, Expr, ExprTrait, Query, Table};
use serde_json::json;

#[tokio::test]
async fn sea_cratedb_statements_run_in_one_call() {
    let peer = peer(|rec| {
        if rec.stmt().starts_with("SELECT") {
            Reply::Json(
                200,
                result_set(&["id", "name"], json!([9, 4]), json!([[1, "a"]])),
            )
        } else {
            Reply::Json(200, row_count(1))
        }
    })
    .await;
    let pool = pool(&peer.url()).await;

    let create = Table::create()
        .table(Alias::new("metrics"))
        .if_not_exists()
        .col(
            ColumnDef::new(Alias::new("id"))
                .integer()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(Alias::new("name")).text())
        .to_owned();
    sqlx_cratedb::sea_query::schema_statement(&create)
        .execute(&pool)
        .await
        .unwrap();

    let insert = Query::insert()
        .into_table(Alias::new("metrics"))
        .columns([Alias::new("id"), Alias::new("name")])
        .values_panic([1.into(), "a".into()])
        .to_owned();
    let done = sqlx_cratedb::sea_query::statement(&insert)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);

    let select = Query::select()
        .columns([Alias::new("id"), Alias::new("name")])
        .from(Alias::new("metrics"))
        .and_where(Expr::col(Alias::new("id")).gt(0))
        .to_owned();
    let rows: Vec<(i32, String)> = sqlx_cratedb::sea_query::query_as_statement(&select)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(rows, [(1, "a".to_owned())]);

    let sent = peer.requests();
    let create_sql = sent
        .iter()
        .find(|r| r.stmt().starts_with("CREATE"))
        .unwrap();
    assert!(
        create_sql.stmt().contains("\"metrics\""),
        "{}",
        create_sql.stmt()
    );
    let ins = sent
        .iter()
        .find(|r| r.stmt().starts_with("INSERT"))
        .unwrap();
    assert!(ins.stmt().contains("$1"), "{}", ins.stmt());
    assert_eq!(ins.args(), &json!([1, "a"]));
    let sel = sent
        .iter()
        .find(|r| r.stmt().starts_with("SELECT \"id\""))
        .unwrap();
    assert_eq!(sel.args(), &json!([0]));
}

#[tokio::test]
async fn unencodable_sea_values_fail_before_sending() {
    let peer = peer(|_| Reply::Json(200, row_count(1))).await;
    let pool = pool(&peer.url()).await;
    let insert = Query::insert()
        .into_table(Alias::new("t"))
        .columns([Alias::new("n")])
        .values_panic([u64::MAX.into()])
        .to_owned();
    let err = sqlx_cratedb::sea_query::statement(&insert)
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(matches!(err, sqlx::Error::Encode(_)), "{err:?}");
    assert!(
        peer.requests()
            .iter()
            .all(|r| !r.stmt().starts_with("INSERT"))
    );
}
