//! Object sub-columns in the model diff: the fields of a model's `OBJECT(…) AS (…)` type
//! compared with the live table's sub-columns (`payload['level']`).

use sea_cratedb::expr::path;
use sea_cratedb::sea_query::{Alias, ColumnDef};

use super::change::UnsupportedChange;
use super::{DataType, TableInfo};

/// The fields an `OBJECT(policy) AS ("name" type, …)` type declares: each name and its type's
/// SQL. `None` for any other type (also `OBJECT` without `AS`, whose keys are dynamic).
pub(super) fn object_fields(type_sql: &str) -> Option<Vec<(String, String)>> {
    let rest = type_sql.trim().strip_prefix("OBJECT")?.trim_start();
    // Skip the column policy, `(DYNAMIC)` / `(STRICT)` / `(IGNORED)`, if any.
    let rest = match rest.strip_prefix('(') {
        Some(policy) => &policy[policy.find(')')? + 1..],
        None => rest,
    };
    let list = rest.trim_start().strip_prefix("AS")?.trim_start();
    let inner = list.strip_prefix('(')?.strip_suffix(')')?;
    split_top_level(inner)
        .into_iter()
        .map(|field| {
            let (name, ty) = quoted_name(field.trim())?;
            Some((name, ty.trim().to_owned()))
        })
        .collect()
}

/// Splits at commas outside parentheses and double-quoted identifiers.
fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    for (i, c) in list.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !list[start..].trim().is_empty() {
        parts.push(&list[start..]);
    }
    parts
}

/// A leading `"identifier"` (`""` is a quote inside it) and the text after it.
fn quoted_name(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut name = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            if chars.peek().is_some_and(|&(_, next)| next == '"') {
                chars.next();
                name.push('"');
            } else {
                return Some((name, &body[i + 1..]));
            }
        } else {
            name.push(c);
        }
    }
    None
}

/// The type of a field definition without its constraints: `INTEGER NOT NULL` → `INTEGER`
/// (an `OBJECT … AS (…)` keeps its field list, which is part of the type).
fn type_part(field_sql: &str) -> &str {
    const CONSTRAINTS: [&str; 9] = [
        " NOT NULL",
        " NULL",
        " DEFAULT",
        " GENERATED",
        " CHECK",
        " INDEX",
        " STORAGE",
        " PRIMARY KEY",
        " CONSTRAINT",
    ];
    let (mut depth, mut quoted) = (0usize, false);
    for (i, c) in field_sql.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ' ' if !quoted && depth == 0 => {
                let rest = &field_sql[i..];
                if CONSTRAINTS.iter().any(|k| rest.starts_with(k)) {
                    return field_sql[..i].trim_end();
                }
            }
            _ => {}
        }
    }
    field_sql.trim_end()
}

/// `payload['source']['url']`, as `information_schema` names a sub-column.
fn display(path: &[String]) -> String {
    let mut out = path[0].clone();
    for segment in &path[1..] {
        out.push('[');
        cratedb_quote::write_string_literal(segment, &mut out);
        out.push(']');
    }
    out
}

/// Compares the fields of the model's object column at `column` (type `type_sql`) with the
/// live sub-columns: a missing field becomes an `ADD COLUMN "col"['field'] type` (a whole
/// sub-object at once), a field of another type an [`UnsupportedChange::TypeChange`]. Live
/// sub-columns the model lacks are left alone (dynamic objects gain keys from data).
pub(super) fn diff_object(
    column: &[String],
    type_sql: &str,
    live: &TableInfo,
    add: &mut Vec<ColumnDef>,
    changes: &mut Vec<UnsupportedChange>,
) {
    let Some(fields) = object_fields(type_sql) else {
        return;
    };
    for (name, field_type) in fields {
        let mut field_path = column.to_vec();
        field_path.push(name);
        match live.columns.iter().find(|c| c.path == field_path) {
            Some(existing) => {
                let model = DataType::parse(type_part(&field_type), None);
                if existing.data_type == model {
                    diff_object(&field_path, type_part(&field_type), live, add, changes);
                } else {
                    changes.push(UnsupportedChange::TypeChange {
                        column: display(&field_path),
                        live: existing.data_type.clone(),
                        model,
                    });
                }
            }
            None => add.push(
                ColumnDef::new(path(
                    &field_path[0],
                    field_path[1..].iter().map(String::as_str),
                ))
                .custom(Alias::new(field_type))
                .to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_fields_reads_the_declared_fields_with_their_types() {
        let sql = r#"OBJECT(STRICT) AS ("level" INTEGER, "a ""b"", c" VARCHAR(10), "src" OBJECT(DYNAMIC) AS ("url" TEXT, "n" ARRAY(BIGINT)))"#;
        assert_eq!(
            object_fields(sql).unwrap(),
            [
                ("level".to_owned(), "INTEGER".to_owned()),
                ("a \"b\", c".to_owned(), "VARCHAR(10)".to_owned()),
                (
                    "src".to_owned(),
                    r#"OBJECT(DYNAMIC) AS ("url" TEXT, "n" ARRAY(BIGINT))"#.to_owned()
                ),
            ]
        );
        assert_eq!(
            object_fields(r#"OBJECT AS ("x" TEXT)"#).unwrap(),
            [("x".to_owned(), "TEXT".to_owned())]
        );
        assert_eq!(object_fields("OBJECT(DYNAMIC)"), None);
        assert_eq!(object_fields("TEXT"), None);
        assert_eq!(object_fields("OBJECT AS (x TEXT)"), None);
    }

    #[test]
    fn constraints_are_not_part_of_the_compared_type() {
        assert_eq!(type_part("INTEGER NOT NULL"), "INTEGER");
        assert_eq!(
            type_part("DOUBLE PRECISION DEFAULT 1.0"),
            "DOUBLE PRECISION"
        );
        assert_eq!(
            type_part("TIMESTAMP WITH TIME ZONE"),
            "TIMESTAMP WITH TIME ZONE"
        );
        assert_eq!(
            type_part(r#"OBJECT(DYNAMIC) AS ("src" TEXT NOT NULL) NOT NULL"#),
            r#"OBJECT(DYNAMIC) AS ("src" TEXT NOT NULL)"#
        );
        assert_eq!(type_part("TEXT INDEX USING FULLTEXT"), "TEXT");
    }

    #[test]
    fn sub_column_names_are_shown_as_information_schema_does() {
        let p = ["payload".to_owned(), "it's".to_owned(), "x".to_owned()];
        assert_eq!(display(&p), "payload['it''s']['x']");
    }
}
