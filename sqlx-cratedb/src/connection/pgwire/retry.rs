//! [`ReadRetries`]: how often a pgwire read that failed before its first row is sent again on
//! a new connection, within the budget of the one failover loop.

use std::time::Duration;

use crate::connection::failover::{READ_ROUNDS, ReadFailure, read_retry_pause};

/// The retry budget of one pgwire read: each failure before its first row may send it again
/// on a new connection, as [`failover::run`](crate::connection::failover::run) would, up to [`READ_ROUNDS`] rounds over the hosts, with the
/// same pauses between rounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadRetries {
    hosts: usize,
    /// Attempts made, the first one included.
    attempts: usize,
    /// The pause before the second round (`backoff_factor`).
    backoff: Duration,
}

impl ReadRetries {
    /// The budget of a read over `hosts` hosts, pausing `backoff` before the second round
    /// and twice as long each round after; its first attempt is under way.
    pub(crate) fn new(hosts: usize, backoff: Duration) -> Self {
        Self {
            hosts: hosts.max(1),
            attempts: 1,
            backoff,
        }
    }

    /// After a failure: `None` when the read is not sent again; else the pause to make first
    /// (zero within a round). A table unknown to the node is asked of the others only in the
    /// first round.
    pub(crate) fn next(&mut self, failure: ReadFailure) -> Option<Duration> {
        let first_round = self.attempts < self.hosts;
        if self.attempts >= self.hosts * READ_ROUNDS as usize
            || (failure == ReadFailure::UnknownHere && !first_round)
        {
            return None;
        }
        let pause = if self.attempts.is_multiple_of(self.hosts) {
            let round = u32::try_from(self.attempts / self.hosts).unwrap_or(u32::MAX);
            read_retry_pause(self.backoff, round)
        } else {
            Duration::ZERO
        };
        self.attempts += 1;
        Some(pause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_retries_pause_between_rounds_and_stop_after_the_last() {
        let backoff = Duration::from_millis(100);
        let mut budget = ReadRetries::new(2, backoff);
        assert_eq!(budget.next(ReadFailure::UnknownHere), Some(Duration::ZERO));
        // Round 2: unknown tables are not asked again; transient failures pause first.
        assert_eq!(budget.next(ReadFailure::UnknownHere), None);
        assert_eq!(
            budget.next(ReadFailure::Transient),
            Some(read_retry_pause(backoff, 1))
        );
        let mut taken = 3;
        while budget.next(ReadFailure::Transient).is_some() {
            taken += 1;
        }
        assert_eq!(taken, 2 * READ_ROUNDS as usize);
    }
}
