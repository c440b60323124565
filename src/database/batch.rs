//! Group commit: the host-owned SQLite transaction that holds several writer requests'
//! work, and the output gate that holds their responses until it is durable.
//!
//! Why: with `synchronous=FULL` every COMMIT waits for an fsync, and one exclusive
//! connection means orders queue behind one fsync each. A batch runs the requests one
//! after another on the connection inside one transaction (each request's own
//! transactions become savepoints, see [`super::lease`]) and commits them with one
//! fsync. Nothing a request reports may leave the process before that commit returns
//! (ARCHITECTURE.md, "Durability before output"): every request whose work, or whose
//! reads of uncommitted work, is in a batch gets a [`Ticket`], and the host waits for
//! it ([`OutputGate::durable`]) before it hands the response on. If the COMMIT fails,
//! the whole batch is rolled back and every held response becomes a retryable 503. With
//! sync replication the gate also waits for the replica bucket
//! ([`super::replication`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

/// How writer requests are committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CommitMode {
    /// Several requests share one transaction and one fsync; responses wait for it.
    Group,
    /// Every component transaction is its own SQLite transaction (one fsync each).
    PerRequest,
}

/// When an open batch is committed.
#[derive(Clone, Copy, Debug)]
pub struct CommitPolicy {
    pub mode: CommitMode,
    /// Commit once this many requests are in the batch, even if more are waiting.
    pub max_requests: usize,
    /// Commit once the batch is this old, even if more requests are waiting.
    pub max_age: Duration,
}

impl Default for CommitPolicy {
    fn default() -> Self {
        CommitPolicy {
            mode: CommitMode::Group,
            max_requests: 64,
            max_age: Duration::from_millis(5),
        }
    }
}

/// The result of one batch: durable, or rolled back with the reason.
pub type Outcome = Result<(), Arc<str>>;

/// A waitable claim on one batch's outcome.
#[derive(Clone)]
pub struct Ticket(watch::Receiver<Option<Outcome>>);

impl Ticket {
    pub async fn wait(mut self) -> Outcome {
        match self.0.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone().unwrap_or(Ok(())),
            Err(_) => Err("the batch was abandoned".into()),
        }
    }
}

/// The open host transaction.
pub(crate) struct Batch {
    /// Tells batches apart, so a request takes one ticket per batch.
    pub id: u64,
    pub started: Instant,
    /// Requests holding a ticket for this batch.
    pub requests: usize,
    /// Uncommitted writes exist: readers from now on are gated too.
    pub dirty: bool,
    outcome: watch::Sender<Option<Outcome>>,
}

impl Batch {
    pub fn new(id: u64) -> Batch {
        Batch {
            id,
            started: Instant::now(),
            requests: 0,
            dirty: false,
            outcome: watch::channel(None).0,
        }
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.outcome.subscribe())
    }

    /// Tells every held response how the batch ended.
    pub fn finish(self, outcome: Outcome) {
        self.outcome.send_replace(Some(outcome));
    }

    /// Whether the request letting go of the connection should commit now.
    pub fn due(&self, policy: &CommitPolicy, waiting: usize) -> bool {
        waiting == 0
            || self.requests >= policy.max_requests
            || self.started.elapsed() >= policy.max_age
    }
}

/// Commit counters, printed at shutdown (`batches: N commits for M requests`).
#[derive(Default)]
pub struct Stats {
    /// Durable commits that carried writes.
    pub commits: AtomicU64,
    /// Requests gated on those commits.
    pub requests: AtomicU64,
    /// Batches rolled back because their commit (or a statement) failed.
    pub failed: AtomicU64,
}

impl Stats {
    pub fn line(&self) -> String {
        let commits = self.commits.load(Ordering::Relaxed);
        let requests = self.requests.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        format!("batches: {commits} commits for {requests} requests ({failed} failed)")
    }
}

/// What the host must wait for before one request's response may leave: its batch
/// tickets, and the request letting go of the connection (a guest could hand back its
/// response head while still holding it).
#[derive(Clone, Default)]
pub struct OutputGate(Arc<GateInner>);

#[derive(Default)]
struct GateInner {
    state: Mutex<GateState>,
    released: Notify,
}

#[derive(Default)]
struct GateState {
    holding: bool,
    tickets: Vec<Ticket>,
    /// The gravest storage error the request met ([`super::storage_fault`]).
    fault: Option<super::storage_fault::Fault>,
    /// Sync replication: the commit the bucket must hold before the response leaves.
    replicated: Option<(Arc<super::replication::Feed>, u64)>,
}

impl OutputGate {
    pub(super) fn hold_connection(&self) {
        self.0.state.lock().unwrap().holding = true;
    }

    pub(super) fn release_connection(&self) {
        self.0.state.lock().unwrap().holding = false;
        self.0.released.notify_waiters();
    }

    pub(super) fn add(&self, ticket: Ticket) {
        self.0.state.lock().unwrap().tickets.push(ticket);
    }

    /// Holds the response until the replica bucket has commit `number` (sync mode).
    pub(super) fn require_replicated(&self, feed: Arc<super::replication::Feed>, number: u64) {
        let mut state = self.0.state.lock().unwrap();
        let higher = state.replicated.as_ref().is_none_or(|(_, n)| number > *n);
        if higher {
            state.replicated = Some((feed, number));
        }
    }

    /// Records a storage error the request met (a permanent one outranks a transient one).
    pub fn note_fault(&self, fault: super::storage_fault::Fault) {
        let mut state = self.0.state.lock().unwrap();
        if state.fault != Some(super::storage_fault::Fault::Permanent) {
            state.fault = Some(fault);
        }
    }

    /// The gravest storage error the request met, if any.
    pub fn fault(&self) -> Option<super::storage_fault::Fault> {
        self.0.state.lock().unwrap().fault
    }

    /// How many batches this request is held for (tests).
    #[cfg(test)]
    pub fn tickets(&self) -> usize {
        self.0.state.lock().unwrap().tickets.len()
    }

    /// Waits until everything the request saw or wrote is durable; `Err` if a batch it
    /// is in was rolled back (the response must then not leave).
    pub async fn durable(&self) -> Outcome {
        loop {
            let released = self.0.released.notified();
            if !self.0.state.lock().unwrap().holding {
                break;
            }
            released.await;
        }
        let tickets = std::mem::take(&mut self.0.state.lock().unwrap().tickets);
        for ticket in tickets {
            ticket.wait().await?;
        }
        let replicated = self.0.state.lock().unwrap().replicated.take();
        if let Some((feed, number)) = replicated {
            feed.replicated(number).await?;
        }
        Ok(())
    }
}

/// The retryable answer that replaces a response whose batch did not commit: 503,
/// `Retry-After: 1`, the components' JSON error shape. The pages retry it with the
/// same idempotency key, so the outcome is exact.
pub fn commit_failed_response(reason: &str) -> http::Response<wasmtime_wasi_http::WasiBody> {
    use http_body_util::BodyExt;
    let body = storefront_domain::ErrorBody::new(
        "commit_failed",
        format!("the change could not be made durable, try again: {reason}"),
    )
    .to_json();
    let mut r = http::Response::new(
        http_body_util::Full::new(bytes::Bytes::from(body))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *r.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
    let headers = r.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static("1"),
    );
    r
}
