//! The process's Prometheus metrics (`GET /metrics` on the operator listener), in one
//! registry: requests by component, route and status with their latency; requests in
//! flight and waiting for a component slot; instances started and reused
//! ([`crate::app::instance_reuse`]); group commits, their sizes and durations
//! (the COMMIT is where the fsync happens); whether this process owns the data dir; storage
//! errors by class and, once latched, why the storage is damaged
//! ([`crate::database::storage_fault`]); the replica bucket's lag, generation, uploads
//! and failures ([`crate::database::replication`]); and,
//! in the storefront's writer process, the outbox backlog and unpaid reservations (read
//! from the writer component at scrape time).

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::sync::OnceLock;
use std::time::Duration;

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub in_flight: IntGauge,
    pub queued: IntGauge,
    pub instances: IntCounterVec,
    pub commits: IntCounter,
    pub failed_commits: IntCounter,
    pub batch_size: Histogram,
    pub commit_seconds: Histogram,
    pub owns_data_dir: IntGauge,
    pub backlog: IntGaugeVec,
    pub storage_errors: IntCounterVec,
    pub storage_damaged: IntGaugeVec,
    pub replication_lag: Gauge,
    pub replication_generation: IntGauge,
    pub replication_segments: IntCounter,
    pub replication_snapshots: IntCounter,
    pub replication_bytes: IntCounter,
    pub replication_failures: IntCounter,
}

/// The metrics of this process (created on first use).
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

impl Metrics {
    fn new() -> Metrics {
        let registry =
            Registry::new_custom(Some("storefront".into()), None).expect("a valid metrics prefix");
        let requests = IntCounterVec::new(
            Opts::new(
                "requests_total",
                "HTTP requests answered, by component, route and status",
            ),
            &["component", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "request_duration_seconds",
                "Time from the request's head to the response's head, by component",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ]),
            &["component"],
        )
        .expect("valid metric");
        let in_flight =
            IntGauge::new("requests_in_flight", "Requests being served now").expect("valid metric");
        let queued = IntGauge::new(
            "requests_queued",
            "Requests whose body is read, waiting for a component slot",
        )
        .expect("valid metric");
        let commits = IntCounter::new("commits_total", "Durable group commits that carried writes")
            .expect("valid metric");
        let failed_commits = IntCounter::new(
            "commits_failed_total",
            "Group commits that failed (their requests got 503)",
        )
        .expect("valid metric");
        let batch_size = Histogram::with_opts(
            HistogramOpts::new("batch_requests", "Requests whose writes one commit carried")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]),
        )
        .expect("valid metric");
        let commit_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "commit_duration_seconds",
                "Time of one COMMIT with synchronous=FULL (the fsync)",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5,
            ]),
        )
        .expect("valid metric");
        let storage_errors = IntCounterVec::new(
            Opts::new(
                "storage_errors_total",
                "SQLite storage errors met while serving, by class (transient: answered 503 \
                 and retried; permanent: the storage is damaged)",
            ),
            &["class"],
        )
        .expect("valid metric");
        let storage_damaged = IntGaugeVec::new(
            Opts::new(
                "storage_damaged",
                "1 once a permanent storage error stopped the writer's commands, by cause \
                 (the log has the file and SQLite's message)",
            ),
            &["cause"],
        )
        .expect("valid metric");
        let replication_lag = Gauge::new(
            "replication_lag_seconds",
            "Age of the oldest commit not yet restorable from the replica bucket (0: none)",
        )
        .expect("valid metric");
        let replication_generation = IntGauge::new(
            "replication_generation",
            "The replication generation this writer ships (0: not replicating)",
        )
        .expect("valid metric");
        let replication_segments = IntCounter::new(
            "replication_segments_total",
            "WAL segments stored in the replica bucket",
        )
        .expect("valid metric");
        let replication_snapshots = IntCounter::new(
            "replication_snapshots_total",
            "Snapshots stored in the replica bucket",
        )
        .expect("valid metric");
        let replication_bytes = IntCounter::new(
            "replication_bytes_total",
            "Compressed bytes of segments and snapshots stored in the replica bucket",
        )
        .expect("valid metric");
        let replication_failures = IntCounter::new(
            "replication_failures_total",
            "Failed uploads to the replica bucket (each is retried)",
        )
        .expect("valid metric");
        let owns_data_dir = IntGauge::new(
            "owns_data_dir",
            "1 while this process holds the data dir's lock (and the SQLite files)",
        )
        .expect("valid metric");
        let instances = IntCounterVec::new(
            Opts::new(
                "instances_total",
                "Requests by component and whether a fresh instance (started) or one kept from an earlier request (reused) served it",
            ),
            &["component", "how"],
        )
        .expect("valid metric");
        let backlog = IntGaugeVec::new(
            Opts::new(
                "backlog",
                "Work waiting in the ledger: outbox messages pending, unpaid orders holding stock",
            ),
            &["kind"],
        )
        .expect("valid metric");
        for m in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(in_flight.clone()),
            Box::new(queued.clone()),
            Box::new(instances.clone()),
            Box::new(commits.clone()),
            Box::new(failed_commits.clone()),
            Box::new(batch_size.clone()),
            Box::new(commit_seconds.clone()),
            Box::new(owns_data_dir.clone()),
            Box::new(backlog.clone()),
            Box::new(storage_errors.clone()),
            Box::new(storage_damaged.clone()),
            Box::new(replication_lag.clone()),
            Box::new(replication_generation.clone()),
            Box::new(replication_segments.clone()),
            Box::new(replication_snapshots.clone()),
            Box::new(replication_bytes.clone()),
            Box::new(replication_failures.clone()),
        ] {
            registry.register(m).expect("metrics register once");
        }
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
            queued,
            instances,
            commits,
            failed_commits,
            batch_size,
            commit_seconds,
            owns_data_dir,
            backlog,
            storage_errors,
            storage_damaged,
            replication_lag,
            replication_generation,
            replication_segments,
            replication_snapshots,
            replication_bytes,
            replication_failures,
        }
    }

    /// One answered request.
    pub fn answered(&self, component: &str, route: &str, status: u16, took: Duration) {
        self.requests
            .with_label_values(&[component, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[component])
            .observe(took.as_secs_f64());
    }

    /// One COMMIT: whether it carried writes and succeeded, for how many requests.
    pub fn committed(&self, requests: usize, took: Duration, ok: bool) {
        if ok {
            self.commits.inc();
            self.batch_size.observe(requests as f64);
        } else {
            self.failed_commits.inc();
        }
        self.commit_seconds.observe(took.as_secs_f64());
    }

    /// The text exposition format.
    pub fn render(&self) -> Vec<u8> {
        if let Some(status) = crate::database::replication::status() {
            self.replication_lag.set(status.lag().as_secs_f64());
        }
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("metrics encode");
        out
    }
}

/// Counts a request in flight while alive.
pub struct InFlight;

impl InFlight {
    pub fn start() -> InFlight {
        metrics().in_flight.inc();
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics().in_flight.dec();
    }
}

/// Counts a request waiting for a slot while alive.
pub struct Queued;

impl Queued {
    pub fn start() -> Queued {
        metrics().queued.inc();
        Queued
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        metrics().queued.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_names_every_metric() {
        let m = metrics();
        m.answered("pages", "/...", 200, Duration::from_millis(3));
        m.committed(5, Duration::from_micros(400), true);
        let text = String::from_utf8(m.render()).unwrap();
        for name in [
            "storefront_requests_total{component=\"pages\",route=\"/...\",status=\"200\"}",
            "storefront_request_duration_seconds_bucket",
            "storefront_requests_in_flight",
            "storefront_requests_queued",
            "storefront_commits_total",
            "storefront_batch_requests_bucket",
            "storefront_commit_duration_seconds_bucket",
            "storefront_owns_data_dir",
        ] {
            assert!(text.contains(name), "{name} missing:\n{text}");
        }
    }
}
