//! Spin's semantics for what the host implements, checked with a Spin app of our own
//! (`tests/conformance/spin.toml`: the probe component in `tests/conformance/probe`, once
//! with the default SQLite database, once without, and once with the default key-value
//! store), modelled on the behaviours of Spin's public conformance suite (`sqlite`,
//! `sqlite-no-permission`, `key-value`, `key-value-no-permission`, `variables`,
//! `request-shape`). The app runs under `storefront up` like any Spin app; the answers are
//! checked against what Spin documents, and, when `SPIN_BIN` names a Spin binary, the
//! same requests are sent to the same app under real `spin up` and the answers compared
//! (addresses aside). Without `SPIN_BIN` the comparison says it was skipped.

use crate::support;

use crate::support::real_spin::{RealSpin, spin_bin};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub(super) const REQUIRED_ONE: &str = "from-the-environment";

pub(super) fn probe_manifest() -> PathBuf {
    support::repo_root().join("tests/conformance/spin.toml")
}

/// Builds the probe with its manifest's build command, once per test binary.
pub(crate) fn build_probe() {
    support::build_manifest(&probe_manifest());
}

pub(super) fn start_storefront(data: &Path) -> support::TestApp {
    support::spawn(probe_up(data, &[]), data).ready()
}

/// `storefront up` of the probe app with `flags`, not started yet.
pub(super) fn probe_up(data: &Path, flags: &[&str]) -> Command {
    build_probe();
    let mut cmd = support::storefront();
    cmd.env("SPIN_VARIABLE_REQUIRED_ONE", REQUIRED_ONE)
        .args(["up", "--no-build", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(probe_manifest())
        .arg("--data-dir")
        .arg(data)
        .args(flags);
    cmd
}

/// The requests both hosts answer, by name.
const REQUESTS: [(&str, &str); 8] = [
    ("wildcard", "/probe/a/b?x=1&y=two%20words"),
    ("wildcard root", "/probe"),
    ("exact", "/exact?q"),
    ("variables", "/probe/variables"),
    ("sqlite", "/probe/sqlite"),
    ("sqlite without permission", "/nodb/sqlite"),
    ("key-value", "/kv/key-value"),
    ("key-value without permission", "/nodb/key-value"),
];

fn answers(base: &str) -> Vec<(&'static str, Value)> {
    REQUESTS
        .iter()
        .map(|(name, path)| {
            (
                *name,
                normalised(
                    support::ok_json(support::client().get(format!("{base}{path}"))),
                    base,
                ),
            )
        })
        .collect()
}

/// An answer with the host's address taken out (the ports differ) and the client's port
/// dropped.
pub(super) fn normalised(mut v: Value, base: &str) -> Value {
    let text = v.to_string().replace(base, "http://HOST");
    v = serde_json::from_str(&text).unwrap();
    if let Some(addr) = v["spin_headers"]["spin-client-addr"].as_str() {
        let ip = addr.rsplit_once(':').map_or(addr, |(ip, _)| ip).to_string();
        v["spin_headers"]["spin-client-addr"] = json!(ip);
    }
    v
}

#[test]
fn the_probe_sees_what_spin_gives_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let app = start_storefront(dir.path());
    let all: std::collections::BTreeMap<_, _> = answers(&app.base_url).into_iter().collect();

    // Request shape: the full URL, the matched route, the path below it, the query.
    let w = &all["wildcard"];
    assert_eq!(w["method"], "Method::Get");
    assert_eq!(w["path"], "/probe/a/b");
    assert_eq!(w["query"], "x=1&y=two%20words");
    let h = &w["spin_headers"];
    assert_eq!(
        h["spin-full-url"],
        "http://HOST/probe/a/b?x=1&y=two%20words"
    );
    assert_eq!(h["spin-path-info"], "/a/b");
    assert_eq!(h["spin-matched-route"], "/probe/...");
    assert_eq!(h["spin-raw-component-route"], "/probe/...");
    assert_eq!(h["spin-component-route"], "/probe");
    assert_eq!(h["spin-base-path"], "/");
    assert_eq!(h["spin-client-addr"], "127.0.0.1");
    assert_eq!(all["wildcard root"]["spin_headers"]["spin-path-info"], "");
    let e = &all["exact"]["spin_headers"];
    assert_eq!(e["spin-matched-route"], "/exact");
    assert_eq!(e["spin-path-info"], "");
    assert_eq!(all["exact"]["query"], "q");

    // Variables: a default, one from SPIN_VARIABLE_*, a secret, a template over two, a
    // literal; undeclared and badly named ones are errors.
    let v = &all["variables"];
    assert_eq!(v["defaulted"], json!({"value": "hello"}));
    assert_eq!(v["required_one"], json!({"value": REQUIRED_ONE}));
    assert_eq!(v["secret_one"], json!({"value": "s3cr3t"}));
    assert_eq!(
        v["templated"],
        json!({"value": format!("hello, {REQUIRED_ONE}!")})
    );
    assert_eq!(v["literal"], json!({"value": "plain text"}));
    assert_eq!(v["undeclared"], json!({"error": "undefined"}));
    assert_eq!(v["Bad-Name"], json!({"error": "invalid-name"}));

    // SQLite: every value type round-trips; an undeclared database and bad SQL are the
    // documented errors; a component without `sqlite_databases` is denied.
    let s = &all["sqlite"];
    assert_eq!(s["open_default"], "opened");
    assert_eq!(s["open_unknown"], "access-denied");
    assert_eq!(s["columns"], json!(["i", "r", "t", "b", "n", "two"]));
    assert_eq!(
        s["rows"],
        json!([[
            {"integer": -9_007_199_254_740_993_i64},
            {"real": 2.5},
            {"text": "grüße, 'quoted'"},
            {"blob": [0, 255, 1]},
            "null",
            {"integer": 2}
        ]])
    );
    assert_eq!(s["bad_sql"], "io");
    assert_eq!(
        all["sqlite without permission"],
        json!({"open_default": "access-denied", "open_unknown": "access-denied"})
    );

    // Key-value (`fermyon:spin/key-value@2.0.0`): get/set/delete/exists/get-keys on the
    // default store; a label the component does not list is `access-denied`, and so is
    // `default` for a component without `key_value_stores` (it links all the same).
    assert_eq!(
        all["key-value"],
        json!({
            "open_forbidden": {"error": "access-denied"},
            "open_default": "opened",
            "delete_absent": "ok",
            "exists_absent": false,
            "get_absent": null,
            "keys_empty": [],
            "set": "ok",
            "exists": true,
            "get": {"text": "baz"},
            "keys_one": ["bar"],
            "overwrite": "ok",
            "get_overwritten": {"text": "wow"},
            "set_second": "ok",
            "set_binary": "ok",
            "get_binary": {"bytes": [0, 255, 1]},
            "set_empty": "ok",
            "get_empty": {"text": ""},
            "keys_four": ["bar", "bin", "empty", "qux"],
            "exists_deleted": false,
            "get_deleted": null,
            "keys_after": [],
        })
    );
    assert_eq!(
        all["key-value without permission"],
        json!({"open_default": "access-denied", "open_forbidden": {"error": "access-denied"}})
    );
}

#[test]
fn a_required_variable_without_a_value_stops_the_start() {
    build_probe();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::storefront();
    cmd.env_remove("SPIN_VARIABLE_REQUIRED_ONE")
        .args(["up", "--no-build", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(probe_manifest())
        .arg("--data-dir")
        .arg(dir.path());
    let (status, stderr) =
        support::spawn(cmd, dir.path()).refused("a required variable has no value");
    assert!(!status.success());
    let text = stderr.join("\n");
    assert!(text.contains("required_one"), "{text}");
    // Real Spin refuses it too.
    if let Some(bin) = spin_bin("conformance") {
        let out = Command::new(bin)
            .arg("up")
            .arg("--from")
            .arg(probe_manifest())
            .args(["--listen", &format!("127.0.0.1:{}", support::free_port())])
            .arg("--state-dir")
            .arg(dir.path())
            .env_remove("SPIN_VARIABLE_REQUIRED_ONE")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "spin up started without it");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("required_one"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Both hosts serving the probe app, ours and real Spin, with their state under `dir`, or
/// `None` (said on stdout, naming `test`) when `SPIN_BIN` is not set.
pub(super) fn both_hosts(test: &str, dir: &Path) -> Option<(support::TestApp, RealSpin)> {
    let Some(bin) = spin_bin(test) else {
        println!("{test}: SPIN_BIN is not set; the comparison with real Spin was skipped");
        return None;
    };
    let ours = start_storefront(&dir.join("ours"));
    let theirs_dir = dir.join("spin");
    std::fs::create_dir_all(&theirs_dir).unwrap();
    let spin = RealSpin::start(
        &bin,
        &probe_manifest(),
        &theirs_dir,
        &[("required_one", REQUIRED_ONE)],
    );
    Some((ours, spin))
}

/// The two hosts' answers, request by request, must be the same.
pub(super) fn assert_same(mine: &[(&str, Value)], spins: &[(&str, Value)]) {
    assert_eq!(mine.len(), spins.len());
    for ((name, a), (_, b)) in mine.iter().zip(spins) {
        assert_eq!(
            a, b,
            "{name}: storefront up (left) and spin up (right) differ"
        );
    }
}

#[test]
fn real_spin_gives_the_probe_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let Some((ours, spin)) = both_hosts("conformance", dir.path()) else {
        return;
    };
    let mine = answers(&ours.base_url);
    let spins = answers(&spin.base_url);
    println!(
        "conformance: spin up answered {} requests, e.g. {}",
        spins.len(),
        spins[0].1
    );
    assert_same(&mine, &spins);
}
