//! The answers the host gives itself, without running a component: errors in the
//! JSON shape the components use (`{"error": {"code", "message"}}`), so a client
//! reads a refusal by the host like one by the shop.

use crate::app::router::WellKnown;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use wasmtime_wasi_http::WasiBody;

/// A body held whole in memory.
pub fn full(body: Bytes) -> WasiBody {
    Full::new(body)
        .map_err(|never| match never {})
        .boxed_unsync()
}

fn with_body(status: StatusCode, content_type: &'static str, body: String) -> Response<WasiBody> {
    let mut r = Response::new(full(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Spin's own answers under `/.well-known/spin/`: `health` is `200` `OK` (no content
/// type), `info` the app's name and version as JSON, anything else an empty `404`.
pub fn well_known(answer: &WellKnown) -> Response<WasiBody> {
    match answer {
        WellKnown::Health => Response::new(full(Bytes::from_static(b"OK"))),
        WellKnown::Info(json) => with_body(StatusCode::OK, "application/json", json.clone()),
        WellKnown::NotFound => not_found(),
    }
}

/// Spin's answer when no route matches: `404` with an empty body and no content type.
pub fn not_found() -> Response<WasiBody> {
    let mut r = Response::new(full(Bytes::new()));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// A plain-text answer.
pub fn text(status: StatusCode, body: &str) -> Response<WasiBody> {
    with_body(status, "text/plain; charset=utf-8", body.to_string())
}

/// An error in the components' JSON shape.
pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response<WasiBody> {
    let body = storefront_domain::ErrorBody::new(code, message).to_json();
    with_body(status, "application/json", body)
}

/// Asks the client to close the connection after this answer (hyper then closes it
/// too): used whenever the rest of the request is not going to be read.
pub fn closing(mut r: Response<WasiBody>) -> Response<WasiBody> {
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Asks the client to come back in a second.
fn retry_soon(mut r: Response<WasiBody>) -> Response<WasiBody> {
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// 413: the body is over the host's cap.
pub fn too_large(max_body_bytes: usize) -> Response<WasiBody> {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("request bodies are limited to {max_body_bytes} bytes"),
    )
}

/// 408: the body did not arrive in time; the connection is closed.
pub fn body_timeout() -> Response<WasiBody> {
    closing(error(
        StatusCode::REQUEST_TIMEOUT,
        "body_timeout",
        "the request body arrived too slowly",
    ))
}

/// 400: the request's body broke off or was malformed at the HTTP level.
pub fn bad_body() -> Response<WasiBody> {
    closing(error(
        StatusCode::BAD_REQUEST,
        "bad_body",
        "the request body could not be read",
    ))
}

/// 400: the `Host` (or the request target's authority) is not a host and port.
pub fn bad_host() -> Response<WasiBody> {
    error(
        StatusCode::BAD_REQUEST,
        "bad_host",
        "the Host header must be a host name or address with an optional port (no '/', '?', '#', '@' or spaces)",
    )
}

/// 503 + `Retry-After: 1`: the server is stopping; the successor will answer.
pub fn shutting_down() -> Response<WasiBody> {
    closing(retry_soon(error(
        StatusCode::SERVICE_UNAVAILABLE,
        "shutting_down",
        "this server is stopping; retry shortly",
    )))
}

/// 503 + `Retry-After: 1`: every component slot stayed busy for the queue timeout.
pub fn busy() -> Response<WasiBody> {
    retry_soon(error(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "the server is at capacity; retry shortly",
    ))
}

/// 503 + `Retry-After: 1`: no room to buffer the body before its deadline.
pub fn no_room_for_body() -> Response<WasiBody> {
    closing(retry_soon(error(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "the server is receiving too many request bodies; retry shortly",
    )))
}

/// The header that marks a writer's answer as "the storage is damaged": the pages do
/// not retry it and show the shopper a plain page instead.
pub const STORAGE_HEADER: &str = "storefront-storage";

/// 503 + `Retry-After: 1`: a passing storage error (busy, full, read-only, I/O) met by
/// a request whose component then failed; the pages retry it with the same idempotency
/// key ([`crate::database::storage_fault`]).
pub fn storage_unavailable() -> Response<WasiBody> {
    retry_soon(error(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
        "the shop's storage is briefly unavailable (busy, full or read-only); try again",
    ))
}

/// 503 without `Retry-After`, marked [`STORAGE_HEADER`]` = damaged`: the storage is
/// damaged and the writer takes no commands until the operator repairs it.
pub fn storage_damaged() -> Response<WasiBody> {
    let mut r = error(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_damaged",
        "the shop's database is damaged and the shop takes no orders until it is repaired; \
         the operator's log says why",
    );
    r.headers_mut()
        .insert(STORAGE_HEADER, HeaderValue::from_static("damaged"));
    r
}
