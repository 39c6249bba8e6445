//! A CrateDB table declared on a Rust struct with `#[derive(CrateModel)]`: CREATE TABLE, upsert,
//! select into the same struct with `sqlx::FromRow`, a tracked update of one object sub-field,
//! and delete by primary key.
//!
//! Without a server it prints the SQL; with a CrateDB it runs it:
//!
//! ```text
//! cargo run -p cratedb-examples --example models
//! docker run -p 4200:4200 crate -Cdiscovery.type=single-node
//! CRATEDB_URL=crate://crate@localhost:4200/doc cargo run -p cratedb-examples --example models
//! ```

#![allow(clippy::print_stdout)]

use sea_cratedb::{
    CheckedQuery, CheckedSchema, CrateModel, CrateObject, KeyedModel, Model,
    sea_query::{Expr, ExprTrait, Order},
};
use serde::{Deserialize, Serialize};
use sqlx_cratedb::CrateDbPoolOptions;

/// The `OBJECT(STRICT)` sub-columns of `Device::meta`.
#[derive(CrateObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Meta {
    firmware: String,
    #[cratedb(default = "0")]
    reboots: i32,
}

/// One row of `doc.devices`.
#[derive(CrateModel, sqlx::FromRow, Clone, Debug, PartialEq)]
#[cratedb(table = "devices", schema = "doc", shards = 3, replicas = "0-1")]
struct Device {
    #[cratedb(primary_key)]
    id: String,
    #[cratedb(fulltext(analyzer = "english"))]
    name: String,
    #[cratedb(index_off)]
    notes: Option<String>,
    #[cratedb(object(policy = "strict"))]
    #[sqlx(json)]
    meta: Meta,
}

fn device(id: &str, name: &str, firmware: &str) -> Device {
    Device {
        id: id.to_owned(),
        name: name.to_owned(),
        notes: None,
        meta: Meta {
            firmware: firmware.to_owned(),
            reboots: 0,
        },
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let create = Device::create_table().if_not_exists().try_to_string()?;
    let sensor = device("d1", "roof sensor", "1.0.0");
    let upsert = sensor.upsert().try_build()?;
    let mut updated = sensor.clone();
    "1.1.0".clone_into(&mut updated.meta.firmware);
    // Only the changed leaf is written: SET "meta"['firmware'] = $1.
    let tracked = updated
        .update_changed(&sensor)
        .map(|stmt| stmt.try_build())
        .transpose()?;
    let select = Device::select()
        .and_where(Expr::col(DeviceColumn::Name).like("%sensor%"))
        .order_by(DeviceColumn::Id, Order::Asc)
        .to_owned();
    let delete = Device::delete_by_pk("d1".to_owned()).try_build()?;

    let Ok(url) = std::env::var("CRATEDB_URL") else {
        println!("{create};\n{};\n{};", upsert.0, select.try_build()?.0);
        if let Some((sql, _)) = &tracked {
            println!("{sql};");
        }
        println!("{};", delete.0);
        println!("\n(set CRATEDB_URL to run these against a CrateDB)");
        return Ok(());
    };

    let pool = CrateDbPoolOptions::new().connect(&url).await?;
    sqlx::query(sqlx::AssertSqlSafe(create))
        .execute(&pool)
        .await?;
    sqlx_cratedb::sea_query::query(upsert.0, upsert.1)
        .execute(&pool)
        .await?;
    if let Some((sql, values)) = tracked {
        sqlx_cratedb::sea_query::query(sql, values)
            .execute(&pool)
            .await?;
    }
    sqlx::query("REFRESH TABLE doc.devices")
        .execute(&pool)
        .await?;
    let devices: Vec<Device> = sqlx_cratedb::sea_query::query_as_statement(&select)
        .fetch_all(&pool)
        .await?;
    println!("{devices:#?}");
    sqlx_cratedb::sea_query::query(delete.0, delete.1)
        .execute(&pool)
        .await?;
    Ok(())
}
