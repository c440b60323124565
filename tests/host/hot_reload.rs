//! `storefront up --watch`: a component whose watched source changes is rebuilt and
//! swapped in while the process keeps serving and keeps the data dir; a build that fails
//! leaves the old code serving; a changed manifest restarts the app from it in the same
//! process and on the same address, and one that does not load is not used. The component is the conformance probe, built with the
//! `PROBE_VERSION` its watched file holds.

use crate::support;

use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn manifest(dir: &Path) -> String {
    let root = support::repo_root();
    let (dir, root) = (dir.display(), root.display());
    format!(
        r#"spin_manifest_version = 2

[application]
name = "watch-probe"

[variables]
greeting = {{ default = "hello" }}

[[trigger.http]]
route = "/probe/..."
component = "probe"

[component.probe]
source = "{dir}/probe.wasm"
sqlite_databases = ["default"]

[component.probe.variables]
defaulted = "{{{{ greeting }}}}"

[component.probe.build]
command = "grep -qv broken {dir}/version.txt && PROBE_VERSION=$(cat {dir}/version.txt) cargo build --target wasm32-wasip2 --release -p conformance-probe --target-dir target/wasm && cp target/wasm/wasm32-wasip2/release/conformance_probe.wasm {dir}/probe.wasm"
workdir = "{root}"
watch = ["{dir}/version.txt"]
"#
    )
}

fn version(base: &str) -> String {
    let r = support::client()
        .get(format!("{base}/probe/version"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "the app answers throughout");
    r.json::<Value>().unwrap()["version"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Polls until the probe reports `wanted`, or panics after `within`.
fn until_version(base: &str, wanted: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if version(base) == wanted {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still not {wanted} after {within:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_changed_source_is_swapped_in_and_a_changed_manifest_restarts_the_app() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("version.txt"), "one").unwrap();
    let path = tmp.path().join("spin.toml");
    std::fs::write(&path, manifest(tmp.path())).unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut cmd = support::storefront();
    cmd.args(["up", "--watch", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(&path)
        .arg("--data-dir")
        .arg(&data);
    let app = support::spawn(cmd, &data).ready();
    let pid = app.child.id();
    assert_eq!(version(&app.base_url), "one");

    std::fs::write(tmp.path().join("version.txt"), "two").unwrap();
    until_version(&app.base_url, "two", Duration::from_secs(240));
    assert!(
        app.stderr().iter().any(|l| l.contains("reloaded probe")),
        "{:?}",
        app.stderr()
    );

    // A build that fails: the old code keeps serving.
    std::fs::write(tmp.path().join("version.txt"), "broken").unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !app
        .stderr()
        .iter()
        .any(|l| l.contains("probe was not reloaded"))
    {
        assert!(Instant::now() < deadline, "{:?}", app.stderr());
        assert_eq!(version(&app.base_url), "two");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(version(&app.base_url), "two");

    // The manifest changed (a variable's default, a second route): the app starts again
    // from it, in the same process and on the same address, as `spin watch` restarts.
    std::fs::write(tmp.path().join("version.txt"), "three").unwrap();
    until_version(&app.base_url, "three", Duration::from_secs(240));
    let changed = manifest(tmp.path())
        .replace(
            r#"greeting = { default = "hello" }"#,
            r#"greeting = { default = "howdy" }"#,
        )
        .replace(
            "[component.probe]",
            "[[trigger.http]]\nroute = \"/other/...\"\ncomponent = \"probe\"\n\n[component.probe]",
        );
    assert!(changed.contains("howdy") && changed.contains("/other/..."));
    std::fs::write(&path, changed).unwrap();
    let restarted = support::eventually(Duration::from_secs(240), || {
        support::client()
            .get(format!("{}/other/variables", app.base_url))
            .send()
            .ok()
            .filter(|r| r.status() == 200)
            .and_then(|r| r.json::<Value>().ok())
            .is_some_and(|v| v["defaulted"]["value"] == "howdy")
    });
    assert!(restarted, "{:?}", app.stderr());
    assert!(
        app.stderr()
            .iter()
            .any(|l| l.contains("the manifest changed: restarting")),
        "{:?}",
        app.stderr()
    );
    assert_eq!(version(&app.base_url), "three");

    // A manifest that does not load is not used: the running app keeps serving.
    std::fs::write(&path, "spin_manifest_version = [").unwrap();
    let refused = support::eventually(Duration::from_secs(60), || {
        app.stderr()
            .iter()
            .any(|l| l.contains("the changed manifest is not used"))
    });
    assert!(refused, "{:?}", app.stderr());
    assert_eq!(version(&app.base_url), "three");
    assert_eq!(app.child.id(), pid, "one process all along");
}
