//! Identifiers and string literals: the workspace's one quoting function ([`quote_identifier`],
//! from the `cratedb-quote` crate), name validation ([`InvalidName`]), setting names.

use std::fmt::Write;

use crate::{InvalidName, report};

pub use cratedb_quote::quote_identifier;
pub(crate) use cratedb_quote::{write_identifier, write_string_literal};

/// Whether `c` may not appear in a name: control characters (C0, DEL, C1) and the Unicode
/// bidirectional formatting characters, which make a name read differently than it parses.
pub(crate) fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Checks a name: not empty, no forbidden character.
pub(crate) fn validate_name(name: &str) -> Result<(), InvalidName> {
    if name.is_empty() {
        Err(InvalidName::Empty)
    } else if name.chars().any(is_forbidden_char) {
        Err(InvalidName::ControlCharacter(name.to_owned()))
    } else {
        Ok(())
    }
}

/// Writes a name as one quoted identifier, reporting an invalid one to the checked entry point.
pub(crate) fn write_checked_identifier(name: &str, sql: &mut impl Write) {
    if let Err(error) = validate_name(name) {
        report::report(error);
    }
    write_identifier(name, sql);
}

/// CrateDB's reserved words (`pg_get_keywords()` with `catcode = 'R'`, `cratedb-reference.md`
/// §3.7), plus a few keywords quoted for safety: a setting or parameter name that is one of them
/// must be quoted.
const RESERVED: &[&str] = &[
    "add",
    "all",
    "alter",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "between",
    "by",
    "called",
    "case",
    "cast",
    "column",
    "constraint",
    "costs",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "delete",
    "deny",
    "desc",
    "describe",
    "directory",
    "distinct",
    "drop",
    "else",
    "end",
    "escape",
    "except",
    "exists",
    "extract",
    "false",
    "first",
    "for",
    "from",
    "full",
    "function",
    "global",
    "grant",
    "group",
    "having",
    "if",
    "in",
    "index",
    "inner",
    "input",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "last",
    "left",
    "like",
    "limit",
    "match",
    "natural",
    "not",
    "null",
    "nulls",
    "object",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "persistent",
    "recursive",
    "reset",
    "returning",
    "returns",
    "revoke",
    "right",
    "select",
    "session_user",
    "set",
    "some",
    "stratify",
    "table",
    "then",
    "transient",
    "true",
    "try_cast",
    "unbounded",
    "union",
    "update",
    "user",
    "using",
    "when",
    "where",
    "with",
];

/// Whether a setting or parameter name is written bare: a plain lower-case identifier that is
/// not a reserved word (such a name is never invalid).
pub(crate) fn is_plain_setting_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name)
}

/// Writes a setting or parameter name: bare when it is plain ([`is_plain_setting_name`]),
/// double-quoted otherwise. An empty or control-character name is reported.
pub(crate) fn write_setting_name(name: &str, sql: &mut impl Write) {
    if is_plain_setting_name(name) {
        let _ = sql.write_str(name);
    } else {
        write_checked_identifier(name, sql);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_names_quote_reserved_words() {
        let mut sql = String::new();
        write_setting_name("select", &mut sql);
        sql.push(' ');
        write_setting_name("search_path", &mut sql);
        sql.push(' ');
        write_setting_name("stats.enabled", &mut sql);
        assert_eq!(sql, r#""select" search_path "stats.enabled""#);
    }

    #[test]
    fn validation_rejects_empty_control_and_bidi() {
        assert_eq!(validate_name(""), Err(InvalidName::Empty));
        assert!(validate_name("a\u{0}").is_err());
        assert!(validate_name("a\u{7f}").is_err());
        assert!(validate_name("a\u{202e}b").is_err());
        assert!(validate_name("naïve \"x\"").is_ok());
    }
}
