//! One HTTP/1 connection, and what the drain does to it.
//!
//! Each connection knows whether it is answering a request (from the moment its head
//! is in until its response body is sent). When the server starts to stop, a
//! connection that is not (idle keep-alive, or a head still arriving) is closed at
//! once; one that is finishes that response and closes. The request itself answers
//! `503` if it had not reached a component yet (its body still arriving, or queued).

use super::Server;
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use wasmtime_wasi_http::WasiBody;

/// How long a connection accepted while stopping may take to send its head (it is
/// only answered `503`).
const HEADER_TIMEOUT_WHILE_STOPPING: Duration = Duration::from_secs(1);

/// "This connection is answering a request": set while a [`Busy`] lives (a count,
/// so one response ending never clears the next request's mark).
#[derive(Clone, Default)]
pub struct BusyFlag(Arc<AtomicUsize>);

impl BusyFlag {
    pub fn enter(&self) -> Busy {
        self.0.fetch_add(1, Ordering::SeqCst);
        Busy(self.0.clone())
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 0
    }
}

/// Clears its mark when dropped: with the response body, once it is sent.
pub struct Busy(Arc<AtomicUsize>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One of the connections the drain waits for (those accepted before it began).
pub struct Tracked(watch::Sender<usize>);

impl Tracked {
    pub fn new(open: &watch::Sender<usize>) -> Tracked {
        open.send_modify(|n| *n += 1);
        Tracked(open.clone())
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// A response body that keeps `guard` alive until the body is sent or dropped.
pub struct Guarded<G> {
    inner: WasiBody,
    _guard: G,
}

impl<G: Send + Unpin + 'static> Guarded<G> {
    pub fn wrap(response: http::Response<WasiBody>, guard: G) -> http::Response<WasiBody> {
        use http_body_util::BodyExt;
        response.map(|inner| {
            Guarded {
                inner,
                _guard: guard,
            }
            .boxed_unsync()
        })
    }
}

impl<G: Unpin> Body for Guarded<G> {
    type Data = Bytes;
    type Error = <WasiBody as Body>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `stream` until the client leaves, a timeout closes it, or the drain does.
/// `permit` is its place under `max_connections`. A connection accepted while the
/// server is already stopping gets its `503` and is closed.
pub async fn serve(
    server: Arc<Server>,
    stream: TcpStream,
    client: SocketAddr,
    permit: OwnedSemaphorePermit,
    tracked: Option<Tracked>,
) {
    let (_permit, _tracked) = (permit, tracked);
    let stopping = *server.draining.borrow();
    let _ = stream.set_nodelay(true);
    let busy = BusyFlag::default();
    let service = {
        let (server, busy) = (server.clone(), busy.clone());
        hyper::service::service_fn(move |req| server.clone().serve(req, client, busy.enter()))
    };
    let limits = &server.limits;
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(if stopping {
            HEADER_TIMEOUT_WHILE_STOPPING.min(limits.header_timeout)
        } else {
            limits.header_timeout
        })
        .max_header_size(limits.max_head_bytes)
        .max_buf_size(limits.max_head_bytes)
        .keep_alive(!stopping)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let log_end = |result: hyper::Result<()>| {
        if let Err(e) = result {
            tracing::debug!("connection from {client} ended: {e}");
        }
    };
    if stopping {
        return log_end(conn.await);
    }
    tokio::select! {
        result = conn.as_mut() => log_end(result),
        () = super::stopping(server.draining.clone()) => {
            if busy.is_set() {
                conn.as_mut().graceful_shutdown();
                log_end(conn.await);
            }
            // Otherwise idle, or its head still arriving: dropped, so closed now.
        }
    }
}
