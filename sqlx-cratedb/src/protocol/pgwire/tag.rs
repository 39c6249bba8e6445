//! `CommandComplete` tags as CrateDB writes them: the first word of the statement, upper-cased,
//! then the row count (`INSERT 0 n` for inserts, a bare word for `BEGIN`). The count may be
//! negative: `-2` = unknown, `-3` = this item of a batch failed.
//! A leading comment gives a tag like `/* 1`, a CTE `WITH 5`.

/// A parsed command tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CommandTag<'a> {
    /// The first word (`INSERT`, `SELECT`, `/*`, …).
    pub(crate) command: &'a str,
    /// The row count, when the tag has one (the last word, possibly negative).
    pub(crate) rows: Option<i64>,
}

/// CrateDB's count for a batch item that failed (`INSERT 0 -3`).
pub(crate) const ROW_FAILED: i64 = -3;
/// CrateDB's count when the row count is unknown.
pub(crate) const ROWS_UNKNOWN: i64 = -2;

/// Parses a tag. Never fails: a tag without a numeric last word has no count.
pub(crate) fn parse(tag: &str) -> CommandTag<'_> {
    let tag = tag.trim();
    let command = tag.split_ascii_whitespace().next().unwrap_or("");
    let rows = match tag.rsplit_once(|c: char| c.is_ascii_whitespace()) {
        Some((_, last)) => last.parse::<i64>().ok(),
        None => None,
    };
    CommandTag { command, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_with_odd_words_and_negative_counts() {
        let cases: &[(&str, &str, Option<i64>)] = &[
            ("INSERT 0 5", "INSERT", Some(5)),
            ("INSERT 0 -3", "INSERT", Some(ROW_FAILED)),
            ("UPDATE -2", "UPDATE", Some(ROWS_UNKNOWN)),
            ("SELECT 12", "SELECT", Some(12)),
            ("WITH 5", "WITH", Some(5)),
            ("/* 1", "/*", Some(1)),
            ("BEGIN", "BEGIN", None),
            ("CREATE TABLE", "CREATE", None),
            ("REFRESH 1", "REFRESH", Some(1)),
            ("", "", None),
            ("DELETE 9223372036854775807", "DELETE", Some(i64::MAX)),
            ("COPY 99999999999999999999", "COPY", None),
        ];
        for (tag, command, rows) in cases {
            let parsed = parse(tag);
            assert_eq!(parsed.command, *command, "{tag}");
            assert_eq!(parsed.rows, *rows, "{tag}");
        }
    }
}
