//! HTTPS against an in-process `/_sql` peer with certificates made for the test: verification
//! on by default, a custom CA, a client certificate.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{Handler, Recorded, Reply, result_set};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use sqlx::Connection;
use sqlx_cratedb::{CrateDbConnectOptions, CrateDbConnection, CrateDbPem};
use tokio::net::TcpListener;

struct Pki {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivateKeyDer<'static>,
    client_cert_pem: String,
    client_key_pem: String,
    ca_der: CertificateDer<'static>,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = CertificateParams::new(vec!["client".to_owned()])
        .unwrap()
        .signed_by(&client_key, &ca)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_chain: vec![server.der().clone()],
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        client_cert_pem: client.pem(),
        client_key_pem: client_key.serialize_pem(),
        ca_der: ca.der().clone(),
    }
}

/// A TLS peer; with `client_ca` it requires a client certificate signed by it.
async fn tls_peer(
    pki: &Pki,
    require_client_cert: bool,
) -> (u16, Arc<std::sync::Mutex<Vec<Recorded>>>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = if require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca_der.clone()).unwrap();
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let config = builder
        .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Arc<std::sync::Mutex<Vec<Recorded>>> = Arc::default();
    let handler: Handler = Arc::new(|rec: &Recorded| {
        common::ping(rec)
            .unwrap_or_else(|| Reply::Json(200, result_set(&["tls"], json!([3]), json!([[true]]))))
    });
    let log2 = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let handler = handler.clone();
            let log = log2.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(move |req| common::handle(req, handler.clone(), log.clone()));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    (port, log)
}

#[tokio::test]
async fn https_with_a_custom_ca_from_a_file() {
    let pki = pki();
    let (port, log) = tls_peer(&pki, false).await;
    let path = std::env::temp_dir().join(format!("sqlx-cratedb-ca-{}.pem", std::process::id()));
    std::fs::write(&path, &pki.ca_pem).unwrap();
    let url = format!(
        "crate+https://127.0.0.1:{port}/doc?sslrootcert={}",
        path.display()
    );
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let ok: bool = sqlx::query_scalar("SELECT tls")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(ok);
    assert!(
        log.lock()
            .unwrap()
            .iter()
            .all(|r| r.header("default-schema") == Some("doc"))
    );
    conn.close().await.unwrap();
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn verification_is_on_by_default() {
    let pki = pki();
    let (port, log) = tls_peer(&pki, false).await;
    let err = CrateDbConnection::connect(&format!("crate+https://127.0.0.1:{port}"))
        .await
        .unwrap_err();
    assert!(matches!(err, sqlx::Error::Io(_)), "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing was sent to an unverified server"
    );
}

#[tokio::test]
async fn verification_off_must_be_asked_for_and_then_accepts_an_unknown_ca() {
    let pki = pki();
    let (port, log) = tls_peer(&pki, false).await;
    // The same server that `verification_is_on_by_default` refuses, with crate-python's name.
    let url = format!("crate+https://127.0.0.1:{port}/doc?verify_ssl_cert=false");
    let mut conn = CrateDbConnection::connect(&url).await.unwrap();
    let ok: bool = sqlx::query_scalar("SELECT tls")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(ok);
    assert!(!log.lock().unwrap().is_empty());
    conn.close().await.unwrap();
}

#[tokio::test]
async fn client_certificates_authenticate() {
    let pki = pki();
    let (port, _) = tls_peer(&pki, true).await;
    let base = CrateDbConnectOptions::new()
        .host("127.0.0.1", port)
        .tls(true)
        .root_cert(CrateDbPem::Pem(pki.ca_pem.clone().into_bytes()));
    assert!(
        CrateDbConnection::connect_with(&base).await.is_err(),
        "a client cert is required"
    );
    let with_cert = base.client_cert(
        CrateDbPem::Pem(pki.client_cert_pem.clone().into_bytes()),
        CrateDbPem::Pem(pki.client_key_pem.clone().into_bytes()),
    );
    let mut conn = CrateDbConnection::connect_with(&with_cert).await.unwrap();
    let ok: bool = sqlx::query_scalar("SELECT tls")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(ok);
    assert!(!format!("{with_cert:?}").contains("PRIVATE KEY"));
}

#[tokio::test]
async fn unreadable_tls_files_are_configuration_errors() {
    let err =
        CrateDbConnection::connect("crate+https://127.0.0.1:1?sslrootcert=/nonexistent/ca.pem")
            .await
            .unwrap_err();
    assert!(matches!(err, sqlx::Error::Configuration(_)), "{err:?}");
}
