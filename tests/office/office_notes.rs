//! Notes on orders and the customers page, through the real components and SQLite file:
//! the shopper's note typed at checkout reaches the owner's order page, the shopper's own
//! order page and the export, escaped everywhere; one too long is refused at its field and
//! places nothing; the owner's internal notes (added once per drawn form) list who wrote
//! them and when, and never reach the shopper's page or API; the customers page groups
//! the orders by email address with what each spent, searches by the start of a name or
//! an email, and shows a customer's orders with their notes.

use crate::support;

use crate::support::{Owner, as_shopper, checkout_form, hidden_field};
use serde_json::json;

/// A valid checkout form for one French press in `shopper`'s cart, with `note` in the
/// checkout's textarea.
fn form_with_note(shopper: &support::Shopper<'_>, note: &str) -> Vec<(&'static str, String)> {
    let (_, added) = shopper.add_to_cart("french-press", "1");
    assert_eq!(added.status(), 303);
    let checkout = shopper.page("/checkout");
    assert!(
        checkout.contains("<textarea id=\"note\" name=\"note\""),
        "the note's field"
    );
    let mut form = checkout_form(&checkout);
    form.push(("note", note.to_string()));
    form
}

/// The number of the order a placing answer leads to (its payment page).
fn placed_number(answer: &reqwest::blocking::Response) -> String {
    assert_eq!(answer.status(), 303);
    let url = support::location(answer);
    url.strip_prefix("/orders/")
        .and_then(|rest| rest.strip_suffix("/pay"))
        .unwrap_or_else(|| panic!("placing led to {url}"))
        .to_string()
}

/// Adds an internal note with the order page's form: the page's HTML before, and the
/// answer.
fn add_note(owner: &Owner, number: &str, body: &str) -> (String, reqwest::blocking::Response) {
    let (page, csrf) = owner.page_and_csrf(&format!("/admin/orders/{number}"));
    let key = hidden_field(
        &page[page.find("/notes\"").expect("the note form")..],
        "idempotency_key",
    );
    let sent = owner.post(
        &format!("/admin/orders/{number}/notes"),
        &[("csrf", &csrf), ("idempotency_key", &key), ("body", body)],
    );
    (page, sent)
}

#[test]
fn the_checkout_note_reaches_the_owner_and_the_export_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let note = "Ring twice <b>please</b> & leave it by the gate\r\nCode: 4\"2";
    let shopper = app.shopper();
    let answer = shopper.submit_checkout(&form_with_note(&shopper, note));
    let number = placed_number(&answer);
    let stored = "Ring twice <b>please</b> & leave it by the gate\nCode: 4\"2";
    assert_eq!(app.order(&number)["note"], stored);

    let escaped =
        "Ring twice &lt;b&gt;please&lt;/b&gt; &amp; leave it by the gate<br>Code: 4&quot;2";
    let shopper_page = support::client()
        .get(app.url(&format!("/orders/{number}")))
        .header("order-token", support::order_token(&number));
    let shopper_page = shopper_page.send().unwrap().text().unwrap();
    assert!(shopper_page.contains(escaped), "{shopper_page:.3000}");
    let owner = app.owner().sign_in();
    let page = owner.page(&format!("/admin/orders/{number}"));
    assert!(page.contains(escaped), "{page:.3000}");
    assert!(!page.contains("<b>please</b>"));

    let today = support::utc_day(0);
    let csv = owner.page(&format!("/admin/export/orders.csv?from={today}&to={today}"));
    let csv = csv.trim_start_matches('\u{FEFF}');
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = headers
        .iter()
        .position(|h| h == "note")
        .expect("a note column");
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[column], stored);
}

#[test]
fn a_note_too_long_is_refused_at_its_field_and_nothing_is_placed() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let long = "x".repeat(501);
    let shopper = app.shopper();
    let answer = shopper.checkout_shows(&form_with_note(&shopper, &long));
    assert_eq!(answer.status(), 422);
    assert_eq!(answer.url().path(), "/checkout");
    let page = answer.text().unwrap();
    assert!(
        page.contains("id=\"note-error\"")
            && page.contains("Your note is too long: at most 500 characters, this one has 501."),
        "{page:.4000}"
    );
    assert!(page.contains("aria-describedby=\"note-hint note-error\""));
    // What was typed is kept, and nothing was written.
    assert!(page.contains(&long));
    let orders = app.admin().json("/admin/orders");
    assert_eq!(orders["orders"].as_array().unwrap().len(), 0, "{orders}");
}

#[test]
fn internal_notes_list_who_and_when_and_never_reach_the_shopper() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let number = app.place_order("notes-order-0001");
    let owner = app.owner().sign_in();
    let secret = "Customer called: <i>fragile</i>, wrap twice";
    let (page, sent) = add_note(&owner, &number, secret);
    assert!(page.contains("No internal notes yet."));
    let after = owner.follow(sent);
    assert!(after.contains("Note added."));
    assert!(after.contains("Customer called: &lt;i&gt;fragile&lt;/i&gt;, wrap twice"));
    assert!(after.contains("owner · "), "the author and the time");

    // The same drawn form sent again adds nothing.
    let (page, csrf) = owner.page_and_csrf(&format!("/admin/orders/{number}"));
    let key = hidden_field(&page[page.find("/notes\"").unwrap()..], "idempotency_key");
    for _ in 0..2 {
        let sent = owner.post(
            &format!("/admin/orders/{number}/notes"),
            &[
                ("csrf", csrf.as_str()),
                ("idempotency_key", &key),
                ("body", "Second"),
            ],
        );
        assert_eq!(sent.status(), 303);
    }
    let page = owner.page(&format!("/admin/orders/{number}"));
    assert_eq!(page.matches("<p>Second</p>").count(), 1, "{page:.5000}");

    // Refused: empty, and too long (at the field, kept, nothing written).
    let (_, empty) = add_note(&owner, &number, "   ");
    assert_eq!(empty.status(), 422);
    let long = "y".repeat(2001);
    let (_, too_long) = add_note(&owner, &number, &long);
    assert_eq!(too_long.status(), 422);
    let refused = too_long.text().unwrap();
    assert!(refused.contains("id=\"owner-note-error\""));
    assert!(refused.contains("The note is too long: at most 2000 characters"));
    assert!(refused.contains(&long));
    let notes = &app.admin().json(&format!("/admin/orders/{number}"))["notes"];
    assert_eq!(notes.as_array().unwrap().len(), 2, "{notes}");
    assert_eq!(notes[0]["author"], "owner");

    // The shopper's page and API carry neither note.
    let shopper_page = as_shopper(
        support::client().get(app.url(&format!("/orders/{number}"))),
        &number,
    )
    .send()
    .unwrap()
    .text()
    .unwrap();
    let api = app.order(&number).to_string();
    for shown in [&shopper_page, &api] {
        assert!(
            !shown.contains("fragile") && !shown.contains("Second"),
            "{shown:.3000}"
        );
    }
    assert!(app.order(&number).get("notes").is_none());
}

#[test]
fn customers_are_orders_grouped_by_email_with_what_they_spent() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let place = |key: &str, email: &str, name: &str| {
        let mut body = support::order_body("french-press", 1);
        body["email"] = json!(email);
        body["name"] = json!(name);
        app.place(key, &body)["number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = place("cust-ada-00001", "ada@example.com", "Ada Lovelace");
    let second = place("cust-ada-00002", "ADA@Example.com", "Ada King");
    let bob = place("cust-bob-00001", "bob@example.org", "Bob Builder");
    app.pay(&first);
    let paid_total = app.order(&first)["total"]["amount"].as_i64().unwrap();
    let owner = app.owner().sign_in();
    let (page, sent) = add_note(&owner, &second, "Wants a gift wrap");
    assert!(page.contains("Customers"), "the area in the navigation");
    assert_eq!(sent.status(), 303);

    let list = owner.page("/admin/customers");
    let rows: Vec<&str> = list.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 2, "one row per address: {list:.4000}");
    let ada = rows.iter().find(|r| r.contains("ada@example.com")).unwrap();
    assert!(ada.contains("Ada King"), "the latest order's name: {ada}");
    assert!(ada.contains("class=\"num\">2</td>"), "{ada}");
    assert!(
        ada.contains(&support::decimal(paid_total)),
        "spent counts the paid order only: {ada}"
    );
    let bob_row = rows.iter().find(|r| r.contains("bob@example.org")).unwrap();
    assert!(bob_row.contains("—"), "nothing paid yet: {bob_row}");

    // Search by the start of a name or an email, any case.
    for (q, finds, misses) in [
        ("bob", "bob@example.org", "ada@example.com"),
        ("ADA%40ex", "ada@example.com", "bob@example.org"),
        ("ada+k", "ada@example.com", "bob@example.org"),
    ] {
        let found = owner.page(&format!("/admin/customers?q={q}"));
        assert!(found.contains(finds) && !found.contains(misses), "{q}");
    }
    assert!(
        owner
            .page("/admin/customers?q=zed")
            .contains("No customers match.")
    );

    // A customer's page: their orders, newest first, with the notes on them.
    let page = owner.page("/admin/customers/ada%40example.com");
    let (newer, older) = (page.find(&second).unwrap(), page.find(&first).unwrap());
    assert!(newer < older, "newest first");
    assert!(page.contains("Wants a gift wrap"));
    assert!(!page.contains(&bob));
    let (status, _) = owner.get("/admin/customers/nobody%40example.com");
    assert_eq!(status, 404);
}
