//! The opt-in refresh after writes (`refresh_after_writes`, sqlalchemy-cratedb's
//! `refresh_after_dml`): which table a write statement targets, so that `REFRESH TABLE` can
//! make its rows visible to the next scan.

use cratedb_quote::write_identifier;

/// `REFRESH TABLE <target>` for a write statement whose target table can be read from its
/// start (`INSERT INTO t`, `UPDATE t`, `DELETE FROM t`, `COPY t FROM`; `t` plain or
/// schema-qualified, quoted or not), or `None` for anything else (reads, DDL, a write behind a
/// `WITH`).
pub(crate) fn refresh_statement(sql: &str) -> Option<String> {
    let mut words = Words { rest: sql };
    let target = match words.keyword()?.as_str() {
        "insert" => words.expect("into").then(|| words.table())?,
        "update" => words.table(),
        "delete" => words.expect("from").then(|| words.table())?,
        "copy" => {
            let table = words.table()?;
            // `COPY t TO …` exports: nothing to refresh.
            words.expect("from").then_some(table)
        }
        _ => None,
    }?;
    Some(format!("REFRESH TABLE {target}"))
}

/// A cursor over the start of a statement.
struct Words<'a> {
    rest: &'a str,
}

impl Words<'_> {
    /// Skips whitespace and comments (`-- …` and `/* … */`).
    fn skip_blank(&mut self) {
        loop {
            let trimmed = self.rest.trim_start();
            if let Some(after) = trimmed.strip_prefix("--") {
                self.rest = after.find('\n').map_or("", |i| &after[i + 1..]);
            } else if let Some(after) = trimmed.strip_prefix("/*") {
                self.rest = after.find("*/").map_or("", |i| &after[i + 2..]);
            } else {
                self.rest = trimmed;
                return;
            }
        }
    }

    /// The next bare word, lowercased.
    fn keyword(&mut self) -> Option<String> {
        self.skip_blank();
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest.len());
        if end == 0 {
            return None;
        }
        let word = self.rest[..end].to_ascii_lowercase();
        self.rest = &self.rest[end..];
        Some(word)
    }

    /// True when the next word is `keyword`.
    fn expect(&mut self, keyword: &str) -> bool {
        self.keyword().is_some_and(|w| w == keyword)
    }

    /// A table name (`t`, `s.t`, `"S"."T"`), written back quoted.
    fn table(&mut self) -> Option<String> {
        let mut sql = String::new();
        loop {
            let part = self.identifier()?;
            write_identifier(&part, &mut sql);
            if let Some(after) = self.rest.strip_prefix('.') {
                self.rest = after;
                sql.push('.');
            } else {
                return Some(sql);
            }
        }
    }

    /// One identifier: quoted (`""` inside is a quote) or bare (folded to lower case, as
    /// CrateDB folds it).
    fn identifier(&mut self) -> Option<String> {
        self.skip_blank();
        if let Some(after) = self.rest.strip_prefix('"') {
            let mut name = String::new();
            let mut chars = after.char_indices();
            while let Some((i, c)) = chars.next() {
                if c != '"' {
                    name.push(c);
                } else if after[i + 1..].starts_with('"') {
                    name.push('"');
                    chars.next();
                } else {
                    self.rest = &after[i + 1..];
                    return Some(name);
                }
            }
            return None;
        }
        let first = self.rest.chars().next()?;
        if !(first.is_alphabetic() || first == '_') {
            return None;
        }
        let end = self
            .rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(self.rest.len());
        let name = self.rest[..end].to_lowercase();
        self.rest = &self.rest[end..];
        Some(name)
    }
}

#[cfg(test)]
mod tests {
    use super::refresh_statement;

    #[test]
    fn the_target_of_each_write_is_refreshed_quoted() {
        let cases = [
            ("INSERT INTO t (a) VALUES (1)", r#"REFRESH TABLE "t""#),
            (
                "insert into Doc.Items values (1)",
                r#"REFRESH TABLE "doc"."items""#,
            ),
            (
                r#"  -- c
                /* x */ INSERT INTO "My ""T"""(a) VALUES ($1)"#,
                r#"REFRESH TABLE "My ""T""""#,
            ),
            ("UPDATE s.t SET a = 1", r#"REFRESH TABLE "s"."t""#),
            ("DELETE FROM t WHERE id = 1", r#"REFRESH TABLE "t""#),
            ("COPY t FROM 'file:///x.json'", r#"REFRESH TABLE "t""#),
        ];
        for (sql, refresh) in cases {
            assert_eq!(refresh_statement(sql).as_deref(), Some(refresh), "{sql}");
        }
    }

    #[test]
    fn reads_ddl_exports_and_unreadable_targets_are_not_refreshed() {
        for sql in [
            "SELECT 1",
            "CREATE TABLE t (a INT)",
            "COPY t TO DIRECTORY '/tmp'",
            "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
            "INSERT t VALUES (1)",
            r#"INSERT INTO "unterminated VALUES (1)"#,
            "DELETE t",
            "",
            "REFRESH TABLE t",
        ] {
            assert_eq!(refresh_statement(sql), None, "{sql}");
        }
    }

    #[test]
    fn a_name_cannot_carry_sql_into_the_refresh() {
        let refresh = refresh_statement(r#"INSERT INTO "t""; DROP TABLE x; --" VALUES (1)"#);
        assert_eq!(
            refresh.as_deref(),
            Some(r#"REFRESH TABLE "t""; DROP TABLE x; --""#)
        );
    }
}
