//! Golden SQL for optimistic concurrency control on models: the versioned select, and update /
//! delete guarded by `_seq_no` and `_primary_term` next to the full primary key (CrateDB
//! rejects the guard without it). Every statement is recorded for the grammar check.

#[path = "../../sea-cratedb/tests/common/mod.rs"]
mod common;

use common::assert_sql;
use pretty_assertions::assert_eq;
use sea_cratedb::{CheckedQuery, CrateModel, KeyedModel, RowVersion, sea_query::Value};

#[derive(CrateModel)]
#[cratedb(table = "sensors")]
struct Sensor {
    #[cratedb(primary_key)]
    site: String,
    #[cratedb(primary_key)]
    id: i32,
    reading: f64,
}

fn sensor() -> Sensor {
    Sensor {
        site: "berlin".into(),
        id: 7,
        reading: 21.5,
    }
}

const VERSION: RowVersion = RowVersion {
    seq_no: 4,
    primary_term: 1,
};

#[test]
fn versioned_select_appends_seq_no_and_primary_term() {
    let (sql, values) = Sensor::select_versioned_by_pk(("berlin".to_owned(), 7))
        .try_build()
        .unwrap();
    assert_sql(
        "versioned_select_appends_seq_no_and_primary_term",
        &sql,
        r#"SELECT "site", "id", "reading", "_seq_no", "_primary_term" FROM "sensors" WHERE "site" = $1 AND "id" = $2"#,
    );
    assert_eq!(
        values.0,
        [Value::from("berlin".to_owned()), Value::from(7_i32)]
    );
}

#[test]
fn update_if_version_guards_the_full_key_and_both_version_columns() {
    let (sql, values) = sensor().update_if_version(VERSION).try_build().unwrap();
    assert_sql(
        "update_if_version_guards_the_full_key_and_both_version_columns",
        &sql,
        concat!(
            r#"UPDATE "sensors" SET "reading" = $1 WHERE "site" = $2 AND "id" = $3 "#,
            r#"AND "_seq_no" = $4 AND "_primary_term" = $5"#
        ),
    );
    assert_eq!(
        values.0,
        [
            Value::from(21.5_f64),
            Value::from("berlin".to_owned()),
            Value::from(7_i32),
            Value::from(4_i64),
            Value::from(1_i64)
        ]
    );
}

#[test]
fn delete_if_version_guards_the_full_key_and_both_version_columns() {
    let sql = sensor().delete_if_version(VERSION).try_to_string().unwrap();
    assert_sql(
        "delete_if_version_guards_the_full_key_and_both_version_columns",
        &sql,
        r#"DELETE FROM "sensors" WHERE "site" = 'berlin' AND "id" = 7 AND "_seq_no" = 4 AND "_primary_term" = 1"#,
    );
}
