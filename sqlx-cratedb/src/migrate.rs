//! `MigrateDatabase` for CrateDB, where a URL's "database" is its default schema.
//!
//! CrateDB creates schemas implicitly with their first table, so `create_database` only checks
//! that the cluster answers; `database_exists` asks `information_schema.schemata`;
//! `drop_database` drops every table and view in the schema (system schemas are refused).
//! Running migrations (`sqlx::migrate::Migrate`) is not implemented yet.

use sqlx_core::connection::Connection;
use sqlx_core::error::Error;
use sqlx_core::migrate::MigrateDatabase;
use sqlx_core::sql_str::AssertSqlSafe;

use crate::{CrateDb, CrateDbConnectOptions, CrateDbConnection};

/// Schemas that belong to CrateDB itself.
const SYSTEM_SCHEMAS: &[&str] = &["sys", "information_schema", "pg_catalog", "blob"];

fn schema_of(url: &str) -> Result<(CrateDbConnectOptions, String), Error> {
    let opts: CrateDbConnectOptions = url.parse()?;
    let schema = opts.schema.clone().unwrap_or_else(|| "doc".to_owned());
    Ok((opts, schema))
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

impl MigrateDatabase for CrateDb {
    async fn create_database(url: &str) -> Result<(), Error> {
        let (opts, _) = schema_of(url)?;
        // Schemas are created with their first table; connecting checks the cluster answers.
        CrateDbConnection::connect_with(&opts).await?.close().await
    }

    async fn database_exists(url: &str) -> Result<bool, Error> {
        let (opts, schema) = schema_of(url)?;
        let mut conn = CrateDbConnection::connect_with(&opts).await?;
        let n: i64 = sqlx_core::query_scalar::query_scalar(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1",
        )
        .bind(schema)
        .fetch_one(&mut conn)
        .await?;
        Ok(n > 0)
    }

    async fn drop_database(url: &str) -> Result<(), Error> {
        let (opts, schema) = schema_of(url)?;
        if SYSTEM_SCHEMAS.contains(&schema.as_str()) {
            return Err(Error::Configuration(
                format!("refusing to drop CrateDB system schema `{schema}`").into(),
            ));
        }
        let mut conn = CrateDbConnection::connect_with(&opts).await?;
        let tables: Vec<(String, String)> = sqlx_core::query_as::query_as(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $1",
        )
        .bind(&schema)
        .fetch_all(&mut conn)
        .await?;
        for (name, kind) in tables {
            let what = if kind == "VIEW" { "VIEW" } else { "TABLE" };
            let sql = format!("DROP {what} IF EXISTS {}.{}", quote(&schema), quote(&name));
            sqlx_core::query::query(AssertSqlSafe(sql))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await
    }
}
