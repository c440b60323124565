//! What hostile clients cost shoppers: `cargo bench --bench hostile -- [CLIENTS] [SECONDS]`.
//!
//! Starts the production topology (`storefront writer` + `storefront pages` in front)
//! on a fresh data dir and prints:
//! 1. shopper `GET /` p50/p99 (CLIENTS keep-alive clients for SECONDS) with no slow
//!    clients, then while 300 slow clients hold a POST head with `Content-Length: 100`
//!    and never send the body (same run; the pages keep them for the whole run:
//!    `--body-idle-timeout 120s --body-timeout 120s`), and the ratio;
//! 2. the pages process's RSS before and with 20 uploads declared at 16 MiB that
//!    send 15 MiB and stall;
//! 3. the writer handover time with 50 idle sockets open to the old writer: SIGTERM
//!    to the successor (started with `--wait`) serving, and SIGTERM to the old
//!    writer's exit.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Shopper `GET /` latencies: `clients` threads for `seconds`; (sorted, errors).
fn shoppers(base: &str, clients: usize, seconds: u64) -> (Vec<Duration>, u64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            let base = base.to_string();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match client.get(format!("{base}/")).send() {
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
    let (mut all, mut errors) = (Vec::new(), 0);
    for h in handles {
        let (l, e) = h.join().unwrap();
        all.extend(l);
        errors += e;
    }
    all.sort();
    (all, errors)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let clients: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(4);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);

    let dir = tempfile::tempdir().unwrap();
    let port = support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let writer_at = |wait: bool| support::writer_on_port(dir.path(), port, wait);
    let mut writer = support::spawn(writer_at(false), dir.path()).ready();
    let mut pages_cmd = support::pages_command(&writer.base_url);
    pages_cmd.args(["--body-idle-timeout", "120s", "--body-timeout", "120s"]);
    let pages = support::spawn(pages_cmd, dir.path()).ready();
    let addr = support::addr(&pages);

    // 1. Shopper latency without and with 300 slow clients.
    let _ = shoppers(&pages.base_url, clients, 1); // warm-up
    let (calm, calm_errors) = shoppers(&pages.base_url, clients, seconds);
    let slow: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            write!(
                s,
                "POST /api/orders HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
                 idempotency-key: slow\r\ncontent-length: 100\r\n\r\n"
            )
            .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (under, under_errors) = shoppers(&pages.base_url, clients, seconds);
    drop(slow);
    let (p50, p99) = (
        support::percentile(&calm, 0.5),
        support::percentile(&calm, 0.99),
    );
    let (q50, q99) = (
        support::percentile(&under, 0.5),
        support::percentile(&under, 0.99),
    );
    println!(
        "GET / ({clients} clients, {seconds} s each): no slow clients p50={:.2}ms p99={:.2}ms ({} requests, {calm_errors} errors); \
         300 slow clients p50={:.2}ms p99={:.2}ms ({} requests, {under_errors} errors); ratio p50 x{:.2}, p99 x{:.2}",
        ms(p50),
        ms(p99),
        calm.len(),
        ms(q50),
        ms(q99),
        under.len(),
        q50.as_secs_f64() / p50.as_secs_f64(),
        q99.as_secs_f64() / p99.as_secs_f64(),
    );

    // 2. Pages RSS with 20 stalled 16 MiB uploads.
    std::thread::sleep(Duration::from_millis(500));
    let (rss_before, _) = support::memory_kib(pages.child.id());
    let big = vec![b' '; 15 << 20];
    let uploads: Vec<_> = (0..20)
        .map(|_| {
            let (addr, big) = (addr.clone(), big.clone());
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(&addr).unwrap();
                write!(
                    s,
                    "POST /api/orders HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\n\r\n",
                    16 << 20
                )
                .unwrap();
                s.write_all(&big).unwrap();
                s
            })
        })
        .collect();
    let uploads: Vec<TcpStream> = uploads.into_iter().map(|t| t.join().unwrap()).collect();
    std::thread::sleep(Duration::from_secs(1));
    let (rss_with, hwm_with) = support::memory_kib(pages.child.id());
    drop(uploads);
    println!(
        "pages RSS: {} MiB before, {} MiB with 20 stalled 16 MiB uploads (15 MiB sent each; peak {} MiB)",
        rss_before / 1024,
        rss_with / 1024,
        hwm_with / 1024
    );

    // 3. Writer handover with 50 idle sockets open to the old writer.
    let idle: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(&listen).unwrap())
        .collect();
    let path = dir.path().to_path_buf();
    let cmd = writer_at(true);
    let successor = std::thread::spawn(move || support::spawn(cmd, &path));
    std::thread::sleep(Duration::from_millis(500));
    let sigterm = Instant::now();
    support::send_signal(writer.child.id(), "TERM");
    let status = writer.wait_for_exit();
    let exited = sigterm.elapsed();
    let successor = successor.join().unwrap().ready();
    let health = support::client()
        .get(successor.url("/health"))
        .bearer_auth(support::TOKEN)
        .send()
        .unwrap();
    let serving = sigterm.elapsed();
    drop(idle);
    println!(
        "writer handover with 50 idle sockets: old writer exited in {:.0} ms ({status}), successor serving ({}) {:.0} ms after SIGTERM",
        ms(exited),
        health.status(),
        ms(serving)
    );
}
