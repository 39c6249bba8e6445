//! Tests of the throwaway-PostgreSQL support itself (`cratedb_integration::pg`): real servers,
//! real connections with tokio-postgres (rustls for TLS), assertions on what the server reports.
//!
//! Needs PostgreSQL's server binaries (`tests/scripts/ensure-postgres.sh`); without them each
//! test prints a skip line, or fails with `CI=true`.

// Test code: the helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::error::Error as _;
use std::io;
use std::path::Path;
use std::sync::Arc;

use cratedb_integration::SupportError;
use cratedb_integration::pg::{
    PgAuth, PgCluster, PgServer, PgServerConfig, PgTls, processes_in, shm_exists,
};
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

// ---------------------------------------------------------------------------------------------
// helpers

fn config_for(server: &PgServer, password: &str) -> Config {
    let mut config = Config::new();
    config
        .host(server.host())
        .port(server.port())
        .user(server.user())
        .password(password)
        .dbname(server.database())
        .ssl_mode(SslMode::Disable);
    config
}

async fn connect_plain(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

async fn connect(server: &PgServer) -> Client {
    connect_plain(&config_for(server, server.password()))
        .await
        .unwrap()
}

/// A rustls client trusting only the server's generated CA, optionally presenting the
/// generated client certificate.
fn rustls_connector(ca: &Path, client_cert: Option<(&Path, &Path)>) -> MakeRustlsConnect {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
    let config = match client_cert {
        Some((cert, key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            let key = PrivateKeyDer::from_pem_file(key).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    MakeRustlsConnect::new(config)
}

async fn connect_tls(
    config: &Config,
    tls: MakeRustlsConnect,
) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(tls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

fn io_kind(error: &tokio_postgres::Error) -> Option<io::ErrorKind> {
    error
        .source()
        .and_then(|source| source.downcast_ref::<io::Error>())
        .map(io::Error::kind)
}

async fn scalar_string(client: &Client, sql: &str) -> String {
    client.query_one(sql, &[]).await.unwrap().get(0)
}

/// The method of the `host`/`hostssl` rule for 127.0.0.1 as PostgreSQL parsed `pg_hba.conf`.
async fn effective_hba(client: &Client) -> (String, String) {
    let row = client
        .query_one(
            "SELECT type, auth_method FROM pg_hba_file_rules \
             WHERE address = '127.0.0.1' AND error IS NULL",
            &[],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

/// Checks the right password connects, a wrong one fails with 28P01, and what the server says
/// about the method actually used.
async fn check_password_method(auth: PgAuth, method: &str, encryption: &str, verifier: &str) {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new().auth(auth)) else {
        return;
    };
    let client = connect(&server).await;
    assert_eq!(
        effective_hba(&client).await,
        ("host".to_owned(), method.to_owned())
    );
    assert_eq!(
        scalar_string(&client, "SHOW password_encryption").await,
        encryption
    );
    let stored = scalar_string(
        &client,
        "SELECT rolpassword FROM pg_authid WHERE rolname = current_user",
    )
    .await;
    assert!(stored.starts_with(verifier), "stored verifier: {stored}");
    assert_eq!(
        scalar_string(&client, "SELECT current_user || '@' || current_database()").await,
        "crate@doc"
    );

    let wrong = connect_plain(&config_for(&server, "not-the-password"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some(&SqlState::INVALID_PASSWORD), "{wrong}");

    let log = server.read_log().unwrap();
    assert!(
        log.contains(&format!("identity=\"crate\" method={method}")),
        "log does not show method {method}:\n{log}"
    );
}

// ---------------------------------------------------------------------------------------------
// authentication

#[tokio::test]
async fn trust_accepts_any_password() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new().auth(PgAuth::Trust)) else {
        return;
    };
    let client = connect_plain(&config_for(&server, "anything"))
        .await
        .unwrap();
    assert_eq!(
        effective_hba(&client).await,
        ("host".to_owned(), "trust".to_owned())
    );
    let one: i32 = client.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
}

#[tokio::test]
async fn cleartext_password_right_connects_wrong_fails_28p01() {
    check_password_method(
        PgAuth::Password,
        "password",
        "scram-sha-256",
        "SCRAM-SHA-256$",
    )
    .await;
}

#[tokio::test]
async fn md5_stores_md5_verifier_and_authenticates() {
    check_password_method(PgAuth::Md5, "md5", "md5", "md5").await;
}

#[tokio::test]
async fn scram_sha_256_authenticates() {
    check_password_method(
        PgAuth::ScramSha256,
        "scram-sha-256",
        "scram-sha-256",
        "SCRAM-SHA-256$",
    )
    .await;
}

#[test]
fn certificate_auth_without_tls_is_a_config_error() {
    let error = PgServer::start(PgServerConfig::new().auth(PgAuth::Cert)).unwrap_err();
    assert!(matches!(error, SupportError::Config(_)), "{error}");
}

// ---------------------------------------------------------------------------------------------
// TLS

#[tokio::test]
async fn tls_verifies_against_generated_ca_and_plaintext_is_rejected() {
    let config = PgServerConfig::new()
        .auth(PgAuth::Password)
        .tls(PgTls::Required);
    let Some(server) = PgServer::start_or_skip(config) else {
        return;
    };
    let ca = server.ca_cert_path().unwrap();
    let mut config = config_for(&server, server.password());
    config.ssl_mode(SslMode::Require);

    let client = connect_tls(&config, rustls_connector(ca, None))
        .await
        .unwrap();
    let row = client
        .query_one(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0));
    assert!(row.get::<_, String>(1).starts_with("TLSv1."));
    assert_eq!(
        effective_hba(&client).await,
        ("hostssl".to_owned(), "password".to_owned())
    );

    // A client that trusts another CA refuses the server's certificate.
    let other_ca = PgServer::start_or_skip(PgServerConfig::new().tls(PgTls::Enabled)).unwrap();
    let untrusted = connect_tls(
        &config,
        rustls_connector(other_ca.ca_cert_path().unwrap(), None),
    )
    .await
    .unwrap_err();
    assert!(
        format!("{untrusted:?}").contains("UnknownIssuer"),
        "{untrusted:?}"
    );

    // No TLS, no pg_hba.conf entry.
    let plain = connect_plain(&config_for(&server, server.password()))
        .await
        .unwrap_err();
    assert_eq!(
        plain.code(),
        Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION),
        "{plain}"
    );

    // `Enabled` accepts both.
    let mut plain_config = config_for(&other_ca, other_ca.password());
    let plain_client = connect_plain(&plain_config).await.unwrap();
    let ssl: bool = plain_client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!ssl);
    plain_config.ssl_mode(SslMode::Require);
    let tls_client = connect_tls(
        &plain_config,
        rustls_connector(other_ca.ca_cert_path().unwrap(), None),
    )
    .await
    .unwrap();
    let ssl: bool = tls_client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(ssl);
}

#[tokio::test]
async fn client_certificate_authenticates_without_password() {
    let config = PgServerConfig::new()
        .auth(PgAuth::Cert)
        .tls(PgTls::Required);
    let Some(server) = PgServer::start_or_skip(config) else {
        return;
    };
    let ca = server.ca_cert_path().unwrap();
    let cert = server.client_cert_path().unwrap();
    let key = server.client_key_path().unwrap();
    let mut config = config_for(&server, "");
    config.ssl_mode(SslMode::Require);

    let client = connect_tls(&config, rustls_connector(ca, Some((cert, key))))
        .await
        .unwrap();
    let row = client
        .query_one(
            "SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0));
    assert_eq!(row.get::<_, String>(1), "/CN=crate");
    assert_eq!(
        effective_hba(&client).await,
        ("hostssl".to_owned(), "cert".to_owned())
    );

    let without_cert = connect_tls(&config, rustls_connector(ca, None))
        .await
        .unwrap_err();
    assert_eq!(
        without_cert.code(),
        Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION),
        "{without_cert}"
    );
}

// ---------------------------------------------------------------------------------------------
// lifecycle

#[tokio::test]
async fn stop_refuses_connections_and_restart_keeps_port_and_data() {
    let Some(mut server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let port = server.port();
    let client = connect(&server).await;
    client
        .batch_execute("CREATE TABLE kept (id int); INSERT INTO kept VALUES (1), (2), (3);")
        .await
        .unwrap();

    server.stop().unwrap();
    assert!(!server.is_running());
    assert!(server.pid().is_none());
    assert!(client.is_closed() || client.simple_query("SELECT 1").await.is_err());
    let refused = connect_plain(&config_for(&server, server.password()))
        .await
        .unwrap_err();
    assert_eq!(
        io_kind(&refused),
        Some(io::ErrorKind::ConnectionRefused),
        "{refused:?}"
    );
    assert!(server.psql("SELECT 1").is_err());

    server.restart().unwrap();
    assert_eq!(server.port(), port);
    let client = connect(&server).await;
    let count: i64 = client
        .query_one("SELECT count(*) FROM kept", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 3);

    // Restarting a running server stops it first.
    let pid = server.pid();
    server.restart().unwrap();
    assert_ne!(server.pid(), pid);
    assert_eq!(server.port(), port);
    assert_eq!(
        server.psql("SELECT count(*) FROM kept").unwrap().trim(),
        "3"
    );
}

#[tokio::test]
async fn kill_breaks_connections_and_restart_recovers_committed_data() {
    let Some(mut server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let client = connect(&server).await;
    client
        .batch_execute("CREATE TABLE survivors (id int); INSERT INTO survivors VALUES (42);")
        .await
        .unwrap();

    let pid = server.pid().unwrap();
    server.kill().unwrap();
    assert!(!server.is_running());
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
    assert!(processes_in(server.data_dir()).is_empty());
    assert!(client.simple_query("SELECT 1").await.is_err());
    let refused = connect_plain(&config_for(&server, server.password()))
        .await
        .unwrap_err();
    assert_eq!(io_kind(&refused), Some(io::ErrorKind::ConnectionRefused));

    server.restart().unwrap();
    let client = connect(&server).await;
    let id: i32 = client
        .query_one("SELECT id FROM survivors", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(id, 42);
    let log = server.read_log().unwrap();
    assert!(
        log.contains("was interrupted") || log.contains("not properly shut down"),
        "no crash recovery in the log:\n{log}"
    );
}

#[tokio::test]
async fn cluster_of_three_on_distinct_ports_fails_over_by_multi_host_url() {
    let Some(mut cluster) = PgCluster::start_or_skip(3, PgServerConfig::new()) else {
        return;
    };
    let mut ports = cluster.ports();
    assert_eq!(ports.len(), 3);
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(
        ports.len(),
        3,
        "ports are not distinct: {:?}",
        cluster.ports()
    );

    for server in cluster.servers() {
        let client = connect(server).await;
        let port: i32 = client
            .query_one("SELECT inet_server_port()", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(port, i32::from(server.port()));
        assert_eq!(server.password(), cluster.server(0).password());
    }

    let url: Config = cluster.url().parse().unwrap();
    let via_url = |expected: u16| {
        let url = url.clone();
        async move {
            let client = connect_plain(&url).await.unwrap();
            let port: i32 = client
                .query_one("SELECT inet_server_port()", &[])
                .await
                .unwrap()
                .get(0);
            assert_eq!(port, i32::from(expected));
        }
    };
    via_url(cluster.server(0).port()).await;
    cluster.server_mut(0).stop().unwrap();
    via_url(cluster.server(1).port()).await;
    cluster.server_mut(1).kill().unwrap();
    via_url(cluster.server(2).port()).await;
    cluster.server_mut(0).restart().unwrap();
    via_url(cluster.server(0).port()).await;
}

// ---------------------------------------------------------------------------------------------
// no leaks

fn assert_cleaned(root: &Path, pid: u32) {
    assert!(!root.exists(), "{} still exists", root.display());
    assert!(
        processes_in(root).is_empty(),
        "processes left in {}",
        root.display()
    );
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "postmaster {pid} still runs"
    );
}

#[test]
fn drop_stops_the_server_and_removes_its_directory() {
    let Some(server) = PgServer::start_or_skip(PgServerConfig::new().tls(PgTls::Enabled)) else {
        return;
    };
    let root = server.root_dir().to_owned();
    let pid = server.pid().unwrap();
    // postmaster, checkpointer, background writer, …
    assert!(processes_in(server.data_dir()).len() >= 3);
    assert!(root.join("tls/server.key").exists());
    drop(server);
    assert_cleaned(&root, pid);
}

#[test]
fn drop_cleans_up_when_the_test_panics() {
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
            return;
        };
        tx.send((server.root_dir().to_owned(), server.pid().unwrap()))
            .unwrap();
        panic!("a failing test");
    })
    .join();
    let Ok((root, pid)) = rx.recv() else {
        return; // skipped: no binaries
    };
    assert!(outcome.is_err(), "the thread should have panicked");
    assert_cleaned(&root, pid);
}

#[test]
fn drop_after_kill_removes_the_shared_memory_segment() {
    let Some(mut server) = PgServer::start_or_skip(PgServerConfig::new()) else {
        return;
    };
    let root = server.root_dir().to_owned();
    let pid = server.pid().unwrap();
    server.kill().unwrap();
    let pid_file = std::fs::read_to_string(server.data_dir().join("postmaster.pid")).unwrap();
    let shmid = pid_file
        .lines()
        .nth(6)
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap()
        .to_owned();
    assert!(
        shm_exists(&shmid),
        "segment {shmid} should outlive the kill"
    );
    drop(server);
    assert!(!shm_exists(&shmid), "segment {shmid} leaked");
    assert_cleaned(&root, pid);
}
