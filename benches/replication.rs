//! The three replication modes side by side: `cargo bench --bench replication [-- CLIENTS
//! SECONDS]` (default 32 clients, 8 s per row).
//!
//! In one invocation, against one local S3-compatible server (moto, `tests/support/fake_s3.rs`),
//! a standalone `storefront writer` takes orders straight from CLIENTS connections
//! (`POST /orders`, the load generator of `support/http_load.rs`) three times, each on a
//! fresh database with stock raised: without replication, with `--replicate-mode async`
//! (the default `--replicate-max-lag 1s`) and with `--replicate-mode sync`. It prints each
//! run (orders/s, p50/p99, errors, the writer's CPU per order from `/proc/PID/stat`) and
//! the table with each mode's ratios to the run without replication, plus what the
//! bucket received (segments, snapshots, bytes) from the writer's `/metrics`.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/http_load.rs"]
mod http_load;
// Only the writer's requests here; the shopper's are the other benches'.
#[allow(dead_code)]
#[path = "support/order_requests.rs"]
mod order_requests;
#[path = "support/proc_cpu.rs"]
mod proc_cpu;
#[path = "../tests/support/mod.rs"]
mod support;

use http_load::{Run, drive};
use std::net::SocketAddr;
use std::sync::Arc;

const BUCKET: &str = "bench-replicas";
const SLUGS: [&str; 2] = ["french-press", "kenya-nyeri-aa"];

struct Figures {
    run: Run,
    cpu_us: f64,
    shipped: String,
}

fn measure(
    s3: &support::fake_s3::FakeS3,
    mode: Option<&str>,
    clients: usize,
    seconds: u64,
) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    support::raise_stock(dir.path());
    let url = format!("s3://{BUCKET}/{}", mode.unwrap_or("none"));
    let mut extra = vec!["--operator-listen", "127.0.0.1:0"];
    if let Some(mode) = mode {
        extra.extend(["--replicate-to", url.as_str(), "--replicate-mode", mode]);
    }
    let mut cmd = support::writer_command(dir.path(), &extra);
    s3.env(&mut cmd);
    let writer = support::spawn(cmd, dir.path()).ready();
    let addr: SocketAddr = support::addr(&writer).parse().expect("an IP address");
    let pid = writer.child.id();
    let slugs = SLUGS.map(String::from);
    let host = addr.to_string();
    let before = proc_cpu::cpu_seconds(pid);
    let run = drive(
        addr,
        clients,
        seconds,
        Arc::new(move |c, i| order_requests::direct(&host, support::TOKEN, &slugs, c, i)),
    );
    let cpu = proc_cpu::cpu_seconds(pid) - before;
    let cpu_us = cpu * 1e6 / run.latencies.len().max(1) as f64;
    let shipped = shipped(&writer);
    drop(writer);
    Figures {
        run,
        cpu_us,
        shipped,
    }
}

/// The writer's replication counters, from its operator listener.
fn shipped(writer: &support::TestApp) -> String {
    let log = writer.log_once(|l| l.contains("operator listener on http://"));
    let Some(ops) = log
        .lines()
        .find_map(|l| l.split("operator listener on ").nth(1))
    else {
        return String::new();
    };
    let (_, metrics) = support::get(&format!("{}/metrics", ops.trim()));
    let value = |name: &str| {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    format!(
        "segments={} snapshots={} bytes={} failures={}",
        value("storefront_replication_segments_total "),
        value("storefront_replication_snapshots_total "),
        value("storefront_replication_bytes_total "),
        value("storefront_replication_failures_total ")
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let clients: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let s3 = support::fake_s3::FakeS3::start(BUCKET);
    let none = measure(&s3, None, clients, seconds);
    let async_ = measure(&s3, Some("async"), clients, seconds);
    let sync = measure(&s3, Some("sync"), clients, seconds);

    println!(
        "replication: clients={clients} seconds={seconds} client-threads={}",
        http_load::threads()
    );
    for (name, f) in [("none", &none), ("async", &async_), ("sync", &sync)] {
        println!(
            "{name}: {} cpu/order={:.0}us {}",
            f.run.summary(),
            f.cpu_us,
            f.shipped
        );
    }
    println!("| mode | orders/s | p50 | p99 | CPU per order | rate vs none | p99 vs none |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (name, f) in [("none", &none), ("async", &async_), ("sync", &sync)] {
        println!(
            "| {name} | {:.0} | {:.1} ms | {:.1} ms | {:.0} µs | {:.2}x | {:.2}x |",
            f.run.rate(),
            f.run.p(0.50) * 1000.0,
            f.run.p(0.99) * 1000.0,
            f.cpu_us,
            f.run.rate() / none.run.rate(),
            f.run.p(0.99) / none.run.p(0.99)
        );
    }
}
