//! Time in the tests: waiting for what happens in the background, the latency
//! quantiles the load tests and benchmarks report, and the UTC day orders are dated by.

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

/// `YYYY-MM-DD` of today + `days`, UTC (the day the writer's clock dates orders by).
pub fn utc_day(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}
