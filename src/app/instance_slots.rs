//! Who may hold a component instance, and how many at once.
//!
//! The pooling allocator has a fixed number of instance slots; asking for one more
//! fails the request ("limit of N component instances"). So every instantiation first
//! takes a [`Slot`] from one of three fixed shares, and the pool is sized to their sum:
//!
//! - **requests**: client requests the server has admitted (its in-flight limit);
//! - **chained**: service-chained calls those requests make in-process
//!   (`http://<component>.spin.internal`, e.g. pages → writer under `storefront up`);
//! - **host**: the host's own calls to its writer (health check, reservation expiry,
//!   admin commands).
//!
//! No client behaviour can then exhaust the pool: at worst a share is busy and the
//! caller waits (bounded) for a slot of its own share.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Chained calls a client request may have running at once (pages make one writer
/// call at a time). A component that makes more waits for a free chained slot.
pub const CHAINED_PER_REQUEST: usize = 1;
/// Instances reserved for the host's own writer calls, so a full server never
/// starves the reservation expiry or an admin command.
pub const HOST_CALLS: usize = 4;
/// Longest a service-chained call waits for a chained slot before failing as
/// "destination unavailable" (which the pages retry like a refused connection).
pub const CHAINED_WAIT: Duration = Duration::from_secs(5);

/// How many component instances this process may run at once, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Capacity {
    /// Client requests running in components at once (the server's admission limit).
    pub requests: usize,
    /// Longest one request runs in its instance, its response body included: a guest
    /// still streaming to a client that does not read is stopped then, the instance
    /// dropped and its slot freed.
    pub lifetime: Duration,
    /// How instances are kept between requests (they need pool slots of their own).
    pub reuse: crate::app::instance_reuse::Reuse,
}

impl Capacity {
    /// Every instance the pool must hold: each share at its maximum.
    pub fn instances(&self) -> usize {
        self.requests * (1 + CHAINED_PER_REQUEST) + HOST_CALLS
    }
}

/// The right to one component instance, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

/// The three shares of the instance pool.
pub struct InstanceSlots {
    requests: Arc<Semaphore>,
    chained: Arc<Semaphore>,
    host: Arc<Semaphore>,
}

impl InstanceSlots {
    pub fn new(capacity: Capacity) -> InstanceSlots {
        InstanceSlots {
            requests: Arc::new(Semaphore::new(capacity.requests)),
            chained: Arc::new(Semaphore::new(capacity.requests * CHAINED_PER_REQUEST)),
            host: Arc::new(Semaphore::new(HOST_CALLS)),
        }
    }

    /// A slot for a client request: waits in FIFO order until one is free (the
    /// server bounds the wait).
    pub async fn request(&self) -> Slot {
        Slot {
            _permit: self
                .requests
                .clone()
                .acquire_owned()
                .await
                .expect("the slots are never closed"),
        }
    }

    /// A slot for a service-chained call, or `None` after [`CHAINED_WAIT`].
    pub async fn chained(&self) -> Option<Slot> {
        tokio::time::timeout(CHAINED_WAIT, self.chained.clone().acquire_owned())
            .await
            .ok()
            .map(|p| Slot {
                _permit: p.expect("the slots are never closed"),
            })
    }

    /// A slot for one of the host's own calls.
    pub async fn host(&self) -> Slot {
        Slot {
            _permit: self
                .host
                .clone()
                .acquire_owned()
                .await
                .expect("the slots are never closed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_shares_together_are_exactly_the_pool() {
        let capacity = Capacity {
            requests: 3,
            lifetime: Duration::from_secs(60),
            reuse: crate::app::instance_reuse::Reuse::default(),
        };
        let slots = InstanceSlots::new(capacity);
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(slots.request().await);
            held.push(slots.chained().await.expect("a chained slot per request"));
        }
        for _ in 0..HOST_CALLS {
            held.push(slots.host().await);
        }
        assert_eq!(held.len(), capacity.instances());
        let short = Duration::from_millis(20);
        assert!(tokio::time::timeout(short, slots.request()).await.is_err());
        assert!(tokio::time::timeout(short, slots.host()).await.is_err());
        held.pop();
        assert!(tokio::time::timeout(short, slots.host()).await.is_ok());
    }
}
