//! A probe for `spin:key-value@3.0.0` (Spin 4's async key-value) in a `wasi:http` 0.2
//! component, the kind spin-sdk 5 builds (`tests/host/conformance_key_value3.rs`).
//!
//! `GET /key-value-3` opens the `default` store through 3.0 and sets, reads, lists and
//! deletes a key, answering each step as JSON. Every 3.0 function is an `async func`,
//! and a `wasi:http` 0.2 handler is a synchronous task: waiting for one of them before
//! the handler returns is a trap in the component model ("cannot block a synchronous
//! task before returning"). So under real Spin 4.0.2 this probe answers 500; only a
//! `wasi:http` 0.3 handler (an async task) can use 3.0. The probe keeps that fact
//! checked against real `spin up`.

mod bindings {
    wit_bindgen::generate!({
        inline: "package storefront:probe-kv3; world probe { import spin:key-value/key-value@3.0.0; }",
        path: "wit",
        generate_all,
    });
}

use bindings::spin::key_value::key_value::{Error, Store};
use serde_json::{Value as Json, json};
use spin_sdk::http::{IntoResponse, Request, Response};
use spin_sdk::http_component;

fn error(e: &Error) -> Json {
    match e {
        Error::StoreTableFull => json!("store-table-full"),
        Error::NoSuchStore => json!("no-such-store"),
        Error::AccessDenied => json!("access-denied"),
        Error::Other(_) => json!("other"),
    }
}

fn answer<T>(r: Result<T, Error>, ok: impl FnOnce(T) -> Json) -> Json {
    r.map_or_else(|e| json!({"error": error(&e)}), ok)
}

/// Opens `default` and walks one key through set, get, exists, get-keys and delete.
async fn steps() -> Json {
    let store = match Store::open("default".to_string()).await {
        Ok(store) => store,
        Err(e) => return json!({"open_default": error(&e)}),
    };
    let set = answer(store.set("k3".to_string(), b"v3".to_vec()).await, |_| {
        json!("ok")
    });
    let get = answer(store.get("k3".to_string()).await, |v| {
        json!(v.as_deref().map(String::from_utf8_lossy))
    });
    let exists = answer(store.exists("k3".to_string()).await, |b| json!(b));
    let (keys, ended) = store.get_keys().await;
    let mut keys = keys.collect().await;
    keys.sort();
    let keys = answer(ended.await, |()| json!(keys));
    let delete = answer(store.delete("k3".to_string()).await, |_| json!("ok"));
    json!({"set": set, "get": get, "exists": exists, "keys": keys, "delete": delete})
}

#[http_component]
fn handle(_req: Request) -> anyhow::Result<impl IntoResponse> {
    let body = wit_bindgen::block_on(steps());
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build())
}
