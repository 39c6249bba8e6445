//! How names, subscript paths, string literals and `WITH` values are written: the helpers
//! below `backend/`, `extension/` and `statement/`, which all import them and never each other
//! for writing.

pub(crate) mod index_marker;
pub(crate) mod name;
pub(crate) mod param;
pub(crate) mod path;
