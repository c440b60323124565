//! Spin's key-value store beside the shop: a component of the storefront app that lists
//! `key_value_stores = ["default"]` (the conformance probe, added to the project's
//! manifest) keeps a value in `sqlite_key_value.db` in the data dir, never in the shop's
//! database, and `storefront backup` (offline and through the running writer) and
//! `restore` carry it: set, back up, restore into a fresh data dir, and the value is there. (What the interface answers, compared with real
//! Spin, is `conformance.rs`.)

use crate::support;

use serde_json::json;
use std::path::{Path, PathBuf};

/// The project's manifest, sources made absolute, plus the probe as `probe-kv` on `/kv/...`
/// with the default store, written into `dir`.
fn shop_with_a_store(dir: &Path) -> PathBuf {
    let root = support::repo_root();
    let text = std::fs::read_to_string(support::manifest())
        .unwrap()
        .replace(
            "source = \"target/",
            &format!("source = \"{}/target/", root.display()),
        );
    let text = format!(
        "{text}\n[[trigger.http]]\nroute = \"/kv/...\"\ncomponent = \"probe-kv\"\n\n\
         [component.probe-kv]\nsource = \"{}/target/wasm/wasm32-wasip2/release/conformance_probe.wasm\"\n\
         key_value_stores = [\"default\"]\n",
        root.display()
    );
    let path = dir.join("spin.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn up(manifest: &Path, data: &Path) -> support::TestApp {
    let mut cmd = support::storefront();
    cmd.args(["up", "--no-build", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(manifest)
        .arg("--data-dir")
        .arg(data);
    support::spawn(cmd, data).ready()
}

fn run(args: &[&std::ffi::OsStr]) -> (String, String) {
    let out = support::storefront().args(args).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?}: {stdout}{stderr}");
    (stdout, stderr)
}

#[test]
fn a_value_set_survives_backup_and_restore() {
    support::build_components();
    crate::conformance::build_probe();
    let tmp = tempfile::tempdir().unwrap();
    let manifest = shop_with_a_store(tmp.path());
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();

    let app = up(&manifest, &data);
    let set = support::ok_json(support::client().get(app.url("/kv/key-value/keep")));
    assert_eq!(set, json!("set"));
    assert!(app.stop().success());
    assert!(data.join("sqlite_key_value.db").exists());

    // Offline: the writer in the backup command's process takes the snapshot; the store
    // rides in the same verified file.
    let snapshot = tmp.path().join("backup.db");
    let (stdout, _) = run(&[
        "backup".as_ref(),
        "--manifest".as_ref(),
        manifest.as_os_str(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--to".as_ref(),
        snapshot.as_os_str(),
    ]);
    assert!(
        stdout.contains("integrity ok") && stdout.contains("1 key-value entries"),
        "{stdout}"
    );

    // Online: the running writer takes it; the same store rides along.
    let cmd = support::shop_writer(&manifest, &data, "a-cookie-secret-for-the-kv-test-0001");
    let writer = support::spawn(cmd, &data).ready();
    let online = tmp.path().join("online.db");
    let out = support::storefront()
        .env("SPIN_VARIABLE_WRITER_TOKEN", support::TOKEN)
        .args(["backup", "--writer-url", &writer.base_url, "--to"])
        .arg(&online)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 key-value entries"), "{stdout}");
    assert!(writer.stop().success());

    let fresh = tmp.path().join("fresh");
    let (stdout, _) = run(&[
        "restore".as_ref(),
        "--from".as_ref(),
        snapshot.as_os_str(),
        "--data-dir".as_ref(),
        fresh.as_os_str(),
    ]);
    assert!(stdout.contains("restored 1 key-value entries"), "{stdout}");
    // The shop's database stays one file of its own.
    let shop = support::open_db(&fresh);
    let tables = support::scalar(
        &shop,
        "SELECT count(*) FROM sqlite_master WHERE name = 'spin_key_value'",
    );
    assert_eq!(tables, 0);
    drop(shop);

    let app = up(&manifest, &fresh);
    let kept = support::ok_json(support::client().get(app.url("/kv/key-value/kept")));
    assert_eq!(kept, json!({"text": "still here"}));
    assert!(app.stop().success());
}

/// A manifest with one component, the probe, listing `stores` and routed at `/...`.
fn probe_app(dir: &Path, stores: &str) -> PathBuf {
    let text = format!(
        "spin_manifest_version = 2\n[application]\nname = \"kv-probe\"\n\
         [[trigger.http]]\nroute = \"/...\"\ncomponent = \"counter\"\n\
         [component.counter]\nsource = \"{}/target/wasm/wasm32-wasip2/release/conformance_probe.wasm\"\n\
         key_value_stores = [{stores}]\n",
        support::repo_root().display()
    );
    let path = dir.join("spin.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_store_label_nothing_provides_stops_the_start_as_under_spin() {
    crate::conformance::build_probe();
    let tmp = tempfile::tempdir().unwrap();
    let manifest = probe_app(tmp.path(), "\"default\", \"other\"");
    let mut cmd = support::storefront();
    cmd.args(["up", "--no-build", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(&manifest)
        .arg("--data-dir")
        .arg(tmp.path().join("data"));
    let (status, stderr) = support::spawn(cmd, tmp.path()).refused("the label is unknown");
    assert!(!status.success());
    let said = "unknown key_value_stores label \"other\" for component \"counter\"";
    assert!(stderr.join("\n").contains(said), "{stderr:?}");
    if let Some(bin) = crate::support::real_spin::spin_bin("key_value") {
        let out = std::process::Command::new(bin)
            .arg("up")
            .arg("--from")
            .arg(&manifest)
            .args(["--listen", &format!("127.0.0.1:{}", support::free_port())])
            .arg("--state-dir")
            .arg(tmp.path().join("spin"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "spin up started");
        assert!(String::from_utf8_lossy(&out.stderr).contains(said));
    }
}

/// A store lives in the owned data dir: `storefront writer` runs the component that lists
/// one (and its `set` is in the file once answered), `storefront pages` has nothing to run.
#[test]
fn a_component_with_a_store_runs_in_the_process_owning_the_data_dir() {
    crate::conformance::build_probe();
    let tmp = tempfile::tempdir().unwrap();
    let manifest = probe_app(tmp.path(), "\"default\"");
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut cmd = support::storefront();
    cmd.args(["writer", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(&manifest)
        .arg("--data-dir")
        .arg(&data);
    let writer = support::spawn(cmd, &data).ready();
    let set = support::ok_json(support::client().get(writer.url("/key-value/keep")));
    assert_eq!(set, json!("set"));
    // Answered means on disk: a process killed right after loses nothing.
    support::send_signal(writer.child.id(), "KILL");
    let mut writer = writer;
    writer.wait_for_exit();
    let kv = rusqlite::Connection::open(data.join("sqlite_key_value.db")).unwrap();
    let kept: Vec<u8> = kv
        .query_row(
            "SELECT value FROM spin_key_value WHERE store = 'default' AND key = 'kept'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, b"still here");

    let out = support::storefront()
        .args(["pages", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has no component without a database"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
