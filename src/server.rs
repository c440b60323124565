//! The HTTP/1.1 server: accepts connections, routes each request to a component,
//! adds the `spin-*` headers Spin gives components, logs one line per request, and
//! shuts down gracefully: once asked to stop it answers new requests with 503 and
//! `Retry-After`, lets in-flight ones finish, then returns.

use crate::router::Router;
use crate::runtime::App;
use anyhow::Result;
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use wasmtime_wasi_http::{Error as HttpError, WasiBody};

/// Largest request body the host passes to a component (components set tighter limits).
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// A body declared larger than [`MAX_BODY_BYTES`] is read and discarded up to this
/// size before the 413 goes out, so the client, still sending, gets the answer instead
/// of a broken pipe; beyond it the connection is simply closed after the answer.
const MAX_DISCARD_BYTES: u64 = 16 << 20;
/// How long a stopping server waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

struct Server {
    app: Arc<App>,
    router: Router,
    draining: AtomicBool,
}

fn text(status: StatusCode, body: &str) -> Response<WasiBody> {
    let mut r = Response::new(
        Full::new(Bytes::from(body.to_string()))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// 413 in the JSON error shape the components use.
fn too_large() -> Response<WasiBody> {
    let body = storefront_domain::ErrorBody::new(
        "body_too_large",
        format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
    )
    .to_json();
    let mut r = text(StatusCode::PAYLOAD_TOO_LARGE, &body);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

impl Server {
    async fn serve(
        self: Arc<Self>,
        req: Request<Incoming>,
        client: SocketAddr,
    ) -> Result<Response<WasiBody>, std::convert::Infallible> {
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let response = self.dispatch(req, client).await;
        tracing::info!(
            target: "storefront::request",
            "{method} {path} {} {}µs",
            response.status().as_u16(),
            started.elapsed().as_micros()
        );
        Ok(response)
    }

    async fn dispatch(&self, req: Request<Incoming>, client: SocketAddr) -> Response<WasiBody> {
        if self.draining.load(Ordering::SeqCst) {
            let mut r = text(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting down; retry shortly\n",
            );
            r.headers_mut()
                .insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
            return r;
        }
        let Some(matched) = self.router.route(req.uri().path()) else {
            return text(StatusCode::NOT_FOUND, "not found\n");
        };
        let declared = req
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(len) = declared.filter(|len| *len > MAX_BODY_BYTES as u64) {
            if len <= MAX_DISCARD_BYTES {
                let _ = req.into_body().collect().await;
            }
            return too_large();
        }
        let (mut parts, body) = req.into_parts();
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
            .to_string();
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .to_string();
        let full_url = format!("http://{host}{path_and_query}");
        match full_url.parse() {
            Ok(uri) => parts.uri = uri,
            Err(_) => return text(StatusCode::BAD_REQUEST, "bad request target\n"),
        }
        let h = &mut parts.headers;
        let spin_headers = [
            ("spin-full-url", full_url.as_str()),
            ("spin-path-info", matched.path_info.as_str()),
            ("spin-matched-route", matched.raw_route.as_str()),
            ("spin-raw-component-route", matched.raw_route.as_str()),
            ("spin-component-route", matched.base.as_str()),
            ("spin-base-path", "/"),
        ];
        for (name, value) in spin_headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                h.insert(name, v);
            }
        }
        if let Ok(v) = HeaderValue::from_str(&client.to_string()) {
            h.insert("spin-client-addr", v);
        }
        let body = Limited::new(body, MAX_BODY_BYTES)
            .map_err(|e| match e.downcast::<hyper::Error>() {
                Ok(e) => HttpError::from(*e),
                Err(_) => HttpError::HttpRequestBodySize(Some(MAX_BODY_BYTES as u64)),
            })
            .boxed_unsync();
        let request = Request::from_parts(parts, body);
        match self.app.handle(&matched.component, request).await {
            Ok(response) => response,
            Err(e) => {
                tracing::error!("{e:#}");
                text(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n")
            }
        }
    }
}

/// Binds `addr` (with `SO_REUSEADDR`, so a successor writer can bind the port its
/// predecessor just released), with a readable error for the common failures.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    let readable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            anyhow::anyhow!("{addr} is already in use; pick another with --listen")
        }
        _ => anyhow::anyhow!("cannot listen on {addr}: {e}"),
    };
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    }
    .map_err(readable)?;
    socket.set_reuseaddr(true).map_err(readable)?;
    socket.bind(addr).map_err(readable)?;
    socket.listen(1024).map_err(readable)
}

/// Serves until `shutdown` resolves, then drains.
pub async fn run(
    listener: TcpListener,
    app: Arc<App>,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let server = Arc::new(Server {
        app,
        router,
        draining: AtomicBool::new(false),
    });
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Some(accepted) = accepted_stream(accepted) {
                    spawn_connection(&server, accepted, Some(&graceful));
                }
            }
            () = &mut shutdown => break,
        }
    }
    // Draining: in-flight requests finish; every new request, on a kept-alive
    // connection or a new one, is answered 503 with Retry-After so that the caller
    // retries the same command against the successor. The port is held until the
    // drain ends, then the lock is released and the successor can bind it.
    server.draining.store(true, Ordering::SeqCst);
    tracing::info!("stopping: finishing in-flight requests, answering new ones 503");
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown());
    tokio::pin!(drained);
    loop {
        tokio::select! {
            finished = &mut drained => {
                if finished.is_err() {
                    tracing::warn!("some connections did not finish within {DRAIN_TIMEOUT:?}");
                }
                break;
            }
            accepted = listener.accept() => {
                if let Some(accepted) = accepted_stream(accepted) {
                    spawn_connection(&server, accepted, None);
                }
            }
        }
    }
    drop(listener);
    Ok(())
}

fn accepted_stream(
    accepted: std::io::Result<(TcpStream, SocketAddr)>,
) -> Option<(TcpStream, SocketAddr)> {
    match accepted {
        Ok((stream, client)) => {
            let _ = stream.set_nodelay(true);
            Some((stream, client))
        }
        Err(e) => {
            tracing::warn!("accept failed: {e}");
            None
        }
    }
}

/// Serves one HTTP/1 connection on its own task. Connections accepted while serving
/// are watched by `graceful` so that the drain waits for them; those accepted while
/// draining only get their 503 and close.
fn spawn_connection(
    server: &Arc<Server>,
    (stream, client): (TcpStream, SocketAddr),
    graceful: Option<&GracefulShutdown>,
) {
    let server = server.clone();
    let conn = http1::Builder::new()
        .keep_alive(graceful.is_some())
        .serve_connection(
            TokioIo::new(stream),
            hyper::service::service_fn(move |req| server.clone().serve(req, client)),
        );
    let log_end = move |result: hyper::Result<()>| {
        if let Err(e) = result {
            tracing::debug!("connection from {client} ended: {e}");
        }
    };
    match graceful {
        Some(graceful) => {
            let conn = graceful.watch(conn);
            tokio::spawn(async move { log_end(conn.await) });
        }
        None => {
            tokio::spawn(async move { log_end(conn.await) });
        }
    }
}
