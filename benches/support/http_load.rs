//! The benchmarks' load generator: CLIENTS keep-alive HTTP/1.1 connections (hyper's
//! client connection API) driven by one tokio runtime with [`threads`] worker threads,
//! like `wrk -t2 -cCLIENTS`. A thread and a blocking client per connection would cost the
//! 2-core machine about as much CPU as the server it measures, and the figures would
//! measure the generator.

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Worker threads of the generator: `BENCH_CLIENT_THREADS`, default 2 (wrk's `-t2`).
pub fn threads() -> usize {
    std::env::var("BENCH_CLIENT_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .filter(|t| *t >= 1)
        .unwrap_or(2)
}

/// Builds request `i` of client `c`.
pub type MakeRequest = dyn Fn(usize, u64) -> Request<Full<Bytes>> + Send + Sync;

/// A request to `path` with the headers every request carries (`Host`).
pub fn request(
    method: Method,
    host: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Option<Vec<u8>>,
) -> Request<Full<Bytes>> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host);
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    builder
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .expect("a valid request")
}

pub struct Run {
    pub latencies: Vec<Duration>,
    pub errors: u64,
    pub elapsed: f64,
}

impl Run {
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        self.latencies[((self.latencies.len() as f64 - 1.0) * p).round() as usize]
    }

    pub fn p(&self, p: f64) -> f64 {
        self.percentile(p).as_secs_f64()
    }

    pub fn summary(&self) -> String {
        format!(
            "requests={} rate={:.0}/s p50={:.2}ms p99={:.2}ms errors={}",
            self.latencies.len(),
            self.rate(),
            self.p(0.50) * 1000.0,
            self.p(0.99) * 1000.0,
            self.errors
        )
    }
}

/// CLIENTS connections to `addr`, each sending its next request as soon as the last
/// answer is read, for SECONDS. A non-2xx answer or a failed request is an error; a
/// connection the server closed is opened again.
pub fn drive(addr: SocketAddr, clients: usize, seconds: u64, make: Arc<MakeRequest>) -> Run {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    run_clients(clients, |c| client(addr, c, deadline, make.clone()))
}

/// Runs `clients` client tasks (`client(c)`: its latencies and error count) on the
/// generator's runtime ([`threads`] workers) and gathers them into one [`Run`], timed
/// from the start to the last client's end.
pub fn run_clients<F, Fut>(clients: usize, client: F) -> Run
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = (Vec<Duration>, u64)> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads())
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients).map(|c| tokio::spawn(client(c))).collect();
        let mut latencies = Vec::new();
        let mut errors = 0;
        for task in tasks {
            let (l, e) = task.await.expect("a client task");
            latencies.extend(l);
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort();
        Run {
            latencies,
            errors,
            elapsed,
        }
    })
}

/// One keep-alive connection's request sender.
pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// A keep-alive HTTP/1.1 connection to `addr` (no Nagle), its driver spawned.
async fn connect(addr: SocketAddr) -> Option<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    stream.set_nodelay(true).ok()?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .ok()?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Some(sender)
}

/// `kept` if the server has not closed it, else a new connection to `addr`; `None` when
/// none could be made.
pub async fn reuse_or_connect(addr: SocketAddr, kept: Option<Sender>) -> Option<Sender> {
    match kept {
        Some(s) if !s.is_closed() => Some(s),
        _ => connect(addr).await,
    }
}

async fn client(
    addr: SocketAddr,
    c: usize,
    deadline: Instant,
    make: Arc<MakeRequest>,
) -> (Vec<Duration>, u64) {
    let mut latencies = Vec::new();
    let mut errors = 0u64;
    let mut sender: Option<Sender> = None;
    let mut i = 0u64;
    while Instant::now() < deadline {
        let Some(mut open) = reuse_or_connect(addr, sender.take()).await else {
            errors += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        if open.ready().await.is_err() {
            continue;
        }
        i += 1;
        let req = make(c, i);
        let t = Instant::now();
        match open.send_request(req).await {
            Ok(resp) => {
                let ok = resp.status().is_success();
                match resp.into_body().collect().await {
                    Ok(_) if ok => latencies.push(t.elapsed()),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        continue;
                    }
                }
                sender = Some(open);
            }
            Err(_) => errors += 1,
        }
    }
    (latencies, errors)
}
