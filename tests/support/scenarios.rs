//! One scenario list, two transports: the end-to-end scenarios of `sqlx-cratedb`, written once
//! and run by every server-backed runner.
//!
//! A scenario is a `pub async fn` taking a [`Target`]: the server (CrateDB or PostgreSQL), the
//! transport (HTTP `/_sql` or pgwire) and the connect options. Where the two servers need
//! different SQL (DDL types, CrateDB's `REFRESH TABLE`, the error code a transport reports) the
//! scenario asks the [`Target`]; the Rust side (binds, `row.get::<T, _>`, asserts) is the same
//! everywhere. [`SCENARIOS`] lists them all; [`run`] runs a list and reports every failure.
//!
//! | Runner | Server | Transport |
//! |---|---|---|
//! | `tests/live.rs`, `CRATEDB_URL` | CrateDB | HTTP |
//! | `tests/live.rs`, `CRATEDB_PG_URL` | CrateDB | pgwire |
//! | `tests/scenarios_pg.rs` | throwaway PostgreSQL ([`crate::pg::PgServer`]) | pgwire |
//!
//! Every scenario of [`SCENARIOS`] but one runs against PostgreSQL: optimistic concurrency
//! control needs CrateDB's `_seq_no` / `_primary_term`. Such a scenario sets
//! [`Scenario::cratedb_only`] to the reason; [`run`] then reports it as not run on PostgreSQL
//! (never a silent skip), and `tests/scenarios_pg.rs` pins that list.

// Scenario code is test code: it asserts and unwraps (a failed scenario is a panic).
#![allow(clippy::unwrap_used, clippy::panic, clippy::missing_panics_doc)]

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use sqlx::{AssertSqlSafe, Connection as _};
use sqlx_cratedb::{
    CrateDbConnectOptions, CrateDbConnection, CrateDbPool, CrateDbPoolOptions, CrateDbProtocol,
};

mod cases;
pub mod live;
mod models;

pub use cases::{
    bulk_reports_the_failed_row_and_unique_violation_maps,
    default_schema_and_failover_from_a_dead_host, missing_table_error,
    query_as_into_from_row_struct, rows_affected_of_update_and_delete, streaming_many_rows,
    types_round_trip,
};
pub use models::{
    Reading, model_statements_round_trip_through_from_row, optimistic_concurrency_control,
};

/// The server a [`Target`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// A real CrateDB.
    CrateDb,
    /// A PostgreSQL standing in for CrateDB as the pgwire peer.
    PostgreSql,
}

/// The transport of `sqlx-cratedb` a [`Target`] uses (from the URL's scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `POST /_sql` (`crate://`, `http(s)://`).
    Http,
    /// The PostgreSQL wire protocol (`postgres://`, `crate+pg://`).
    PgWire,
}

/// Where the scenarios run: server, transport and connect options.
#[derive(Debug, Clone)]
pub struct Target {
    server: Server,
    options: CrateDbConnectOptions,
    /// The same CrateDB's HTTP endpoint, for what only HTTP reaches (blob tables).
    http: Option<CrateDbConnectOptions>,
}

impl Target {
    /// A real CrateDB, over the transport the options name.
    pub fn cratedb(options: CrateDbConnectOptions) -> Self {
        let http = (options.get_protocol() != CrateDbProtocol::PgWire).then(|| options.clone());
        Self {
            server: Server::CrateDb,
            options,
            http,
        }
    }

    /// The same server's HTTP endpoint (for a pgwire target; an HTTP target has its own).
    #[must_use]
    pub fn with_http(mut self, http: CrateDbConnectOptions) -> Self {
        self.http = Some(http);
        self
    }

    /// The server's HTTP endpoint, when known.
    pub fn http_options(&self) -> Option<&CrateDbConnectOptions> {
        self.http.as_ref()
    }

    /// A PostgreSQL server; PostgreSQL only speaks pgwire.
    ///
    /// # Panics
    /// When the options name the HTTP transport.
    pub fn postgresql(options: CrateDbConnectOptions) -> Self {
        assert_eq!(
            options.get_protocol(),
            CrateDbProtocol::PgWire,
            "PostgreSQL is reached over pgwire only"
        );
        Self {
            server: Server::PostgreSql,
            options,
            http: None,
        }
    }

    /// The server.
    pub fn server(&self) -> Server {
        self.server
    }

    /// The transport, from the options' protocol.
    pub fn transport(&self) -> Transport {
        match self.options.get_protocol() {
            CrateDbProtocol::PgWire => Transport::PgWire,
            _ => Transport::Http,
        }
    }

    /// The connect options.
    pub fn options(&self) -> &CrateDbConnectOptions {
        &self.options
    }

    /// E.g. `CrateDB over HTTP`.
    pub fn label(&self) -> &'static str {
        match (self.server, self.transport()) {
            (Server::CrateDb, Transport::Http) => "CrateDB over HTTP",
            (Server::CrateDb, Transport::PgWire) => "CrateDB over pgwire",
            (Server::PostgreSql, _) => "PostgreSQL over pgwire",
        }
    }

    /// A pool of at most two connections with [`Target::options`].
    pub async fn pool(&self) -> CrateDbPool {
        pool(self.options.clone(), 2).await
    }

    /// The DDL spelling for this server.
    fn sql<'a>(&self, cratedb: &'a str, postgresql: &'a str) -> &'a str {
        match self.server {
            Server::CrateDb => cratedb,
            Server::PostgreSql => postgresql,
        }
    }

    /// Makes written rows visible to reads: CrateDB needs `REFRESH TABLE` (reads other than by
    /// primary key see the last refresh); PostgreSQL sees committed rows at once.
    async fn refresh(&self, pool: &CrateDbPool, table: &str) {
        if self.server == Server::CrateDb {
            exec(pool, &format!("REFRESH TABLE {table}")).await;
        }
    }

    /// Options for a bulk call whose failed row must not take others with it. CrateDB reports
    /// each row of one request on its own. PostgreSQL runs a pgwire batch (up to its `Sync`)
    /// as one transaction, so a failed row rolls back its batch: one row per batch there.
    fn bulk_options(&self) -> CrateDbConnectOptions {
        match self.server {
            Server::CrateDb => self.options.clone(),
            Server::PostgreSql => self.options.clone().bulk_rows(1),
        }
    }

    /// The requests [`Target::bulk_options`] makes for `rows` rows (below the default limits).
    fn bulk_requests(&self, rows: usize) -> usize {
        match self.server {
            Server::CrateDb => 1,
            Server::PostgreSql => rows,
        }
    }

    /// The code of an unknown-table error: CrateDB's numeric code over HTTP, the SQLSTATE over
    /// pgwire (CrateDB and PostgreSQL both send `42P01`).
    fn missing_table_code(&self) -> &'static str {
        match self.transport() {
            Transport::Http => "4041",
            Transport::PgWire => "42P01",
        }
    }

    /// Makes `schema` exist and be the default of sessions whose `schema` option names it.
    ///
    /// CrateDB: nothing to do (the schema comes with its first table; the option is sent as
    /// `Default-Schema` over HTTP and as the `database` startup parameter over pgwire).
    /// PostgreSQL reads that startup parameter as the *database*: create a database of that
    /// name whose sessions default to `search_path = <schema>`, and the schema inside it.
    async fn prepare_schema(&self, schema: &str) {
        if self.server == Server::PostgreSql {
            let mut admin = CrateDbConnection::connect_with(&self.options)
                .await
                .unwrap();
            for sql in [
                format!("CREATE DATABASE \"{schema}\""),
                format!("ALTER DATABASE \"{schema}\" SET search_path = \"{schema}\""),
            ] {
                sqlx::query(AssertSqlSafe(sql))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
            let opts = self.options.clone().schema(schema);
            let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
            sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            admin.close().await.unwrap();
        }
    }

    /// Removes what [`Target::prepare_schema`] created (CrateDB drops an empty schema itself).
    async fn drop_schema(&self, schema: &str) {
        if self.server == Server::PostgreSql {
            let mut admin = CrateDbConnection::connect_with(&self.options)
                .await
                .unwrap();
            sqlx::query(AssertSqlSafe(format!("DROP DATABASE \"{schema}\"")))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    }
}

/// One entry of a scenario list.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// The scenario's name (its function's name).
    pub name: &'static str,
    /// `Some(reason)` when PostgreSQL cannot show this scenario; [`run`] does not run it
    /// against PostgreSQL and reports it with the reason.
    pub cratedb_only: Option<&'static str>,
    /// The scenario.
    pub run: for<'a> fn(&'a Target) -> BoxFuture<'a, ()>,
}

/// Every scenario, in the order the runners run them.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "types_round_trip",
        cratedb_only: None,
        run: |t| Box::pin(types_round_trip(t)),
    },
    Scenario {
        name: "bulk_reports_the_failed_row_and_unique_violation_maps",
        cratedb_only: None,
        run: |t| Box::pin(bulk_reports_the_failed_row_and_unique_violation_maps(t)),
    },
    Scenario {
        name: "missing_table_error",
        cratedb_only: None,
        run: |t| Box::pin(missing_table_error(t)),
    },
    Scenario {
        name: "streaming_many_rows",
        cratedb_only: None,
        run: |t| Box::pin(streaming_many_rows(t)),
    },
    Scenario {
        name: "default_schema_and_failover_from_a_dead_host",
        cratedb_only: None,
        run: |t| Box::pin(default_schema_and_failover_from_a_dead_host(t)),
    },
    Scenario {
        name: "query_as_into_from_row_struct",
        cratedb_only: None,
        run: |t| Box::pin(query_as_into_from_row_struct(t)),
    },
    Scenario {
        name: "rows_affected_of_update_and_delete",
        cratedb_only: None,
        run: |t| Box::pin(rows_affected_of_update_and_delete(t)),
    },
    Scenario {
        name: "model_statements_round_trip_through_from_row",
        cratedb_only: None,
        run: |t| Box::pin(model_statements_round_trip_through_from_row(t)),
    },
    Scenario {
        name: "optimistic_concurrency_control",
        cratedb_only: Some(
            "`_seq_no` and `_primary_term` are CrateDB system columns; PostgreSQL has none",
        ),
        run: |t| Box::pin(optimistic_concurrency_control(t)),
    },
];

/// What [`run`] did.
#[derive(Debug, Default)]
pub struct Report {
    /// Scenarios that ran and passed.
    pub passed: Vec<&'static str>,
    /// Scenarios that ran and panicked, with the panic message.
    pub failed: Vec<(&'static str, String)>,
    /// Scenarios not run on this target, with the reason.
    pub not_run: Vec<(&'static str, &'static str)>,
}

impl Report {
    /// Fails with every failed scenario's name and message.
    ///
    /// # Panics
    /// When a scenario failed.
    pub fn assert_passed(&self) {
        assert!(
            self.failed.is_empty(),
            "{} scenario(s) failed: {:#?}",
            self.failed.len(),
            self.failed
        );
    }
}

/// Runs `scenarios` against `target` one after another; a failing scenario does not stop the
/// others. Prints one line per scenario to stderr.
pub async fn run(target: &Target, scenarios: &[Scenario]) -> Report {
    let mut report = Report::default();
    for scenario in scenarios {
        if let (Server::PostgreSql, Some(reason)) = (target.server, scenario.cratedb_only) {
            eprintln!("not on PostgreSQL: {}: {reason}", scenario.name);
            report.not_run.push((scenario.name, reason));
            continue;
        }
        let outcome = AssertUnwindSafe((scenario.run)(target))
            .catch_unwind()
            .await;
        match outcome {
            Ok(()) => {
                eprintln!("{}: {} passed", target.label(), scenario.name);
                report.passed.push(scenario.name);
            }
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                eprintln!("{}: {} FAILED: {message}", target.label(), scenario.name);
                report.failed.push((scenario.name, message));
            }
        }
    }
    report
}

/// [`run`] over [`SCENARIOS`].
pub async fn run_all(target: &Target) -> Report {
    run(target, SCENARIOS).await
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(non-string panic payload)".to_owned())
}

pub(crate) async fn pool(options: CrateDbConnectOptions, max: u32) -> CrateDbPool {
    CrateDbPoolOptions::new()
        .max_connections(max)
        .connect_with(options)
        .await
        .unwrap()
}

/// A table (or schema) name unique to this process and call.
fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "sqlx_cratedb_{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn exec(pool: &CrateDbPool, sql: &str) -> u64 {
    sqlx::query(AssertSqlSafe(sql.to_owned()))
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows_affected()
}

async fn count(pool: &CrateDbPool, table: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(pool)
        .await
        .unwrap()
}
