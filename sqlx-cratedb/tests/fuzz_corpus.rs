//! Replays the committed fuzz seed corpora (`fuzz/corpus/<target>/`) through the same decoder
//! entry points the cargo-fuzz targets call (`sqlx_cratedb::__fuzz`), on stable Rust: a seed
//! or a minimized crash added there becomes a regression test.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

fn replay(target: &str, run: impl Fn(&[u8]) -> Result<(), String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Err(violation) = run(&data) {
            panic!("{}: {violation}", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "no seeds in {}", dir.display());
}

#[test]
fn http_response_corpus() {
    replay("http_response", sqlx_cratedb::__fuzz::http_response);
}

#[test]
fn value_corpus() {
    replay("value", sqlx_cratedb::__fuzz::value);
}

#[cfg(feature = "pgwire")]
#[test]
fn pgwire_corpora() {
    replay("pgwire_messages", sqlx_cratedb::__fuzz::pgwire_messages);
    replay("pgwire_text", sqlx_cratedb::__fuzz::pgwire_text);
}

#[test]
fn url_corpus() {
    replay("url", |data| {
        let url = String::from_utf8_lossy(data);
        let _ = url.parse::<sqlx_cratedb::CrateDbConnectOptions>();
        Ok(())
    });
}
