//! Clients that misuse the shop on purpose, and the operator settings a misconfiguration
//! could slip past: routes that are not there, large provider events, production guards
//! against test payments in any spelling, and one client trying to hoard the stock.

use crate::support;

use crate::support::TestApp;
use crate::support::fake_stripe::{self, FakeStripe, WEBHOOK_SECRET};
use serde_json::{Value, json};
use std::path::Path;

#[test]
fn what_cannot_be_an_order_number_is_a_404_that_never_reaches_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let c = support::client();
    for (method, path) in [
        ("GET", "/orders/quote"),
        ("POST", "/orders/quote"),
        ("GET", "/api/orders/quote"),
        ("POST", "/api/orders/quote"),
        ("GET", "/orders/quote/pay"),
        ("POST", "/api/orders/quote/payment"),
        ("POST", "/admin/orders/quote/cancel"),
        ("GET", "/api/orders/SF-0000-0000-000U"),
    ] {
        let r = c
            .request(method.parse().unwrap(), app.url(path))
            .bearer_auth(support::ADMIN_TOKEN)
            .send()
            .unwrap();
        assert_eq!(r.status(), 404, "{method} {path}");
        let body = r.text().unwrap();
        assert!(
            !body.contains("accepts POST"),
            "a writer route leaked: {body}"
        );
    }
    let log = app.stderr().join("\n");
    assert!(!log.contains("writer GET /orders/quote"), "{log}");
}

fn start_stripe(dir: &Path, fake: &FakeStripe) -> TestApp {
    let mut cmd = support::up_command(dir);
    fake.configure(&mut cmd);
    support::spawn(cmd, dir).ready()
}

#[test]
fn a_large_signed_provider_event_is_recorded_not_refused() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start_stripe(dir.path(), &fake);
    let r = app.post_order(Some("big-1"), &support::order_body("french-press", 1));
    let number = r.json::<Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string();
    let paid: Value = support::as_shopper(
        support::client().post(app.url(&format!("/api/orders/{number}/payment"))),
        &number,
    )
    .send()
    .unwrap()
    .json()
    .unwrap();
    let mut event = fake.succeed(paid["intent_id"].as_str().unwrap());
    // 70 KB of metadata, with quotes that double when the pages forward the event.
    event["data"]["object"]["metadata"]["notes"] = json!("\"x\" ".repeat(17_500));
    let payload = serde_json::to_string(&event).unwrap();
    assert!(payload.len() > 70_000);
    let r = fake_stripe::deliver_raw(
        &app.base_url,
        &payload,
        &fake_stripe::signature(WEBHOOK_SECRET, fake_stripe::now(), &payload),
    );
    assert_eq!(r.status(), 200, "{}", r.text().unwrap());
    let order = app.order(&number);
    assert_eq!(order["state"], "paid");

    // Over the cap is still a clear 413, and nothing is recorded.
    let mut huge = fake.event("ping", json!({"blob": "y".repeat(600 * 1024)}));
    huge["id"] = json!("evt_too_large");
    let payload = serde_json::to_string(&huge).unwrap();
    let r = fake_stripe::deliver_raw(
        &app.base_url,
        &payload,
        &fake_stripe::signature(WEBHOOK_SECRET, fake_stripe::now(), &payload),
    );
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<Value>().unwrap()["error"]["code"],
        "body_too_large"
    );
    drop(app);
    let db = support::open_db(dir.path());
    let stored = support::scalar(
        &db,
        "SELECT count(*) FROM payment_events WHERE length(payload) > 70000",
    );
    assert_eq!(stored, 1);
    let refused = support::scalar(
        &db,
        "SELECT count(*) FROM payment_events WHERE event_id = 'evt_too_large'",
    );
    assert_eq!(refused, 0);
}

#[test]
fn production_processes_refuse_test_payments_in_every_spelling() {
    let dir = tempfile::tempdir().unwrap();
    for spelling in ["test", "Test", " test", "TEST ", "\ttest"] {
        let mut pages = support::pages_command("http://127.0.0.1:9");
        pages.env("SPIN_VARIABLE_PAYMENT_MODE", spelling);
        let (_, stderr) = support::spawn(pages, dir.path())
            .refused(&format!("pages must refuse test mode spelled {spelling:?}"));
        assert!(
            stderr.join("\n").contains("test-mode payments"),
            "{spelling:?}: {stderr:?}"
        );
    }
    // A value the pages would refuse on every request is refused at start.
    let mut pages = support::pages_command("http://127.0.0.1:9");
    pages.env("SPIN_VARIABLE_PAYMENT_MODE", "live");
    let (_, stderr) =
        support::spawn(pages, dir.path()).refused("pages must refuse payment_mode=live");
    assert!(stderr.join("\n").contains("payment_mode"), "{stderr:?}");
    let mut writer = support::writer_command(dir.path(), &[]);
    writer.env("SPIN_VARIABLE_PAYMENT_MODE", " Test");
    let (_, stderr) =
        support::spawn(writer, dir.path()).refused("the writer must refuse payment_mode= Test");
    assert!(
        stderr.join("\n").contains("test-mode payments"),
        "{stderr:?}"
    );
}

/// The app with the manifest's default per-client limits (the harness raises them for
/// every other test).
fn start_with_default_limits(dir: &Path, extra: &[&str]) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env_remove("SPIN_VARIABLE_MAX_UNPAID_ORDERS_PER_CLIENT")
        .args(extra);
    support::spawn(cmd, dir).ready()
}

#[test]
fn one_client_cannot_make_the_catalog_look_sold_out() {
    let dir = tempfile::tempdir().unwrap();
    let app = start_with_default_limits(dir.path(), &[]);
    let before = app.stock();
    let slugs: Vec<&String> = before.keys().collect();

    // Three unpaid orders, then no more.
    for (i, slug) in slugs.iter().take(3).enumerate() {
        let r = app.post_order(
            Some(&format!("hoard-{}", i + 1)),
            &support::order_body(slug, 1),
        );
        assert_eq!(r.status(), 201);
    }
    let r = app.post_order(Some("hoard-4"), &support::order_body(slugs[3], 1));
    assert_eq!(r.status(), 429);
    // A replay of an accepted order is still its answer, not a refusal.
    let r = app.post_order(Some("hoard-1"), &support::order_body(slugs[0], 1));
    assert_eq!(r.status(), 201);

    // The HTML checkout says so too, and keeps the cart.
    let browser = support::client();
    let page = browser.get(app.url("/")).send().unwrap().text().unwrap();
    let csrf = support::hidden_field(&page, "csrf");
    browser
        .post(app.url("/cart/add"))
        .form(&[
            ("slug", slugs[4].as_str()),
            ("quantity", "1"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .unwrap();
    let checkout = browser
        .get(app.url("/checkout"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let form = support::checkout_form(&checkout);
    let r = browser
        .post(app.url("/checkout"))
        .form(&form)
        .send()
        .unwrap();
    let r = support::checkout_outcome(&browser, &app, r);
    assert_eq!(r.status(), 429);
    assert!(
        r.text()
            .unwrap()
            .contains("You already have 3 unpaid orders")
    );

    // Everything else is still for sale: the client holds 3 units, not the catalog.
    let after = app.stock();
    let held: i64 = before.iter().map(|(s, n)| n - after[s]).sum();
    assert_eq!(held, 3);
    assert!(after.values().filter(|n| **n > 0).count() >= before.len() - 3);

    // Another client (behind the same proxy, told apart by the header the operator
    // names) is not affected. Without that setting the header is ignored.
    let r = support::client()
        .post(app.url("/api/orders"))
        .header("idempotency-key", "other-1")
        .header("x-forwarded-for", "203.0.113.9")
        .json(&support::order_body(slugs[5], 1))
        .send()
        .unwrap();
    assert_eq!(
        r.status(),
        429,
        "x-forwarded-for is not trusted unless configured"
    );
    drop(app);
    let mut cmd = support::up_command(dir.path());
    cmd.env_remove("SPIN_VARIABLE_MAX_UNPAID_ORDERS_PER_CLIENT")
        .env("SPIN_VARIABLE_CLIENT_IP_HEADER", "X-Forwarded-For");
    let app = support::spawn(cmd, dir.path()).ready();
    let r = support::client()
        .post(app.url("/api/orders"))
        .header("idempotency-key", "other-2")
        .header("x-forwarded-for", "203.0.113.9")
        .json(&support::order_body(slugs[5], 1))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    drop(app);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn orders_that_never_reach_the_payment_step_expire_sooner() {
    let dir = tempfile::tempdir().unwrap();
    let app = start_with_default_limits(
        dir.path(),
        &["--reservation-ttl", "3600", "--checkout-ttl", "1"],
    );
    let before = app.stock()["french-press"];
    let place = |key: &str| -> String {
        let r = app.post_order(Some(key), &support::order_body("french-press", 1));
        assert_eq!(r.status(), 201);
        r.json::<Value>().unwrap()["number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let abandoned = place("abandon-1");
    let paying = place("paying-1");
    let r = support::as_shopper(
        support::client().post(app.url(&format!("/api/orders/{paying}/payment"))),
        &paying,
    )
    .send()
    .unwrap();
    assert_eq!(r.status(), 200);
    let state = |n: &str| app.order(n)["state"].as_str().unwrap().to_string();
    assert!(support::eventually(
        std::time::Duration::from_secs(20),
        || { state(&abandoned) == "cancelled" }
    ));
    // The freed slot is the client's again.
    assert_eq!(state(&paying), "pending_payment");
    assert_eq!(app.stock()["french-press"], before - 1);
}
