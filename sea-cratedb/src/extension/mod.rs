//! CrateDB-only additions to sea-query's statements: column and table options, named fulltext
//! indexes, and CrateDB expressions.

pub(crate) mod column;
pub mod expr;
pub(crate) mod path;
pub(crate) mod table;
