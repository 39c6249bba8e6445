//! The pgwire transport against a scripted peer that answers as CrateDB does where PostgreSQL
//! behaves differently (`cratedb-reference.md` §6): cleartext-only authentication, the
//! `crate_version` parameter, command tags with odd first words and negative counts, batched
//! `Execute` replies with a failed item (`INSERT 0 -3`), `ReadyForQuery` `T`/`E`, errors
//! without a position, `NegotiateProtocolVersion`, and suspended portals.

// The peer is test code: it panics on what the driver must never send.
#![allow(clippy::unwrap_used, clippy::panic)]

use cratedb_integration::wire::{cstr, message};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt as _;
use serde_json::json;
use sqlx::Connection as _;
use sqlx::Row as _;
use sqlx_cratedb::{CrateDbArguments, CrateDbBulkRow, CrateDbConnection};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const PASSWORD: &str = "secret";

/// What the peer saw, for assertions.
#[derive(Debug, Default)]
struct Seen {
    startup: HashMap<String, String>,
    /// Message tags received after startup, in order.
    tags: Vec<u8>,
    /// SQL of every Parse.
    parsed: Vec<String>,
}

fn parameter_status(name: &str, value: &str) -> Vec<u8> {
    let mut b = Vec::new();
    cstr(&mut b, name);
    cstr(&mut b, value);
    message(b'S', &b)
}

fn ready(status: u8) -> Vec<u8> {
    message(b'Z', &[status])
}

fn command_complete(tag: &str) -> Vec<u8> {
    let mut b = Vec::new();
    cstr(&mut b, tag);
    message(b'C', &b)
}

/// An `ErrorResponse` as CrateDB writes it: S, M, C, F/R/L, no P.
fn error(sqlstate: &str, text: &str, severity: &str) -> Vec<u8> {
    let mut b = Vec::new();
    for (t, v) in [
        (b'S', severity),
        (b'M', text),
        (b'C', sqlstate),
        (b'F', "PGError.java"),
        (b'R', "fromThrowable"),
        (b'L', "77"),
    ] {
        b.push(t);
        cstr(&mut b, v);
    }
    b.push(0);
    message(b'E', &b)
}

fn row_description(cols: &[(&str, u32)]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&u16::try_from(cols.len()).unwrap().to_be_bytes());
    for (name, oid) in cols {
        cstr(&mut b, name);
        b.extend_from_slice(&0u32.to_be_bytes());
        b.extend_from_slice(&0i16.to_be_bytes());
        b.extend_from_slice(&oid.to_be_bytes());
        b.extend_from_slice(&(-1i16).to_be_bytes());
        b.extend_from_slice(&(-1i32).to_be_bytes());
        b.extend_from_slice(&0i16.to_be_bytes());
    }
    message(b'T', &b)
}

fn data_row(values: &[Option<&str>]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&u16::try_from(values.len()).unwrap().to_be_bytes());
    for v in values {
        match v {
            Some(v) => {
                b.extend_from_slice(&i32::try_from(v.len()).unwrap().to_be_bytes());
                b.extend_from_slice(v.as_bytes());
            }
            None => b.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }
    message(b'D', &b)
}

async fn read_frontend(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let tag = stream.read_u8().await.ok()?;
    let len = stream.read_u32().await.ok()?;
    let mut body = vec![0; usize::try_from(len).unwrap() - 4];
    stream.read_exact(&mut body).await.ok()?;
    Some((tag, body))
}

fn cstrs(body: &[u8]) -> Vec<String> {
    body.split(|&b| b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

/// The first parameter of a Bind body as text (an integer sent in binary as its digits), if
/// any.
fn first_param(body: &[u8]) -> Option<String> {
    let mut p = 0;
    for _ in 0..2 {
        p += body[p..].iter().position(|&b| b == 0)? + 1;
    }
    let nformats = usize::from(u16::from_be_bytes([body[p], body[p + 1]]));
    let binary = nformats > 0 && body[p + 2..p + 4] == [0, 1];
    p += 2 + 2 * nformats;
    let nparams = u16::from_be_bytes([body[p], body[p + 1]]);
    p += 2;
    if nparams == 0 {
        return None;
    }
    let len = i32::from_be_bytes(body[p..p + 4].try_into().unwrap());
    let len = usize::try_from(len).ok()?;
    let value = &body[p + 4..p + 4 + len];
    if binary {
        return Some(match len {
            2 => i16::from_be_bytes(value.try_into().ok()?).to_string(),
            4 => i32::from_be_bytes(value.try_into().ok()?).to_string(),
            8 => i64::from_be_bytes(value.try_into().ok()?).to_string(),
            _ => return None,
        });
    }
    Some(String::from_utf8_lossy(value).into_owned())
}

/// The rows of the scripted `SELECT wide` (streamed in pages by suspended portals).
const WIDE_ROWS: usize = 25;

/// Answers one connection: startup, cleartext auth, then scripted replies per statement.
#[allow(clippy::too_many_lines)]
async fn serve(mut stream: TcpStream, seen: Arc<Mutex<Seen>>) {
    // Startup: length, protocol, key/value pairs.
    let len = stream.read_u32().await.unwrap();
    let mut body = vec![0; usize::try_from(len).unwrap() - 4];
    stream.read_exact(&mut body).await.unwrap();
    assert_eq!(
        &body[..4],
        &196_608u32.to_be_bytes(),
        "protocol 3.0 requested"
    );
    let pairs = cstrs(&body[4..]);
    {
        let mut s = seen.lock().unwrap();
        for kv in pairs.chunks(2) {
            if let [k, v] = kv
                && !k.is_empty()
            {
                s.startup.insert(k.clone(), v.clone());
            }
        }
    }
    // NegotiateProtocolVersion (as CrateDB >= 6.2 sends it for unsupported options).
    let mut negotiate = Vec::new();
    negotiate.extend_from_slice(&0i32.to_be_bytes());
    negotiate.extend_from_slice(&1i32.to_be_bytes());
    cstr(&mut negotiate, "_pq_.unsupported");
    stream.write_all(&message(b'v', &negotiate)).await.unwrap();
    // Cleartext password: CrateDB's only password method.
    stream
        .write_all(&message(b'R', &3i32.to_be_bytes()))
        .await
        .unwrap();
    let (tag, body) = read_frontend(&mut stream).await.unwrap();
    assert_eq!(tag, b'p');
    if cstrs(&body)[0] != PASSWORD {
        let e = error(
            "28000",
            "password authentication failed for user \"crate\"",
            "FATAL",
        );
        stream.write_all(&e).await.unwrap();
        return;
    }
    let mut out = message(b'R', &0i32.to_be_bytes());
    out.extend(parameter_status("crate_version", "6.4.2"));
    out.extend(parameter_status("server_version", "14.0"));
    out.extend(parameter_status("datestyle", "ISO"));
    let mut key = 42i32.to_be_bytes().to_vec();
    key.extend_from_slice(&7i32.to_be_bytes());
    out.extend(message(b'K', &key));
    out.extend(ready(b'I'));
    stream.write_all(&out).await.unwrap();

    let mut statements: HashMap<String, String> = HashMap::new();
    let mut portal_sql = String::new();
    let mut portal_param: Option<String> = None;
    let mut wide_sent = 0usize;
    let mut failed = false;
    let mut status = b'I';
    // As CrateDB 6.4 does after a write: its ReadyForQuery goes out once the write has run
    // (here: 100 ms later), and the replies of a command pipelined meanwhile overtake it.
    let mut held_ready: Option<Vec<u8>> = None;
    // As CrateDB does with writes: an `Execute` of `INSERT INTO bulk` is parked and answered at
    // the `Sync`; an error before it (a failed `Bind`) throws the parked writes away.
    let mut parked: Vec<u8> = Vec::new();
    let mut parked_rows = 0usize;
    loop {
        let next = if held_ready.is_some() {
            let read = tokio::time::timeout(
                std::time::Duration::from_millis(100),
                read_frontend(&mut stream),
            )
            .await;
            if let Ok(next) = read {
                next
            } else {
                stream.write_all(&held_ready.take().unwrap()).await.unwrap();
                continue;
            }
        } else {
            read_frontend(&mut stream).await
        };
        let Some((tag, body)) = next else {
            return;
        };
        seen.lock().unwrap().tags.push(tag);
        let mut out = Vec::new();
        match tag {
            b'X' => return,
            b'S' => {
                let ready = ready(if failed { b'E' } else { status });
                failed = false;
                status = b'I';
                if let Some(earlier) = held_ready.take() {
                    out.extend(earlier);
                }
                out.append(&mut parked);
                parked_rows = 0;
                if portal_sql.starts_with("INSERT") {
                    held_ready = Some(ready);
                } else {
                    out.extend(ready);
                }
            }
            b'H' => {}
            _ if failed => {}
            b'P' => {
                let parts = cstrs(&body);
                seen.lock().unwrap().parsed.push(parts[1].clone());
                if parts[1].starts_with("FAIL AT PARSE") {
                    out.extend(error("42601", "line 1:1: mismatched input 'FAIL'", "ERROR"));
                    failed = true;
                } else {
                    statements.insert(parts[0].clone(), parts[1].clone());
                    out.extend(message(b'1', &[]));
                }
            }
            b'D' => {
                let name = cstrs(&body[1..])[0].clone();
                let sql = statements.get(&name).cloned().unwrap_or_default();
                out.extend(message(b't', &0u16.to_be_bytes()));
                if sql.starts_with("SELECT rows") {
                    out.extend(row_description(&[
                        ("n", 23),
                        ("t", 1043),
                        ("o", 114),
                        ("a", 1015),
                        ("ts", 1184),
                    ]));
                } else if sql.starts_with("SELECT wide")
                    || sql.starts_with("/*")
                    || sql.starts_with("SELECT flaky")
                {
                    out.extend(row_description(&[("n", 23)]));
                } else {
                    out.extend(message(b'n', &[]));
                }
            }
            b'B' => {
                let parts = cstrs(&body);
                portal_sql = statements.get(&parts[1]).cloned().unwrap_or_default();
                portal_param = first_param(&body);
                wide_sent = 0;
                if portal_sql.starts_with("INSERT INTO bulk")
                    && portal_param.as_deref() == Some("66")
                {
                    // A value CrateDB cannot bind, as CrateDB 6.4 answers it: the parked rows'
                    // BindCompletes, the error, and nothing more up to the `Sync` (the parked
                    // writes are thrown away and the rest is skipped).
                    for _ in 0..parked_rows {
                        out.extend(message(b'2', &[]));
                    }
                    parked_rows = 0;
                    out.extend(error(
                        "22P02",
                        "Cannot cast value `66` to type `text`",
                        "ERROR",
                    ));
                    parked.clear();
                    failed = true;
                } else if portal_sql.starts_with("INSERT INTO bulk") {
                    // CrateDB 6.4 holds a parked row's BindComplete with its result: each row
                    // is answered BindComplete, then CommandComplete or ErrorResponse.
                    parked.extend(message(b'2', &[]));
                    parked_rows += 1;
                } else {
                    out.extend(message(b'2', &[]));
                }
            }
            b'E' => {
                let max_rows = i32::from_be_bytes(body[body.len() - 4..].try_into().unwrap());
                let sql = portal_sql.as_str();
                if sql.starts_with("SELECT rows") {
                    out.extend(data_row(&[
                        Some("1"),
                        Some("one"),
                        Some(r#"{"a": {"b": [1, 2]}}"#),
                        Some(r#"{x,"y z",NULL}"#),
                        Some("2021-03-09 09:00:00.123+00"),
                    ]));
                    out.extend(data_row(&[Some("2"), None, None, None, None]));
                    out.extend(command_complete("SELECT 2"));
                } else if sql.starts_with("SELECT wide") {
                    let page = usize::try_from(max_rows).unwrap_or(0);
                    let end = if page == 0 {
                        WIDE_ROWS
                    } else {
                        (wide_sent + page).min(WIDE_ROWS)
                    };
                    for i in wide_sent..end {
                        out.extend(data_row(&[Some(&i.to_string())]));
                    }
                    wide_sent = end;
                    if end < WIDE_ROWS {
                        out.extend(message(b's', &[]));
                    } else {
                        out.extend(command_complete(&format!("SELECT {WIDE_ROWS}")));
                    }
                } else if sql.starts_with("/*") {
                    out.extend(data_row(&[Some("1")]));
                    out.extend(command_complete("/* 1"));
                } else if sql.starts_with("INSERT INTO bulk") {
                    // Row with id 2 fails inside the bulk operation: -3, not an error; row 77
                    // fails with an error of its own (a value CrateDB cannot convert).
                    if portal_param.as_deref() == Some("77") {
                        parked.extend(error(
                            "XX000",
                            "Cannot cast value `77` to type `integer`",
                            "ERROR",
                        ));
                    } else if portal_param.as_deref() == Some("2") {
                        parked.extend(command_complete("INSERT 0 -3"));
                    } else {
                        parked.extend(command_complete("INSERT 0 1"));
                    }
                } else if sql.starts_with("INSERT INTO plain") {
                    out.extend(command_complete("INSERT 0 1"));
                } else if sql.starts_with("UPDATE") {
                    out.extend(command_complete("UPDATE -2"));
                } else if sql.starts_with("BEGIN") {
                    out.extend(command_complete("BEGIN"));
                    status = b'T';
                } else if sql.starts_with("SELECT flaky") {
                    // A node of the cluster just left: CrateDB fails the read (over pgwire
                    // without the exception's name) until the others drop it; here for the
                    // first two attempts, counted across connections by their Parses.
                    let attempts = seen
                        .lock()
                        .unwrap()
                        .parsed
                        .iter()
                        .filter(|q| q.starts_with("SELECT flaky"))
                        .count();
                    if attempts <= 2 {
                        out.extend(error(
                            "XX000",
                            "[node-1][127.0.0.1:4300] Node not connected",
                            "ERROR",
                        ));
                        failed = true;
                    } else {
                        out.extend(data_row(&[Some("7")]));
                        out.extend(command_complete("SELECT 1"));
                    }
                } else if sql.starts_with("FAIL") {
                    out.extend(error("XX000", "\"name\" must not be null", "ERROR"));
                    failed = true;
                } else {
                    out.extend(command_complete("OK 0"));
                }
            }
            b'C' => out.extend(message(b'3', &[])),
            other => panic!("unexpected frontend message {}", char::from(other)),
        }
        if !out.is_empty() {
            stream.write_all(&out).await.unwrap();
        }
    }
}

async fn peer() -> (String, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let shared = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, Arc::clone(&shared)));
        }
    });
    (
        // The scripted peer answers in the text format only.
        format!(
            "crate+pg://crate:{PASSWORD}@127.0.0.1:{port}/doc?allow_cleartext_password=true\
             &binary_results=false"
        ),
        seen,
    )
}

#[tokio::test]
async fn cleartext_auth_crate_version_and_startup_parameters() {
    let (url, seen) = peer().await;
    let url = format!("{url}&application_name=peer-test&options=-c%20statement_timeout%3D5000");
    let conn = CrateDbConnection::connect(&url).await.unwrap();
    assert_eq!(conn.crate_version(), Some("6.4.2"));
    assert!(conn.server_is_cratedb());
    assert_eq!(conn.server_parameter("server_version"), Some("14.0"));
    {
        let s = seen.lock().unwrap();
        assert_eq!(s.startup["user"], "crate");
        assert_eq!(s.startup["database"], "doc");
        assert_eq!(s.startup["application_name"], "peer-test");
        assert_eq!(s.startup["options"], "-c statement_timeout=5000");
    }
    conn.close().await.unwrap();

    let bad = url.replace(PASSWORD, "wrong");
    let err = CrateDbConnection::connect(&bad).await.unwrap_err();
    let db = err.as_database_error().unwrap();
    assert_eq!(db.code().as_deref(), Some("28000"));
    let db = db
        .try_downcast_ref::<sqlx_cratedb::CrateDbDatabaseError>()
        .unwrap();
    assert!(db.is_authentication_error());
}

#[tokio::test]
async fn rows_odd_tags_and_negative_counts() {
    let (url, _) = peer().await;
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let rows = sqlx::query("SELECT rows")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].get::<i32, _>("n"), 1);
    assert_eq!(rows[0].get::<String, _>("t"), "one");
    assert_eq!(
        rows[0].get::<serde_json::Value, _>("o"),
        json!({"a": {"b": [1, 2]}})
    );
    assert_eq!(
        rows[0].get::<Vec<Option<String>>, _>("a"),
        vec![Some("x".to_owned()), Some("y z".to_owned()), None]
    );
    assert_eq!(
        rows[0]
            .get::<chrono::DateTime<chrono::Utc>, _>("ts")
            .timestamp_millis(),
        1_615_280_400_123
    );
    assert_eq!(rows[1].get::<Option<String>, _>("t"), None);
    // A leading comment makes the tag `/* 1`.
    let n: i32 = sqlx::query_scalar("/* ping */ SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
    // `UPDATE -2`: CrateDB does not know the count.
    let r = sqlx::query("UPDATE t SET a = 1")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 0);
    assert_eq!(r.rowcount(), None);
}

#[tokio::test]
async fn ready_for_query_t_and_e_are_harmless_and_errors_lack_a_position() {
    let (url, seen) = peer().await;
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    // BEGIN answers ReadyForQuery `T`; the connection carries on.
    sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
    conn.ping().await.unwrap();
    // An XX000 error, classified by its message, then ReadyForQuery `E`.
    let err = sqlx::query("FAIL").execute(&mut conn).await.unwrap_err();
    let db = err.as_database_error().unwrap();
    assert_eq!(db.code().as_deref(), Some("XX000"));
    assert_eq!(db.kind(), sqlx::error::ErrorKind::NotNullViolation);
    let err = sqlx::query("FAIL AT PARSE")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("42601")
    );
    let r: i32 = sqlx::query_scalar("/* again */ SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(r, 1);
    // A pooled "transaction" never sends ROLLBACK.
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("UPDATE t SET a = 2")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let s = seen.lock().unwrap();
    assert!(
        s.parsed
            .iter()
            .all(|q| !q.to_uppercase().contains("ROLLBACK")),
        "{:?}",
        s.parsed
    );
}

#[tokio::test]
async fn bulk_reports_a_failed_item_by_index_and_batches_per_sync() {
    let (url, seen) = peer().await;
    let url = format!("{url}&bulk_rows=4");
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let rows = (0..6).map(|i| CrateDbArguments::default().bind(i).bind("v"));
    let result = conn
        .execute_bulk("INSERT INTO bulk (id, v) VALUES ($1, $2)", rows)
        .await
        .unwrap();
    assert_eq!(result.requests(), 2);
    assert_eq!(result.rows().len(), 6);
    for (i, row) in result.rows().iter().enumerate() {
        if i == 2 {
            let CrateDbBulkRow::Failed(e) = row else {
                panic!("row 2: {row:?}");
            };
            assert_eq!(e.row_index(), Some(2));
        } else {
            // CrateDB: the other rows of the same batch land (no transaction).
            assert_eq!(*row, CrateDbBulkRow::Applied(Some(1)), "row {i}");
        }
    }
    assert_eq!(result.rows_affected(), 5);
    // Per chunk: Close of the previous chunk's statement, one Parse, N x (Bind, Execute), Sync;
    // the second chunk only after the first one's ReadyForQuery (the peer holds that back and
    // lets a pipelined chunk's replies overtake it, as CrateDB does).
    let s = seen.lock().unwrap();
    let tags: String = s.tags.iter().map(|&t| char::from(t)).collect();
    assert!(tags.ends_with("CPBEBEBEBESCPBEBES"), "{tags}");
}

/// CrateDB answers a failed `Bind` at once, before the parked `Execute`s of the rows before it
/// (which it then throws away): the error belongs to the failing row, not to the batch's first.
#[tokio::test]
async fn bulk_reports_a_bind_error_at_its_row() {
    let (url, _seen) = peer().await;
    let mut conn = CrateDbConnection::connect(&format!("{url}&bulk_rows=4"))
        .await
        .unwrap();
    let rows = [0, 1, 2, 3, 4, 5, 66, 7].map(|i| CrateDbArguments::default().bind(i).bind("v"));
    let result = conn
        .execute_bulk("INSERT INTO bulk (id, v) VALUES ($1, $2)", rows)
        .await
        .unwrap();
    let rows = result.rows();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[0], CrateDbBulkRow::Applied(Some(1)));
    assert!(matches!(&rows[2], CrateDbBulkRow::Failed(e) if e.row_index() == Some(2)));
    assert_eq!(rows[3], CrateDbBulkRow::Applied(Some(1)));
    // Parked before the failed `Bind`, thrown away by the server.
    assert_eq!(rows[4], CrateDbBulkRow::NotExecuted);
    assert_eq!(rows[5], CrateDbBulkRow::NotExecuted);
    let CrateDbBulkRow::Failed(e) = &rows[6] else {
        panic!("row 6: {:?}", rows[6]);
    };
    assert_eq!(e.row_index(), Some(6));
    assert_eq!(e.sqlstate(), Some("22P02"));
    assert_eq!(rows[7], CrateDbBulkRow::NotExecuted);
    // The connection stays in step.
    let (n,): (i32,) = sqlx::query_as("SELECT rows")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// An argument that cannot be encoded after a batch was sent: the sent batch is reported, the
/// rest is `NotExecuted`, the encode error recorded (an `Err` would hide applied rows).
#[tokio::test]
async fn bulk_encode_error_after_a_sent_batch_keeps_its_rows() {
    let (url, _seen) = peer().await;
    let mut conn = CrateDbConnection::connect(&format!("{url}&bulk_rows=2"))
        .await
        .unwrap();
    let mut rows: Vec<_> = (0..6)
        .map(|i| CrateDbArguments::default().bind(i).bind("v"))
        .collect();
    rows[3] = CrateDbArguments::default().bind(u64::MAX).bind("v");
    let result = conn
        .execute_bulk("INSERT INTO bulk (id, v) VALUES ($1, $2)", rows)
        .await
        .unwrap();
    let rows = result.rows();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0], CrateDbBulkRow::Applied(Some(1)));
    assert_eq!(rows[1], CrateDbBulkRow::Applied(Some(1)));
    assert!(
        rows[2..].iter().all(|r| *r == CrateDbBulkRow::NotExecuted),
        "{rows:?}"
    );
    let error = result.request_error().unwrap();
    assert!(matches!(error, sqlx::Error::Encode(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("bulk row 3"), "{message}");
    let (n,): (i32,) = sqlx::query_as("SELECT rows")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn reads_stream_through_suspended_portals() {
    let (url, seen) = peer().await;
    let url = format!("{url}&fetch_size=10");
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let rows: Vec<i32> = sqlx::query_scalar::<_, i32>("SELECT wide")
        .fetch(&mut conn)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows, (0..25).collect::<Vec<i32>>());
    // A second run uses the cached statement (no Parse), and a stream dropped after one row
    // leaves the connection in step.
    {
        let mut stream = sqlx::query_scalar::<_, i32>("SELECT wide").fetch(&mut conn);
        assert_eq!(stream.try_next().await.unwrap(), Some(0));
    }
    let n: i32 = sqlx::query_scalar("/* after */ SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let s = seen.lock().unwrap();
    assert_eq!(s.parsed.iter().filter(|q| *q == "SELECT wide").count(), 1);
    // Parse, Describe, Bind, Execute, Flush; two more Execute + Flush; then Sync. The second
    // run: Bind, Execute, Flush, and the Sync the next command sent for the dropped stream.
    let tags: String = s.tags.iter().map(|&t| char::from(t)).collect();
    assert!(tags.contains("PDBEHEHEHSBEHS"), "{tags}");
}

#[tokio::test]
async fn sqlx_any_selects_the_pgwire_transport_by_the_crate_pg_scheme() {
    sqlx::any::install_drivers(&[sqlx_cratedb::any::DRIVER]).unwrap();
    let (url, seen) = peer().await;
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    assert_eq!(pool.connect_options().database_url.scheme(), "crate+pg");
    let row = sqlx::query("SELECT rows").fetch_one(&pool).await.unwrap();
    assert_eq!(row.get::<i32, _>(0), 1);
    assert_eq!(row.get::<String, _>(1), "one");
    let r = sqlx::query("UPDATE t SET a = $1")
        .bind(5_i32)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 0);
    pool.close().await;
    assert_eq!(seen.lock().unwrap().startup["database"], "doc");
}

/// A command after a write waits for the write's `ReadyForQuery`: CrateDB sends it once the
/// write has run and lets the replies of a command pipelined meanwhile overtake it, which read
/// as `ReadyForQuery before CommandComplete` (the peer does the same).
#[tokio::test]
async fn a_command_after_a_write_waits_for_its_ready_for_query() {
    let (url, _seen) = peer().await;
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    for _ in 0..3 {
        let done = sqlx::query("INSERT INTO plain (id) VALUES ($1)")
            .bind(1)
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 1);
        let rows = sqlx::query("SELECT rows")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
    }
}

/// A row failing at execution (an error right after its own `BindComplete`, as CrateDB answers
/// each row of a batch) is that row's error: the rows around it keep their own results.
#[tokio::test]
async fn bulk_reports_an_execution_error_at_its_row() {
    let (url, _seen) = peer().await;
    let mut conn = CrateDbConnection::connect(&format!("{url}&bulk_rows=4"))
        .await
        .unwrap();
    let rows = [0, 77, 3, 4, 5].map(|i| CrateDbArguments::default().bind(i).bind("v"));
    let result = conn
        .execute_bulk("INSERT INTO bulk (id, v) VALUES ($1, $2)", rows)
        .await
        .unwrap();
    let rows = result.rows();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0], CrateDbBulkRow::Applied(Some(1)));
    let CrateDbBulkRow::Failed(e) = &rows[1] else {
        panic!("row 1: {:?}", rows[1]);
    };
    assert_eq!(e.row_index(), Some(1));
    assert!(e.to_string().contains("77"), "{e}");
    for (i, row) in rows.iter().enumerate().skip(2) {
        assert_eq!(*row, CrateDbBulkRow::Applied(Some(1)), "row {i}");
    }
}

/// A read failing because a node just left (`Node not connected`) is retried after a pause,
/// on a fresh connection, until the cluster has dropped the node.
#[tokio::test]
async fn a_read_failing_because_a_node_left_is_retried_after_a_pause() {
    let (url, seen) = peer().await;
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let started = std::time::Instant::now();
    let n: i32 = sqlx::query_scalar("SELECT flaky")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 7);
    let parses = seen
        .lock()
        .unwrap()
        .parsed
        .iter()
        .filter(|q| q.starts_with("SELECT flaky"))
        .count();
    assert_eq!(parses, 3);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "paused between rounds"
    );
}
