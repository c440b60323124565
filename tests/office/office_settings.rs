//! The owner's checkout settings and webhooks in the back office, over HTTP through the
//! real components: shipping zones and their methods (countries checked, one zone per
//! country, a per-weight method priced at checkout), tax rates, a discount code edited,
//! limited per customer, deactivated and reactivated, and a webhook endpoint's delivery
//! log with a test event that reaches the receiver. Every refused form answers 4xx with
//! the error at its field and writes nothing.

use crate::support;

use crate::support::fake_inbox::{Behaviour, FakeInbox};
use crate::support::{ADMIN_TOKEN, OWNER_PASSWORD, Owner, TestApp, hidden_field, open_db, scalar};
use reqwest::blocking::Response;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

/// The app's SQLite file, read while it runs (the writer holds it exclusively, so the
/// tests read through the owner's JSON API instead, and the file after stopping).
fn admin_json(app: &TestApp, path: &str) -> Value {
    app.admin().json(path)
}

/// Sends `form` (with the page's CSRF token and a fresh key) to `path`.
fn send(owner: &Owner, csrf: &str, path: &str, key: &str, form: &[(&str, &str)]) -> Response {
    let mut all = vec![("csrf", csrf), ("idempotency_key", key)];
    all.extend_from_slice(form);
    owner.post(path, &all)
}

fn refused(resp: Response, error_id: &str, words: &str) -> String {
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().unwrap();
    assert!(
        html.contains(&format!("id=\"{error_id}\"")),
        "{error_id}: {html}"
    );
    assert!(html.contains(words), "{words}: {html}");
    html
}

fn zones(app: &TestApp) -> Vec<Value> {
    admin_json(app, "/admin/shipping")["zones"]
        .as_array()
        .unwrap()
        .clone()
}

fn method_count(app: &TestApp) -> usize {
    zones(app)
        .iter()
        .map(|z| z["methods"].as_array().unwrap().len())
        .sum()
}

fn order_to(country: &str, postcode: &str, email: &str, extra: Value) -> Value {
    let mut body = json!({
        "email": email,
        "name": "Ada Lovelace",
        "address": {"line1": "1 Analytical Row", "city": "Town", "postal_code": postcode,
                    "country": country},
        "items": [{"slug": "french-press", "quantity": 1}],
    });
    if let Value::Object(extra) = extra {
        body.as_object_mut().unwrap().extend(extra);
    }
    body
}

#[test]
fn a_zone_with_countries_gets_a_per_weight_method_that_checkout_charges_for_its_country() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (_, csrf) = owner.page_and_csrf("/admin/settings/shipping");
    let zones_before = zones(&app);

    // An unknown country code is named at the field; nothing is written.
    let resp = send(
        &owner,
        &csrf,
        "/admin/settings/zones",
        "zonekey00001",
        &[("name", "South America"), ("countries", "BR, XX")],
    );
    refused(
        resp,
        "new-zone-countries-error",
        "XX is not a two-letter country code",
    );
    // A country another zone ships to is refused, naming that zone.
    let resp = send(
        &owner,
        &csrf,
        "/admin/settings/zones",
        "zonekey00002",
        &[("name", "South America"), ("countries", "BR, US")],
    );
    refused(
        resp,
        "new-zone-countries-error",
        "US is in the zone Rest of world",
    );
    let resp = send(
        &owner,
        &csrf,
        "/admin/settings/zones",
        "zonekey00003",
        &[("name", ""), ("countries", "BR")],
    );
    refused(resp, "new-zone-name-error", "Enter a name for the zone");
    assert_eq!(zones(&app), zones_before, "nothing written");

    // Typed in lower case, with a repeat: the zone ships to AR and BR.
    let resp = send(
        &owner,
        &csrf,
        "/admin/settings/zones",
        "zonekey00004",
        &[("name", "South America"), ("countries", "br, ar br")],
    );
    assert_eq!(resp.status().as_u16(), 303);
    let zone = zones(&app)
        .into_iter()
        .find(|z| z["name"] == "South America")
        .expect("the new zone");
    assert_eq!(zone["countries"], json!(["AR", "BR"]));
    let id = zone["id"].as_i64().unwrap();

    // A per-weight method needs its price per kg, typed as a decimal.
    let methods = method_count(&app);
    let add = format!("/admin/settings/zones/{id}/methods");
    let method = |key: &str, per_kg: &str| {
        send(
            &owner,
            &csrf,
            &add,
            key,
            &[
                ("code", "sa-weight"),
                ("name", "Correios by weight"),
                ("kind", "by_weight"),
                ("amount", "10.00"),
                ("per_kg_amount", per_kg),
                ("threshold", ""),
                ("active", "1"),
            ],
        )
    };
    refused(
        method("methodkey001", ""),
        &format!("new-method-{id}-per_kg_amount-error"),
        "Enter the price per started kg",
    );
    refused(
        method("methodkey002", "2,50"),
        &format!("new-method-{id}-per_kg_amount-error"),
        "The price per started kg must be an amount",
    );
    assert_eq!(method_count(&app), methods, "nothing written");
    assert_eq!(method("methodkey003", "2.50").status().as_u16(), 303);
    // The same form again (a double click) adds no second method.
    assert_eq!(method("methodkey003", "2.50").status().as_u16(), 303);
    assert_eq!(method_count(&app), methods + 1);
    let page = owner.page("/admin/settings/shipping");
    assert!(page.contains("Correios by weight"), "{page}");

    // At checkout to Brazil: €10.00 + €2.50 for the press's one started kg.
    let placed = app.place(
        "sa-order-1",
        &order_to(
            "BR",
            "01310-100",
            "ada@example.com",
            json!({"shipping_method": "sa-weight"}),
        ),
    );
    assert_eq!(placed["totals"]["shipping"]["amount"], 1250, "{placed}");

    // Changed to "free from a total" without the total: refused at that field.
    let resp = send(
        &owner,
        &csrf,
        "/admin/settings/shipping/sa-weight",
        "methodkey004",
        &[
            ("name", "Correios by weight"),
            ("kind", "free_above"),
            ("amount", "10.00"),
            ("threshold", ""),
            ("active", "1"),
        ],
    );
    refused(
        resp,
        "method-sa-weight-threshold-error",
        "Enter the items total it is free from",
    );
    // With it, the method is free from €30.00 (the press costs €34.00).
    let resp = send(
        &owner,
        &csrf,
        "/admin/settings/shipping/sa-weight",
        "methodkey005",
        &[
            ("name", "Correios"),
            ("kind", "free_above"),
            ("amount", "10.00"),
            ("threshold", "30.00"),
            ("active", "1"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    let placed = app.place(
        "sa-order-2",
        &order_to(
            "AR",
            "C1002",
            "ada@example.com",
            json!({"shipping_method": "sa-weight"}),
        ),
    );
    assert_eq!(placed["totals"]["shipping"]["amount"], 0, "{placed}");
    app.stop();
}

#[test]
fn the_tax_rate_page_adds_and_changes_a_countrys_rate_checked_at_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (page, csrf) = owner.page_and_csrf("/admin/settings/tax");
    assert!(page.contains("Germany (DE)"), "{page}");
    assert!(page.contains("19 %"), "{page}");
    let rates_before = admin_json(&app, "/admin/tax-rates");

    let rate = |key: &str, country: &str, name: &str, rate: &str| {
        send(
            &owner,
            &csrf,
            "/admin/settings/tax",
            key,
            &[("country", country), ("name", name), ("rate", rate)],
        )
    };
    for (n, bad) in ["120", "8,1", "-1", "", "8.125"].iter().enumerate() {
        refused(
            rate(&format!("taxkey0000{n}"), "CH", "VAT", bad),
            "tax-rate-error",
            "Enter a rate from 0 to 100 percent",
        );
    }
    refused(
        rate("taxkey00010", "XX", "VAT", "8"),
        "tax-country-error",
        "Choose a country",
    );
    refused(
        rate("taxkey00011", "CH", "", "8"),
        "tax-name-error",
        "Enter the tax",
    );
    assert_eq!(admin_json(&app, "/admin/tax-rates"), rates_before);

    // Added for Switzerland: 8.1 % is 810 basis points.
    let resp = rate("taxkey00012", "CH", "MWST", "8.1");
    assert_eq!(resp.status().as_u16(), 303);
    let page = owner.follow(resp);
    assert!(page.contains("MWST 8.1 % for Switzerland saved."), "{page}");
    // Germany's form comes filled in; changed, it holds the new rate.
    let form = owner.page("/admin/settings/tax/DE");
    assert!(form.contains("value=\"19\""), "{form}");
    assert_eq!(
        rate("taxkey00013", "DE", "MwSt", "7").status().as_u16(),
        303
    );
    app.stop();
    let db = open_db(dir.path());
    assert_eq!(
        scalar(&db, "SELECT rate_bp FROM tax_rates WHERE country = 'CH'"),
        810
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT rate_bp FROM tax_rates WHERE country = 'DE' AND name = 'MwSt'"
        ),
        700
    );
}

fn discount(app: &TestApp, code: &str) -> Value {
    admin_json(app, "/admin/discounts")["discounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code}"))
        .clone()
}

#[test]
fn a_discount_code_shows_its_status_is_edited_limited_per_customer_and_reactivated() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let list = owner.page("/admin/settings/discounts");
    // SUMMER24 ended in 2024; WELCOME10 is once per customer.
    let summer = list.split("<code>SUMMER24</code>").nth(1).unwrap();
    assert!(summer[..summer.find("</tr>").unwrap()].contains("expired"));
    let welcome = list.split("<code>WELCOME10</code>").nth(1).unwrap();
    assert!(welcome[..welcome.find("</tr>").unwrap()].contains("1 per customer"));
    assert!(list.contains("href=\"/admin/settings/discounts/FIVEOFF\""));

    let (form, csrf) = owner.page_and_csrf("/admin/settings/discounts/FIVEOFF");
    assert!(form.contains("value=\"5.00\""), "{form}");
    assert!(form.contains("value=\"30.00\""), "{form}");
    let before = discount(&app, "FIVEOFF");
    let edit = |key: &str, fields: &[(&str, &str)]| {
        send(
            &owner,
            &csrf,
            "/admin/settings/discounts/FIVEOFF",
            key,
            fields,
        )
    };
    refused(
        edit(
            "disckey00001",
            &[
                ("value", "abc"),
                ("starts_at", "2025-01-01"),
                ("active", "1"),
            ],
        ),
        "value-error",
        "The amount must be an amount",
    );
    refused(
        edit(
            "disckey00002",
            &[
                ("value", "7.50"),
                ("starts_at", "2025-06-01"),
                ("ends_at", "2025-05-01"),
                ("active", "1"),
            ],
        ),
        "ends_at-error",
        "The last day must come after the first",
    );
    refused(
        edit(
            "disckey00003",
            &[
                ("value", "7.50"),
                ("max_uses_per_email", "0"),
                ("active", "1"),
            ],
        ),
        "max_uses_per_email-error",
        "Enter a whole number from 1",
    );
    assert_eq!(discount(&app, "FIVEOFF"), before, "nothing written");

    // €7.50 off from any total, once per customer (per email address).
    let resp = edit(
        "disckey00004",
        &[
            ("value", "7.50"),
            ("min_subtotal", ""),
            ("starts_at", "2025-01-01"),
            ("ends_at", ""),
            ("max_uses", ""),
            ("max_uses_per_email", "1"),
            ("active", "1"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    let after = discount(&app, "FIVEOFF");
    assert_eq!(after["value"], 750);
    assert_eq!(after["min_subtotal"], 0);
    assert_eq!(after["max_uses_per_email"], 1);
    let list = owner.page("/admin/settings/discounts");
    let five = list.split("<code>FIVEOFF</code>").nth(1).unwrap();
    assert!(five[..five.find("</tr>").unwrap()].contains("1 per customer"));

    let with_code =
        |email: &str| order_to("DE", "10115", email, json!({"discount_code": "fiveoff"}));
    let placed = app.place("five-1", &with_code("grace@example.com"));
    assert_eq!(placed["totals"]["discount"]["amount"], 750, "{placed}");
    // The same customer again, whatever the case of the address: refused.
    let again = app.post_order(Some("five-2"), &with_code("Grace@Example.com"));
    assert_eq!(again.status().as_u16(), 422, "{:?}", again.text());
    // Another customer: fine.
    app.place("five-3", &with_code("hedy@example.com"));

    // Deactivated with the form, it shows as inactive with a reactivate button.
    let resp = edit(
        "disckey00005",
        &[
            ("value", "7.50"),
            ("starts_at", "2025-01-01"),
            ("max_uses_per_email", "1"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(discount(&app, "FIVEOFF")["state"], "deactivated");
    let list = owner.page("/admin/settings/discounts");
    let five = list.split("<code>FIVEOFF</code>").nth(1).unwrap();
    assert!(five[..five.find("</tr>").unwrap()].contains("inactive"));
    let form = five
        .split("action=\"/admin/settings/discounts/FIVEOFF/reactivate\"")
        .nth(1)
        .expect("a reactivate form");
    let key = hidden_field(form, "idempotency_key");
    let resp = owner.post(
        "/admin/settings/discounts/FIVEOFF/reactivate",
        &[("csrf", csrf.as_str()), ("idempotency_key", key.as_str())],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(discount(&app, "FIVEOFF")["state"], "active");
    let placed = app.place("five-4", &with_code("katherine@example.com"));
    assert_eq!(placed["totals"]["discount"]["amount"], 750, "{placed}");
    app.stop();
}

/// The back office with a dispatch round every second, a 1 s first retry and the fake
/// receiver's loopback address allowed as a webhook host.
fn start_dispatching(dir: &Path) -> TestApp {
    support::build_components();
    support::set_owner_password(dir, OWNER_PASSWORD);
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SPIN_VARIABLE_OUTBOX_LEASE_SECONDS", "3")
        .env("SPIN_VARIABLE_OUTBOX_FIRST_RETRY_SECONDS", "1")
        .env("SPIN_VARIABLE_WEBHOOK_HOSTS", "http://127.0.0.1:*")
        .args(["--dispatch-every", "1"]);
    support::spawn(cmd, dir).ready()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_endpoints_delivery_log_shows_its_test_event_answered_500_then_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = FakeInbox::start(Behaviour {
        fail_first: 1,
        ..Behaviour::default()
    });
    let other = FakeInbox::start(Behaviour::default());
    let app = start_dispatching(dir.path());
    let add = |url: String| {
        let r = app.admin().send(
            reqwest::Method::POST,
            "/admin/webhooks",
            None,
            Some(&json!({ "url": url, "events": ["order.paid"] })),
        );
        assert_eq!(r.status(), 201);
        r.json::<Value>().unwrap()["id"].as_i64().unwrap()
    };
    let id = add(format!("{}/hooks/one", receiver.base_url));
    add(format!("{}/hooks/two", other.base_url));
    let owner = app.owner().sign_in();
    let list = owner.page("/admin/webhooks");
    assert!(
        list.contains(&format!("href=\"/admin/webhooks/{id}\"")),
        "{list}"
    );
    let (log, csrf) = owner.page_and_csrf(&format!("/admin/webhooks/{id}"));
    assert!(
        log.contains("Nothing was sent to this endpoint yet."),
        "{log}"
    );

    // Without the CSRF token: refused, nothing queued.
    let resp = owner.post(
        &format!("/admin/webhooks/{id}/test"),
        &[("idempotency_key", "testkey000001")],
    );
    assert_eq!(resp.status().as_u16(), 403);
    // Sent twice (a double click): one test event.
    let key = hidden_field(&log, "idempotency_key");
    for _ in 0..2 {
        let resp = owner.post(
            &format!("/admin/webhooks/{id}/test"),
            &[("csrf", csrf.as_str()), ("idempotency_key", key.as_str())],
        );
        assert_eq!(resp.status().as_u16(), 303);
    }
    wait_for("the test event delivered", || {
        admin_json(&app, &format!("/admin/webhooks/{id}/deliveries"))["deliveries"][0]["state"]
            == "delivered"
    });
    let received = receiver.received();
    assert_eq!(received.len(), 2, "a 500, then the delivery");
    let last = received.last().unwrap();
    assert_eq!(last.path, "/hooks/one");
    assert_eq!(last.headers["storefront-event-type"], "ping");
    assert_eq!(last.json()["type"], "ping");
    assert_eq!(last.json()["data"]["change"]["test"], true);
    assert!(other.received().is_empty(), "to that endpoint only");

    let log = admin_json(&app, &format!("/admin/webhooks/{id}/deliveries"));
    let deliveries = log["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["attempts"], 2);
    assert_eq!(deliveries[0]["last_error"], Value::Null);
    let page = owner.page(&format!("/admin/webhooks/{id}"));
    assert!(page.contains("<code>ping</code>"), "{page}");
    assert!(
        page.contains("Delivered: the endpoint answered 2xx"),
        "{page}"
    );
    app.stop();
}

#[test]
fn a_failing_endpoints_log_names_the_status_it_answered() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = FakeInbox::start(Behaviour {
        fail_first: 100,
        ..Behaviour::default()
    });
    let app = start_dispatching(dir.path());
    let r = app.admin().send(
        reqwest::Method::POST,
        "/admin/webhooks",
        None,
        Some(&json!({ "url": format!("{}/hooks/down", receiver.base_url), "events": ["*"] })),
    );
    let id = r.json::<Value>().unwrap()["id"].as_i64().unwrap();
    let r = app.admin().send(
        reqwest::Method::POST,
        &format!("/admin/webhooks/{id}/test"),
        Some("api-test-key-1"),
        Some(&json!({})),
    );
    assert_eq!(r.status(), 201);
    wait_for("a failed attempt", || !receiver.received().is_empty());
    let owner = app.owner().sign_in();
    let mut page = String::new();
    wait_for("the failure in the log", || {
        page = owner.page(&format!("/admin/webhooks/{id}"));
        page.contains("the endpoint answered 500")
    });
    assert!(page.contains("Waiting for a retry"), "{page}");
    app.stop();
}
