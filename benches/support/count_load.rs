//! A fixed amount of work for the scale benchmark: TOTAL requests shared by CLIENTS
//! keep-alive connections (the same generator as [`super::http_load`], counted instead of
//! timed), for building a large shop through its own APIs.

use crate::http_load::{MakeRequest, Run, Sender, reuse_or_connect, run_clients};
use http_body_util::BodyExt as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Requests `0..total` spread over `clients` connections; request `i` is `make(c, i)`.
/// Refused or failed requests are counted as errors and tried again with the same `i`
/// (a command's idempotency key makes that safe), at most [`TRIES`] times each.
pub fn drive_total(addr: SocketAddr, clients: usize, total: u64, make: Arc<MakeRequest>) -> Run {
    let next = Arc::new(AtomicU64::new(0));
    run_clients(clients, |c| {
        client(addr, c, total, next.clone(), make.clone())
    })
}

/// Tries per request before the build gives up on it.
const TRIES: u32 = 20;

async fn client(
    addr: SocketAddr,
    c: usize,
    total: u64,
    next: Arc<AtomicU64>,
    make: Arc<MakeRequest>,
) -> (Vec<Duration>, u64) {
    let mut latencies = Vec::new();
    let mut errors = 0u64;
    let mut sender: Option<Sender> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= total {
            return (latencies, errors);
        }
        for attempt in 1..=TRIES {
            let Some(mut open) = reuse_or_connect(addr, sender.take()).await else {
                errors += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            if open.ready().await.is_err() {
                continue;
            }
            let t = Instant::now();
            let Ok(resp) = open.send_request(make(c, i)).await else {
                errors += 1;
                continue;
            };
            let status = resp.status();
            let body = resp.into_body().collect().await;
            sender = Some(open);
            if status.is_success() && body.is_ok() {
                latencies.push(t.elapsed());
                break;
            }
            errors += 1;
            if attempt == TRIES {
                let text = body.map(|b| b.to_bytes()).unwrap_or_default();
                panic!(
                    "request {i} refused {TRIES} times, last {status}: {}",
                    String::from_utf8_lossy(&text)
                );
            }
            tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
        }
    }
}
