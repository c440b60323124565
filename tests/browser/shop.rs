//! The shopper's pages in a real browser, against an app as a shopper finds it. A shopper finds a product,
//! adds it with the page's own button, changes the quantity, checks out by typing,
//! corrects a mistake the page points at, places the order and pays in test mode.
//! Another browses a collection, searches from the header and picks a variant with the
//! product page's picker form (a plain GET form, so it works without scripts).
//! A third leaves the payment step, comes back through the checkout and is offered the
//! order awaiting payment, pays it, and going Back never shows a live pay button again.
//! A fourth adds more than the shelf holds and is given what there is, told so at once;
//! asks for more in the cart, is shown the fix, and the fix keeps the address typed at
//! checkout.
//! On every page: nothing scrolls sideways, every control has an accessible name, and
//! (with scripts on) axe-core finds no serious or critical violation. `screenshots`
//! redraws the screenshots in `docs/` (checkout with errors and a paid order, at phone
//! and desktop size).

use crate::browser_support::{Browser, Scripts, Viewport, session, xpath_literal};
use crate::support::{self, TestApp};
use crate::{Scenario, at_every_size_and_setting, shop_app as shared};
use fantoccini::key::Key;
use libtest_mimic::Trial;

/// Every shopper scenario (most at every size and setting), and `screenshots`, which
/// runs only when asked for (`-- --ignored screenshots`).
pub fn trials() -> Vec<Trial> {
    let scenarios: Vec<(&str, Scenario)> = vec![
        ("shopper_buys_and_pays", shopper_buys_and_pays),
        (
            "shopper_browses_searches_and_picks_a_variant",
            shopper_browses_searches_and_picks_a_variant,
        ),
        (
            "shopper_leaves_payment_and_resumes_it",
            shopper_leaves_payment_and_resumes_it,
        ),
        (
            "shopper_chooses_shipping_and_applies_a_code",
            shopper_chooses_shipping_and_applies_a_code,
        ),
    ];
    let mut trials = at_every_size_and_setting("shop", scenarios);
    for viewport in Viewport::ALL {
        trials.push(Trial::test(
            format!("shop::stock_warning_and_fix_keep_the_typed_address::{viewport}"),
            move || {
                stock_warning_and_fix_keep_the_typed_address(viewport);
                Ok(())
            },
        ));
    }
    trials.push(
        Trial::test("shop::screenshots", || {
            screenshots();
            Ok(())
        })
        .with_ignored_flag(true),
    );
    for scripts in Scripts::ALL {
        trials.push(Trial::test(
            format!("shop::the_page_checks_catch_bad_pages::{scripts}"),
            move || {
                the_page_checks_catch_bad_pages(scripts);
                Ok(())
            },
        ));
    }
    trials
}

fn shopper_buys_and_pays(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    let mut number = String::new();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| number = buy_and_pay(b).await,
    );
    // The page said paid; the order itself says so too.
    let order = shared.app.order(&number);
    assert_eq!(order["state"], "paid", "{order}");
    assert_eq!(order["items"][0]["quantity"], 2, "{order}");
}

fn shopper_browses_searches_and_picks_a_variant(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| browse_search_and_pick(b).await,
    );
}

/// The catalog's next page, a collection from the navigation, the header's search box,
/// and a variant chosen with the product page's picker form, then added to the cart.
async fn browse_search_and_pick(b: &Browser) {
    // "Next →" follows the keyset cursor; the page it leads to is a whole, clean page.
    b.goto("/").await;
    let next = b.find("//main//a[@rel='next']").await;
    b.click_to_next_page(&next).await;
    assert!(b.path().await.starts_with("/?after="), "{}", b.path().await);
    assert!(b.text().await.contains("First page"), "{}", b.label());
    b.check_page("catalog, next page").await;
    b.goto("/").await;
    let gear = b.find("//main//a[normalize-space()='Brewing gear']").await;
    b.click_to_next_page(&gear).await;
    assert_eq!(b.path().await, "/collections/brewing-gear");
    assert_eq!(b.heading().await, "Brewing gear");
    assert!(b.text().await.contains("Gooseneck Kettle"), "{}", b.label());
    b.check_page("collection").await;

    // The header's search box, submitted with Enter; a prefix finds Kenya.
    b.type_into("Search the shop", "ken").await;
    let old = b.find("/html").await;
    b.field("Search the shop")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    b.wait_for_new_document(old).await;
    assert!(b.path().await.starts_with("/search?"), "{}", b.path().await);
    assert!(b.text().await.contains("Kenya Nyeri AA"), "{}", b.label());
    b.check_page("search results").await;

    // The picker: two selects and "Show", which works with or without scripts.
    b.goto("/products/ethiopia-yirgacheffe").await;
    b.check_page("product with options").await;
    for (option, value) in [("Size", "1 kg"), ("Grind", "Filter")] {
        crate::shop_choice::choose(b, option, value).await;
    }
    b.click_button("Show").await;
    assert!(b.path().await.contains("Size=1+kg"), "{}", b.path().await);
    assert!(b.text().await.contains("1 kg / Filter"), "{}", b.label());
    b.click_button("Add to cart").await;
    assert_eq!(b.heading().await, "Your cart");
    assert!(
        b.text().await.contains("1 kg / Filter"),
        "{}: the cart does not name the chosen variant",
        b.label()
    );
}

/// The whole purchase as a shopper clicks and types it; returns the order number.
async fn buy_and_pay(b: &Browser) -> String {
    // The catalog lists products, each with a link to its page.
    b.goto("/").await;
    assert_eq!(b.heading().await, "Catalog");
    b.check_page("catalog").await;
    let links = b
        .find_all("//main//h2/a[starts-with(@href, '/products/')]")
        .await;
    assert!(
        !links.is_empty(),
        "{}: the catalog lists no products",
        b.label()
    );
    let link = &links[0];
    let name = link.text().await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap();

    // Its page, opened by clicking.
    b.click_to_next_page(link).await;
    assert_eq!(b.path().await, href);
    assert!(
        b.heading().await.contains(&name),
        "{}: product page heading {:?} does not name {name:?}",
        b.label(),
        b.heading().await
    );
    b.check_page("product").await;

    // The page's own "Add to cart" button (whatever its form posts).
    b.click_button("Add to cart").await;
    assert!(b.path().await.starts_with("/cart"), "{}", b.path().await);
    assert_eq!(b.heading().await, "Your cart");
    let line = b.text().await;
    assert!(
        line.contains(&name),
        "{}: cart without {name:?}: {line}",
        b.label()
    );
    assert_eq!(cart_count(b).await, "1");
    b.check_page("cart").await;

    // Two instead of one, with the cart's one form. The field names the product and,
    // for a product with options, its variant ("Quantity of Kenya, 1 kg / Filter").
    let quantity_label = b
        .find(&format!(
            "//main//label[starts-with(normalize-space(), {})]",
            xpath_literal(&format!("Quantity of {name}"))
        ))
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let quantity = b.field(&quantity_label).await;
    quantity.clear().await.unwrap();
    quantity.send_keys("2").await.unwrap();
    b.click_button("Update cart").await;
    assert!(b.path().await.starts_with("/cart"), "{}", b.path().await);
    let quantity = b.field(&quantity_label).await;
    assert_eq!(quantity.prop("value").await.unwrap().as_deref(), Some("2"));
    assert_eq!(cart_count(b).await, "2");
    assert!(b.text().await.contains("Your cart was updated."));

    // Checkout, typed with the keyboard; the email is wrong.
    let check_out = b.find("//main//a[normalize-space()='Check out']").await;
    b.click_to_next_page(&check_out).await;
    assert_eq!(b.path().await, "/checkout");
    assert_eq!(b.heading().await, "Checkout");
    b.check_page("checkout").await;
    let typed = [
        ("Email", "ada.example.com"),
        ("Full name", "Ada Lovelace"),
        ("Address", "12 Analytical Row"),
        ("City", "London"),
        ("Postal code", "N1 9GU"),
    ];
    for (label, text) in typed {
        b.type_into(label, text).await;
    }
    choose_country(b, "United Kingdom").await;
    // Enter in a field presses the form's first button, "Update shipping": the ways we
    // ship to the country are priced, what was typed kept, and nothing is placed.
    let old = b.find("/html").await;
    b.field("Postal code")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    b.wait_for_new_document(old).await;
    assert_eq!(b.path().await, "/checkout");
    assert!(
        b.find_all("//*[@id='error-summary']").await.is_empty(),
        "{}: Enter does not place the order",
        b.label()
    );
    b.find("//input[@name='shipping_method']").await;
    // "Buy now" (the terms are not accepted yet either).
    b.click_button("Buy now").await;

    // The error sits right under the email field; everything typed is still there.
    assert_eq!(b.path().await, "/checkout");
    let email = b.field("Email").await;
    assert_eq!(
        email.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    let error = email
        .find(fantoccini::Locator::XPath("following::p[1]"))
        .await
        .unwrap();
    let message = error.text().await.unwrap();
    assert!(
        message.starts_with("Email"),
        "{}: the message after the email field is {message:?}",
        b.label()
    );
    let (_, field_y, _, field_h) = email.rectangle().await.unwrap();
    let (_, error_y, _, _) = error.rectangle().await.unwrap();
    assert!(
        error_y >= field_y + field_h && error_y <= field_y + field_h + 40.0,
        "{}: the email error is not next to its field (field ends at {}, error at {error_y})",
        b.label(),
        field_y + field_h
    );
    assert_eq!(
        email.attr("aria-describedby").await.unwrap().as_deref(),
        Some("email-error")
    );
    for (label, text) in typed {
        let value = b.field(label).await.prop("value").await.unwrap();
        assert_eq!(value.as_deref(), Some(text), "{}: {label} lost", b.label());
    }
    let country = b.field("Country").await.prop("value").await.unwrap();
    assert_eq!(
        country.as_deref(),
        Some("GB"),
        "{}: country lost",
        b.label()
    );
    // The summary at the top names both problems, links the fields, and has the focus.
    let summary = b.find("//*[@id='error-summary']").await;
    let listed = summary.text().await.unwrap();
    assert!(
        listed.contains("Email is not a valid email address")
            && listed.contains("terms and conditions must be accepted"),
        "{}: {listed}",
        b.label()
    );
    b.find("//*[@id='error-summary']//a[@href='#email']").await;
    assert!(
        b.client.title().await.unwrap().starts_with("Error: "),
        "{}",
        b.label()
    );
    if b.scripts == Scripts::On {
        let focused = b.script("return document.activeElement.id").await;
        assert_eq!(focused, "error-summary", "{}", b.label());
    }
    b.check_page("checkout with an error").await;

    // Corrected, the terms accepted, and placed with the button.
    let email = b.field("Email").await;
    email.clear().await.unwrap();
    email.send_keys("ada@example.com").await.unwrap();
    accept_terms(b).await;
    b.click_button("Buy now").await;

    // The payment page names the order.
    let number = placed_number(b).await;
    let page = b.text().await;
    assert!(page.contains(&number), "{}: {page}", b.label());
    assert!(page.contains("TEST MODE"), "{}: {page}", b.label());
    // What is being paid for: items, address, totals.
    assert!(
        page.contains(&name) && page.contains("United Kingdom") && page.contains("Subtotal"),
        "{}: {page}",
        b.label()
    );
    // The cart is kept until the order is paid.
    assert_eq!(cart_count(b).await, "2");
    b.check_page("payment").await;

    // Paying (test mode) ends on the order page, paid; now the cart is empty.
    b.click_button("Pay (test mode)").await;
    assert_eq!(b.path().await, format!("/orders/{number}"));
    let page = b.text().await;
    assert!(page.contains(&number), "{}: {page}", b.label());
    assert!(page.contains("Thank you"), "{}: {page}", b.label());
    assert!(page.contains("Status: Paid"), "{}: {page}", b.label());
    assert!(page.contains("Payment: received"), "{}: {page}", b.label());
    assert_eq!(cart_count(b).await, "0");
    b.check_page("order").await;
    b.keep_order_token(&number).await;
    number
}

/// Picks `country` by name in the checkout's country list.
async fn choose_country(b: &Browser, country: &str) {
    choose(b, "Country", country).await;
}

/// Chooses the option reading `option` in the select labelled `field`.
pub(crate) async fn choose(b: &Browser, field: &str, option: &str) {
    b.field(field)
        .await
        .find(fantoccini::Locator::XPath(&format!(
            "option[normalize-space()={}]",
            xpath_literal(option)
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// The number of the order whose payment step the browser shows.
pub(crate) async fn placed_number(b: &Browser) -> String {
    let path = b.path().await;
    path.strip_prefix("/orders/")
        .and_then(|rest| rest.strip_suffix("/pay"))
        .unwrap_or_else(|| panic!("{}: placing led to {path}", b.label()))
        .to_string()
}

/// Ticks the terms box (once).
pub(crate) async fn accept_terms(b: &Browser) {
    let terms = b.find("//input[@id='terms']").await;
    if !terms.is_selected().await.unwrap() {
        terms.click().await.unwrap();
    }
}

/// Types a valid checkout (a Berlin address) without submitting it.
pub(crate) async fn type_checkout(b: &Browser, email: &str) {
    for (label, text) in [
        ("Email", email),
        ("Full name", "Grace Hopper"),
        ("Address", "Unter den Linden 1"),
        ("City", "Berlin"),
        ("Postal code", "10117"),
    ] {
        let field = b.field(label).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    choose_country(b, "Germany").await;
}

/// Adds one of the product at `/products/{slug}` with its page's button.
pub(crate) async fn add_from_product_page(b: &Browser, slug: &str, quantity: Option<&str>) {
    b.goto(&format!("/products/{slug}")).await;
    if let Some(quantity) = quantity {
        let name = b.heading().await;
        let field = b.field(&format!("Quantity of {name}")).await;
        field.clear().await.unwrap();
        field.send_keys(quantity).await.unwrap();
    }
    b.click_button("Add to cart").await;
    assert_eq!(b.heading().await, "Your cart", "{}", b.label());
}

/// Leaving the payment step loses nothing: Back to the checkout, the header names the
/// order awaiting payment; submitting the checkout again offers that order; paying it
/// empties the cart; Back after paying re-fetches the page, which says paid.
fn shopper_leaves_payment_and_resumes_it(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    let mut number = String::new();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| {
            add_from_product_page(b, "french-press", None).await;
            let check_out = b.find("//main//a[normalize-space()='Check out']").await;
            b.click_to_next_page(&check_out).await;
            type_checkout(b, "grace@example.com").await;
            accept_terms(b).await;
            b.click_button("Buy now").await;
            number = placed_number(b).await;

            // Back: the checkout again, fetched anew, with the order in the header.
            let old = b.find("/html").await;
            b.client.back().await.unwrap();
            b.wait_for_new_document(old).await;
            assert_eq!(b.path().await, "/checkout", "{}", b.label());
            let header = b.find("//header").await.text().await.unwrap();
            assert!(
                header.contains(&number) && header.contains("awaits payment"),
                "{}: {header}",
                b.label()
            );
            assert_eq!(cart_count(b).await, "1", "{}: the cart is kept", b.label());
            // The cart page links it too.
            b.goto("/cart").await;
            b.find(&format!("//main//a[@href='/orders/{number}/pay']"))
                .await;
            b.check_page("cart with an order awaiting payment").await;

            // Submitting the checkout again changes that order, never places a second one.
            b.goto("/checkout").await;
            type_checkout(b, "grace@example.com").await;
            accept_terms(b).await;
            b.click_button("Buy now").await;
            assert_eq!(
                b.path().await,
                format!("/orders/{number}/pay"),
                "{}",
                b.label()
            );
            assert!(
                b.text()
                    .await
                    .contains("Your order is updated with these details and keeps its number"),
                "{}",
                b.label()
            );

            // Paid: the cart empties.
            b.click_button("Pay (test mode)").await;
            assert_eq!(b.path().await, format!("/orders/{number}"));
            b.keep_order_token(&number).await;
            assert!(b.text().await.contains("Thank you"), "{}", b.label());
            assert_eq!(cart_count(b).await, "0", "{}", b.label());

            // Back after paying: re-fetched (never the stored page with its pay button),
            // and it says paid.
            let old = b.find("/html").await;
            b.client.back().await.unwrap();
            b.wait_for_new_document(old).await;
            let page = b.text().await;
            assert!(page.contains("Status: Paid"), "{}: {page}", b.label());
            assert!(
                b.find_all("//button[normalize-space()='Pay (test mode)']")
                    .await
                    .is_empty(),
                "{}: a live pay button after paying",
                b.label()
            );
            assert_eq!(cart_count(b).await, "0", "{}", b.label());
        },
    );
    let order = shared.app.order(&number);
    assert_eq!(order["state"], "paid", "{order}");
}

/// The checkout prices shipping for the chosen country (the "Update shipping" button,
/// no script needed), takes a method and a discount code, says at its field that a code
/// does not apply, and the order and payment pages show the same amounts.
fn shopper_chooses_shipping_and_applies_a_code(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    let mut number = String::new();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| {
            add_from_product_page(b, "french-press", None).await;
            b.goto("/checkout").await;
            type_checkout(b, "ida@example.com").await;
            b.click_button("Update shipping").await;
            let page = b.text().await;
            assert!(
                page.contains("Standard (DHL, 1–3 days)") && page.contains("Express"),
                "{}: {page}",
                b.label()
            );
            assert!(page.contains("incl. VAT"), "{}: {page}", b.label());
            // What was typed is still there.
            let city = b.field("City").await.prop("value").await.unwrap();
            assert_eq!(city.as_deref(), Some("Berlin"), "{}", b.label());

            // Express, and a code that does not exist: said at the field.
            b.find("//input[@name='shipping_method' and @value='de-express']")
                .await
                .click()
                .await
                .unwrap();
            b.type_into("Discount code (optional)", "NOPE").await;
            b.click_button("Apply").await;
            let code = b.field("Discount code (optional)").await;
            assert_eq!(
                code.attr("aria-invalid").await.unwrap().as_deref(),
                Some("true"),
                "{}",
                b.label()
            );
            let why = b
                .find("//*[@id='discount_code-error']")
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(
                why,
                "Discount code cannot be applied to this order.",
                "{}",
                b.label()
            );
            let express = b
                .find("//input[@name='shipping_method' and @value='de-express']")
                .await;
            assert!(
                express.is_selected().await.unwrap(),
                "{}: the method was kept",
                b.label()
            );
            b.check_page("checkout with shipping methods and a refused code")
                .await;

            // A code that applies.
            let code = b.field("Discount code (optional)").await;
            code.clear().await.unwrap();
            code.send_keys("FIVEOFF").await.unwrap();
            b.click_button("Apply").await;
            let page = b.text().await;
            assert!(page.contains("FIVEOFF applied"), "{}: {page}", b.label());
            assert!(page.contains("−€5.00"), "{}: {page}", b.label());

            accept_terms(b).await;
            b.click_button("Buy now").await;
            number = placed_number(b).await;
            let page = b.text().await;
            assert!(
                page.contains("Express") && page.contains("−€5.00"),
                "{}: {page}",
                b.label()
            );
            b.click_button("Pay (test mode)").await;
            b.keep_order_token(&number).await;
            let page = b.text().await;
            assert!(
                page.contains("Express") && page.contains("FIVEOFF") && page.contains("incl. VAT"),
                "{}: {page}",
                b.label()
            );
        },
    );
    let order = shared.app.order(&number);
    assert_eq!(order["shipping"]["code"], "de-express", "{order}");
    assert_eq!(order["discount"]["code"], "FIVEOFF", "{order}");
    assert_eq!(order["state"], "paid", "{order}");
}

/// A product without options that no other scenario buys, and its stock now.
fn quiet_product(app: &TestApp) -> (String, i64) {
    let list: serde_json::Value = support::client()
        .get(app.url("/api/products?limit=100"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    list["products"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .filter(|p| p["options"].as_array().is_none_or(|o| o.is_empty()))
        .map(|p| {
            (
                p["slug"].as_str().unwrap().to_string(),
                p["stock"].as_i64().unwrap(),
            )
        })
        .find(|(slug, stock)| slug != "french-press" && (1..90).contains(stock))
        .expect("a product without options with 1..90 in stock")
}

/// More than the shelf holds: the cart says so at once with the fix, and the fix keeps
/// what was typed at checkout.
fn stock_warning_and_fix_keep_the_typed_address(viewport: Viewport) {
    let shared = shared();
    let (slug, _) = quiet_product(&shared.app);
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        Scripts::On,
        async |b| {
            // Adding more than there is puts what there is, and says so at once.
            add_from_product_page(b, &slug, Some("95")).await;
            let (_, stock) = quiet_product_stock(&shared.app, &slug);
            let capped = format!("Only {stock} left; we put {stock} in your cart.");
            assert!(
                b.text().await.contains(&capped),
                "{}: {}",
                b.label(),
                b.text().await
            );
            // Asking for more in the cart: the line says what the shelf holds, with the fix.
            let name = b.find("//main//td/a").await.text().await.unwrap();
            let field = b.field(&format!("Quantity of {name}")).await;
            field.clear().await.unwrap();
            field.send_keys("95").await.unwrap();
            b.click_button("Update cart").await;
            let warning = format!("Only {stock} left");
            assert!(
                b.text().await.contains(&warning),
                "{}: {}",
                b.label(),
                b.text().await
            );
            b.check_page("cart with a stock warning").await;

            // At checkout: the address typed, then "Edit cart" keeps it.
            b.goto("/checkout").await;
            type_checkout(b, "hedy@example.com").await;
            b.click_button("← Edit cart").await;
            assert_eq!(b.path().await, "/cart", "{}", b.label());
            b.click_button(&format!("Set to {stock}")).await;
            let name = b.find("//main//td/a").await.text().await.unwrap();
            let name = name.split(" (").next().unwrap().to_string();
            let value = b
                .field(&format!("Quantity of {name}"))
                .await
                .prop("value")
                .await
                .unwrap();
            assert_eq!(value, Some(stock.to_string()), "{}", b.label());
            assert!(!b.text().await.contains(&warning), "{}", b.label());

            let check_out = b.find("//main//a[normalize-space()='Check out']").await;
            b.click_to_next_page(&check_out).await;
            for (label, text) in [("Email", "hedy@example.com"), ("City", "Berlin")] {
                let value = b.field(label).await.prop("value").await.unwrap();
                assert_eq!(value.as_deref(), Some(text), "{}: {label} lost", b.label());
            }
            let country = b.field("Country").await.prop("value").await.unwrap();
            assert_eq!(country.as_deref(), Some("DE"), "{}", b.label());
        },
    );
}

fn quiet_product_stock(app: &TestApp, slug: &str) -> (String, i64) {
    let p: serde_json::Value = support::client()
        .get(app.url(&format!("/api/products/{slug}")))
        .send()
        .unwrap()
        .json()
        .unwrap();
    (slug.to_string(), p["stock"].as_i64().unwrap())
}

/// Redraws `docs/checkout-{phone,desktop}.png` (the checkout with errors shown) and
/// `docs/order-{phone,desktop}.png` (a paid order), each the whole page.
fn screenshots() {
    let shared = shared();
    for viewport in Viewport::ALL {
        session(
            &shared.driver,
            &shared.app.base_url,
            viewport,
            Scripts::On,
            async |b| {
                add_from_product_page(b, "ethiopia-yirgacheffe", Some("2")).await;
                add_from_product_page(b, "french-press", None).await;
                b.goto("/checkout").await;
                type_checkout(b, "grace.example.com").await;
                b.click_button("Buy now").await;
                shoot(b, &format!("checkout-{viewport}.png")).await;
                let email = b.field("Email").await;
                email.clear().await.unwrap();
                email.send_keys("grace@example.com").await.unwrap();
                accept_terms(b).await;
                b.click_button("Buy now").await;
                b.click_button("Pay (test mode)").await;
                shoot(b, &format!("order-{viewport}.png")).await;
            },
        );
    }
}

/// A screenshot of the whole page (the window stretched to its height) into `docs/`.
async fn shoot(b: &Browser, file: &str) {
    let (width, height) = b.viewport.size();
    let full = b
        .script("return document.documentElement.scrollHeight")
        .await
        .as_u64()
        .unwrap_or(height as u64) as u32;
    b.client
        .set_window_size(width, full.max(height))
        .await
        .unwrap();
    let png = b.client.screenshot().await.unwrap();
    let path = support::repo_root().join("docs").join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, png).unwrap();
    b.client.set_window_size(width, height).await.unwrap();
}

/// The number on the header's cart link.
async fn cart_count(b: &Browser) -> String {
    b.find("//header//*[@aria-label='items in cart']")
        .await
        .text()
        .await
        .unwrap()
}

/// The checks every page passes can fail: a page too wide for a phone, and controls
/// without a name, are caught; labelled controls are not.
fn the_page_checks_catch_bad_pages(scripts: Scripts) {
    let shared = shared();
    let page = |body: &str| {
        format!("data:text/html,<meta name=viewport content='width=device-width'>{body}")
    };
    session(
        &shared.driver,
        &shared.app.base_url,
        Viewport::Phone,
        scripts,
        async |b| {
            b.client
                .goto(&page("<div style='width:600px'>wide</div>"))
                .await
                .unwrap();
            let problems = b.page_problems().await;
            match scripts {
                Scripts::On => assert!(
                    problems.iter().any(|p| p.contains("scrolls sideways")),
                    "{problems:?}"
                ),
                Scripts::Off => assert!(problems.is_empty(), "{problems:?}"),
            }

            let unnamed = "<input name=q><select name=s><option>a</option></select><textarea name=t></textarea><button></button>";
            b.client.goto(&page(unnamed)).await.unwrap();
            let problems = b.page_problems().await;
            assert_eq!(problems.len(), 4, "{problems:?}");

            let named = "<label for=q>Search</label><input id=q name=q>\
                <label>Size <select name=s><option>a</option></select></label>\
                <textarea name=t aria-label=Note></textarea><button>Go</button>\
                <input type=hidden name=csrf value=x>";
            b.client.goto(&page(named)).await.unwrap();
            let problems = b.page_problems().await;
            assert!(problems.is_empty(), "{problems:?}");

            // axe-core runs where scripts do, and finds what the issue found: text too
            // faint to read, a button with no name.
            if scripts == Scripts::On {
                let faint = "<html lang=en><title>t</title><main><p style='color:%23aaa;background:%23fff'>faint</p>\
                    <button></button></main></html>";
                b.client.goto(&page(faint)).await.unwrap();
                let problems = b.axe_problems().await;
                assert!(
                    problems.iter().any(|p| p.contains("color-contrast"))
                        && problems.iter().any(|p| p.contains("button-name")),
                    "{problems:?}"
                );
            }
        },
    );
}
