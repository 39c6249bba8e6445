//! Shared by the golden test binaries: exact-SQL assertions that also record every statement
//! for CrateDB's grammar check (`scripts/grammar/check_sql.py`, run by `scripts/test.sh`).
#![allow(dead_code, unreachable_pub)]

use std::{
    fs::{self, OpenOptions},
    io::Write,
    path::PathBuf,
    sync::Mutex,
};

use pretty_assertions::assert_eq;

/// The corpus directory: `$SQL_CORPUS_DIR`, else `<workspace>/target/sql-corpus`.
fn corpus_dir() -> PathBuf {
    std::env::var_os("SQL_CORPUS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/sql-corpus"),
        PathBuf::from,
    )
}

/// Tests run on several threads: one lock and one write per line keep lines whole.
static LOCK: Mutex<()> = Mutex::new(());

fn append(test: &str, sql: &str, expect: &str, min_version: Option<&str>) {
    let dir = corpus_dir();
    fs::create_dir_all(&dir).expect("create the SQL corpus directory");
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "tests".into());
    let file = dir.join(format!("{binary}-{}.jsonl", std::process::id()));
    let mut line = serde_json::json!({ "source": test, "sql": sql, "expect": expect });
    if let Some(version) = min_version {
        line["min_version"] = version.into();
    }
    let _guard = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .expect("open the SQL corpus file");
    out.write_all(format!("{line}\n").as_bytes())
        .expect("write the SQL corpus");
}

/// Records `sql` as a statement CrateDB's grammar must accept.
pub fn record(test: &str, sql: &str) {
    append(test, sql, "valid", None);
}

/// Records `sql` as a statement that needs a CrateDB newer than the grammar package knows.
pub fn record_min_version(test: &str, sql: &str, version: &str) {
    append(test, sql, "valid", Some(version));
}

/// Records `sql` as a statement CrateDB's grammar must reject (proves the check can fail).
pub fn record_invalid(test: &str, sql: &str) {
    append(test, sql, "invalid", None);
}

/// Asserts the exact SQL and records it for the grammar check.
#[track_caller]
pub fn assert_sql(test: &str, actual: &str, expected: &str) {
    assert_eq!(actual, expected, "{test}");
    record(test, actual);
}
