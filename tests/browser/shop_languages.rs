//! German in a real browser, at phone and desktop size, with scripts on and off: the
//! shopper switches to Deutsch with the header's link, browses a collection and a
//! product in German (German prices), adds it to the cart, checks out in German (a wrong
//! email is refused at its field in German words), and finds the German order page.

use crate::browser_support::{Scripts, Viewport, session};
use crate::shop::{accept_terms, choose, placed_number};
use crate::{Scenario, at_every_size_and_setting, shop_app as shared};
use libtest_mimic::Trial;

pub fn trials() -> Vec<Trial> {
    let scenarios: Vec<(&str, Scenario)> = vec![(
        "shopper_switches_to_german_and_checks_out",
        shopper_switches_to_german_and_checks_out,
    )];
    at_every_size_and_setting("shop_languages", scenarios)
}

fn shopper_switches_to_german_and_checks_out(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| {
            b.goto("/products/colombia-huila").await;
            let switch = b.find("//header//a[@hreflang='de']").await;
            assert_eq!(switch.text().await.unwrap(), "Deutsch", "{}", b.label());
            b.click_to_next_page(&switch).await;
            assert_eq!(b.path().await, "/products/colombia-huila", "{}", b.label());
            b.find("/html[@lang='de']").await;
            let price = b
                .find("//*[@id='chosen-price']")
                .await
                .text()
                .await
                .unwrap();
            assert!(
                price.ends_with('€') && price.contains(','),
                "{}: {price:?}",
                b.label()
            );
            b.check_page("a product page in German").await;

            b.goto("/").await;
            assert!(b.text().await.contains("Alle Produkte"), "{}", b.label());
            b.check_page("the catalog in German").await;
            b.goto("/products/colombia-huila").await;
            b.click_button("In den Warenkorb").await;
            assert_eq!(b.heading().await, "Ihr Warenkorb", "{}", b.label());
            b.check_page("the cart in German").await;
            let check_out = b.find("//main//a[normalize-space()='Zur Kasse']").await;
            b.click_to_next_page(&check_out).await;
            assert_eq!(b.heading().await, "Kasse", "{}", b.label());

            for (label, text) in [
                ("E-Mail", "kein-at-zeichen"),
                ("Vollständiger Name", "Grace Hopper"),
                ("Adresse", "Unter den Linden 1"),
                ("Ort", "Berlin"),
                ("Postleitzahl", "10117"),
            ] {
                let field = b.field(label).await;
                field.clear().await.unwrap();
                field.send_keys(text).await.unwrap();
            }
            choose(b, "Land", "Deutschland").await;
            accept_terms(b).await;
            b.click_button("Kaufen").await;
            assert_eq!(b.path().await, "/checkout", "{}: nothing placed", b.label());
            let error = b.find("//*[@id='email-error']").await.text().await.unwrap();
            assert_eq!(
                error,
                "E-Mail: keine gültige E-Mail-Adresse.",
                "{}",
                b.label()
            );
            b.find("//*[@id='error-summary']//a[@href='#email']").await;
            b.check_page("the German checkout with an error").await;

            let email = b.field("E-Mail").await;
            email.clear().await.unwrap();
            email.send_keys("grace@example.com").await.unwrap();
            accept_terms(b).await;
            b.click_button("Kaufen").await;
            let number = placed_number(b).await;
            b.goto(&format!("/orders/{number}")).await;
            assert_eq!(
                b.heading().await,
                "Ihre Bestellung wartet auf Zahlung",
                "{}",
                b.label()
            );
            assert!(b.text().await.contains(&price), "{}", b.label());
            b.check_page("the German order page").await;
        },
    );
}
