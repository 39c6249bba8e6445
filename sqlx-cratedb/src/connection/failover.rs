//! The one failover loop of both transports: which host an attempt goes to, which failures
//! move on to the next host, and how many rounds over all hosts a read gets.
//!
//! HTTP sends every request through [`run`]; pgwire opens its connections through it, and a
//! pgwire read that fails before its first row is sent again on a new connection within the
//! same budget ([`READ_ROUNDS`], [`read_retry_pause`]). Both classify a failed read with
//! [`read_failure`].

use std::time::Duration;

use sqlx_core::error::Error;
use tokio::time::Instant;

use super::cluster::Cluster;
use crate::error::{ConfigError, CrateDbDatabaseError};

/// How many rounds over all hosts a read gets before its last error is returned.
pub(crate) const READ_ROUNDS: u32 = 4;

/// The pause before read round `round + 1` (`round` counts from 1): `backoff`, then twice
/// that, four times that (100, 200, 400 ms by default). A node that left the cluster is named
/// in the other nodes' answers until they drop it, within that.
pub(crate) fn read_retry_pause(backoff: Duration, round: u32) -> Duration {
    backoff.saturating_mul(2u32.saturating_pow(round.saturating_sub(1)))
}

/// True when `sql` only reads, so it is safe to send again to another node.
pub(crate) fn is_read_only(sql: &str) -> bool {
    let mut s = sql.trim_start();
    loop {
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = s.strip_prefix('(') {
            s = rest.trim_start();
        } else {
            break;
        }
    }
    let word: String = s
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    match word.as_str() {
        // CTEs are SELECT-only in CrateDB.
        "SELECT" | "SHOW" | "VALUES" | "WITH" => true,
        // EXPLAIN without ANALYZE does not execute.
        "EXPLAIN" => !s.to_ascii_uppercase().contains("ANALYZE"),
        _ => false,
    }
}

/// Why a read failed on one host, when another host may answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadFailure {
    /// The node could not serve now: connection lost or refused, shards unavailable, a node
    /// the statement ran on left the cluster, a node shutting down or starting up.
    Transient,
    /// The node does not know the table or schema (4041, 4045). A node that is starting
    /// answers so for a second or two for tables that do exist: the other nodes are asked
    /// once, in the first round.
    UnknownHere,
}

/// How a read that failed with `err` may go on elsewhere; `None` when the error is final
/// (a timeout, a statement error, a refused request).
pub(crate) fn read_failure(err: &Error) -> Option<ReadFailure> {
    match err {
        Error::Io(e) => {
            (e.kind() != std::io::ErrorKind::TimedOut).then_some(ReadFailure::Transient)
        }
        Error::Database(db) => {
            let db = db.try_downcast_ref::<CrateDbDatabaseError>()?;
            if db.is_transient() {
                Some(ReadFailure::Transient)
            } else if db.is_unknown_relation_or_schema() {
                Some(ReadFailure::UnknownHere)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What an attempt showed about its host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    /// It answered: healthy again if it was set aside.
    Answered,
    /// It could not serve (connection failed, 502/503/504/509): set aside for the retry
    /// interval, so later picks try it last.
    Failed,
    /// Nothing to say about the host (the attempt failed before reaching it, or the host
    /// refused what only the options can change).
    Unknown,
}

/// What one attempt on one host came to.
#[derive(Debug)]
pub(crate) enum Attempt<T> {
    /// The host answered; the answer goes to the caller.
    Done(T),
    /// An error no other host can change: returned at once.
    Final { error: Error, host: Host },
    /// This host failed; the next one is tried. `unknown_here`: the host did not know the
    /// table (see [`ReadFailure::UnknownHere`]); a round of only such failures ends the loop
    /// without pauses.
    Next {
        error: Error,
        host: Host,
        unknown_here: bool,
    },
}

impl<T> Attempt<T> {
    /// The host could not serve: the next host is tried when `try_next`, else the error is
    /// final. The host is set aside either way.
    pub(crate) fn host_failed(error: Error, try_next: bool) -> Self {
        if try_next {
            Self::Next {
                error,
                host: Host::Failed,
                unknown_here: false,
            }
        } else {
            Self::Final {
                error,
                host: Host::Failed,
            }
        }
    }
}

/// Where an attempt stands in the loop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Turn {
    /// The host, an index into the configured hosts.
    pub(crate) host: usize,
    /// 0 for the first round over the hosts.
    pub(crate) round: u32,
    /// True when other hosts are still untried in this round.
    pub(crate) hosts_left: bool,
}

/// How long the loop keeps going.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rounds {
    /// Rounds over all hosts (1: each host once).
    pub(crate) max: u32,
    /// The pause before the second round (`backoff_factor`); it doubles each round.
    pub(crate) backoff: Duration,
    /// No pause starts when it would end after this instant.
    pub(crate) deadline: Option<Instant>,
}

/// Runs `attempt` on the hosts picked by `cluster` (round-robin, set-aside hosts last) until
/// one is [`Attempt::Done`] or [`Attempt::Final`], recording each host's health as the
/// attempt reports it. When every host failed, a further round starts after
/// [`read_retry_pause`], up to `rounds.max` rounds; the last error is returned.
pub(crate) async fn run<T, Fut>(
    cluster: &Cluster,
    hosts: usize,
    retry_interval: Duration,
    rounds: Rounds,
    mut attempt: impl FnMut(Turn) -> Fut,
) -> Result<T, Error>
where
    Fut: Future<Output = Attempt<T>>,
{
    let mut tried = Vec::with_capacity(hosts);
    let mut last_error = None;
    let mut round = 0u32;
    loop {
        let mut only_unknown_here = true;
        while tried.len() < hosts {
            let host = cluster.pick(hosts, retry_interval, &tried);
            tried.push(host);
            let turn = Turn {
                host,
                round,
                hosts_left: tried.len() < hosts,
            };
            match attempt(turn).await {
                Attempt::Done(answer) => {
                    cluster.healthy(host);
                    return Ok(answer);
                }
                Attempt::Final {
                    error,
                    host: health,
                } => {
                    record(cluster, host, health);
                    return Err(error);
                }
                Attempt::Next {
                    error,
                    host: health,
                    unknown_here,
                } => {
                    record(cluster, host, health);
                    only_unknown_here &= unknown_here;
                    last_error = Some(error);
                }
            }
        }
        round += 1;
        if round >= rounds.max || only_unknown_here {
            break;
        }
        let pause = read_retry_pause(rounds.backoff, round);
        if rounds.deadline.is_some_and(|d| Instant::now() + pause >= d) {
            break;
        }
        log::warn!("sqlx-cratedb: every node failed the read; retrying in {pause:?}");
        tokio::time::sleep(pause).await;
        tried.clear();
    }
    Err(last_error.unwrap_or_else(|| ConfigError::NoHosts.into()))
}

fn record(cluster: &Cluster, host: usize, health: Host) {
    match health {
        Host::Answered => cluster.healthy(host),
        Host::Failed => cluster.set_aside(host),
        Host::Unknown => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(code: i64, message: &str) -> Error {
        Error::Database(Box::new(CrateDbDatabaseError::new(
            Some(code),
            500,
            message.into(),
        )))
    }

    #[test]
    fn failures_are_classified_the_same_for_both_transports() {
        let lost = Error::Io(std::io::ErrorKind::ConnectionReset.into());
        assert_eq!(read_failure(&lost), Some(ReadFailure::Transient));
        let timeout = Error::Io(std::io::ErrorKind::TimedOut.into());
        assert_eq!(read_failure(&timeout), None);
        assert_eq!(
            read_failure(&db(5002, "shards")),
            Some(ReadFailure::Transient)
        );
        assert_eq!(
            read_failure(&db(4041, "RelationUnknown")),
            Some(ReadFailure::UnknownHere)
        );
        assert_eq!(read_failure(&db(4000, "SQLParseException[syntax]")), None);
    }

    #[tokio::test]
    async fn a_round_of_unknown_tables_ends_without_pauses_and_transient_ones_retry() {
        let cluster = Cluster::new(2);
        let rounds = Rounds {
            max: READ_ROUNDS,
            backoff: Duration::from_millis(1),
            deadline: None,
        };
        let turns = std::cell::RefCell::new(Vec::new());
        let result: Result<(), Error> = run(&cluster, 2, Duration::ZERO, rounds, |t| {
            turns.borrow_mut().push(t.round);
            async {
                Attempt::Next {
                    error: db(4041, "RelationUnknown"),
                    host: Host::Answered,
                    unknown_here: true,
                }
            }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(turns.into_inner(), [0, 0]);

        let mut calls = 0;
        let answer = run(&cluster, 2, Duration::ZERO, rounds, |_| {
            calls += 1;
            let call = calls;
            async move {
                if call < 4 {
                    Attempt::Next {
                        error: Error::Io(std::io::ErrorKind::ConnectionRefused.into()),
                        host: Host::Failed,
                        unknown_here: false,
                    }
                } else {
                    Attempt::Done(call)
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(answer, 4);
        // Three failures over two hosts: the one that failed and then answered is healthy.
        assert_eq!(cluster.set_aside_count(), 1);
    }

    #[test]
    fn read_only_detection() {
        for sql in [
            "SELECT 1",
            "  select * from t",
            "/* c */ -- x\n (SELECT 1)",
            "WITH a AS (SELECT 1) SELECT * FROM a",
            "show tables",
            "EXPLAIN SELECT 1",
        ] {
            assert!(is_read_only(sql), "{sql}");
        }
        for sql in [
            "INSERT INTO t VALUES (1)",
            "update t set a = 1",
            "DELETE FROM t",
            "EXPLAIN ANALYZE SELECT 1",
            "REFRESH TABLE t",
            "",
        ] {
            assert!(!is_read_only(sql), "{sql}");
        }
    }
}
