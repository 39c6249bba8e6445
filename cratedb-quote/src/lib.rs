//! CrateDB identifier quoting and string-literal escaping.
//!
//! The whole workspace writes names into SQL through [`quote_identifier`] /
//! [`write_identifier`] and inline text through [`quote_literal`] / [`write_string_literal`]:
//! one rule, one place. The output of each is always exactly one SQL token, whatever the input
//! holds, so a name or a literal can never carry SQL structure.
//!
//! ```
//! use cratedb_quote::{quote_identifier, quote_literal};
//!
//! assert_eq!(quote_identifier(r#"a"b"#), r#""a""b""#);
//! assert_eq!(quote_literal("it's"), "'it''s'");
//! ```

use std::fmt::{self, Write};

/// Quotes `name` as a CrateDB identifier: `"name"`, every `"` inside doubled.
///
/// The result is always exactly one identifier token, whatever `name` contains (control
/// characters included; callers that must reject such names validate first).
pub fn quote_identifier(name: &str) -> String {
    let mut sql = String::with_capacity(name.len() + 2);
    write_identifier(name, &mut sql);
    sql
}

/// Writes `name` as a quoted identifier (see [`quote_identifier`]) to `sql`.
pub fn write_identifier(name: &str, sql: &mut impl Write) {
    // Every writer this is used with (String, sea-query's SqlWriter) is infallible.
    let _ = write_doubled(name, '"', sql);
}

/// Quotes `value` as a standard-conforming string literal: `'value'`, every `'` doubled.
///
/// CrateDB (like PostgreSQL with `standard_conforming_strings`) treats backslashes in such
/// literals as ordinary characters, so nothing else needs escaping and no input can end the
/// literal early.
pub fn quote_literal(value: &str) -> String {
    let mut sql = String::with_capacity(value.len() + 2);
    write_string_literal(value, &mut sql);
    sql
}

/// Writes `value` as a string literal (see [`quote_literal`]) to `sql`.
pub fn write_string_literal(value: &str, sql: &mut impl Write) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_double_quotes_only() {
        assert_eq!(quote_identifier("user"), r#""user""#);
        assert_eq!(quote_identifier(""), r#""""#);
        assert_eq!(quote_identifier(r#"""#), r#""""""#);
        assert_eq!(quote_identifier(r#"a"b""c"#), r#""a""b""""c""#);
        assert_eq!(quote_identifier("it's"), r#""it's""#);
        assert_eq!(quote_identifier(r"back\slash"), r#""back\slash""#);
    }

    #[test]
    fn literals_double_single_quotes_only() {
        assert_eq!(quote_literal(""), "''");
        assert_eq!(quote_literal("'"), "''''");
        assert_eq!(
            quote_literal("x'); DROP TABLE t; --"),
            "'x''); DROP TABLE t; --'"
        );
        assert_eq!(quote_literal(r#"a"b\"#), r#"'a"b\'"#);
    }

    /// Reading the token back (undoubling between the outer quotes) gives the input, and no
    /// lone quote appears inside: the output is one token for any input.
    #[test]
    fn output_is_one_token_that_reads_back_to_the_input() {
        let inputs = [
            "",
            "a",
            "\"",
            "''",
            "a\"b'c",
            "\"\"\"",
            "x\"; DROP TABLE t; --",
            "é\u{202e}",
        ];
        for input in inputs {
            for (quote, written) in [('"', quote_identifier(input)), ('\'', quote_literal(input))] {
                let inner = &written[1..written.len() - 1];
                assert!(written.starts_with(quote) && written.ends_with(quote));
                let pair = format!("{quote}{quote}");
                assert!(!inner.replace(&pair, "").contains(quote), "{written}");
                assert_eq!(inner.replace(&pair, &quote.to_string()), input);
            }
        }
    }
}
