//! The variant a shopper chooses is the variant they buy, in a real browser at phone and
//! desktop size, with JavaScript on and off. A shopper chooses 1 kg / Filter in the product
//! page's selects and presses "Add to cart" without "Show": the cart holds that variant at
//! its price. With JavaScript the shown price, price per kg, stock and SKU follow the
//! selects before anything is submitted; without it the page keeps showing the default
//! until "Show", and the form still buys what was chosen. Sold-out values are marked in
//! the selects and a sold-out choice is not added. Cart lines show the picture, the
//! variant and the price per kg, and their controls name the variant, so two lines of one
//! product differ (and axe finds no label mismatch).
//!
//! These run against an app of their own (`choice_app`), in which every Espresso variant
//! of Guatemala Huehuetenango is sold out, so the other shop scenarios see the demo
//! catalog as it is.

use crate::browser_support::{Browser, Scripts, Viewport, session, xpath_literal};
use crate::support::{self, TestApp};
use crate::{Scenario, at_every_size_and_setting, choice_app};
use libtest_mimic::Trial;

pub fn trials() -> Vec<Trial> {
    let scenarios: Vec<(&str, Scenario)> = vec![
        (
            "shopper_buys_the_variant_chosen_in_the_selects",
            shopper_buys_the_variant_chosen_in_the_selects,
        ),
        (
            "sold_out_values_are_marked_and_not_added",
            sold_out_values_are_marked_and_not_added,
        ),
    ];
    at_every_size_and_setting("shop_choice", scenarios)
}

const ETHIOPIA: &str = "/products/ethiopia-yirgacheffe";
const GUATEMALA: &str = "/products/guatemala-huehuetenango";

/// The shop with the admin routes on and every Guatemala Espresso variant sold out.
pub fn start(dir: &std::path::Path) -> TestApp {
    let app = support::start_with_admin(dir);
    app.admin().sell_out("guatemala-huehuetenango", "Espresso");
    app
}

/// Chooses `value` in the select of option `option` (by clicking it, as a shopper does).
pub async fn choose(b: &Browser, option: &str, value: &str) {
    let select = b
        .find(&format!(
            "//main//select[@name={}]",
            xpath_literal(&format!("option.{option}"))
        ))
        .await;
    select
        .find(fantoccini::Locator::XPath(&format!(
            "option[@value={}]",
            xpath_literal(value)
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// The text of the element with `id`.
async fn shown(b: &Browser, id: &str) -> String {
    b.find(&format!("//*[@id={}]", xpath_literal(id)))
        .await
        .text()
        .await
        .unwrap()
}

/// The variant of `product` (JSON) titled `title`.
fn variant(product: &serde_json::Value, title: &str) -> serde_json::Value {
    product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["title"] == title)
        .unwrap_or_else(|| panic!("no {title}"))
        .clone()
}

fn shopper_buys_the_variant_chosen_in_the_selects(viewport: Viewport, scripts: Scripts) {
    let shared = choice_app();
    let product = shared.app.json("/api/products/ethiopia-yirgacheffe");
    let wanted = variant(&product, "1 kg / Filter");
    let sku = wanted["sku"].as_str().unwrap().to_string();
    let stock = wanted["stock"].as_i64().unwrap();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| {
            b.goto(ETHIOPIA).await;
            assert_eq!(shown(b, "chosen-price").await, "€14.50", "{}", b.label());
            assert_eq!(shown(b, "chosen-unit").await, "€58.00 / kg");
            b.check_page("product with options").await;
            choose(b, "Size", "1 kg").await;
            choose(b, "Grind", "Filter").await;
            if scripts == Scripts::On {
                // Before any submit, what is shown is what is chosen.
                assert_eq!(shown(b, "chosen-price").await, "€49.90", "{}", b.label());
                assert_eq!(shown(b, "chosen-unit").await, "€49.90 / kg");
                assert_eq!(shown(b, "chosen-sku").await, sku);
                assert_eq!(shown(b, "chosen-title").await, "1 kg / Filter");
                let badge = shown(b, "chosen-stock").await;
                let expected = if stock <= 5 {
                    format!("Only {stock} left")
                } else {
                    "In stock".to_string()
                };
                assert_eq!(badge, expected, "{}", b.label());
                assert_eq!(b.path().await, ETHIOPIA, "nothing was submitted");
                b.check_page("product with a choice made").await;
            } else {
                // Without scripts the page shows its variant until "Show"…
                assert_eq!(shown(b, "chosen-price").await, "€14.50", "{}", b.label());
            }
            // …and "Add to cart" buys what the selects say, either way.
            b.click_button("Add to cart").await;
            assert_eq!(b.heading().await, "Your cart", "{}", b.label());
            let text = b.text().await;
            assert!(text.contains("1 kg / Filter"), "{}: {text}", b.label());
            assert!(text.contains("€49.90"), "{}: {text}", b.label());
            assert!(
                !text.contains("250 g / Whole beans"),
                "{}: {text}",
                b.label()
            );
            assert!(text.contains("€49.90 / kg"), "{}: {text}", b.label());
            let thumbs = b
                .find_all("//main//table//img[contains(@class, 'thumb')]")
                .await;
            assert_eq!(thumbs.len(), 1, "{}: the line's picture", b.label());

            // A second line of the same product: each line's controls name its variant.
            b.goto(ETHIOPIA).await;
            choose(b, "Grind", "Filter").await;
            b.click_button("Add to cart").await;
            for title in ["1 kg / Filter", "250 g / Filter"] {
                let label = format!("Quantity of Ethiopia Yirgacheffe, {title}");
                let field = b.field(&label).await;
                assert_eq!(
                    field.prop("value").await.unwrap().as_deref(),
                    Some("1"),
                    "{}: {label}",
                    b.label()
                );
                b.find(&format!(
                    "//main//button[@aria-label={}]",
                    xpath_literal(&format!("Remove Ethiopia Yirgacheffe, {title}"))
                ))
                .await;
            }
            b.check_page("cart with two variants of one product").await;
        },
    );
}

fn sold_out_values_are_marked_and_not_added(viewport: Viewport, scripts: Scripts) {
    let shared = choice_app();
    session(
        &shared.driver,
        &shared.app.base_url,
        viewport,
        scripts,
        async |b| {
            b.goto(GUATEMALA).await;
            let espresso = b
                .find("//main//select[@name='option.Grind']/option[@value='Espresso']")
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(espresso, "Espresso (sold out)", "{}", b.label());
            let filter = b
                .find("//main//select[@name='option.Grind']/option[@value='Filter']")
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(filter, "Filter");
            b.check_page("product with a sold-out value").await;

            choose(b, "Grind", "Espresso").await;
            let add = b.button("Add to cart").await;
            if scripts == Scripts::On {
                // At once: the badge says so and the button cannot add it.
                assert_eq!(shown(b, "chosen-stock").await, "Sold out", "{}", b.label());
                assert!(!add.is_enabled().await.unwrap(), "{}", b.label());
                choose(b, "Grind", "Filter").await;
                assert!(add.is_enabled().await.unwrap(), "{}", b.label());
            } else {
                // Without scripts the form is sent, and the choice is refused.
                b.click_to_next_page(&add).await;
                assert!(b.path().await.starts_with(GUATEMALA), "{}", b.path().await);
                let text = b.text().await;
                assert!(
                    text.contains("Sorry, that choice is sold out."),
                    "{}: {text}",
                    b.label()
                );
                b.goto("/cart").await;
                assert!(
                    !b.text().await.contains("Guatemala"),
                    "{}: the sold-out choice is in the cart",
                    b.label()
                );
            }
        },
    );
}
