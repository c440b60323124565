//! A return in a real browser, at phone and desktop size, with scripts on and off: the
//! shopper opens their shipped order from its email's link, asks to return one of two
//! items (asking for three first comes back at the field), the owner accepts it from
//! the returns list with the item back on the shelf, and the shopper's order page shows
//! it accepted and refunded.

use super::orders::follow_link;
use super::{Scenario, in_browser, shared, sign_in};
use crate::browser_support::xpath_literal;
use crate::browser_support::{Scripts, Viewport};
use crate::support;
use serde_json::{Value, json};

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![(
        "shopper_returns_an_item_and_the_owner_accepts",
        shopper_returns_an_item_and_the_owner_accepts,
    )]
}

/// What this scenario orders: a product no other scenario buys.
const PRODUCT: &str = "cold-brew-bottle";

fn shopper_returns_an_item_and_the_owner_accepts(viewport: Viewport, scripts: Scripts) {
    let app = &shared().app;
    let mut body = support::order_body(PRODUCT, 2);
    body["email"] = json!(format!("returns-{viewport}-{scripts}@example.com"));
    let placed = app.post_order(Some(&format!("office-return-{viewport}-{scripts}")), &body);
    assert_eq!(placed.status(), 201);
    let number = placed.json::<Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string();
    app.pay(&number);
    support::ship_by_api(app, &number);
    let sku = support::first_line_sku(app, &number);
    in_browser(viewport, scripts, async |browser| {
        let label = browser.label();
        // The shopper, from the "on its way" email's link.
        browser
            .goto(&format!(
                "/orders/{number}?key={}",
                support::order_token(&number)
            ))
            .await;
        follow_link(browser, "Return items").await;
        browser.check_page("the return form").await;
        let quantity = format!("//input[@id={}]", xpath_literal(&format!("qty-{sku}")));
        let set_quantity = async |n: &str| {
            let field = browser.find(&quantity).await;
            field.clear().await.unwrap();
            field.send_keys(n).await.unwrap();
        };
        set_quantity("3").await;
        browser
            .type_into("Why are you returning them?", "It leaks at the lid.")
            .await;
        browser.click_button("Ask for the return").await;
        let error = browser
            .find(&format!(
                "//*[@id={}]",
                xpath_literal(&format!("qty-{sku}-error"))
            ))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            error, "You can return at most 2 of this item (you bought 2).",
            "{label}"
        );
        browser.check_page("the return form with an error").await;
        set_quantity("1").await;
        browser.click_button("Ask for the return").await;
        assert_eq!(browser.path().await, format!("/orders/{number}"), "{label}");
        assert!(
            browser
                .text()
                .await
                .contains("Waiting for the shop's answer"),
            "{label}"
        );
        browser
            .check_page("the order with its return asked for")
            .await;

        // The owner accepts it from the returns list, the item back on the shelf.
        sign_in(browser).await;
        browser.goto("/admin/returns").await;
        browser.check_page("the returns list").await;
        let card = format!(
            "//article[contains(@class,'return-card')][.//a[normalize-space()={}]]",
            xpath_literal(&number)
        );
        browser
            .find(&format!("{card}//input[@name='restock']"))
            .await
            .click()
            .await
            .unwrap();
        let accept = browser
            .find(&format!(
                "{card}//button[normalize-space()='Accept and refund']"
            ))
            .await;
        browser.click_to_next_page(&accept).await;
        let text = browser.text().await;
        assert!(
            text.contains("is accepted. Refunded €29.00"),
            "{label}: {text}"
        );
        browser
            .check_page("the order after accepting its return")
            .await;

        // The shopper sees it refunded.
        browser.goto(&format!("/orders/{number}")).await;
        let text = browser.text().await;
        assert!(
            text.contains("Accepted: €29.00 is refunded to your payment"),
            "{label}: {text}"
        );
        assert!(text.contains("Refunded: €29.00 of"), "{label}: {text}");
        browser
            .check_page("the shopper's order with its return refunded")
            .await;
    });
}
