//! CrateDB-only additions to sea-query's statements: column and table options, named fulltext
//! and plain indexes, and CrateDB expressions.

pub(crate) mod column;
pub mod expr;
pub(crate) mod index;
pub(crate) mod table;
