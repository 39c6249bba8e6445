//! Opening a pgwire connection: host selection with failover, TCP and the TLS negotiation,
//! the startup message, authentication ([`super::auth`]) and the server's first answers.

use std::io;

use sqlx_core::error::Error;

use super::PgConnection;
use super::auth::{Channel, authenticate};
use super::cache::StatementCache;
use super::cancel::CancelKey;
use super::socket::{Backend, Io, Socket};
use super::state::ProtocolState;
use crate::connection::cluster::SharedState;
use crate::connection::failover::{self, Attempt, Host, Rounds};
use crate::error::{ConfigError, CrateDbDatabaseError};
use crate::options::CrateDbConnectOptions;
use crate::protocol::pgwire::backend::Message;
use crate::protocol::pgwire::error::{parse_fields, unexpected};
use crate::protocol::pgwire::frontend;

/// The user CrateDB's superuser has, used when the URL names none.
const DEFAULT_USER: &str = "crate";

impl PgConnection {
    /// Connects to one of the hosts, balancing and failing over like the HTTP transport:
    /// round-robin, hosts that failed set aside for `retry_interval`.
    pub(crate) async fn connect(options: &CrateDbConnectOptions) -> Result<Self, Error> {
        let hosts = options.hosts.len();
        if hosts == 0 {
            return Err(ConfigError::NoHosts.into());
        }
        let shared = &crate::connection::cluster::shared(options);
        // One round: each host once, no pauses (a pool asks again on its own schedule).
        let rounds = Rounds {
            max: 1,
            backoff: options.backoff_factor,
            deadline: None,
        };
        failover::run(
            &shared.cluster,
            hosts,
            options.retry_interval,
            rounds,
            |turn| async move {
                let target = &options.hosts[turn.host];
                let connect = Self::connect_to(options, shared, turn.host);
                match tokio::time::timeout(options.connect_timeout, connect).await {
                    Ok(Ok(conn)) => Attempt::Done(conn),
                    // The server answered and refused (credentials, unknown database): final.
                    Ok(Err(error @ Error::Database(_))) if !is_transient(&error) => {
                        Attempt::Final {
                            error,
                            host: Host::Answered,
                        }
                    }
                    // The options forbid this connection (e.g. a cleartext password without
                    // TLS): the same on every host.
                    Ok(Err(error @ Error::Configuration(_))) => Attempt::Final {
                        error,
                        host: Host::Unknown,
                    },
                    Ok(Err(error)) => {
                        log::warn!(
                            "sqlx-cratedb: pgwire connect to {target} failed: {error}; set aside"
                        );
                        Attempt::host_failed(error, true)
                    }
                    Err(_) => {
                        let error = Error::Io(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("connecting to {target} timed out"),
                        ));
                        Attempt::host_failed(error, true)
                    }
                }
            },
        )
        .await
    }

    async fn connect_to(
        options: &CrateDbConnectOptions,
        shared: &SharedState,
        host: usize,
    ) -> Result<Self, Error> {
        let target = &options.hosts[host];
        let stream = Socket::connect(&target.host, target.port, options.tcp_keepalive).await?;
        let (io, channel) = if options.tls {
            let config = shared.tls_config(options)?;
            match Socket::negotiate_tls(stream, &target.host, config, options.tls_fallback).await? {
                io @ Io::Tls(_) => (io, Channel::Tls),
                io @ Io::Tcp(_) => {
                    log::warn!(
                        "sqlx-cratedb: {target} declined TLS; continuing WITHOUT encryption \
                         (sslmode=prefer); a cleartext password is still refused unless \
                         allow_cleartext_password=true"
                    );
                    (io, Channel::FellBack)
                }
            }
        } else {
            (Io::Tcp(stream), Channel::Plain)
        };
        let mut conn = Self {
            socket: Socket::new(io, options.max_message_size),
            options: options.clone(),
            host,
            cancel_key: None,
            cache: StatementCache::default(),
            next_statement: 0,
            state: ProtocolState::default(),
            cancel_task: None,
        };
        conn.startup(channel).await?;
        Ok(conn)
    }

    /// Startup message, authentication, then `ParameterStatus`, `BackendKeyData` and the first
    /// `ReadyForQuery`.
    async fn startup(&mut self, channel: Channel) -> Result<(), Error> {
        let user = self
            .options
            .username
            .clone()
            .unwrap_or_else(|| DEFAULT_USER.to_owned());
        let mut params: Vec<(&str, &str)> = vec![
            ("user", &user),
            ("client_encoding", "UTF8"),
            // PostgreSQL: ISO dates (CrateDB always answers ISO and ignores this).
            ("DateStyle", "ISO"),
        ];
        if let Some(schema) = &self.options.schema {
            params.push(("database", schema));
        }
        if let Some(name) = &self.options.application_name {
            params.push(("application_name", name));
        }
        if let Some(opts) = &self.options.pg_options {
            params.push(("options", opts));
        }
        frontend::startup_message(params.iter().copied(), self.socket.wbuf())?;
        self.socket.flush().await?;
        authenticate(&mut self.socket, &self.options, self.host, &user, channel).await?;
        loop {
            match self.socket.recv().await? {
                Backend::Message(Message::BackendKeyData(body)) => {
                    let target = &self.options.hosts[self.host];
                    self.cancel_key = Some(CancelKey::new(
                        target.host.clone(),
                        target.port,
                        body.process_id(),
                        body.secret_key(),
                        self.options.connect_timeout,
                    ));
                }
                Backend::Message(Message::ReadyForQuery(_)) => return Ok(()),
                Backend::Message(Message::ErrorResponse(body)) => {
                    return Err(Error::Database(Box::new(CrateDbDatabaseError::from(
                        parse_fields(body.fields()),
                    ))));
                }
                Backend::Message(Message::NoticeResponse(_)) => {}
                Backend::NegotiateProtocolVersion { minor, unsupported } => {
                    log::debug!(
                        "sqlx-cratedb: server speaks protocol 3.{minor}; ignored: {unsupported:?}"
                    );
                }
                Backend::Message(other) => return Err(unexpected(&other, "startup").into()),
            }
        }
    }
}

fn is_transient(e: &Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.try_downcast_ref::<CrateDbDatabaseError>())
        .is_some_and(CrateDbDatabaseError::is_transient)
}
