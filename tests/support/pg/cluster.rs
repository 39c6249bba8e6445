//! Several throwaway servers at once, for failover tests.

use std::thread;

use super::config::{PgServerConfig, PgTls};
use super::server::{PgServer, generate_password, percent_encode, with_cleartext_opt_in};
use super::tls::Authority;
use crate::SupportError;

/// Independent servers with the same user, password, database and (with TLS) CA, on distinct
/// ports. They share no data: this is a set of failover targets, not replication.
///
/// ```no_run
/// use cratedb_integration::pg::{PgCluster, PgServerConfig};
///
/// # fn main() -> Result<(), cratedb_integration::SupportError> {
/// let mut cluster = PgCluster::start(3, PgServerConfig::new())?;
/// let url = cluster.url(); // postgres://crate:…@127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/doc
/// cluster.server_mut(1).stop()?; // fail over …
/// cluster.server_mut(1).restart()?; // … and back
/// # let _ = url;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct PgCluster {
    servers: Vec<PgServer>,
}

impl PgCluster {
    /// Starts `n` servers concurrently with `config`. A generated password is shared by all.
    ///
    /// # Errors
    ///
    /// As [`PgServer::start`]; when `n` is 0, [`SupportError::Config`]. Servers that did
    /// start are stopped and removed again.
    pub fn start(n: usize, mut config: PgServerConfig) -> Result<Self, SupportError> {
        if n == 0 {
            return Err(SupportError::Config(
                "a cluster needs at least one server".to_owned(),
            ));
        }
        config.validate()?;
        if config.password.is_none() {
            config.password = Some(generate_password());
        }
        let authority = if config.tls == PgTls::Disabled {
            None
        } else {
            Some(Authority::generate()?)
        };
        let results: Vec<Result<PgServer, SupportError>> = thread::scope(|scope| {
            let handles: Vec<_> = (0..n)
                .map(|_| {
                    let config = config.clone();
                    let authority = authority.as_ref();
                    scope.spawn(move || PgServer::start_with(config, authority))
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle.join().unwrap_or_else(|_| {
                        Err(SupportError::Config(
                            "a server's start thread panicked".to_owned(),
                        ))
                    })
                })
                .collect()
        });
        // On the first error the servers collected so far are dropped, i.e. removed.
        let servers = results.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(Self { servers })
    }

    /// Like [`PgCluster::start`], but skips (prints a line, returns `None`) on a machine without
    /// PostgreSQL binaries.
    ///
    /// # Panics
    ///
    /// With `CI=true` when the binaries are missing; always when starting fails otherwise.
    pub fn start_or_skip(n: usize, config: PgServerConfig) -> Option<Self> {
        super::or_skip(Self::start(n, config))
    }

    /// How many servers there are.
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// Always `false`: a cluster has at least one server.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// All servers.
    pub fn servers(&self) -> &[PgServer] {
        &self.servers
    }

    /// One server.
    ///
    /// # Panics
    ///
    /// When `index >= len()`, like slice indexing.
    pub fn server(&self, index: usize) -> &PgServer {
        &self.servers[index]
    }

    /// One server, to stop, kill or restart it.
    ///
    /// # Panics
    ///
    /// When `index >= len()`, like slice indexing.
    pub fn server_mut(&mut self, index: usize) -> &mut PgServer {
        &mut self.servers[index]
    }

    /// The ports, in server order.
    pub fn ports(&self) -> Vec<u16> {
        self.servers.iter().map(PgServer::port).collect()
    }

    /// A multi-host URL naming every server in order,
    /// `postgres://user:password@127.0.0.1:p1,127.0.0.1:p2/database`, as libpq and
    /// tokio-postgres accept it.
    pub fn url(&self) -> String {
        let first = &self.servers[0];
        let hosts: Vec<String> = self.servers.iter().map(PgServer::host_port).collect();
        format!(
            "postgres://{}:{}@{}/{}",
            percent_encode(first.user()),
            percent_encode(first.password()),
            hosts.join(","),
            percent_encode(first.database()),
        )
    }

    /// [`url`](Self::url) for `sqlx-cratedb`, with `allow_cleartext_password=true` when the
    /// servers ask for a cleartext password (see [`PgServer::crate_url`]).
    pub fn crate_url(&self) -> String {
        with_cleartext_opt_in(self.url(), self.servers[0].config().auth)
    }
}
