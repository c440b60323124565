//! A probe component for the host conformance tests (`tests/host/conformance.rs`). It answers
//! with what its host gave it, as JSON, so the same requests can be checked against
//! `storefront up` and compared with real `spin up`. The behaviours are the ones Spin's
//! public conformance suite checks (`sqlite`, `sqlite-no-permission`, `variables`,
//! `request-shape`), written from their descriptions, not copied.
//!
//! - `GET /request/...` (and any path not named below): the method, URI, path, query,
//!   every `spin-*` header, and the component's `who` variable (which component answered);
//! - `GET /version`: the `PROBE_VERSION` it was built with (the hot-reload test);
//! - `GET /variables`: each probed variable's value or error;
//! - `GET /sqlite`: values of every SQLite type written and read back, the errors of an
//!   unknown database and of bad SQL (or, in a component without `sqlite_databases`,
//!   the error of opening the default database);
//! - `GET /slow?ms=N`: answers after N milliseconds (at most [`MAX_SLOW_MS`]), marked
//!   `storefront-cache: until-write` so that `storefront up` may keep the answer: a run of
//!   the component that a test knows to last that long (the answer cache's single flight,
//!   `tests/host/answer_cache.rs`). Real Spin ignores the header.
//! - `GET /key-value...`: see [`key_value`].
//! - `GET /served`: `{"served": N}`, the requests this instance has answered, this one
//!   included: 1 on a fresh instance, more on one the host kept between requests
//!   (`tests/host/instance_reuse.rs`); real Spin gives a 0.2 component a fresh one each time;
//! - `GET /trap`: panics, so the instance traps;
//! - `GET /leave-open`: opens the default database and never closes it, then answers as
//!   `/served` does.

mod key_value;

use serde_json::{Value as Json, json};
use spin_sdk::http::{IntoResponse, Request, Response};
use spin_sdk::http_component;
use spin_sdk::sqlite::{Connection, Error, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// Longest `GET /slow` waits.
const MAX_SLOW_MS: u64 = 10_000;

/// Requests this instance has answered (or is answering).
static SERVED: AtomicU32 = AtomicU32::new(0);

#[http_component]
fn handle(req: Request) -> anyhow::Result<impl IntoResponse> {
    let served = SERVED.fetch_add(1, Ordering::SeqCst) + 1;
    let path = req.path().to_string();
    if path.ends_with("/trap") {
        panic!("the probe traps on request");
    }
    if path.ends_with("/leave-open") {
        // Opened and forgotten: the connection's handle stays open after the request.
        if let Ok(db) = Connection::open_default() {
            std::mem::forget(db);
        }
    }
    if path.ends_with("/slow") {
        return Ok(slow(req.query()));
    }
    let body = if path.ends_with("/version") {
        // Set at build time by the hot-reload test (`tests/host/hot_reload.rs`).
        json!({"version": option_env!("PROBE_VERSION").unwrap_or("unversioned")})
    } else if path.ends_with("/variables") {
        variables()
    } else if path.contains("/key-value") {
        key_value::probe(&path)
    } else if path.ends_with("/sqlite") {
        sqlite()
    } else if path.ends_with("/served") || path.ends_with("/leave-open") {
        json!({"served": served})
    } else {
        request_shape(&req)
    };
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build())
}

/// `GET /slow?ms=N`: sleeps, then answers `{"slept_ms": N}`, marked cacheable.
fn slow(query: &str) -> Response {
    let ms = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("ms="))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0)
        .min(MAX_SLOW_MS);
    std::thread::sleep(std::time::Duration::from_millis(ms));
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("storefront-cache", "until-write")
        .body(json!({"slept_ms": ms}).to_string())
        .build()
}

fn request_shape(req: &Request) -> Json {
    let mut spin_headers = serde_json::Map::new();
    for (name, value) in req.headers() {
        if name.starts_with("spin-") {
            spin_headers.insert(name.to_string(), json!(value.as_str().unwrap_or("")));
        }
    }
    json!({
        "method": format!("{:?}", req.method()),
        "uri": req.uri(),
        "path": req.path(),
        "query": req.query(),
        "spin_headers": spin_headers,
        "who": spin_sdk::variables::get("who").ok(),
    })
}

/// Each probed component variable: its value, or the error's kind and text.
fn variables() -> Json {
    let mut out = serde_json::Map::new();
    for name in [
        "defaulted",
        "required_one",
        "secret_one",
        "templated",
        "literal",
        "undeclared",
        "Bad-Name",
    ] {
        let got = match spin_sdk::variables::get(name) {
            Ok(value) => json!({"value": value}),
            Err(e) => json!({"error": variable_error(&e)}),
        };
        out.insert(name.to_string(), got);
    }
    Json::Object(out)
}

/// A variables error's kind, as Spin's WIT names it.
fn variable_error(e: &spin_sdk::variables::Error) -> &'static str {
    use spin_sdk::variables::Error;
    match e {
        Error::InvalidName(_) => "invalid-name",
        Error::Undefined(_) => "undefined",
        Error::Provider(_) => "provider",
        Error::Other(_) => "other",
    }
}

fn sqlite_error(e: &Error) -> Json {
    match e {
        Error::NoSuchDatabase => json!("no-such-database"),
        Error::AccessDenied => json!("access-denied"),
        Error::InvalidConnection => json!("invalid-connection"),
        Error::DatabaseFull => json!("database-full"),
        Error::Io(_) => json!("io"),
    }
}

fn value(v: &Value) -> Json {
    match v {
        Value::Integer(i) => json!({"integer": i}),
        Value::Real(r) => json!({"real": r}),
        Value::Text(t) => json!({"text": t}),
        Value::Blob(b) => json!({"blob": b}),
        Value::Null => json!("null"),
    }
}

fn sqlite() -> Json {
    let unknown = match Connection::open("no-such-store") {
        Ok(_) => json!("opened"),
        Err(e) => sqlite_error(&e),
    };
    let db = match Connection::open_default() {
        Ok(db) => db,
        Err(e) => return json!({"open_default": sqlite_error(&e), "open_unknown": unknown}),
    };
    let run = || -> Result<Json, Error> {
        db.execute(
            "CREATE TABLE IF NOT EXISTS probe (i INTEGER, r REAL, t TEXT, b BLOB, n TEXT)",
            &[],
        )?;
        db.execute("DELETE FROM probe", &[])?;
        db.execute(
            "INSERT INTO probe VALUES (?, ?, ?, ?, ?)",
            &[
                Value::Integer(-9_007_199_254_740_993),
                Value::Real(2.5),
                Value::Text("grüße, 'quoted'".into()),
                Value::Blob(vec![0, 255, 1]),
                Value::Null,
            ],
        )?;
        let result = db.execute("SELECT i, r, t, b, n, 1 + 1 AS two FROM probe", &[])?;
        let rows: Vec<Json> = result
            .rows
            .iter()
            .map(|row| Json::Array(row.values.iter().map(value).collect()))
            .collect();
        let bad = match db.execute("SELEKT nonsense", &[]) {
            Ok(_) => json!("ran"),
            Err(e) => sqlite_error(&e),
        };
        Ok(json!({"columns": result.columns, "rows": rows, "bad_sql": bad}))
    };
    match run() {
        Ok(mut out) => {
            out["open_default"] = json!("opened");
            out["open_unknown"] = unknown;
            out
        }
        Err(e) => json!({"open_default": "opened", "failed": sqlite_error(&e)}),
    }
}
