//! What the accept loop does when `accept()` fails.
//!
//! Out of file descriptors (`EMFILE`, `ENFILE`) or memory, the pending connection
//! stays in the backlog and the listener stays readable, so retrying at once spins
//! the CPU and, logging each failure, fills the disk (1.4 GB in 20 s was seen). So
//! every failure backs off (from [`FIRST_BACKOFF`], doubling, up to [`MAX_BACKOFF`],
//! reset by the next success) and is logged at most once per [`LOG_EVERY`], with the
//! count of failures not logged since.

use std::time::{Duration, Instant};

/// Pause after a first failed accept.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(10);
/// Longest pause between two accepts that keep failing.
pub const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// At most one log line per this interval.
pub const LOG_EVERY: Duration = Duration::from_secs(1);

/// The back-off and the log throttle of one accept loop.
#[derive(Debug, Default)]
pub struct AcceptErrors {
    backoff: Option<Duration>,
    last_logged: Option<Instant>,
    not_logged: u64,
}

impl AcceptErrors {
    /// An accept succeeded: the next failure starts from the first back-off again.
    pub fn succeeded(&mut self) {
        self.backoff = None;
    }

    /// Records a failure, logs it if a line is due, and says how long to pause.
    pub fn failed(&mut self, error: &std::io::Error) -> Duration {
        let pause = match self.backoff {
            None => FIRST_BACKOFF,
            Some(previous) => (previous * 2).min(MAX_BACKOFF),
        };
        self.backoff = Some(pause);
        if self.log_due(Instant::now()) {
            let not_logged = std::mem::take(&mut self.not_logged);
            tracing::warn!(
                "accept failed: {error}; pausing accepts for {pause:?} ({not_logged} more failures since the last such line)"
            );
        } else {
            self.not_logged += 1;
        }
        pause
    }

    fn log_due(&mut self, now: Instant) -> bool {
        match self.last_logged {
            Some(at) if now.duration_since(at) < LOG_EVERY => false,
            _ => {
                self.last_logged = Some(now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_doubling_to_a_ceiling_and_a_success_resets_it() {
        let mut errors = AcceptErrors::default();
        let e = std::io::Error::from_raw_os_error(24);
        let pauses: Vec<_> = (0..10).map(|_| errors.failed(&e)).collect();
        assert_eq!(pauses[0], FIRST_BACKOFF);
        assert_eq!(pauses[1], FIRST_BACKOFF * 2);
        assert_eq!(*pauses.last().unwrap(), MAX_BACKOFF);
        assert!(pauses.windows(2).all(|w| w[0] <= w[1]));
        errors.succeeded();
        assert_eq!(errors.failed(&e), FIRST_BACKOFF);
    }

    #[test]
    fn at_most_one_line_per_interval() {
        let mut errors = AcceptErrors::default();
        let start = Instant::now();
        assert!(errors.log_due(start));
        assert!(!errors.log_due(start + Duration::from_millis(500)));
        assert!(errors.log_due(start + LOG_EVERY));
    }
}
