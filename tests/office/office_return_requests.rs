//! The owner's answers to returns, through the real components, a fake Stripe and the
//! SQLite file: the returns list shows those waiting first; accepting refunds exactly the
//! returned units' share (not the shipping) through the refund path, once however often
//! it is sent, at the provider with the refund's own key, and puts the units back on the
//! shelf when asked; refusing needs a reason, which the shopper then reads on the order's
//! page; the audit is clean afterwards.

use crate::office_orders::start_stripe;
use crate::support;

use crate::support::fake_stripe::{self, FakeStripe};
use crate::support::{Owner, TestApp, ask_return, hidden_field, office_csrf, shopper_page};
use serde_json::json;

/// Places `quantity` French presses, pays them at the fake Stripe and ships them: the
/// order's number and its payment intent.
fn shipped(app: &TestApp, fake: &FakeStripe, key: &str, quantity: i64) -> (String, String) {
    let mut body = support::order_body("french-press", quantity);
    body["email"] = json!("ada@example.com");
    let placed = app.place(key, &body);
    let number = placed["number"].as_str().unwrap().to_string();
    let intent = fake.pay_order(app, &number);
    support::ship_by_api(app, &number);
    (number, intent)
}

/// The French press's stock now.
fn press_stock(app: &TestApp) -> i64 {
    app.json("/api/products/french-press")["variants"][0]["stock"]
        .as_i64()
        .unwrap()
}

/// The form of `action` (`accept` or `refuse`) for return `id` on `page`: csrf and key.
fn decision_form(page: &str, id: i64, action: &str) -> (String, String) {
    let at = page
        .find(&format!("/admin/returns/{id}/{action}\""))
        .unwrap_or_else(|| panic!("no {action} form for return {id}: {page:.4000}"));
    (
        office_csrf(page),
        hidden_field(&page[at..], "idempotency_key"),
    )
}

fn accept(owner: &Owner, id: i64, csrf: &str, key: &str) -> String {
    owner.follow(owner.post(
        &format!("/admin/returns/{id}/accept"),
        &[("csrf", csrf), ("idempotency_key", key), ("restock", "yes")],
    ))
}

#[test]
fn an_accepted_return_refunds_its_units_once_and_a_refused_one_tells_why() {
    let fake = FakeStripe::start();
    let dir = tempfile::tempdir().unwrap();
    let app = start_stripe(dir.path(), &fake);
    let (number, intent) = shipped(&app, &fake, "return-office-1", 2);
    let order = app.order(&number);
    let line_total = order["items"][0]["line_total"]["amount"].as_i64().unwrap();
    let unit = line_total / 2;
    let stock = press_stock(&app);
    assert_eq!(
        ask_return(&app, &number, "1", "Cracked glass").status(),
        303
    );

    // The list shows it waiting; the order's page too.
    let owner = app.owner().sign_in();
    let list = owner.page("/admin/returns");
    assert!(list.contains("Waiting for your answer"), "{list:.4000}");
    assert!(list.contains("Cracked glass") && list.contains(&number));
    let id: i64 = {
        let at = list.find("/admin/returns/").unwrap() + "/admin/returns/".len();
        list[at..].split('/').next().unwrap().parse().unwrap()
    };
    let order_page = owner.page(&format!("/admin/orders/{number}"));
    assert!(order_page.contains(&format!("/admin/returns/{id}/accept")));

    let (csrf, key) = decision_form(&list, id, "accept");
    let done = accept(&owner, id, &csrf, &key);
    assert!(
        done.contains(&format!("Return {id} is accepted.")),
        "{done:.4000}"
    );
    // One unit's share, not the shipping; at the provider with the refund's own key.
    assert_eq!(fake.refunds().len(), 1, "{:?}", fake.refunds());
    assert_eq!(fake.refunds()[0]["amount"], unit);
    assert_eq!(fake.refunds()[0]["payment_intent"], intent.as_str());
    let call = fake
        .received()
        .into_iter()
        .find(|r| r.path == "/v1/refunds")
        .unwrap();
    assert_eq!(
        call.headers["idempotency-key"],
        format!("storefront-refund-{number}-1")
    );
    assert_eq!(
        press_stock(&app),
        stock + 1,
        "the press is back on the shelf"
    );
    // The same form again, and a fresh one: the first refund, never a second.
    accept(&owner, id, &csrf, &key);
    accept(&owner, id, &csrf, "freshkeyfreshkey1");
    assert_eq!(fake.refunds().len(), 1);
    assert_eq!(press_stock(&app), stock + 1);
    // The provider confirms: the shopper sees the refund.
    let refunded = fake.refunded(&intent);
    assert_eq!(fake_stripe::deliver(&app.base_url, &refunded).status(), 200);
    let (_, page) = shopper_page(&app, &number, &format!("/orders/{number}"));
    assert!(
        page.contains(&format!("Accepted: €{}", support::decimal(unit))),
        "{page:.6000}"
    );

    // The other press: refused, with a reason the shopper reads.
    assert_eq!(
        ask_return(&app, &number, "1", "Changed my mind").status(),
        303
    );
    let list = owner.page("/admin/returns");
    let second = id + 1;
    let (csrf, key) = decision_form(&list, second, "refuse");
    let path = format!("/admin/returns/{second}/refuse");
    let empty = owner.post(
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("idempotency_key", key.as_str()),
            ("reason", " "),
        ],
    );
    assert_eq!(empty.status(), 422);
    assert!(empty.text().unwrap().contains("Please say why."));
    let done = owner.follow(owner.post(
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("idempotency_key", key.as_str()),
            ("reason", "Opened <i>items</i> cannot come back"),
        ],
    ));
    assert!(done.contains("is refused"), "{done:.4000}");
    let (_, page) = shopper_page(&app, &number, &format!("/orders/{number}"));
    assert!(page.contains("Refused"));
    assert!(page.contains("The shop's answer: Opened &lt;i&gt;items&lt;/i&gt; cannot come back"));
    assert_eq!(fake.refunds().len(), 1, "a refusal refunds nothing");
    assert_eq!(press_stock(&app), stock + 1);
    drop(owner);
    app.stop();

    let db = support::open_db(dir.path());
    assert_eq!(
        support::scalar(&db, "SELECT count(*) FROM refunds"),
        1,
        "one refund row"
    );
    assert_eq!(support::scalar(&db, "SELECT amount FROM refunds"), unit);
    drop(db);
    let (ok, lines) = support::check_full(dir.path());
    assert!(ok, "{lines:?}");
}

#[test]
fn the_owner_sets_the_return_window_and_zero_days_take_no_returns() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (page, csrf) = owner.page_and_csrf("/admin/settings/returns");
    assert!(page.contains("value=\"30\""), "the default: {page:.4000}");
    let key = hidden_field(&page, "idempotency_key");
    let save = |days: &str| {
        owner.post(
            "/admin/settings/returns",
            &[
                ("csrf", csrf.as_str()),
                ("idempotency_key", key.as_str()),
                ("return_window_days", days),
            ],
        )
    };
    let wrong = save("400");
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().unwrap().contains("from 0 to 365"));
    assert_eq!(save("0").status(), 303);
    assert!(
        owner
            .page("/admin/settings/returns")
            .contains("value=\"0\"")
    );

    let placed = app.place("window-0", &support::order_body("french-press", 1));
    let number = placed["number"].as_str().unwrap().to_string();
    app.pay(&number);
    support::ship_by_api(&app, &number);
    let (_, page) = shopper_page(&app, &number, &format!("/orders/{number}/return"));
    assert!(
        page.contains("This shop does not take returns."),
        "{page:.4000}"
    );
    assert_eq!(ask_return(&app, &number, "1", "Broken").status(), 409);
    app.stop();
}
