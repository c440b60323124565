//! Real `spin up` for the tests that compare with it (`real_spin`, `conformance`): the
//! binary `SPIN_BIN` names, started on a free port with a state dir of its own and an
//! environment that cannot change where it listens, logs or keeps its databases.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The Spin named by `SPIN_BIN` (relative paths are taken from the repo root, where cargo
/// runs the tests), or `None` when it is not set or not an executable file (`test` names
/// the caller in what is printed).
pub fn spin_bin(test: &str) -> Option<PathBuf> {
    let value = std::env::var_os("SPIN_BIN").filter(|v| !v.is_empty())?;
    let path = super::repo_root().join(&value);
    let executable = std::fs::metadata(&path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0);
    if !executable {
        println!(
            "{test}: SPIN_BIN={} is not an executable file",
            value.to_string_lossy()
        );
    }
    executable.then_some(path)
}

/// A running `spin up`, with everything it printed on stdout and stderr.
pub struct RealSpin {
    pub child: Child,
    output: Arc<Mutex<Vec<String>>>,
    pub base_url: String,
}

impl RealSpin {
    /// `bin up --from manifest` with `state_dir` as its state and working dir and only the
    /// `variables` given (`SPIN_VARIABLE_*` of the test's own environment are removed);
    /// returns once it said it serves and its port accepts connections.
    pub fn start(
        bin: &Path,
        manifest: &Path,
        state_dir: &Path,
        variables: &[(&str, &str)],
    ) -> RealSpin {
        let port = super::free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(bin);
        cmd.arg("up")
            .arg("--from")
            .arg(manifest)
            .args(["--listen", &listen])
            // Spin keeps its state (the `default` SQLite database as `sqlite_db.db`, the
            // component logs under `logs/`) in `.spin/` beside the manifest unless told
            // otherwise: here, in a temporary dir, never in the repo.
            .arg("--state-dir")
            .arg(state_dir)
            .current_dir(state_dir);
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("SPIN_VARIABLE_") {
                cmd.env_remove(name);
            }
        }
        // Environment that would change where Spin listens, logs or keeps its databases.
        for name in [
            "SPIN_HTTP_LISTEN_ADDR",
            "SPIN_LOG_DIR",
            "RUNTIME_CONFIG_FILE",
            "SPIN_ALWAYS_BUILD",
        ] {
            cmd.env_remove(name);
        }
        for (name, value) in variables {
            cmd.env(
                format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase()),
                value,
            );
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        println!("real spin: {cmd:?}");
        let mut child = cmd.spawn().expect("spawn spin up");
        let output = Arc::new(Mutex::new(Vec::new()));
        collect(child.stdout.take().unwrap(), output.clone(), "stdout");
        collect(child.stderr.take().unwrap(), output.clone(), "stderr");
        let mut spin = RealSpin {
            child,
            output,
            base_url: format!("http://{listen}"),
        };
        spin.wait_until_serving(listen.parse().unwrap());
        spin
    }

    /// Polls until Spin has said it serves and the port accepts connections. The first
    /// run unpacks Spin and compiles the components, so the deadline is generous.
    fn wait_until_serving(&mut self, addr: SocketAddr) {
        let deadline = Instant::now() + Duration::from_secs(240);
        loop {
            let said_serving = self.output().iter().any(|l| l.contains("Serving http://"));
            if said_serving && TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                // Give the readers a moment to take the last lines from the closed pipes.
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "spin up exited with {status} before serving:\n{}",
                    self.output().join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "spin up did not serve within 240 s:\n{}",
                self.output().join("\n")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn output(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// SIGTERM, then SIGKILL after 15 s.
    pub fn stop(&mut self) -> ExitStatus {
        if let Some(status) = self.child.try_wait().unwrap() {
            return status;
        }
        super::send_signal(self.child.id(), "TERM");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                println!("real spin: spin did not exit 15 s after SIGTERM; killing it");
                let _ = self.child.kill();
                return self.child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RealSpin {
    fn drop(&mut self) {
        self.stop();
    }
}

fn collect(stream: impl Read + Send + 'static, sink: Arc<Mutex<Vec<String>>>, name: &str) {
    let name = name.to_string();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(format!("[spin {name}] {line}"));
        }
    });
}
