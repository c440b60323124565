//! The back office's orders and payments through the real components and a real SQLite
//! file: the list's filters and pages, an order's page, shipping with a tracking number,
//! cancelling, refunding with the test-mode provider (a resubmitted form refunds once),
//! bad input and a missing CSRF token writing nothing, and the review of a flagged
//! payment event (Stripe mode against the fake provider).

use crate::support;

use crate::support::fake_stripe::{self, FakeStripe};
use crate::support::{Owner, TestApp, escape_html, hidden_field, office_csrf};
use serde_json::{Value, json};

/// Places an order for `email` through the public API; its number.
fn place(app: &TestApp, key: &str, email: &str) -> String {
    let mut body = support::order_body("french-press", 1);
    body["email"] = json!(email);
    app.place(key, &body)["number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Pays an order with the test-mode provider, as a shopper does on the payment page.
fn pay_test(app: &TestApp, number: &str) {
    app.pay(number);
    assert_eq!(app.order_state(number), "paid");
}

#[test]
fn the_list_filters_by_state_date_and_search_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let ada = place(&app, "list-ada-0001", "ada@example.com");
    let bob = place(&app, "list-bob-0001", "Bob.Builder@example.org");
    let cy = place(&app, "list-cy-00001", "cy@example.net");
    pay_test(&app, &bob);
    let owner = app.owner().sign_in();

    let all = owner.page("/admin/orders");
    for n in [&ada, &bob, &cy] {
        assert!(all.contains(n.as_str()), "{n}");
    }
    assert!(all.contains("<label for=\"filter-q\">"), "labelled filters");
    let paid = owner.page("/admin/orders?state=paid");
    assert!(paid.contains(&bob) && !paid.contains(&ada) && !paid.contains(&cy));
    // Search: the start of an email (any case), or the start of a number (any case).
    // As the filter form sends it: every field, the empty ones empty.
    let found = owner.page("/admin/orders?state=&from=&to=&q=bob.builder%40EXAMPLE");
    assert!(
        found.contains(&bob) && !found.contains(&ada),
        "{found:.2000}"
    );
    let prefix = cy[..9].to_lowercase();
    let found = owner.page(&format!("/admin/orders?q={prefix}"));
    assert!(found.contains(&cy) && !found.contains(&bob));
    // Dates (UTC days): today has all three, tomorrow none.
    let today = support::utc_day(0);
    let tomorrow = support::utc_day(1);
    let dated = owner.page(&format!("/admin/orders?from={today}&to={today}"));
    assert!(dated.contains(&ada) && dated.contains(&cy));
    let none = owner.page(&format!("/admin/orders?from={tomorrow}"));
    assert!(none.contains("No orders match.") && !none.contains(&ada));

    // Pages of two, newest first, filters kept in the links.
    let first = owner.page("/admin/orders?limit=2");
    assert!(first.contains(&cy) && first.contains(&bob) && !first.contains(&ada));
    let older = format!("/admin/orders?limit=2&amp;before={bob}");
    assert!(first.contains(&older), "{first:.4000}");
    let second = owner.page(&format!("/admin/orders?limit=2&before={bob}"));
    assert!(second.contains(&ada) && !second.contains(&cy));
    assert!(second.contains("Newest orders") && !second.contains("Older orders"));

    // Bad filters: 422, the message next to the field, what was typed kept, no list.
    let (status, bad) = owner.get("/admin/orders?from=2026-02-30&q=%3Cb%3Ex");
    assert_eq!(status, 422);
    assert!(bad.contains("aria-invalid=\"true\""), "{bad:.3000}");
    assert!(bad.contains("id=\"filter-from-error\""));
    assert!(bad.contains("value=\"2026-02-30\""));
    assert!(bad.contains("value=\"&lt;b&gt;x\"") && !bad.contains("<b>x"));
    assert!(!bad.contains(&ada));
    let (status, _) = owner.get(&format!("/admin/orders?q={}", "a".repeat(101)));
    assert_eq!(status, 422);

    // The bearer JSON API is unchanged, and takes the new filters too.
    let api: Value = support::client()
        .get(app.url("/admin/orders?state=paid&q=bob.b"))
        .bearer_auth(support::ADMIN_TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(api["orders"].as_array().unwrap().len(), 1);
    assert_eq!(api["orders"][0]["number"], bob.as_str());
    app.stop();
}

#[test]
fn the_owner_sees_a_paid_order_with_what_can_be_done_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let number = place(&app, "ship-0000001", "ada@example.com");
    pay_test(&app, &number);
    let owner = app.owner().sign_in();

    let detail = owner.page(&format!("/admin/orders/{number}"));
    for shown in [
        "French Press",
        "Subtotal",
        "Total",
        "ada@example.com",
        "12 Analytical Row",
        "United Kingdom",
        "History",
        "Shopper",
        "payment_intent.succeeded",
        "applied",
        "succeeded",
    ] {
        assert!(detail.contains(shown), "{shown}: {detail:.6000}");
    }
    assert!(detail.contains(&format!("href=\"/admin/orders/{number}/ship\"")));
    assert!(detail.contains(&format!("href=\"/admin/orders/{number}/refund\"")));
    // Not shipped yet: it can still be cancelled (refunded and restocked in one step).
    assert!(detail.contains(&format!("href=\"/admin/orders/{number}/cancel\"")));
    assert_eq!(owner.get("/admin/orders/SF-ZZZZ-ZZZZ-ZZZZ").0, 404);
    assert_eq!(owner.get("/admin/orders/not-a-number").0, 404);

    app.stop();
}

#[test]
fn a_bad_tracking_number_or_a_forged_form_ships_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let number = place(&app, "ship-0000001", "ada@example.com");
    pay_test(&app, &number);
    let owner = app.owner().sign_in();
    let path = format!("/admin/orders/{number}/ship");
    let (csrf, key) = owner.confirm(&number, "ship");
    // A bad tracking number: 422, the message next to the field, what was typed kept.
    let bad = owner.post(
        &path,
        &[
            ("csrf", &csrf),
            ("idempotency_key", &key),
            ("tracking_number", "<script>1</script>"),
        ],
    );
    assert_eq!(bad.status(), 422);
    let html = bad.text().unwrap();
    assert!(
        html.contains("id=\"tracking_number-error\""),
        "{html:.3000}"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains(&escape_html("<script>1</script>")) && !html.contains("<script>1"));
    assert_eq!(hidden_field(&html, "idempotency_key"), key, "the same form");
    // No CSRF token (or another's): 403.
    let forged = owner.post(
        &path,
        &[("idempotency_key", &key), ("tracking_number", "JJD01")],
    );
    assert_eq!(forged.status(), 403);
    let forged = owner.post(
        &path,
        &[
            ("csrf", "forged"),
            ("idempotency_key", &key),
            ("tracking_number", "JJD01"),
        ],
    );
    assert_eq!(forged.status(), 403);
    assert_eq!(app.order_state(&number), "paid", "nothing was written");

    app.stop();
}

#[test]
fn the_owner_ships_a_paid_order_with_a_tracking_number_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let number = place(&app, "ship-0000001", "ada@example.com");
    pay_test(&app, &number);
    let owner = app.owner().sign_in();
    let path = format!("/admin/orders/{number}/ship");
    let (csrf, key) = owner.confirm(&number, "ship");
    let form = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("tracking_number", " JJD 0001 2345 "),
    ];
    let shipped = owner.post(&path, &form);
    assert_eq!(
        support::location(&shipped),
        format!("/admin/orders/{number}")
    );
    let html = owner.follow(shipped);
    assert!(
        html.contains("is shipped (tracking number JJD 0001 2345)"),
        "{html:.3000}"
    );
    assert!(html.contains("<code>JJD 0001 2345</code>"));
    assert!(html.contains("Owner (back office)"));
    // A double click: the same form again is a replay, not a second shipment.
    let again = owner.post(&path, &form);
    let html = owner.follow(again);
    assert!(
        html.contains("was already shipped with this form"),
        "{html:.3000}"
    );
    assert_eq!(app.order_state(&number), "fulfilled");
    // The same form's key with another tracking number is another command: refused.
    let other = owner.post(
        &path,
        &[
            ("csrf", &csrf),
            ("idempotency_key", &key),
            ("tracking_number", "OTHER-1"),
        ],
    );
    assert_eq!(other.status(), 422);
    assert!(
        other
            .text()
            .unwrap()
            .contains("already used for another order command")
    );
    // Shipped orders are not shipped again: the confirmation page says why (409).
    let (status, html) = owner.get(&path);
    assert_eq!(status, 409);
    assert!(html.contains("Only a paid order can be shipped"));
    app.stop();

    let conn = support::open_db(dir.path());
    let (tracking, events, by_owner, commands): (String, i64, i64, i64) = conn
        .query_row(
            "SELECT o.tracking_number, \
               (SELECT count(*) FROM order_events e WHERE e.order_id = o.id AND e.to_state = 'fulfilled'), \
               (SELECT count(*) FROM order_events e WHERE e.order_id = o.id AND e.actor = 'owner'), \
               (SELECT count(*) FROM order_commands c WHERE c.order_id = o.id) \
             FROM orders o WHERE o.number = ?",
            [&number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (tracking.as_str(), events, by_owner, commands),
        ("JJD 0001 2345", 1, 1, 1)
    );
}

#[test]
fn the_owner_cancels_an_unpaid_order_and_refunds_a_paid_one_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let unpaid = place(&app, "cancel-00001", "ada@example.com");
    let paid = place(&app, "refund-00001", "bob@example.com");
    pay_test(&app, &paid);
    let stock_before = app.stock();
    let owner = app.owner().sign_in();

    let (csrf, key) = owner.confirm(&unpaid, "cancel");
    let path = format!("/admin/orders/{unpaid}/cancel");
    let form = [("csrf", csrf.as_str()), ("idempotency_key", key.as_str())];
    let html = owner.follow(owner.post(&path, &form));
    assert!(html.contains("is cancelled"), "{html:.3000}");
    assert_eq!(app.order_state(&unpaid), "cancelled");
    let html = owner.follow(owner.post(&path, &form));
    assert!(
        html.contains("already cancelled with this form"),
        "{html:.3000}"
    );
    let stock_after = app.stock();
    assert_eq!(
        stock_after["french-press"],
        stock_before["french-press"] + 1,
        "the stock is back"
    );
    // A form without its key is refused and changes nothing.
    let (csrf, _) = owner.confirm(&paid, "refund");
    let no_key = owner.post(
        &format!("/admin/orders/{paid}/refund"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(no_key.status(), 400);
    assert_eq!(app.order_state(&paid), "paid");

    let refund_page = owner.page(&format!("/admin/orders/{paid}/refund"));
    let total = app.order(&paid)["total"]["amount"].as_i64().unwrap();
    // The form offers the whole payment.
    let offered = hidden_field(&refund_page, "amount");
    assert_eq!(offered, support::decimal(total));
    let csrf = office_csrf(&refund_page);
    let key = hidden_field(&refund_page, "idempotency_key");
    let form = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("amount", offered.as_str()),
    ];
    let path = format!("/admin/orders/{paid}/refund");
    let html = owner.follow(owner.post(&path, &form));
    assert!(html.contains("is now refunded in full"), "{html:.3000}");
    assert!(html.contains("charge.refunded"));
    // The double submit: answered, nothing refunded twice.
    let html = owner.follow(owner.post(&path, &form));
    assert!(
        html.contains("already made with this form; nothing was refunded twice"),
        "{html:.3000}"
    );
    assert_eq!(app.order_state(&paid), "refunded");
    app.stop();

    let conn = support::open_db(dir.path());
    let refunds: i64 = conn
        .query_row(
            "SELECT count(*) FROM payment_events WHERE event_type = 'charge.refunded'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(refunds, 1);
    let (status, amount): (String, i64) = conn
        .query_row(
            "SELECT p.status, e.amount FROM payments p JOIN orders o ON o.id = p.order_id \
             JOIN payment_events e ON e.order_id = o.id AND e.event_type = 'charge.refunded' \
             WHERE o.number = ?",
            [&paid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), amount), ("refunded", total));
    let cancelled_by_owner: i64 = conn
        .query_row(
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id \
             WHERE o.number = ? AND e.to_state = 'cancelled' AND e.actor = 'owner'",
            [&unpaid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cancelled_by_owner, 1);
}

/// A paid order for one French press (more than €5.00) that `owner` shipped: its number
/// and total.
fn shipped(app: &TestApp, owner: &Owner) -> (String, i64) {
    let number = place(app, "partial-00001", "cy@example.com");
    pay_test(app, &number);
    assert_eq!(owner.ship(&number).status(), 303);
    assert_eq!(app.order_state(&number), "fulfilled");
    let total = app.order(&number)["total"]["amount"].as_i64().unwrap();
    assert!(total > 500, "the order costs more than €5.00");
    (number, total)
}

#[test]
fn bad_refund_amounts_and_a_forged_token_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (number, total) = shipped(&app, &owner);
    let path = format!("/admin/orders/{number}/refund");
    let (csrf, key) = owner.confirm(&number, "refund");
    let long_note = "n".repeat(501);
    let too_much = support::decimal(total + 1);
    for (amount, note, expected) in [
        ("", "", "Enter the amount to refund."),
        ("-1", "", "The amount "),
        ("abc", "", "The amount "),
        ("0", "", "The amount must be more than 0."),
        ("1.234", "", "decimal"),
        (too_much.as_str(), "", "what is left to refund"),
        (
            "5.00",
            long_note.as_str(),
            "The note is longer than 500 characters.",
        ),
    ] {
        let form = [
            ("csrf", csrf.as_str()),
            ("idempotency_key", key.as_str()),
            ("amount", amount),
            ("note", note),
        ];
        let r = owner.post(&path, &form);
        assert_eq!(r.status(), 422, "{amount:?}");
        let html = r.text().unwrap();
        assert!(
            html.contains(&escape_html(expected)),
            "{amount:?}: {expected}: {html:.4000}"
        );
        assert!(html.contains("aria-invalid=\"true\""), "{amount:?}");
    }
    // A forged CSRF token is refused too.
    let forged = owner.post(
        &path,
        &[
            ("csrf", "forged"),
            ("idempotency_key", key.as_str()),
            ("amount", "5.00"),
        ],
    );
    assert_eq!(forged.status(), 403);
    let detail = owner.page(&format!("/admin/orders/{number}"));
    assert!(
        !detail.contains("aria-label=\"Refunds\""),
        "bad input wrote nothing"
    );

    app.stop();
}

#[test]
fn the_owner_refunds_part_of_a_shipped_order_then_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (number, total) = shipped(&app, &owner);
    let path = format!("/admin/orders/{number}/refund");
    let (csrf, key) = owner.confirm(&number, "refund");
    // €5.00 back for a chipped mug: the order stays shipped.
    let form = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("amount", "5"),
        ("note", "Chipped mug"),
    ];
    let html = owner.follow(owner.post(&path, &form));
    assert!(html.contains("Refunded €5.00 of order"), "{html:.4000}");
    assert!(html.contains("€5.00 refunded in all"), "{html:.4000}");
    assert!(html.contains("Chipped mug"), "{html:.4000}");
    assert_eq!(app.order_state(&number), "fulfilled");
    // Sent twice: one refund.
    let html = owner.follow(owner.post(&path, &form));
    assert!(
        html.contains("already made with this form; nothing was refunded twice"),
        "{html:.3000}"
    );
    assert!(
        html.contains("€5.00 of €"),
        "what the provider confirmed: {html:.4000}"
    );
    // The shopper is told on the order page (and by email: checked below).
    let shopper = support::as_shopper(
        support::client().get(app.url(&format!("/orders/{number}"))),
        &number,
    )
    .send()
    .unwrap()
    .text()
    .unwrap();
    assert!(shopper.contains("Refunded: "), "{shopper:.4000}");
    assert!(shopper.contains("€5.00 of €"), "{shopper:.4000}");

    // The next form offers the rest, and refunding it refunds the order.
    let refund_page = owner.page(&path);
    let rest = total - 500;
    assert_eq!(hidden_field(&refund_page, "amount"), support::decimal(rest));
    let form = [
        ("csrf", office_csrf(&refund_page)),
        (
            "idempotency_key",
            hidden_field(&refund_page, "idempotency_key"),
        ),
        ("amount", hidden_field(&refund_page, "amount")),
    ];
    let r = owner
        .client()
        .post(app.url(&path))
        .form(&form)
        .send()
        .unwrap();
    let html = owner.follow(r);
    assert!(html.contains("is now refunded in full"), "{html:.4000}");
    assert_eq!(app.order_state(&number), "refunded");
    // Nothing is left to refund.
    let (status, html) = owner.get(&path);
    assert_eq!(status, 409, "{html:.3000}");
    app.stop();
    let (ok, findings) = support::check(dir.path());
    assert!(ok, "{findings:?}");
    let conn = support::open_db(dir.path());
    let told = support::scalar(
        &conn,
        "SELECT count(*) FROM outbox WHERE event = 'order.partially_refunded' \
         AND channel = 'email'",
    );
    assert_eq!(told, 1, "one email about the partial refund");
    let refunds: Vec<(i64, String)> = conn
        .prepare("SELECT amount, state FROM refunds ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        refunds,
        [
            (500, "accepted".to_string()),
            (rest, "accepted".to_string())
        ]
    );
}

/// The back office in Stripe mode against `fake`, with the owner's password and the admin
/// token.
pub(crate) fn start_stripe(dir: &std::path::Path, fake: &FakeStripe) -> TestApp {
    support::set_owner_password(dir, support::OWNER_PASSWORD);
    let mut cmd = support::up_command(dir);
    fake.configure(&mut cmd)
        .env("SPIN_VARIABLE_ADMIN_TOKEN", support::ADMIN_TOKEN);
    support::spawn(cmd, dir).ready()
}

#[test]
fn the_owner_reviews_a_flagged_payment_event() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start_stripe(dir.path(), &fake);
    // Money for an order this shop has never seen, with hostile text in its data.
    let stranger = fake.create_intent(4200, "eur", Some("SF-ZZZZ-ZZZZ-ZZZZ"));
    fake.edit_intent(&stranger, |i| {
        i["description"] = json!("<img src=x onerror=alert(1)>")
    });
    let flagged = fake.succeed(&stranger);
    assert_eq!(fake_stripe::deliver(&app.base_url, &flagged).status(), 200);
    let event_id = flagged["id"].as_str().unwrap().to_string();
    let owner = app.owner().sign_in();

    let queue = owner.page("/admin/payments");
    assert!(queue.contains(&event_id), "{queue:.4000}");
    assert!(queue.contains("Money for an order this shop does not know"));
    assert!(queue.contains("SF-ZZZZ-ZZZZ-ZZZZ"));
    assert!(queue.contains("42.00"), "the amount");
    assert!(!queue.contains("<img src=x") && queue.contains("&lt;img src=x"));
    let csrf = office_csrf(&queue);
    let path = format!("/admin/payments/{event_id}/review");

    // An empty note: 422 next to the field; a missing CSRF token: 403. Nothing recorded.
    let empty = owner.post(&path, &[("csrf", &csrf), ("note", "   ")]);
    assert_eq!(empty.status(), 422);
    let html = empty.text().unwrap();
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("field-error"));
    let forged = owner.post(&path, &[("note", "looked")]);
    assert_eq!(forged.status(), 403);
    assert_eq!(owner.get("/admin/payments/evt%2F../review").0, 404);

    let note = "Another shop's charge; refunded in the dashboard.";
    let form = [("csrf", csrf.as_str()), ("note", note)];
    let html = owner.follow(owner.post(&path, &form));
    assert!(html.contains("is recorded"), "{html:.3000}");
    assert!(html.contains("No payment events are waiting for review."));
    // Sent again: answered, not recorded twice.
    let again = owner.post(&path, &form);
    assert_eq!(again.status(), 303, "{:?}", again.text());
    app.stop();

    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "payment_event_reviews"), 1);
    let stored: String = conn
        .query_row("SELECT note FROM payment_event_reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, note);
}
