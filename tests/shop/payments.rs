//! Payments against a Stripe-compatible server the tests run themselves: every charge
//! is traceable to an order committed before it, webhooks are verified, deduplicated
//! and applied in any order, refunds go through the provider, and reconciliation
//! names every kind of mismatch.

use crate::support;

use crate::support::TestApp;
use crate::support::fake_stripe::{self, FakeStripe, PUBLISHABLE_KEY, WEBHOOK_SECRET};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::Path;

const ADMIN: &str = support::ADMIN_TOKEN;

fn stripe_env(cmd: &mut std::process::Command, fake: &FakeStripe) {
    fake.configure(cmd).env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN);
}

fn start(dir: &Path, fake: &FakeStripe) -> TestApp {
    let mut cmd = support::up_command(dir);
    stripe_env(&mut cmd, fake);
    support::spawn(cmd, dir).ready()
}

/// Places an order through the API; returns (number, total amount).
fn place(app: &TestApp, key: &str) -> (String, i64) {
    let v = app.place(key, &support::order_body("french-press", 1));
    (
        v["number"].as_str().unwrap().to_string(),
        v["total"]["amount"].as_i64().unwrap(),
    )
}

/// Asks the pages for the payment step of an order; returns the intent id.
fn pay(app: &TestApp, number: &str) -> Value {
    let r = support::as_shopper(
        support::client().post(app.url(&format!("/api/orders/{number}/payment"))),
        number,
    )
    .send()
    .unwrap();
    assert_eq!(r.status(), 200);
    r.json().unwrap()
}

fn reconcile(dir: &Path, fake: &FakeStripe) -> (bool, String) {
    support::reconcile(dir, |cmd| stripe_env(cmd, fake))
}

#[test]
fn happy_path_to_paid_with_one_intent_and_replayed_webhooks() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, total) = place(&app, "pay-1");

    let payment = pay(&app, &number);
    let intent = payment["intent_id"].as_str().unwrap().to_string();
    assert_eq!(payment["provider"], "stripe");
    assert_eq!(payment["publishable_key"], PUBLISHABLE_KEY);
    assert_eq!(payment["amount"]["amount"], total);
    assert_eq!(
        payment["client_secret"],
        fake.intent(&intent)["client_secret"]
    );
    let created = fake.received();
    let create = created
        .iter()
        .find(|r| r.path == "/v1/payment_intents")
        .unwrap();
    assert_eq!(create.form["amount"], total.to_string());
    assert_eq!(create.form["currency"], "eur");
    assert_eq!(create.form["metadata[order_number]"], number);
    assert!(create.headers["idempotency-key"].contains(&number));

    // Asking again (a reload, a retry) never creates a second intent.
    assert_eq!(pay(&app, &number)["intent_id"], intent.as_str());
    let page = support::as_shopper(
        support::client().get(app.url(&format!("/orders/{number}/pay"))),
        &number,
    )
    .send()
    .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().unwrap();
    assert!(page.contains("js.stripe.com") && page.contains(PUBLISHABLE_KEY));
    assert_eq!(fake.intents().len(), 1);

    let event = fake.succeed(&intent);
    assert_eq!(fake_stripe::deliver(&app.base_url, &event).status(), 200);
    assert_eq!(app.order_state(&number), "paid");
    // Stripe delivers at least once: the same event again changes nothing.
    assert_eq!(fake_stripe::deliver(&app.base_url, &event).status(), 200);
    let order = app.order(&number);
    assert_eq!(order["events"].as_array().unwrap().len(), 2, "{order}");
    drop(app);
    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "payment_events"), 1);
    drop(conn);
    let (ok, report) = reconcile(dir.path(), &fake);
    assert!(ok, "{report}");
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn webhooks_are_verified_and_applied_in_any_order() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, _) = place(&app, "order-1");
    let intent = pay(&app, &number)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Forged, stale, missing and malformed signatures: 400 and nothing written.
    let event = fake.succeed(&intent);
    let payload = serde_json::to_string(&event).unwrap();
    // Each signature is made just before it is sent, so a slow run cannot bring "from
    // the future" back inside the tolerance.
    let signed = |secret: &str, skew: i64| {
        fake_stripe::signature(secret, fake_stripe::now() + skew, &payload)
    };
    for what in [
        "wrong secret",
        "stale",
        "from the future",
        "missing",
        "malformed",
    ] {
        let header = match what {
            "wrong secret" => signed("whsec_wrong", 0),
            "stale" => signed(WEBHOOK_SECRET, -301),
            "from the future" => signed(WEBHOOK_SECRET, 301),
            "missing" => String::new(),
            _ => "v1=,t=".to_string(),
        };
        let r = fake_stripe::deliver_raw(&app.base_url, &payload, &header);
        assert_eq!(r.status(), 400, "{what}");
        assert!(
            r.json::<Value>().unwrap()["error"]["code"].is_string(),
            "{what}"
        );
    }
    let tampered = payload.replace(&intent, "pi_fake_other");
    let r = fake_stripe::deliver_raw(
        &app.base_url,
        &tampered,
        &fake_stripe::signature(WEBHOOK_SECRET, fake_stripe::now(), &payload),
    );
    assert_eq!(r.status(), 400, "a signature covers the exact body");
    assert_eq!(app.order_state(&number), "pending_payment");

    // The refund overtakes the success; the order still ends refunded.
    let refund = fake.refunded(&intent);
    assert_eq!(fake_stripe::deliver(&app.base_url, &refund).status(), 200);
    assert_eq!(app.order_state(&number), "pending_payment");
    // Several v1 signatures (secret rotation): one valid is enough.
    let good = fake_stripe::signature(WEBHOOK_SECRET, fake_stripe::now(), &payload);
    let rotated = format!(
        "{},v1={}",
        fake_stripe::signature("whsec_old", fake_stripe::now(), &payload),
        &good[good.find("v1=").unwrap() + 3..]
    );
    assert_eq!(
        fake_stripe::deliver_raw(&app.base_url, &payload, &rotated).status(),
        200
    );
    assert_eq!(app.order_state(&number), "refunded");
    drop(app);
    assert_eq!(
        support::count(&support::open_db(dir.path()), "payment_events"),
        2
    );
}

#[test]
fn a_payment_lands_on_its_order_even_if_pages_died_before_recording_the_intent() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, total) = place(&app, "died-1");
    // The intent exists at the provider (created with the order number), but pages never
    // told the writer about it.
    let intent = fake.create_intent(total, "eur", Some(&number));
    let event = fake.succeed(&intent);
    assert_eq!(fake_stripe::deliver(&app.base_url, &event).status(), 200);
    assert_eq!(app.order_state(&number), "paid");
    // The next payment step finds the recorded intent rather than creating another.
    drop(app);
    let (ok, report) = reconcile(dir.path(), &fake);
    assert!(ok, "{report}");
}

/// An order placed and paid at the fake Stripe (its success delivered): its number,
/// total and payment intent.
fn paid_at_stripe(app: &TestApp, fake: &FakeStripe) -> (String, i64, String) {
    let (number, total) = place(app, "partial-1");
    let intent = pay(app, &number)["intent_id"].as_str().unwrap().to_string();
    fake_stripe::deliver(&app.base_url, &fake.succeed(&intent));
    (number, total, intent)
}

/// A refund of order `number` through the admin API with `key` and `body`: the status
/// and the JSON answer.
fn refund(app: &TestApp, number: &str, key: Option<&str>, body: Value) -> (u16, Value) {
    let r = app.admin().send(
        Method::POST,
        &format!("/admin/orders/{number}/refund"),
        key,
        Some(&body),
    );
    let status = r.status().as_u16();
    (status, r.json::<Value>().unwrap())
}

#[test]
fn bad_refund_amounts_are_refused_before_anything_is_written() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, total, _) = paid_at_stripe(&app, &fake);
    // An amount needs a key; bad amounts are refused before anything is written.
    assert_eq!(refund(&app, &number, None, json!({"amount": 300})).0, 400);
    for bad in [
        json!({"amount": 0}),
        json!({"amount": -1}),
        json!({"amount": "3"}),
    ] {
        assert_eq!(
            refund(&app, &number, Some("bad"), bad.clone()).0,
            422,
            "{bad}"
        );
    }
    let (status, body) = refund(
        &app,
        &number,
        Some("too-much"),
        json!({"amount": total + 1}),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "amount");
    assert!(fake.refunds().is_empty());

    app.stop();
    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "refunds"), 0);
}

#[test]
fn partial_refunds_add_up_to_the_payment_and_a_refused_one_frees_its_amount() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, total, intent) = paid_at_stripe(&app, &fake);
    // €3.00 back, asked twice with one key: one refund at Stripe, for €3.00.
    let (status, first) = refund(
        &app,
        &number,
        Some("r-1"),
        json!({"amount": 300, "note": "late"}),
    );
    assert_eq!(status, 202, "{first}");
    assert_eq!(first["amount"]["amount"], 300);
    assert_eq!(first["order_state"], "paid");
    let (status, again) = refund(
        &app,
        &number,
        Some("r-1"),
        json!({"amount": 300, "note": "late"}),
    );
    assert_eq!((status, &again["refund_id"]), (202, &first["refund_id"]));
    assert_eq!(fake.refunds().len(), 1);
    assert_eq!(fake.refunds()[0]["amount"], 300);
    let call = fake
        .received()
        .into_iter()
        .find(|r| r.path == "/v1/refunds")
        .unwrap();
    assert_eq!(
        call.headers["idempotency-key"],
        format!("storefront-refund-{number}-1")
    );
    assert_eq!(call.form["amount"], "300");
    // The same key for another refund is refused.
    assert_eq!(
        refund(&app, &number, Some("r-1"), json!({"amount": 200})).0,
        422
    );

    // Stripe's charge.refunded carries €3.00 in all: the order stays paid.
    let event = fake.refunded(&intent);
    assert_eq!(event["data"]["object"]["amount_refunded"], 300);
    assert_eq!(fake_stripe::deliver(&app.base_url, &event).status(), 200);
    assert_eq!(app.order_state(&number), "paid");

    // Someone refunds the rest in Stripe's dashboard: the next refund is refused by
    // Stripe, recorded as failed, and its amount is free again in the ledger.
    fake.edit_intent(&intent, |i| i["amount_refunded"] = json!(total));
    let (status, body) = refund(&app, &number, Some("r-2"), json!({"amount": 100}));
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "refund_failed");
    let (status, body) = refund(&app, &number, Some("r-2"), json!({"amount": 100}));
    assert_eq!(status, 409, "a refused refund stays refused: {body}");
    fake.edit_intent(&intent, |i| i["amount_refunded"] = json!(300));

    // The rest, without a key: everything still refundable, then the order is refunded.
    let (status, rest) = refund(&app, &number, None, json!({}));
    assert_eq!(status, 202, "{rest}");
    assert_eq!(rest["amount"]["amount"], total - 300);
    assert_eq!(fake.refunds().len(), 2);
    let (status, _) = refund(&app, &number, None, json!({}));
    assert_eq!(status, 202, "the keyless whole refund is idempotent");
    assert_eq!(fake.refunds().len(), 2);
    assert_eq!(
        fake_stripe::deliver(&app.base_url, &fake.refunded(&intent)).status(),
        200
    );
    assert_eq!(app.order_state(&number), "refunded");
    let (status, body) = refund(&app, &number, Some("r-3"), json!({"amount": 1}));
    assert_eq!(status, 409, "nothing is left: {body}");
    app.stop();

    let (ok, findings) = support::check(dir.path());
    assert!(ok, "{findings:?}");
    let conn = support::open_db(dir.path());
    let refunds: Vec<(i64, i64, String)> = conn
        .prepare("SELECT seq, amount, state FROM refunds ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        refunds,
        [
            (1, 300, "accepted".to_string()),
            (2, 100, "failed".to_string()),
            (3, total - 300, "accepted".to_string()),
        ]
    );
    let messages = support::scalar(
        &conn,
        "SELECT count(*) FROM outbox WHERE event = 'order.partially_refunded'",
    );
    assert_eq!(messages, 1, "one email about the partial refund");
}

#[test]
fn refunds_go_through_the_provider_and_land_with_the_event() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, _) = place(&app, "refund-1");
    let intent = pay(&app, &number)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    let refund_url = app.url(&format!("/admin/orders/{number}/refund"));
    // Not refundable before it is paid.
    let early = app.admin().refund(&number);
    assert_eq!(early.status(), 409);
    fake_stripe::deliver(&app.base_url, &fake.succeed(&intent));

    let anonymous = support::client().post(&refund_url).send().unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = support::client()
        .post(&refund_url)
        .bearer_auth("nope")
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(fake.refunds().is_empty());

    let accepted = app.admin().refund(&number);
    assert_eq!(accepted.status(), 202);
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["payment_intent"], intent.as_str());
    let request = fake
        .received()
        .into_iter()
        .find(|r| r.path == "/v1/refunds")
        .unwrap();
    assert!(request.headers.contains_key("idempotency-key"));
    assert_eq!(
        app.order_state(&number),
        "paid",
        "refunded only when the provider confirms"
    );
    // A repeated command reuses the idempotency key: still one refund.
    app.admin().refund(&number);
    assert_eq!(fake.refunds().len(), 1);

    assert_eq!(
        fake_stripe::deliver(&app.base_url, &fake.refunded(&intent)).status(),
        200
    );
    assert_eq!(app.order_state(&number), "refunded");
}

#[test]
fn reconciliation_names_every_kind_of_mismatch() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);

    // Charged at the provider, but the webhook never arrived.
    let (unpaid, _) = place(&app, "rec-1");
    let unpaid_intent = pay(&app, &unpaid)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    fake.succeed(&unpaid_intent);
    // Paid in the ledger, but the provider no longer shows a success.
    let (paid, _) = place(&app, "rec-2");
    let paid_intent = pay(&app, &paid)["intent_id"].as_str().unwrap().to_string();
    fake_stripe::deliver(&app.base_url, &fake.succeed(&paid_intent));
    fake.edit_intent(&paid_intent, |i| i["status"] = json!("canceled"));
    // Amounts differ.
    let (amount, _) = place(&app, "rec-3");
    let amount_intent = pay(&app, &amount)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    fake_stripe::deliver(&app.base_url, &fake.succeed(&amount_intent));
    fake.edit_intent(&amount_intent, |i| {
        i["amount"] = json!(i["amount"].as_i64().unwrap() + 100)
    });
    // A charge for an order the ledger has never seen, and its event.
    let stranger = fake.create_intent(4200, "eur", Some("SF-ZZZZ-ZZZZ-ZZZZ"));
    assert_eq!(
        fake_stripe::deliver(&app.base_url, &fake.succeed(&stranger)).status(),
        200
    );
    drop(app);

    let (ok, report) = reconcile(dir.path(), &fake);
    assert!(!ok, "{report}");
    for (kind, who) in [
        ("succeeded_intent_order_not_paid", unpaid.as_str()),
        ("paid_order_without_succeeded_intent", paid.as_str()),
        ("amount_mismatch", amount.as_str()),
        ("intent_for_unknown_order", stranger.as_str()),
        ("event_for_unknown_order", "SF-ZZZZ-ZZZZ-ZZZZ"),
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(kind) && l.contains(who)),
            "{kind} for {who} missing from:\n{report}"
        );
    }
    let (audit_ok, findings) = support::check(dir.path());
    assert!(!audit_ok, "the audit flags the unknown order's event too");
    assert!(
        findings.join("\n").contains("SF-ZZZZ-ZZZZ-ZZZZ"),
        "{findings:?}"
    );
}

#[test]
fn the_test_mode_provider_pays_locally_and_never_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let browser = support::client();
    let (number, _) = place(&app, "test-mode-1");
    let page = support::as_shopper(
        browser.get(app.url(&format!("/orders/{number}/pay"))),
        &number,
    )
    .send()
    .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().unwrap();
    assert!(page.contains("TEST MODE"));
    let csrf = support::hidden_field(&page, "csrf");
    let paid = support::as_shopper(
        browser.post(app.url(&format!("/orders/{number}/pay/test"))),
        &number,
    )
    .form(&[("csrf", csrf.as_str())])
    .send()
    .unwrap();
    assert_eq!(paid.status(), 303);
    assert_eq!(app.order_state(&number), "paid");
    drop(app);

    let mut writer = support::writer_command(dir.path(), &[]);
    writer.env("SPIN_VARIABLE_ACCEPT_TEST_PAYMENTS", "true");
    let mut pages = support::pages_command("http://127.0.0.1:9");
    pages.env("SPIN_VARIABLE_PAYMENT_MODE", "test");
    for cmd in [writer, pages] {
        let (_, stderr) = support::spawn(cmd, dir.path())
            .refused("a production process must not accept test-mode payments");
        assert!(
            stderr.join("\n").contains("test-mode payments"),
            "{stderr:?}"
        );
    }
}

#[test]
fn the_shop_owner_ships_paid_orders_and_cancels_unpaid_ones() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let admin = |number: &str, action: &str, token: Option<&str>| {
        let mut r = support::client().post(app.url(&format!("/admin/orders/{number}/{action}")));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().unwrap()
    };
    let (paid, _) = place(&app, "ship-1");
    let intent = pay(&app, &paid)["intent_id"].as_str().unwrap().to_string();
    assert_eq!(
        admin(&paid, "fulfil", Some(ADMIN)).status(),
        409,
        "not paid yet"
    );
    fake_stripe::deliver(&app.base_url, &fake.succeed(&intent));
    assert_eq!(admin(&paid, "fulfil", None).status(), 401);
    assert_eq!(admin(&paid, "fulfil", Some("wrong")).status(), 401);
    let shipped = admin(&paid, "fulfil", Some(ADMIN));
    assert_eq!(shipped.status(), 200);
    assert_eq!(shipped.json::<Value>().unwrap()["state"], "fulfilled");
    assert_eq!(
        admin(&paid, "cancel", Some(ADMIN)).status(),
        409,
        "shipped orders are refunded, not cancelled"
    );

    let before = app.stock()["french-press"];
    let (unpaid, _) = place(&app, "cancel-1");
    assert_eq!(app.stock()["french-press"], before - 1);
    assert_eq!(admin(&unpaid, "cancel", Some(ADMIN)).status(), 200);
    assert_eq!(app.order_state(&unpaid), "cancelled");
    assert_eq!(app.stock()["french-press"], before, "stock returned");
    drop(app);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn reconciliation_reads_every_page_of_the_provider_list() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, total) = place(&app, "pages-1");
    let intent = pay(&app, &number)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    fake_stripe::deliver(&app.base_url, &fake.succeed(&intent));
    drop(app);
    // Abandoned attempts for the same order: more than two pages of the list API.
    for _ in 0..249 {
        fake.create_intent(total, "eur", Some(&number));
    }
    let (ok, report) = reconcile(dir.path(), &fake);
    assert!(ok, "{report}");
    assert!(report.contains("250 intents"), "{report}");
    let lists = fake
        .received()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/v1/payment_intents")
        .count();
    assert_eq!(lists, 3, "100 + 100 + 50");

    // An intent hidden on the last page is still found.
    let stranger = fake.create_intent(100, "eur", Some("SF-YYYY-YYYY-YYYY"));
    fake.edit_intent(&stranger, |i| {
        i["created"] = json!(fake_stripe::now() - 3600)
    });
    let (ok, report) = reconcile(dir.path(), &fake);
    assert!(!ok);
    assert!(report.contains(&stranger), "{report}");
}

#[test]
fn only_one_intent_per_order_can_ever_be_paid() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, total) = place(&app, "race-1");
    // Another intent for the order reached the ledger first (here: through its failed
    // attempt's event, as when a pages copy died after creating it).
    let first = fake.create_intent(total, "eur", Some(&number));
    assert_eq!(
        fake_stripe::deliver(&app.base_url, &fake.fail(&first)).status(),
        200
    );

    // The payment step finds the recorded intent and uses it: it creates none of its own
    // once one is recorded, so there is never a second intent to pay.
    let payment = pay(&app, &number);
    assert_eq!(payment["intent_id"], first.as_str());
    let ours: Vec<Value> = fake
        .intents()
        .into_iter()
        .filter(|i| i["id"] != first.as_str())
        .collect();
    assert!(ours.is_empty(), "{ours:?}");
    assert_eq!(
        pay(&app, &number)["intent_id"],
        first.as_str(),
        "stable on retry"
    );

    fake_stripe::deliver(&app.base_url, &fake.succeed(&first));
    assert_eq!(app.order_state(&number), "paid");
    drop(app);
    let (ok, report) = reconcile(dir.path(), &fake);
    assert!(ok, "{report}");
}

#[test]
fn a_human_review_settles_a_flagged_payment_event() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    // Money for an order the ledger has never seen (another shop on the same account).
    let stranger = fake.create_intent(4200, "eur", Some("SF-ZZZZ-ZZZZ-ZZZZ"));
    let flagged = fake.succeed(&stranger);
    assert_eq!(fake_stripe::deliver(&app.base_url, &flagged).status(), 200);
    let flagged_id = flagged["id"].as_str().unwrap().to_string();
    // A payment the ledger applied by itself.
    let (number, _) = place(&app, "review-1");
    let intent = pay(&app, &number)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    let applied = fake.succeed(&intent);
    assert_eq!(fake_stripe::deliver(&app.base_url, &applied).status(), 200);
    drop(app);

    let (ok, findings) = support::check(dir.path());
    assert!(
        !ok && findings.join("\n").contains(&flagged_id),
        "{findings:?}"
    );
    let (ok, report) = reconcile(dir.path(), &fake);
    assert!(
        !ok && report.contains("event_for_unknown_order"),
        "{report}"
    );

    let app = start(dir.path(), &fake);
    let review = |event_id: &str, token: Option<&str>, body: &str| {
        let mut r = support::client()
            .post(app.url(&format!("/admin/payment-events/{event_id}/review")))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = token {
            r = r.bearer_auth(token);
        }
        r.send().unwrap()
    };
    let note =
        json!({"note": " Charge from the old shop; refunded in the dashboard. "}).to_string();
    // Nothing is recorded for a caller without the admin token or with bad input.
    for (token, body, status) in [
        (None, note.as_str(), 401),
        (Some("wrong-admin-token-0123456789"), note.as_str(), 401),
        (Some(ADMIN), "{\"note\": ", 400),
        (Some(ADMIN), "{\"text\": \"x\"}", 422),
        (Some(ADMIN), "{\"note\": \"   \"}", 422),
    ] {
        let r = review(&flagged_id, token, body);
        assert_eq!(r.status(), status, "{token:?} {body}");
        let error: Value = r.json().unwrap();
        assert!(error["error"]["code"].is_string(), "{error}");
    }
    assert_eq!(review("evt_never_sent", Some(ADMIN), &note).status(), 404);
    assert_eq!(review("evt%2F..", Some(ADMIN), &note).status(), 404);
    let applied_id = applied["id"].as_str().unwrap();
    let refused = review(applied_id, Some(ADMIN), &note);
    assert_eq!(refused.status(), 409);
    assert_eq!(
        refused.json::<Value>().unwrap()["error"]["code"],
        "nothing_to_review"
    );

    let recorded = review(&flagged_id, Some(ADMIN), &note);
    assert_eq!(recorded.status(), 201);
    let recorded: Value = recorded.json().unwrap();
    assert_eq!(recorded["event_id"], flagged_id.as_str());
    assert_eq!(recorded["outcome"], "unknown_order");
    assert_eq!(
        recorded["note"],
        "Charge from the old shop; refunded in the dashboard."
    );
    // A retried command is answered with the same review; another verdict is refused.
    let again = review(&flagged_id, Some(ADMIN), &note);
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().unwrap(), recorded);
    let other = review(
        &flagged_id,
        Some(ADMIN),
        &json!({"note": "other"}).to_string(),
    );
    assert_eq!(other.status(), 409);
    assert_eq!(
        other.json::<Value>().unwrap()["error"]["code"],
        "already_reviewed"
    );
    drop(app);

    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "payment_event_reviews"), 1);
    assert_eq!(
        support::count(&conn, "payment_events"),
        2,
        "events stay as received"
    );
    drop(conn);
    let (ok, findings) = support::check(dir.path());
    assert!(ok, "{findings:?}");
    let (ok, report) = reconcile(dir.path(), &fake);
    assert!(ok, "{report}");
}

/// The app with the fake provider, short reservation times and a courier round every
/// second, so expiry and the provider calls it causes happen within a test.
fn start_expiring(dir: &Path, fake: &FakeStripe, ttl: &str, checkout_ttl: &str) -> TestApp {
    let mut cmd = support::up_command(dir);
    stripe_env(&mut cmd, fake);
    cmd.args(["--reservation-ttl", ttl, "--checkout-ttl", checkout_ttl])
        .args(["--courier-every", "1"]);
    support::spawn(cmd, dir).ready()
}

/// Whether the order reaches `wanted` within 20 s.
fn reaches(app: &TestApp, number: &str, wanted: &str) -> bool {
    support::eventually(std::time::Duration::from_secs(20), || {
        app.order_state(number) == wanted
    })
}

fn provider_calls(fake: &FakeStripe, path: &str) -> usize {
    fake.received().iter().filter(|r| r.path == path).count()
}

#[test]
fn expiry_cancels_the_intent_at_the_provider_before_the_order() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start_expiring(dir.path(), &fake, "2", "2");
    let before = app.stock()["french-press"];
    let (number, _) = place(&app, "slow-1");
    let intent = pay(&app, &number)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Past its time, the order is cancelled only once the provider has cancelled the
    // intent: nobody can pay it afterwards, and the stock goes back.
    assert!(
        reaches(&app, &number, "cancelled"),
        "{}",
        app.stderr().join("\n")
    );
    assert_eq!(fake.intent(&intent)["status"], "canceled");
    let cancel = format!("/v1/payment_intents/{intent}/cancel");
    assert_eq!(provider_calls(&fake, &cancel), 1);
    assert_eq!(app.stock()["french-press"], before);
    drop(app);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn a_payment_that_succeeds_while_its_order_expires_pays_the_order() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start_expiring(dir.path(), &fake, "2", "2");
    let before = app.stock()["french-press"];
    let (number, _) = place(&app, "3ds-1");
    let intent = pay(&app, &number)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    // The shopper finishes 3-D Secure; the provider's webhook is slow.
    let success = fake.succeed(&intent);

    // The expiry asks the provider to cancel; the provider refuses (it is paid), so the
    // order stays reserved instead of being cancelled under the shopper's money.
    let cancel = format!("/v1/payment_intents/{intent}/cancel");
    assert!(support::eventually(
        std::time::Duration::from_secs(20),
        || provider_calls(&fake, &cancel) >= 1
    ));
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(app.order_state(&number), "pending_payment");
    assert_eq!(app.stock()["french-press"], before - 1, "still reserved");
    assert_eq!(
        provider_calls(&fake, &cancel),
        1,
        "asked once, not on every sweep"
    );

    assert_eq!(fake_stripe::deliver(&app.base_url, &success).status(), 200);
    assert_eq!(app.order_state(&number), "paid");
    assert!(fake.refunds().is_empty());
    drop(app);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn money_for_a_cancelled_order_is_refunded_once_and_flagged_until_it_is() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start_expiring(dir.path(), &fake, "3600", "2");
    let (number, total) = place(&app, "late-1");
    // The pages created an intent and died before recording it: the ledger knows no
    // payment, so the order expires as one that never reached the payment step.
    let intent = fake.create_intent(total, "eur", Some(&number));
    assert!(reaches(&app, &number, "cancelled"));

    // The money still comes in.
    let success = fake.succeed(&intent);
    let answer: Value = fake_stripe::deliver(&app.base_url, &success)
        .json()
        .unwrap();
    assert_eq!(answer["outcome"], "order_not_payable");
    assert!(
        support::eventually(std::time::Duration::from_secs(20), || fake.refunds().len()
            == 1),
        "the courier refunds it: {}",
        app.stderr().join("\n")
    );
    let refund = &fake.refunds()[0];
    assert_eq!(refund["payment_intent"], intent.as_str());
    assert_eq!(refund["amount"], total);
    let refund_call = fake
        .received()
        .into_iter()
        .find(|r| r.path == "/v1/refunds")
        .unwrap();
    assert_eq!(
        refund_call.headers["idempotency-key"],
        format!("storefront-refund-{number}")
    );
    // A second delivery of the success is no second refund.
    assert_eq!(fake_stripe::deliver(&app.base_url, &success).status(), 200);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(fake.refunds().len(), 1);
    assert_eq!(provider_calls(&fake, "/v1/refunds"), 1);
    drop(app);

    // Until the provider confirms the refund, the audit says money is held.
    let (ok, audit) = support::check(dir.path());
    assert!(!ok);
    assert!(
        audit
            .iter()
            .any(|l| l.contains(&number) && l.contains("cancelled")),
        "{audit:?}"
    );
    let app = start_expiring(dir.path(), &fake, "3600", "2");
    let refunded = fake.refunded(&intent);
    assert_eq!(fake_stripe::deliver(&app.base_url, &refunded).status(), 200);
    assert_eq!(app.order_state(&number), "cancelled");
    drop(app);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn the_owner_cancels_an_order_with_a_live_intent_only_through_the_provider() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let cancel = |number: &str| app.admin().cancel(number);
    let (open, _) = place(&app, "owner-1");
    let open_intent = pay(&app, &open)["intent_id"].as_str().unwrap().to_string();
    let r = cancel(&open);
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["state"], "cancelled");
    assert_eq!(fake.intent(&open_intent)["status"], "canceled");

    // Paid at the provider, the webhook not yet here: the order is not cancelled.
    let (paying, _) = place(&app, "owner-2");
    let paying_intent = pay(&app, &paying)["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    let success = fake.succeed(&paying_intent);
    let r = cancel(&paying);
    assert_eq!(r.status(), 202);
    assert_eq!(r.json::<Value>().unwrap()["state"], "pending_payment");
    assert_eq!(fake_stripe::deliver(&app.base_url, &success).status(), 200);
    assert_eq!(app.order_state(&paying), "paid");
    assert!(fake.refunds().is_empty());
    drop(app);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn every_spelling_of_an_order_number_is_one_order_to_the_provider() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &fake);
    let (number, _) = place(&app, "spell-1");
    let bare = number.replace('-', "");
    let lookalike = number.replace('0', "O").replace('1', "I");
    let spellings = [
        number.clone(),
        number.to_lowercase(),
        bare.clone(),
        bare.to_lowercase(),
        lookalike,
    ];
    let intents: Vec<Value> = spellings
        .iter()
        .map(|s| pay(&app, s)["intent_id"].clone())
        .collect();
    assert!(intents.iter().all(|i| *i == intents[0]), "{intents:?}");
    let creates: Vec<_> = fake
        .received()
        .into_iter()
        .filter(|r| r.path == "/v1/payment_intents")
        .collect();
    assert!(!creates.is_empty());
    for c in &creates {
        assert_eq!(c.form["metadata[order_number]"], number);
        assert_eq!(
            c.headers["idempotency-key"],
            format!("storefront-intent-{number}")
        );
    }
    assert_eq!(fake.intents().len(), 1, "one intent at the provider");
    assert_eq!(
        provider_calls(
            &fake,
            &format!(
                "/v1/payment_intents/{}/cancel",
                intents[0].as_str().unwrap()
            )
        ),
        0
    );

    // Two refund requests with different spellings are one refund key.
    fake_stripe::deliver(&app.base_url, &fake.succeed(intents[0].as_str().unwrap()));
    for spelling in [number.to_lowercase(), bare] {
        let r = app.admin().refund(&spelling);
        assert_eq!(r.status(), 202);
    }
    let keys: Vec<String> = fake
        .received()
        .into_iter()
        .filter(|r| r.path == "/v1/refunds")
        .map(|r| r.headers["idempotency-key"].clone())
        .collect();
    assert!(!keys.is_empty());
    assert!(
        keys.iter()
            .all(|k| *k == format!("storefront-refund-{number}-1")),
        "{keys:?}"
    );
    assert_eq!(fake.refunds().len(), 1);
}
