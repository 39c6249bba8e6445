//! A struct can derive both `CrateModel` and `sqlx::FromRow`: the attribute namespaces do not
//! collide, `#[sqlx(rename)]` / `#[sqlx(skip)]` are read as the column name / a skipped field
//! (so one attribute serves both derives), and `#[sqlx(json)]` decodes a nested object column.
//! Decoding rows needs a driver (sqlx-cratedb); here the derives are checked to compile
//! together and the `FromRow` impl to exist for sqlx's own `AnyRow`.

#[path = "../../sea-cratedb/tests/common/mod.rs"]
mod common;

use common::assert_sql;
use pretty_assertions::assert_eq;
use sea_cratedb::{
    CheckedQuery, CheckedSchema, CrateModel, CrateObject, Model, ModelColumn,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};

#[derive(CrateObject, Serialize, Deserialize, Debug, Default)]
struct Profile {
    bio: Option<String>,
}

/// Names: `rename_all`, `rename`, raw identifiers and `#[sqlx(rename)]` read as the column name.
#[allow(clippy::struct_field_names)]
#[derive(CrateModel, sqlx::FromRow, Debug)]
#[cratedb(table = "Users", rename_all = "camelCase")]
#[sqlx(rename_all = "camelCase")]
struct User {
    #[cratedb(primary_key)]
    user_id: String,
    #[cratedb(rename = "display name")]
    #[sqlx(rename = "display name")]
    display_name: String,
    r#type: Option<String>,
    #[sqlx(rename = "mail")]
    email_address: Option<String>,
    #[sqlx(skip)]
    session: Option<String>,
    #[cratedb(object(policy = "strict"))]
    #[sqlx(json)]
    profile: Profile,
}

/// `FromRow` is implemented for any row type whose database decodes the field types.
fn assert_from_row<T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>>() {}

#[test]
fn from_row_is_derived_alongside() {
    assert_from_row::<Simple>();
}

#[derive(CrateModel, sqlx::FromRow)]
#[sqlx(rename_all = "UPPERCASE")]
struct Simple {
    #[cratedb(primary_key)]
    #[sqlx(rename = "Key")]
    key: String,
    value: Option<i64>,
    flag: bool,
}

#[test]
fn simple_model_names_match_from_row() {
    assert_sql(
        "sqlx_simple_create_table",
        &Simple::create_table().try_to_string().unwrap(),
        r#"CREATE TABLE "simple" ( "Key" TEXT NOT NULL, "VALUE" BIGINT, "FLAG" BOOLEAN NOT NULL, PRIMARY KEY ("Key") )"#,
    );
}

#[test]
fn column_names_follow_rename_rules() {
    assert_sql(
        "column_names_follow_rename_rules",
        &User::create_table().try_to_string().unwrap(),
        concat!(
            r#"CREATE TABLE "Users" ( "userId" TEXT NOT NULL, "display name" TEXT NOT NULL, "type" TEXT, "#,
            r#""mail" TEXT, "profile" OBJECT(STRICT) AS ("bio" TEXT) NOT NULL, PRIMARY KEY ("userId") )"#
        ),
    );
    assert_eq!(UserColumn::Type.name(), "type");
    assert_eq!(UserColumn::EmailAddress.name(), "mail");
    let sql = User::select()
        .and_where(Expr::col(UserColumn::DisplayName).like("A%"))
        .try_to_string()
        .unwrap();
    assert_sql(
        "select_with_renamed_columns",
        &sql,
        r#"SELECT "userId", "display name", "type", "mail", "profile" FROM "Users" WHERE "display name" LIKE 'A%'"#,
    );
    let user = User {
        user_id: "u1".into(),
        display_name: "Ann".into(),
        r#type: None,
        email_address: None,
        session: None,
        profile: Profile::default(),
    };
    assert!(user.session.is_none());
    assert_eq!(user.insert().try_build().unwrap().1.0.len(), 5);
}
