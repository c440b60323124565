//! Returns as the shopper asks for them, through the real components and SQLite file: a
//! shipped order's page offers "Return items" within the shop's window; the form refuses
//! more than was bought, an empty reason and a second request while one waits, at the
//! field or above the form, writing nothing; an order not shipped yet, or shipped longer
//! ago than the window, takes no return. The request emails the shopper and the shop. A
//! German shopper reads all of it in German.

use crate::support;

use crate::support::{
    TestApp, as_shopper, ask_return, ask_return_with, client_with, ship_by_api, shopper_page,
};
use std::time::Duration;

/// Places an order of `quantity` French presses and pays it (test mode): its number.
fn paid_order(app: &TestApp, key: &str, quantity: i64) -> String {
    let placed = app.place(key, &support::order_body("french-press", quantity));
    let number = placed["number"].as_str().unwrap().to_string();
    app.pay(&number);
    number
}

#[test]
fn a_shipped_order_takes_one_return_within_the_window_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    // Not shipped yet: no return.
    let paid = paid_order(&app, "return-paid", 2);
    let (status, page) = shopper_page(&app, &paid, &format!("/orders/{paid}"));
    assert_eq!(status, 200);
    assert!(!page.contains("Return items"));
    let early = ask_return(&app, &paid, "1", "Too early");
    assert_eq!(early.status(), 409);
    assert!(
        early
            .text()
            .unwrap()
            .contains("once the order has been shipped")
    );

    let number = paid_order(&app, "return-1", 2);
    ship_by_api(&app, &number);
    let (_, page) = shopper_page(&app, &number, &format!("/orders/{number}"));
    assert!(page.contains("Return items"), "{page:.4000}");
    assert!(page.contains("You can ask to return items until"));
    // More than bought, at the field; no reason; nothing at all.
    let more = ask_return(&app, &number, "3", "Too many");
    assert_eq!(more.status(), 422);
    let more = more.text().unwrap();
    assert!(
        more.contains("You can return at most 2 of this item (you bought 2)."),
        "{more:.4000}"
    );
    assert!(more.contains("aria-invalid=\"true\""));
    let silent = ask_return(&app, &number, "1", "   ");
    assert_eq!(silent.status(), 422);
    assert!(silent.text().unwrap().contains("Please say why."));
    let none = ask_return(&app, &number, "0", "Nothing");
    assert_eq!(none.status(), 422);
    assert!(
        none.text()
            .unwrap()
            .contains("Choose at least one item to return.")
    );
    // The reason is the shopper's text, escaped.
    let asked = ask_return(&app, &number, "1", "Cracked <b>glass</b>");
    assert_eq!(asked.status(), 303, "{:?}", asked.text());
    assert_eq!(
        support::location(&asked),
        format!("/orders/{number}#returns")
    );
    let (_, page) = shopper_page(&app, &number, &format!("/orders/{number}"));
    assert!(
        page.contains("Waiting for the shop's answer"),
        "{page:.5000}"
    );
    assert!(page.contains("Cracked &lt;b&gt;glass&lt;/b&gt;"));
    // A second request while the first waits.
    let second = ask_return(&app, &number, "1", "The other one too");
    assert_eq!(second.status(), 409);
    assert!(second.text().unwrap().contains("waiting for the shop"));

    // The shopper and the shop hear of it.
    assert!(support::eventually(Duration::from_secs(120), || {
        let mails = app.admin().json("/admin/mail")["mails"].clone();
        let events: Vec<&str> = mails
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["event"].as_str())
            .collect();
        events.contains(&"return.requested") && events.contains(&"return.requested.owner")
    }));
    app.stop();
    let db = support::open_db(dir.path());
    assert_eq!(support::count(&db, "returns"), 1, "only the one request");
    assert_eq!(
        support::scalar(&db, "SELECT sum(quantity) FROM return_lines"),
        1
    );
    let owner_mail: String = db
        .query_row(
            "SELECT recipient FROM outbox WHERE event = 'return.requested.owner'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(owner_mail, "hallo@kaffee-und-kanne.example");
}

#[test]
fn an_order_shipped_longer_ago_than_the_window_takes_no_return() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let number = paid_order(&app, "return-late", 1);
    ship_by_api(&app, &number);
    app.stop();
    // Shipped 31 days ago (order events never change: the test lifts the trigger for it).
    let db = support::open_db(dir.path());
    let trigger: String = db
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'order_events_immutable'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute_batch(&format!(
        "DROP TRIGGER order_events_immutable;
         UPDATE order_events SET at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-31 days')
         WHERE to_state = 'fulfilled';
         {trigger};"
    ))
    .unwrap();
    drop(db);

    let app = support::start_with_admin(dir.path());
    let (_, page) = shopper_page(&app, &number, &format!("/orders/{number}"));
    assert!(!page.contains("Return items"));
    assert!(
        page.contains("The 30-day return window of this order has closed."),
        "{page:.5000}"
    );
    let late = ask_return(&app, &number, "1", "Late");
    assert_eq!(late.status(), 409);
    assert!(
        late.text()
            .unwrap()
            .contains("return window of this order has closed")
    );
    app.stop();
    let db = support::open_db(dir.path());
    assert_eq!(support::count(&db, "returns"), 0, "nothing was written");
}

#[test]
fn a_german_shopper_asks_for_a_return_in_german_and_is_answered_in_german() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let mut body = support::order_body("french-press", 2);
    body["locale"] = serde_json::json!("de");
    let placed = app.place("return-de", &body);
    let number = placed["number"].as_str().unwrap().to_string();
    app.pay(&number);
    ship_by_api(&app, &number);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("accept-language", "de-DE,de;q=0.9".parse().unwrap());
    let german = client_with(headers);
    let (status, page) = support::answer(as_shopper(
        german.get(app.url(&format!("/orders/{number}"))),
        &number,
    ));
    assert_eq!(status, 200);
    assert!(page.contains("Rücksendungen"), "{page:.5000}");
    assert!(page.contains("Artikel zurücksenden"));
    // The writer's refusal at the field, in German.
    let more = ask_return_with(&german, &app, &number, "3", "Zu viele");
    assert_eq!(more.status(), 422);
    let more = more.text().unwrap();
    assert!(
        more.contains("Sie können höchstens 2 dieses Artikels zurücksenden (Sie haben 2 gekauft)."),
        "{more:.5000}"
    );
    let asked = ask_return_with(&german, &app, &number, "1", "Glas gesprungen");
    assert_eq!(asked.status(), 303, "{:?}", asked.text());
    let (_, page) = support::answer(as_shopper(
        german.get(app.url(&format!("/orders/{number}"))),
        &number,
    ));
    assert!(
        page.contains("Wartet auf die Antwort des Shops"),
        "{page:.5000}"
    );
    // The order was placed in German: so is the email about its return.
    let mut subject = String::new();
    assert!(support::eventually(Duration::from_secs(120), || {
        let mails = app.admin().json("/admin/mail")["mails"].clone();
        let found = mails
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["event"] == "return.requested")
            .and_then(|m| m["subject"].as_str().map(str::to_string));
        subject = found.unwrap_or_default();
        !subject.is_empty()
    }));
    assert!(
        subject.starts_with(&format!(
            "Wir haben Ihre Rücksendeanfrage zur Bestellung {number} erhalten"
        )),
        "{subject}"
    );
    app.stop();
}
