//! Identifiers and string literals: the one quoting function of the workspace
//! ([`quote_identifier`]), name validation ([`InvalidName`]), and the string literal writer.

use std::fmt::{self, Write};

use crate::check;

/// Quotes `name` as a CrateDB identifier: `"name"`, every `"` inside doubled.
///
/// The result is always exactly one identifier token, whatever `name` contains. Names with
/// control characters are quoted too; the checked entry points reject them
/// ([`InvalidName`]).
///
/// # Examples
///
/// ```
/// use sea_cratedb::quote_identifier;
///
/// assert_eq!(quote_identifier("user"), r#""user""#);
/// assert_eq!(quote_identifier(r#"a"b"#), r#""a""b""#);
/// ```
pub fn quote_identifier(name: &str) -> String {
    let mut sql = String::with_capacity(name.len() + 2);
    write_identifier(name, &mut sql);
    sql
}

/// Writes `name` as a quoted identifier (see [`quote_identifier`]).
pub(crate) fn write_identifier(name: &str, sql: &mut impl Write) {
    // Writing to a String or sea-query's SqlWriter cannot fail.
    let _ = write_doubled(name, '"', sql);
}

/// Writes a standard-conforming string literal: `'…'` with `'` doubled.
///
/// CrateDB treats backslashes in such literals as ordinary characters, so nothing else needs
/// escaping and no input can end the literal early.
pub(crate) fn write_string_literal(value: &str, sql: &mut impl Write) {
    let _ = write_doubled(value, '\'', sql);
}

fn write_doubled(text: &str, quote: char, sql: &mut impl Write) -> fmt::Result {
    sql.write_char(quote)?;
    for part in text.split_inclusive(quote) {
        sql.write_str(part)?;
        if part.ends_with(quote) {
            sql.write_char(quote)?;
        }
    }
    sql.write_char(quote)
}

/// Why a name (identifier, setting or parameter name) was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidName {
    /// The name is empty.
    Empty,
    /// The name contains a control character or a Unicode bidirectional formatting character.
    ControlCharacter(String),
}

impl InvalidName {
    /// The rejected name (empty for [`InvalidName::Empty`]).
    pub fn name(&self) -> &str {
        match self {
            Self::Empty => "",
            Self::ControlCharacter(name) => name,
        }
    }
}

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("a name must not be empty"),
            Self::ControlCharacter(name) => write!(
                f,
                "the name {name:?} contains a control or bidirectional formatting character, \
                 which CrateDB names must not contain"
            ),
        }
    }
}

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
        check::report(error);
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
    fn quote_identifier_doubles_quotes_only() {
        assert_eq!(quote_identifier(""), r#""""#);
        assert_eq!(quote_identifier(r#""""#), r#""""""""#);
        assert_eq!(quote_identifier("a'b\\"), "\"a'b\\\"");
    }

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
