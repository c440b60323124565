//! Back-office scenarios: an order's notes and the customers page. The owner reads the
//! customer's note on an order, adds an internal note (shown with the author), then finds
//! the customer by the start of their email on the customers page and sees the order and
//! both notes on the customer's page.

use super::orders::follow_link;
use super::{Scenario, in_browser, shared, sign_in};
use crate::browser_support::{Scripts, Viewport};
use crate::support;
use serde_json::{Value, json};

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![(
        "owner_notes_an_order_and_finds_the_customer",
        owner_notes_an_order_and_finds_the_customer,
    )]
}

fn owner_notes_an_order_and_finds_the_customer(viewport: Viewport, scripts: Scripts) {
    let app = &shared().app;
    let email = format!("noted-{viewport}-{scripts}@example.com");
    let mut body = support::order_body("french-press", 1);
    body["email"] = json!(email);
    body["name"] = json!("Nora Noted");
    body["note"] = json!("Leave it with the neighbour.");
    let placed = app.post_order(Some(&format!("office-notes-{viewport}-{scripts}")), &body);
    assert_eq!(placed.status(), 201);
    let number = placed.json::<Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string();
    let internal = format!("Checked the address ({viewport}, {scripts}).");
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        browser.goto(&format!("/admin/orders/{number}")).await;
        let text = browser.text().await;
        assert!(
            text.contains("Leave it with the neighbour."),
            "{}",
            browser.label()
        );
        assert!(
            text.contains("No internal notes yet."),
            "{}",
            browser.label()
        );
        browser.check_page("an order with notes").await;
        browser.type_into("Add an internal note", &internal).await;
        browser.click_button("Add note").await;
        let text = browser.text().await;
        assert!(
            text.contains("Note added.") && text.contains(&internal),
            "{}: {text}",
            browser.label()
        );
        assert!(text.contains("owner · "), "{}: the author", browser.label());

        browser.goto("/admin/customers").await;
        assert_eq!(browser.heading().await, "Customers");
        browser.check_page("the customers list").await;
        // The start of the address: everything before the domain's dot (unique per trial).
        let start = &email[..email.rfind('.').unwrap()];
        browser.type_into("Name or email", start).await;
        browser.click_button("Search").await;
        follow_link(browser, "Nora Noted").await;
        assert_eq!(browser.heading().await, "Nora Noted", "{}", browser.label());
        let text = browser.text().await;
        assert!(
            text.contains(&number)
                && text.contains("Leave it with the neighbour.")
                && text.contains(&internal),
            "{}: {text}",
            browser.label()
        );
        browser.check_page("a customer's page").await;
    });
}
