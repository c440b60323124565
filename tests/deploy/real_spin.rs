//! The same `spin.toml` and components under real Spin: `$SPIN_BIN up` serves the shop,
//! takes an idempotent order through service chaining to the writer, pays it with the
//! test-mode provider and keeps the writer's private route private.
//!
//! Runs only when `SPIN_BIN` names an executable Spin (CI sets it to
//! `../shared/tools/spin`); otherwise it says so and passes:
//! `SPIN_BIN=../shared/tools/spin cargo test --release --test deploy real_spin -- --nocapture`.

use crate::support;

use crate::support::real_spin::{RealSpin, spin_bin};
use serde_json::Value;
use std::time::Instant;

const COOKIE_SECRET: &str = "real-spin-cookie-secret-0123456789abcdef";
const WEBHOOK_SECRET: &str = "whsec_real_spin_test_0123456789abcdef";

#[test]
fn the_app_runs_unchanged_under_real_spin() {
    let Some(bin) = spin_bin("real_spin") else {
        println!("real_spin: skipped, SPIN_BIN is not set");
        return;
    };
    let started = Instant::now();
    support::build_components();
    let built = started.elapsed();
    let repo_spin_dir = support::repo_root().join(".spin");
    let repo_spin_dir_existed = repo_spin_dir.exists();
    let state = tempfile::tempdir().unwrap();
    let mut spin = RealSpin::start(
        &bin,
        &support::manifest(),
        state.path(),
        &[
            ("cookie_secret", COOKIE_SECRET),
            ("writer_token", support::TOKEN),
            ("admin_token", support::ADMIN_TOKEN),
            ("payment_mode", "test"),
            ("accept_test_payments", "true"),
            ("stripe_webhook_secret", WEBHOOK_SECRET),
        ],
    );
    let serving = started.elapsed();
    let client = support::client();

    // The probe SpinKube runs against the pages (`checks` in the SpinApp): the component
    // answers it under Spin as under the project's host.
    let probe = client.get(spin.url("/healthz")).send().unwrap();
    assert_eq!(probe.status(), 200);
    assert_eq!(probe.text().unwrap(), "ok\n");

    // The public JSON catalog and the HTML page listing it: pages → writer by service chaining.
    let api = client.get(spin.url("/api/products")).send().unwrap();
    assert_eq!(api.status(), 200, "{}", spin.output().join("\n"));
    assert!(support::content_type(&api).starts_with("application/json"));
    let api: Value = api.json().unwrap();
    let products = api["products"].as_array().expect("products array").clone();
    assert!(!products.is_empty(), "{api}");
    for p in &products {
        assert!(p["slug"].as_str().is_some_and(|s| !s.is_empty()), "{p}");
        assert!(p["price"]["amount"].as_i64().is_some(), "{p}");
        assert!(p["stock"].as_i64().is_some(), "{p}");
    }
    let home = client.get(spin.url("/")).send().unwrap();
    assert_eq!(home.status(), 200);
    assert!(support::content_type(&home).starts_with("text/html"));
    let html = home.text().unwrap();
    for p in &products {
        let name = support::escape_html(p["name"].as_str().unwrap());
        assert!(html.contains(&name), "the catalog page lacks {name}");
    }

    // An order through the public API, replayed with the same key.
    let slug = products
        .iter()
        .find(|p| p["stock"].as_i64().unwrap() >= 2)
        .expect("a product in stock")["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let stock_before = products
        .iter()
        .find(|p| p["slug"] == slug.as_str())
        .unwrap()["stock"]
        .as_i64()
        .unwrap();
    let body = support::order_body(&slug, 2);
    let place = || {
        client
            .post(spin.url("/api/orders"))
            .header("idempotency-key", "real-spin-order-1")
            .json(&body)
            .send()
            .unwrap()
    };
    let first = place();
    assert_eq!(first.status(), 201, "{}", spin.output().join("\n"));
    let first: Value = first.json().unwrap();
    let number = first["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("SF-"), "{first}");
    support::remember_order(&first);
    assert_eq!(first["state"], "pending_payment");
    let replay = place();
    assert_eq!(replay.status(), 201);
    let replay: Value = replay.json().unwrap();
    assert_eq!(
        replay["number"], first["number"],
        "the same key, the same order"
    );
    assert_eq!(replay, first);
    let stock_of = |slug: &str| -> i64 {
        let v: Value = client
            .get(spin.url(&format!("/api/products/{slug}")))
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["stock"].as_i64().unwrap()
    };
    assert_eq!(stock_of(&slug), stock_before - 2, "reserved once");

    let order_page = |path: &str| client.get(spin.url(path));
    let without_token = order_page(&format!("/api/orders/{number}")).send().unwrap();
    assert_eq!(
        without_token.status(),
        404,
        "the number alone opens nothing"
    );
    let shown = support::as_shopper(order_page(&format!("/api/orders/{number}")), &number)
        .send()
        .unwrap();
    assert_eq!(shown.status(), 200);
    let shown: Value = shown.json().unwrap();
    assert_eq!(shown["number"], number.as_str());
    assert_eq!(shown["state"], "pending_payment");
    assert_eq!(shown["items"][0]["slug"], slug.as_str());
    assert_eq!(shown["items"][0]["quantity"], 2);

    // The test-mode provider: a signed event through the webhook code marks it paid.
    let browser = support::client();
    let pay_page = support::as_shopper(
        browser.get(spin.url(&format!("/orders/{number}/pay"))),
        &number,
    )
    .send()
    .unwrap();
    assert_eq!(pay_page.status(), 200, "{}", spin.output().join("\n"));
    let pay_page = pay_page.text().unwrap();
    assert!(pay_page.contains("TEST MODE"));
    let csrf = support::hidden_field(&pay_page, "csrf");
    let paid = support::as_shopper(
        browser.post(spin.url(&format!("/orders/{number}/pay/test"))),
        &number,
    )
    .form(&[("csrf", csrf.as_str())])
    .send()
    .unwrap();
    assert_eq!(paid.status(), 303, "{}", spin.output().join("\n"));
    let after: Value = support::as_shopper(order_page(&format!("/api/orders/{number}")), &number)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(after["state"], "paid", "{after}");

    // Under real Spin no timer runs the outbox: a scheduler calls the dispatch route.
    // With no email key, the placed and paid emails go to the local mailbox.
    let round = client
        .post(spin.url("/admin/outbox/dispatch"))
        .bearer_auth(support::ADMIN_TOKEN)
        .send()
        .unwrap();
    assert_eq!(round.status(), 200, "{}", spin.output().join("\n"));
    let round: Value = round.json().unwrap();
    assert_eq!(round["delivered"], 2, "{round}");
    let mail: Value = client
        .get(spin.url("/admin/mail"))
        .bearer_auth(support::ADMIN_TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let subjects: Vec<&str> = mail["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.starts_with(&format!("We have your order {number}")))
            && subjects
                .iter()
                .any(|s| s.starts_with(&format!("Order {number} is confirmed"))),
        "{subjects:?}"
    );

    // The writer's private route is not reachable from outside: its paths on the public
    // port are the pages' 404 (their HTML page; `/admin/…` is the pages' admin API, which
    // answers JSON for a path it does not have), never the writer's answer.
    let reached_writer =
        |text: &str| text.contains("schema_version") || text.contains("\"products\"");
    for (path, pages_404) in [
        ("/health", "Page not found"),
        ("/catalog/products", "Page not found"),
        ("/admin/release-expired", "\"not_found\""),
    ] {
        let r = client.get(spin.url(path)).send().unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let text = r.text().unwrap();
        assert!(
            text.contains(pages_404),
            "{path}: not the pages' 404: {text}"
        );
        assert!(!reached_writer(&text), "{path} reached the writer: {text}");

        // A request that claims the writer's internal host name: Spin 4 strips a
        // `*.spin.internal` Host header from outside requests and then, left without an
        // authority, closes the connection without an answer (`storefront` answers the
        // pages' 404). Either way the writer must not answer.
        match client
            .get(spin.url(path))
            .header("host", "writer.spin.internal")
            .send()
        {
            Ok(r) => {
                assert_eq!(r.status(), 404, "{path} (Host: writer.spin.internal)");
                let text = r.text().unwrap();
                assert!(
                    !reached_writer(&text),
                    "{path} (Host: writer.spin.internal) reached the writer: {text}"
                );
            }
            Err(e) => println!(
                "real_spin: {path} with Host: writer.spin.internal: no answer from spin ({e})"
            ),
        }
    }

    let checked = started.elapsed();
    let status = spin.stop();
    let stopped = started.elapsed();
    println!(
        "real_spin: spin up exited with {status} after SIGTERM; output:\n{}",
        spin.output().join("\n")
    );

    // The database lived in the temporary state dir, not in the repo.
    let db = state.path().join("sqlite_db.db");
    assert!(db.exists(), "no {} after the run", db.display());
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(support::count(&conn, "orders"), 1);
    if !repo_spin_dir_existed {
        assert!(
            !repo_spin_dir.exists(),
            "spin up wrote {}",
            repo_spin_dir.display()
        );
    }
    println!(
        "real_spin: passed (components built after {:.1} s, serving after {:.1} s, checks done after {:.1} s, stopped after {:.1} s)",
        built.as_secs_f64(),
        serving.as_secs_f64(),
        checked.as_secs_f64(),
        stopped.as_secs_f64()
    );
}
