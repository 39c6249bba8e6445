//! One throwaway CrateDB node on loopback.

use std::fs::{self, File};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Once;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::install::CrateDbInstall;
use crate::SupportError;
use crate::process::{self, POLL, RunAs, free_port};

/// Prefix of each node's temporary directory: `cratedb-node-<test pid>-<n>`.
const DIR_PREFIX: &str = "cratedb-node-";

/// How a node finds the others.
#[derive(Debug, Clone)]
pub(crate) enum Discovery {
    /// `discovery.type=single-node`.
    SingleNode,
    /// A cluster of the named nodes at the given transport addresses.
    Cluster {
        /// `host:port` of every node's transport.
        seed_hosts: Vec<String>,
        /// Every node's name (`cluster.initial_master_nodes`).
        masters: Vec<String>,
    },
}

/// The ports of a node, fixed before it starts so that a cluster's nodes can name each other.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ports {
    pub(crate) http: u16,
    pub(crate) psql: u16,
    pub(crate) transport: u16,
}

impl Ports {
    /// Three ports that were free a moment ago.
    pub(crate) fn free() -> Result<Self, SupportError> {
        Ok(Self {
            http: free_port()?,
            psql: free_port()?,
            transport: free_port()?,
        })
    }
}

/// A CrateDB node started from a [`CrateDbInstall`], listening on 127.0.0.1 only, with its own
/// data and log directory under `$TMPDIR/cratedb-node-<pid>-<n>`. Dropping it stops the node
/// (SIGKILL if it does not stop in time) and removes the directory, also when the test panics.
///
/// When the tests run as root the node runs as the `crate` OS user, or `nobody` (CrateDB
/// refuses to run as root). The node runs with the distribution's `config/` (its `crate.yml` trusts the `crate` user on
/// loopback and asks other users for a password) plus: `network.host=127.0.0.1`, the chosen
/// ports, `udc.enabled=false` (no usage reports leave the machine) and disk watermarks off.
#[derive(Debug)]
pub struct CrateDbNode {
    install: CrateDbInstall,
    name: String,
    cluster_name: String,
    ports: Ports,
    discovery: Discovery,
    heap: String,
    root: PathBuf,
    log_path: PathBuf,
    child: Option<Child>,
    timeout: Duration,
    run_as: RunAs,
}

impl CrateDbNode {
    /// Starts a single-node cluster and waits until it answers SQL.
    ///
    /// # Errors
    /// [`SupportError::CrateDb`] with the log tail when the node does not become ready within
    /// the start timeout (`CRATEDB_TEST_START_TIMEOUT` seconds, default 180).
    pub fn start(install: &CrateDbInstall) -> Result<Self, SupportError> {
        let cluster_name = format!("sqlx-cratedb-test-{}", std::process::id());
        let mut node = Self::create(
            install,
            "node-0".to_owned(),
            cluster_name,
            Ports::free()?,
            Discovery::SingleNode,
        )?;
        node.launch()?;
        node.wait_ready(1)?;
        Ok(node)
    }

    /// A node that is not started yet (see [`super::CrateDbCluster`]).
    pub(crate) fn create(
        install: &CrateDbInstall,
        name: String,
        cluster_name: String,
        ports: Ports,
        discovery: Discovery,
    ) -> Result<Self, SupportError> {
        static REAP: Once = Once::new();
        REAP.call_once(|| process::reap_orphans(DIR_PREFIX, |_| Ok(())));
        let run_as = RunAs::detect(
            &["crate", "nobody"],
            "the tests run as root, CrateDB refuses to, and there is neither a `crate` nor a \
             `nobody` OS user to run it as",
        )?;
        let root = process::create_root(DIR_PREFIX, run_as)?;
        let heap = std::env::var("CRATEDB_TEST_HEAP").unwrap_or_else(|_| "1g".to_owned());
        let timeout = std::env::var("CRATEDB_TEST_START_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(Duration::from_mins(3), Duration::from_secs);
        Ok(Self {
            install: install.clone(),
            log_path: root.join("node.log"),
            name,
            cluster_name,
            ports,
            discovery,
            heap,
            root,
            child: None,
            timeout,
            run_as,
        })
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `127.0.0.1:<http port>`.
    pub fn http_address(&self) -> String {
        format!("127.0.0.1:{}", self.ports.http)
    }

    /// `127.0.0.1:<psql port>`.
    pub fn psql_address(&self) -> String {
        format!("127.0.0.1:{}", self.ports.psql)
    }

    /// `crate://crate@127.0.0.1:<http port>` (the `crate` superuser, trusted on loopback).
    pub fn http_url(&self) -> String {
        format!("crate://crate@{}", self.http_address())
    }

    /// `postgres://crate@127.0.0.1:<psql port>/doc`.
    pub fn pg_url(&self) -> String {
        format!("postgres://crate@{}/doc", self.psql_address())
    }

    /// The node's log (its standard output and error).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Whether the node's process runs.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Kills the node's JVM with SIGKILL, as a crash would, and waits for it to be gone.
    ///
    /// # Errors
    /// When the signal cannot be sent or the process survives.
    pub fn kill(&mut self) -> Result<(), SupportError> {
        if let Some(mut child) = self.child.take() {
            process::signal(process::pid_of(&child)?, Signal::SIGKILL)?;
            process::wait_exit(&mut child, Duration::from_secs(10))?;
        }
        process::kill_all_in(&self.root)
    }

    /// Stops the node with SIGTERM (CrateDB's graceful shutdown), SIGKILL after 30 s.
    ///
    /// # Errors
    /// When the process cannot be signalled or survives SIGKILL.
    pub fn stop(&mut self) -> Result<(), SupportError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        process::signal(process::pid_of(&child)?, Signal::SIGTERM)?;
        if !process::wait_exit(&mut child, Duration::from_secs(30))? {
            process::signal(process::pid_of(&child)?, Signal::SIGKILL)?;
            process::wait_exit(&mut child, Duration::from_secs(10))?;
        }
        process::kill_all_in(&self.root)
    }

    /// Starts a stopped or killed node again on the same ports and data, without waiting.
    ///
    /// # Errors
    /// When the JVM cannot be started.
    pub fn restart_nowait(&mut self) -> Result<(), SupportError> {
        if self.child.is_some() {
            self.stop()?;
        }
        self.launch()
    }

    /// Starts a stopped or killed node again and waits until it answers SQL in a cluster of
    /// `nodes` nodes.
    ///
    /// # Errors
    /// As [`CrateDbNode::start`].
    pub fn restart(&mut self, nodes: usize) -> Result<(), SupportError> {
        self.restart_nowait()?;
        self.wait_ready(nodes)
    }

    /// Starts the JVM; its output goes to [`CrateDbNode::log_path`].
    pub(crate) fn launch(&mut self) -> Result<(), SupportError> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(|e| SupportError::io(format!("opening {}", self.log_path.display()), e))?;
        let log_err = log
            .try_clone()
            .map_err(|e| SupportError::io("cloning the log handle", e))?;
        let mut command = self.install.node_command(&self.heap, &self.settings());
        command
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        self.run_as.apply(&mut command);
        let child = command.spawn().map_err(|e| {
            SupportError::io(format!("starting `{}`", process::describe(&command)), e)
        })?;
        self.child = Some(child);
        Ok(())
    }

    /// The `-C` settings of this node.
    fn settings(&self) -> Vec<(String, String)> {
        let path = |p: &Path| p.display().to_string();
        let mut settings = vec![
            ("cluster.name", self.cluster_name.clone()),
            ("node.name", self.name.clone()),
            ("network.host", "127.0.0.1".to_owned()),
            ("http.port", self.ports.http.to_string()),
            ("psql.port", self.ports.psql.to_string()),
            ("transport.tcp.port", self.ports.transport.to_string()),
            ("path.data", path(&self.root.join("data"))),
            ("path.logs", path(&self.root.join("logs"))),
            ("udc.enabled", "false".to_owned()),
            (
                "cluster.routing.allocation.disk.threshold_enabled",
                "false".to_owned(),
            ),
        ];
        match &self.discovery {
            Discovery::SingleNode => settings.push(("discovery.type", "single-node".to_owned())),
            Discovery::Cluster {
                seed_hosts,
                masters,
            } => {
                settings.push(("discovery.seed_hosts", seed_hosts.join(",")));
                settings.push(("cluster.initial_master_nodes", masters.join(",")));
            }
        }
        settings
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect()
    }

    /// Waits until the node answers `SELECT count(*) FROM sys.nodes` with `nodes` over HTTP and
    /// accepts TCP connections on its psql port.
    ///
    /// # Errors
    /// [`SupportError::CrateDb`] with the log tail when the JVM exits or the start timeout
    /// passes first.
    pub fn wait_ready(&mut self, nodes: usize) -> Result<(), SupportError> {
        let deadline = Instant::now() + self.timeout;
        let expected = format!("[[{nodes}]]");
        loop {
            if !self.is_running() {
                return Err(self.error("the JVM exited during start-up".to_owned()));
            }
            let answered = self
                .sql_over_http("SELECT count(*) FROM sys.nodes")
                .is_ok_and(|body| body.replace(' ', "").contains(&expected));
            if answered && self.psql_accepts() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.error(format!(
                    "not ready with {nodes} node(s) after {:?}",
                    self.timeout
                )));
            }
            thread::sleep(POLL * 10);
        }
    }

    /// Runs `stmt` through `POST /_sql` with a plain HTTP/1.0 request; the response body.
    ///
    /// # Errors
    /// When the node cannot be reached or answers with a status other than 200.
    pub fn sql_over_http(&self, stmt: &str) -> Result<String, SupportError> {
        let address: SocketAddr = self
            .http_address()
            .parse()
            .map_err(|_| self.error("bad HTTP address".to_owned()))?;
        let io = |e| SupportError::io(format!("POST /_sql to {address}"), e);
        let mut stream =
            TcpStream::connect_timeout(&address, Duration::from_secs(2)).map_err(io)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(io)?;
        let body = serde_json::json!({ "stmt": stmt }).to_string();
        let request = format!(
            "POST /_sql HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).map_err(io)?;
        let mut response = String::new();
        stream.read_to_string(&mut response).map_err(io)?;
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        if head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200") {
            Ok(body.to_owned())
        } else {
            Err(SupportError::io(
                format!("POST /_sql to {address}: {stmt}"),
                std::io::Error::other(format!("{head}\n{body}")),
            ))
        }
    }

    fn psql_accepts(&self) -> bool {
        self.psql_address()
            .parse::<SocketAddr>()
            .is_ok_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok())
    }

    fn error(&self, reason: String) -> SupportError {
        SupportError::CrateDb {
            node: self.name.clone(),
            http_port: self.ports.http,
            reason,
            log_tail: process::log_tail(&self.log_path),
        }
    }
}

impl Drop for CrateDbNode {
    fn drop(&mut self) {
        if self.stop().is_err() {
            let _ = self.kill();
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
