//! A probe for `spin:key-value@3.0.0` (Spin 4's async key-value): a `wasi:http` 0.3
//! component (`wasi:http/handler@0.3.0-rc-2026-03-15`, the handler Spin 4.0.2 serves),
//! since every 3.0 function is an `async func` that only an async task may wait on
//! (`tests/host/conformance_key_value3.rs` compares its answers under both hosts).
//!
//! Routes (the last one or two segments of the path):
//! - `…/steps`: opens `default` and walks keys through every 3.0 function, answering
//!   each step as JSON (`open` of an unlisted label first);
//! - `…/open/<label>`: what `open(label)` answers;
//! - `…/get/<key>`: the value of `key` in `default` (written through 2.0 elsewhere);
//! - `…/keep/<key>`: sets `key` to `from 3.0` in `default`;
//! - `…/request` (any method): the request as the handler sees it: method, scheme,
//!   authority, path and query, every `spin-*` header and `host`, and the body's length
//!   and first bytes, read from its stream.

mod bindings {
    wit_bindgen::generate!({
        inline: "package storefront:probe-kv3;
            world probe {
                import spin:key-value/key-value@3.0.0;
                export wasi:http/handler@0.3.0-rc-2026-03-15;
            }",
        path: "wit",
        generate_all,
    });
}

use bindings::exports::wasi::http::handler::Guest;
use bindings::spin::key_value::key_value::{Error, Store};
use bindings::wasi::http::types::{ErrorCode, Fields, Method, Request, Response, Scheme};
use serde_json::{Value as Json, json};

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

fn value(r: Result<Option<Vec<u8>>, Error>) -> Json {
    answer(r, |v| {
        json!(v.map(|v| String::from_utf8_lossy(&v).into_owned()))
    })
}

/// Every key, read from the stream to its end, sorted; then how the stream ended.
async fn keys(store: &Store) -> Json {
    let (keys, ended) = store.get_keys().await;
    let mut keys = keys.collect().await;
    keys.sort();
    answer(ended.await, |()| json!(keys))
}

async fn open(label: &str) -> Json {
    answer(Store::open(label.to_string()).await.map(drop), |_| {
        json!("opened")
    })
}

/// The 2.0 probe's walk (`tests/conformance/probe/src/key_value.rs`), through 3.0.
async fn steps() -> Json {
    let mut steps = serde_json::Map::new();
    steps.insert("open_forbidden".into(), open("forbidden").await);
    let store = match Store::open("default".to_string()).await {
        Ok(store) => store,
        Err(e) => {
            steps.insert("open_default".into(), error(&e));
            return Json::Object(steps);
        }
    };
    let s = |k: &str| k.to_string();
    let ok = |r: Result<(), Error>| answer(r, |()| json!("ok"));
    let mut step = |name: &str, v: Json| {
        steps.insert(name.to_string(), v);
    };
    step("open_default", json!("opened"));
    step("delete_absent", ok(store.delete(s("bar")).await));
    step(
        "exists_absent",
        answer(store.exists(s("bar")).await, |b| json!(b)),
    );
    step("get_absent", value(store.get(s("bar")).await));
    step("keys_empty", keys(&store).await);
    step("set", ok(store.set(s("bar"), b"baz".to_vec()).await));
    step("exists", answer(store.exists(s("bar")).await, |b| json!(b)));
    step("get", value(store.get(s("bar")).await));
    step("keys_one", keys(&store).await);
    step("overwrite", ok(store.set(s("bar"), b"wow".to_vec()).await));
    step("get_overwritten", value(store.get(s("bar")).await));
    step("set_second", ok(store.set(s("qux"), b"yay".to_vec()).await));
    step("set_binary", ok(store.set(s("bin"), vec![0, 255, 1]).await));
    step(
        "get_binary",
        answer(store.get(s("bin")).await, |v| json!(v)),
    );
    step("set_empty", ok(store.set(s("empty"), Vec::new()).await));
    step("get_empty", value(store.get(s("empty")).await));
    step("keys_four", keys(&store).await);
    for key in ["bar", "bar", "qux", "bin", "empty"] {
        if let Err(e) = store.delete(s(key)).await {
            step("delete_failed", error(&e));
        }
    }
    step(
        "exists_deleted",
        answer(store.exists(s("bar")).await, |b| json!(b)),
    );
    step("get_deleted", value(store.get(s("qux")).await));
    step("keys_after", keys(&store).await);
    Json::Object(steps)
}

async fn with_default(f: impl AsyncFnOnce(Store) -> Json) -> Json {
    match Store::open("default".to_string()).await {
        Ok(store) => f(store).await,
        Err(e) => json!({"open_default": error(&e)}),
    }
}

/// What the handler sees of `request`, its body read to the end.
async fn request_seen(request: Request) -> Json {
    let method = match request.get_method() {
        Method::Get => "GET".to_string(),
        Method::Head => "HEAD".to_string(),
        Method::Post => "POST".to_string(),
        Method::Put => "PUT".to_string(),
        Method::Delete => "DELETE".to_string(),
        Method::Connect => "CONNECT".to_string(),
        Method::Options => "OPTIONS".to_string(),
        Method::Trace => "TRACE".to_string(),
        Method::Patch => "PATCH".to_string(),
        Method::Other(m) => m,
    };
    let scheme = match request.get_scheme() {
        Some(Scheme::Http) => json!("http"),
        Some(Scheme::Https) => json!("https"),
        Some(Scheme::Other(s)) => json!(s),
        None => Json::Null,
    };
    let mut headers: Vec<(String, String)> = request
        .get_headers()
        .copy_all()
        .into_iter()
        .filter(|(name, _)| name != "spin-client-addr")
        .map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned()))
        .collect();
    headers.sort();
    let seen = json!({
        "method": method,
        "scheme": scheme,
        "authority": request.get_authority(),
        "path_with_query": request.get_path_with_query(),
        "headers": headers,
    });
    let (_, read) = bindings::wit_future::new(|| Ok(()));
    let (body, trailers) = Request::consume_body(request, read);
    let body = body.collect().await;
    let ended = match trailers.await {
        Ok(_) => json!("ok"),
        Err(e) => json!(format!("{e:?}")),
    };
    let mut seen = seen;
    seen["body_len"] = json!(body.len());
    seen["body_start"] = json!(String::from_utf8_lossy(&body[..body.len().min(16)]));
    seen["body_end"] = ended;
    seen
}

async fn route(request: Request, path: &str) -> (u16, Json) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let answer = match segments.as_slice() {
        [.., "request"] => request_seen(request).await,
        [.., "steps"] => steps().await,
        [.., "open", label] => open(label).await,
        [.., "get", key] => {
            with_default(async |store| value(store.get(key.to_string()).await)).await
        }
        [.., "keep", key] => {
            with_default(async |store| {
                answer(
                    store.set(key.to_string(), b"from 3.0".to_vec()).await,
                    |()| json!("set"),
                )
            })
            .await
        }
        _ => return (404, json!({"error": "no such probe route", "path": path})),
    };
    (200, answer)
}

struct Probe;

impl Guest for Probe {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let path = request.get_path_with_query().unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default().to_string();
        let (status, body) = route(request, &path).await;
        let body = body.to_string().into_bytes();
        let headers = Fields::from_list(&[
            ("content-type".to_string(), b"application/json".to_vec()),
            (
                "content-length".to_string(),
                body.len().to_string().into_bytes(),
            ),
        ])
        .map_err(|e| ErrorCode::InternalError(Some(format!("{e:?}"))))?;
        let (mut writer, reader) = bindings::wit_stream::new();
        let (response, _) = Response::new(
            headers,
            Some(reader),
            bindings::wit_future::new(|| Ok(None)).1,
        );
        response
            .set_status_code(status)
            .map_err(|()| ErrorCode::InternalError(Some("status".to_string())))?;
        // The body is written once the host reads it, after `handle` has returned.
        wit_bindgen::spawn(async move {
            writer.write_all(body).await;
        });
        Ok(response)
    }
}

bindings::export!(Probe with_types_in bindings);
