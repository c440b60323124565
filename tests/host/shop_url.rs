//! The shop's public origin (`shop_url`), from which every emailed link is built:
//! `up` takes the address it really listens on unless told otherwise, and the production
//! processes (`writer`, `pages`) refuse to start without being told.

use crate::support;

use serde_json::Value;
use std::time::Duration;

#[test]
fn up_links_its_emails_to_the_address_it_listens_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::up_command(dir.path());
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", support::ADMIN_TOKEN)
        .args(["--dispatch-every", "1"]);
    let app = support::spawn(cmd, dir.path()).ready();
    let number = app.place_order("shop-url-up-1");
    let mails = || -> Vec<Value> {
        app.admin().json("/admin/mail")["mails"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert!(
        support::eventually(Duration::from_secs(60), || !mails().is_empty()),
        "no mail for {number}"
    );
    let text = mails()[0]["text"].as_str().unwrap().to_string();
    // An ephemeral port: the manifest's default (port 3000) cannot be it by chance.
    let link = format!("{}/orders/{number}", app.base_url);
    assert!(text.contains(&link), "{link} not in {text}");
    assert!(!text.contains(":3000/"), "{text}");
    app.stop();
}

#[test]
fn production_processes_refuse_to_start_without_the_shops_origin() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = support::writer_command(dir.path(), &[]);
    writer.env_remove("SPIN_VARIABLE_SHOP_URL");
    let (status, stderr) = support::spawn(writer, dir.path()).refused("shop_url is not set");
    assert!(!status.success());
    assert!(
        stderr.join("\n").contains("SPIN_VARIABLE_SHOP_URL"),
        "{stderr:?}"
    );
    // Nothing was created: the refusal comes before the data dir is touched.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let mut pages = support::pages_command("http://127.0.0.1:9");
    pages.env("SPIN_VARIABLE_SHOP_URL", "shop.example/orders");
    let (status, stderr) = support::spawn(pages, dir.path()).refused("shop_url is no origin");
    assert!(!status.success());
    assert!(stderr.join("\n").contains("public origin"), "{stderr:?}");
}
