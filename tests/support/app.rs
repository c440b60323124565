//! A running storefront (`TestApp`) and the ways a test starts one: the whole shop, the
//! shop with the admin routes on, the back office with the owner's password set, or a
//! standalone writer. Stopping it is SIGTERM and a wait, also when a test panics.

use super::{
    ADMIN_TOKEN, OWNER_PASSWORD, build_components, open_db, send_signal, set_owner_password, spawn,
    up_command, writer_command,
};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running storefront process.
pub struct TestApp {
    pub child: Child,
    pub base_url: String,
    pub data_dir: PathBuf,
    pub stderr: Arc<Mutex<Vec<String>>>,
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

/// Starts the whole app and panics if it does not come up.
pub fn start(data_dir: &Path) -> TestApp {
    spawn(up_command(data_dir), data_dir).ready()
}

/// Starts the whole app with the admin routes on (`ADMIN_TOKEN`).
pub fn start_with_admin(data_dir: &Path) -> TestApp {
    let mut cmd = up_command(data_dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN);
    spawn(cmd, data_dir).ready()
}

/// The whole app with the owner's password set ([`OWNER_PASSWORD`]) and the admin token
/// on, for the back office's tests.
pub fn start_back_office(data_dir: &Path) -> TestApp {
    build_components();
    set_owner_password(data_dir, OWNER_PASSWORD);
    start_with_admin(data_dir)
}

/// Starts a standalone writer (`storefront writer`) with the test token.
pub fn start_writer(data_dir: &Path) -> TestApp {
    spawn(writer_command(data_dir, &[]), data_dir).ready()
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

/// `host:port` of a running app, for raw TCP clients.
pub fn addr(app: &TestApp) -> String {
    app.base_url.trim_start_matches("http://").to_string()
}
