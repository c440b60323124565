//! `spin:key-value@3.0.0` (Spin 4's async key-value) from a `wasi:http` 0.3 handler
//! (Spin 4.0.2's `wasi:http/handler@0.3.0-rc-2026-03-15`): the app in
//! `tests/conformance/key-value-3/` (the probe in `tests/conformance/probe-kv3`, one
//! written with spin-sdk 6 in `tests/conformance/probe-sdk6`, and the 2.0 probe, all on
//! the same `default` store). The same requests go to this host and,
//! when `SPIN_BIN` is set, to real `spin up`, and the answers must be equal.

use crate::support;

use crate::support::real_spin::{RealSpin, spin_bin};
use serde_json::{Value as Json, json};
use std::path::PathBuf;

fn manifest() -> PathBuf {
    support::repo_root().join("tests/conformance/key-value-3/spin.toml")
}

/// A request of the walk: method, path, body.
type Step = (&'static str, &'static str, Vec<u8>);

fn walk() -> Vec<Step> {
    let get = |path| ("GET", path, Vec::new());
    vec![
        get("/kv3/steps"),
        get("/kv3/open/other"),
        get("/kv3-none/open/default"),
        get("/kv2/key-value/keep"),
        get("/kv3/get/kept"),
        get("/kv3/keep/kept"),
        get("/kv2/key-value/kept"),
        get("/kv3/a/request?x=1&y=%20"),
        // A body larger than one read of the stream.
        ("POST", "/kv3/request", b"0123456789abcdef".repeat(20_000)),
        get("/kv3/nothing"),
        // spin-sdk 6 (Spin 4's SDK) on the same store.
        ("POST", "/sdk6/count", b"abc".to_vec()),
        get("/sdk6/count"),
    ]
}

/// Each step's status and JSON, from the app at `base`. Every request names the same
/// `Host`, so authorities and URLs agree across hosts; the answer leaves out what
/// differs by nature (the client's port, this host's request id).
fn answers(url: impl Fn(&str) -> String) -> Vec<(u16, Json)> {
    let client = support::client();
    walk()
        .into_iter()
        .map(|(method, path, body)| {
            let answer = client
                .request(method.parse().unwrap(), url(path))
                .header("host", "shop.example:8080")
                .header("x-probe", "yes")
                .body(body)
                .send()
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = answer.status().as_u16();
            let mut json: Json = answer
                .json()
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            if let Some(headers) = json.get_mut("headers").and_then(Json::as_array_mut) {
                headers.retain(|h| !matches!(h[0].as_str(), Some("x-request-id")));
            }
            (status, json)
        })
        .collect()
}

#[test]
fn key_value_3_from_a_wasi_http_0_3_handler_answers_as_under_spin() {
    support::build_manifest(&manifest());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ours");
    let mut cmd = support::storefront();
    cmd.args(["up", "--no-build", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(manifest())
        .arg("--data-dir")
        .arg(&data);
    let app = support::spawn(cmd, &data).ready();
    let ours = answers(|path| app.url(path));
    app.stop();

    // The walk through every 3.0 function, as the 2.0 probe walks 2.0.
    let (status, steps) = &ours[0];
    assert_eq!(*status, 200);
    assert_eq!(
        steps,
        &json!({
            "open_forbidden": {"error": "access-denied"},
            "open_default": "opened",
            "delete_absent": "ok",
            "exists_absent": false,
            "get_absent": null,
            "keys_empty": [],
            "set": "ok",
            "exists": true,
            "get": "baz",
            "keys_one": ["bar"],
            "overwrite": "ok",
            "get_overwritten": "wow",
            "set_second": "ok",
            "set_binary": "ok",
            "get_binary": [0, 255, 1],
            "set_empty": "ok",
            "get_empty": "",
            "keys_four": ["bar", "bin", "empty", "qux"],
            "exists_deleted": false,
            "get_deleted": null,
            "keys_after": [],
        })
    );
    // A label the component does not list, and a component that lists none.
    assert_eq!(ours[1], (200, json!({"error": "access-denied"})));
    assert_eq!(ours[2], (200, json!({"error": "access-denied"})));
    // One store behind both versions: set through 2.0, read through 3.0, and back.
    assert_eq!(ours[3], (200, json!("set")));
    assert_eq!(ours[4], (200, json!("still here")));
    assert_eq!(ours[5], (200, json!("set")));
    assert_eq!(ours[6], (200, json!({"text": "from 3.0"})));
    // The request as a 0.3 handler sees it: Spin's headers, the client's own ones.
    let (status, seen) = &ours[7];
    assert_eq!(*status, 200);
    assert_eq!(seen["method"], "GET");
    assert_eq!(seen["scheme"], "http");
    assert_eq!(seen["authority"], "shop.example:8080");
    assert_eq!(seen["path_with_query"], "/kv3/a/request?x=1&y=%20");
    let headers = seen["headers"].as_array().unwrap();
    for (name, value) in [
        (
            "spin-full-url",
            "http://shop.example:8080/kv3/a/request?x=1&y=%20",
        ),
        ("spin-path-info", "/a/request"),
        ("spin-component-route", "/kv3"),
        ("spin-matched-route", "/kv3/..."),
        ("host", "shop.example:8080"),
        ("x-probe", "yes"),
    ] {
        assert!(
            headers.contains(&json!([name, value])),
            "{name}: {value} in {headers:?}"
        );
    }
    // A request body read to its end through the stream.
    let (status, seen) = &ours[8];
    assert_eq!(*status, 200);
    assert_eq!(seen["body_len"], 320_000);
    assert_eq!(seen["body_start"], "0123456789abcdef");
    assert_eq!(seen["body_end"], "ok");
    // The handler's own status.
    assert_eq!(ours[9].0, 404);
    // A spin-sdk 6 service counts its visits in the same store.
    assert_eq!(
        ours[10],
        (
            200,
            json!({"method": "POST", "path": "/sdk6/count", "body_len": 3, "visits": 1, "keys": ["kept", "visits"]})
        )
    );
    assert_eq!(ours[11].1["visits"], 2);

    let Some(bin) = spin_bin("conformance_key_value3") else {
        println!(
            "conformance_key_value3: SPIN_BIN is not set; the comparison with real Spin was skipped"
        );
        return;
    };
    let theirs_dir = dir.path().join("spin");
    std::fs::create_dir_all(&theirs_dir).unwrap();
    let mut spin = RealSpin::start(&bin, &manifest(), &theirs_dir, &[]);
    let theirs = answers(|path| spin.url(path));
    spin.stop();
    for ((step, ours), theirs) in walk().iter().zip(&ours).zip(&theirs) {
        assert_eq!(ours, theirs, "{} {}", step.0, step.1);
    }
}
