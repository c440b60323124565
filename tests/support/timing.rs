//! Waiting for what happens in the background, and the latency quantiles the load
//! tests and benchmarks report.

use std::time::{Duration, Instant};

/// Polls `done` every 50 ms until it holds or `within` passes; whether it held.
pub fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if done() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `p` quantile (0.0..=1.0) of `sorted` latencies, for the benchmarks.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
