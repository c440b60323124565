//! The HTTP/1.1 server: accepts connections, routes each request to a component,
//! adds the `spin-*` headers Spin gives components, logs one line per request, and
//! shuts down gracefully.
//!
//! A request reaches a component only when it is ready to run: its body is read
//! first (see [`body`]), then it waits in a bounded FIFO queue for one of
//! `max_in_flight` component slots ([`crate::app::instance_slots`]). Every wait a client
//! can cause is bounded ([`limits`]). Stopping closes idle connections and those
//! still sending a request at once (the latter answered `503`), answers new requests
//! `503` + `Retry-After`, and waits only for requests running in components.

mod accept;
mod body;
mod connection;
pub mod limits;
pub mod responses;
mod target;
mod threads;

use crate::app::router::{Matched, Router};
use crate::app::runtime::App;
use crate::operator::metrics::{InFlight, Queued, metrics};
use accept::AcceptErrors;
use anyhow::Result;
use connection::{Busy, Guarded, Tracked};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use limits::Limits;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use wasmtime_wasi_http::WasiBody;

/// What every connection of one server shares.
pub struct Server {
    app: Arc<App>,
    router: Router,
    limits: Limits,
    budget: body::Budget,
    /// True once the server is stopping.
    draining: watch::Receiver<bool>,
}

impl Server {
    async fn serve(
        self: Arc<Self>,
        mut req: Request<Incoming>,
        client: SocketAddr,
        busy: Busy,
    ) -> Result<Response<WasiBody>, std::convert::Infallible> {
        let started = Instant::now();
        let _in_flight = InFlight::start();
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let request_id = request_id(&mut req);
        let well_known = self.router.well_known(&path);
        let matched = match well_known {
            Some(_) => None,
            None => self.router.route(&path),
        };
        let mut response = match &well_known {
            Some(answer) if !*self.draining.borrow() => responses::well_known(answer),
            _ => self.dispatch(req, matched.as_ref(), client).await,
        };
        response
            .headers_mut()
            .insert(REQUEST_ID, request_id.clone());
        let took = started.elapsed();
        let status = response.status().as_u16();
        let (component, route) = matched
            .as_ref()
            .map_or(("", ""), |m| (m.component.as_str(), m.raw_route.as_str()));
        metrics().answered(component, route, status, took);
        tracing::info!(
            target: "storefront::request",
            request_id = request_id.to_str().unwrap_or_default(),
            "{method} {path} {status} {}µs",
            took.as_micros()
        );
        Ok(Guarded::wrap(response, busy))
    }

    async fn dispatch(
        &self,
        req: Request<Incoming>,
        matched: Option<&Matched>,
        client: SocketAddr,
    ) -> Response<WasiBody> {
        if *self.draining.borrow() {
            return responses::shutting_down();
        }
        let Some(matched) = matched else {
            return responses::not_found();
        };
        let (mut parts, incoming) = req.into_parts();
        parts.uri = match target::component_uri(&parts) {
            Ok(uri) => uri,
            Err(target::BadHost) => return responses::closing(responses::bad_host()),
        };
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let reading = body::Reading {
            limits: &self.limits,
            budget: &self.budget,
            draining: self.draining.clone(),
        };
        let body = match body::read(incoming, declared, reading).await {
            Ok(body) => body,
            Err(refused) => return refused.response(&self.limits),
        };
        let _leader = match self.app.cached(&matched.component, (&parts).into()).await {
            Ok(response) => return response,
            Err(leader) => leader,
        };
        // Admission: the request is complete; wait (bounded) for a component slot.
        let queued = Queued::start();
        let slot = tokio::select! {
            slot = tokio::time::timeout(self.limits.queue_timeout, self.app.request_slot()) => {
                match slot {
                    Ok(slot) => slot,
                    Err(_) => return responses::busy(),
                }
            }
            () = stopping(self.draining.clone()) => return responses::shutting_down(),
        };
        drop(queued);
        target::set_spin_headers(&mut parts, matched, client);
        tracing::debug!(
            target: "storefront::request",
            "{} {} as {}",
            parts.method,
            parts.uri.path(),
            parts.uri
        );
        let request = Request::from_parts(parts, body.into_wasi_body());
        match self.app.serve(&matched.component, request, slot).await {
            Ok(response) => response,
            Err(e) => {
                tracing::error!("{e:#}");
                responses::text(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n")
            }
        }
    }
}

/// The header that names a request across processes (logs, pages → writer).
pub const REQUEST_ID: &str = "x-request-id";
/// Longest request id taken from a client; a longer or odd one is replaced.
const MAX_REQUEST_ID: usize = 64;

/// The request's id: the client's (a proxy's) `x-request-id` when it is 1 to
/// [`MAX_REQUEST_ID`] visible ASCII characters, else a new random one; set on the request
/// so the component (and whatever it calls) sees it.
fn request_id(req: &mut Request<Incoming>) -> http::HeaderValue {
    let given = req.headers().get(REQUEST_ID).filter(|v| {
        (1..=MAX_REQUEST_ID).contains(&v.len()) && v.as_bytes().iter().all(u8::is_ascii_graphic)
    });
    let id = match given {
        Some(v) => v.clone(),
        None => {
            let mut bytes = [0u8; 8];
            let _ = getrandom::fill(&mut bytes);
            http::HeaderValue::from_str(&hex::encode(bytes)).expect("hex is a valid header")
        }
    };
    req.headers_mut().insert(REQUEST_ID, id.clone());
    id
}

/// Resolves once the server is stopping.
async fn stopping(mut draining: watch::Receiver<bool>) {
    let _ = draining.wait_for(|d| *d).await;
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
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    limits.validate()?;
    let (drain, draining) = watch::channel(false);
    let server = Arc::new(Server {
        app,
        router,
        budget: body::Budget::new(limits.body_memory),
        limits,
        draining,
    });
    let connections = Arc::new(Semaphore::new(server.limits.max_connections));
    let mut threads = threads::ConnectionThreads::start(&server, server.limits.connection_threads)?;
    // Connections accepted before the drain; it waits until none is left.
    let (open, _) = watch::channel(0usize);
    let mut errors = AcceptErrors::default();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = accept(&listener, &connections, &mut errors) => {
                let (stream, client, permit) = accepted;
                let tracked = Tracked::new(&open);
                threads.hand(stream, client, permit, Some(tracked));
            }
            () = &mut shutdown => break,
        }
    }
    // Draining: connections not answering a request close now; requests not yet in
    // a component are answered 503 + Retry-After, so that the caller retries the same
    // command against the successor; requests in components finish. The port is held
    // until then, new connections getting 503, then the lock is released and the
    // successor can bind it.
    let _ = drain.send(true);
    let running = *open.borrow();
    tracing::info!(
        "stopping: closing idle connections, finishing requests in components ({running} connections open), answering new ones 503"
    );
    let started = Instant::now();
    let mut open_rx = open.subscribe();
    let drained = tokio::time::timeout(server.limits.drain_timeout, open_rx.wait_for(|n| *n == 0));
    tokio::pin!(drained);
    loop {
        tokio::select! {
            finished = &mut drained => {
                match finished {
                    Ok(_) => tracing::info!("drained in {} ms", started.elapsed().as_millis()),
                    Err(_) => tracing::warn!(
                        "{} connections did not finish within {:?}",
                        *open.borrow(),
                        server.limits.drain_timeout
                    ),
                }
                break;
            }
            accepted = accept(&listener, &connections, &mut errors) => {
                let (stream, client, permit) = accepted;
                threads.hand(stream, client, permit, None);
            }
        }
    }
    drop(listener);
    threads.stop().await;
    Ok(())
}

/// The next connection, once there is room for it under `max_connections`; failed
/// accepts back off (see [`accept`]).
async fn accept(
    listener: &TcpListener,
    connections: &Arc<Semaphore>,
    errors: &mut AcceptErrors,
) -> (
    tokio::net::TcpStream,
    SocketAddr,
    tokio::sync::OwnedSemaphorePermit,
) {
    let permit = connections
        .clone()
        .acquire_owned()
        .await
        .expect("the connection limit is never closed");
    loop {
        match listener.accept().await {
            Ok((stream, client)) => {
                errors.succeeded();
                return (stream, client, permit);
            }
            Err(e) => {
                let pause = errors.failed(&e);
                tokio::time::sleep(pause).await;
            }
        }
    }
}
