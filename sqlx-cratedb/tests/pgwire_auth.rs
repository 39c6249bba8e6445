//! pgwire authentication against a scripted peer: a cleartext password is never sent without
//! TLS unless the user opted in (`allow_cleartext_password`), `sslmode=prefer` warns when it
//! falls back to plain text and keeps that rule, MD5 is allowed (a salted hash), a trusted user
//! needs no opt-in, and SCRAM-SHA-256 requires the server's verified signature before
//! `AuthenticationOk`.

#![cfg(feature = "pgwire")]
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use sqlx::Connection as _;
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbConnection, CrateDbPem};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpListener;

const PASSWORD: &str = "S3kr1t-Pa55";
const SSL_REQUEST: i32 = 80_877_103;

/// What the peer asks for after the startup message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// `AuthenticationOk` at once (CrateDB's `crate` on loopback).
    Trust,
    /// `AuthenticationCleartextPassword` (CrateDB's only password method).
    Cleartext,
    /// `AuthenticationMD5Password`.
    Md5,
    /// SCRAM-SHA-256, then `AuthenticationOk` without `AuthenticationSASLFinal`.
    ScramSkipFinal,
    /// SCRAM-SHA-256 with a server signature that is not valid.
    ScramBadSignature,
}

/// How the peer answers `SSLRequest`.
enum Tls {
    Decline,
    Accept(tokio_rustls::TlsAcceptor),
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Password messages (`p`) the peer received, as text.
type Received = Arc<Mutex<Vec<String>>>;

fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn auth(code: i32, data: &[u8]) -> Vec<u8> {
    let mut body = code.to_be_bytes().to_vec();
    body.extend_from_slice(data);
    message(b'R', &body)
}

async fn read_frontend(s: &mut dyn Stream) -> Option<(u8, Vec<u8>)> {
    let tag = s.read_u8().await.ok()?;
    let len = s.read_u32().await.ok()?;
    let mut body = vec![0; usize::try_from(len).unwrap() - 4];
    s.read_exact(&mut body).await.ok()?;
    Some((tag, body))
}

/// `SSLRequest` (answered per `tls`), then the startup message.
async fn open(mut tcp: tokio::net::TcpStream, tls: &Tls) -> Box<dyn Stream> {
    let len = tcp.read_u32().await.unwrap();
    let code = tcp.read_i32().await.unwrap();
    if code != SSL_REQUEST {
        let mut rest = vec![0; usize::try_from(len).unwrap() - 8];
        tcp.read_exact(&mut rest).await.unwrap();
        return Box::new(tcp);
    }
    let mut stream: Box<dyn Stream> = match tls {
        Tls::Decline => {
            tcp.write_all(b"N").await.unwrap();
            Box::new(tcp)
        }
        Tls::Accept(acceptor) => {
            tcp.write_all(b"S").await.unwrap();
            Box::new(acceptor.accept(tcp).await.unwrap())
        }
    };
    let len = stream.read_u32().await.unwrap();
    let mut rest = vec![0; usize::try_from(len).unwrap() - 4];
    stream.read_exact(&mut rest).await.unwrap();
    stream
}

/// The SCRAM exchange up to the client's final message; returns false if the client gave up.
async fn scram(s: &mut dyn Stream, received: &Received) -> bool {
    s.write_all(&auth(10, b"SCRAM-SHA-256\0\0")).await.unwrap();
    let Some((b'p', body)) = read_frontend(s).await else {
        return false;
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let nonce = text.split("r=").nth(1).unwrap().trim_end_matches('\0');
    received.lock().unwrap().push(text.clone());
    let first = format!("r={nonce}peer,s=c2FsdHNhbHQ=,i=4096");
    s.write_all(&auth(11, first.as_bytes())).await.unwrap();
    let Some((b'p', body)) = read_frontend(s).await else {
        return false;
    };
    received
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&body).into_owned());
    true
}

async fn serve(tcp: tokio::net::TcpStream, tls: Arc<Tls>, mode: Auth, received: Received) {
    let mut s = open(tcp, &tls).await;
    let s = s.as_mut();
    match mode {
        Auth::Trust => {}
        Auth::Cleartext | Auth::Md5 => {
            let request = if mode == Auth::Cleartext {
                auth(3, &[])
            } else {
                auth(5, b"salt")
            };
            s.write_all(&request).await.unwrap();
            let Some((b'p', body)) = read_frontend(s).await else {
                return;
            };
            received
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).trim_end_matches('\0').into());
        }
        Auth::ScramSkipFinal | Auth::ScramBadSignature => {
            if !scram(s, &received).await {
                return;
            }
            if mode == Auth::ScramBadSignature {
                let bad = format!("v={}", "A".repeat(43) + "=");
                s.write_all(&auth(12, bad.as_bytes())).await.unwrap();
            }
        }
    }
    let mut out = auth(0, &[]);
    out.extend(message(b'S', b"crate_version\x006.4.2\0"));
    let mut key = 42i32.to_be_bytes().to_vec();
    key.extend_from_slice(&7i32.to_be_bytes());
    out.extend(message(b'K', &key));
    out.extend(message(b'Z', b"I"));
    if s.write_all(&out).await.is_err() {
        return;
    }
    while let Some((tag, _)) = read_frontend(s).await {
        match tag {
            b'S' => s.write_all(&message(b'Z', b"I")).await.unwrap(),
            b'X' => return,
            _ => {}
        }
    }
}

/// A peer on a fresh port; returns the port and the password messages it receives.
async fn peer(mode: Auth, tls: Tls) -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Received::default();
    let shared = Arc::clone(&received);
    let tls = Arc::new(tls);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve(tcp, Arc::clone(&tls), mode, Arc::clone(&shared)));
        }
    });
    (port, received)
}

fn url(port: u16, query: &str) -> String {
    format!("crate+pg://crate:{PASSWORD}@127.0.0.1:{port}/doc{query}")
}

/// Display and Debug of `err`, asserted free of the password.
fn shown(err: &sqlx::Error) -> String {
    let text = format!("{err} {err:?}");
    assert!(!text.contains(PASSWORD), "the password leaks: {text}");
    text
}

#[tokio::test]
async fn a_cleartext_password_is_refused_without_tls_unless_opted_in() {
    let (port, received) = peer(Auth::Cleartext, Tls::Decline).await;
    let err = CrateDbConnection::connect(&url(port, ""))
        .await
        .unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, sqlx::Error::Configuration(_)), "{err:?}");
    for needle in [
        "cleartext",
        "not encrypted",
        "allow_cleartext_password=true",
        "allow_cleartext_password(true)",
        "sslmode=require",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    assert!(received.lock().unwrap().is_empty(), "nothing was sent");

    // Opting in by URL or by builder sends it.
    let conn = CrateDbConnection::connect(&url(port, "?allow_cleartext_password=true"))
        .await
        .unwrap();
    conn.close().await.unwrap();
    let opts: CrateDbConnectOptions = url(port, "").parse().unwrap();
    let mut conn = CrateDbConnection::connect_with(&opts.allow_cleartext_password(true))
        .await
        .unwrap();
    conn.ping().await.unwrap();
    conn.close().await.unwrap();
    assert_eq!(*received.lock().unwrap(), [PASSWORD, PASSWORD]);
}

#[tokio::test]
async fn a_trusted_user_and_a_user_without_password_need_no_opt_in() {
    // CrateDB's `crate` on loopback: no password asked, even when one is configured.
    let (port, _) = peer(Auth::Trust, Tls::Decline).await;
    for url in [
        url(port, ""),
        format!("crate+pg://crate@127.0.0.1:{port}/doc"),
    ] {
        let mut conn = CrateDbConnection::connect(&url).await.unwrap();
        conn.ping().await.unwrap();
        conn.close().await.unwrap();
    }
    // No password configured: nothing to protect, the (empty) answer is sent.
    let (port, received) = peer(Auth::Cleartext, Tls::Decline).await;
    let conn = CrateDbConnection::connect(&format!("crate+pg://crate@127.0.0.1:{port}/doc"))
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert_eq!(*received.lock().unwrap(), [""]);
}

#[tokio::test]
async fn md5_is_answered_without_tls_with_a_hash_not_the_password() {
    let (port, received) = peer(Auth::Md5, Tls::Decline).await;
    let conn = CrateDbConnection::connect(&url(port, "")).await.unwrap();
    conn.close().await.unwrap();
    let sent = received.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].starts_with("md5") && !sent[0].contains(PASSWORD),
        "{sent:?}"
    );
}

#[tokio::test]
async fn scram_without_the_server_signature_is_refused() {
    let (port, received) = peer(Auth::ScramSkipFinal, Tls::Decline).await;
    let err = CrateDbConnection::connect(&url(port, ""))
        .await
        .unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, sqlx::Error::Protocol(_)), "{err:?}");
    assert!(
        text.contains("SASLFinal") && text.contains("never proved"),
        "{text}"
    );
    // The exchange ran to the client's proof: the refusal is the missing SASLFinal.
    assert_eq!(received.lock().unwrap().len(), 2);

    let (port, _) = peer(Auth::ScramBadSignature, Tls::Decline).await;
    let err = CrateDbConnection::connect(&url(port, ""))
        .await
        .unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, sqlx::Error::Protocol(_)), "{err:?}");
    assert!(text.contains("signature is not valid"), "{text}");
}

/// Warnings of `sqlx_cratedb`, for the `sslmode=prefer` fallback.
struct Warnings(Mutex<Vec<String>>);

impl log::Log for Warnings {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Warn
    }
    fn log(&self, r: &log::Record<'_>) {
        if r.level() <= log::Level::Warn && r.target().starts_with("sqlx_cratedb") {
            self.0.lock().unwrap().push(r.args().to_string());
        }
    }
    fn flush(&self) {}
}

static WARNINGS: Warnings = Warnings(Mutex::new(Vec::new()));

fn fallback_warnings(port: u16) -> usize {
    let needle = format!("127.0.0.1:{port} declined TLS");
    WARNINGS
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|w| w.contains(&needle) && w.contains("WITHOUT encryption"))
        .count()
}

#[tokio::test]
async fn sslmode_prefer_warns_when_it_falls_back_and_still_refuses_cleartext() {
    let _ = log::set_logger(&WARNINGS);
    log::set_max_level(log::LevelFilter::Warn);
    let (port, received) = peer(Auth::Cleartext, Tls::Decline).await;
    let err = CrateDbConnection::connect(&url(port, "?sslmode=prefer"))
        .await
        .unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, sqlx::Error::Configuration(_)), "{err:?}");
    assert!(
        text.contains("sslmode=prefer") && text.contains("declined TLS"),
        "{text}"
    );
    assert_eq!(fallback_warnings(port), 1);
    assert!(received.lock().unwrap().is_empty());
    let conn =
        CrateDbConnection::connect(&url(port, "?sslmode=prefer&allow_cleartext_password=true"))
            .await
            .unwrap();
    conn.close().await.unwrap();
    assert_eq!(fallback_warnings(port), 2);

    // A trusted user falls back too, with the warning.
    let (port, _) = peer(Auth::Trust, Tls::Decline).await;
    let conn = CrateDbConnection::connect(&url(port, "?sslmode=prefer"))
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert_eq!(fallback_warnings(port), 1);
}

#[tokio::test]
async fn over_tls_a_cleartext_password_is_sent_without_opting_in() {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (port, received) = peer(Auth::Cleartext, Tls::Accept(acceptor)).await;
    for query in ["?sslmode=require", "?sslmode=prefer"] {
        let opts: CrateDbConnectOptions = url(port, query).parse().unwrap();
        let opts = opts.root_cert(CrateDbPem::Pem(cert.pem().into_bytes()));
        let mut conn = CrateDbConnection::connect_with(&opts).await.unwrap();
        conn.ping().await.unwrap();
        conn.close().await.unwrap();
    }
    assert_eq!(*received.lock().unwrap(), [PASSWORD, PASSWORD]);
}
