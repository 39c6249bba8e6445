//! Live group `ddl`: the SQL of sea-cratedb's schema builders runs on a real CrateDB, and what
//! they create reflects back (`sqlx_cratedb::reflect`) with an empty model diff.
//!
//! The golden tests of sea-cratedb (`sea-cratedb/tests/*.rs`) pin every builder's exact SQL and
//! record it for CrateDB's grammar check; the grammar cannot tell whether the server accepts a
//! parameter or an action. [`every_builder_statement_runs`] builds the same kinds of statements
//! through the same public builders, against tables that exist, in a scratch schema, and runs
//! them in order. Golden fixtures that are escaping tests (made-up parameter or setting names,
//! quotes in names) are not repeated here: CrateDB rightly rejects those names.

mod reflection;
mod statements;

use super::scenario;
use crate::scenarios::Scenario;

use reflection::{
    builder_tables_reflect_with_an_empty_diff, derived_models_reflect_with_an_empty_diff,
};
use statements::every_builder_statement_runs;

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(every_builder_statement_runs),
    scenario!(builder_tables_reflect_with_an_empty_diff),
    scenario!(derived_models_reflect_with_an_empty_diff),
];
