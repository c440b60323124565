//! A shopper's unpaid order can be corrected and stays one order with one intent; a paid
//! one cannot. Per-client limits stop hoarding, not a customer's large order.

use crate::support;

use crate::support::TestApp;
use crate::support::fake_stripe::{self, FakeStripe};
use serde_json::{Value, json};
use std::path::Path;

const SLUG: &str = "french-press";

fn start_with_stripe(dir: &Path, fake: &FakeStripe) -> TestApp {
    let mut cmd = support::up_command(dir);
    fake.configure(&mut cmd);
    support::spawn(cmd, dir).ready()
}

/// The checkout `form` with `changes` made to its fields.
fn with(
    form: &[(&'static str, String)],
    changes: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> = form
        .iter()
        .filter(|(name, _)| !changes.iter().any(|(n, _)| n == name))
        .cloned()
        .collect();
    form.extend(changes.iter().map(|(n, v)| (*n, v.to_string())));
    form
}

#[test]
fn an_unpaid_order_is_changed_repriced_and_its_one_intent_follows() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start_with_stripe(dir.path(), &fake);
    let shopper = app.shopper();
    shopper.add_to_cart(SLUG, "1");
    let number = shopper.check_out();
    let placed = app.order(&number);
    assert_eq!(placed["address"]["country"], "GB");
    let stock = app.stock()[SLUG];

    // The payment step makes the order's one intent, for its total.
    let pay = shopper.page(&format!("/orders/{number}/pay"));
    assert!(pay.contains("href=\"/checkout\""), "the way to change it");
    assert_eq!(fake.intents().len(), 1);
    let intent = fake.intents()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(fake.intent(&intent)["amount"], placed["total"]["amount"]);

    // Back at the checkout: the order's own details, to change.
    let checkout = shopper.page("/checkout");
    assert!(
        checkout.contains("You are changing order"),
        "{checkout:.2000}"
    );
    assert!(checkout.contains(&number));
    assert!(checkout.contains("value=\"ada@example.com\""));
    assert!(checkout.contains("<option value=\"GB\" selected>"));
    let form = with(
        &support::checkout_form(&checkout),
        &[
            ("address.line1", "Unter den Linden 1"),
            ("address.city", "Berlin"),
            ("address.postal_code", "10117"),
            ("address.country", "DE"),
            ("shipping_method", "de-express"),
        ],
    );
    let changed = shopper.submit_checkout(&form);
    assert_eq!(changed.status(), 303);
    assert_eq!(
        changed.headers()["location"],
        format!("/orders/{number}/pay").as_str(),
        "the order keeps its number"
    );

    // Priced again by the writer: German shipping and VAT, same lines, same stock.
    let order = app.order(&number);
    assert_eq!(order["number"], number.as_str());
    assert_eq!(order["address"]["city"], "Berlin");
    assert_eq!(order["shipping"]["code"], "de-express");
    assert_eq!(order["items"], placed["items"]);
    let total = order["total"]["amount"].as_i64().unwrap();
    assert_ne!(total, placed["total"]["amount"].as_i64().unwrap());
    assert_eq!(app.stock()[SLUG], stock, "the reservation stands as it was");

    // The payment step shows the new total, and the one intent follows it.
    let pay = shopper.page(&format!("/orders/{number}/pay"));
    assert!(pay.contains(&support::decimal(total)), "{pay:.3000}");
    assert!(pay.contains("keeps its number"), "the change is confirmed");
    assert_eq!(fake.intents().len(), 1, "never a second intent");
    assert_eq!(fake.intent(&intent)["amount"], total);
    let updates: Vec<_> = fake
        .received()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == format!("/v1/payment_intents/{intent}"))
        .collect();
    assert!(
        !updates.is_empty(),
        "the amount was updated at the provider"
    );
    assert!(
        updates
            .iter()
            .all(|u| u.form["amount"] == total.to_string())
    );

    // Paid for the new total, the order is paid, and the ledger agrees with itself.
    let succeeded = fake.succeed(&intent);
    assert_eq!(
        fake_stripe::deliver(&app.base_url, &succeeded).status(),
        200
    );
    assert_eq!(app.order(&number)["state"], "paid");
    drop(app);
    let db = support::open_db(dir.path());
    let (changed, before, after): (String, i64, i64) = db
        .query_row(
            "SELECT changed, total_before, total_after FROM order_changes",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(changed, "address, shipping method");
    assert_eq!(
        (before, after),
        (placed["total"]["amount"].as_i64().unwrap(), total)
    );
    let paid: i64 = db
        .query_row("SELECT amount FROM payments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(paid, total);
    assert_eq!(support::count(&db, "orders"), 1);
    drop(db);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

/// `POST /orders/{number}/change` on the writer, with `key`.
fn change(app: &TestApp, number: &str, key: &str, body: &Value) -> reqwest::blocking::Response {
    support::client()
        .post(app.url(&format!("/orders/{number}/change")))
        .bearer_auth(support::TOKEN)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .unwrap()
}

#[test]
fn a_paid_order_is_not_changed() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_writer(dir.path());
    let placed: Value = app
        .place_on_writer("paid-1", &support::order_body(SLUG, 1))
        .json()
        .unwrap();
    let number = placed["number"].as_str().unwrap();
    let mut body = support::order_body(SLUG, 1);
    body["address"]["line1"] = json!("221B Baker Street");

    // Unpaid: changed, once however often it is sent.
    let first = change(&app, number, "change-1", &body);
    assert_eq!(first.status(), 200);
    let first: Value = first.json().unwrap();
    assert_eq!(first["number"], number);
    assert_eq!(first["address"]["line1"], "221B Baker Street");
    let again = change(&app, number, "change-1", &body);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().unwrap(), first);

    // Paid: refused, in words a shopper understands, and nothing changes.
    let paid = support::client()
        .post(app.url("/payments/events"))
        .bearer_auth(support::TOKEN)
        .json(&json!({
            "provider": "stripe",
            "event_id": "evt_paid_1",
            "event_type": "payment_intent.succeeded",
            "created": 1_800_000_000,
            "livemode": false,
            "intent_id": "pi_paid_1",
            "order_number": number,
            "amount": first["total"]["amount"],
            "currency": first["total"]["currency"],
            "payload": "{}",
        }))
        .send()
        .unwrap();
    assert_eq!(paid.status(), 200);
    body["address"]["line1"] = json!("10 Downing Street");
    let refused = change(&app, number, "change-2", &body);
    assert_eq!(refused.status(), 409);
    let refused: Value = refused.json().unwrap();
    assert_eq!(refused["error"]["code"], "order_not_changeable");
    assert_eq!(
        refused["error"]["message"],
        "This order is paid and can no longer be changed"
    );
    let order: Value = support::client()
        .get(app.url(&format!("/orders/{number}")))
        .bearer_auth(support::TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(order["address"]["line1"], "221B Baker Street");
    assert_eq!(order["state"], "paid");
}

/// The app with the manifest's default limit on unpaid orders per client (the harness
/// raises it for every other test).
fn start_with_default_limits(dir: &Path) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env_remove("SPIN_VARIABLE_MAX_UNPAID_ORDERS_PER_CLIENT");
    support::spawn(cmd, dir).ready()
}

#[test]
fn one_order_takes_whatever_the_shelf_holds() {
    let dir = tempfile::tempdir().unwrap();
    support::raise_stock(dir.path());
    let app = start_with_default_limits(dir.path());
    let shopper = app.shopper();
    let (_, added) = shopper.add_to_cart(SLUG, "21");
    assert_eq!(added.status(), 303);
    let number = shopper.check_out();
    let order = app.order(&number);
    assert_eq!(order["items"][0]["quantity"], 21);
    assert_eq!(order["state"], "pending_payment");
}

#[test]
fn too_many_unpaid_orders_are_refused_at_the_field_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let app = start_with_default_limits(dir.path());
    for i in 0..3 {
        let r = app.post_order(Some(&format!("held-{i}")), &support::order_body(SLUG, 1));
        assert_eq!(r.status(), 201);
    }
    let shopper = app.shopper();
    shopper.add_to_cart(SLUG, "1");
    let checkout = shopper.page("/checkout");
    let refused = shopper.checkout_shows(&support::checkout_form(&checkout));
    assert_eq!(refused.status(), 429);
    let page = refused.text().unwrap();
    let said = "You already have 3 unpaid orders. Please pay for one, or wait until an \
                unpaid one expires, before placing another.";
    assert!(
        page.contains(&format!("<p class=\"error\" id=\"order-error\">{said}</p>")),
        "{page:.6000}"
    );
    assert!(page.contains("aria-describedby=\"order-error\""));
    assert!(!page.contains("items at a time"), "no jargon");
}
