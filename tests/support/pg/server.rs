//! One throwaway PostgreSQL server.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::hash::BuildHasher as _;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use cratedb_quote::{quote_identifier, quote_literal};
use nix::sys::signal::Signal;

use super::binaries::PgBinaries;
use super::config::{PgAuth, PgServerConfig, PgTls};
use super::process::{self as pg_process, DIR_PREFIX};
use super::tls::{Authority, TlsFiles};
use crate::SupportError;
use crate::process::RunAs;
use crate::process::{self, POLL, free_port};

/// The only address the servers listen on.
const HOST: &str = "127.0.0.1";

/// The support's own settings file, included from `postgresql.conf`.
const SETTINGS_FILE: &str = "cratedb-test.conf";

/// How many free ports to try when another process takes the chosen one first.
const PORT_ATTEMPTS: usize = 5;

/// What the server process is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not started yet, or stopped cleanly.
    Stopped,
    /// Running and accepting connections.
    Running,
    /// Killed: shared memory may be left until a restart or `Drop` removes it.
    Killed,
}

/// A throwaway PostgreSQL server in its own temporary directory, listening on 127.0.0.1.
///
/// Dropping it stops the server (fast shutdown, SIGKILL if that fails) and removes the
/// directory, also while a test panics.
///
/// ```no_run
/// use cratedb_integration::pg::{PgServer, PgServerConfig};
///
/// # fn main() -> Result<(), cratedb_integration::SupportError> {
/// let mut server = PgServer::start(PgServerConfig::new())?;
/// println!("{}", server.url());
/// server.stop()?; // connections are refused from here on
/// server.restart()?; // same port, same data
/// server.kill()?; // a crash: SIGKILL
/// # Ok(()) }
/// ```
pub struct PgServer {
    config: PgServerConfig,
    password: String,
    port: u16,
    root: PathBuf,
    data_dir: PathBuf,
    log_path: PathBuf,
    tls: Option<TlsFiles>,
    binaries: PgBinaries,
    run_as: RunAs,
    child: Option<Child>,
    state: State,
}

impl fmt::Debug for PgServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgServer")
            .field("port", &self.port)
            .field("user", &self.config.user)
            .field("password", &"<redacted>")
            .field("database", &self.config.database)
            .field("auth", &self.config.auth)
            .field("tls", &self.config.tls)
            .field("root", &self.root)
            .field("pid", &self.pid())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl PgServer {
    /// Starts a server: `initdb`, configuration, `postgres` on a free port, then creates the
    /// configured user (a superuser) and database.
    ///
    /// # Errors
    ///
    /// [`SupportError::BinariesNotFound`] when PostgreSQL is not installed,
    /// [`SupportError::Config`] for an impossible configuration, and otherwise the failing
    /// command with its output, or the server's log tail. Nothing is left behind on error.
    pub fn start(config: PgServerConfig) -> Result<Self, SupportError> {
        Self::start_with(config, None)
    }

    /// Like [`PgServer::start`], but on a machine without PostgreSQL binaries prints
    /// [`SKIP_MESSAGE`](super::SKIP_MESSAGE) and returns `None` so the test can return.
    ///
    /// ```no_run
    /// # use cratedb_integration::pg::{PgServer, PgServerConfig};
    /// let Some(server) = PgServer::start_or_skip(PgServerConfig::new()) else {
    ///     return;
    /// };
    /// # drop(server);
    /// ```
    ///
    /// # Panics
    ///
    /// With `CI=true` when the binaries are missing; always when starting fails otherwise.
    pub fn start_or_skip(config: PgServerConfig) -> Option<Self> {
        super::or_skip(Self::start(config))
    }

    /// Starts a server whose certificates are signed by `authority` (shared by a cluster).
    pub(crate) fn start_with(
        mut config: PgServerConfig,
        authority: Option<&Authority>,
    ) -> Result<Self, SupportError> {
        config.validate()?;
        let binaries = PgBinaries::cached()?;
        let run_as = RunAs::detect(
            &["postgres"],
            "the tests run as root, PostgreSQL refuses to, and there is no `postgres` OS user \
             to run it as (Debian's postgresql package creates it)",
        )?;
        pg_process::reap_orphans_once();
        let password = config.password.take().unwrap_or_else(generate_password);
        config.password = Some(password.clone());
        let root = process::create_root(DIR_PREFIX, run_as)?;
        // From here on `Drop` cleans up whatever the remaining steps leave.
        let mut server = Self {
            password,
            port: 0,
            data_dir: root.join("data"),
            log_path: root.join("postgres.log"),
            root,
            tls: None,
            binaries,
            run_as,
            child: None,
            state: State::Stopped,
            config,
        };
        server.init_data_dir(authority)?;
        server.launch_on_free_port()?;
        server.create_user_and_database()?;
        Ok(server)
    }

    /// The host to connect to: `127.0.0.1`.
    pub fn host(&self) -> &str {
        HOST
    }

    /// The TCP port (kept across [`PgServer::restart`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user created at start.
    pub fn user(&self) -> &str {
        &self.config.user
    }

    /// The user's password (generated unless configured).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The database created at start.
    pub fn database(&self) -> &str {
        &self.config.database
    }

    /// The configuration the server was started with (its password filled in).
    pub fn config(&self) -> &PgServerConfig {
        &self.config
    }

    /// `postgres://user:password@127.0.0.1:port/database`, with user, password and database
    /// percent-encoded. It names no `sslmode`: TLS is the client's choice.
    pub fn url(&self) -> String {
        format!(
            "postgres://{}:{}@{}/{}",
            percent_encode(self.user()),
            percent_encode(self.password()),
            self.host_port(),
            percent_encode(self.database()),
        )
    }

    /// [`url`](Self::url) for `sqlx-cratedb`: with [`PgAuth::Password`] (cleartext, as
    /// CrateDB asks) it adds `allow_cleartext_password=true`, which the driver needs to send a
    /// cleartext password without TLS. Other clients reject that parameter: give them `url()`.
    pub fn crate_url(&self) -> String {
        with_cleartext_opt_in(self.url(), self.config.auth)
    }

    /// [`crate_url`](Self::crate_url) as `sqlx-cratedb` connect options (the pgwire
    /// transport). A test that turns TLS on may turn the cleartext opt-in off again.
    ///
    /// # Panics
    /// If the driver rejects the URL, which would be a bug in either.
    pub fn crate_options(&self) -> sqlx_cratedb::CrateDbConnectOptions {
        #[allow(clippy::expect_used)] // test support: a bad URL is a bug
        self.crate_url()
            .parse()
            .expect("sqlx-cratedb accepts the server's postgres:// URL")
    }

    /// A `sqlx-cratedb` connection over pgwire with [`crate_options`](Self::crate_options).
    ///
    /// # Errors
    /// If connecting fails.
    pub async fn crate_connect(&self) -> Result<sqlx_cratedb::CrateDbConnection, sqlx::Error> {
        use sqlx::Connection as _;
        sqlx_cratedb::CrateDbConnection::connect_with(&self.crate_options()).await
    }

    /// `127.0.0.1:port`.
    pub fn host_port(&self) -> String {
        format!("{HOST}:{}", self.port)
    }

    /// The server's temporary directory, removed on drop.
    pub fn root_dir(&self) -> &Path {
        &self.root
    }

    /// PGDATA.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The directory of the Unix socket (`host` for a socket connection as `postgres`, which
    /// `pg_hba.conf` trusts).
    pub fn socket_dir(&self) -> &Path {
        &self.root
    }

    /// The server's log (its stderr, across restarts).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The server's log so far.
    ///
    /// # Errors
    ///
    /// When the file cannot be read.
    pub fn read_log(&self) -> Result<String, SupportError> {
        fs::read(&self.log_path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .map_err(|e| SupportError::io(format!("reading {}", self.log_path.display()), e))
    }

    /// The postmaster's pid while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the server was started (or restarted) and not stopped or killed since.
    pub fn is_running(&self) -> bool {
        self.state == State::Running
    }

    /// The CA certificate (PEM) that signed the server's certificate, to verify it; `None`
    /// without TLS.
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.ca_cert.as_path())
    }

    /// A client certificate (PEM) for the user, signed by the CA, for [`PgAuth::Cert`];
    /// `None` without TLS.
    pub fn client_cert_path(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.client_cert.as_path())
    }

    /// The client certificate's private key (PKCS#8 PEM, mode 0600); `None` without TLS.
    pub fn client_key_path(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.client_key.as_path())
    }

    /// Runs SQL in the configured database as the `postgres` superuser over the Unix socket
    /// with `psql`, and returns its unaligned, tuples-only output (`-At`), for set-up and
    /// inspection.
    ///
    /// # Errors
    ///
    /// When the server is not running or `psql` fails (the error carries its stderr).
    pub fn psql(&self, sql: &str) -> Result<String, SupportError> {
        self.psql_on(&self.config.database, &[sql])
    }

    /// Fast shutdown (SIGINT): open connections are closed, new ones refused. If the server does
    /// not stop within the timeout it is shut down immediately (SIGQUIT), then killed.
    /// Stopping a stopped server does nothing.
    ///
    /// # Errors
    ///
    /// When signals cannot be sent, or the server had to be killed (it is stopped anyway).
    pub fn stop(&mut self) -> Result<(), SupportError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let pid = process::pid_of(&child)?;
        process::signal(pid, Signal::SIGINT)?;
        if process::wait_exit(&mut child, self.config.timeout)? {
            self.state = State::Stopped;
            // A clean shutdown waits for every child process; this is only a safety net.
            return process::kill_all_in(&self.data_dir);
        }
        process::signal(pid, Signal::SIGQUIT)?;
        if !process::wait_exit(&mut child, Duration::from_secs(5))? {
            process::signal(pid, Signal::SIGKILL)?;
            process::wait_exit(&mut child, Duration::from_secs(5))?;
        }
        self.state = State::Killed;
        process::kill_all_in(&self.data_dir)?;
        Err(self.server_error(format!(
            "did not stop within {:?} after SIGINT; it was shut down forcibly",
            self.config.timeout
        )))
    }

    /// Starts the server again on the same port with the same data directory, after
    /// [`PgServer::stop`] or [`PgServer::kill`] (then PostgreSQL runs crash recovery); a running
    /// server is stopped first. Committed data is still there.
    ///
    /// # Errors
    ///
    /// When stopping fails, or the server does not come up (for example because another process
    /// took the port meanwhile); the error carries the log tail.
    pub fn restart(&mut self) -> Result<(), SupportError> {
        self.stop()?;
        self.launch()
    }

    /// Simulates a crash: SIGKILL to the postmaster and to every other process of the server
    /// (which would otherwise exit on their own shortly after). Connections break and new ones
    /// are refused. Killing a stopped server does nothing.
    ///
    /// # Errors
    ///
    /// When the processes cannot be killed.
    pub fn kill(&mut self) -> Result<(), SupportError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        process::signal(process::pid_of(&child)?, Signal::SIGKILL)?;
        let _ = process::wait_exit(&mut child, Duration::from_secs(10))?;
        self.state = State::Killed;
        process::kill_all_in(&self.data_dir)
    }

    /// `initdb`, TLS files, `pg_hba.conf` and the settings include.
    fn init_data_dir(&mut self, authority: Option<&Authority>) -> Result<(), SupportError> {
        let mut initdb = Command::new(self.binaries.binary("initdb"));
        initdb
            .arg("-D")
            .arg(&self.data_dir)
            .args([
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
                "--auth=trust",
                "--no-sync",
            ])
            .current_dir(&self.root);
        self.prepare(&mut initdb);
        process::run(&mut initdb)?;

        if self.config.tls != PgTls::Disabled {
            let generated;
            let authority = if let Some(authority) = authority {
                authority
            } else {
                generated = Authority::generate()?;
                &generated
            };
            let dir = self.root.join("tls");
            self.tls = Some(authority.write_files(&dir, &self.config.user, self.run_as)?);
        }

        self.write_server_file("pg_hba.conf", &self.hba_conf())?;
        let conf = self.data_dir.join("postgresql.conf");
        OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut f| writeln!(f, "\ninclude '{SETTINGS_FILE}'"))
            .map_err(|e| SupportError::io(format!("appending to {}", conf.display()), e))
    }

    fn hba_conf(&self) -> String {
        let line_type = match self.config.tls {
            PgTls::Disabled | PgTls::Enabled if self.config.auth != PgAuth::Cert => "host",
            _ => "hostssl",
        };
        format!(
            "# Written by cratedb-integration's test support.\n\
             # TYPE   DATABASE USER ADDRESS       METHOD\n\
             local    all      all                trust\n\
             {line_type:<8} all      all  127.0.0.1/32   {method}\n",
            method = self.config.auth.hba_method()
        )
    }

    fn settings(&self) -> String {
        let mut s = format!(
            "# Written by cratedb-integration's test support; rewritten on each start.\n\
             listen_addresses = '{HOST}'\n\
             port = {port}\n\
             unix_socket_directories = '{socket}'\n\
             max_connections = {max_connections}\n\
             password_encryption = '{encryption}'\n\
             shared_buffers = 16MB\n\
             huge_pages = off\n\
             dynamic_shared_memory_type = mmap\n\
             fsync = off\n\
             # synchronous_commit stays on: committed rows survive kill(), since WAL reaches\n\
             # the OS at commit (fsync = off only skips flushing it to disk).\n\
             full_page_writes = off\n\
             wal_level = minimal\n\
             max_wal_senders = 0\n\
             autovacuum = off\n\
             logging_collector = off\n\
             log_connections = on\n\
             log_disconnections = on\n",
            port = self.port,
            socket = conf_escape(&self.root),
            max_connections = self.config.max_connections,
            encryption = self.config.auth.password_encryption(),
        );
        match &self.tls {
            Some(tls) => {
                s += "ssl = on\n";
                for (key, path) in [
                    ("ssl_cert_file", &tls.server_cert),
                    ("ssl_key_file", &tls.server_key),
                    ("ssl_ca_file", &tls.ca_cert),
                ] {
                    s.push_str(key);
                    s.push_str(" = '");
                    s.push_str(&conf_escape(path));
                    s.push_str("'\n");
                }
            }
            None => s += "ssl = off\n",
        }
        s
    }

    /// Writes a file into PGDATA, owned by the server's OS user.
    fn write_server_file(&self, name: &str, contents: &str) -> Result<(), SupportError> {
        let path = self.data_dir.join(name);
        fs::write(&path, contents)
            .and_then(|()| fs::set_permissions(&path, fs::Permissions::from_mode(0o600)))
            .map_err(|e| SupportError::io(format!("writing {}", path.display()), e))?;
        self.run_as.chown(&path)
    }

    /// Starts on a fresh free port, retrying when another process takes it first.
    fn launch_on_free_port(&mut self) -> Result<(), SupportError> {
        let mut attempt = 1;
        loop {
            self.port = free_port()?;
            match self.launch() {
                Err(SupportError::Server { log_tail, .. })
                    if attempt < PORT_ATTEMPTS && log_tail.contains("could not bind") =>
                {
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// Writes the settings for `self.port`, spawns `postgres` and waits until it is ready.
    fn launch(&mut self) -> Result<(), SupportError> {
        self.write_server_file(SETTINGS_FILE, &self.settings())?;
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(|e| SupportError::io(format!("opening {}", self.log_path.display()), e))?;
        let log_err = log
            .try_clone()
            .map_err(|e| SupportError::io("duplicating the log file handle", e))?;
        let mut postgres = Command::new(self.binaries.binary("postgres"));
        postgres
            .arg("-D")
            .arg(&self.data_dir)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err));
        self.prepare(&mut postgres);
        let line = process::describe(&postgres);
        let child = postgres
            .spawn()
            .map_err(|e| SupportError::io(format!("starting `{line}`"), e))?;
        self.child = Some(child);
        self.state = State::Running;
        match self.wait_ready() {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = self.kill();
                Err(e)
            }
        }
    }

    /// Polls `postmaster.pid` until it names our child and says `ready`.
    fn wait_ready(&mut self) -> Result<(), SupportError> {
        let deadline = Instant::now() + self.config.timeout;
        let pid_file = self.data_dir.join("postmaster.pid");
        loop {
            let Some(child) = self.child.as_mut() else {
                return Err(self.server_error("no server process".to_owned()));
            };
            let pid = child.id().to_string();
            match child.try_wait() {
                Ok(Some(status)) => {
                    return Err(
                        self.server_error(format!("postgres exited during start ({status})"))
                    );
                }
                Ok(None) => {}
                Err(e) => return Err(SupportError::io("waiting for postgres", e)),
            }
            if let Ok(text) = fs::read_to_string(&pid_file) {
                let lines: Vec<&str> = text.lines().collect();
                if lines.first() == Some(&pid.as_str())
                    && lines.get(7).is_some_and(|status| status.trim() == "ready")
                {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(
                    self.server_error(format!("not ready within {:?}", self.config.timeout))
                );
            }
            thread::sleep(POLL);
        }
    }

    fn create_user_and_database(&self) -> Result<(), SupportError> {
        let user = quote_identifier(&self.config.user);
        let create_role = format!(
            "CREATE ROLE {user} LOGIN SUPERUSER PASSWORD {}",
            quote_literal(&self.password)
        );
        let create_db = format!(
            "CREATE DATABASE {} OWNER {user}",
            quote_identifier(&self.config.database)
        );
        self.psql_on("postgres", &[&create_role, &create_db])
            .map(drop)
    }

    /// `psql` as `postgres` over the socket; each statement runs in its own `-c`.
    fn psql_on(&self, database: &str, statements: &[&str]) -> Result<String, SupportError> {
        if !self.is_running() {
            return Err(self.server_error("is not running".to_owned()));
        }
        let mut psql = Command::new(self.binaries.binary("psql"));
        psql.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.root)
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                database,
            ]);
        for statement in statements {
            psql.arg("-c").arg(statement);
        }
        self.prepare(&mut psql);
        process::run(&mut psql)
    }

    /// Runs a command as the server's OS user, with a minimal environment.
    fn prepare(&self, command: &mut Command) {
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LC_ALL", "C");
        self.run_as.apply(command);
    }

    fn server_error(&self, reason: String) -> SupportError {
        SupportError::Server {
            port: self.port,
            reason,
            log_tail: process::log_tail(&self.log_path),
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.child.is_some() && self.stop().is_err() {
            let _ = self.kill();
        }
        if self.state == State::Killed
            && let Err(e) = pg_process::remove_leftover_shm(&self.data_dir)
        {
            eprintln!("cratedb-integration: {e}");
        }
        if let Err(e) = process::kill_all_in(&self.root) {
            eprintln!("cratedb-integration: {e}");
        }
        if let Err(e) = fs::remove_dir_all(&self.root) {
            eprintln!(
                "cratedb-integration: could not remove {}: {e}",
                self.root.display()
            );
        }
    }
}

/// `url` plus `?allow_cleartext_password=true` when `auth` is cleartext [`PgAuth::Password`].
pub(crate) fn with_cleartext_opt_in(url: String, auth: PgAuth) -> String {
    if auth == PgAuth::Password {
        format!("{url}?allow_cleartext_password=true")
    } else {
        url
    }
}

/// 32 random hex digits.
pub(crate) fn generate_password() -> String {
    let random = |salt: u64| RandomState::new().hash_one((salt, std::process::id()));
    format!("{:016x}{:016x}", random(1), random(2))
}

fn conf_escape(path: &Path) -> String {
    path.display().to_string().replace('\'', "''")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encode_keeps_unreserved_and_escapes_the_rest() {
        assert_eq!(percent_encode("a-Z_0.~"), "a-Z_0.~");
        assert_eq!(percent_encode("p@ss:w/rd"), "p%40ss%3Aw%2Frd");
    }

    #[test]
    fn generated_passwords_differ() {
        let (a, b) = (generate_password(), generate_password());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote_identifier("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(process::tail("a\nb\nc\n", 2), "b\nc");
    }

    #[test]
    fn hba_method_names() {
        assert_eq!(PgAuth::Password.hba_method(), "password");
        assert_eq!(PgAuth::Md5.password_encryption(), "md5");
    }
}
