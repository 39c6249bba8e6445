//! The live ring: the scenario lists against a real CrateDB, over both transports.
//!
//! The CrateDB is chosen by `cratedb_integration::cratedb::LiveCrateDb::from_env`:
//! `CRATEDB_URL` / `CRATEDB_PG_URL` name a running server; otherwise `CRATEDB_HOME` names an
//! installed CrateDB from which the test starts (and afterwards removes) a node of its own.
//! Without any of them the test prints `skipped: no CrateDB …` and passes; with
//! `CRATEDB_REQUIRED=1` it fails, and so does a missing transport URL.
//!
//! One test runs everything, so that a started node serves both transports and is torn down
//! once: the shared [`SCENARIOS`] and every CrateDB-only group of [`LIVE_GROUPS`], over HTTP
//! and over pgwire. It prints one line per scenario and a count per group and transport.
//! `CRATEDB_LIVE_GROUPS=shared,types` runs only the named groups (for work on one group).

#![allow(clippy::unwrap_used, clippy::panic)]

use cratedb_integration::cratedb::{LiveCrateDb, required};
use cratedb_integration::scenarios::live::LIVE_GROUPS;
use cratedb_integration::scenarios::{Report, SCENARIOS, Target, Transport, run};
use sqlx::Connection as _;
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbConnection};

/// A CrateDB target for `url`, checked to use `transport` and to reach CrateDB.
async fn target(url: &str, transport: Transport) -> Target {
    let options: CrateDbConnectOptions = url
        .parse()
        .unwrap_or_else(|e| panic!("{url:?} is not a valid URL: {e}"));
    let target = Target::cratedb(options);
    assert_eq!(
        target.transport(),
        transport,
        "{url} names the wrong transport"
    );
    let conn = CrateDbConnection::connect_with(target.options())
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    assert!(conn.server_is_cratedb(), "{url} does not reach CrateDB");
    conn.close().await.unwrap();
    target
}

/// Whether `group` runs: every group unless `CRATEDB_LIVE_GROUPS` (comma-separated, e.g.
/// `shared,types`) names a subset, for working on one group.
fn selected(group: &str) -> bool {
    std::env::var("CRATEDB_LIVE_GROUPS")
        .ok()
        .filter(|v| !v.is_empty())
        .is_none_or(|list| list.split(',').any(|g| g.trim() == group))
}

/// Runs the shared list and every live group against `target`; one report per group.
async fn run_groups(target: &Target) -> Vec<(&'static str, Report)> {
    let mut reports = Vec::new();
    let groups = std::iter::once(&("shared", SCENARIOS)).chain(LIVE_GROUPS);
    for (group, scenarios) in groups.filter(|(g, _)| selected(g)) {
        reports.push((*group, run(target, scenarios).await));
    }
    reports
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_over_both_transports_against_cratedb() {
    let Some(cratedb) = LiveCrateDb::from_env() else {
        return;
    };
    let mut failures = Vec::new();
    for (url, transport) in [
        (cratedb.http_url(), Transport::Http),
        (cratedb.pg_url(), Transport::PgWire),
    ] {
        let Some(url) = url else {
            assert!(
                !required(),
                "CRATEDB_REQUIRED=1 but no URL for {transport:?}"
            );
            eprintln!("skipped: no CrateDB URL for {transport:?}");
            continue;
        };
        let mut target = target(&url, transport).await;
        if let Some(http) = cratedb.http_url() {
            target = target.with_http(http.parse().unwrap());
        }
        for (group, report) in run_groups(&target).await {
            eprintln!(
                "{}: group {group}: {} passed, {} failed",
                target.label(),
                report.passed.len(),
                report.failed.len()
            );
            assert!(report.not_run.is_empty(), "{:?}", report.not_run);
            failures.extend(
                report
                    .failed
                    .into_iter()
                    .map(|(name, message)| format!("{} {group}/{name}: {message}", target.label())),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} live scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
