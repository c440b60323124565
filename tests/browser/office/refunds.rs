//! Back-office scenarios: orders that match reality. The owner ships a paid order with its
//! carrier and tracking number, and the shopper's order page shows the carrier, the number
//! and the carrier's tracking link; the owner refunds an unshipped order in full with its
//! items back on the shelf (the form offers every line), cancels another paid one
//! (refunded and restocked in one step), reads the dashboard's net revenue with its
//! currency, and on a phone reads the order list as cards, not as columns squeezed until
//! words break.

use super::orders::follow_link;
use super::{Scenario, in_browser, shared, sign_in};
use crate::browser_support::{Browser, Scripts, Viewport, xpath_literal};
use crate::support;
use serde_json::{Value, json};

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![
        (
            "shopper_sees_the_tracking_the_owner_typed",
            shopper_sees_the_tracking_the_owner_typed,
        ),
        (
            "owner_refunds_with_restock_and_cancels_a_paid_order",
            owner_refunds_with_restock_and_cancels_a_paid_order,
        ),
    ]
}

/// What these scenarios order: a product no other scenario buys, with stock for all of
/// them at every size and setting running at once.
const PRODUCT: &str = "descaling-powder";
const PRODUCT_NAME: &str = "Descaling Powder, 4 sachets";

/// Places `quantity` of [`PRODUCT`] for `email` and pays with the test-mode provider; the
/// order's number.
fn paid_order(email: &str, key: &str, quantity: i64) -> String {
    let app = &shared().app;
    let mut body = support::order_body(PRODUCT, quantity);
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

/// Chooses the option reading `option` in the select whose id is `id` (its label wraps
/// it, options and all, so it is not found by the label's text).
async fn choose(browser: &Browser, id: &str, option: &str) {
    browser
        .find(&format!(
            "//select[@id={}]/option[normalize-space()={}]",
            xpath_literal(id),
            xpath_literal(option)
        ))
        .await
        .click()
        .await
        .unwrap();
}

fn shopper_sees_the_tracking_the_owner_typed(viewport: Viewport, scripts: Scripts) {
    let email = format!("tracking-{viewport}-{scripts}@example.com");
    let number = paid_order(&email, &format!("office-track-{viewport}-{scripts}"), 1);
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        browser.goto(&format!("/admin/orders/{number}")).await;
        follow_link(browser, "Ship…").await;
        browser
            .check_page("the ship confirmation with a carrier")
            .await;
        choose(browser, "tracking_carrier", "DHL").await;
        browser
            .type_into("Tracking number (optional)", "JJD 0001/23")
            .await;
        browser.click_button("Ship order").await;
        let text = browser.text().await;
        assert!(
            text.contains("is shipped (DHL tracking number JJD 0001/23)"),
            "{}: {text}",
            browser.label()
        );

        // The shopper opens the order from the "on its way" email's link.
        let link = format!("/orders/{number}?key={}", support::order_token(&number));
        browser.goto(&link).await;
        assert!(browser.text().await.contains("Your order has shipped"));
        let tracking = browser.find("//p[contains(@class,'tracking')]").await;
        let said = tracking.text().await.unwrap();
        assert!(
            said.contains("Tracking: DHL JJD 0001/23"),
            "{}: {said}",
            browser.label()
        );
        let track = browser
            .find("//p[contains(@class,'tracking')]//a[starts-with(normalize-space(),'Track your parcel')]")
            .await;
        assert_eq!(
            track.attr("href").await.unwrap().as_deref(),
            Some(
                "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?tracking-id=JJD%200001%2F23"
            ),
            "the number is URL-encoded into the carrier's link"
        );
        browser.check_page("the shopper's shipped order").await;
    });
}

/// The cells of the order list on a phone stand in cards: each at least a word wide, and
/// a row's cells one under the other rather than side by side. WebDriver's own element
/// rectangles, so it holds with scripts off too.
async fn order_list_reads_as_cards(browser: &Browser) {
    let rows = browser
        .find_all("//table[contains(@class,'list')]/tbody/tr")
        .await;
    assert!(!rows.is_empty(), "{}: no orders listed", browser.label());
    for row in rows.iter().take(5) {
        let cells = row
            .find_all(fantoccini::Locator::XPath("./td"))
            .await
            .unwrap();
        let mut last_y = f64::MIN;
        for cell in &cells {
            let (_, y, width, _) = cell.rectangle().await.unwrap();
            assert!(
                width >= 60.0,
                "{}: a cell {width} px wide breaks its words",
                browser.label()
            );
            assert!(
                y > last_y,
                "{}: a row's cells stand side by side on a phone",
                browser.label()
            );
            last_y = y;
        }
        let label = cells[0].attr("data-label").await.unwrap();
        assert_eq!(label.as_deref(), Some("Order"), "cells name their column");
    }
}

fn owner_refunds_with_restock_and_cancels_a_paid_order(viewport: Viewport, scripts: Scripts) {
    let email = format!("restock-{viewport}-{scripts}@example.com");
    let refunded = paid_order(&email, &format!("office-restock-{viewport}-{scripts}"), 2);
    let cancelled = paid_order(&email, &format!("office-cancel-{viewport}-{scripts}"), 1);
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        // The dashboard's revenue is net of refunds and says its currency.
        let revenue = browser.find("//li[@id='tile-revenue']").await;
        let said = revenue.text().await.unwrap();
        assert!(
            said.contains("EUR") && said.contains("net revenue"),
            "{}: {said}",
            browser.label()
        );

        // A full refund of the unshipped order: the form offers both presses back.
        browser.goto(&format!("/admin/orders/{refunded}")).await;
        follow_link(browser, "Refund…").await;
        browser.check_page("the refund form with restock").await;
        let back = browser
            .find("//fieldset[contains(@class,'restock')]//input[@type='number']")
            .await;
        assert_eq!(
            back.prop("value").await.unwrap().as_deref(),
            Some("2"),
            "{}: the refunded line goes back by default",
            browser.label()
        );
        browser.click_button("Refund").await;
        let text = browser.text().await;
        assert!(text.contains("is now refunded in full"), "{text}");
        assert!(text.contains("2 items are back on the shelf"), "{text}");
        assert!(
            text.contains(&format!("Returned to stock: 2 × {PRODUCT_NAME}")),
            "the history shows the return: {text}"
        );
        browser.check_page("an order refunded and restocked").await;

        // Cancelling a paid order that has not shipped: refunded and restocked at once.
        browser.goto(&format!("/admin/orders/{cancelled}")).await;
        follow_link(browser, "Cancel order…").await;
        browser
            .check_page("the cancel-and-refund confirmation")
            .await;
        browser.click_button("Cancel and refund").await;
        let text = browser.text().await;
        assert!(
            text.contains("its goods are back on the shelf and its payment is being refunded"),
            "{text}"
        );
        assert!(
            text.contains(&format!("Returned to stock: 1 × {PRODUCT_NAME}")),
            "{text}"
        );
        assert!(text.contains("on cancelling"), "{text}");
        browser.check_page("a paid order cancelled").await;

        // The order list: on a phone, cards.
        browser.goto(&format!("/admin/orders?q={email}")).await;
        browser.check_page("the order list").await;
        if viewport == Viewport::Phone {
            order_list_reads_as_cards(browser).await;
        }
    });
}
