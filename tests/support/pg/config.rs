//! What kind of server to start.

use std::time::Duration;

/// The authentication method on TCP connections (the `host`/`hostssl` lines of `pg_hba.conf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PgAuth {
    /// `trust`: no password asked.
    Trust,
    /// `password`: the password is sent in cleartext. This mirrors CrateDB, whose only password
    /// method is cleartext; use it with TLS for realism. Passwords are stored as SCRAM verifiers.
    #[default]
    Password,
    /// `md5`, with `password_encryption = md5` so the stored verifier is MD5 too (otherwise
    /// PostgreSQL silently upgrades `md5` to SCRAM).
    Md5,
    /// `scram-sha-256`, with `password_encryption = scram-sha-256`.
    ScramSha256,
    /// `cert` on `hostssl` lines: the client must present a certificate signed by the server's CA
    /// whose common name is the user name. Requires TLS; the support generates such a client
    /// certificate ([`PgServer::client_cert_path`](super::PgServer::client_cert_path)).
    Cert,
}

impl PgAuth {
    /// The method keyword in `pg_hba.conf`.
    pub fn hba_method(self) -> &'static str {
        match self {
            Self::Trust => "trust",
            Self::Password => "password",
            Self::Md5 => "md5",
            Self::ScramSha256 => "scram-sha-256",
            Self::Cert => "cert",
        }
    }

    /// The `password_encryption` setting used with this method.
    pub fn password_encryption(self) -> &'static str {
        match self {
            Self::Md5 => "md5",
            _ => "scram-sha-256",
        }
    }
}

/// Whether the server speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PgTls {
    /// `ssl = off`: TLS requests are refused.
    #[default]
    Disabled,
    /// `ssl = on` with a generated CA and server certificate; `host` lines accept both TLS and
    /// plaintext connections.
    Enabled,
    /// Like `Enabled`, but only `hostssl` lines: plaintext connections are rejected
    /// (SQLSTATE 28000, "no `pg_hba.conf` entry … no encryption").
    Required,
}

/// The configuration of a throwaway server; build it with the chained setters.
///
/// ```
/// use cratedb_integration::pg::{PgAuth, PgServerConfig, PgTls};
///
/// let config = PgServerConfig::new()
///     .auth(PgAuth::ScramSha256)
///     .tls(PgTls::Required)
///     .user("alice")
///     .password("s3cret")
///     .database("app");
/// assert_eq!(config.auth.hba_method(), "scram-sha-256");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PgServerConfig {
    /// The method for TCP connections. Default: [`PgAuth::Password`] (cleartext, like CrateDB).
    pub auth: PgAuth,
    /// TLS. Default: [`PgTls::Disabled`].
    pub tls: PgTls,
    /// The login role created at start (a superuser, like CrateDB's `crate`). Default `crate`.
    /// It must not be `postgres`, the support's own administrative user.
    pub user: String,
    /// Its password; `None` (the default) generates a random one per server or cluster.
    pub password: Option<String>,
    /// The database created at start, owned by the user. Default `doc` (CrateDB's schema name).
    pub database: String,
    /// `max_connections`. Default 40: enough for pools, small enough for three servers at once.
    pub max_connections: u32,
    /// How long to wait for the server to accept connections, and for it to stop.
    /// Default 30 s (generous, for a loaded 2-core machine; it normally takes well under 1 s).
    pub timeout: Duration,
}

impl Default for PgServerConfig {
    fn default() -> Self {
        Self {
            auth: PgAuth::default(),
            tls: PgTls::default(),
            user: "crate".to_owned(),
            password: None,
            database: "doc".to_owned(),
            max_connections: 40,
            timeout: Duration::from_secs(30),
        }
    }
}

impl PgServerConfig {
    /// The default configuration (cleartext `password` auth, no TLS, user `crate`, database `doc`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the authentication method.
    pub fn auth(mut self, auth: PgAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets TLS.
    pub fn tls(mut self, tls: PgTls) -> Self {
        self.tls = tls;
        self
    }

    /// Sets the user name.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// Sets a fixed password instead of a generated one.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Sets the database name.
    pub fn database(mut self, database: impl Into<String>) -> Self {
        self.database = database.into();
        self
    }

    /// Sets `max_connections`.
    pub fn max_connections(mut self, max_connections: u32) -> Self {
        self.max_connections = max_connections;
        self
    }

    /// Sets the start/stop timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Rejects combinations that cannot work.
    pub(crate) fn validate(&self) -> Result<(), crate::SupportError> {
        let bad = |msg: &str| Err(crate::SupportError::Config(msg.to_owned()));
        if self.auth == PgAuth::Cert && self.tls == PgTls::Disabled {
            return bad("PgAuth::Cert needs TLS (PgTls::Enabled or PgTls::Required)");
        }
        if self.user.is_empty() || self.database.is_empty() {
            return bad("the user and database names must not be empty");
        }
        if self.user == "postgres" {
            return bad("the user `postgres` is reserved for the support's own administration");
        }
        if self.database == "postgres" || self.database.starts_with("template") {
            return bad("choose a database name other than `postgres`/`template*`");
        }
        if self.max_connections < 5 {
            return bad("max_connections must be at least 5");
        }
        Ok(())
    }
}
