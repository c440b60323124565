//! Instances kept between requests: after a `wasi:http` 0.2 instance has answered, the
//! host may keep it idle and hand it the component's next request instead of making a
//! fresh one, as Spin 4 does for its 0.3 handlers (`spin up --max-instance-reuse-count`,
//! `--idle-instance-timeout`).
//!
//! Why: a fresh instance per request costs its instantiation, its slot's reset when it
//! is dropped, and the guest's own first-use work (a page's messages parsed, its
//! variables read) every time; a kept one pays them once per
//! [`Reuse::max_requests`] requests.
//!
//! What carries over and what does not:
//! - kept: the guest's memory and globals, and its WASI context (the handles the guest's
//!   libc opened at start, such as stdout);
//! - per request: the outbound HTTP context (the request id chained calls carry), the
//!   database access with its durability gate, and the key-value access.
//!
//! An instance is kept only when its request ended cleanly: the guest returned (no trap,
//! no timeout), it closed every database connection and key-value store it opened, and
//! its code is still the component's current code (`up --watch` forgets kept ones). It
//! is dropped after [`Reuse::max_requests`] requests, after [`Reuse::idle_timeout`]
//! unused, and when [`Reuse::max_idle`] of its component are idle already.
//!
//! Spin's default for a 0.2 component is one request per instance; this host's is
//! [`MAX_INSTANCE_REUSE_COUNT`], since the storefront's components are written (and
//! tested) to be reused: nothing in them outlives a request except caches of what never
//! changes while the process runs. `--max-instance-reuse-count 1` gives Spin's.
//! Components with the async ABI ([`crate::app::async_guest`]) are not reused.

use crate::host::ComponentState;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use wasmtime::Store;
use wasmtime_wasi_http::p2::bindings::Proxy;

/// Requests one instance serves before it is dropped.
pub const MAX_INSTANCE_REUSE_COUNT: u32 = 128;
/// Longest an instance is kept unused.
pub const IDLE_INSTANCE_TIMEOUT: Duration = Duration::from_secs(1);
/// Most idle instances kept of one component.
pub const MAX_IDLE_INSTANCES: usize = 32;

/// How instances are kept between requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reuse {
    /// Requests one instance serves (1: a fresh instance for every request).
    pub max_requests: u32,
    /// Longest an instance is kept unused.
    pub idle_timeout: Duration,
    /// Most idle instances kept of one component.
    pub max_idle: usize,
}

impl Default for Reuse {
    fn default() -> Self {
        Reuse {
            max_requests: MAX_INSTANCE_REUSE_COUNT,
            idle_timeout: IDLE_INSTANCE_TIMEOUT,
            max_idle: MAX_IDLE_INSTANCES,
        }
    }
}

impl Reuse {
    /// A fresh instance for every request (Spin's default for 0.2 components).
    pub fn never() -> Reuse {
        Reuse {
            max_requests: 1,
            ..Reuse::default()
        }
    }

    /// Idle instances one component may keep: none when an instance serves one request.
    pub fn idle_per_component(&self) -> usize {
        if self.max_requests > 1 {
            self.max_idle
        } else {
            0
        }
    }
}

/// An instance between two requests.
pub struct Idle {
    pub store: Store<ComponentState>,
    pub proxy: Proxy,
    /// Requests it has answered.
    pub served: u32,
    /// The code generation it was made from ([`IdleInstances::generation`]).
    pub generation: u64,
    since: Instant,
}

/// One component's idle instances, the most recently used last.
pub struct IdleInstances {
    reuse: Reuse,
    idle: Mutex<Vec<Idle>>,
    generation: AtomicU64,
}

impl IdleInstances {
    pub fn new(reuse: Reuse) -> Self {
        IdleInstances {
            reuse,
            idle: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// The code generation instances are made from now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The most recently used idle instance (its caches are the warmest), if any is
    /// still fresh; expired ones are dropped on the way.
    pub fn take(&self) -> Option<Idle> {
        let (taken, expired) = {
            let mut idle = self.idle.lock().expect("idle instances lock");
            let expired = self.split_expired(&mut idle);
            (idle.pop(), expired)
        };
        // Dropping a store resets its slot: done outside the lock.
        drop(expired);
        taken
    }

    /// Keeps an instance that answered its request cleanly, unless it has served its
    /// count, its code was replaced, or enough of its component are idle already.
    pub fn put(&self, store: Store<ComponentState>, proxy: Proxy, served: u32, generation: u64) {
        if served >= self.reuse.max_requests {
            return;
        }
        let entry = Idle {
            store,
            proxy,
            served,
            generation,
            since: Instant::now(),
        };
        let refused = {
            let mut idle = self.idle.lock().expect("idle instances lock");
            // Checked under the lock that `forget_all` bumps it under.
            if generation == self.generation() && idle.len() < self.reuse.idle_per_component() {
                idle.push(entry);
                None
            } else {
                Some(entry)
            }
        };
        drop(refused);
    }

    /// Drops the instances unused for longer than the idle timeout.
    pub fn sweep(&self) {
        let expired = {
            let mut idle = self.idle.lock().expect("idle instances lock");
            self.split_expired(&mut idle)
        };
        drop(expired);
    }

    /// Drops every idle instance: the component's code was replaced.
    pub fn forget_all(&self) {
        let all = {
            let mut idle = self.idle.lock().expect("idle instances lock");
            self.generation.fetch_add(1, Ordering::SeqCst);
            std::mem::take(&mut *idle)
        };
        drop(all);
    }

    /// The expired instances at the front (the least recently used), taken out.
    fn split_expired(&self, idle: &mut Vec<Idle>) -> Vec<Idle> {
        let timeout = self.reuse.idle_timeout;
        let cut = idle.partition_point(|i| i.since.elapsed() > timeout);
        idle.drain(..cut).collect()
    }
}

/// Instances started and requests served by a kept instance, for the shutdown log and
/// the metrics.
#[derive(Default)]
pub struct Counts {
    pub started: AtomicU64,
    pub reused: AtomicU64,
}

impl Counts {
    /// `instances: S started, R requests served by a kept instance`.
    pub fn line(&self) -> String {
        format!(
            "instances: {} started, {} requests served by a kept instance",
            self.started.load(Ordering::Relaxed),
            self.reused.load(Ordering::Relaxed)
        )
    }
}
