//! Test harness: builds the real wasm components once, then starts the real
//! `storefront` binary as a child process on a free port with its own data dir.
#![allow(dead_code)]

pub mod fake_http;
pub mod fake_inbox;
pub mod fake_stripe;
pub mod real_spin;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_storefront");

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn manifest() -> PathBuf {
    repo_root().join("spin.toml")
}

/// Compiled components are cached here, shared by every test process.
pub fn cache_dir() -> PathBuf {
    repo_root().join("target").join("storefront-test-cache")
}

/// Runs `storefront build` once per test binary (cargo makes the second run a no-op).
pub fn build_components() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(BIN)
            .args(["build", "--manifest"])
            .arg(manifest())
            .status()
            .expect("run storefront build");
        assert!(status.success(), "building the components failed");
    });
}

/// A command for the storefront binary with the test environment set.
pub fn storefront() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("STOREFRONT_CACHE_DIR", cache_dir())
        .env("STOREFRONT_LOG", "info")
        .env_remove("SPIN_VARIABLE_WRITER_TOKEN")
        .env_remove("SPIN_VARIABLE_WRITER_URL")
        .env_remove("SPIN_VARIABLE_COOKIE_SECRET")
        .env_remove("SPIN_VARIABLE_PAYMENT_MODE")
        .env_remove("SPIN_VARIABLE_ACCEPT_TEST_PAYMENTS")
        .env_remove("SPIN_VARIABLE_STRIPE_API_BASE")
        .env_remove("SPIN_VARIABLE_STRIPE_SECRET_KEY")
        .env_remove("SPIN_VARIABLE_STRIPE_PUBLISHABLE_KEY")
        .env_remove("SPIN_VARIABLE_STRIPE_WEBHOOK_SECRET")
        .env_remove("SPIN_VARIABLE_ADMIN_TOKEN")
        .env_remove("SPIN_VARIABLE_CLIENT_IP_HEADER")
        // Every test client is 127.0.0.1: the per-client limits on unpaid orders have
        // their own test (`hostile/hostile_input.rs`) and would only get in the others' way.
        .env("SPIN_VARIABLE_MAX_UNPAID_ORDERS_PER_CLIENT", "1000000000")
        .env("SPIN_VARIABLE_MAX_UNPAID_UNITS_PER_CLIENT", "1000000000");
    cmd
}

/// A running storefront process.
pub struct TestApp {
    pub child: Child,
    pub base_url: String,
    pub data_dir: PathBuf,
    pub stderr: Arc<Mutex<Vec<String>>>,
}

/// What the process printed before it was ready or exited.
pub enum Started {
    Ready(TestApp),
    Exited {
        status: ExitStatus,
        stderr: Vec<String>,
    },
}

impl Started {
    /// The running app; a test that needs it running fails with what the process said.
    pub fn ready(self) -> TestApp {
        match self {
            Started::Ready(app) => app,
            Started::Exited { status, stderr } => {
                panic!("storefront exited with {status}:\n{}", stderr.join("\n"))
            }
        }
    }
}

/// Spawns `cmd` (an `up` or `writer` invocation with `--listen 127.0.0.1:0`) and
/// waits for its "serving http://…" line.
pub fn spawn(mut cmd: Command, data_dir: &Path) -> Started {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn storefront");
    let stderr_lines = Arc::new(Mutex::new(Vec::new()));
    let sink = stderr_lines.clone();
    let stderr = child.stderr.take().unwrap();
    let stderr_reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    // Lines on stdout (the start-up announcements) join the log too.
    let sink = stderr_lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line.clone());
            if let Some(rest) = line.split("serving ").nth(1) {
                let url = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let _ = tx.send(url);
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(url) = rx.recv_timeout(Duration::from_millis(50)) {
            return Started::Ready(TestApp {
                child,
                base_url: url,
                data_dir: data_dir.to_path_buf(),
                stderr: stderr_lines,
            });
        }
        if let Some(status) = child.try_wait().unwrap() {
            // The pipe closes with the process: everything it printed is read.
            let _ = stderr_reader.join();
            let stderr = stderr_lines.lock().unwrap().clone();
            return Started::Exited { status, stderr };
        }
        assert!(Instant::now() < deadline, "storefront did not become ready");
    }
}

/// `storefront up` on a free port with `data_dir`.
pub fn up_command(data_dir: &Path) -> Command {
    build_components();
    let mut cmd = storefront();
    cmd.args(["up", "--no-build", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(manifest())
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

/// The `admin_token` the tests give the pages for the admin routes.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// Starts the whole app with the admin routes on (`ADMIN_TOKEN`).
pub fn start_with_admin(data_dir: &Path) -> TestApp {
    let mut cmd = up_command(data_dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN);
    match spawn(cmd, data_dir) {
        Started::Ready(app) => app,
        Started::Exited { status, stderr } => {
            panic!("storefront exited with {status}:\n{}", stderr.join("\n"))
        }
    }
}

/// Starts the whole app and panics if it does not come up.
pub fn start(data_dir: &Path) -> TestApp {
    match spawn(up_command(data_dir), data_dir) {
        Started::Ready(app) => app,
        Started::Exited { status, stderr } => {
            panic!("storefront exited with {status}:\n{}", stderr.join("\n"))
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(mut self) -> ExitStatus {
        self.terminate()
    }

    fn terminate(&mut self) -> ExitStatus {
        send_signal(self.child.id(), "TERM");
        self.wait_for_exit()
    }

    /// Waits up to 30 s for the process to exit on its own, then kills it.
    pub fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return self.child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// The process's log once a line satisfies `found`, or after 30 s: the reader
    /// thread may lag behind the response the client already holds.
    pub fn log_once(&self, found: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let lines = self.stderr();
            if lines.iter().any(|l| found(l)) || Instant::now() > deadline {
                return lines.join("\n");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.terminate();
        }
    }
}

/// Sends a signal with the `kill` utility (no libc dependency in tests).
pub fn send_signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

/// A blocking HTTP client that does not follow redirects and keeps cookies.
pub fn client() -> reqwest::blocking::Client {
    client_with(reqwest::header::HeaderMap::new())
}

/// A [`client`] that sends `headers` with every request.
pub fn client_with(headers: reqwest::header::HeaderMap) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Opens the app's database file directly (only valid while no writer runs).
pub fn open_db(data_dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data_dir.join("sqlite_db.db")).unwrap()
}

pub fn count(conn: &rusqlite::Connection, table: &str) -> i64 {
    scalar(conn, &format!("SELECT count(*) FROM {table}"))
}

/// `s` as the pages' HTML writes it (maud escapes these four).
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How many orders carry `number` (1 for every acknowledged order, whatever happened).
pub fn orders_numbered(conn: &rusqlite::Connection, number: &str) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM orders WHERE number = ?",
        [number],
        |r| r.get(0),
    )
    .unwrap()
}

/// The `p` quantile (0.0..=1.0) of `sorted` latencies, for the benchmarks.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The one integer a query such as `SELECT count(*) …` answers.
pub fn scalar(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

pub const TOKEN: &str = "test-writer-token-0123456789";

/// `storefront writer` on a free port with `data_dir` and the test token.
pub fn writer_command(data_dir: &Path, extra: &[&str]) -> Command {
    build_components();
    let mut cmd = storefront();
    cmd.env("SPIN_VARIABLE_WRITER_TOKEN", TOKEN)
        .args(["writer", "--manifest"])
        .arg(manifest())
        .arg("--data-dir")
        .arg(data_dir)
        .args(extra);
    if !extra.contains(&"--listen") {
        cmd.args(["--listen", "127.0.0.1:0"]);
    }
    cmd
}

/// `storefront writer` on the fixed `port` (handovers need the successor on the same
/// address); with `wait`, it waits up to 120 s for the current owner to hand over.
pub fn writer_on_port(data_dir: &Path, port: u16, wait: bool) -> Command {
    let listen = format!("127.0.0.1:{port}");
    let mut extra = vec!["--listen", listen.as_str()];
    if wait {
        extra.extend(["--wait", "120"]);
    }
    writer_command(data_dir, &extra)
}

pub fn start_writer(data_dir: &Path) -> TestApp {
    match spawn(writer_command(data_dir, &[]), data_dir) {
        Started::Ready(app) => app,
        Started::Exited { status, stderr } => {
            panic!("writer exited with {status}:\n{}", stderr.join("\n"))
        }
    }
}

/// A valid order body for `slug`.
pub fn order_body(slug: &str, quantity: i64) -> serde_json::Value {
    serde_json::json!({
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "address": {"line1": "12 Analytical Row", "city": "London", "postal_code": "N1 9GU", "country": "GB"},
        "items": [{"slug": slug, "quantity": quantity}]
    })
}

/// Places an order directly on a standalone writer.
pub fn writer_order(app: &TestApp, key: &str, body: &serde_json::Value) -> Answered {
    Answered::read(
        client()
            .post(app.url("/orders"))
            .bearer_auth(TOKEN)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .unwrap(),
    )
}

/// An answer read whole, so the harness can look at it before the test does: an order's
/// access token is remembered ([`remember_order`]) the moment a placing answer shows it.
pub struct Answered {
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl From<reqwest::blocking::Response> for Answered {
    fn from(response: reqwest::blocking::Response) -> Answered {
        Answered::read(response)
    }
}

impl Answered {
    pub fn read(response: reqwest::blocking::Response) -> Answered {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().unwrap().to_vec();
        if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) {
            remember_order(&json);
        }
        Answered {
            status,
            headers,
            body,
        }
    }

    pub fn status(&self) -> reqwest::StatusCode {
        self.status
    }

    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_slice(&self.body)
    }

    pub fn text(&self) -> Result<String, std::string::FromUtf8Error> {
        String::from_utf8(self.body.clone())
    }
}

/// The access tokens of the orders this test process placed, by order number: what a
/// shopper's client keeps from the answer to placing an order.
fn tokens() -> &'static Mutex<std::collections::HashMap<String, String>> {
    static TOKENS: OnceLock<Mutex<std::collections::HashMap<String, String>>> = OnceLock::new();
    TOKENS.get_or_init(Default::default)
}

/// Remembers the access token of the order `json` shows, if it shows one.
pub fn remember_order(json: &serde_json::Value) {
    if let (Some(number), Some(token)) = (json["number"].as_str(), json["access_token"].as_str()) {
        remember_token(number, token);
    }
}

/// Remembers the access token that `response` (the checkout's answer to placing an
/// order) gave the browser in its `order_key` cookie, scoped to the order's path.
pub fn keep_order_cookie(response: &reqwest::blocking::Response) {
    for cookie in response.headers().get_all("set-cookie") {
        let cookie = cookie.to_str().unwrap();
        let Some(token) = cookie
            .strip_prefix("order_key=")
            .and_then(|rest| rest.split(';').next())
        else {
            continue;
        };
        let number = cookie
            .split("; ")
            .find_map(|attribute| attribute.strip_prefix("Path=/orders/"))
            .unwrap_or_else(|| panic!("an order_key cookie without its order's path: {cookie}"));
        remember_token(number, token);
    }
}

/// Remembers `token` as the access token of order `number`.
pub fn remember_token(number: &str, token: &str) {
    tokens()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(canonical(number), token.to_string());
}

/// The one spelling of an order number that the registry of tokens is keyed by.
fn canonical(number: &str) -> String {
    storefront_domain::order_number::normalize(number).unwrap_or_else(|| number.to_string())
}

/// The access token of order `number`, which this test process placed.
pub fn order_token(number: &str) -> String {
    let known = tokens()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&canonical(number))
        .cloned();
    known.unwrap_or_else(|| panic!("no access token known for order {number}"))
}

/// `request` as the shopper of order `number` sends it: with the order's access token.
pub fn as_shopper(
    request: reqwest::blocking::RequestBuilder,
    number: &str,
) -> reqwest::blocking::RequestBuilder {
    request.header("order-token", order_token(number))
}

/// The value of the first `<input name="NAME" value="…">` in `html` (attribute order as maud writes it).
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// The fields of a valid checkout form, with the CSRF token and idempotency key taken from
/// the checkout page `checkout_html` (a London address, the terms accepted).
pub fn checkout_form(checkout_html: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", hidden_field(checkout_html, "csrf")),
        (
            "idempotency_key",
            hidden_field(checkout_html, "idempotency_key"),
        ),
        ("email", "ada@example.com".into()),
        ("name", "Ada Lovelace".into()),
        ("address.line1", "12 St James's Square".into()),
        ("address.line2", String::new()),
        ("address.city", "London".into()),
        ("address.postal_code", "SW1Y 4JH".into()),
        ("address.country", "GB".into()),
        ("terms", "yes".into()),
    ]
}

/// Current stock of every product (over its active variants), by slug, from the public
/// API, a page of 100 at a time.
pub fn stock(app: &TestApp) -> std::collections::BTreeMap<String, i64> {
    let mut stock = std::collections::BTreeMap::new();
    loop {
        let v: serde_json::Value = client()
            .get(app.url(&format!("/api/products?limit=100&offset={}", stock.len())))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let products = v["products"].as_array().unwrap();
        let before = stock.len();
        for p in products {
            stock.insert(
                p["slug"].as_str().unwrap().to_string(),
                p["stock"].as_i64().unwrap(),
            );
        }
        let total = v["total"].as_u64().unwrap_or(0) as usize;
        if stock.len() == before || stock.len() >= total {
            return stock;
        }
    }
}

/// What [`ledger_counts`] says after exactly `n` single-line orders.
pub fn ledger_of(n: i64) -> Vec<(&'static str, i64)> {
    vec![
        ("orders", n),
        ("order_lines", n),
        ("order_events", n),
        ("idempotency_keys", n),
    ]
}

/// Rows in every ledger table (only while no writer runs).
pub fn ledger_counts(data_dir: &Path) -> Vec<(&'static str, i64)> {
    let conn = open_db(data_dir);
    ["orders", "order_lines", "order_events", "idempotency_keys"]
        .into_iter()
        .map(|t| (t, count(&conn, t)))
        .collect()
}

/// Polls `done` every 50 ms until it holds or `within` passes; whether it held.
pub fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if done() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Pays order `number` with the test-mode provider as its shopper does: opens the payment
/// page with the order's token and presses "Pay" (its form's CSRF token included).
pub fn pay_in_test_mode(app: &TestApp, number: &str) {
    let shopper = client();
    let page = as_shopper(
        shopper.get(app.url(&format!("/orders/{number}/pay"))),
        number,
    )
    .send()
    .unwrap();
    assert_eq!(page.status(), 200, "the payment page of {number}");
    let page = page.text().unwrap();
    let csrf = hidden_field(&page, "csrf");
    let paid = as_shopper(
        shopper.post(app.url(&format!("/orders/{number}/pay/test"))),
        number,
    )
    .form(&[("csrf", csrf.as_str())])
    .send()
    .unwrap();
    assert_eq!(paid.status(), 303, "paying {number}");
}

/// `GET /api/orders/{number}` through the pages component, as the order's shopper.
pub fn order_json(app: &TestApp, number: &str) -> serde_json::Value {
    as_shopper(
        client().get(app.url(&format!("/api/orders/{number}"))),
        number,
    )
    .send()
    .unwrap()
    .json()
    .unwrap()
}

/// `POST /api/orders` through the pages component.
pub fn api_order(app: &TestApp, key: Option<&str>, body: &serde_json::Value) -> Answered {
    let mut request = client().post(app.url("/api/orders")).json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    Answered::read(request.send().unwrap())
}

pub const COOKIE_SECRET: &str = "test-cookie-secret-0123456789abcdef0123456789";

/// `storefront pages` (no database) pointing at a standalone writer on `writer_url`.
pub fn pages_command(writer_url: &str) -> Command {
    build_components();
    let mut cmd = storefront();
    cmd.env("SPIN_VARIABLE_WRITER_TOKEN", TOKEN)
        .env("SPIN_VARIABLE_WRITER_URL", writer_url)
        .env("SPIN_VARIABLE_COOKIE_SECRET", COOKIE_SECRET)
        .args(["pages", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(manifest());
    cmd
}

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Raises every product's stock (only while no writer runs) so load tests measure
/// ordering, not running out.
pub fn raise_stock(data_dir: &Path) {
    let dir = data_dir.to_path_buf();
    let writer = start_writer(&dir);
    assert!(writer.stop().success());
    open_db(data_dir)
        .execute("UPDATE variants SET stock = 100000000", [])
        .unwrap();
}

/// `storefront check --data-dir`: (success, stdout lines).
pub fn check(data_dir: &Path) -> (bool, Vec<String>) {
    let out = storefront()
        .args(["check", "--manifest"])
        .arg(manifest())
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    (out.status.success(), lines)
}

/// `host:port` of a running app, for raw TCP clients.
pub fn addr(app: &TestApp) -> String {
    app.base_url.trim_start_matches("http://").to_string()
}

/// A raw TCP connection to `app` that gives up reading after `read_timeout`.
pub fn raw_connection(app: &TestApp, read_timeout: Duration) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(addr(app)).unwrap();
    stream.set_read_timeout(Some(read_timeout)).unwrap();
    stream
}

/// Everything the server sends until it closes the connection (or the read times
/// out: then what arrived so far), and how long that took.
pub fn read_until_closed(stream: &mut std::net::TcpStream) -> (String, Duration) {
    use std::io::Read;
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

/// (`VmRSS`, `VmHWM`) of process `pid` in KiB, from `/proc/PID/status`.
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `cmd` run under `ulimit -n FDS` (through `sh`, so no libc in tests).
pub fn with_fd_limit(cmd: &Command, fds: u32) -> Command {
    let mut limited = Command::new("sh");
    limited
        .arg("-c")
        .arg(format!("ulimit -n {fds} && exec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => limited.env(key, v),
            None => limited.env_remove(key),
        };
    }
    limited
}

/// The back office owner's password in the tests.
pub const OWNER_PASSWORD: &str = "test owner password 0123";

/// Sets the back office owner's password with `storefront admin set-password` on a data
/// dir nobody owns yet (the command takes ownership for its duration, like `check`).
pub fn set_owner_password(data_dir: &Path, password: &str) {
    use std::io::Write as _;
    let mut child = storefront()
        .args(["admin", "set-password", "--manifest"])
        .arg(manifest())
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "set-password failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The whole app with the owner's password set ([`OWNER_PASSWORD`]) and the admin token
/// on, for the back office's tests.
pub fn start_back_office(data_dir: &Path) -> TestApp {
    build_components();
    set_owner_password(data_dir, OWNER_PASSWORD);
    start_with_admin(data_dir)
}

/// A client like a browser in the back office: keeps cookies, follows no redirects,
/// and asks for HTML (which is what routes `/admin…` to the back office, not the API).
pub fn browser_like_client() -> reqwest::blocking::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT,
        "text/html,application/xhtml+xml".parse().unwrap(),
    );
    client_with(headers)
}

/// A [`browser_like_client`] signed in to the back office of `app` with [`OWNER_PASSWORD`].
pub fn owner_client(app: &TestApp) -> reqwest::blocking::Client {
    let client = browser_like_client();
    let resp = client
        .post(app.url("/admin/sign-in"))
        .form(&[("password", OWNER_PASSWORD), ("next", "/admin")])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303, "signing in failed");
    client
}

/// The CSRF token in a back-office page (every form carries it as `csrf`).
pub fn office_csrf(html: &str) -> String {
    hidden_field(html, "csrf")
}
