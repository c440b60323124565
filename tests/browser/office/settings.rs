//! Back-office scenarios: the checkout settings. The owner creates a shipping zone with a
//! country, adds a per-weight method to it (and an order to that country is charged the
//! base plus the started kilograms), sets that country's tax rate, and edits a deactivated
//! discount code (a percentage and a per-customer limit) and reactivates it. Every page is
//! checked at phone and desktop size, with JavaScript on (axe) and off.

use super::{Scenario, in_browser, shared, sign_in};
use crate::browser_support::{Browser, Scripts, Viewport};
use serde_json::json;

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![
        (
            "owner_ships_to_a_new_zone_by_weight_and_taxes_it",
            owner_ships_to_a_new_zone_by_weight_and_taxes_it,
        ),
        (
            "owner_edits_and_reactivates_a_discount_code",
            owner_edits_and_reactivates_a_discount_code,
        ),
    ]
}

/// A country in no zone of the demo shop (and without postcode rules), one per run: the
/// four runs share one app, and a country ships from one zone only.
fn country(viewport: Viewport, scripts: Scripts) -> (&'static str, &'static str) {
    match (viewport, scripts) {
        (Viewport::Phone, Scripts::On) => ("CL", "Chile"),
        (Viewport::Phone, Scripts::Off) => ("PE", "Peru"),
        (Viewport::Desktop, Scripts::On) => ("CO", "Colombia"),
        (Viewport::Desktop, Scripts::Off) => ("UY", "Uruguay"),
    }
}

/// Replaces what the control with id `id` holds with `text`.
async fn fill(browser: &Browser, id: &str, text: &str) {
    let field = browser.find(&format!("//*[@id='{id}']")).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Picks `value` in the select with id `id`.
async fn pick(browser: &Browser, id: &str, value: &str) {
    browser
        .find(&format!("//select[@id='{id}']/option[@value='{value}']"))
        .await
        .click()
        .await
        .unwrap();
}

async fn says(browser: &Browser, words: &str) {
    let text = browser.text().await;
    assert!(
        text.contains(words),
        "{}: {words:?} not on {}: {text}",
        browser.label(),
        browser.path().await
    );
}

/// The text of the discount list's row of `code`.
async fn row_of(browser: &Browser, code: &str) -> String {
    browser
        .find(&format!("//tr[td/code[normalize-space()='{code}']]"))
        .await
        .text()
        .await
        .unwrap()
}

fn owner_ships_to_a_new_zone_by_weight_and_taxes_it(viewport: Viewport, scripts: Scripts) {
    let (code, name) = country(viewport, scripts);
    let zone = format!("Zone {viewport} {scripts}");
    let method = format!("w-{viewport}-{scripts}").replace('_', "-");
    let method_name = format!("By weight {viewport} {scripts}");
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        browser.goto("/admin/settings/shipping").await;
        assert_eq!(browser.heading().await, "Settings");
        browser.check_page("the shipping zones").await;

        // A zone with a code that is no country: refused at the field.
        fill(browser, "new-zone-name", &zone).await;
        fill(browser, "new-zone-countries", &format!("{code}, QQ")).await;
        browser.click_button("Create zone").await;
        says(browser, "QQ is not a two-letter country code").await;
        browser.check_page("the refused zone form").await;
        fill(browser, "new-zone-countries", &code.to_ascii_lowercase()).await;
        browser.click_button("Create zone").await;
        says(browser, &format!("Zone {zone} created.")).await;

        // A per-weight method in it: €10.00 + €2.50 per started kg.
        let form = format!("//form[@aria-label='New method in {zone}']");
        let id = |name: &str| format!("{form}//*[@name='{name}']");
        for (name, text) in [
            ("code", method.as_str()),
            ("name", method_name.as_str()),
            ("amount", "10.00"),
            ("per_kg_amount", "2.50"),
        ] {
            let field = browser.find(&id(name)).await;
            field.clear().await.unwrap();
            field.send_keys(text).await.unwrap();
        }
        browser
            .find(&format!("{}/option[@value='by_weight']", id("kind")))
            .await
            .click()
            .await
            .unwrap();
        browser.click_button(&format!("Add method to {zone}")).await;
        says(browser, &format!("Method {method_name} added.")).await;
        browser
            .check_page("the shipping zones with a new method")
            .await;

        // The tax rate of that country.
        browser.goto("/admin/settings/tax").await;
        browser.check_page("the tax rates").await;
        pick(browser, "tax-country", code).await;
        fill(browser, "tax-name", "IVA").await;
        fill(browser, "tax-rate", "19,5").await;
        browser.click_button("Save rate").await;
        says(browser, "Enter a rate from 0 to 100 percent").await;
        browser.check_page("the refused tax form").await;
        fill(browser, "tax-rate", "19.5").await;
        browser.click_button("Save rate").await;
        says(browser, &format!("IVA 19.5 % for {name} saved.")).await;
        browser.check_page("the tax rates with a new rate").await;
    });

    // At checkout to that country: the cups (500 g; a product the other scenarios of the
    // shared app leave in stock) are one started kg, and the new rate is applied.
    let app = &shared().app;
    let placed = app.place(
        &format!("zone-order-{viewport}-{scripts}"),
        &json!({
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "address": {"line1": "1 Analytical Row", "city": "Town", "postal_code": "12345",
                        "country": code},
            "items": [{"slug": "espresso-cups", "quantity": 1}],
            "shipping_method": method,
        }),
    );
    assert_eq!(placed["totals"]["shipping"]["amount"], 1250, "{placed}");
    assert_eq!(placed["totals"]["taxes"][0]["rate_bp"], 1950, "{placed}");
}

fn owner_edits_and_reactivates_a_discount_code(viewport: Viewport, scripts: Scripts) {
    let app = &shared().app;
    let code = format!("EDIT-{viewport}-{scripts}")
        .to_ascii_uppercase()
        .replace("JAVASCRIPT_", "JS");
    let r = app.admin().send(
        reqwest::Method::POST,
        "/admin/discounts",
        Some(&format!("browser-discount-{code}")),
        Some(&json!({"code": code, "kind": "percent", "value": 1000, "active": false})),
    );
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        browser.goto("/admin/settings/discounts").await;
        browser.check_page("the discount codes").await;
        let edit = browser
            .find(&format!("//main//a[normalize-space()='Edit {code}']"))
            .await;
        browser.click_to_next_page(&edit).await;
        says(browser, "Edit discount code").await;
        says(browser, "inactive").await;
        browser.check_page("a discount code's form").await;
        fill(browser, "value", "12.5").await;
        fill(browser, "max_uses_per_email", "zwei").await;
        browser.click_button(&format!("Save {code}")).await;
        says(browser, "Enter a whole number from 1").await;
        browser.check_page("the refused discount form").await;
        fill(browser, "max_uses_per_email", "2").await;
        browser.click_button(&format!("Save {code}")).await;
        says(browser, &format!("Discount code {code} saved.")).await;
        let row = row_of(browser, &code).await;
        assert!(
            row.contains("12.5 %") && row.contains("2 per customer") && row.contains("inactive"),
            "{}: {row}",
            browser.label()
        );
        browser.click_button(&format!("Reactivate {code}")).await;
        says(browser, &format!("Discount code {code} reactivated.")).await;
        let row = row_of(browser, &code).await;
        assert!(row.contains("active") && !row.contains("inactive"), "{row}");
        browser
            .check_page("the discount codes after reactivating")
            .await;
    });
}
