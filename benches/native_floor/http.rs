//! The floor's HTTP/1.1 server: hyper on a tokio runtime with one worker per core, keep-alive
//! connections, the three routes the side-by-side bench drives. `POST /api/orders` takes
//! the shopper's address from `x-forwarded-for` as its client (as the pages do behind a
//! proxy); `POST /orders` takes `storefront-client` if sent, as the writer does.

use super::catalog::Reader;
use super::group_commit::{Committer, Reply};
use super::order;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::path::Path;
use std::sync::Arc;

/// Largest request body read (an order is well under 1 KB).
const MAX_BODY: usize = 64 * 1024;

/// Read connections, as the host's default `--read-connections`.
const READ_CONNECTIONS: usize = 2;

struct Floor {
    committer: Committer,
    reader: Reader,
}

fn answer(status: u16, content_type: &str, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .expect("a valid response")
}

fn json(reply: Reply) -> Response<Full<Bytes>> {
    answer(reply.status, "application/json", reply.body)
}

fn header(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn handle(floor: Arc<Floor>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => match floor.reader.page() {
            Ok(html) => answer(200, "text/html; charset=utf-8", html),
            Err(e) => answer(500, "text/plain", e.to_string()),
        },
        (&Method::POST, path @ ("/api/orders" | "/orders")) => {
            let client = header(
                &req,
                if path == "/orders" {
                    "storefront-client"
                } else {
                    "x-forwarded-for"
                },
            );
            let Some(key) = header(&req, "idempotency-key") else {
                return answer(400, "text/plain", "an Idempotency-Key is required".into());
            };
            let Ok(body) = Limited::new(req.into_body(), MAX_BODY).collect().await else {
                return answer(413, "text/plain", "the body is too large".into());
            };
            match order::parse(&body.to_bytes()) {
                Ok((order, fingerprint)) => json(
                    floor
                        .committer
                        .run(order::place(order, fingerprint, key, client))
                        .await,
                ),
                Err(refused) => json(refused),
            }
        }
        _ => answer(404, "text/plain", "not found".into()),
    }
}

/// Serves the floor on `listener` until the process ends; the database in `data_dir`
/// must exist.
pub fn serve(data_dir: &Path, listener: std::net::TcpListener) {
    super::schema::checkpoint_forever(data_dir.to_path_buf());
    let floor = Arc::new(Floor {
        committer: Committer::start(super::schema::open(data_dir).expect("the write connection")),
        reader: Reader::open(data_dir, READ_CONNECTIONS),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let floor = floor.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let floor = floor.clone();
                    async move { Ok::<_, std::convert::Infallible>(handle(floor, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
