//! The benches' order requests: one line of one of `slugs` per order, a fresh idempotency
//! key per request, either as a shopper behind a proxy (`POST /api/orders`, an address of its
//! own per order) or straight to the writer with its token (`POST /orders`). The two kinds
//! never share a key: a server measured for both on one database would otherwise answer
//! the second kind's orders from the first's stored answers (a replay writes nothing).

use crate::http_load::request;
use bytes::Bytes;
use http::{Method, Request};
use http_body_util::Full;

/// Order `i`'s JSON body.
pub fn body(slugs: &[String], i: u64) -> Vec<u8> {
    serde_json::json!({
        "email": "bench@example.com",
        "name": "Bench Client",
        "address": {"line1": "1 Load St", "city": "Berlin", "postal_code": "10115", "country": "DE"},
        "items": [{"slug": slugs[(i as usize) % slugs.len()], "quantity": 1}]
    })
    .to_string()
    .into_bytes()
}

/// Request `i` of client `c` to `POST /api/orders`, from shopper address `10.c.i.i`.
pub fn shopper(host: &str, slugs: &[String], c: usize, i: u64) -> Request<Full<Bytes>> {
    request(
        Method::POST,
        host,
        "/api/orders",
        &[
            ("idempotency-key", format!("bench-shopper-{c}-{i}")),
            (
                "x-forwarded-for",
                format!("10.{}.{}.{}", c % 256, (i >> 8) % 256, i % 256),
            ),
        ],
        Some(body(slugs, i)),
    )
}

/// Request `i` of client `c` to the writer's `POST /orders` with `token`.
pub fn direct(host: &str, token: &str, slugs: &[String], c: usize, i: u64) -> Request<Full<Bytes>> {
    request(
        Method::POST,
        host,
        "/orders",
        &[
            ("authorization", format!("Bearer {token}")),
            ("idempotency-key", format!("bench-direct-{c}-{i}")),
        ],
        Some(body(slugs, i)),
    )
}
