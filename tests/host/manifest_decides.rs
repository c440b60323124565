//! The manifest decides which component is which, never a component's id: the same app
//! with every component renamed runs under `storefront up` (timers included), and splits
//! into `storefront writer` (the component with `sqlite_databases` and the private
//! components that chain to it) and `storefront pages` (the rest). A manifest without a
//! database component gives `storefront writer` nothing to own: one readable line.

use crate::support;

use crate::support::TestApp;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The project's manifest with every component renamed, sources made absolute, written
/// into `dir`.
fn renamed_manifest(dir: &Path, keep_database: bool) -> PathBuf {
    let root = support::repo_root();
    let mut text = std::fs::read_to_string(support::manifest())
        .unwrap()
        .replace("component.writer", "component.ledger")
        .replace("component = \"writer\"", "component = \"ledger\"")
        .replace("writer.spin.internal", "ledger.spin.internal")
        .replace("component.pages", "component.shop")
        .replace("component = \"pages\"", "component = \"shop\"")
        .replace("payment-courier", "money-runner")
        .replace("outbox-dispatcher", "mailer")
        .replace(
            "source = \"target/",
            &format!("source = \"{}/target/", root.display()),
        );
    if !keep_database {
        text = text.replace("sqlite_databases = [\"default\"]", "");
    }
    for id in [
        "\"writer\"",
        "\"pages\"",
        "payment-courier",
        "outbox-dispatcher",
    ] {
        assert!(!text.contains(id), "{id} is still named");
    }
    let path = dir.join("spin.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Shops through `app`: the catalog page lists the demo products and an order is placed.
fn shop(app: &TestApp, key: &str) -> String {
    let home = support::client().get(app.url("/")).send().unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().unwrap().contains("French Press"));
    let r = app.post_order(Some(key), &support::order_body("french-press", 1));
    assert_eq!(r.status(), 201);
    r.json::<Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `storefront writer` with the renamed `manifest` on `data` (created here).
fn renamed_writer(manifest: &Path, data: &Path) -> std::process::Command {
    std::fs::create_dir_all(data).unwrap();
    support::shop_writer(manifest, data, "a-cookie-secret-for-the-helpers-0001")
}

#[test]
fn renamed_components_run_all_in_one_with_their_timers() {
    support::build_components();
    let tmp = tempfile::tempdir().unwrap();
    let manifest = renamed_manifest(tmp.path(), true);
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut cmd = support::storefront();
    cmd.args(["up", "--no-build", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(&manifest)
        .arg("--data-dir")
        .arg(&data);
    let mut app = support::spawn(cmd, &data).ready();
    let number = shop(&app, "renamed-up-1");
    assert_eq!(app.order(&number)["state"], "pending_payment");
    // The dispatcher (found by its role, not its id) delivers the order's email on its
    // 2 s timer; give it a few rounds.
    std::thread::sleep(std::time::Duration::from_secs(5));
    support::send_signal(app.child.id(), "TERM");
    assert!(app.wait_for_exit().success());
    let stderr = app.stderr().join("\n");
    assert!(!stderr.contains("is not running"), "{stderr}");
    let conn = support::open_db(&data);
    let delivered = support::scalar(
        &conn,
        "SELECT count(*) FROM outbox WHERE event = 'order.placed' AND state = 'delivered'",
    );
    assert_eq!(delivered, 1, "the renamed dispatcher ran: {stderr}");
}

#[test]
fn renamed_components_split_into_writer_and_pages() {
    support::build_components();
    let tmp = tempfile::tempdir().unwrap();
    let manifest = renamed_manifest(tmp.path(), true);
    let data = tmp.path().join("data");
    let cmd = renamed_writer(&manifest, &data);
    let writer = support::spawn(cmd, &data).ready();
    // The writer answers on every path behind its token: it is the database component.
    let health = support::client()
        .get(writer.url("/health"))
        .bearer_auth(support::TOKEN)
        .send()
        .unwrap();
    assert_eq!(health.status(), 200);
    let lines = writer.stderr().join("\n");
    assert!(!lines.contains("is not running"), "{lines}");

    let mut cmd = support::storefront();
    cmd.env("SPIN_VARIABLE_WRITER_TOKEN", support::TOKEN)
        .env("SPIN_VARIABLE_SHOP_URL", support::SHOP_URL)
        .env("SPIN_VARIABLE_WRITER_URL", &writer.base_url)
        .env(
            "SPIN_VARIABLE_COOKIE_SECRET",
            "a-cookie-secret-for-the-pages-00001",
        )
        .args(["pages", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(&manifest);
    let pages = support::spawn(cmd, tmp.path()).ready();
    shop(&pages, "renamed-split-1");
    drop(pages);
    drop(writer);
}

#[test]
fn a_manifest_without_a_database_gives_the_writer_nothing_to_own() {
    support::build_components();
    let tmp = tempfile::tempdir().unwrap();
    let manifest = renamed_manifest(tmp.path(), false);
    let data = tmp.path().join("data");
    let cmd = renamed_writer(&manifest, &data);
    let (status, stderr) = support::spawn(cmd, &data).refused("no component has a database");
    assert!(!status.success());
    let text = stderr.join("\n");
    assert!(
        text.contains("has no component with sqlite_databases"),
        "{text}"
    );
    assert!(
        !data.join("sqlite_db.db").exists(),
        "nothing was created in the data dir"
    );
}
