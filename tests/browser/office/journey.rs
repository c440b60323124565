//! The whole shop in one browser: the owner signs in and makes a product with variants
//! and a picture; a shopper finds it in the shop, picks a variant with the product
//! page's form, checks out and pays with the test-mode provider; the owner ships the
//! order and then refunds it in the back office; and the shopper's order page follows
//! each change.

use super::catalog::{create_product, png_file};
use super::{Scenario, in_browser, sign_in};
use crate::browser_support::{Browser, Scripts, Viewport, xpath_literal};
use crate::shop_choice::choose;
use fantoccini::Locator;

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![(
        "owner_sells_ships_and_refunds",
        owner_sells_ships_and_refunds,
    )]
}

async fn follow(browser: &Browser, text: &str) {
    let link = browser
        .find(&format!(
            "//main//a[normalize-space()={}]",
            xpath_literal(text)
        ))
        .await;
    browser.click_to_next_page(&link).await;
}

fn owner_sells_ships_and_refunds(viewport: Viewport, scripts: Scripts) {
    let slug = format!("journey-{viewport}-{scripts}")
        .to_ascii_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let name = format!("Journey roast {viewport} {scripts}");
    let picture = png_file();
    in_browser(viewport, scripts, async |b| {
        sign_in(b).await;
        create_product(b, &slug, &name, &picture).await;

        // The shopper: the product's page, a variant picked with the form, the cart.
        b.goto(&format!("/products/{slug}")).await;
        assert_eq!(b.heading().await, name);
        choose(b, "Size", "1 kg").await;
        choose(b, "Grind", "Filter").await;
        b.click_button("Show").await;
        assert!(b.text().await.contains("1 kg / Filter"), "{}", b.label());
        b.click_button("Add to cart").await;
        assert_eq!(b.heading().await, "Your cart");
        assert!(b.text().await.contains(&name));
        follow(b, "Check out").await;
        assert_eq!(b.heading().await, "Checkout");
        for (label, text) in [
            ("Email", "journey@example.com"),
            ("Full name", "Grace Hopper"),
            ("Address", "Hauptstraße 1"),
            ("City", "Berlin"),
            ("Postal code", "10115"),
        ] {
            b.type_into(label, text).await;
        }
        b.field("Country")
            .await
            .find(Locator::XPath("option[normalize-space()='Germany']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let terms = b.find("//input[@id='terms']").await;
        if !terms.is_selected().await.unwrap() {
            terms.click().await.unwrap();
        }
        b.click_button("Buy now").await;
        let path = b.path().await;
        let number = path
            .strip_prefix("/orders/")
            .and_then(|rest| rest.strip_suffix("/pay"))
            .unwrap_or_else(|| panic!("{}: placing the order led to {path}", b.label()))
            .to_string();
        b.click_button("Pay (test mode)").await;
        assert_eq!(b.path().await, format!("/orders/{number}"));
        assert!(
            b.text().await.contains("Status: Paid"),
            "{}",
            b.text().await
        );

        // The owner ships it…
        b.goto(&format!("/admin/orders/{number}")).await;
        assert!(b.heading().await.contains(&number));
        assert!(b.text().await.contains("1 kg / Filter"));
        follow(b, "Ship…").await;
        b.click_button("Ship order").await;
        assert!(b.text().await.contains("is shipped"), "{}", b.text().await);
        b.goto(&format!("/orders/{number}")).await;
        assert!(
            b.text().await.contains("Your order has shipped"),
            "{}",
            b.label()
        );

        // …and refunds it (a return).
        b.goto(&format!("/admin/orders/{number}")).await;
        follow(b, "Refund…").await;
        b.click_button("Refund").await;
        assert!(
            b.text().await.contains("is now refunded in full"),
            "{}",
            b.text().await
        );
        b.goto(&format!("/orders/{number}")).await;
        assert!(
            b.text().await.contains("This order was refunded"),
            "{}",
            b.label()
        );
        b.check_page("the refunded order, as the shopper sees it")
            .await;
    });
}
