//! Every bound the server puts on what a client may hold: connections, time, bytes,
//! component instances. Each default is a named constant here and can be changed
//! with a flag of `up`, `writer` and `pages` (see `cli::ServerLimits`); the table in
//! docs/limits.md lists them with what happens when one is hit.
//!
//! Together they bound what any number of clients can cost. Memory: about
//! `max_connections` × `max_head_bytes` of connection buffers, plus `body_memory`
//! of request bodies, plus the instances of `max_in_flight` requests. Time: no
//! connection is held without progress for longer than a timeout.

use std::time::Duration;

/// Open connections per process. When reached, the server stops accepting: new
/// connections wait in the kernel's listen backlog until one closes.
pub const MAX_CONNECTIONS: usize = 1024;
/// Requests running in components at once. More wait in a FIFO queue.
/// The instance pool is sized from it (see `instance_slots`).
pub const MAX_IN_FLIGHT: usize = 64;
/// Longest a complete request waits in the queue for a component; then `503` +
/// `Retry-After`.
pub const QUEUE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time to receive a whole request head, counted from the connection's start or
/// from the end of the previous response: it is also the keep-alive idle timeout
/// (hyper runs one timer for both). The connection is then closed.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line + headers); also the most a connection
/// buffers. Larger heads are refused `431`.
pub const MAX_HEAD_BYTES: usize = 64 << 10;
/// Largest request body the host passes to a component (components set tighter
/// limits). A larger one is refused `413`.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// A body declared over [`MAX_BODY_BYTES`] but not over this is read and discarded
/// (never buffered) before the `413`, so a client that is still sending gets the
/// answer rather than a broken pipe; a larger one is answered at once and the
/// connection closed.
pub const MAX_DISCARD_BYTES: u64 = 16 << 20;
/// Base time to receive a body once its head is in; see [`MIN_BODY_RATE`].
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Slowest accepted upload, bytes per second: a body of N bytes must arrive within
/// [`BODY_TIMEOUT`] + N / rate, else `408` and the connection is closed.
pub const MIN_BODY_RATE: u64 = 16 << 10;
/// Longest pause between two pieces of a body; then `408` and close.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// Bytes of request bodies buffered at once in the whole process (each body is
/// read completely before it is given to a component). A body that does not fit
/// waits for room within its own deadline, then `503` + `Retry-After`.
pub const BODY_MEMORY: usize = 32 << 20;
/// Longest one request runs in its component instance, from the start of its run
/// (instantiation, for a fresh instance) to the last byte of its response body: a guest
/// still streaming its answer to a client that does not read is stopped then (the
/// response is cut off, the instance dropped) and its slot freed, so slow readers cannot
/// hold the instance pool either.
pub const INSTANCE_LIFETIME: Duration = Duration::from_secs(60);
/// Most threads serving connections (`--connection-threads`; by default one per core).
pub const MAX_CONNECTION_THREADS: usize = 256;

/// One thread serving connections per core the process may use.
pub fn default_connection_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How long a stopping server waits for the requests running in components.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The limits one server runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub max_connections: usize,
    pub max_in_flight: usize,
    pub queue_timeout: Duration,
    pub header_timeout: Duration,
    pub max_head_bytes: usize,
    pub max_body_bytes: usize,
    pub max_discard_bytes: u64,
    pub body_timeout: Duration,
    pub min_body_rate: u64,
    pub body_idle_timeout: Duration,
    pub body_memory: usize,
    pub instance_lifetime: Duration,
    /// Instances kept between requests ([`crate::app::instance_reuse`]).
    pub reuse: crate::app::instance_reuse::Reuse,
    pub drain_timeout: Duration,
    /// Threads serving connections, each a single-threaded runtime
    /// ([`super::threads`]).
    pub connection_threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: MAX_CONNECTIONS,
            max_in_flight: MAX_IN_FLIGHT,
            queue_timeout: QUEUE_TIMEOUT,
            header_timeout: HEADER_TIMEOUT,
            max_head_bytes: MAX_HEAD_BYTES,
            max_body_bytes: MAX_BODY_BYTES,
            max_discard_bytes: MAX_DISCARD_BYTES,
            body_timeout: BODY_TIMEOUT,
            min_body_rate: MIN_BODY_RATE,
            body_idle_timeout: BODY_IDLE_TIMEOUT,
            body_memory: BODY_MEMORY,
            instance_lifetime: INSTANCE_LIFETIME,
            reuse: Default::default(),
            drain_timeout: DRAIN_TIMEOUT,
            connection_threads: default_connection_threads(),
        }
    }
}

impl Limits {
    /// When a body of `len` bytes must have arrived, counted from its head.
    pub fn body_deadline(&self, len: u64) -> Duration {
        let rate = self.min_body_rate.max(1);
        self.body_timeout + Duration::from_millis(len.saturating_mul(1000) / rate)
    }

    /// Checks the combinations the server cannot run with.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.max_connections > 0, "--max-connections must be > 0");
        anyhow::ensure!(self.max_in_flight > 0, "--max-in-flight must be > 0");
        anyhow::ensure!(
            (1..=MAX_CONNECTION_THREADS).contains(&self.connection_threads),
            "--connection-threads must be between 1 and {MAX_CONNECTION_THREADS}"
        );
        anyhow::ensure!(
            self.max_head_bytes >= 8192,
            "--max-head-bytes must be at least 8192"
        );
        anyhow::ensure!(
            self.body_memory >= self.max_body_bytes,
            "--body-memory must hold at least one body of --max-body-bytes"
        );
        anyhow::ensure!(
            self.max_body_bytes <= u32::MAX as usize,
            "--max-body-bytes must be below 4 GiB"
        );
        anyhow::ensure!(
            self.header_timeout > Duration::ZERO,
            "--header-timeout must be > 0"
        );
        anyhow::ensure!(
            self.instance_lifetime > Duration::ZERO,
            "--instance-lifetime must be > 0"
        );
        anyhow::ensure!(
            self.reuse.idle_timeout > Duration::ZERO,
            "--idle-instance-timeout must be > 0"
        );
        Ok(())
    }
}
