//! Back-office scenarios: orders. A shopper's two orders (placed through the shop's JSON
//! API and paid with the test-mode provider) are found in the list; one is shipped with
//! a tracking number, the other refunded in part and then in full, each after its
//! confirmation page, and the shopper's order pages follow. (`journey.rs` refunds an order after shipping it.)

use super::{Scenario, in_browser, shared, sign_in};
use crate::browser_support::{Browser, Scripts, Viewport, xpath_literal};
use crate::support;
use serde_json::{Value, json};

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![(
        "owner_ships_and_refunds_an_order",
        owner_ships_and_refunds_an_order,
    )]
}

/// Places and pays an order as a shopper would (API, then the test-mode "Pay" form);
/// its number.
fn paid_order(email: &str, key: &str) -> String {
    let app = &shared().app;
    let mut body = support::order_body("french-press", 1);
    body["email"] = json!(email);
    let placed = app.post_order(Some(key), &body);
    assert_eq!(placed.status(), 201);
    let number = placed.json::<Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string();
    app.pay(&number);
    number
}

/// Follows the link in `main` that reads `text`.
pub(super) async fn follow_link(browser: &Browser, text: &str) {
    let link = browser
        .find(&format!(
            "//main//a[normalize-space()={}]",
            xpath_literal(text)
        ))
        .await;
    browser.click_to_next_page(&link).await;
}

fn owner_ships_and_refunds_an_order(viewport: Viewport, scripts: Scripts) {
    let email = format!("browser-{viewport}-{scripts}@example.com");
    let shipped = paid_order(&email, &format!("office-ship-{viewport}-{scripts}"));
    let refunded = paid_order(&email, &format!("office-refund-{viewport}-{scripts}"));
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        browser.goto("/admin/orders").await;
        assert_eq!(browser.heading().await, "Orders");
        browser.check_page("the order list").await;
        browser.type_into("Number, name or email", &email).await;
        browser.click_button("Show orders").await;
        let text = browser.text().await;
        assert!(
            text.contains(&shipped) && text.contains(&refunded),
            "{}",
            browser.label()
        );

        follow_link(browser, &shipped).await;
        assert!(browser.heading().await.contains(&shipped));
        assert!(browser.text().await.contains(&email));
        browser.check_page("an order's page").await;
        follow_link(browser, "Ship…").await;
        browser.check_page("the ship confirmation").await;
        browser
            .type_into("Tracking number (optional)", "JJD 0001 2345")
            .await;
        browser.click_button("Ship order").await;
        let text = browser.text().await;
        assert!(
            text.contains("is shipped (tracking number JJD 0001 2345)"),
            "{text}"
        );
        assert!(
            text.contains("Owner (back office)"),
            "the history names the owner"
        );

        // Part of the money back first (a scratched box): the order stays paid…
        browser.goto(&format!("/admin/orders/{refunded}")).await;
        follow_link(browser, "Refund…").await;
        browser.check_page("the refund form").await;
        // The form offers what is left (all of it); the owner types less.
        let amount = browser.field("Amount to refund (EUR)").await;
        amount.clear().await.unwrap();
        amount.send_keys("1.50").await.unwrap();
        browser
            .type_into("Note for the order's history (optional)", "Scratched box")
            .await;
        browser.click_button("Refund").await;
        let text = browser.text().await;
        assert!(text.contains("Refunded €1.50 of order"), "{text}");
        assert!(text.contains("the order stays paid"), "{text}");
        assert!(text.contains("Scratched box"), "{text}");
        browser.check_page("an order refunded in part").await;
        // …then the rest, which the form offers: the order is refunded.
        follow_link(browser, "Refund…").await;
        browser.click_button("Refund").await;
        let text = browser.text().await;
        assert!(text.contains("is now refunded in full"), "{text}");
        assert!(
            text.contains("charge.refunded"),
            "the provider's event is shown"
        );

        browser.goto("/admin/payments").await;
        assert_eq!(browser.heading().await, "Payments");
        browser.check_page("the payments page").await;

        // The shopper's order pages follow (opened by their emails' links).
        let link = |n: &str| format!("/orders/{n}?key={}", support::order_token(n));
        browser.goto(&link(&shipped)).await;
        assert_eq!(browser.path().await, format!("/orders/{shipped}"));
        assert!(browser.text().await.contains("Your order has shipped"));
        browser.goto(&link(&refunded)).await;
        assert!(browser.text().await.contains("This order was refunded"));
    });
}
