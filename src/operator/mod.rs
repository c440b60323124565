//! The operator listener (`--operator-listen ADDR` on `up`, `writer` and `pages`), apart
//! from shopper traffic so that probes and scrapes never queue behind shoppers and the
//! port can be closed to the internet:
//!
//! - `GET /healthz`: `200 ok` while the process runs (liveness);
//! - `GET /readyz`: `200 ready` when this process can do its job (readiness): the owner
//!   of the files once it holds them with the migrations applied (it serves only then)
//!   and, for the storefront app, while its writer component answers `/health` and the
//!   storage is not damaged ([`crate::database::storage_fault`]) and the replica bucket
//!   is not too far behind ([`crate::database::replication`]); the pages
//!   while the writer at `writer_url` answers `/health` with the token; else `503` with
//!   the reason;
//! - `GET /metrics`: the Prometheus text format ([`metrics`]).
//!
//! Bounded: [`MAX_CONNECTIONS`] connections at once, [`READ_TIMEOUT`] for a request head,
//! [`CHECK_TIMEOUT`] for a readiness check.

pub mod metrics;

use crate::storefront::writer_calls::WriterCalls;
use anyhow::{Context, Result};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Operator connections served at once; more wait in the kernel's backlog.
pub const MAX_CONNECTIONS: usize = 64;
/// Longest a client may take to send a request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a readiness check (or the backlog read of a scrape) may take.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Where the owner's process stands: set once it serves (with the storefront's writer
/// calls, or `None` for another Spin app).
#[derive(Default)]
pub struct OwnerState {
    pub serving: std::sync::OnceLock<Option<WriterCalls>>,
}

/// What "ready" means for this process.
pub enum Readiness {
    /// The owner of the data dir: not ready while it waits for the files or applies the
    /// migrations; then, with the storefront's writer calls, ready while the writer
    /// component answers `/health`, and without (another Spin app), ready.
    Owner { state: Arc<OwnerState> },
    /// The stateless pages: ready while the writer at `writer_url` answers `/health`
    /// (`None`: not the storefront app, ready once serving).
    Pages {
        writer_url: Option<String>,
        token: String,
    },
}

impl Readiness {
    async fn check(&self) -> Result<(), String> {
        let replication_problem = crate::database::replication::status().and_then(|s| s.problem());
        let check = async {
            match self {
                Readiness::Owner { .. } if crate::database::storage_fault::damaged().is_some() => {
                    Err(format!(
                        "storage damaged, taking no commands: {}",
                        crate::database::storage_fault::damaged().unwrap_or_default()
                    ))
                }
                Readiness::Owner { .. } if replication_problem.is_some() => {
                    Err(replication_problem.unwrap_or_default())
                }
                Readiness::Owner { state } => match state.serving.get() {
                    None => Err("starting: waiting for the data dir or applying migrations".into()),
                    Some(None) => Ok(()),
                    Some(Some(w)) => w
                        .check_health()
                        .await
                        .map_err(|e| format!("the writer component: {e:#}")),
                },
                Readiness::Pages {
                    writer_url: None, ..
                } => Ok(()),
                Readiness::Pages {
                    writer_url: Some(url),
                    token,
                } => remote_health(url, token)
                    .await
                    .map_err(|e| format!("the writer at {url}: {e:#}")),
            }
        };
        tokio::time::timeout(CHECK_TIMEOUT, check)
            .await
            .map_err(|_| format!("no answer within {CHECK_TIMEOUT:?}"))?
    }

    /// Reads the ledger's backlog into the metrics (the storefront's owner only).
    async fn refresh_backlog(&self) {
        let Readiness::Owner { state } = self else {
            return;
        };
        let Some(Some(w)) = state.serving.get() else {
            return;
        };
        let read = tokio::time::timeout(
            CHECK_TIMEOUT,
            w.call(http::Method::GET, "/admin/backlog", None),
        )
        .await;
        let Ok(Ok(answer)) = read else {
            return;
        };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&answer.body) else {
            return;
        };
        for kind in ["outbox_pending", "unpaid_orders"] {
            if let Some(n) = v[kind].as_i64() {
                metrics::metrics().backlog.with_label_values(&[kind]).set(n);
            }
        }
    }
}

/// `GET {writer_url}/health` with the writer token: Ok on a 2xx.
async fn remote_health(url: &str, token: &str) -> Result<()> {
    let uri: http::Uri = format!("{}/health", url.trim_end_matches('/'))
        .parse()
        .context("writer_url is not a URL")?;
    let authority = uri.authority().context("writer_url has no host")?.clone();
    let port = authority.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((authority.host(), port))
        .await
        .context("cannot connect")?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .context("HTTP handshake")?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let request = Request::builder()
        .uri(uri.path())
        .header("host", authority.as_str())
        .header("authorization", format!("Bearer {token}"))
        .body(Full::new(Bytes::new()))?;
    let response = sender.send_request(request).await.context("no answer")?;
    let status = response.status();
    let _ = response.into_body().collect().await;
    anyhow::ensure!(status.is_success(), "it answered {status}");
    Ok(())
}

/// Binds the operator listener at `addr`, if one is asked for (one readable line if the
/// address is taken), announces it and serves it until the task is aborted.
pub async fn start(
    addr: Option<SocketAddr>,
    readiness: Readiness,
) -> Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(addr) = addr else {
        return Ok(None);
    };
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (the operator listener)"))?;
    println!(
        "storefront operator listener on http://{}",
        listener.local_addr()?
    );
    Ok(Some(spawn(listener, readiness)))
}

/// Serves the operator routes on `listener` until the task is aborted.
fn spawn(listener: TcpListener, readiness: Readiness) -> tokio::task::JoinHandle<()> {
    let readiness = Arc::new(readiness);
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let Ok((stream, _)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let readiness = readiness.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let readiness = readiness.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer(req, &readiness).await) }
                });
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(READ_TIMEOUT);
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
                drop(permit);
            });
        }
    })
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

async fn answer(req: Request<Incoming>, readiness: &Readiness) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "GET only\n");
    }
    match req.uri().path() {
        "/healthz" => text(StatusCode::OK, "ok\n"),
        "/readyz" => match readiness.check().await {
            Ok(()) => text(StatusCode::OK, "ready\n"),
            Err(why) => text(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {why}\n"),
            ),
        },
        "/metrics" => {
            readiness.refresh_backlog().await;
            let mut r = text(StatusCode::OK, metrics::metrics().render());
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}
