//! Scale benchmark: `cargo bench --bench scale [-- PRODUCTS ORDERS]` (default 100,000
//! products and 1,000,000 orders) prints, side by side, what the demo shop and a large
//! shop cost for the same operations, and their ratio.
//!
//! The large shop is built through the shop's own APIs, as a growing shop would be: the
//! owner's admin API creates [`COLLECTIONS`] collections and PRODUCTS products with three
//! sizes each, then `POST /api/orders` places ORDERS orders, each from a shopper address
//! of its own (`client_ip_header`), one line of a product spread over the catalog. The
//! data dir is kept under `target/scale-snapshot/p{PRODUCTS}-o{ORDERS}` (built once, named
//! by its sizes, moved into place only when complete) and copied for every run, so the
//! figures of two builds come from the same shop; a build with new migrations applies them
//! to the copy at start. `SCALE_SNAPSHOT_DIR` moves the cache. Before its first use the
//! snapshot is *settled* ([`settle`]): run until its expired reservations are released, so
//! the rows measure a large shop, not a million reservations expiring at once.
//!
//! Both shops run under `storefront up` in this one invocation, one after the other; every
//! row is the median and p99 of sequential requests from one client (after a warm-up),
//! "uncached" rows with a stock adjustment (a write) before each timed request, so each
//! is the first request after a write. Loads use the generator of `support/http_load.rs`.
//! `SCALE_ROWS=catalog` measures only the catalog rows; `SCALE_BACKGROUND=off` runs both
//! shops without their background loops; while the settled snapshot holds undelivered
//! emails, both run with the outbox timer off ([`DISPATCH_OFF`]).

#[path = "support/count_load.rs"]
mod count_load;
#[path = "support/http_load.rs"]
mod http_load;
#[path = "../tests/support/mod.rs"]
mod support;

use http::Method;
use http_load::{Run, drive, request};
use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use storefront_domain::decimal::thousands;

/// Collections of the large shop; each product belongs to one.
const COLLECTIONS: usize = 10;
/// Words the large shop's product names start with (search `co` matches two in ten).
const WORDS: [&str; 10] = [
    "Coffee", "Cocoa", "Tea", "Mug", "Kettle", "Grinder", "Filter", "Cup", "Scale", "Jar",
];
const SIZES: [&str; 3] = ["S", "M", "L"];
/// Connections the build and the order loads use.
const CLIENTS: usize = 32;
/// Seconds each load runs.
const LOAD_SECONDS: u64 = 10;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let products: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let orders: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    // `SCALE_ROWS=steady`: only the steady-state bytes per order (no large shop).
    if std::env::var("SCALE_ROWS").is_ok_and(|r| r == "steady") {
        let steady = steady_bytes_per_order();
        println!(
            "| bytes per order kept for good (steady state) | {} |",
            steady.text
        );
        return;
    }
    let snapshot = snapshot(products, orders);
    if snapshot.emails_pending > 0 {
        DISPATCH_OFF.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    let demo = tempfile::tempdir().unwrap();
    support::set_owner_password(demo.path(), support::OWNER_PASSWORD);
    let demo_figures = measure("demo", demo.path());

    let large = tempfile::tempdir().unwrap();
    copy_dir(&snapshot.dir, large.path());
    let large_figures = measure("large", large.path());

    println!();
    println!(
        "| operation | demo shop | {} products, {} orders | large / demo |",
        thousands(products),
        thousands(orders)
    );
    println!("| --- | --- | --- | --- |");
    for ((name, small), (_, big)) in demo_figures.iter().zip(&large_figures) {
        let ratio = match (small.value, big.value) {
            (Some(s), Some(b)) if s > 0.0 => format!("{:.2}x", b / s),
            _ => "n/a".into(),
        };
        println!("| {name} | {} | {} | {ratio} |", small.text, big.text);
    }
    if DISPATCH_OFF.load(std::sync::atomic::Ordering::Relaxed) && !background_off() {
        println!(
            "| (both shops with `--dispatch-every 0`: the settled snapshot holds {} undelivered emails) | | | |",
            thousands(snapshot.emails_pending)
        );
    }
    println!(
        "| bytes per order while the snapshot was built | | {} | |",
        thousands(snapshot.bytes_per_order())
    );
    let steady = steady_bytes_per_order();
    println!(
        "| bytes per order kept for good (steady state, see `steady_bytes_per_order`) | {} | | |",
        steady.text
    );
}

/// Orders the steady-state measure places (`SCALE_STEADY_ORDERS`, default 2,000).
fn steady_orders() -> u64 {
    std::env::var("SCALE_STEADY_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

/// What an order costs the file for good, once what has a retention is gone: a fresh
/// shop placing [`steady_orders`] one-line orders with every retention shortened to 1 s
/// (`idempotency_response_seconds`, `idempotency_fingerprint_seconds`,
/// `outbox_delivered_seconds`) and unpaid orders expiring after 1 s (`--checkout-ttl`),
/// measured once the outbox has delivered everything and the host's sweeps (every 60 s)
/// have run: the database's used pages (`page_count - freelist_count`, times the page
/// size) after, less before, per order. What stays is the order, its line, its events,
/// their indexes and the per-day aggregate.
fn steady_bytes_per_order() -> Figure {
    let dir = tempfile::tempdir().unwrap();
    support::set_owner_password(dir.path(), support::OWNER_PASSWORD);
    let start_short = || {
        let mut cmd = support::up_command(dir.path());
        cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", support::ADMIN_TOKEN)
            .env("SPIN_VARIABLE_CLIENT_IP_HEADER", "x-forwarded-for")
            .env("SPIN_VARIABLE_IDEMPOTENCY_RESPONSE_SECONDS", "1")
            .env("SPIN_VARIABLE_IDEMPOTENCY_FINGERPRINT_SECONDS", "1")
            .env("SPIN_VARIABLE_OUTBOX_DELIVERED_SECONDS", "1")
            .args(["--checkout-ttl", "1"]);
        support::spawn(cmd, dir.path()).ready()
    };
    let used = || {
        let db = support::open_db(dir.path());
        let pragma = |name: &str| -> i64 {
            db.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .unwrap()
        };
        (pragma("page_count") - pragma("freelist_count")) * pragma("page_size")
    };
    let app = start_short();
    let http = client();
    let sku = first_sku(&http, &app);
    let resp = http
        .post(app.url(&format!("/admin/catalog/variants/{sku}/stock")))
        .bearer_auth(support::ADMIN_TOKEN)
        .header("idempotency-key", "scale-steady-restock")
        .json(&json!({"delta": 1_000_000, "reason": "scale bench"}))
        .send()
        .unwrap();
    assert!(resp.status().is_success(), "restock: {}", resp.status());
    std::thread::sleep(Duration::from_secs(2));
    assert!(app.stop().success());
    let before = used();

    let app = start_short();
    let addr = socket(&app);
    let orders = steady_orders();
    eprintln!("[scale] steady state: placing {orders} orders");
    let run = count_load::drive_total(
        addr,
        CLIENTS,
        orders,
        order_maker(addr, "steady", "placed", sku),
    );
    eprintln!("[scale] steady state: {}", run.summary());
    let empty = |path: &str| -> bool {
        let list: Value = http
            .get(app.url(path))
            .bearer_auth(support::ADMIN_TOKEN)
            .send()
            .unwrap()
            .json()
            .unwrap_or(Value::Null);
        ["orders", "messages"]
            .iter()
            .any(|k| list[k].as_array().is_some_and(|a| a.is_empty()))
    };
    let deadline = Instant::now() + Duration::from_secs(600);
    while !(empty("/admin/orders?state=pending_payment&limit=1")
        && empty("/admin/outbox?state=pending&limit=1")
        && empty("/admin/outbox?state=delivered&limit=1"))
    {
        if Instant::now() > deadline {
            return Figure::failed("the outbox and the sweeps did not finish in 10 min".into());
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    // The idempotency sweep runs on the same minute as the outbox's: one more round.
    std::thread::sleep(Duration::from_secs(65));
    assert!(app.stop().success());
    let per_order = (used() - before).max(0) as u64 / orders.max(1);
    Figure {
        text: format!(
            "{} bytes ({} orders)",
            thousands(per_order),
            thousands(orders)
        ),
        value: Some(per_order as f64),
    }
}

/// One figure: what the table shows and the number ratios are taken of (lower is better
/// for times and sizes; for rates the ratio is of the inverse, so it reads the same way).
struct Figure {
    text: String,
    value: Option<f64>,
}

impl Figure {
    fn latency(l: &Latency) -> Self {
        Figure {
            text: format!("{:.2} ms (p99 {:.2})", l.p50 * 1e3, l.p99 * 1e3),
            value: Some(l.p50),
        }
    }
    fn rate(label: &str, run: &Run) -> Self {
        Figure {
            text: format!(
                "{:.0} {label}/s (p99 {:.1} ms, {} errors)",
                run.rate(),
                run.p(0.99) * 1e3,
                run.errors
            ),
            value: (run.rate() > 0.0).then(|| 1.0 / run.rate()),
        }
    }
    fn failed(why: String) -> Self {
        Figure {
            text: format!("failed: {why}"),
            value: None,
        }
    }
}

struct Latency {
    p50: f64,
    p99: f64,
}

/// Times `n` calls of `f` (each must answer 200) after 3 untimed ones; `before` runs
/// untimed before each.
fn timed(
    n: usize,
    mut before: impl FnMut(),
    mut f: impl FnMut() -> (u16, usize),
) -> Result<Latency, String> {
    for _ in 0..3 {
        before();
        let (status, _) = f();
        if status != 200 {
            return Err(format!("status {status}"));
        }
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        before();
        let t = Instant::now();
        let (status, _) = f();
        times.push(t.elapsed().as_secs_f64());
        if status != 200 {
            return Err(format!("status {status}"));
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(Latency {
        p50: times[times.len() / 2],
        p99: times[((times.len() - 1) as f64 * 0.99).round() as usize],
    })
}

fn figure(result: Result<Latency, String>) -> Figure {
    match result {
        Ok(l) => Figure::latency(&l),
        Err(why) => Figure::failed(why),
    }
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap()
}

fn get(client: &Client, url: &str, token: Option<&str>) -> (u16, usize) {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send() {
        Ok(resp) => {
            let status = resp.status().as_u16();
            (status, resp.bytes().map(|b| b.len()).unwrap_or(0))
        }
        Err(_) => (599, 0),
    }
}

/// `storefront up` on `dir` with the admin API on and shoppers told apart by
/// `x-forwarded-for`.
fn start(dir: &Path) -> support::TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", support::ADMIN_TOKEN)
        .env("SPIN_VARIABLE_CLIENT_IP_HEADER", "x-forwarded-for");
    if background_off() {
        cmd.args(["--reservation-ttl", "0", "--dispatch-every", "0"])
            .args(["--audit-every", "0"]);
    } else if DISPATCH_OFF.load(std::sync::atomic::Ordering::Relaxed) {
        cmd.args(["--dispatch-every", "0"]);
    }
    support::spawn(cmd, dir).ready()
}

/// Set when the settled snapshot still holds undelivered emails: both shops are then
/// measured with the outbox timer off (`--dispatch-every 0`), the rest of their
/// background on. Delivering the snapshot's emails (over a million, at about 200 a
/// second) beside the timed requests would measure the dispatcher, not the shop's size;
/// the demo shop has nothing of its own to deliver. [`settle`] says why they are left.
static DISPATCH_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `SCALE_BACKGROUND=off` starts both shops without their background work (reservation
/// expiry, outbox dispatch, routine audit), to tell the background's share of a row.
/// Unset, both shops run as `storefront up` does.
fn background_off() -> bool {
    std::env::var("SCALE_BACKGROUND").is_ok_and(|b| b == "off")
}

fn socket(app: &support::TestApp) -> SocketAddr {
    support::addr(app).parse().unwrap()
}

/// `SCALE_ROWS=catalog` measures only the catalog rows (the pages, search and the API's
/// deepest page), to iterate on them faster; unset, every row is measured.
fn catalog_rows_only() -> bool {
    std::env::var("SCALE_ROWS").is_ok_and(|rows| rows == "catalog")
}

/// Every figure of one shop, in table order.
fn measure(label: &str, dir: &Path) -> Vec<(String, Figure)> {
    eprintln!("[scale] measuring the {label} shop");
    let bytes_at_start = dir_bytes(dir);
    let busiest = busiest_day(dir);
    let app = start(dir);
    let http = client();
    let url = |path: &str| app.url(path);
    let admin = Some(support::ADMIN_TOKEN);
    let sku = first_sku(&http, &app);
    let mut writes = 0u64;
    let mut invalidate = || {
        writes += 1;
        let resp = http
            .post(app.url(&format!("/admin/catalog/variants/{sku}/stock")))
            .bearer_auth(support::ADMIN_TOKEN)
            .header("idempotency-key", format!("scale-{label}-{writes}"))
            .json(&json!({"delta": 1, "reason": "scale bench"}))
            .send()
            .unwrap();
        assert!(
            resp.status().is_success(),
            "stock adjustment: {}",
            resp.status()
        );
    };
    // A full first page of today in both shops: the owner rows then compare a page with
    // a page (the demo shop has no orders of its own).
    let resp = http
        .post(app.url(&format!("/admin/catalog/variants/{sku}/stock")))
        .bearer_auth(support::ADMIN_TOKEN)
        .header("idempotency-key", format!("scale-{label}-fill-stock"))
        .json(&json!({"delta": PAGE_FILL, "reason": "scale bench"}))
        .send()
        .unwrap();
    assert!(resp.status().is_success(), "restock: {}", resp.status());
    let filled = count_load::drive_total(
        socket(&app),
        4,
        PAGE_FILL,
        order_maker(socket(&app), label, "fill", sku.clone()),
    );
    eprintln!(
        "[scale] {label}: placed {PAGE_FILL} orders today: {}",
        filled.summary()
    );
    let collection = first_collection(&http, &app);
    let deep = deep_products_page(&http, &app);
    let today = today();
    let mut rows: Vec<(String, Figure)> = Vec::new();
    let mut row = |name: &str, f: Figure| {
        eprintln!("[scale] {label}: {name}: {}", f.text);
        rows.push((name.to_string(), f));
    };

    row(
        "`GET /` uncached (after a write)",
        figure(timed(30, &mut invalidate, || get(&http, &url("/"), None))),
    );
    row(
        "`GET /` cached",
        figure(timed(200, || {}, || get(&http, &url("/"), None))),
    );
    let path = format!("/collections/{collection}");
    row(
        "collection page uncached",
        figure(timed(30, &mut invalidate, || get(&http, &url(&path), None))),
    );
    row(
        "search `co` uncached",
        figure(timed(30, &mut invalidate, || {
            get(&http, &url("/search?q=co"), None)
        })),
    );
    row(
        &format!("`GET /api/products` deepest page ({})", deep.how),
        figure(timed(30, &mut invalidate, || {
            get(&http, &url(&deep.path), None)
        })),
    );
    if catalog_rows_only() {
        drop(app);
        return rows;
    }
    for (name, path) in [
        (
            "owner orders `?state=paid`",
            "/admin/orders?state=paid".to_string(),
        ),
        (
            "owner orders `?q=` (no match)",
            "/admin/orders?q=nobody-at-all".to_string(),
        ),
        (
            "owner orders, today's first page",
            format!("/admin/orders?from={today}&to={today}"),
        ),
        (
            "owner orders, first page of the busiest day (large: the snapshot's day)",
            format!("/admin/orders?from={busiest}&to={busiest}"),
        ),
        (
            "owner orders, an empty day",
            "/admin/orders?from=2020-01-01&to=2020-01-01".to_string(),
        ),
    ] {
        row(
            name,
            figure(timed(10, || {}, || get(&http, &url(&path), admin))),
        );
    }
    let owner = app.owner().sign_in();
    row(
        "CSV export of an empty day",
        figure(timed(
            10,
            || {},
            || {
                get(
                    owner.client(),
                    &url("/admin/export/orders.csv?from=2020-01-01&to=2020-01-01"),
                    None,
                )
            },
        )),
    );
    row(
        "dashboard `GET /admin`",
        figure(timed(
            3,
            || {},
            || get(owner.client(), &url("/admin"), None),
        )),
    );

    // The order loads buy `sku`: a million more so they measure ordering, not running out.
    let resp = http
        .post(app.url(&format!("/admin/catalog/variants/{sku}/stock")))
        .bearer_auth(support::ADMIN_TOKEN)
        .header("idempotency-key", format!("scale-{label}-restock"))
        .json(&json!({"delta": 1_000_000, "reason": "scale bench"}))
        .send()
        .unwrap();
    assert!(resp.status().is_success(), "restock: {}", resp.status());
    let addr = socket(&app);
    let orders = drive(
        addr,
        CLIENTS,
        LOAD_SECONDS,
        order_maker(addr, label, "load", sku.clone()),
    );
    row(
        "orders/s (`POST /api/orders`, 32 clients)",
        Figure::rate("orders", &orders),
    );
    let (beside, reads) = orders_and_reads(addr, label, sku.clone());
    row(
        "`GET /` beside 32 order clients (4 readers)",
        Figure::rate("pages", &reads),
    );
    row(
        "orders/s beside the readers",
        Figure::rate("orders", &beside),
    );

    let placed = orders.latencies.len() as u64 + beside.latencies.len() as u64;
    let mut app = app;
    row(
        "RSS of `up` after all that",
        Figure::kib(peak_kib(app.child.id())),
    );
    let stopping = Instant::now();
    support::send_signal(app.child.id(), "TERM");
    let status = app.wait_for_exit();
    let took = stopping.elapsed().as_secs_f64();
    row(
        "stop (SIGTERM to exit)",
        if status.success() {
            Figure {
                text: format!("{took:.2} s"),
                value: Some(took),
            }
        } else {
            let last = app
                .stderr()
                .into_iter()
                .rev()
                .take(3)
                .collect::<Vec<_>>()
                .join(" / ");
            Figure::failed(format!("{status} after {took:.1} s: {last}"))
        },
    );
    drop(app);

    let (check, rss) = timed_check(dir);
    row("`storefront check` (offline)", check);
    row("`storefront check` peak RSS", rss);
    let bytes = dir_bytes(dir);
    let per_order = bytes.saturating_sub(bytes_at_start) / placed.max(1);
    row(
        "bytes per order placed in this run (one line)",
        Figure {
            text: thousands(per_order),
            value: Some(per_order as f64),
        },
    );
    row(
        "data dir bytes",
        Figure {
            text: thousands(bytes),
            value: Some(bytes as f64),
        },
    );
    rows
}

impl Figure {
    fn kib(kib: Option<u64>) -> Self {
        match kib {
            Some(k) => Figure {
                text: format!("{:.1} MiB", k as f64 / 1024.0),
                value: Some(k as f64),
            },
            None => Figure::failed("no /proc".into()),
        }
    }
}

/// The peak resident set (`VmHWM`) of `pid` so far, in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `storefront check --data-dir dir`: its time, and its peak RSS sampled every 10 ms.
fn timed_check(dir: &Path) -> (Figure, Figure) {
    let started = Instant::now();
    let mut child = support::storefront()
        .args(["check", "--manifest"])
        .arg(support::manifest())
        .arg("--data-dir")
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak = None;
    while child.try_wait().unwrap().is_none() {
        if let Some(k) = peak_kib(child.id()) {
            peak = Some(peak.map_or(k, |p: u64| p.max(k)));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = started.elapsed();
    let out = child.wait_with_output().unwrap();
    let time = if out.status.success() {
        Figure {
            text: format!("{:.2} s", elapsed.as_secs_f64()),
            value: Some(elapsed.as_secs_f64()),
        }
    } else {
        let said = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        let last = said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        Figure::failed(format!(
            "{} after {:.1} s: {last}",
            out.status,
            elapsed.as_secs_f64()
        ))
    };
    (time, Figure::kib(peak))
}

/// A SKU to adjust the stock of (the writes that empty the answer cache).
fn first_sku(http: &Client, app: &support::TestApp) -> String {
    let list: Value = http
        .get(app.url("/api/products?limit=1"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    list["products"][0]["variants"][0]["sku"]
        .as_str()
        .unwrap()
        .to_string()
}

fn first_collection(http: &Client, app: &support::TestApp) -> String {
    let list: Value = http
        .get(app.url("/api/collections"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    list["collections"][0]["slug"].as_str().unwrap().to_string()
}

/// The deepest page of `/api/products` a client can reach, and how it was reached.
struct Deep {
    path: String,
    how: String,
}

/// Follows the API's cursor (`next`) to the last page when it has one, 100 a page;
/// otherwise asks for 90 % of the catalog's depth by `offset`.
fn deep_products_page(http: &Client, app: &support::TestApp) -> Deep {
    let first: Value = http
        .get(app.url("/api/products?limit=100"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    if let Some(mut next) = next_path(&first) {
        let mut pages = 1;
        loop {
            let page: Value = http.get(app.url(&next)).send().unwrap().json().unwrap();
            pages += 1;
            match next_path(&page) {
                Some(n) => next = n,
                None => break,
            }
        }
        return Deep {
            path: next,
            how: format!("page {pages} by cursor"),
        };
    }
    let total = first["total"].as_u64().unwrap_or(100);
    let offset = total.saturating_sub(100) * 9 / 10;
    Deep {
        path: format!("/api/products?limit=100&offset={offset}"),
        how: format!("offset {offset}"),
    }
}

/// The path of the next page a product list names, whatever it calls it.
fn next_path(list: &Value) -> Option<String> {
    for key in ["next", "next_cursor", "after"] {
        let value = list
            .get(key)
            .or_else(|| list.get("page").and_then(|p| p.get(key)));
        if let Some(v) = value.and_then(Value::as_str) {
            return Some(if v.starts_with('/') {
                v.to_string()
            } else {
                format!("/api/products?limit=100&after={}", urlencode(v))
            });
        }
    }
    None
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Orders of one line of `sku`, each from a shopper address of its own.
fn order_maker(
    addr: SocketAddr,
    label: &str,
    run: &str,
    sku: String,
) -> Arc<http_load::MakeRequest> {
    let host = addr.to_string();
    let prefix = format!("scale-{label}-{run}-{}", std::process::id());
    Arc::new(move |c, i| {
        let body = order_body(&sku);
        request(
            Method::POST,
            &host,
            "/api/orders",
            &[
                ("idempotency-key", format!("{prefix}-{c}-{i}")),
                (
                    "x-forwarded-for",
                    format!("10.{}.{}.{}", 100 + c % 100, (i >> 8) % 256, i % 256),
                ),
            ],
            Some(body.to_string().into_bytes()),
        )
    })
}

fn order_body(sku: &str) -> Value {
    json!({
        "email": "scale@example.com",
        "name": "Scale Shopper",
        "address": {"line1": "1 Load St", "city": "Berlin", "postal_code": "10115", "country": "DE"},
        "items": [{"sku": sku, "quantity": 1}]
    })
}

/// [`CLIENTS`] order clients and 4 `GET /` readers at once for [`LOAD_SECONDS`].
fn orders_and_reads(addr: SocketAddr, label: &str, sku: String) -> (Run, Run) {
    let make = order_maker(addr, label, "beside", sku);
    let orders = std::thread::spawn(move || drive(addr, CLIENTS, LOAD_SECONDS, make));
    let host = addr.to_string();
    let reads = drive(
        addr,
        4,
        LOAD_SECONDS,
        Arc::new(move |_, _| request(Method::GET, &host, "/", &[], None)),
    );
    (orders.join().unwrap(), reads)
}

/// The cached large shop: its data dir and what building it measured.
struct Snapshot {
    dir: PathBuf,
    orders: u64,
    bytes_before_orders: u64,
    bytes_after_orders: u64,
    /// Emails the settled snapshot still holds undelivered.
    emails_pending: u64,
}

impl Snapshot {
    fn bytes_per_order(&self) -> u64 {
        self.bytes_after_orders
            .saturating_sub(self.bytes_before_orders)
            / self.orders.max(1)
    }
}

fn snapshot_root() -> PathBuf {
    std::env::var_os("SCALE_SNAPSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale-snapshot"))
}

/// The large shop's data dir, built through the shop's APIs unless a complete one is kept.
fn snapshot(products: u64, orders: u64) -> Snapshot {
    let dir = snapshot_root().join(format!("p{products}-o{orders}"));
    let manifest = dir.join("scale.json");
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        let m: Value = serde_json::from_str(&text).unwrap();
        eprintln!("[scale] reusing {}", dir.display());
        if m.get("settled_seconds").is_none() {
            settle(&dir);
        }
        return kept(&dir, orders);
    }
    let building = dir.with_extension("building");
    let _ = std::fs::remove_dir_all(dir.with_extension("settling"));
    let _ = std::fs::remove_dir_all(&building);
    let data = building.join("data");
    std::fs::create_dir_all(&data).unwrap();
    support::set_owner_password(&data, support::OWNER_PASSWORD);
    let app = start(&data);
    let addr = socket(&app);
    build_catalog(&app, addr, products);
    let before = Instant::now();
    assert!(app.stop().success());
    let bytes_before_orders = dir_bytes(&data);
    let app = start(&data);
    let addr = socket(&app);
    eprintln!("[scale] placing {orders} orders");
    let run = count_load::drive_total(addr, CLIENTS, orders, place_maker(addr, products));
    eprintln!("[scale] orders: {} ({} retried)", run.summary(), run.errors);
    assert!(app.stop().success());
    let bytes_after_orders = dir_bytes(&data);
    let m = json!({
        "products": products,
        "orders": orders,
        "bytes_before_orders": bytes_before_orders,
        "bytes_after_orders": bytes_after_orders,
        "order_rate": run.rate(),
        "build_seconds": before.elapsed().as_secs(),
    });
    std::fs::write(building.join("scale.json"), m.to_string()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&building, &dir).unwrap();
    settle(&dir);
    kept(&dir, orders)
}

/// The kept, settled snapshot in `dir` as its manifest describes it.
fn kept(dir: &Path, orders: u64) -> Snapshot {
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("scale.json")).unwrap()).unwrap();
    Snapshot {
        dir: dir.join("data"),
        orders,
        bytes_before_orders: m["bytes_before_orders"].as_u64().unwrap(),
        bytes_after_orders: m["bytes_after_orders"].as_u64().unwrap(),
        emails_pending: m["emails_pending_when_settled"].as_u64().unwrap_or(0),
    }
}

/// Runs the kept shop as `storefront up` does until every unpaid order has been released
/// at its expiry (`storefront_backlog{kind="unpaid_orders"}` on `/metrics` is 0), then
/// keeps that state (`settled_seconds` in the manifest). The orders are placed faster
/// than any shop takes them and never paid, so a fresh snapshot holds a million
/// reservations expiring at once; measured beside that backlog, the catalog rows would
/// measure its draining (each release changes `variants`, which the cached catalog pages
/// read) and not the shop's size. The emails the orders and their release queued are
/// left to the dispatcher (at about 200 a second, a million take over an hour): their
/// delivery writes no catalog table, so it costs the large shop's rows CPU beside them,
/// not their cache (`emails_pending_when_settled` in the manifest). Done on a copy, moved
/// into place when complete, once per snapshot.
fn settle(dir: &Path) {
    // An interrupted settle resumes on its copy: the shop's files are consistent at any
    // moment, and what was released stays released.
    let settling = dir.with_extension("settling");
    if !settling.join("scale.json").exists() {
        let _ = std::fs::remove_dir_all(&settling);
        std::fs::create_dir_all(settling.join("data")).unwrap();
        copy_dir(&dir.join("data"), &settling.join("data"));
        std::fs::copy(dir.join("scale.json"), settling.join("scale.json")).unwrap();
    }
    let started = Instant::now();
    let operator = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut cmd = support::up_command(&settling.join("data"));
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", support::ADMIN_TOKEN)
        .args(["--operator-listen", &operator.to_string()]);
    let app = support::spawn(cmd, &settling.join("data")).ready();
    let http = client();
    let emails_pending = loop {
        std::thread::sleep(Duration::from_secs(10));
        let metrics = http
            .get(format!("http://{operator}/metrics"))
            .send()
            .and_then(|r| r.text())
            .unwrap_or_default();
        let backlog = |kind: &str| -> Option<u64> {
            let name = format!("storefront_backlog{{kind=\"{kind}\"}} ");
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(name.as_str()))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .map(|v| v as u64)
        };
        let (unpaid, outbox) = (backlog("unpaid_orders"), backlog("outbox_pending"));
        eprintln!(
            "[scale] settling after {} s: {unpaid:?} unpaid orders, {outbox:?} emails pending",
            started.elapsed().as_secs()
        );
        if unpaid == Some(0) {
            break outbox;
        }
    };
    assert!(app.stop().success());
    let manifest = settling.join("scale.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    m["settled_seconds"] = json!(started.elapsed().as_secs());
    m["emails_pending_when_settled"] = json!(emails_pending);
    std::fs::write(&manifest, m.to_string()).unwrap();
    let old = dir.with_extension("unsettled");
    let _ = std::fs::remove_dir_all(&old);
    std::fs::rename(dir, &old).unwrap();
    std::fs::rename(&settling, dir).unwrap();
    std::fs::remove_dir_all(&old).unwrap();
}

/// [`COLLECTIONS`] collections, then `products` products of three sizes through the
/// owner's admin API.
fn build_catalog(app: &support::TestApp, addr: SocketAddr, products: u64) {
    let http = client();
    for c in 0..COLLECTIONS {
        let resp = http
            .post(app.url("/admin/catalog/collections"))
            .bearer_auth(support::ADMIN_TOKEN)
            .header("idempotency-key", format!("scale-collection-{c}"))
            .json(&json!({"slug": format!("range-{c}"), "name": format!("Range {c}"), "description": "A range of the large shop."}))
            .send()
            .unwrap();
        assert!(
            resp.status().is_success(),
            "collection: {}",
            resp.text().unwrap()
        );
    }
    eprintln!("[scale] creating {products} products");
    let host = addr.to_string();
    let run = count_load::drive_total(
        addr,
        CLIENTS,
        products,
        Arc::new(move |_, i| {
            request(
                Method::POST,
                &host,
                "/admin/catalog/products",
                &[
                    ("authorization", format!("Bearer {}", support::ADMIN_TOKEN)),
                    ("idempotency-key", format!("scale-product-{i}")),
                ],
                Some(product_body(i).to_string().into_bytes()),
            )
        }),
    );
    eprintln!("[scale] products: {}", run.summary());
}

fn product_body(i: u64) -> Value {
    let word = WORDS[(i % WORDS.len() as u64) as usize];
    json!({
        "slug": format!("item-{i}"),
        "name": format!("{word} {i}"),
        "description": format!("{word} number {i} of the large shop, in three sizes."),
        "options": [{"name": "Size", "values": SIZES}],
        "variants": SIZES.iter().enumerate().map(|(s, size)| json!({
            "sku": format!("item-{i}-{}", size.to_lowercase()),
            "options": [{"name": "Size", "value": size}],
            "price": {"amount": 500 + (i % 4000) as i64 + 250 * s as i64, "currency": "EUR"},
            "stock": 1_000_000,
            "active": true,
        })).collect::<Vec<_>>(),
        "collections": [format!("range-{}", i % COLLECTIONS as u64)],
    })
}

/// Order `i` of the build: one unit of a product spread over the catalog (a stride
/// prime to any catalog size of interest), from a shopper address of its own.
fn place_maker(addr: SocketAddr, products: u64) -> Arc<http_load::MakeRequest> {
    let host = addr.to_string();
    Arc::new(move |_, i| {
        let product = (i * 7919) % products;
        let sku = format!("item-{product}-{}", SIZES[(i % 3) as usize].to_lowercase());
        request(
            Method::POST,
            &host,
            "/api/orders",
            &[
                ("idempotency-key", format!("scale-order-{i}")),
                (
                    "x-forwarded-for",
                    format!("10.{}.{}.{}", (i >> 16) % 256, (i >> 8) % 256, i % 256),
                ),
            ],
            Some(order_body(&sku).to_string().into_bytes()),
        )
    })
}

/// Orders each shop places today before the owner rows: more than a page of the list.
const PAGE_FILL: u64 = 60;

/// The day most orders of the shop in `dir` were placed on (read before it starts), or
/// today when it has none yet (the demo shop): the snapshot's orders were all placed on
/// the day it was built.
fn busiest_day(dir: &Path) -> String {
    if !dir.join("sqlite_db.db").exists() {
        return today();
    }
    support::open_db(dir)
        .query_row(
            "SELECT substr(created_at, 1, 10) AS day FROM orders \
             GROUP BY day ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|_| today())
}

/// Today's UTC date, `YYYY-MM-DD`.
fn today() -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "+%F"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
