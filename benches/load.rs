//! Load benchmark against the real app: `cargo bench --bench load -- [orders|catalog|orders-direct|mixed] [CLIENTS] [SECONDS]`.
//!
//! `orders` and `catalog` start `storefront up` on a fresh data dir (stock raised so
//! that orders do not run out), then run CLIENTS concurrent clients for SECONDS, each
//! on its own keep-alive connection (the async generator in `support/http_load.rs`, 2
//! threads like `wrk -t2`, `BENCH_CLIENT_THREADS` to change), and print requests/s,
//! p50/p99 latency and the error count. `orders` posts `POST /api/orders` with a fresh idempotency key each
//! time, each from a shopper address of its own (`x-forwarded-for`, which the app is told
//! to trust); `catalog` fetches `GET /` (the HTML catalog). `BENCH_COMMIT_MODE=per-request`
//! starts the app with `--commit-mode per-request`.
//!
//! `orders-direct` posts orders straight to a standalone `storefront writer` (no pages),
//! once with `--commit-mode group` and once with `--commit-mode per-request`, each on a
//! fresh data dir, and prints both rates, their ratio, p50/p99, the mean batch size (from
//! the writer's `batches: N commits for M requests` line at shutdown) and the writer's
//! CPU time per order (utime+stime from `/proc/PID/stat`).
//!
//! `mixed` posts orders from CLIENTS clients straight to a standalone writer (group
//! commit) while [`MIXED_READERS`] more clients read `GET /catalog/products` from it, once
//! with the writer's default read connections and once with `--read-connections 0`
//! (every read queues for the batch connection, behind COMMITs), each on a fresh data
//! dir, and prints both runs' order rate and read latency and the read p50/p99 ratios.

#[path = "support/http_load.rs"]
mod http_load;
#[path = "support/order_requests.rs"]
mod order_requests;
#[path = "support/proc_cpu.rs"]
mod proc_cpu;
#[path = "../tests/support/mod.rs"]
mod support;

use http::Method;
use http_load::{MakeRequest, Run, drive, request};
use proc_cpu::cpu_seconds;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The writer's default `--read-connections` (src/database/readers.rs).
const DEFAULT_READ_CONNECTIONS: usize = 2;

/// The `host:port` of a running app.
fn socket(app: &support::TestApp) -> SocketAddr {
    support::addr(app)
        .parse()
        .expect("the app listens on an IP address")
}

struct Direct {
    run: Run,
    cpu_per_order: Duration,
    batches: String,
    mean_batch: Option<f64>,
}

/// A standalone writer on a fresh data dir with raised stock, started with `extra`.
/// `BENCH_WRITER_ARGS` (space-separated) are appended, e.g. `--read-connections 0`.
fn direct_writer(extra: &[&str]) -> (tempfile::TempDir, support::TestApp) {
    let dir = tempfile::tempdir().unwrap();
    support::raise_stock(dir.path());
    let more = std::env::var("BENCH_WRITER_ARGS").unwrap_or_default();
    let mut cmd = support::writer_command(dir.path(), extra);
    cmd.args(more.split_whitespace());
    match support::spawn(cmd, dir.path()) {
        support::Started::Ready(app) => (dir, app),
        support::Started::Exited { stderr, .. } => panic!("{stderr:?}"),
    }
}

const SLUGS: [&str; 2] = ["french-press", "kenya-nyeri-aa"];

/// Orders straight to the writer at `host`.
fn direct_orders(host: String) -> Arc<MakeRequest> {
    let slugs = SLUGS.map(String::from);
    Arc::new(move |c, i| order_requests::direct(&host, support::TOKEN, &slugs, c, i))
}

/// One standalone writer with `--commit-mode mode`, ordered against directly.
fn orders_direct(mode: &str, clients: usize, seconds: u64) -> Direct {
    let (_dir, mut writer) = direct_writer(&["--commit-mode", mode]);
    let cpu_before = cpu_seconds(writer.child.id());
    let addr = socket(&writer);
    let run = drive(addr, clients, seconds, direct_orders(addr.to_string()));
    let cpu = cpu_seconds(writer.child.id()) - cpu_before;
    support::send_signal(writer.child.id(), "TERM");
    assert!(writer.wait_for_exit().success());
    let batches = writer
        .stderr()
        .into_iter()
        .find(|l| l.contains("batches: "))
        .unwrap_or_default();
    // "batches: N commits for M requests (F failed)"
    let mean_batch = batches
        .split_once("batches: ")
        .map(|(_, rest)| rest.split_whitespace().collect::<Vec<_>>())
        .and_then(|w| Some(w.get(3)?.parse::<f64>().ok()? / w.first()?.parse::<f64>().ok()?));
    let cpu_per_order = Duration::from_secs_f64(cpu / run.latencies.len().max(1) as f64);
    Direct {
        run,
        cpu_per_order,
        batches,
        mean_batch,
    }
}

/// Catalog readers beside the order clients in `mixed`.
const MIXED_READERS: usize = 4;

/// Orders and catalog reads at once against one writer with `--read-connections n`:
/// (orders, reads, the writer's `reads: …` line).
fn mixed(read_connections: usize, clients: usize, seconds: u64) -> (Run, Run, String) {
    let n = read_connections.to_string();
    let (_dir, mut writer) = direct_writer(&["--read-connections", &n]);
    let addr = socket(&writer);
    let orders = {
        let make = direct_orders(addr.to_string());
        std::thread::spawn(move || drive(addr, clients, seconds, make))
    };
    let host = addr.to_string();
    let reads = drive(
        addr,
        MIXED_READERS,
        seconds,
        Arc::new(move |_, _| {
            request(
                Method::GET,
                &host,
                "/catalog/products",
                &[("authorization", format!("Bearer {}", support::TOKEN))],
                None,
            )
        }),
    );
    let orders = orders.join().unwrap();
    support::send_signal(writer.child.id(), "TERM");
    assert!(writer.wait_for_exit().success());
    let line = writer
        .stderr()
        .into_iter()
        .find(|l| l.starts_with("reads: "))
        .unwrap_or_else(|| "no read connections".into());
    (orders, reads, line)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let scenario = args.first().cloned().unwrap_or_else(|| "orders".into());
    let clients: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);

    if scenario == "orders-direct" {
        let group = orders_direct("group", clients, seconds);
        let single = orders_direct("per-request", clients, seconds);
        for (mode, d) in [("group", &group), ("per-request", &single)] {
            println!(
                "orders-direct {mode}: clients={clients} seconds={seconds} {} cpu/order={:.0}us{}",
                d.run.summary(),
                d.cpu_per_order.as_secs_f64() * 1e6,
                match d.mean_batch {
                    Some(m) => format!(" mean batch={m:.1} ({})", d.batches.trim()),
                    None => String::new(),
                }
            );
        }
        println!(
            "orders-direct: group / per-request = {:.2}x",
            group.run.rate() / single.run.rate()
        );
        return;
    }

    if scenario == "mixed" {
        let default = mixed(DEFAULT_READ_CONNECTIONS, clients, seconds);
        let none = mixed(0, clients, seconds);
        for (n, (orders, reads, line)) in [(DEFAULT_READ_CONNECTIONS, &default), (0, &none)] {
            println!(
                "mixed read-connections={n}: clients={clients}+{MIXED_READERS} seconds={seconds}\n  orders: {}\n  catalog reads: {}\n  {line}",
                orders.summary(),
                reads.summary()
            );
        }
        let p = |r: &Run, q| r.p(q);
        println!(
            "mixed: catalog read latency without / with read connections: p50 {:.2}x, p99 {:.2}x; orders/s with / without {:.2}x",
            p(&none.1, 0.50) / p(&default.1, 0.50),
            p(&none.1, 0.99) / p(&default.1, 0.99),
            default.0.rate() / none.0.rate()
        );
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    // Stock raised so the benchmark measures ordering, not running out.
    support::raise_stock(dir.path());
    // `BENCH_COMMIT_MODE=per-request` compares the old commit mode through the pages.
    let mut cmd = support::up_command(dir.path());
    // Every order comes from a shopper of its own, as behind a proxy (`client_ip_header`):
    // one address placing thousands of unpaid orders is what the per-client limits refuse,
    // and counting a client's unpaid orders costs in proportion to how many it holds.
    cmd.env("SPIN_VARIABLE_CLIENT_IP_HEADER", "x-forwarded-for");
    if let Ok(mode) = std::env::var("BENCH_COMMIT_MODE") {
        cmd.args(["--commit-mode", &mode]);
    }
    let app = support::spawn(cmd, dir.path()).ready();
    let slugs: Vec<String> = app.stock().into_keys().collect();
    let addr = socket(&app);
    let host = addr.to_string();
    let catalog = scenario == "catalog";
    let run = drive(
        addr,
        clients,
        seconds,
        Arc::new(move |c, i| {
            if catalog {
                request(Method::GET, &host, "/", &[], None)
            } else {
                order_requests::shopper(&host, &slugs, c, i)
            }
        }),
    );
    println!(
        "{scenario}: clients={clients} seconds={seconds} client-threads={} {}",
        http_load::threads(),
        run.summary()
    );
    if scenario == "orders" {
        drop(app);
        let conn = support::open_db(dir.path());
        println!(
            "orders in database: {} (acknowledged: {})",
            support::count(&conn, "orders"),
            run.latencies.len()
        );
    }
}
