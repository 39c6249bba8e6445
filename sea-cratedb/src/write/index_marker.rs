//! The custom column types by which a named index travels through sea-query's `ColumnDef` from
//! the extension that makes it to the backend that writes it.

/// The custom column type that marks a [`FulltextIndex`](crate::FulltextIndex) inside `CREATE TABLE`'s column list.
pub(crate) const FULLTEXT_INDEX_MARKER: &str = "INDEX USING FULLTEXT";
/// The custom column type that marks a [`PlainIndex`](crate::PlainIndex) inside `CREATE TABLE`'s column list.
pub(crate) const PLAIN_INDEX_MARKER: &str = "INDEX USING PLAIN";

/// The index method (`FULLTEXT` / `PLAIN`) when `custom_type` marks a named index.
pub(crate) fn named_index_method(custom_type: &str) -> Option<&'static str> {
    match custom_type {
        FULLTEXT_INDEX_MARKER => Some("FULLTEXT"),
        PLAIN_INDEX_MARKER => Some("PLAIN"),
        _ => None,
    }
}
