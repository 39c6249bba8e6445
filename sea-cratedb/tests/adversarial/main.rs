//! Adversarial names and values through every public surface that takes one: each payload
//! either makes the checked entry point return a typed error (names with a control or bidi
//! character, the empty name), or renders as exactly one quoted identifier / one string
//! literal. Every rendering is compared with the same statement built from a benign name or
//! value, the token swapped.
//!
//! With `SQL_CORPUS_DIR` set, each (benign, adversarial) pair is also written to
//! `$SQL_CORPUS_DIR/tokens/`, where `scripts/grammar/check_tokens.py` lexes both with CrateDB's
//! own lexer and fails unless their token types are the same and each changed token decodes to
//! the payload.

mod ddl;
mod model;
mod query;
mod statement;

use std::{
    fs::{self, OpenOptions},
    io::Write,
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
};

use sea_cratedb::{CheckedQuery, Error, StatementError, quote_identifier};

/// How the payload must appear in the SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// One quoted identifier.
    Identifier,
    /// One string literal.
    Literal,
    /// A setting or parameter name: bare when plain, else one quoted identifier.
    Setting,
}

impl Token {
    /// The benign stand-in for the payload (a setting name with a dot is quoted, like the
    /// payloads, so both render as the same token type).
    pub(crate) fn benign(self) -> &'static str {
        match self {
            Self::Identifier | Self::Literal => "benign_name",
            Self::Setting => "benign.name",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Identifier => "identifier",
            Self::Literal => "literal",
            Self::Setting => "setting",
        }
    }

    /// The payload as the one token it must render as.
    pub(crate) fn render(self, text: &str) -> String {
        match self {
            Self::Identifier => quote_identifier(text),
            Self::Literal => format!("'{}'", text.replace('\'', "''")),
            Self::Setting => {
                let plain = text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                    && text
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    // The one reserved word among the payloads.
                    && text != "select";
                if plain {
                    text.to_owned()
                } else {
                    quote_identifier(text)
                }
            }
        }
    }

    /// Whether the checked entry point must refuse `payload` with [`Error::InvalidName`].
    fn refuses(self, payload: &str) -> bool {
        self != Self::Literal
            && (payload.is_empty()
                || payload.chars().any(|c| {
                    c.is_control()
                        || matches!(
                            c,
                            '\u{061c}'
                                | '\u{200e}'
                                | '\u{200f}'
                                | '\u{202a}'..='\u{202e}'
                                | '\u{2066}'..='\u{2069}'
                        )
                }))
    }
}

/// One statement built around one payload: its unchecked SQL (where the surface has an
/// unchecked render) and its checked result (where it has a checked entry point).
#[derive(Debug)]
pub(crate) struct Render {
    unchecked: Option<String>,
    checked: Option<Result<String, Error>>,
}

impl Render {
    /// Both renders of a sea-query statement.
    pub(crate) fn query(stmt: &impl CheckedQuery, unchecked: String) -> Self {
        Self {
            unchecked: Some(unchecked),
            checked: Some(stmt.try_to_string()),
        }
    }

    /// Both renders of a schema statement.
    pub(crate) fn schema(unchecked: String, checked: Result<String, Error>) -> Self {
        Self {
            unchecked: Some(unchecked),
            checked: Some(checked),
        }
    }

    /// A native statement with a checked entry point only.
    pub(crate) fn checked(result: Result<String, StatementError>) -> Self {
        Self {
            unchecked: None,
            checked: Some(sql_error(result)),
        }
    }

    /// A native statement with both a `Display` and a checked entry point.
    pub(crate) fn both(unchecked: String, result: Result<String, StatementError>) -> Self {
        Self {
            unchecked: Some(unchecked),
            checked: Some(sql_error(result)),
        }
    }

    /// A native statement that only implements `Display` (it cannot refuse a name).
    pub(crate) fn display(unchecked: impl std::fmt::Display) -> Self {
        Self {
            unchecked: Some(unchecked.to_string()),
            checked: None,
        }
    }
}

#[allow(clippy::panic)] // a test helper: the panic is the assertion
fn sql_error(result: Result<String, StatementError>) -> Result<String, Error> {
    result.map_err(|e| match e {
        StatementError::Sql(e) => e,
        other => panic!("expected an SQL error, got {other:?}"),
    })
}

/// A surface: its name, how the payload must appear, and the builder.
pub(crate) type Case = (&'static str, Token, fn(&str) -> Render);

fn payloads() -> Vec<String> {
    let mut payloads: Vec<String> = (0_u32..0x20)
        .chain([0x7f])
        .chain(0x80..0xa0)
        .filter_map(char::from_u32)
        .map(|c| format!("a{c}b"))
        .collect();
    payloads.extend(
        [
            "\"",
            "'",
            "`",
            "\u{2019}",
            "\u{ff02}",
            "\"\"",
            "''",
            "x\" FROM secrets --",
            "x' OR '1'='1",
            "[",
            "]",
            "a']['b",
            "(",
            ")",
            "{",
            "}",
            ";",
            "; DROP TABLE t; --",
            "--",
            "x -- y",
            "/*",
            "*/",
            "/* x */",
            "$1",
            "$tag$",
            "?",
            "\\",
            "x\\",
            "\\'",
            "\\\"",
            "E'x'",
            "\u{1}c\u{3}0] FROM secrets --",
            "a\u{202e}b",
            "a\u{202a}b",
            "a\u{2066}b",
            "a\u{2069}b",
            "a\u{200e}b",
            "a\u{200f}b",
            "a\u{061c}b",
            "na\u{ef}ve \u{1f600} \u{4e2d}\u{6587}",
            "\u{feff}x",
            "select",
            "",
        ]
        .map(str::to_owned),
    );
    payloads.push(format!("X{}", "y".repeat(100_000)));
    payloads
}

/// Every surface, from the four case tables.
fn cases() -> Vec<Case> {
    let mut cases = query::cases();
    cases.extend(ddl::cases());
    cases.extend(statement::cases());
    cases.extend(model::cases());
    cases
}

#[test]
#[allow(clippy::panic)] // the panics are the assertions
fn adversarial_names_and_values_are_one_token_or_a_typed_error() {
    let cases = cases();
    let mut pairs = Pairs::open();
    for (case, token, build) in &cases {
        let benign = build(token.benign());
        let benign_sql = benign
            .unchecked
            .clone()
            .or_else(|| benign.checked.clone().and_then(Result::ok))
            .unwrap_or_else(|| panic!("{case}: the benign statement renders nothing"));
        if let Some(checked) = &benign.checked {
            assert_eq!(
                checked.as_deref(),
                Ok(benign_sql.as_str()),
                "{case}: the benign statement renders"
            );
        }
        for payload in payloads() {
            let render = build(&payload);
            check_payload(
                &mut pairs,
                (case, *token, token.benign()),
                &payload,
                &benign_sql,
                render,
            );
        }
    }
    pairs.finish();
    assert!(cases.len() >= 100, "{} surfaces", cases.len());
}

/// Checks one statement built around `payload` against the same statement built around the
/// benign stand-in (`benign_sql`): a name that must be refused is refused with
/// [`Error::InvalidName`] by the checked entry point; every render is the benign SQL with the
/// benign token swapped for the payload's one token. Each render is recorded as a pair.
pub(crate) fn check_payload(
    pairs: &mut Pairs,
    (surface, token, benign): (&str, Token, &str),
    payload: &str,
    benign_sql: &str,
    render: Render,
) {
    let benign_token = token.render(benign);
    if !benign_sql.contains(&benign_token) {
        pairs.fail(format!("{surface}: no {benign_token} in {benign_sql}"));
        return;
    }
    let expected = benign_sql.replace(&benign_token, &token.render(payload));
    match render.checked {
        Some(Err(Error::InvalidName(_))) if token.refuses(payload) => {}
        Some(other) if token.refuses(payload) => {
            pairs.fail(format!(
                "{surface}: {payload:?}: expected InvalidName, got {other:?}"
            ));
        }
        Some(Ok(checked)) if checked == expected => {
            pairs.record(surface, token, (benign, payload), benign_sql, &checked);
        }
        Some(other) => pairs.fail(format!(
            "{surface}: {payload:?}: checked {other:?}, expected {expected:?}"
        )),
        None => {}
    }
    if let Some(sql) = render.unchecked {
        if sql == expected {
            pairs.record(surface, token, (benign, payload), benign_sql, &sql);
        } else {
            pairs.fail(format!(
                "{surface}: {payload:?}: unchecked {sql:?}, expected {expected:?}"
            ));
        }
    }
}

/// The token-check corpus: one JSON line per (benign, adversarial) pair, written only when
/// `SQL_CORPUS_DIR` is set (a run writes a few MB: the 100k-character payload).
#[derive(Debug)]
pub(crate) struct Pairs {
    failures: Vec<String>,
    out: Option<std::io::BufWriter<fs::File>>,
    seen: std::collections::HashSet<(String, String)>,
}

/// Each test writes its own file (two writers of one file would interleave their lines).
static FILES: AtomicUsize = AtomicUsize::new(0);

impl Pairs {
    pub(crate) fn open() -> Self {
        let out = std::env::var_os("SQL_CORPUS_DIR").map(|dir| {
            let dir = PathBuf::from(dir).join("tokens");
            fs::create_dir_all(&dir).expect("create the token corpus directory");
            let n = FILES.fetch_add(1, Ordering::Relaxed);
            let file = dir.join(format!("adversarial-{}-{n}.pairs", std::process::id()));
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .expect("open the token corpus");
            std::io::BufWriter::new(file)
        });
        Self {
            failures: Vec::new(),
            out,
            seen: std::collections::HashSet::new(),
        }
    }

    fn record(
        &mut self,
        surface: &str,
        token: Token,
        (benign_payload, payload): (&str, &str),
        benign: &str,
        sql: &str,
    ) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        if !self.seen.insert((surface.to_owned(), sql.to_owned())) {
            return;
        }
        let line = serde_json::json!({
            "surface": surface,
            "token": token.label(),
            "payload": payload,
            "benign_payload": benign_payload,
            "benign": benign,
            "sql": sql,
        });
        writeln!(out, "{line}").expect("write the token corpus");
    }

    fn fail(&mut self, failure: String) {
        let mut failure = failure;
        if failure.len() > 600 {
            failure.truncate(failure.floor_char_boundary(600));
            failure.push_str("...");
        }
        self.failures.push(failure);
    }

    /// Flushes the corpus; fails the test with every failure found.
    pub(crate) fn finish(mut self) {
        assert!(
            self.failures.is_empty(),
            "{} failure(s):\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        if let Some(out) = self.out.as_mut() {
            out.flush().expect("write the token corpus");
        }
    }
}
