//! The `storefront` binary as the tests run it: the components built once, a command
//! for each way it runs (`up`, `writer`, `pages`, `check`, `admin set-password`) with
//! the test environment, and spawning one until it says where it serves.

use super::TestApp;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
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

/// Runs `storefront build` for the app once per test binary (cargo makes the second run a
/// no-op).
pub fn build_components() {
    build_manifest(&manifest());
}

/// Runs `storefront build` for the app of `manifest` (its components' build commands),
/// once per manifest and test binary.
pub fn build_manifest(manifest: &Path) {
    static BUILT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if built.iter().any(|m| m == manifest) {
        return;
    }
    let status = Command::new(BIN)
        .args(["build", "--manifest"])
        .arg(manifest)
        .status()
        .expect("run storefront build");
    assert!(status.success(), "building {} failed", manifest.display());
    built.push(manifest.to_path_buf());
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
        .env_remove("SPIN_VARIABLE_SHOP_URL")
        // Every test client is 127.0.0.1: the per-client limits on unpaid orders have
        // their own test (`hostile/hostile_input.rs`) and would only get in the others' way.
        .env("SPIN_VARIABLE_MAX_UNPAID_ORDERS_PER_CLIENT", "1000000000");
    cmd
}

/// `storefront writer` on a free port for `manifest`, owning `data`, with the writer's
/// token, shop URL and cookie secret set (the variables the storefront's writer requires).
pub fn shop_writer(manifest: &Path, data: &Path, cookie_secret: &str) -> Command {
    let mut cmd = storefront();
    cmd.env("SPIN_VARIABLE_WRITER_TOKEN", super::TOKEN)
        .env("SPIN_VARIABLE_SHOP_URL", super::SHOP_URL)
        .env("SPIN_VARIABLE_COOKIE_SECRET", cookie_secret)
        .args(["writer", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(manifest)
        .arg("--data-dir")
        .arg(data);
    cmd
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

    /// How the process exited, for a test that expects it not to start (`why` says
    /// what it should have refused): its status and what it printed.
    pub fn refused(self, why: &str) -> (ExitStatus, Vec<String>) {
        match self {
            Started::Ready(_) => panic!("storefront started, but {why}"),
            Started::Exited { status, stderr } => (status, stderr),
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

pub const TOKEN: &str = "test-writer-token-0123456789";

/// The public origin the tests give production processes (`writer`, `pages`), which
/// refuse to start without one.
pub const SHOP_URL: &str = "https://shop.example";

/// `storefront writer` on a free port with `data_dir` and the test token.
pub fn writer_command(data_dir: &Path, extra: &[&str]) -> Command {
    build_components();
    let mut cmd = storefront();
    cmd.env("SPIN_VARIABLE_WRITER_TOKEN", super::TOKEN)
        .env("SPIN_VARIABLE_SHOP_URL", super::SHOP_URL)
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

pub const COOKIE_SECRET: &str = "test-cookie-secret-0123456789abcdef0123456789";

/// `storefront pages` (no database) pointing at a standalone writer on `writer_url`.
pub fn pages_command(writer_url: &str) -> Command {
    build_components();
    let mut cmd = storefront();
    cmd.env("SPIN_VARIABLE_WRITER_TOKEN", super::TOKEN)
        .env("SPIN_VARIABLE_WRITER_URL", writer_url)
        .env("SPIN_VARIABLE_COOKIE_SECRET", COOKIE_SECRET)
        .env("SPIN_VARIABLE_SHOP_URL", super::SHOP_URL)
        .args(["pages", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(manifest());
    cmd
}

/// Runs a command to its end: whether it succeeded, and its stdout then stderr.
pub fn run_to_end(mut cmd: Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `storefront check --data-dir`: (success, stdout lines).
pub fn check(data_dir: &Path) -> (bool, Vec<String>) {
    check_with(data_dir, &[])
}

/// Runs `storefront check --full` on `data_dir` offline (every order from scratch and
/// SQLite's integrity check): whether it passed, and its output lines.
pub fn check_full(data_dir: &Path) -> (bool, Vec<String>) {
    check_with(data_dir, &["--full"])
}

/// Runs `storefront check` with `args` on `data_dir` offline: whether it passed, and its
/// output lines.
pub fn check_with(data_dir: &Path, args: &[&str]) -> (bool, Vec<String>) {
    let out = storefront()
        .arg("check")
        .args(args)
        .arg("--manifest")
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

/// Runs `storefront reconcile` on `data_dir` offline, `configure` naming its payment
/// provider (a fake's `configure`): whether everything matched, and what it printed
/// (stdout, then stderr).
pub fn reconcile(data_dir: &Path, configure: impl FnOnce(&mut Command)) -> (bool, String) {
    let mut cmd = storefront();
    configure(&mut cmd);
    let out = cmd
        .args(["reconcile", "--manifest"])
        .arg(manifest())
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

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

/// A free loopback port (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends a signal with the `kill` utility (no libc dependency in tests).
pub fn send_signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

/// `cmd` run by `wrapper` (its program and arguments appended), with `cmd`'s environment.
fn run_by(mut wrapper: Command, cmd: &Command) -> Command {
    wrapper.arg(cmd.get_program()).args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => wrapper.env(key, v),
            None => wrapper.env_remove(key),
        };
    }
    wrapper
}

/// `cmd` run under `ulimit -n FDS` (through `sh`, so no libc in tests).
pub fn with_fd_limit(cmd: &Command, fds: u32) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("ulimit -n {fds} && exec \"$0\" \"$@\""));
    run_by(sh, cmd)
}

/// `cmd` run with no file larger than `bytes` (`prlimit --fsize`): a write past it fails
/// and the kernel ends the process with SIGXFSZ, a file-system fault at a chosen point.
pub fn with_file_size_limit(cmd: &Command, bytes: u64) -> Command {
    let mut prlimit = Command::new("prlimit");
    prlimit.arg(format!("--fsize={bytes}")).arg("--");
    run_by(prlimit, cmd)
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
