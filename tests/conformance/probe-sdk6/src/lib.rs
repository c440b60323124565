//! A probe written as a Spin 4 developer writes a component: spin-sdk 6's
//! `#[http_service]` (a `wasi:http` 0.3 handler) and its `key_value` (Spin's
//! `spin:key-value@3.0.0`); `tests/host/conformance_key_value3.rs` compares its answers
//! under both hosts.
//!
//! `…/count` adds one to the `default` store's `visits` and answers the new count, the
//! keys and the request's method, path and body length, as JSON.

use serde_json::json;
use spin_sdk::http::body::IncomingBodyExt;
use spin_sdk::http::{IntoResponse, Request};
use spin_sdk::http_service;
use spin_sdk::key_value::Store;

#[http_service]
async fn handle(request: Request) -> anyhow::Result<impl IntoResponse> {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let body = request
        .into_body()
        .bytes()
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let store = Store::open_default().await?;
    let visits = match store.get("visits").await? {
        Some(v) => String::from_utf8(v)?.parse::<u64>()? + 1,
        None => 1,
    };
    store.set("visits", visits.to_string().as_bytes()).await?;
    let mut keys = store.get_keys().await.collect().await?;
    keys.sort();
    let answer = json!({
        "method": method,
        "path": path,
        "body_len": body.len(),
        "visits": visits,
        "keys": keys,
    });
    Ok(answer.to_string())
}
