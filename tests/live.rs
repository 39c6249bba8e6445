//! The scenario list (`cratedb_integration::scenarios`) against a real CrateDB, over both
//! transports.
//!
//! - `CRATEDB_URL` (e.g. `crate://crate@localhost:4200`): every scenario over HTTP.
//! - `CRATEDB_PG_URL` (e.g. `postgres://crate@localhost:5432/doc`): every scenario over pgwire.
//!
//! A server: `docker run -p 4200:4200 -p 5432:5432 crate -Cdiscovery.type=single-node`.
//! Without a variable its test prints `skipped: … not set` and passes; with
//! `CRATEDB_REQUIRED=1` a missing variable fails instead.

#![allow(clippy::unwrap_used, clippy::panic)]

use cratedb_integration::scenarios::{Target, Transport, run_all};
use sqlx::Connection as _;
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbConnection};

/// The URL in `var`, or `None` after printing why the test skips.
fn url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CRATEDB_REQUIRED").as_deref() != Ok("1"),
                "CRATEDB_REQUIRED=1 but {var} is not set"
            );
            eprintln!("skipped: {var} not set");
            None
        }
    }
}

/// A CrateDB target for the URL in `var`, checked to use `transport` and to reach CrateDB.
async fn target(var: &str, transport: Transport) -> Option<Target> {
    let options: CrateDbConnectOptions = url(var)?
        .parse()
        .unwrap_or_else(|e| panic!("{var} is not a valid URL: {e}"));
    let target = Target::cratedb(options);
    assert_eq!(
        target.transport(),
        transport,
        "{var} names the wrong transport"
    );
    let conn = CrateDbConnection::connect_with(target.options())
        .await
        .unwrap();
    assert!(conn.server_is_cratedb(), "{var} does not reach CrateDB");
    conn.close().await.unwrap();
    Some(target)
}

#[tokio::test]
async fn every_scenario_over_http_against_cratedb() {
    let Some(target) = target("CRATEDB_URL", Transport::Http).await else {
        return;
    };
    let report = run_all(&target).await;
    report.assert_passed();
    assert!(report.not_run.is_empty(), "{:?}", report.not_run);
}

#[tokio::test]
async fn every_scenario_over_pgwire_against_cratedb() {
    let Some(target) = target("CRATEDB_PG_URL", Transport::PgWire).await else {
        return;
    };
    let report = run_all(&target).await;
    report.assert_passed();
    assert!(report.not_run.is_empty(), "{:?}", report.not_run);
}
