//! Schema migrations on CrateDB with sqlx's `Migrator`: SQL files from `examples/migrations/`
//! plus a migration written in Rust with sea-cratedb statements, run under sqlx-cratedb's
//! migration lock (a lock row, since CrateDB has no advisory locks), with a dirty record left
//! behind if a statement fails.
//!
//! Needs a CrateDB (or, over the PostgreSQL wire protocol, any PostgreSQL for a dry run):
//!
//! ```text
//! docker run -p 4200:4200 crate -Cdiscovery.type=single-node
//! CRATEDB_URL=crate://crate@localhost:4200/doc cargo run -p cratedb-examples --example migrate
//! ```
//!
//! `sqlx::migrate!("./migrations")` works the same way when sqlx's `macros` feature is on.

#![allow(clippy::print_stdout)]

use std::path::Path;

use sea_cratedb::{AlterTable, sea_query::ColumnDef};
use sqlx::migrate::Migrator;
use sqlx_cratedb::{CrateDbPoolOptions, migrate::RustMigration};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = Migrator::new(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    )))
    .await?;
    // A third migration built with sea-cratedb instead of written as SQL.
    let add_body = AlterTable::new("events")
        .add_column(ColumnDef::new("severity").integer())
        .try_to_string()?;
    let in_rust = RustMigration::new(20_261_124_000_003, "add severity").up(add_body);

    let mut migrations: Vec<_> = folder.iter().cloned().collect();
    migrations.extend(in_rust.into_migrations());
    let migrator = Migrator::with_migrations(migrations);
    for migration in migrator.iter() {
        println!("{:>16}  {}", migration.version, migration.description);
    }

    let Ok(url) = std::env::var("CRATEDB_URL") else {
        println!("\n(set CRATEDB_URL to apply them to a CrateDB)");
        return Ok(());
    };
    let pool = CrateDbPoolOptions::new().connect(&url).await?;
    migrator.run(&pool).await?;
    println!("\napplied; running again applies nothing:");
    migrator.run(&pool).await?;
    Ok(())
}
