//! sea-cratedb's builders with an arbitrary name and value: the statement rendered with them
//! equals the statement rendered with a benign marker name and value after replacing the one
//! quoted identifier and the one string literal, so no name or value changes the statement's
//! shape; the value's literal is exactly one SQL string literal; the checked builder returns
//! the same SQL or a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sea_cratedb::sea_query::{Alias, ColumnDef, Expr, ExprTrait, Query, Table};
use sea_cratedb::{CheckedQuery, CheckedSchema, CrateDbQueryBuilder, quote_identifier};

const NAME: &str = "zqzmarkzqz";
const VALUE: &str = "zqzvaluezqz";

fn literal(value: &str) -> String {
    let sql = Query::select()
        .expr(Expr::val(value))
        .to_owned()
        .to_string(CrateDbQueryBuilder);
    sql.strip_prefix("SELECT ").unwrap_or(&sql).to_owned()
}

/// True when `lit` is one complete SQL string literal (`'…'` with `''`, or `E'…'` with `\`).
fn one_literal(lit: &str) -> bool {
    let (escapes, body) = match (lit.strip_prefix("E'"), lit.strip_prefix('\'')) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return false,
    };
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escapes => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i + 1 == bytes.len(),
            _ => i += 1,
        }
    }
    false
}

/// Replaces every occurrence of each marker in `sql` (markers do not overlap) in one pass.
fn substitute(sql: &str, pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = sql;
    'outer: while !rest.is_empty() {
        for (from, to) in pairs {
            if let Some(tail) = rest.strip_prefix(from.as_str()) {
                out.push_str(to);
                rest = tail;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn check(name: &str, value: &str) {
    let pairs = [
        (quote_identifier(NAME), quote_identifier(name)),
        (literal(VALUE), literal(value)),
    ];
    assert!(one_literal(&pairs[1].1), "not one literal: {}", pairs[1].1);
    let select = |n: &str, v: &str| {
        Query::select()
            .column(Alias::new(n))
            .from((Alias::new("fz_schema"), Alias::new(n)))
            .and_where(Expr::col(Alias::new(n)).eq(v))
            .to_owned()
    };
    let (benign, fuzzed) = (select(NAME, VALUE), select(name, value));
    let expected = substitute(&benign.to_string(CrateDbQueryBuilder), &pairs);
    let got = fuzzed.to_string(CrateDbQueryBuilder);
    assert_eq!(got, expected, "name {name:?} value {value:?} changed the SELECT");
    if let Ok(checked) = fuzzed.try_to_string() {
        assert_eq!(checked, got, "checked and unchecked SQL differ");
    }
    let create = |n: &str| {
        Table::create()
            .table(Alias::new(n))
            .col(ColumnDef::new(Alias::new(n)).text())
            .to_owned()
    };
    let expected = substitute(&create(NAME).to_string(CrateDbQueryBuilder), &pairs);
    let fuzzed = create(name);
    let got = fuzzed.to_string(CrateDbQueryBuilder);
    assert_eq!(got, expected, "name {name:?} changed the CREATE TABLE");
    if let Ok(checked) = fuzzed.try_to_string() {
        assert_eq!(checked, got, "checked and unchecked DDL differ");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, value) = text.split_once('\u{0}').unwrap_or((&text, "v"));
    if name.is_empty() || name.contains(NAME) || value.contains(VALUE) {
        return;
    }
    check(name, value);
});
