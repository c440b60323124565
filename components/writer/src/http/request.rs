//! What the writer reads from an incoming request: method, path and the few headers it uses,
//! the body (refused past its route's limit without buffering the rest), and JSON decoding
//! of it.

use crate::http::responses::ApiError;
use futures::StreamExt as _;
use serde::de::DeserializeOwned;
use spin_sdk::http::{IncomingRequest, Method};
use storefront_domain::{AUTHORIZATION, CLIENT_KEY, IDEMPOTENCY_KEY};

/// Largest accepted request body, for commands.
pub const MAX_BODY: usize = 64 * 1024;
/// A batch of delivery reports (`POST /outbox/results`) carries each local mail whole
/// (subject, text and HTML); the host passes no more than 1 MiB to a component anyway, and
/// the dispatcher keeps its batches well below that.
pub const MAX_REPORTS_BODY: usize = 1024 * 1024;
/// A provider event carries the provider's whole event as its payload; refusing a large one
/// would make the provider retry it forever and the ledger never see it.
pub const MAX_EVENT_BODY: usize = 1024 * 1024;
/// A reconciliation carries every intent of its window (about 200 bytes each). The host
/// passes no more than 1 MiB to a component anyway.
pub const MAX_RECONCILE_BODY: usize = 1024 * 1024;

/// Method, path and headers, copied out so the body can be consumed afterwards.
pub struct Head {
    pub method: Method,
    /// Path without the query; the host part of the URL is ignored.
    pub path: String,
    /// The query string, without `?` (empty if none).
    pub query: String,
    pub authorization: Header,
    pub idempotency_key: Header,
    /// `storefront-client`: who placed an order, for the per-client limits.
    pub client_key: Header,
    /// `storefront-actor`: who asked for a catalog command, for its history row.
    pub actor: Header,
    content_length: Header,
}

/// A header's value: absent, present once, or repeated (which the writer never accepts).
pub enum Header {
    Missing,
    One(Vec<u8>),
    Repeated,
}

impl Head {
    pub fn of(req: &IncomingRequest) -> Head {
        let path_and_query = req.path_with_query().unwrap_or_else(|| "/".into());
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path.to_string(), query.to_string()),
            None => (path_and_query, String::new()),
        };
        let headers = req.headers();
        let header = |name: &str| {
            let mut values = headers.get(name);
            match values.len() {
                0 => Header::Missing,
                1 => Header::One(values.remove(0)),
                _ => Header::Repeated,
            }
        };
        Head {
            method: req.method(),
            path,
            query,
            authorization: header(AUTHORIZATION),
            idempotency_key: header(IDEMPOTENCY_KEY),
            client_key: header(CLIENT_KEY),
            actor: header(storefront_domain::catalog::ACTOR),
            content_length: header("content-length"),
        }
    }
}

/// The image upload route reads up to `MAX_IMAGE_BYTES` (its only raw, non-JSON body).
pub const MAX_IMAGE_BODY: usize = storefront_domain::catalog::MAX_IMAGE_BYTES;

/// Reads the whole body, or answers 413 `body_too_large` as soon as it passes `limit` bytes.
pub async fn read_body(
    head: &Head,
    req: IncomingRequest,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            413,
            "body_too_large",
            format!("this request's body is limited to {limit} bytes"),
        )
    };
    let declared = match &head.content_length {
        Header::One(v) => std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.trim().parse().ok()),
        _ => None,
    };
    if declared.is_some_and(|len: u64| len > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let mut stream = req.into_body_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                400,
                "body_unreadable",
                format!("could not read the request body: {}", e.to_debug_string()),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Decodes a JSON body: 400 `malformed_json` if it is not JSON at all, 422 `invalid_request`
/// if it is JSON of the wrong shape (a missing field, a string where a number belongs).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::new(
                422,
                "invalid_request",
                format!("the request body has the wrong shape: {e}"),
            ),
            Category::Syntax | Category::Eof | Category::Io => ApiError::new(
                400,
                "malformed_json",
                format!("the request body is not valid JSON: {e}"),
            ),
        }
    })
}
