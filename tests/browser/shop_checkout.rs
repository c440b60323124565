//! The checkout a shopper can trust, in a real browser at phone and desktop size, with
//! scripts on and off: an order placed but not paid is corrected from the payment
//! step's "Edit" link (the form opens with the order's details, and the order keeps its
//! number while the payment step shows the new total); Enter in the discount code field
//! applies the code and never places the order; a refused form comes back by a 303 to a
//! page fetched with GET, so Reload and Back never ask to resubmit a form. Another
//! shopper ships to the US, where the address needs a state, and bills another address.

use crate::browser_support::{Browser, xpath_literal};
use crate::browser_support::{Scripts, Viewport, session};
use crate::shop::{accept_terms, add_from_product_page, placed_number, type_checkout};
use crate::{Scenario, at_every_size_and_setting, shop_app as shared};
use fantoccini::key::Key;
use libtest_mimic::Trial;

pub fn trials() -> Vec<Trial> {
    let scenarios: Vec<(&str, Scenario)> = vec![
        (
            "shopper_corrects_an_unpaid_order",
            shopper_corrects_an_unpaid_order,
        ),
        (
            "shopper_ships_to_a_state_and_bills_elsewhere",
            shopper_ships_to_a_state_and_bills_elsewhere,
        ),
    ];
    at_every_size_and_setting("shop_checkout", scenarios)
}

fn shopper_corrects_an_unpaid_order(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    let mut number = String::new();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| {
            add_from_product_page(b, "ceramic-dripper", Some("2")).await;
            b.goto("/checkout").await;
            // The final button sits right under the order summary with its total.
            let after_summary = b
                .find_all("//section[@aria-labelledby='summary-title']/following::button[normalize-space()='Buy now']")
                .await;
            assert_eq!(after_summary.len(), 1, "{}", b.label());
            type_checkout(b, "joan@example.com").await;
            accept_terms(b).await;
            b.click_button("Buy now").await;
            number = placed_number(b).await;

            // "Edit" on the payment step: the checkout with the order's own details.
            let edit = b
                .find("//main//a[normalize-space()='Edit the address, shipping or discount code']")
                .await;
            b.click_to_next_page(&edit).await;
            assert_eq!(b.path().await, "/checkout", "{}", b.label());
            let page = b.text().await;
            assert!(
                page.contains("You are changing order") && page.contains(&number),
                "{}: {page}",
                b.label()
            );
            let email = b.field("Email").await.prop("value").await.unwrap();
            assert_eq!(email.as_deref(), Some("joan@example.com"), "{}", b.label());
            let city = b.field("City").await.prop("value").await.unwrap();
            assert_eq!(city.as_deref(), Some("Berlin"), "{}", b.label());
            b.check_page("checkout changing an unpaid order").await;

            // Enter in the discount code field applies the code; nothing is placed.
            let code = b.field("Discount code (optional)").await;
            code.send_keys("FIVEOFF").await.unwrap();
            let old = b.find("/html").await;
            code.send_keys(&Key::Enter.to_string()).await.unwrap();
            b.wait_for_new_document(old).await;
            assert_eq!(b.path().await, "/checkout", "{}", b.label());
            let page = b.text().await;
            assert!(page.contains("FIVEOFF applied"), "{}: {page}", b.label());
            assert!(
                b.find_all("//*[@id='error-summary']").await.is_empty(),
                "{}: Enter placed nothing",
                b.label()
            );

            // A mistake comes back by a redirect to a GET: Reload shows the form again
            // (never "Confirm Form Resubmission"), and Back goes back.
            b.find("//input[@name='shipping_method' and @value='de-express']")
                .await
                .click()
                .await
                .unwrap();
            let email = b.field("Email").await;
            email.clear().await.unwrap();
            email.send_keys("joan.example.com").await.unwrap();
            accept_terms(b).await;
            b.click_button("Buy now").await;
            assert_eq!(b.path().await, "/checkout", "{}", b.label());
            b.find("//*[@id='error-summary']").await;
            b.check_page("checkout changing an order, with an error")
                .await;
            let old = b.find("/html").await;
            b.client.refresh().await.unwrap();
            b.wait_for_new_document(old).await;
            assert_eq!(b.path().await, "/checkout", "{}", b.label());
            let email = b.field("Email").await.prop("value").await.unwrap();
            assert_eq!(
                email.as_deref(),
                Some("joan.example.com"),
                "{}: what was typed survives a reload",
                b.label()
            );
            let old = b.find("/html").await;
            b.client.back().await.unwrap();
            b.wait_for_new_document(old).await;
            assert_eq!(b.path().await, "/checkout", "{}", b.label());

            // Corrected: the same order, with the new method and code, at its new total.
            let email = b.field("Email").await;
            email.clear().await.unwrap();
            email.send_keys("joan@example.com").await.unwrap();
            b.find("//input[@name='shipping_method' and @value='de-express']")
                .await
                .click()
                .await
                .unwrap();
            accept_terms(b).await;
            b.click_button("Buy now").await;
            assert_eq!(
                b.path().await,
                format!("/orders/{number}/pay"),
                "{}: the order keeps its number",
                b.label()
            );
            let page = b.text().await;
            assert!(
                page.contains("keeps its number")
                    && page.contains("Express")
                    && page.contains("−€5.00"),
                "{}: {page}",
                b.label()
            );
            b.check_page("payment step after changing the order").await;
            b.click_button("Pay (test mode)").await;
            b.keep_order_token(&number).await;
        },
    );
    let order = shared.app.order(&number);
    assert_eq!(order["shipping"]["code"], "de-express", "{order}");
    assert_eq!(order["discount"]["code"], "FIVEOFF", "{order}");
    assert_eq!(order["email"], "joan@example.com", "{order}");
    assert_eq!(order["state"], "paid", "{order}");
}

/// Picks `country` by name in the select with id `id`.
async fn choose(b: &Browser, id: &str, country: &str) {
    b.find(&format!(
        "//select[@id={}]/option[normalize-space()={}]",
        xpath_literal(id),
        xpath_literal(country)
    ))
    .await
    .click()
    .await
    .unwrap();
}

fn shopper_ships_to_a_state_and_bills_elsewhere(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    let mut number = String::new();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| {
            add_from_product_page(b, "ceramic-dripper", Some("2")).await;
            b.goto("/checkout").await;
            // The shop's own country comes preselected.
            let country = b.field("Country").await.prop("value").await.unwrap();
            assert_eq!(country.as_deref(), Some("DE"), "{}", b.label());
            for (label, text) in [
                ("Email", "mae@example.com"),
                ("Full name", "Mae Jemison"),
                ("Address", "1 Space Center Blvd"),
                ("City", "Houston"),
                ("Postal code", "77058"),
            ] {
                b.type_into(label, text).await;
            }
            choose(b, "address.country", "United States").await;
            accept_terms(b).await;
            b.click_button("Buy now").await;

            // A US address needs its state: said at the field.
            assert_eq!(b.path().await, "/checkout", "{}", b.label());
            let state = b.field("State / province").await;
            assert_eq!(
                state.attr("aria-invalid").await.unwrap().as_deref(),
                Some("true"),
                "{}",
                b.label()
            );
            let why = b
                .find("//*[@id='address.state-error']")
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(why, "State / province is required.", "{}", b.label());
            b.check_page("checkout asking for a state").await;
            state.send_keys("TX").await.unwrap();

            // Another billing address: the box unticked shows its fields.
            b.find("//input[@id='billing_same']")
                .await
                .click()
                .await
                .unwrap();
            for (label, text) in [
                ("Billing address", "Hauptstraße 5"),
                ("Billing city", "Köln"),
                ("Billing postal code", "50667"),
            ] {
                b.type_into(label, text).await;
            }
            choose(b, "billing.country", "Germany").await;
            b.check_page("checkout with a billing address").await;
            accept_terms(b).await;
            b.click_button("Buy now").await;
            number = placed_number(b).await;
            b.click_button("Pay (test mode)").await;
            b.keep_order_token(&number).await;
            let page = b.text().await;
            assert!(
                page.contains("TX") && page.contains("Billing address") && page.contains("Köln"),
                "{}: {page}",
                b.label()
            );
            b.check_page("order with a billing address").await;
        },
    );
    let order = shared.app.order(&number);
    assert_eq!(order["address"]["state"], "TX", "{order}");
    assert_eq!(order["billing"]["city"], "Köln", "{order}");
    assert_eq!(order["billing"]["country"], "DE", "{order}");
}
