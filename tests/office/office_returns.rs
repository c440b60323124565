//! Orders that match reality for the owner, through the real components and a real SQLite
//! file: the order search finds the start of a name, an email or a number; the export holds
//! what was refunded and the parcel's tracking; the "on its way" email and the shopper's
//! order page carry the carrier, the number and the tracking link; a refund returns the
//! goods the owner names to the shelf, once; a paid, unshipped order is cancelled,
//! refunded at the provider and restocked in one step (a shipped one is refused); the
//! dashboard's revenue is net of refunds, with its currency.

use crate::office_orders::start_stripe;
use crate::support;

use crate::support::fake_stripe::{self, FakeStripe};
use crate::support::{Owner, TestApp, decimal, escape_html};
use reqwest::Method;
use serde_json::{Value, json};

/// Places an order of `quantity` French presses for `name` and `email`: its number and
/// total.
fn place(app: &TestApp, key: &str, name: &str, email: &str, quantity: i64) -> (String, i64) {
    let mut body = support::order_body("french-press", quantity);
    body["name"] = json!(name);
    body["email"] = json!(email);
    let placed = app.place(key, &body);
    (
        placed["number"].as_str().unwrap().to_string(),
        placed["total"]["amount"].as_i64().unwrap(),
    )
}

/// Pays `number` with the test-mode provider.
fn pay_test(app: &TestApp, number: &str) {
    app.pay(number);
    assert_eq!(app.order_state(number), "paid");
}

/// The French press's SKU and its stock now.
fn press(app: &TestApp) -> (String, i64) {
    let product: Value = support::client()
        .get(app.url("/api/products/french-press"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let variant = &product["variants"][0];
    (
        variant["sku"].as_str().unwrap().to_string(),
        variant["stock"].as_i64().unwrap(),
    )
}

/// Ships `number` from its confirmation form with `fields` besides the form's own.
fn ship_with(owner: &Owner, number: &str, fields: &[(&str, &str)]) -> String {
    let (csrf, key) = owner.confirm(number, "ship");
    let mut form = vec![("csrf", csrf.as_str()), ("idempotency_key", key.as_str())];
    form.extend_from_slice(fields);
    owner.follow(owner.post(&format!("/admin/orders/{number}/ship"), &form))
}

/// A refund through the owner's JSON API: status and answer.
fn refund(app: &TestApp, number: &str, key: &str, body: Value) -> (u16, Value) {
    let r = app.admin().send(
        Method::POST,
        &format!("/admin/orders/{number}/refund"),
        Some(key),
        Some(&body),
    );
    (r.status().as_u16(), r.json().unwrap())
}

#[test]
fn the_search_finds_the_start_of_names_emails_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let (grace, _) = place(&app, "find-1", "Grace Hopper", "admiral@navy.example", 1);
    let (alan, _) = place(&app, "find-2", "Alan Turing", "alan@bletchley.example", 1);
    let (percent, _) = place(&app, "find-3", "Percy 100% Sure", "p_s@example.com", 1);
    let owner = app.owner().sign_in();
    let search = |q: &str| {
        owner.page(&format!(
            "/admin/orders?q={}",
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        ))
    };
    let finds = |q: &str, wanted: &[&String]| {
        let html = search(q);
        for n in [&grace, &alan, &percent] {
            assert_eq!(
                html.contains(n.as_str()),
                wanted.contains(&n),
                "q={q:?} and {n}: {html:.3000}"
            );
        }
    };
    // The start of a name or of an email address, any case.
    finds("grace", &[&grace]);
    finds("ALAN T", &[&alan]);
    finds("admiral@NAVY", &[&grace]);
    finds("alan@bletchley.example", &[&alan]);
    // A part in the middle is not matched (no index serves "contains").
    finds("hopper", &[]);
    finds("bletchley", &[]);
    // The start of the number: with or without SF- and its dashes, any case.
    finds(&alan[..7], &[&alan]);
    finds(&alan[3..12].to_lowercase(), &[&alan]);
    finds(&alan[3..12].replace('-', ""), &[&alan]);
    finds(&alan.replace('-', "").to_lowercase(), &[&alan]);
    // Wildcards match only themselves.
    finds("Percy 100%", &[&percent]);
    finds("%", &[]);
    finds("p_s@", &[&percent]);
    finds("_", &[]);
    finds("a%", &[]);
    // The owner's JSON API searches the same way.
    let api = app
        .admin()
        .json(&format!("/admin/orders?q={}", &alan[..12]));
    assert_eq!(api["orders"].as_array().unwrap().len(), 1);
    assert_eq!(api["orders"][0]["number"], alan.as_str());
    app.stop();
}

#[test]
fn the_export_holds_what_was_refunded_and_the_tracking() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let (shipped, _) = place(&app, "export-t-1", "Ada Lovelace", "ada@example.com", 1);
    let (refunded, _) = place(&app, "export-t-2", "Bob Builder", "bob@example.com", 1);
    pay_test(&app, &shipped);
    pay_test(&app, &refunded);
    let owner = app.owner().sign_in();
    ship_with(
        &owner,
        &shipped,
        &[("tracking_number", "JJD0001"), ("tracking_carrier", "dhl")],
    );
    assert_eq!(
        refund(&app, &refunded, "export-refund-1", json!({"amount": 500})).0,
        202
    );

    let today = support::utc_day(0);
    let resp = owner
        .client()
        .get(app.url(&format!("/admin/export/orders.csv?from={today}&to={today}")))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<std::collections::HashMap<String, String>> = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    let row = |number: &str| {
        rows.iter()
            .find(|r| r["number"] == number)
            .unwrap_or_else(|| panic!("{number} in {text}"))
    };
    assert_eq!(
        (
            row(&shipped)["refunded"].as_str(),
            row(&shipped)["tracking_carrier"].as_str(),
            row(&shipped)["tracking_number"].as_str()
        ),
        ("0.00", "DHL", "JJD0001")
    );
    assert_eq!(
        (
            row(&refunded)["refunded"].as_str(),
            row(&refunded)["tracking_carrier"].as_str(),
            row(&refunded)["tracking_number"].as_str()
        ),
        (decimal(500).as_str(), "", "")
    );
    app.stop();
}

#[test]
fn the_on_its_way_email_and_the_order_page_carry_the_tracking_link() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let (known, _) = place(&app, "track-1", "Ada Lovelace", "ada@example.com", 1);
    let (other, _) = place(&app, "track-2", "Bob Builder", "bob@example.com", 1);
    pay_test(&app, &known);
    pay_test(&app, &other);
    let owner = app.owner().sign_in();
    let html = ship_with(
        &owner,
        &known,
        &[
            ("tracking_number", "JJD 0001/23"),
            ("tracking_carrier", "dhl"),
        ],
    );
    assert!(
        html.contains("is shipped (DHL tracking number JJD 0001/23)"),
        "{html:.3000}"
    );
    let link = "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?tracking-id=JJD%200001%2F23";
    assert!(html.contains(link), "the owner's order page links too");
    // A carrier the shop does not know: the number, no link.
    ship_with(
        &owner,
        &other,
        &[
            ("tracking_number", "42"),
            ("tracking_carrier_other", "Bike courier <Jan>"),
        ],
    );
    // A carrier without a number is refused at the field; nothing shipped.
    let (unpaid, _) = place(&app, "track-3", "Cy", "cy@example.com", 1);
    pay_test(&app, &unpaid);
    let (csrf, key) = owner.confirm(&unpaid, "ship");
    let refused = owner.post(
        &format!("/admin/orders/{unpaid}/ship"),
        &[
            ("csrf", csrf.as_str()),
            ("idempotency_key", key.as_str()),
            ("tracking_carrier", "ups"),
        ],
    );
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .unwrap()
            .contains("Enter the tracking number that goes with the carrier.")
    );
    assert_eq!(app.order_state(&unpaid), "paid");

    // The shopper's order page.
    let page = |number: &str| {
        support::as_shopper(
            support::client().get(app.url(&format!("/orders/{number}"))),
            number,
        )
        .send()
        .unwrap()
        .text()
        .unwrap()
    };
    let shopper = page(&known);
    assert!(shopper.contains("Tracking: DHL "), "{shopper:.4000}");
    assert!(
        shopper.contains(&format!("href=\"{link}\"")),
        "{shopper:.4000}"
    );
    let shopper = page(&other);
    assert!(shopper.contains(&escape_html("Bike courier <Jan>")));
    assert!(shopper.contains("<span class=\"number\">42</span>"));
    assert!(!shopper.contains("Track your parcel"));

    // The "on its way" emails, as the local mailbox received them.
    let dispatched = app
        .admin()
        .send(Method::POST, "/admin/outbox/dispatch", None, None);
    assert_eq!(dispatched.status().as_u16(), 200);
    let mails = app.admin().json("/admin/mail")["mails"]
        .as_array()
        .unwrap()
        .clone();
    let shipped_mail = |number: &str| {
        mails
            .iter()
            .find(|m| {
                m["event"] == "order.shipped" && m["subject"].as_str().unwrap().contains(number)
            })
            .unwrap_or_else(|| panic!("the shipped mail of {number}: {mails:?}"))
            .clone()
    };
    let mail = shipped_mail(&known);
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("Tracking: DHL JJD 0001/23"), "{text}");
    assert!(
        text.contains(&format!("Track your parcel: {link}")),
        "{text}"
    );
    let html = mail["html"].as_str().unwrap();
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    let mail = shipped_mail(&other);
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("Tracking: Bike courier <Jan> 42"), "{text}");
    assert!(!text.contains("Track your parcel"));
    let html = mail["html"].as_str().unwrap();
    assert!(!html.contains("<Jan>") && html.contains("&lt;Jan&gt;"));
    app.stop();
}

#[test]
fn a_refund_returns_the_units_the_owner_names_to_the_shelf_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let (number, total) = place(&app, "restock-1", "Ada Lovelace", "ada@example.com", 3);
    pay_test(&app, &number);
    let (sku, sold) = press(&app);

    // More than the line sold, or a SKU not on the order: 422 at the line, nothing
    // refunded or restocked.
    let (status, body) = refund(
        &app,
        &number,
        "restock-bad-1",
        json!({"amount": 100, "restock": [{"sku": sku, "quantity": 4}]}),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["fields"][0]["field"],
        format!("restock.{sku}")
    );
    let (status, _) = refund(
        &app,
        &number,
        "restock-bad-2",
        json!({"amount": 100, "restock": [{"sku": "no-such-sku", "quantity": 1}]}),
    );
    assert_eq!(status, 422);
    assert_eq!(press(&app).1, sold);

    // Two of three back with a partial refund; the same request again changes nothing.
    let ask = json!({"amount": 1000, "restock": [{"sku": sku, "quantity": 2}]});
    assert_eq!(refund(&app, &number, "restock-ok-1", ask.clone()).0, 202);
    assert_eq!(press(&app).1, sold + 2);
    assert_eq!(refund(&app, &number, "restock-ok-1", ask).0, 202);
    assert_eq!(press(&app).1, sold + 2, "a repeat restocks nothing");
    // Only one is left to return.
    let (status, _) = refund(
        &app,
        &number,
        "restock-ok-2",
        json!({"amount": 100, "restock": [{"sku": sku, "quantity": 2}]}),
    );
    assert_eq!(status, 422);
    // The owner's order page shows the return in the history.
    let owner = app.owner().sign_in();
    let html = owner.page(&format!("/admin/orders/{number}"));
    assert!(
        html.contains("Returned to stock: 2 × French Press"),
        "{html:.6000}"
    );
    assert!(html.contains("with refund 1"));
    app.stop();

    let conn = support::open_db(dir.path());
    let (delta, reason, restocks, seq): (i64, String, i64, i64) = conn
        .query_row(
            "SELECT a.delta, a.reason, \
               (SELECT count(*) FROM order_restocks r WHERE r.order_id = o.id), \
               (SELECT r.refund_seq FROM order_restocks r WHERE r.order_id = o.id) \
             FROM stock_adjustments a JOIN orders o ON o.id = a.order_id WHERE o.number = ?",
            [&number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((delta, restocks, seq), (2, 1, 1));
    assert!(reason.contains(&number), "{reason}");
    let refunded: i64 = support::scalar(
        &conn,
        &format!(
            "SELECT amount_refunded FROM payments WHERE order_id = (SELECT id FROM orders WHERE number = '{number}')"
        ),
    );
    assert_eq!(refunded, 1000);
    assert!(total > 1000);
    drop(conn);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn cancelling_a_paid_order_refunds_it_at_the_provider_and_restocks_it() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start_stripe(dir.path(), &fake);
    let (_, before) = press(&app);
    let (number, total) = place(&app, "cancel-paid-1", "Ada Lovelace", "ada@example.com", 2);
    let payment = support::as_shopper(
        support::client().post(app.url(&format!("/api/orders/{number}/payment"))),
        &number,
    )
    .send()
    .unwrap();
    assert_eq!(payment.status(), 200);
    let intent = payment.json::<Value>().unwrap()["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        fake_stripe::deliver(&app.base_url, &fake.succeed(&intent)).status(),
        200
    );
    assert_eq!(app.order_state(&number), "paid");
    assert_eq!(press(&app).1, before - 2);

    // The owner cancels it in the back office: one step.
    let owner = app.owner().sign_in();
    let confirm = owner.page(&format!("/admin/orders/{number}/cancel"));
    assert!(confirm.contains("Cancel and refund"), "{confirm:.3000}");
    let (csrf, key) = owner.confirm(&number, "cancel");
    let form = [("csrf", csrf.as_str()), ("idempotency_key", key.as_str())];
    let html = owner.follow(owner.post(&format!("/admin/orders/{number}/cancel"), &form));
    assert!(
        html.contains("its goods are back on the shelf and its payment is being refunded"),
        "{html:.3000}"
    );
    assert_eq!(app.order_state(&number), "cancelled");
    assert_eq!(press(&app).1, before, "both presses are back");
    // The provider was asked once, for the money, with the order's refund key.
    assert!(
        support::eventually(std::time::Duration::from_secs(20), || fake.refunds().len()
            == 1),
        "the courier refunds it: {}",
        app.stderr().join("\n")
    );
    assert_eq!(fake.refunds()[0]["payment_intent"], intent.as_str());
    assert_eq!(fake.refunds()[0]["amount"], total);
    let call = fake
        .received()
        .into_iter()
        .find(|r| r.path == "/v1/refunds")
        .unwrap();
    assert_eq!(
        call.headers["idempotency-key"],
        format!("storefront-refund-{number}")
    );
    // The same form again: nothing twice.
    let html = owner.follow(owner.post(&format!("/admin/orders/{number}/cancel"), &form));
    assert!(
        html.contains("already cancelled with this form"),
        "{html:.3000}"
    );
    assert_eq!(press(&app).1, before);
    assert_eq!(fake.refunds().len(), 1);
    // The provider confirms: the payment is refunded, the order stays cancelled.
    let refunded = fake.refunded(&intent);
    assert_eq!(fake_stripe::deliver(&app.base_url, &refunded).status(), 200);
    assert_eq!(app.order_state(&number), "cancelled");

    // A shipped order is refunded, not cancelled (JSON API too).
    let (shipped, _) = place(&app, "cancel-paid-2", "Bob", "bob@example.com", 1);
    let payment = support::as_shopper(
        support::client().post(app.url(&format!("/api/orders/{shipped}/payment"))),
        &shipped,
    )
    .send()
    .unwrap();
    let intent = payment.json::<Value>().unwrap()["intent_id"]
        .as_str()
        .unwrap()
        .to_string();
    fake_stripe::deliver(&app.base_url, &fake.succeed(&intent));
    assert_eq!(owner.ship(&shipped).status().as_u16(), 303);
    let (status, html) = owner.get(&format!("/admin/orders/{shipped}/cancel"));
    assert_eq!(status, 409);
    assert!(html.contains("refund a shipped one"), "{html:.3000}");
    let r = app.admin().cancel(&shipped);
    assert_eq!(r.status().as_u16(), 409);
    assert!(
        r.text().unwrap().contains("refund it instead"),
        "the API says what to do"
    );
    assert_eq!(app.order_state(&shipped), "fulfilled");
    drop(app);

    let conn = support::open_db(dir.path());
    let (restocked, reason, actor): (i64, String, String) = conn
        .query_row(
            "SELECT sum(r.quantity), max(a.reason), max(r.actor) FROM order_restocks r \
             JOIN stock_adjustments a ON a.id = r.stock_adjustment_id \
             JOIN orders o ON o.id = r.order_id WHERE o.number = ?",
            [&number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(restocked, 2);
    assert!(reason.contains("cancelling"), "{reason}");
    assert_eq!(actor, "owner");
    drop(conn);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn the_dashboard_revenue_is_net_of_refunds_with_its_currency() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let tile = |html: &str| -> String {
        let start = html.find("id=\"tile-revenue\"").unwrap();
        let end = html[start..].find("</li>").unwrap() + start;
        html[start..end].to_string()
    };
    // Nothing sold yet: nothing, in the shop's currency.
    let html = owner.page("/admin");
    assert!(
        tile(&html).contains("€0.00 <span class=\"currency\">EUR</span>"),
        "{}",
        tile(&html)
    );

    let (kept, kept_total) = place(&app, "net-1", "Ada", "ada@example.com", 1);
    let (partly, partly_total) = place(&app, "net-2", "Bob", "bob@example.com", 2);
    let (whole, _) = place(&app, "net-3", "Cy", "cy@example.com", 1);
    for n in [&kept, &partly, &whole] {
        pay_test(&app, n);
    }
    assert_eq!(
        refund(&app, &partly, "net-refund-1", json!({"amount": 700})).0,
        202
    );
    assert_eq!(refund(&app, &whole, "net-refund-2", json!({})).0, 202);
    assert_eq!(app.order_state(&whole), "refunded");
    let net = kept_total + partly_total - 700;
    let html = owner.page("/admin");
    let shown = tile(&html);
    assert!(
        shown.contains(&format!(
            "€{} <span class=\"currency\">EUR</span>",
            decimal(net)
        )),
        "net revenue {}: {shown}",
        decimal(net)
    );
    assert!(shown.contains("net revenue"));
    app.stop();
}
