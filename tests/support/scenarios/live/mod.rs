//! The CrateDB-only scenario groups of the live ring (`tests/live.rs`), run over HTTP and over
//! pgwire against a real CrateDB. Each group is a file with its own `SCENARIOS` list;
//! [`LIVE_GROUPS`] names them in the order the runner runs them.
//!
//! They are CrateDB-only as a whole (system columns, `REFRESH TABLE`, CrateDB types and error
//! codes), so they are not part of the PostgreSQL runner; [`super::SCENARIOS`] is the list both
//! servers share.

use super::Scenario;

mod arrow;
mod arrow_columnar;
mod blobs;
mod bulk;
mod ddl;
mod describe;
mod errors;
mod injection;
mod migrations;
mod queries;
mod streaming;
mod types;
mod visibility;

/// Every live group, by name.
pub const LIVE_GROUPS: &[(&str, &[Scenario])] = &[
    ("types", types::SCENARIOS),
    ("ddl", ddl::SCENARIOS),
    ("queries", queries::SCENARIOS),
    ("bulk", bulk::SCENARIOS),
    ("streaming", streaming::SCENARIOS),
    ("errors", errors::SCENARIOS),
    ("migrations", migrations::SCENARIOS),
    ("visibility", visibility::SCENARIOS),
    ("injection", injection::SCENARIOS),
    ("arrow", arrow::SCENARIOS),
    ("blobs", blobs::SCENARIOS),
    ("describe", describe::SCENARIOS),
];

/// A scenario entry of a group list: `scenario!(name)` for `pub async fn name(&Target)`.
macro_rules! scenario {
    ($name:ident) => {
        $crate::scenarios::Scenario {
            name: stringify!($name),
            cratedb_only: Some("a live CrateDB scenario"),
            run: |t| Box::pin($name(t)),
        }
    };
}
pub(crate) use scenario;
