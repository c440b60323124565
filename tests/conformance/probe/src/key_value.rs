//! `GET /key-value`: what `fermyon:spin/key-value@2.0.0` answers, step by step, as the
//! behaviours Spin's public conformance suite checks (`key-value`,
//! `key-value-no-permission`): a label the component does not list, then (when the
//! component may open `default`) delete, exists, get, get-keys, set, overwrite, a second
//! key, a binary value and deleting everything; in a component without
//! `key_value_stores`, the error of opening `default`.
//!
//! `GET /key-value/keep` sets `kept = "still here"` and leaves it; `GET /key-value/kept`
//! reads it (the backup test: set, back up, restore, read).

use serde_json::{Value as Json, json};
use spin_sdk::key_value::{Error, Store};

fn error(e: &Error) -> Json {
    match e {
        Error::StoreTableFull => json!("store-table-full"),
        Error::NoSuchStore => json!("no-such-store"),
        Error::AccessDenied => json!("access-denied"),
        Error::Other(_) => json!("other"),
    }
}

fn answer<T>(r: Result<T, Error>, ok: impl FnOnce(T) -> Json) -> Json {
    match r {
        Ok(v) => ok(v),
        Err(e) => json!({"error": error(&e)}),
    }
}

fn value(r: Result<Option<Vec<u8>>, Error>) -> Json {
    answer(r, |v| match v {
        None => json!(null),
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(text) => json!({"text": text}),
            Err(e) => json!({"bytes": e.into_bytes()}),
        },
    })
}

fn keys(store: &Store) -> Json {
    answer(store.get_keys(), |mut keys| {
        keys.sort();
        json!(keys)
    })
}

/// The answer for `/key-value`, `/key-value/keep` or `/key-value/kept`.
pub fn probe(path: &str) -> Json {
    let forbidden = answer(Store::open("forbidden").map(drop), |_| json!("opened"));
    let store = match Store::open_default() {
        Ok(store) => store,
        Err(e) => return json!({"open_default": error(&e), "open_forbidden": forbidden}),
    };
    if path.ends_with("/keep") {
        return answer(store.set("kept", b"still here"), |_| json!("set"));
    }
    if path.ends_with("/kept") {
        return value(store.get("kept"));
    }
    let mut steps = serde_json::Map::new();
    let mut step = |name: &str, v: Json| {
        steps.insert(name.to_string(), v);
    };
    step("open_forbidden", forbidden);
    step("open_default", json!("opened"));
    step(
        "delete_absent",
        answer(store.delete("bar"), |_| json!("ok")),
    );
    step("exists_absent", answer(store.exists("bar"), |b| json!(b)));
    step("get_absent", value(store.get("bar")));
    step("keys_empty", keys(&store));
    step("set", answer(store.set("bar", b"baz"), |_| json!("ok")));
    step("exists", answer(store.exists("bar"), |b| json!(b)));
    step("get", value(store.get("bar")));
    step("keys_one", keys(&store));
    step(
        "overwrite",
        answer(store.set("bar", b"wow"), |_| json!("ok")),
    );
    step("get_overwritten", value(store.get("bar")));
    step(
        "set_second",
        answer(store.set("qux", b"yay"), |_| json!("ok")),
    );
    step(
        "set_binary",
        answer(store.set("bin", &[0, 255, 1]), |_| json!("ok")),
    );
    step("get_binary", value(store.get("bin")));
    step(
        "set_empty",
        answer(store.set("empty", b""), |_| json!("ok")),
    );
    step("get_empty", value(store.get("empty")));
    step("keys_four", keys(&store));
    for key in ["bar", "bar", "qux", "bin", "empty"] {
        if let Err(e) = store.delete(key) {
            step("delete_failed", error(&e));
        }
    }
    step("exists_deleted", answer(store.exists("bar"), |b| json!(b)));
    step("get_deleted", value(store.get("qux")));
    step("keys_after", keys(&store));
    Json::Object(steps)
}
