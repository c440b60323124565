//! Storefront beside the native floor: `cargo bench --bench floor [-- CLIENTS SECONDS]`
//! (default 32 clients, 8 s per row).
//!
//! In one invocation it drives, with the same load generator (`support/http_load.rs`, 2
//! client threads like `wrk -t2`), `storefront up` (orders through the pages, `GET /`), a
//! standalone `storefront writer` (orders straight to it) and the hand-written native
//! service of `native_floor/` (this bench's own binary started again as
//! `serve-native-floor DIR`), each on a fresh database with stock raised, and prints for
//! each row requests/s, p50/p99, the server process's CPU per request (utime + stime from
//! `/proc/PID/stat` over the run) and the ratios storefront / floor.
//!
//! With `SPIN_BIN` naming a real Spin (`SPIN_BIN=../shared/tools/spin cargo bench --bench
//! floor`), it also runs `spin up` of the same `spin.toml` and components on a fresh
//! database with stock raised, for `GET /` and orders through the pages, and prints how
//! many times Spin's rate storefront's is (issue 29's "against real `spin up`" goal).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/http_load.rs"]
mod http_load;
#[path = "native_floor/mod.rs"]
mod native_floor;
#[path = "support/order_requests.rs"]
mod order_requests;
#[path = "support/proc_cpu.rs"]
mod proc_cpu;
#[path = "../tests/support/mod.rs"]
mod support;

use http::Method;
use http_load::{MakeRequest, Run, drive, request};
use std::io::BufRead as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

/// The argument that makes this binary the floor's server.
const SERVE: &str = "serve-native-floor";

const SLUGS: [&str; 2] = ["french-press", "kenya-nyeri-aa"];

/// `POST /api/orders` as a shopper behind a proxy: a fresh key and an address of its own.
fn shopper_orders(host: String) -> Arc<MakeRequest> {
    let slugs = SLUGS.map(String::from);
    Arc::new(move |c, i| order_requests::shopper(&host, &slugs, c, i))
}

/// `POST /orders` straight to the writer, with its token.
fn direct_orders(host: String) -> Arc<MakeRequest> {
    let slugs = SLUGS.map(String::from);
    Arc::new(move |c, i| order_requests::direct(&host, support::TOKEN, &slugs, c, i))
}

fn catalog(host: String) -> Arc<MakeRequest> {
    Arc::new(move |_, _| request(Method::GET, &host, "/", &[], None))
}

/// One row's figures for one server.
struct Figures {
    run: Run,
    cpu_us: f64,
}

fn measure(
    pid: u32,
    addr: SocketAddr,
    clients: usize,
    seconds: u64,
    make: Arc<MakeRequest>,
) -> Figures {
    let before = proc_cpu::cpu_seconds(pid);
    let run = drive(addr, clients, seconds, make);
    let cpu = proc_cpu::cpu_seconds(pid) - before;
    let cpu_us = cpu * 1e6 / run.latencies.len().max(1) as f64;
    Figures { run, cpu_us }
}

/// The shop's two rows on one server: `GET /`, then orders through the pages.
fn shop_rows(pid: u32, addr: SocketAddr, clients: usize, seconds: u64) -> (Figures, Figures) {
    let catalog = measure(pid, addr, clients, seconds, catalog(addr.to_string()));
    let pages = measure(
        pid,
        addr,
        clients,
        seconds,
        shopper_orders(addr.to_string()),
    );
    (catalog, pages)
}

/// Each run's own line: its figures and CPU per request.
fn print_runs(runs: &[(&str, &Figures)]) {
    for (name, figures) in runs {
        println!(
            "{name}: {} cpu/req={:.0}us",
            figures.run.summary(),
            figures.cpu_us
        );
    }
}

fn socket(app: &support::TestApp) -> SocketAddr {
    support::addr(app)
        .parse()
        .expect("the app listens on an IP address")
}

/// The floor's server as a child process on a fresh database in `dir`, and its address.
fn start_floor(dir: &Path) -> (Child, SocketAddr) {
    native_floor::schema::create(dir).expect("the floor's database");
    let mut child = Command::new(std::env::current_exe().expect("this bench's binary"))
        .arg(SERVE)
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the floor starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("its stdout"))
        .read_line(&mut line)
        .expect("the floor's address");
    let addr = line
        .trim()
        .trim_start_matches("listening on ")
        .parse()
        .expect("an address");
    (child, addr)
}

fn serve_floor(dir: &str) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    println!(
        "listening on {}",
        listener.local_addr().expect("an address")
    );
    native_floor::http::serve(Path::new(dir), listener);
}

/// `GET /` and orders through the pages under real `spin up` of the same manifest and
/// components, as storefront's rows are measured; `None` without `SPIN_BIN`.
fn real_spin(clients: usize, seconds: u64) -> Option<(Figures, Figures)> {
    let bin = support::real_spin::spin_bin("floor")?;
    let state = tempfile::tempdir().unwrap();
    // The writer component migrates Spin's `default` database (`sqlite_db.db` in the state
    // dir) on its first request; here the project's writer does it first, to raise stock.
    support::raise_stock(state.path());
    let mut spin = support::real_spin::RealSpin::start(
        &bin,
        &support::manifest(),
        state.path(),
        &[
            (
                "cookie_secret",
                "floor-bench-cookie-secret-0123456789abcdef",
            ),
            ("writer_token", support::TOKEN),
            ("client_ip_header", "x-forwarded-for"),
        ],
    );
    let addr: SocketAddr = spin
        .base_url
        .trim_start_matches("http://")
        .parse()
        .expect("spin listens on an IP address");
    let rows = shop_rows(spin.child.id(), addr, clients, seconds);
    spin.stop();
    Some(rows)
}

/// One server's figures in a table cell: rate, p99, errors if any, CPU per request.
fn cell(f: &Figures) -> String {
    let errors = match f.run.errors {
        0 => String::new(),
        n => format!(", {n} errors"),
    };
    format!(
        "{:.0}/s, p99 {:.2} ms{errors}, {:.0} µs CPU",
        f.run.rate(),
        f.run.p(0.99) * 1e3,
        f.cpu_us
    )
}

/// Stops the bench unless the database behind an order row holds at least as many orders as
/// the row counted successful answers: an order answered from a stored answer (an
/// idempotent replay) writes nothing and would make its side look cheaper than it is.
fn all_written(what: &str, db: &rusqlite::Connection, orders: &Figures) {
    let written: i64 = db
        .query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))
        .expect("the orders counted");
    let answered = orders.run.latencies.len();
    assert!(
        usize::try_from(written).is_ok_and(|w| w >= answered),
        "{what}: {answered} orders answered but {written} written"
    );
}

fn floor_db(dir: &Path) -> rusqlite::Connection {
    native_floor::schema::open(dir).expect("the floor's database")
}

fn row(what: &str, s: &Figures, f: &Figures) {
    println!(
        "| {what} | {} | {} | {:.2}x | {:.2}x |",
        cell(s),
        cell(f),
        s.cpu_us / f.cpu_us,
        s.run.rate() / f.run.rate(),
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.first().map(String::as_str) == Some(SERVE) {
        serve_floor(&args[1]);
        return;
    }
    let clients: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);

    // storefront up: GET / and orders through the pages.
    let up_dir = tempfile::tempdir().unwrap();
    support::raise_stock(up_dir.path());
    let mut cmd = support::up_command(up_dir.path());
    cmd.env("SPIN_VARIABLE_CLIENT_IP_HEADER", "x-forwarded-for");
    let up = support::spawn(cmd, up_dir.path()).ready();
    let addr = socket(&up);
    let (s_catalog, s_pages) = shop_rows(up.child.id(), addr, clients, seconds);
    drop(up);
    all_written(
        "storefront's pages",
        &support::open_db(up_dir.path()),
        &s_pages,
    );

    // storefront writer: orders straight to it.
    let writer_dir = tempfile::tempdir().unwrap();
    support::raise_stock(writer_dir.path());
    let writer = support::spawn(
        support::writer_command(writer_dir.path(), &[]),
        writer_dir.path(),
    )
    .ready();
    let addr = socket(&writer);
    let s_direct = measure(
        writer.child.id(),
        addr,
        clients,
        seconds,
        direct_orders(addr.to_string()),
    );
    drop(writer);
    all_written(
        "storefront's writer",
        &support::open_db(writer_dir.path()),
        &s_direct,
    );

    // The native floor: the same three rows, each side's direct orders on a fresh
    // database of their own as storefront's writer row is.
    let floor_dir = tempfile::tempdir().unwrap();
    let (mut floor, addr) = start_floor(floor_dir.path());
    let (f_catalog, f_pages) = shop_rows(floor.id(), addr, clients, seconds);
    let _ = floor.kill();
    let _ = floor.wait();
    all_written("the floor's pages", &floor_db(floor_dir.path()), &f_pages);
    let floor_dir = tempfile::tempdir().unwrap();
    let (mut floor, addr) = start_floor(floor_dir.path());
    let f_direct = measure(
        floor.id(),
        addr,
        clients,
        seconds,
        direct_orders(addr.to_string()),
    );
    let _ = floor.kill();
    let _ = floor.wait();
    all_written("the floor's writer", &floor_db(floor_dir.path()), &f_direct);

    let spin = real_spin(clients, seconds);

    println!(
        "floor: clients={clients} seconds={seconds} client-threads={}",
        http_load::threads()
    );
    print_runs(&[
        ("storefront GET /", &s_catalog),
        ("storefront POST /api/orders (pages)", &s_pages),
        ("storefront POST /orders (writer)", &s_direct),
        ("floor GET /", &f_catalog),
        ("floor POST /api/orders", &f_pages),
        ("floor POST /orders", &f_direct),
    ]);
    println!("| what | storefront | native floor | CPU ratio | rate ratio |");
    println!("| --- | --- | --- | --- | --- |");
    row(
        "orders through the pages (`POST /api/orders`)",
        &s_pages,
        &f_pages,
    );
    row(
        "orders straight to the writer (`POST /orders`)",
        &s_direct,
        &f_direct,
    );
    row("`GET /`", &s_catalog, &f_catalog);
    let Some((spin_catalog, spin_pages)) = spin else {
        println!("real spin up: not measured (set SPIN_BIN to a Spin binary)");
        return;
    };
    print_runs(&[
        ("spin up GET /", &spin_catalog),
        ("spin up POST /api/orders (pages)", &spin_pages),
    ]);
    println!(
        "| what | storefront | real `spin up` | storefront's rate / Spin's | Spin's CPU / storefront's |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for (what, s, spin) in [
        (
            "orders through the pages (`POST /api/orders`)",
            &s_pages,
            &spin_pages,
        ),
        ("`GET /`", &s_catalog, &spin_catalog),
    ] {
        println!(
            "| {what} | {} | {} | {:.1}x | {:.1}x |",
            cell(s),
            cell(spin),
            s.run.rate() / spin.run.rate(),
            spin.cpu_us / s.cpu_us,
        );
    }
}
