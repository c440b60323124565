//! A local S3-compatible server for the tests and benches that use an object store (the
//! off-site backups, the WAL replicas): moto's server, a Python package that `./test`
//! installs (without it those tests fail, never skip), on a free port, with one bucket,
//! stopped when dropped. It shares no code with the app: the host reaches it only
//! through the AWS variables, as it would reach S3.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct FakeS3 {
    child: Child,
    pub endpoint: String,
}

impl Drop for FakeS3 {
    fn drop(&mut self) {
        self.stop();
    }
}

impl FakeS3 {
    /// Starts the server and creates `bucket`.
    pub fn start(bucket: &str) -> FakeS3 {
        let port = super::free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with moto[server] (`pip install 'moto[server]'`, ./test does)");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not listen; is moto[server] installed?"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let endpoint = format!("http://127.0.0.1:{port}");
        // CreateBucket.
        let r = super::client()
            .put(format!("{endpoint}/{bucket}"))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        FakeS3 { child, endpoint }
    }

    /// Sets the AWS variables that point a `storefront` command at this server.
    pub fn env(&self, cmd: &mut Command) {
        cmd.env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT", &self.endpoint)
            .env("AWS_ALLOW_HTTP", "true");
    }

    /// The keys under `prefix` in `bucket` (ListObjectsV2, one page of up to 1,000).
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let xml = super::client()
            .get(format!(
                "{}/{bucket}?list-type=2&prefix={prefix}",
                self.endpoint
            ))
            .send()
            .unwrap()
            .text()
            .unwrap();
        xml.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(str::to_string)
            .collect()
    }

    /// Stops the server (the bucket is gone with it).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
