//! Load benchmark against the real app: `cargo bench --bench load -- [orders|catalog] [CLIENTS] [SECONDS]`.
//!
//! Starts `storefront up` on a fresh data dir (stock raised so that orders do not run
//! out), then runs CLIENTS concurrent clients for SECONDS, each on its own keep-alive
//! connection, and prints requests/s, p50/p99 latency and the error count.
//! `orders` posts `POST /api/orders` with a fresh idempotency key each time;
//! `catalog` fetches `GET /` (the HTML catalog).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let scenario = args.first().cloned().unwrap_or_else(|| "orders".into());
    let clients: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);

    let dir = tempfile::tempdir().unwrap();
    // Stock raised so the benchmark measures ordering, not running out.
    common::raise_stock(dir.path());
    let app = common::start(dir.path());
    let slugs: Vec<String> = common::stock(&app).into_keys().collect();

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let base = app.base_url.clone();
            let scenario = scenario.clone();
            let slugs = slugs.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                let mut i = 0u64;
                while Instant::now() < deadline {
                    i += 1;
                    let t = Instant::now();
                    let result = match scenario.as_str() {
                        "catalog" => client.get(format!("{base}/")).send(),
                        _ => client
                            .post(format!("{base}/api/orders"))
                            .header("idempotency-key", format!("bench-{c}-{i}"))
                            .json(&serde_json::json!({
                                "email": "bench@example.com",
                                "name": "Bench Client",
                                "address": {"line1": "1 Load St", "city": "Berlin", "postal_code": "10115", "country": "DE"},
                                "items": [{"slug": slugs[(i as usize) % slugs.len()], "quantity": 1}]
                            }))
                            .send(),
                    };
                    match result {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes();
                            latencies.push(t.elapsed());
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (l, e) = h.join().unwrap();
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "{scenario}: clients={clients} seconds={seconds} requests={} rate={:.0}/s p50={:.2}ms p99={:.2}ms errors={errors}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
    );
    if scenario == "orders" {
        drop(app);
        let conn = common::open_db(dir.path());
        println!(
            "orders in database: {} (acknowledged: {})",
            common::count(&conn, "orders"),
            latencies.len()
        );
    }
}
