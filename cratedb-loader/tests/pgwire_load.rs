//! The `cratedb-loader` binary against a throwaway PostgreSQL over pgwire: CSV, JSON lines and
//! Parquet loads with the stored row counts checked, malformed lines reported with their line
//! numbers while the good rows load (exit status 2), a missing file named (exit status 1),
//! and an export round trip (table → Parquet → table, and CSV / JSON lines output).
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cratedb_integration::pg::{PgServer, PgServerConfig};

/// A directory of its own for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cratedb-loader-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary with `args` (stdin closed, so no progress bar).
fn loader(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cratedb-loader"))
        .args(args)
        .env_remove("CRATEDB_URL")
        .output()
        .unwrap()
}

fn count(server: &PgServer, table: &str) -> u64 {
    server
        .psql(&format!("SELECT count(*) FROM {table}"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn status(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write_csv(file: &Path, rows: usize) {
    let mut csv = String::from("id,name,score,ok\n");
    for i in 0..rows {
        writeln!(csv, "{i},\"name {i}, quoted\",{}.5,{}", i % 100, i % 2 == 0).unwrap();
    }
    std::fs::write(file, csv).unwrap();
}

#[test]
fn csv_loads_and_round_trips_through_parquet_and_csv() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let url = server.crate_url();
    let dir = scratch("csv");
    write_csv(&dir.join("data.csv"), 1234);
    let out = loader(&[
        "load",
        "--url",
        &url,
        "--table",
        "csv_t",
        "--create-table",
        "--batch-size",
        "100",
        "--concurrency",
        "3",
        path(&dir.join("data.csv")),
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("loaded 1,234 rows"));
    assert_eq!(count(&server, "csv_t"), 1234);
    assert_eq!(
        server
            .psql("SELECT name FROM csv_t WHERE id = 7")
            .unwrap()
            .trim(),
        "name 7, quoted"
    );

    // Export to Parquet and load that into a new table: the same rows.
    let parquet = dir.join("out.parquet");
    let out = loader(&[
        "export",
        "--url",
        &url,
        "--query",
        "SELECT id, name, score, ok FROM csv_t",
        "--output",
        path(&parquet),
        "--batch-size",
        "500",
        "--row-group-size",
        "700",
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("exported 1,234 rows"));
    assert!(!dir.join("out.parquet.partial").exists());
    let out = loader(&[
        "load",
        "--url",
        &url,
        "--table",
        "parquet_t",
        "--create-table",
        path(&parquet),
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(count(&server, "parquet_t"), 1234);
    assert_eq!(
        server
            .psql("SELECT count(*) FROM csv_t c JOIN parquet_t p USING (id, name, score, ok)")
            .unwrap()
            .trim(),
        "1234"
    );

    // Export to CSV: the file loads back as it was.
    let csv = dir.join("out.csv");
    let out = loader(&[
        "export",
        "--url",
        &url,
        "--query",
        "SELECT id, name, score, ok FROM csv_t ORDER BY id",
        "--output",
        path(&csv),
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        std::fs::read_to_string(dir.join("data.csv")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_lines_load_upsert_and_export() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let url = server.crate_url();
    let dir = scratch("json");
    let mut json = String::new();
    for i in 0..321 {
        writeln!(
            json,
            r#"{{"id": {i}, "label": "l{i}", "weight": {}.25}}"#,
            i * 2
        )
        .unwrap();
    }
    std::fs::write(dir.join("data.jsonl"), json).unwrap();
    let out = loader(&[
        "load",
        "--url",
        &url,
        "--table",
        "json_t",
        "--create-table",
        "--primary-key",
        "id",
        path(&dir.join("data.jsonl")),
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(count(&server, "json_t"), 321);

    // Without --upsert the same rows fail as duplicates; with it they replace the stored ones.
    let out = loader(&[
        "load",
        "--url",
        &url,
        "--table",
        "json_t",
        "-q",
        path(&dir.join("data.jsonl")),
    ]);
    assert_eq!(status(&out), 2, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("321 rows failed"));
    let out = loader(&[
        "load",
        "--url",
        &url,
        "--table",
        "json_t",
        "--primary-key",
        "id",
        "--upsert",
        path(&dir.join("data.jsonl")),
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(count(&server, "json_t"), 321);

    let file = dir.join("out.jsonl");
    let out = loader(&[
        "export",
        "--url",
        &url,
        "--query",
        "SELECT id, label FROM json_t ORDER BY id",
        "--output",
        path(&file),
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().next(), Some(r#"{"id":0,"label":"l0"}"#));
    assert_eq!(text.lines().count(), 321);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_stands_for_its_files() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let url = server.crate_url();
    let dir = scratch("dir");
    std::fs::create_dir(dir.join("sub")).unwrap();
    write_csv(&dir.join("a.csv"), 10);
    write_csv(&dir.join("sub/b.csv"), 20);
    std::fs::write(dir.join("notes.txt"), "not data").unwrap();
    let out = loader(&[
        "load",
        "--url",
        &url,
        "--table",
        "dir_t",
        "--create-table",
        path(&dir),
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("30 rows from 2 files"));
    assert_eq!(count(&server, "dir_t"), 30);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_lines_fail_alone_and_are_reported_with_their_lines() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let url = server.crate_url();
    let dir = scratch("malformed");
    // Line 1 is the header. Bad: line 5 (a score that is not a number), line 8 (too few
    // fields), line 10 (a duplicate key, refused by the server: one request at a time, so
    // that line 2 is stored first). Line 6 is blank.
    let csv = "id,name,score\n1,a,1.5\n2,\"b\nc\",2.5\n3,d,oops\n\n4,e,4.5\n5,f\n6,g,6.5\n1,dup,9.5\n7,h,7.5\n";
    std::fs::write(dir.join("bad.csv"), csv).unwrap();
    let failed = dir.join("failed.jsonl");
    let out = loader(&[
        "load",
        "--url",
        &url,
        "--table",
        "bad_t",
        "--create-table",
        "--primary-key",
        "id",
        "--infer-rows",
        "2",
        "--batch-size",
        "4",
        "--concurrency",
        "1",
        "--failed-rows",
        path(&failed),
        path(&dir.join("bad.csv")),
    ]);
    assert_eq!(status(&out), 2, "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("loaded 5 rows"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(count(&server, "bad_t"), 5);
    assert_eq!(
        server
            .psql("SELECT name FROM bad_t WHERE id = 2")
            .unwrap()
            .trim(),
        "b\nc"
    );
    let mut rows: Vec<serde_json::Value> = std::fs::read_to_string(&failed)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    rows.sort_by_key(|r| r["line"].as_u64());
    let lines: Vec<_> = rows.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [5, 8, 10], "{rows:?}");
    assert_eq!(rows[0]["column"], "score");
    assert_eq!(rows[0]["stage"], "parse");
    assert_eq!(rows[0]["values"], "3,d,oops");
    assert!(rows[0]["reason"].as_str().unwrap().contains("oops"));
    assert!(rows[1]["reason"].as_str().unwrap().contains("fields"));
    assert_eq!(rows[2]["stage"], "insert");
    assert_eq!(rows[2]["values"]["name"], "dup");
    assert!(rows[2]["file"].as_str().unwrap().ends_with("bad.csv"));
    let err = stderr(&out);
    assert!(err.contains("bad.csv, line 5, column score"), "{err}");

    // JSON lines: a truncated line, a value of the wrong type and an unknown key.
    let json = "{\"id\": 1, \"n\": \"a\"}\n{\"id\": \n{\"id\": \"x\", \"n\": \"b\"}\n{\"id\": 4, \"n\": \"c\", \"more\": 1}\n{\"id\": 5, \"n\": \"d\"}\n";
    std::fs::write(dir.join("bad.jsonl"), json).unwrap();
    let out = loader(&[
        "load",
        "--url",
        &url,
        "--table",
        "badj_t",
        "--create-table",
        "--infer-rows",
        "1",
        "--failed-rows",
        path(&failed),
        "--quiet",
        path(&dir.join("bad.jsonl")),
    ]);
    assert_eq!(status(&out), 2, "{}", stderr(&out));
    assert_eq!(count(&server, "badj_t"), 2);
    let text = std::fs::read_to_string(&failed).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines: Vec<_> = rows.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [2, 3, 4], "{text}");
    assert_eq!(rows[1]["column"], "id");
    assert!(
        rows[2]["reason"].as_str().unwrap().contains("more"),
        "{text}"
    );
    assert!(!stderr(&out).contains("failed:"), "--quiet prints no row");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_file_is_named_before_anything_loads() {
    let dir = scratch("missing");
    std::fs::write(dir.join("ok.csv"), "id\n1\n").unwrap();
    let missing = dir.join("nope.csv");
    // The URL is never used: inputs are checked first.
    let out = loader(&[
        "load",
        "--url",
        "postgres://nobody@127.0.0.1:1/x",
        "--table",
        "t",
        path(&dir.join("ok.csv")),
        path(&missing),
    ]);
    assert_eq!(status(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains(path(&missing)) && err.contains("No such file"),
        "{err}"
    );

    // A server that is not there: the reason, at once (not a pool timeout).
    let started = std::time::Instant::now();
    let out = loader(&[
        "load",
        "--url",
        "postgres://nobody@127.0.0.1:1/x",
        "--table",
        "t",
        path(&dir.join("ok.csv")),
    ]);
    assert_eq!(status(&out), 1);
    assert!(stderr(&out).contains("refused"), "{}", stderr(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    let unknown = dir.join("data.xlsx");
    std::fs::write(&unknown, "x").unwrap();
    let out = loader(&["load", "--table", "t", path(&unknown)]);
    assert_eq!(status(&out), 1);
    assert!(stderr(&out).contains("unknown format"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_value_the_table_refuses_fails_its_row_with_its_line() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    server
        .psql("CREATE TABLE fit_t (id integer, small smallint)")
        .unwrap();
    let dir = scratch("fit");
    // Line 4 holds a value out of SMALLINT's range: the server refuses that row only.
    std::fs::write(dir.join("fit.csv"), "id,small\n1,10\n2,20\n3,40000\n4,40\n").unwrap();
    let failed = dir.join("failed.jsonl");
    let out = loader(&[
        "load",
        "--url",
        &server.crate_url(),
        "--table",
        "fit_t",
        "--failed-rows",
        path(&failed),
        path(&dir.join("fit.csv")),
    ]);
    assert_eq!(status(&out), 2, "{}", stderr(&out));
    assert_eq!(count(&server, "fit_t"), 3);
    let text = std::fs::read_to_string(&failed).unwrap();
    let row: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(row["line"], 4, "{text}");
    assert_eq!(row["stage"], "insert");
    assert_eq!(row["values"]["small"], 40000);
    assert!(
        row["reason"].as_str().unwrap().contains("out of range"),
        "{text}"
    );
    let err = stderr(&out);
    assert!(err.contains("fit.csv, line 4"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
