//! The scenario list (`cratedb_integration::scenarios`) over the pgwire transport against a
//! throwaway PostgreSQL (`cratedb_integration::pg`): every scenario PostgreSQL can show, with
//! PostgreSQL's DDL where CrateDB's differs.
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(clippy::unwrap_used, clippy::panic)]

use cratedb_integration::pg::{PgServer, PgServerConfig};
use cratedb_integration::scenarios::{SCENARIOS, Scenario, Server, Target, run, run_all};

fn target(server: &PgServer) -> Target {
    Target::postgresql(server.crate_url().parse().unwrap())
}

#[tokio::test]
async fn every_scenario_runs_over_pgwire_against_postgresql() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let target = target(&server);
    assert_eq!(target.server(), Server::PostgreSql);
    let report = run_all(&target).await;
    report.assert_passed();
    // The CrateDB-only scenarios, each with its reason: a new one must be named here.
    let not_run: Vec<&str> = report.not_run.iter().map(|(name, _)| *name).collect();
    assert_eq!(not_run, ["optimistic_concurrency_control"]);
    let all: Vec<&str> = SCENARIOS
        .iter()
        .map(|s| s.name)
        .filter(|name| !not_run.contains(name))
        .collect();
    assert_eq!(report.passed, all);
}

/// The runner itself: a failing scenario is reported (the others still run), and a
/// CrateDB-only one is listed with its reason and not run against PostgreSQL.
#[tokio::test]
async fn the_runner_reports_failures_and_cratedb_only_scenarios() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let target = target(&server);
    let wrong_answer = Scenario {
        name: "wrong_answer",
        cratedb_only: None,
        run: |t| {
            Box::pin(async move {
                let n: i32 = sqlx::query_scalar("SELECT 41 + 1")
                    .fetch_one(&t.pool().await)
                    .await
                    .unwrap();
                assert_eq!(n, 41, "the server answered");
            })
        },
    };
    let cratedb_only = Scenario {
        name: "cratedb_only",
        cratedb_only: Some("needs CrateDB"),
        run: |_| Box::pin(async { panic!("a CrateDB-only scenario ran against PostgreSQL") }),
    };
    let report = run(&target, &[wrong_answer, cratedb_only, SCENARIOS[2]]).await;
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, "wrong_answer");
    assert!(
        report.failed[0].1.contains("the server answered"),
        "{}",
        report.failed[0].1
    );
    assert_eq!(report.not_run, [("cratedb_only", "needs CrateDB")]);
    assert_eq!(report.passed, [SCENARIOS[2].name]);
}
