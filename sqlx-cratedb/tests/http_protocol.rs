//! Protocol behaviour against the in-process `/_sql` peer: headers, auth, errors, timeouts,
//! malformed and truncated responses, the no-op transactions.

#![allow(
    clippy::unreadable_literal,
    clippy::float_cmp,
    clippy::too_many_lines,
    clippy::panic,
    clippy::items_after_statements,
    clippy::unwrap_used
)]

mod common;

use std::time::Duration;

use common::{Reply, error_reply, peer, pool, result_set, row_count};
use serde_json::json;
use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::{ConnectOptions, Connection};
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbConnection, CrateDbDatabaseError};

fn db_error(err: &sqlx::Error) -> &CrateDbDatabaseError {
    err.as_database_error()
        .and_then(|e| e.try_downcast_ref::<CrateDbDatabaseError>())
        .unwrap_or_else(|| panic!("not a CrateDB error: {err:?}"))
}

#[tokio::test]
async fn basic_auth_schema_header_and_types_flag_on_every_request() {
    let peer = peer(|_| Reply::Json(200, row_count(1))).await;
    let url = format!(
        "crate://alice:s%3Acret@{}/app?error_trace=true&allow_cleartext_password=true",
        peer.host()
    );
    let pool = pool(&url).await;
    sqlx::query("DELETE FROM t").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM t").execute(&pool).await.unwrap();
    let reqs = peer.requests();
    assert!(reqs.len() >= 3);
    for r in &reqs {
        assert_eq!(r.path, "/_sql?types&error_trace=true");
        // base64("alice:s:cret")
        assert_eq!(r.header("authorization"), Some("Basic YWxpY2U6czpjcmV0"));
        assert_eq!(r.header("default-schema"), Some("app"));
        assert_eq!(r.header("accept"), Some("application/json"));
    }
}

#[tokio::test]
async fn a_token_provider_is_asked_before_every_request() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let peer = peer(|_| Reply::Json(200, row_count(0))).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let provider = sqlx_cratedb::CrateDbTokenProvider::new(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        if n >= 3 {
            return Err("token service down".into());
        }
        Ok(format!("jwt-{n}"))
    });
    let opts = CrateDbConnectOptions::new()
        .host("127.0.0.1", peer.addr.port())
        .token_provider(provider)
        .allow_cleartext_password(true);
    // connect: the client is built (call 0), then `SELECT 1` (call 1).
    let mut conn = opts.connect().await.unwrap();
    sqlx::query("REFRESH TABLE t")
        .execute(&mut conn)
        .await
        .unwrap();
    let seen: Vec<_> = peer
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or("").to_owned())
        .collect();
    assert_eq!(seen, ["Bearer jwt-1", "Bearer jwt-2"]);
    assert!(!format!("{opts:?}").contains("jwt-"));
    // A failing provider fails the request before anything is sent.
    let sent = peer.requests().len();
    let err = sqlx::query("REFRESH TABLE t")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(matches!(err, sqlx::Error::Configuration(_)), "{err:?}");
    assert!(err.to_string().contains("token service down"), "{err}");
    assert_eq!(peer.requests().len(), sent);
    // Without TLS the provider's token needs the opt-in, like a fixed token.
    let plain = CrateDbConnectOptions::new()
        .host("127.0.0.1", peer.addr.port())
        .token_provider(sqlx_cratedb::CrateDbTokenProvider::new(|| Ok("t".into())));
    assert!(matches!(
        plain.connect().await.unwrap_err(),
        sqlx::Error::Configuration(_)
    ));
}

#[tokio::test]
async fn bearer_token_from_the_builder() {
    let peer = peer(|_| Reply::Json(200, row_count(0))).await;
    let opts = CrateDbConnectOptions::new()
        .host("127.0.0.1", peer.addr.port())
        .username("ignored")
        .token("eyJhbGciOi.x.y")
        .schema("doc")
        .allow_cleartext_password(true);
    let mut conn = opts.connect().await.unwrap();
    sqlx::query("REFRESH TABLE t")
        .execute(&mut conn)
        .await
        .unwrap();
    let r = peer.requests().pop().unwrap();
    assert_eq!(r.header("authorization"), Some("Bearer eyJhbGciOi.x.y"));
    assert_eq!(r.header("default-schema"), Some("doc"));
    assert!(!format!("{opts:?}").contains("eyJhbGciOi"));
    assert!(!format!("{conn:?}").contains("eyJhbGciOi"));
    let with_password = opts.clone().password("hunter2");
    assert!(!format!("{with_password:?}").contains("hunter2"));
}

/// Over plain HTTP a password or token is refused before anything is sent, naming the opt-in
/// and not the secret; a user without a password (CrateDB's trusted `crate`) needs no opt-in.
#[tokio::test]
async fn password_or_token_over_plain_http_needs_the_opt_in() {
    let peer = peer(|_| Reply::Json(200, row_count(0))).await;
    let base = CrateDbConnectOptions::new().host("127.0.0.1", peer.addr.port());
    for (options, credential, secret) in [
        (
            base.clone().username("alice").password("Hunter-2-x"),
            "password",
            "Hunter-2-x",
        ),
        (
            base.clone().token("eyJhbGciOi.secret.sig"),
            "token",
            "eyJhbGciOi",
        ),
    ] {
        let err = options
            .connect()
            .await
            .expect_err("plain HTTP with a secret is refused");
        let text = format!("{err} {err:?}");
        assert!(matches!(err, sqlx::Error::Configuration(_)), "{text}");
        assert!(
            text.contains(&format!("refusing to send the {credential}")),
            "{text}"
        );
        assert!(text.contains("allow_cleartext_password=true"), "{text}");
        assert!(!text.contains(secret), "the secret leaks: {text}");
    }
    assert!(peer.requests().is_empty(), "nothing may reach the server");

    let url = format!("crate://alice:Hunter-2-x@{}/doc", peer.host());
    let err = CrateDbConnection::connect(&url).await.unwrap_err();
    assert!(
        err.to_string().contains("allow_cleartext_password"),
        "{err}"
    );

    let mut conn = base.clone().username("crate").connect().await.unwrap();
    sqlx::query("REFRESH TABLE t")
        .execute(&mut conn)
        .await
        .unwrap();
    let mut conn = base.username("alice").password("").connect().await.unwrap();
    sqlx::query("REFRESH TABLE t")
        .execute(&mut conn)
        .await
        .unwrap();
    // base64("alice:")
    let last = peer
        .requests()
        .pop()
        .expect("the password-less user was let through");
    assert_eq!(last.header("authorization"), Some("Basic YWxpY2U6"));
}

#[tokio::test]
async fn server_errors_become_cratedb_database_errors() {
    let peer = peer(|rec| match rec.stmt() {
        s if s.starts_with("INSERT") => error_reply(
            4091,
            "DuplicateKeyException[A document with the same primary key exists already]",
        ),
        s if s.contains("foo.") => Reply::Json(
            404,
            json!({"error": {"message": "SchemaUnknownException[Schema 'foo' unknown]", "code": 4045},
                   "error_trace": "io.crate.exceptions.SchemaUnknownException\n\tat ..."}),
        ),
        _ => error_reply(4000, "SQLParseException[line 1:1: mismatched input 'SELEC']"),
    })
    .await;
    let pool = pool(&peer.url()).await;

    let err = sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&pool)
        .await
        .unwrap_err();
    let db = db_error(&err);
    assert_eq!(db.http_code(), Some(4091));
    assert_eq!(db.status(), Some(409));
    assert_eq!(
        err.as_database_error().unwrap().kind(),
        ErrorKind::UniqueViolation
    );
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("4091")
    );

    let err = sqlx::query("SELECT * FROM foo.t")
        .fetch_all(&pool)
        .await
        .unwrap_err();
    let db = db_error(&err);
    assert_eq!((db.http_code(), db.status()), (Some(4045), Some(404)));
    assert!(db.error_trace().unwrap().contains("SchemaUnknownException"));

    let err = sqlx::query("SELEC 1").execute(&pool).await.unwrap_err();
    assert_eq!(db_error(&err).http_code(), Some(4000));
    assert_eq!(err.as_database_error().unwrap().kind(), ErrorKind::Other);
}

#[tokio::test]
async fn plain_text_401_is_an_authentication_error() {
    let peer = common::Peer::start(|_| {
        Reply::Raw(
            401,
            "text/plain",
            "trust authentication failed for user \"bob\"".into(),
        )
    })
    .await;
    let err = CrateDbConnection::connect(&format!("crate://bob@{}", peer.host()))
        .await
        .unwrap_err();
    let db = db_error(&err);
    assert!(db.is_authentication_error());
    assert_eq!(db.status(), Some(401));
    assert!(
        db.message().contains("authentication failed"),
        "{}",
        db.message()
    );
}

#[tokio::test]
async fn malformed_truncated_and_unexpected_responses_are_protocol_errors() {
    let body = result_set(&["a"], json!([9]), json!([[1], [2], [3]])).to_string();
    let cut = body[..body.len() - 20].to_owned();
    let peer = peer(move |rec| match rec.stmt() {
        "SELECT truncated" => Reply::Chunks(200, vec![cut.clone().into_bytes()]),
        "SELECT cutoff" => Reply::CutOff(cut.clone()),
        "SELECT html" => Reply::Raw(200, "text/html", "<html>oops</html>".into()),
        "SELECT teapot" => Reply::Raw(418, "text/plain", "I'm a teapot".into()),
        "SELECT width" => Reply::Json(
            200,
            json!({"cols": ["a", "b"], "col_types": [9, 9], "rows": [[1]], "rowcount": 1}),
        ),
        "SELECT types" => Reply::Json(
            200,
            json!({"cols": ["a"], "col_types": ["int"], "rows": [], "rowcount": 0}),
        ),
        "SELECT empty" => Reply::Raw(200, "application/json", String::new()),
        _ => Reply::Json(200, json!({"unexpected": true})),
    })
    .await;
    let pool = pool(&peer.url()).await;
    for sql in [
        "SELECT truncated",
        "SELECT html",
        "SELECT teapot",
        "SELECT width",
        "SELECT types",
        "SELECT empty",
        "SELECT other",
    ] {
        let err = sqlx::query(sql).fetch_all(&pool).await.unwrap_err();
        assert!(matches!(err, sqlx::Error::Protocol(_)), "{sql}: {err:?}");
    }
    // A body cut off below its Content-Length is reported by the HTTP layer.
    let err = sqlx::query("SELECT cutoff")
        .fetch_all(&pool)
        .await
        .unwrap_err();
    assert!(
        matches!(err, sqlx::Error::Io(_) | sqlx::Error::Protocol(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn slow_responses_hit_the_request_timeout() {
    let peer = peer(|_| {
        Reply::Slow(
            Duration::from_millis(800),
            Box::new(Reply::Json(200, row_count(1))),
        )
    })
    .await;
    let url = format!("{}?timeout=200ms", peer.url());
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let started = std::time::Instant::now();
    let err = sqlx::query("UPDATE t SET a = 1")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(700));
    match err {
        sqlx::Error::Io(e) => assert_eq!(e.kind(), std::io::ErrorKind::TimedOut),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn connect_timeout_and_refused_connections_are_io_errors() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = CrateDbConnection::connect(&format!("crate://127.0.0.1:{port}?connect_timeout=1"))
        .await
        .unwrap_err();
    assert!(matches!(err, sqlx::Error::Io(_)), "{err:?}");
}

/// Collects warnings logged by the driver.
struct Warnings(std::sync::Mutex<Vec<String>>);

impl log::Log for Warnings {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Warn
    }
    fn log(&self, r: &log::Record<'_>) {
        if r.target().starts_with("sqlx_cratedb") {
            self.0.lock().unwrap().push(r.args().to_string());
        }
    }
    fn flush(&self) {}
}

static WARNINGS: Warnings = Warnings(std::sync::Mutex::new(Vec::new()));

#[tokio::test]
async fn transactions_are_a_documented_no_op_and_never_send_rollback() {
    let _ = log::set_logger(&WARNINGS);
    log::set_max_level(log::LevelFilter::Warn);
    let peer = peer(|_| Reply::Json(200, row_count(1))).await;
    let mut conn = CrateDbConnection::connect(&peer.url()).await.unwrap();
    let before = peer.count();
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let tx = conn.begin().await.unwrap();
    tx.commit().await.unwrap();
    {
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (2)")
            .execute(&mut *tx)
            .await
            .unwrap();
        // dropped without commit: start_rollback
    }
    assert!(!conn.is_in_transaction());
    let warnings: Vec<String> = WARNINGS
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|w| w.contains("ROLLBACK"))
        .cloned()
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("1 statement(s) executed since BEGIN already took effect"));
    let stmts: Vec<String> = peer.requests()[before..]
        .iter()
        .map(|r| r.stmt().to_owned())
        .collect();
    assert_eq!(
        stmts,
        ["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)"]
    );
}

#[tokio::test]
async fn large_result_sets_stream_across_many_chunks() {
    let rows: Vec<_> = (0..20_000)
        .map(|i| json!([i, format!("name-{i}")]))
        .collect();
    let body = result_set(&["id", "name"], json!([10, 4]), json!(rows)).to_string();
    let chunks: Vec<Vec<u8>> = body.as_bytes().chunks(1000).map(<[u8]>::to_vec).collect();
    let peer = peer(move |_| Reply::Chunks(200, chunks.clone())).await;
    let pool = pool(&peer.url()).await;
    use futures_util::TryStreamExt;
    let mut stream = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM big").fetch(&pool);
    let mut n = 0i64;
    while let Some((id, name)) = stream.try_next().await.unwrap() {
        assert_eq!(id, n);
        assert_eq!(name, format!("name-{n}"));
        n += 1;
    }
    assert_eq!(n, 20_000);
}
