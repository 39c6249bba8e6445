//! Live group `errors`: what CrateDB really answers when a statement or a connection fails, and
//! how the driver hands it on.
//!
//! Over HTTP CrateDB sends a numeric code and a message prefixed with its exception class
//! (`ColumnUnknownException[Column x unknown]`); over pgwire a SQLSTATE and the bare message.
//! Either way the error is a `sqlx::Error::Database` holding a [`CrateDbDatabaseError`] whose
//! `code()` is that code, whose `kind()` is the sqlx kind where one applies, and whose message
//! names the offending object or value. Connection failures (nobody listening, a wrong
//! password) are prompt and clear, and never show the password.

use std::time::{Duration, Instant};

use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::{AssertSqlSafe, Connection as _};
use sqlx_cratedb::{CrateDbConnection, CrateDbDatabaseError, CrateDbHost, CrateDbPool};

use super::scenario;
use crate::scenarios::{Scenario, Target, Transport, exec, unique};

/// The scenarios of this group.
pub(super) const SCENARIOS: &[Scenario] = &[
    scenario!(duplicate_primary_key_is_a_unique_violation),
    scenario!(unknown_table_column_and_schema_name_what_is_missing),
    scenario!(syntax_error_points_at_the_bad_token),
    scenario!(type_mismatch_names_the_value_and_the_type),
    scenario!(division_by_zero_at_runtime_is_a_clear_error),
    scenario!(existing_table_is_reported_as_such),
    scenario!(nobody_listening_fails_promptly),
    scenario!(wrong_password_is_an_authentication_error_without_the_password),
];

/// The code a transport reports: CrateDB's numeric code over HTTP, the SQLSTATE over pgwire.
fn code<'a>(target: &Target, http: &'a str, pgwire: &'a str) -> &'a str {
    match target.transport() {
        Transport::Http => http,
        Transport::PgWire => pgwire,
    }
}

/// Runs `sql`, which must fail with a database error, and returns that error.
async fn fail(pool: &CrateDbPool, sql: &str) -> CrateDbDatabaseError {
    let err = sqlx::query(AssertSqlSafe(sql.to_owned()))
        .execute(pool)
        .await
        .expect_err(sql);
    let Some(db) = err.as_database_error() else {
        panic!("{sql}: not a database error: {err:?}");
    };
    db.try_downcast_ref::<CrateDbDatabaseError>()
        .unwrap_or_else(|| panic!("{sql}: not a CrateDbDatabaseError: {db:?}"))
        .clone()
}

/// Asserts code, kind and that the message (and the `Display`) contain every `needle`.
fn check(db: &CrateDbDatabaseError, code: &str, kind: &ErrorKind, needles: &[&str]) {
    assert_eq!(db.code().as_deref(), Some(code), "{db}");
    assert_eq!(&db.kind(), kind, "{db}");
    let shown = db.to_string();
    assert!(shown.contains(code), "the code is shown: {shown}");
    for needle in needles {
        assert!(db.message().contains(needle), "{needle:?} in {shown}");
    }
}

/// A second row with an existing primary key: 4091 / `23505`, [`ErrorKind::UniqueViolation`];
/// the first row stays.
pub(super) async fn duplicate_primary_key_is_a_unique_violation(target: &Target) {
    let pool = target.pool().await;
    let t = unique("err_dup");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id INT PRIMARY KEY, v TEXT)"),
    )
    .await;
    exec(&pool, &format!("INSERT INTO {t} (id, v) VALUES (1, 'a')")).await;
    let db = fail(&pool, &format!("INSERT INTO {t} (id, v) VALUES (1, 'b')")).await;
    check(
        &db,
        code(target, "4091", "23505"),
        &ErrorKind::UniqueViolation,
        &["same primary key"],
    );
    if target.transport() == Transport::Http {
        assert_eq!(db.status(), Some(409));
    }
    let v: String = sqlx::query_scalar(AssertSqlSafe(format!("SELECT v FROM {t} WHERE id = 1")))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(v, "a", "the failed insert changed nothing");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// Unknown table (4041 / `42P01`), column (4043 / `42703`) and schema (4045 / `3F000`): each
/// message names what is missing; none has a more specific sqlx kind.
pub(super) async fn unknown_table_column_and_schema_name_what_is_missing(target: &Target) {
    let pool = target.pool().await;
    let missing = unique("err_missing");
    let db = fail(&pool, &format!("SELECT * FROM {missing}")).await;
    check(
        &db,
        target.missing_table_code(),
        &ErrorKind::Other,
        &[&missing, "unknown"],
    );

    let t = unique("err_cols");
    exec(&pool, &format!("CREATE TABLE {t} (id INT)")).await;
    let db = fail(&pool, &format!("SELECT no_such_column FROM {t}")).await;
    check(
        &db,
        code(target, "4043", "42703"),
        &ErrorKind::Other,
        &["no_such_column", "unknown"],
    );
    let db = fail(&pool, &format!("INSERT INTO {t} (id, nope) VALUES (1, 2)")).await;
    assert!(db.message().contains("nope"), "{db}");
    exec(&pool, &format!("DROP TABLE {t}")).await;

    let schema = unique("err_schema");
    let db = fail(&pool, &format!("SELECT * FROM {schema}.t")).await;
    check(
        &db,
        code(target, "4045", "3F000"),
        &ErrorKind::Other,
        &[&schema, "unknown"],
    );
    if target.transport() == Transport::Http {
        assert_eq!(db.status(), Some(404));
    }
}

/// A misspelt keyword: 4000 / `42601`, the message gives line, column and the bad token.
pub(super) async fn syntax_error_points_at_the_bad_token(target: &Target) {
    let pool = target.pool().await;
    let db = fail(&pool, "SELEC 1").await;
    check(
        &db,
        code(target, "4000", "42601"),
        &ErrorKind::Other,
        &["line 1:1", "SELEC"],
    );
    let db = fail(&pool, "SELECT 1 FROM").await;
    check(
        &db,
        code(target, "4000", "42601"),
        &ErrorKind::Other,
        &["line 1:"],
    );
}

/// `'abc'` into an INTEGER column, as a literal and as a bound text parameter: the message
/// names the value and both types. CrateDB sends 4000 over HTTP and its catch-all `XX000` over
/// pgwire.
pub(super) async fn type_mismatch_names_the_value_and_the_type(target: &Target) {
    let pool = target.pool().await;
    let t = unique("err_type");
    exec(
        &pool,
        &format!("CREATE TABLE {t} (id INT PRIMARY KEY, n INT)"),
    )
    .await;
    let db = fail(&pool, &format!("INSERT INTO {t} (id, n) VALUES (1, 'abc')")).await;
    check(
        &db,
        code(target, "4000", "XX000"),
        &ErrorKind::Other,
        &["'abc'", "text", "integer"],
    );
    let err = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {t} (id, n) VALUES ($1, $2)"
    )))
    .bind(2)
    .bind("abc")
    .execute(&pool)
    .await
    .unwrap_err();
    let db = err.as_database_error().unwrap_or_else(|| panic!("{err:?}"));
    assert!(db.message().contains("abc"), "{db}");
    assert_eq!(db.kind(), ErrorKind::Other, "{db}");
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// `1 / 0` in a constant and in a row of a table (evaluated while reading): `/ by zero`, 4000
/// / `XX000`.
pub(super) async fn division_by_zero_at_runtime_is_a_clear_error(target: &Target) {
    let pool = target.pool().await;
    let db = fail(&pool, "SELECT 1 / 0").await;
    check(
        &db,
        code(target, "4000", "XX000"),
        &ErrorKind::Other,
        &["by zero"],
    );
    let t = unique("err_div");
    exec(&pool, &format!("CREATE TABLE {t} (id INT, n INT)")).await;
    exec(&pool, &format!("INSERT INTO {t} (id, n) VALUES (1, 0)")).await;
    target.refresh(&pool, &t).await;
    let db = fail(&pool, &format!("SELECT id / n FROM {t}")).await;
    check(
        &db,
        code(target, "4000", "XX000"),
        &ErrorKind::Other,
        &["by zero"],
    );
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// `CREATE TABLE` of an existing table: 4093 / `42P07`, naming the table.
pub(super) async fn existing_table_is_reported_as_such(target: &Target) {
    let pool = target.pool().await;
    let t = unique("err_exists");
    exec(&pool, &format!("CREATE TABLE {t} (id INT)")).await;
    let db = fail(&pool, &format!("CREATE TABLE {t} (id INT)")).await;
    check(
        &db,
        code(target, "4093", "42P07"),
        &ErrorKind::Other,
        &[&t, "already exists"],
    );
    exec(&pool, &format!("DROP TABLE {t}")).await;
}

/// A port that was free a moment ago (nothing listens there).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Connecting to a port nobody listens on fails within the connect timeout, as an I/O error
/// naming the refused connection, not a hang or a panic.
pub(super) async fn nobody_listening_fails_promptly(target: &Target) {
    let port = free_port();
    let options = target
        .options()
        .clone()
        .hosts(vec![CrateDbHost::new("127.0.0.1", port)])
        .connect_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let err = CrateDbConnection::connect_with(&options)
        .await
        .expect_err("nothing listens there");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?}: {err}");
    let shown = err.to_string();
    assert!(
        matches!(err, sqlx::Error::Io(_)) || shown.contains("refused"),
        "{err:?}"
    );
    assert!(shown.to_lowercase().contains("refused"), "{shown}");
    assert!(err.as_database_error().is_none(), "{err:?}");
}

/// A user with a password, reached with a wrong one: an authentication error (HTTP 401 or
/// SQLSTATE `28000`) naming the user, with the password in neither `Display` nor `Debug`; the
/// right password connects.
pub(super) async fn wrong_password_is_an_authentication_error_without_the_password(
    target: &Target,
) {
    let pool = target.pool().await;
    let user = unique("err_user");
    let good = "Correct-Horse-7391";
    let bad = "Wrong-Battery-5528";
    exec(
        &pool,
        &format!("CREATE USER {user} WITH (password = '{good}')"),
    )
    .await;
    let options = target.options().clone().username(&user);
    if !options.is_tls() {
        // Without TLS the driver sends a password (HTTP Basic; pgwire's cleartext password
        // request) only when told to: refused first, naming the opt-in, without the password.
        let err = CrateDbConnection::connect_with(&options.clone().password(bad))
            .await
            .expect_err("a cleartext password without TLS needs the opt-in");
        let text = format!("{err} {err:?}");
        assert!(matches!(err, sqlx::Error::Configuration(_)), "{text}");
        assert!(text.contains("allow_cleartext_password=true"), "{text}");
        assert!(!text.contains(bad), "the password leaks: {text}");
    }
    let options = options.allow_cleartext_password(true);
    let err = CrateDbConnection::connect_with(&options.clone().password(bad))
        .await
        .expect_err("a wrong password must not connect");
    let shown = format!("{err}");
    let debug = format!("{err:?}");
    for text in [&shown, &debug] {
        assert!(!text.contains(bad), "the password leaks: {text}");
        assert!(!text.contains(good), "the password leaks: {text}");
    }
    let db = err
        .as_database_error()
        .and_then(|db| db.try_downcast_ref::<CrateDbDatabaseError>())
        .unwrap_or_else(|| panic!("not a CrateDB database error: {debug}"));
    assert!(db.is_authentication_error(), "{db:?}");
    match target.transport() {
        Transport::Http => assert_eq!(db.status(), Some(401), "{db:?}"),
        // CrateDB sends the class code `28000`, not PostgreSQL's `28P01`.
        Transport::PgWire => assert_eq!(db.sqlstate(), Some("28000"), "{db:?}"),
    }
    assert!(shown.contains("authentication"), "{shown}");
    assert!(shown.contains(&user), "the user is named: {shown}");

    let mut conn = CrateDbConnection::connect_with(&options.password(good))
        .await
        .expect("the right password connects");
    let who: String = sqlx::query_scalar("SELECT current_user")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(who, user);
    conn.close().await.unwrap();
    exec(&pool, &format!("DROP USER {user}")).await;
}
