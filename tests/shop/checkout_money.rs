//! The checkout's money, through the real writer on a real SQLite file: shipping per zone
//! (thresholds, weight, countries nothing ships to), tax included or added with its
//! rounding edges, discount codes (percent, fixed, minimum, window, limits), a discount
//! race, idempotent replays, and the audit that checks every order's arithmetic.

use crate::support;

use crate::support::{TOKEN, TestApp};
use serde_json::{Value, json};
use std::path::Path;
use storefront_domain::discount_attempts::REFUSED;

/// Test prices and weights, set on the demo catalog before the writer starts.
const CENTS_99: &str = "paper-filters-02"; // €0.99, 200 g
const ONE_CENT: &str = "descaling-powder"; // €0.01, 100 g
const PRESS: &str = "french-press"; // €49.99, 900 g

/// A migrated data dir whose test variants have the prices above and plenty of stock.
fn fixture(dir: &Path) -> TestApp {
    let writer = support::start_writer(dir);
    assert!(writer.stop().success());
    let conn = support::open_db(dir);
    for (sku, price, grams) in [(CENTS_99, 99, 200), (ONE_CENT, 1, 100), (PRESS, 4999, 900)] {
        let changed = conn
            .execute(
                "UPDATE variants SET price_amount = ?, weight_grams = ?, stock = 500, active = 1 \
                 WHERE sku = ?",
                rusqlite::params![price, grams, sku],
            )
            .unwrap();
        assert_eq!(changed, 1, "{sku} is a demo variant");
    }
    drop(conn);
    support::start_writer(dir)
}

fn post(app: &TestApp, path: &str, key: Option<&str>, body: &Value) -> reqwest::blocking::Response {
    let mut r = support::client()
        .post(app.url(path))
        .bearer_auth(TOKEN)
        .json(body);
    if let Some(key) = key {
        r = r.header("idempotency-key", key);
    }
    r.send().unwrap()
}

fn lines(items: &[(&str, i64)]) -> Value {
    items
        .iter()
        .map(|(sku, quantity)| json!({"sku": sku, "quantity": quantity}))
        .collect()
}

fn quote(app: &TestApp, items: &[(&str, i64)], country: &str, extra: Value) -> Value {
    let mut body = json!({"items": lines(items), "country": country});
    if let Value::Object(extra) = extra {
        body.as_object_mut().unwrap().extend(extra);
    }
    let r = post(app, "/orders/quote", None, &body);
    assert_eq!(r.status(), 200);
    r.json().unwrap()
}

/// A valid order body to `country` (with a postcode of its format).
fn order_body(items: &[(&str, i64)], country: &str, email: &str, extra: Value) -> Value {
    let postcode = match country {
        "DE" => "10115",
        "FR" => "75001",
        "US" => "90210",
        "GB" => "N1 9GU",
        "BR" => "01310-100",
        _ => "12345",
    };
    let mut body = json!({
        "email": email,
        "name": "Ada Lovelace",
        "address": {"line1": "1 Analytical Row", "city": "Town", "postal_code": postcode,
                    "country": country},
        "items": lines(items),
    });
    if let Value::Object(extra) = extra {
        body.as_object_mut().unwrap().extend(extra);
    }
    body
}

fn place(app: &TestApp, key: &str, body: &Value) -> reqwest::blocking::Response {
    post(app, "/orders", Some(key), body)
}

fn amount(v: &Value) -> i64 {
    v["amount"]
        .as_i64()
        .unwrap_or_else(|| panic!("no amount in {v}"))
}

fn field_errors(r: reqwest::blocking::Response) -> Vec<(String, String)> {
    let v: Value = r.json().unwrap();
    v["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {v}"))
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Orders the running writer holds (the owner's list).
fn orders(app: &TestApp) -> usize {
    app.writer_json("/admin/orders?limit=100")["orders"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn shipping_in_germany_is_free_from_the_threshold_after_discount_unless_express() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());

    // Germany: Standard €4.90, free from €50.00 (a cent below and exactly at it); Express.
    let below = quote(&app, &[(PRESS, 1)], "DE", json!({}));
    let codes: Vec<&str> = below["shipping_options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["de-standard", "de-express"]);
    assert_eq!(below["shipping"]["code"], "de-standard", "the cheapest");
    assert_eq!(amount(&below["totals"]["shipping"]), 490);
    assert_eq!(amount(&below["totals"]["total"]), 4999 + 490);
    assert_eq!(below["items"][0]["available"], 500);
    let at = quote(&app, &[(PRESS, 1), (ONE_CENT, 1)], "DE", json!({}));
    assert_eq!(amount(&at["totals"]["subtotal"]), 5000);
    assert_eq!(amount(&at["totals"]["shipping"]), 0, "free from €50.00");
    assert_eq!(at["shipping"]["note"], "Free from €50.00");
    let express = quote(
        &app,
        &[(PRESS, 1), (ONE_CENT, 1)],
        "DE",
        json!({"shipping_method": "de-express"}),
    );
    assert_eq!(amount(&express["totals"]["shipping"]), 990);
    // The threshold compares the subtotal after the discount: €50.00 − €5.00 ships at €4.90.
    let discounted = quote(
        &app,
        &[(PRESS, 1), (ONE_CENT, 1)],
        "DE",
        json!({"discount_code": "fiveoff"}),
    );
    assert_eq!(amount(&discounted["totals"]["discount"]), 500);
    assert_eq!(amount(&discounted["totals"]["shipping"]), 490);
    assert_eq!(amount(&discounted["total"]), 5000 - 500 + 490);

    app.stop();
}

#[test]
fn shipping_in_the_rest_of_the_eu_is_free_from_its_own_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());

    // The rest of the EU: €9.90, free from €80.00.
    let fr = quote(&app, &[(PRESS, 1)], "FR", json!({}));
    assert_eq!(fr["shipping"]["code"], "eu-standard");
    assert_eq!(amount(&fr["totals"]["shipping"]), 990);
    let fr_free = quote(&app, &[(PRESS, 2)], "FR", json!({}));
    assert_eq!(amount(&fr_free["totals"]["shipping"]), 0);

    app.stop();
}

#[test]
fn shipping_to_the_rest_of_the_world_goes_by_the_started_kg_without_vat() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());

    // Rest of world by weight: €14.90 + €6.00 per started kg.
    let one_kg = quote(&app, &[(PRESS, 1)], "US", json!({}));
    assert_eq!(
        amount(&one_kg["totals"]["shipping"]),
        1490 + 600,
        "900 g: 1 kg"
    );
    let two_kg = quote(&app, &[(PRESS, 1), (ONE_CENT, 2)], "US", json!({}));
    assert_eq!(
        amount(&two_kg["totals"]["shipping"]),
        1490 + 2 * 600,
        "1100 g: 2 kg"
    );
    // The owner weighs a variant: 2.5 kg is 3 started kg.
    let r = post(
        &app,
        &format!("/admin/catalog/variants/{PRESS}"),
        Some("weigh-1"),
        &json!({"weight_grams": 2500}),
    );
    assert_eq!(r.status(), 200);
    let heavy = quote(&app, &[(PRESS, 1)], "US", json!({}));
    assert_eq!(amount(&heavy["totals"]["shipping"]), 1490 + 3 * 600);
    let r = post(
        &app,
        &format!("/admin/catalog/variants/{PRESS}"),
        Some("weigh-2"),
        &json!({"weight_grams": 900}),
    );
    assert_eq!(r.status(), 200);
    assert!(
        two_kg["totals"]["taxes"].as_array().unwrap().is_empty(),
        "exports carry no VAT"
    );
    assert_eq!(amount(&two_kg["totals"]["tax"]), 0);

    app.stop();
}

#[test]
fn shipping_nowhere_or_to_a_bad_address_refuses_the_order_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());

    // Nowhere to ship: the quote has no options, an order is refused and writes nothing.
    let nowhere = quote(&app, &[(PRESS, 1)], "BR", json!({}));
    assert!(nowhere["shipping_options"].as_array().unwrap().is_empty());
    assert!(nowhere["shipping"].is_null());
    let refused = place(
        &app,
        "br-1",
        &order_body(&[(PRESS, 1)], "BR", "ada@example.com", json!({})),
    );
    assert_eq!(refused.status(), 422);
    assert_eq!(
        field_errors(refused),
        [(
            "address.country".to_string(),
            "We do not ship to Brazil yet".to_string()
        )]
    );
    let unknown = place(
        &app,
        "de-1",
        &order_body(
            &[(PRESS, 1)],
            "DE",
            "ada@example.com",
            json!({"shipping_method": "eu-standard"}),
        ),
    );
    assert_eq!(unknown.status(), 422);
    assert_eq!(field_errors(unknown)[0].0, "shipping_method");
    // An unknown country or a postcode that breaks its country's format never gets priced.
    let zz = place(
        &app,
        "zz-1",
        &order_body(&[(PRESS, 1)], "ZZ", "ada@example.com", json!({})),
    );
    assert_eq!(zz.status(), 422);
    assert_eq!(field_errors(zz)[0].0, "address.country");
    let mut bad_postcode = order_body(&[(PRESS, 1)], "DE", "ada@example.com", json!({}));
    bad_postcode["address"]["postal_code"] = json!("!!");
    let r = place(&app, "pc-1", &bad_postcode);
    assert_eq!(r.status(), 422);
    assert_eq!(field_errors(r)[0].0, "address.postal_code");
    assert_eq!(orders(&app), 0, "refused orders write nothing");

    app.stop();
}

#[test]
fn shipping_and_tax_are_stored_as_the_quote_showed_and_paid_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());

    let express = quote(
        &app,
        &[(PRESS, 1), (ONE_CENT, 1)],
        "DE",
        json!({"shipping_method": "de-express"}),
    );
    // The order stores what the quote showed.
    let placed = place(
        &app,
        "express-1",
        &order_body(
            &[(PRESS, 1), (ONE_CENT, 1)],
            "DE",
            "ada@example.com",
            json!({"shipping_method": "de-express"}),
        ),
    );
    assert_eq!(placed.status(), 201);
    let placed: Value = placed.json().unwrap();
    assert_eq!(placed["totals"], express["totals"]);
    assert_eq!(placed["shipping"]["code"], "de-express");
    assert_eq!(placed["total"], express["total"]);
    // The payment is for the order's total, shipping and tax included.
    let intent = |id: &str, amount: &Value| {
        post(
            &app,
            &format!(
                "/orders/{}/payment-intent",
                placed["number"].as_str().unwrap()
            ),
            None,
            &json!({"provider": "stripe", "intent_id": id, "amount": amount, "currency": "EUR"}),
        )
    };
    let lines_only = intent("pi_lines_only", &placed["totals"]["subtotal"]["amount"]);
    assert_eq!(lines_only.status(), 422);
    assert_eq!(
        lines_only.json::<Value>().unwrap()["error"]["code"],
        "amount_mismatch"
    );
    let paid = intent("pi_total", &placed["total"]["amount"]);
    assert!(paid.status().is_success(), "{}", paid.status());
    assert!(app.stop().success());
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}

#[test]
fn tax_is_included_or_added_per_line_and_rounded_half_up() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());

    // 3 × €0.99 at 19 % included: 297 × 19/119 = 47.42 → 47; shipping 490 → 78.30 → 78.
    let q = quote(&app, &[(CENTS_99, 3)], "DE", json!({}));
    assert_eq!(amount(&q["totals"]["tax"]), 47 + 78);
    assert_eq!(q["totals"]["tax_included"], true);
    assert_eq!(q["totals"]["taxes"][0]["name"], "VAT 19 %");
    assert_eq!(q["totals"]["taxes"][0]["rate_bp"], 1900);
    assert_eq!(amount(&q["total"]), 297 + 490, "included tax adds nothing");
    // A one-cent line carries no tax of its own (0.16 cent rounds to 0).
    let q = quote(&app, &[(ONE_CENT, 1)], "DE", json!({}));
    assert_eq!(amount(&q["totals"]["tax"]), 78);
    // A discount split unevenly over lines, largest remainder: €5.00 over 297, 1 and 4999
    // is 28, 0 and 472; taxes 269 → 43, 1 → 0, 4527 → 723, shipping 490 → 78.
    let q = quote(
        &app,
        &[(CENTS_99, 3), (ONE_CENT, 1), (PRESS, 1)],
        "DE",
        json!({"discount_code": "FIVEOFF"}),
    );
    assert_eq!(amount(&q["totals"]["subtotal"]), 5297);
    assert_eq!(amount(&q["totals"]["discount"]), 500);
    assert_eq!(
        amount(&q["totals"]["shipping"]),
        490,
        "4797 after discount is below 5000"
    );
    assert_eq!(amount(&q["totals"]["tax"]), 43 + 723 + 78);
    // France's rate for a French address.
    let fr = quote(&app, &[(CENTS_99, 3)], "FR", json!({}));
    assert_eq!(fr["totals"]["taxes"][0]["name"], "VAT 20 %");
    // 297 × 20/120 = 49.5 → 50 (half up); shipping 990 × 20/120 = 165.
    assert_eq!(amount(&fr["totals"]["tax"]), 50 + 165);
    // Without a destination: the home country's rate, no shipping.
    let home = post(
        &app,
        "/orders/quote",
        None,
        &json!({"items": lines(&[(CENTS_99, 3)])}),
    );
    let home: Value = home.json().unwrap();
    assert_eq!(amount(&home["totals"]["tax"]), 47);
    assert_eq!(amount(&home["totals"]["shipping"]), 0);

    let inclusive_order: Value = place(
        &app,
        "incl-1",
        &order_body(&[(CENTS_99, 3)], "DE", "ada@example.com", json!({})),
    )
    .json()
    .unwrap();
    assert_eq!(amount(&inclusive_order["total"]), 787);

    // Prices without tax: the owner switches the mode; tax is added per line.
    let mut settings = app.writer_json("/settings");
    assert_eq!(settings["name"], "Kaffee & Kanne");
    settings["tax_mode"] = json!("exclusive");
    let r = support::client()
        .put(app.url("/admin/settings"))
        .bearer_auth(TOKEN)
        .header("idempotency-key", "settings-1")
        .json(&settings)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.writer_json("/settings")["tax_mode"], "exclusive");
    // 297 × 0.19 = 56.43 → 56; 490 × 0.19 = 93.1 → 93.
    let q = quote(&app, &[(CENTS_99, 3)], "DE", json!({}));
    assert_eq!(amount(&q["totals"]["tax"]), 56 + 93);
    assert_eq!(q["totals"]["tax_included"], false);
    assert_eq!(amount(&q["total"]), 297 + 490 + 149);
    let exclusive_order: Value = place(
        &app,
        "excl-1",
        &order_body(&[(CENTS_99, 3)], "DE", "bob@example.com", json!({})),
    )
    .json()
    .unwrap();
    assert_eq!(exclusive_order["totals"], q["totals"]);
    // Orders keep the mode and rate they were placed with.
    let number = inclusive_order["number"].as_str().unwrap();
    assert_eq!(
        app.writer_json(&format!("/orders/{number}"))["totals"],
        inclusive_order["totals"]
    );
    // A new rate applies to new orders only.
    let r = post(
        &app,
        "/admin/tax-rates/de",
        Some("rate-1"),
        &json!({"name": "MwSt.", "rate_bp": 700}),
    );
    assert_eq!(r.status(), 200);
    let q = quote(&app, &[(CENTS_99, 3)], "DE", json!({}));
    assert_eq!(q["totals"]["taxes"][0]["name"], "MwSt. 7 %");
    let number = exclusive_order["number"].as_str().unwrap();
    assert_eq!(
        app.writer_json(&format!("/orders/{number}"))["totals"],
        exclusive_order["totals"]
    );
    assert!(app.stop().success());
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}

/// What a shopper is told when a quote for `items` (to Germany) carries `code`: the
/// same words whatever the reason.
fn refusal(app: &TestApp, code: &str, items: &[(&str, i64)]) -> Value {
    quote(app, items, "DE", json!({"discount_code": code}))["discount_error"].clone()
}

/// The state of `code` in the owner's list, which says why a code is refused.
fn state(app: &TestApp, code: &str) -> Value {
    app.writer_json("/admin/discounts")["discounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in the list"))["state"]
        .clone()
}

#[test]
fn discount_codes_apply_within_their_rules() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());
    // 10 % of €49.99 = 499.9 → 500 (half up).
    let q = quote(
        &app,
        &[(PRESS, 1)],
        "DE",
        json!({"discount_code": " welcome10 "}),
    );
    assert_eq!(q["discount"]["code"], "WELCOME10");
    assert_eq!(q["discount"]["description"], "10 % off");
    assert_eq!(amount(&q["totals"]["discount"]), 500);
    assert!(q.get("discount_error").is_none());
    assert_eq!(
        refusal(&app, "FIVEOFF", &[(CENTS_99, 3)]),
        REFUSED,
        "below its minimum"
    );
    assert_eq!(refusal(&app, "summer24", &[(PRESS, 1)]), REFUSED);
    assert_eq!(state(&app, "SUMMER24"), "expired");
    assert_eq!(refusal(&app, "NOPE", &[(PRESS, 1)]), REFUSED);
    let created = post(
        &app,
        "/admin/discounts",
        Some("future-1"),
        &json!({"code": "future", "kind": "percent", "value": 2000, "starts_at": "2099-01-01T00:00:00Z"}),
    );
    assert_eq!(created.status(), 201);
    assert_eq!(created.json::<Value>().unwrap()["code"], "FUTURE");
    assert_eq!(refusal(&app, "FUTURE", &[(PRESS, 1)]), REFUSED);
    assert_eq!(state(&app, "FUTURE"), "not_yet_valid");
    app.stop();
}

#[test]
fn discount_codes_of_a_fixed_amount_never_take_off_more_than_the_lines() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());
    // A fixed amount never takes off more than the lines.
    let r = post(
        &app,
        "/admin/discounts",
        Some("big-1"),
        &json!({"code": "BIG", "kind": "fixed", "value": 100000}),
    );
    assert_eq!(r.status(), 201);
    let q = quote(
        &app,
        &[(CENTS_99, 1)],
        "DE",
        json!({"discount_code": "big"}),
    );
    assert_eq!(amount(&q["totals"]["discount"]), 99);
    assert_eq!(amount(&q["total"]), 490);
    assert_eq!(
        amount(&q["totals"]["tax"]),
        78,
        "no tax on goods that cost nothing"
    );
    app.stop();
}

#[test]
fn discount_codes_that_do_not_apply_refuse_the_order_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());
    // A code that does not apply refuses the order, naming the field; nothing is written.
    let r = place(
        &app,
        "nope-1",
        &order_body(
            &[(PRESS, 1)],
            "DE",
            "ada@example.com",
            json!({"discount_code": "NOPE"}),
        ),
    );
    assert_eq!(r.status(), 422);
    assert_eq!(
        field_errors(r),
        [("discount_code".to_string(), REFUSED.to_string())]
    );
    assert_eq!(orders(&app), 0);

    app.stop();
}

#[test]
fn discount_codes_are_used_once_per_email_a_cancel_gives_the_use_back_and_deactivation_ends_them() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());
    // Once per email (compared without case); a cancelled order gives its use back.
    let first = place(
        &app,
        "w-1",
        &order_body(
            &[(PRESS, 1)],
            "DE",
            "ada@example.com",
            json!({"discount_code": "WELCOME10"}),
        ),
    );
    assert_eq!(first.status(), 201);
    let first: Value = first.json().unwrap();
    assert_eq!(first["discount"]["code"], "WELCOME10");
    assert_eq!(first["discount"]["description"], "10 % off");
    assert_eq!(amount(&first["totals"]["discount"]), 500);
    // A quote never tells whether an email has used a code; placing the order does not
    // say so either.
    let q = quote(
        &app,
        &[(PRESS, 1)],
        "DE",
        json!({"discount_code": "WELCOME10", "email": "ADA@example.com"}),
    );
    assert_eq!(q["discount"]["code"], "WELCOME10");
    let again = place(
        &app,
        "w-2",
        &order_body(
            &[(PRESS, 1)],
            "DE",
            "Ada@Example.com",
            json!({"discount_code": "welcome10"}),
        ),
    );
    assert_eq!(again.status(), 422);
    assert_eq!(
        field_errors(again),
        [("discount_code".to_string(), REFUSED.to_string())]
    );
    let other = place(
        &app,
        "w-3",
        &order_body(
            &[(PRESS, 1)],
            "DE",
            "bob@example.com",
            json!({"discount_code": "welcome10"}),
        ),
    );
    assert_eq!(other.status(), 201);
    let number = first["number"].as_str().unwrap();
    let cancelled = post(
        &app,
        &format!("/orders/{number}/transitions"),
        None,
        &json!({"to": "cancelled"}),
    );
    assert_eq!(cancelled.status(), 200);
    let after_cancel = place(
        &app,
        "w-4",
        &order_body(
            &[(PRESS, 1)],
            "DE",
            "ada@example.com",
            json!({"discount_code": "WELCOME10"}),
        ),
    );
    assert_eq!(
        after_cancel.status(),
        201,
        "the cancelled order's use came back"
    );

    // Deactivated: no longer valid; the owner's list shows the uses.
    let r = post(
        &app,
        "/admin/discounts/welcome10/deactivate",
        Some("deact-1"),
        &json!({}),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(refusal(&app, "WELCOME10", &[(PRESS, 1)]), REFUSED);
    assert_eq!(state(&app, "WELCOME10"), "deactivated");
    let list = app.writer_json("/admin/discounts");
    let welcome = list["discounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "WELCOME10")
        .unwrap()
        .clone();
    assert_eq!(welcome["uses"], 2);
    assert_eq!(welcome["active"], false);
    assert!(app.stop().success());
    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "discount_redemptions"), 3);
    drop(conn);
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}

#[test]
fn concurrent_orders_never_use_a_code_more_often_than_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());
    let r = post(
        &app,
        "/admin/discounts",
        Some("race-code"),
        &json!({"code": "RACE5", "kind": "percent", "value": 1500, "max_uses": 5}),
    );
    assert_eq!(r.status(), 201);
    let clients = 32;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(clients));
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|i| {
                let barrier = barrier.clone();
                let app = &app;
                s.spawn(move || {
                    let body = order_body(
                        &[(PRESS, 1)],
                        "DE",
                        &format!("shopper{i}@example.com"),
                        json!({"discount_code": "race5"}),
                    );
                    barrier.wait();
                    let r = place(app, &format!("race-{i}"), &body);
                    (r.status().as_u16(), r.json().unwrap())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(won.len(), 5, "{answers:?}");
    assert!(won.iter().all(|v| v["discount"]["code"] == "RACE5"));
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 422, "{body}");
        assert_eq!(
            body["error"]["fields"][0]["field"], "discount_code",
            "{body}"
        );
        assert_eq!(body["error"]["fields"][0]["message"], REFUSED);
    }
    assert!(app.stop().success());
    let conn = support::open_db(dir.path());
    assert_eq!(
        support::scalar(
            &conn,
            "SELECT uses FROM discount_codes WHERE code = 'RACE5'"
        ),
        5
    );
    assert_eq!(support::count(&conn, "discount_redemptions"), 5);
    assert_eq!(
        support::scalar(
            &conn,
            "SELECT count(*) FROM orders WHERE discount_code = 'RACE5'"
        ),
        5
    );
    assert_eq!(
        support::count(&conn, "orders"),
        5,
        "the refused orders wrote nothing"
    );
    drop(conn);
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}

#[test]
fn a_replay_answers_the_same_totals_and_the_audit_catches_a_bent_total() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());
    let body = order_body(
        &[(PRESS, 1), (CENTS_99, 2)],
        "FR",
        "ada@example.com",
        json!({"discount_code": "FIVEOFF", "shipping_method": "eu-standard"}),
    );
    let first = place(&app, "replay-1", &body);
    assert_eq!(first.status(), 201);
    let first: Value = first.json().unwrap();
    let again = place(&app, "replay-1", &body);
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().unwrap(), first);
    // The code and the method are part of the command: another code is another order.
    let mut other = body.clone();
    other["discount_code"] = json!("WELCOME10");
    let reused = place(&app, "replay-1", &other);
    assert_eq!(reused.status(), 422);
    assert_eq!(
        reused.json::<Value>().unwrap()["error"]["code"],
        "idempotency_key_reused"
    );
    let t = &first["totals"];
    assert_eq!(
        amount(&t["total"]),
        amount(&t["subtotal"]) - amount(&t["discount"]) + amount(&t["shipping"])
    );
    assert!(app.stop().success());
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");

    let conn = support::open_db(dir.path());
    conn.execute_batch(
        "DROP TRIGGER orders_fixed_columns;
         UPDATE orders SET shipping_amount = shipping_amount + 100 WHERE id = 1;
         UPDATE discount_codes SET uses = uses + 1 WHERE code = 'FIVEOFF';",
    )
    .unwrap();
    drop(conn);
    // The order was verified by the check above: only a full audit reads it again.
    let (ok, lines) = support::check_full(dir.path());
    assert!(!ok);
    let text = lines.join("\n");
    assert!(text.contains("but subtotal"), "{text}");
    assert!(
        text.contains("discount code FIVEOFF: uses is 2 but 1 orders hold it"),
        "{text}"
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
}

#[test]
fn the_owner_changes_settings_shipping_and_codes_through_the_admin_routes() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let admin = app.admin();
    let unauthorized = support::client()
        .get(app.url("/admin/settings"))
        .send()
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let mut settings: Value = admin.json("/admin/settings");
    assert_eq!(settings["currency"], "EUR");
    assert!(!settings["legal"]["imprint"].as_str().unwrap().is_empty());
    settings["name"] = json!("Kanne & Kaffee");
    let put = admin.send(
        reqwest::Method::PUT,
        "/admin/settings",
        Some("s-1"),
        Some(&settings),
    );
    assert_eq!(put.status(), 200);
    let replay = admin.send(
        reqwest::Method::PUT,
        "/admin/settings",
        Some("s-1"),
        Some(&settings),
    );
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    settings["currency"] = json!("USD");
    settings["home_country"] = json!("ZZ");
    let bad = admin.send(
        reqwest::Method::PUT,
        "/admin/settings",
        Some("s-2"),
        Some(&settings),
    );
    assert_eq!(bad.status(), 422);
    let fields: Vec<String> = field_errors(bad).into_iter().map(|f| f.0).collect();
    assert_eq!(fields, ["currency", "home_country"]);
    let now: Value = admin.json("/admin/settings");
    assert_eq!(now["name"], "Kanne & Kaffee");

    // Germany's standard shipping becomes free from €30.00.
    let r = admin.send(
        reqwest::Method::POST,
        "/admin/shipping/methods/de-standard",
        Some("ship-1"),
        Some(&json!({"threshold": 3000})),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["threshold"], 3000);
    let zones: Value = admin.json("/admin/shipping");
    assert_eq!(zones["zones"][0]["name"], "Germany");
    assert_eq!(zones["zones"][0]["methods"][0]["threshold"], 3000);
    let wrong = admin.send(
        reqwest::Method::POST,
        "/admin/shipping/methods/de-express",
        Some("ship-2"),
        Some(&json!({"threshold": 3000})),
    );
    assert_eq!(wrong.status(), 422);
    let rates: Value = admin.json("/admin/tax-rates");
    assert_eq!(rates["rates"].as_array().unwrap().len(), 27);
    let created = admin.send(
        reqwest::Method::POST,
        "/admin/discounts",
        Some("d-1"),
        Some(
            &json!({"code": "SPRING", "kind": "fixed", "value": 300, "min_subtotal": 2000,
                    "ends_at": "2099-06-01"}),
        ),
    );
    assert_eq!(created.status(), 201);
    let changed = admin.send(
        reqwest::Method::POST,
        "/admin/discounts/SPRING",
        Some("d-2"),
        Some(&json!({"value": 400, "ends_at": null})),
    );
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().unwrap();
    assert_eq!(changed["value"], 400);
    assert!(changed["ends_at"].is_null());
    let duplicate = admin.send(
        reqwest::Method::POST,
        "/admin/discounts",
        Some("d-3"),
        Some(&json!({"code": "spring", "kind": "percent", "value": 100})),
    );
    assert_eq!(duplicate.status(), 409);
    let list: Value = admin.json("/admin/discounts");
    assert_eq!(list["discounts"][0]["code"], "SPRING", "newest first");
    let history: Value = admin.json("/admin/catalog/history");
    let commands: Vec<&str> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "update_discount",
            "create_discount",
            "update_shipping_method",
            "update_settings"
        ]
    );
    // Through the public API: the order gets the new threshold and the code.
    let order = app.post_order(
        Some("api-1"),
        &order_body(
            &[("french-press", 1)],
            "DE",
            "ada@example.com",
            json!({"discount_code": "spring"}),
        ),
    );
    assert_eq!(order.status(), 201);
    let order: Value = order.json().unwrap();
    assert_eq!(amount(&order["totals"]["discount"]), 400);
    assert_eq!(amount(&order["totals"]["shipping"]), 0);
    assert!(app.stop().success());
}

/// The answer to placing an order is built from what placing it computed, not read back
/// (`placed_view` in the writer): it must be exactly the order as read back afterwards, and
/// its idempotent replay, for every kind of order.
#[test]
fn the_answer_to_placing_an_order_is_the_order_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let app = fixture(dir.path());
    let cases = [
        // Inclusive tax and a discount code, to Germany.
        order_body(
            &[(PRESS, 2), (CENTS_99, 3)],
            "DE",
            "read-back-1@example.com",
            json!({"discount_code": "welcome10", "shipping_method": "de-express"}),
        ),
        // No tax line (an export), shipping by weight, no code.
        {
            // A US address names its state.
            let mut us = order_body(&[(ONE_CENT, 1)], "US", "read-back-2@example.com", json!({}));
            us["address"]["state"] = json!("NY");
            us
        },
        // Another EU rate, the cheapest method chosen by the writer.
        order_body(&[(CENTS_99, 1)], "FR", "read-back-3@example.com", json!({})),
    ];
    for (n, body) in cases.iter().enumerate() {
        let key = format!("read-back-{n}");
        let r = place(&app, &key, body);
        assert_eq!(r.status(), 201, "case {n}");
        let placed: Value = r.json().unwrap();
        let number = placed["number"].as_str().unwrap();
        assert_eq!(
            placed,
            app.writer_json(&format!("/orders/{number}")),
            "case {n}"
        );
        let replayed: Value = place(&app, &key, body).json().unwrap();
        assert_eq!(replayed, placed, "case {n}");
    }
}
