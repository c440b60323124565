//! The shopper's pages in a real browser: headless Chromium through chromedriver, at
//! phone and desktop size, with JavaScript on and off. A shopper finds a product,
//! adds it with the page's own button, changes the quantity, checks out by typing,
//! corrects a mistake the page points at, places the order and pays in test mode.
//! Another browses a collection, searches from the header and picks a variant with the
//! product page's picker form (a plain GET form, so it works without scripts).
//! On every page: nothing scrolls sideways and every control has an accessible name.
//!
//! This binary has its own `main` (libtest-mimic, `harness = false`) so that the one
//! chromedriver and the one app its tests share are stopped when the tests end.

mod browser_support;
mod common;

use browser_support::{Browser, Chromedriver, Scripts, Viewport, session, xpath_literal};
use common::TestApp;
use fantoccini::key::Key;
use libtest_mimic::{Arguments, Trial};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// What the tests share: started by the first test that runs, stopped by `main`.
struct Shared {
    driver: Chromedriver,
    app: TestApp,
    _data_dir: tempfile::TempDir,
}

static SHARED: Mutex<Option<Arc<Shared>>> = Mutex::new(None);

fn shared() -> Arc<Shared> {
    let mut slot = SHARED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(shared) = slot.as_ref() {
        return shared.clone();
    }
    let driver = Chromedriver::start();
    let data_dir = tempfile::tempdir().unwrap();
    let app = common::start(data_dir.path());
    let shared = Arc::new(Shared {
        driver,
        app,
        _data_dir: data_dir,
    });
    *slot = Some(shared.clone());
    shared
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for viewport in Viewport::ALL {
        for scripts in Scripts::ALL {
            trials.push(Trial::test(
                format!("shopper_buys_and_pays::{viewport}::{scripts}"),
                move || {
                    shopper_buys_and_pays(viewport, scripts);
                    Ok(())
                },
            ));
        }
    }
    for viewport in Viewport::ALL {
        for scripts in Scripts::ALL {
            trials.push(Trial::test(
                format!("shopper_browses_searches_and_picks_a_variant::{viewport}::{scripts}"),
                move || {
                    shopper_browses_searches_and_picks_a_variant(viewport, scripts);
                    Ok(())
                },
            ));
        }
    }
    for scripts in Scripts::ALL {
        trials.push(Trial::test(
            format!("the_page_checks_catch_bad_pages::{scripts}"),
            move || {
                the_page_checks_catch_bad_pages(scripts);
                Ok(())
            },
        ));
    }
    let conclusion = libtest_mimic::run(&args, trials);
    // Stops the app and chromedriver (the tests' own handles are gone by now).
    drop(
        SHARED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take(),
    );
    conclusion.exit_code()
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
    let order = common::order_json(&shared.app, &number);
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

/// A collection from the navigation, the header's search box, and a variant chosen with
/// the product page's picker form, then added to the cart.
async fn browse_search_and_pick(b: &Browser) {
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
        let select = b
            .find(&format!("//main//select[@name={}]", xpath_literal(option)))
            .await;
        select
            .find(fantoccini::Locator::XPath(&format!(
                "option[normalize-space()={}]",
                xpath_literal(value)
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
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
        .find_all("//main//a[starts-with(@href, '/products/')]")
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

    // Two instead of one, with the line's quantity form.
    let quantity = b.field("Quantity").await;
    quantity.clear().await.unwrap();
    quantity.send_keys("2").await.unwrap();
    b.click_button("Update").await;
    assert!(b.path().await.starts_with("/cart"), "{}", b.path().await);
    let quantity = b.field("Quantity").await;
    assert_eq!(quantity.prop("value").await.unwrap().as_deref(), Some("2"));
    assert_eq!(cart_count(b).await, "2");

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
        ("Country code", "GB"),
    ];
    for (label, text) in typed {
        b.type_into(label, text).await;
    }
    // Enter in the last field submits the form, as it does for a shopper.
    let old = b.find("/html").await;
    b.field("Country code")
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    b.wait_for_new_document(old).await;

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
    for (label, text) in typed {
        let value = b.field(label).await.prop("value").await.unwrap();
        assert_eq!(value.as_deref(), Some(text), "{}: {label} lost", b.label());
    }
    b.check_page("checkout with an error").await;

    // Corrected, and placed with the button.
    let email = b.field("Email").await;
    email.clear().await.unwrap();
    email.send_keys("ada@example.com").await.unwrap();
    b.click_button("Place order").await;

    // The payment page names the order.
    let path = b.path().await;
    let number = path
        .strip_prefix("/orders/")
        .and_then(|rest| rest.strip_suffix("/pay"))
        .unwrap_or_else(|| panic!("{}: placing the order led to {path}", b.label()))
        .to_string();
    let page = b.text().await;
    assert!(page.contains(&number), "{}: {page}", b.label());
    assert!(page.contains("TEST MODE"), "{}: {page}", b.label());
    assert_eq!(cart_count(b).await, "0");
    b.check_page("payment").await;

    // Paying (test mode) ends on the order page, paid.
    b.click_button("Pay (test mode)").await;
    assert_eq!(b.path().await, format!("/orders/{number}"));
    let page = b.text().await;
    assert!(page.contains(&number), "{}: {page}", b.label());
    assert!(page.contains("Status: Paid"), "{}: {page}", b.label());
    assert!(page.contains("Payment: received"), "{}: {page}", b.label());
    b.check_page("order").await;
    number
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
        },
    );
}
