//! Back-office scenarios: the dashboard, the export form and the settings pages, with a
//! discount code created (after a refused value, told next to the field) from the keyboard-
//! reachable form, and a code a shopper tried in vain listed with its reason.

use super::{Scenario, in_browser, shared, sign_in};
use crate::browser_support::{Scripts, Viewport};
use crate::support;

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![(
        "owner_reads_the_dashboard_and_creates_a_discount",
        owner_reads_the_dashboard_and_creates_a_discount,
    )]
}

fn owner_reads_the_dashboard_and_creates_a_discount(viewport: Viewport, scripts: Scripts) {
    // One code per trial: they all share one app.
    let code: String = format!("B-{viewport}-{scripts}")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect::<String>()
        .to_ascii_uppercase();
    // A code a shopper tried that does not exist, for the list of refused codes.
    let mut order = support::order_body("french-press", 1);
    order["discount_code"] = serde_json::json!("NO-SUCH-CODE");
    let refused = shared()
        .app
        .post_order(Some(&format!("refused-{code}")), &order);
    assert_eq!(refused.status().as_u16(), 422);
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        let text = browser.text().await;
        for part in [
            "Today",
            "Waiting to ship",
            "Low stock",
            "Audit",
            "Reconciliation",
        ] {
            assert!(
                text.contains(part),
                "{}: no {part} in {text}",
                browser.label()
            );
        }
        browser.check_page("the dashboard").await;

        browser.goto("/admin/export").await;
        assert_eq!(browser.heading().await, "Export orders");
        browser.check_page("the export form").await;

        browser.goto("/admin/settings").await;
        assert_eq!(browser.heading().await, "Settings");
        browser.check_page("the shop settings").await;
        browser.goto("/admin/settings/shipping").await;
        browser.check_page("the shipping methods").await;
        browser.goto("/admin/settings/password").await;
        browser.check_page("the password form").await;

        browser.goto("/admin/settings/discounts").await;
        browser
            .type_into(
                "Code (letters, digits, - and _)",
                &code.to_ascii_lowercase(),
            )
            .await;
        browser
            .field("a fixed amount in EUR")
            .await
            .click()
            .await
            .unwrap();
        browser
            .type_into(
                "Value (percent such as 10, or an amount such as 5.00)",
                "5.005",
            )
            .await;
        browser.click_button("Create code").await;
        let value = browser.find("//*[@id='value']").await;
        assert_eq!(
            value.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true")
        );
        assert!(
            browser.text().await.contains("more than 2 decimal places"),
            "{}: {}",
            browser.label(),
            browser.text().await
        );
        browser.check_page("the discount form with an error").await;
        value.clear().await.unwrap();
        value.send_keys("5.00").await.unwrap();
        browser.click_button("Create code").await;
        let text = browser.text().await;
        assert!(
            text.contains(&format!("Discount code {code} created.")),
            "{}: {text}",
            browser.label()
        );
        assert!(
            text.contains("NO-SUCH-CODE") && text.contains("no such code"),
            "{}: {text}",
            browser.label()
        );
        browser.check_page("the discount codes").await;
    });
}
