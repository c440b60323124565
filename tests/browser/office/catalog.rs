//! Back-office scenarios: catalog. The owner makes a product with options (so one
//! variant per combination) and a picture through the forms, as a browser sends them
//! (the picture through the file input of the multipart form), and finds it in the shop;
//! then renames an option value, archives a variant and the product and restores both.

use super::{Scenario, in_browser, sign_in};
use crate::browser_support::{Browser, Scripts, Viewport};
use fantoccini::Locator;

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![
        ("owner_adds_a_product_with_a_picture", owner_adds_a_product),
        (
            "owner_renames_archives_and_restores_a_product",
            owner_archives_and_restores,
        ),
    ]
}

/// A small PNG in a temporary file, for the file input.
pub fn png_file() -> tempfile::NamedTempFile {
    let img = image::RgbaImage::from_fn(40, 30, |x, y| {
        image::Rgba([(x * 6) as u8, (y * 8) as u8, 90, 255])
    });
    let file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    img.save_with_format(file.path(), image::ImageFormat::Png)
        .unwrap();
    file
}

fn owner_adds_a_product(viewport: Viewport, scripts: Scripts) {
    // One product per run: the four runs share one app.
    let slug = format!("browser-blend-{viewport}-{scripts}")
        .to_ascii_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let name = format!("Browser blend {viewport} {scripts}");
    let picture = png_file();
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        create_product(browser, &slug, &name, &picture).await;
        // In the shop: its page, its variants, its picture.
        browser.goto(&format!("/products/{slug}")).await;
        assert_eq!(browser.heading().await, name);
        let img = browser
            .client
            .find(Locator::XPath("//main//img[@alt='A bag of browser blend']"))
            .await
            .unwrap_or_else(|e| panic!("{}: no picture: {e}", browser.label()));
        let src = img.attr("src").await.unwrap().unwrap_or_default();
        assert!(src.contains("/images/"), "{src}");
        assert!(browser.text().await.contains("€9.90"));
    });
}

fn owner_archives_and_restores(viewport: Viewport, scripts: Scripts) {
    let slug = format!("restored-blend-{viewport}-{scripts}")
        .to_ascii_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    let name = format!("Restored blend {viewport} {scripts}");
    let picture = png_file();
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        create_product(browser, &slug, &name, &picture).await;

        // A typo in an option value fixed: the variants' titles follow.
        let what = browser.field("What").await;
        what.select_by_label("Grind: Filter").await.unwrap();
        browser.type_into("New name", "Espresso").await;
        browser.click_button("Rename").await;
        let text = browser.text().await;
        assert!(text.contains("Renamed."), "{text}");
        assert!(text.contains("1 kg / Espresso"), "{text}");
        assert!(!text.contains("1 kg / Filter"), "{text}");

        // A variant archived after its confirmation page, then restored from its row.
        let archive_variant = browser
            .find("//main//a[starts-with(normalize-space(),'Archive ') and contains(@href,'/variants/')]")
            .await;
        browser.click_to_next_page(&archive_variant).await;
        let heading = browser.heading().await;
        assert!(heading.starts_with("Archive the variant"), "{heading}");
        browser.click_button("Archive").await;
        let text = browser.text().await;
        assert!(text.contains("Archived the variant"), "{text}");
        browser
            .check_page("a product page with an archived variant")
            .await;
        browser.click_button("Restore").await;
        let text = browser.text().await;
        assert!(text.contains("Restored the variant"), "{text}");

        // The product archived: gone from the shop until the owner restores it.
        let archive = browser
            .find("//main//a[normalize-space()='Archive this product…']")
            .await;
        browser.click_to_next_page(&archive).await;
        browser.click_button("Archive").await;
        let text = browser.text().await;
        assert!(text.contains("Archived the product."), "{text}");
        browser.check_page("an archived product's page").await;
        browser.goto(&format!("/products/{slug}")).await;
        assert_ne!(browser.heading().await, name);
        browser
            .goto(&format!("/admin/catalog/products/{slug}"))
            .await;
        browser.click_button("Restore this product").await;
        let text = browser.text().await;
        assert!(text.contains("Restored the product"), "{text}");
        browser.goto(&format!("/products/{slug}")).await;
        assert_eq!(browser.heading().await, name);
    });
}

/// With the owner signed in: a new product `name` at `slug` with two options (four
/// variants at €9.90, stock 20 each) and `picture` (alt text "A bag of browser blend"),
/// made with the back office's forms.
pub async fn create_product(
    browser: &Browser,
    slug: &str,
    name: &str,
    picture: &tempfile::NamedTempFile,
) {
    browser.goto("/admin/catalog").await;
    assert_eq!(browser.heading().await, "Catalog");
    browser.check_page("the product list").await;
    let new = browser
        .find("//main//a[normalize-space()='New product']")
        .await;
    browser.click_to_next_page(&new).await;
    assert_eq!(browser.heading().await, "New product");
    browser.check_page("the new product form").await;

    browser.type_into("Name", name).await;
    browser.type_into("Slug", slug).await;
    browser
        .type_into("Options", "Size: 250 g, 1 kg\nGrind: Whole bean, Filter")
        .await;
    browser.type_into("Price (EUR)", "9.90").await;
    let stock = browser.field("Stock of each variant").await;
    stock.clear().await.unwrap();
    stock.send_keys("20").await.unwrap();
    browser.click_button("Create product").await;
    assert_eq!(browser.heading().await, name, "{}", browser.text().await);
    let text = browser.text().await;
    assert!(text.contains(&format!("Created “{name}”.")), "{text}");
    assert!(text.contains("1 kg / Filter"), "{text}");
    browser.check_page("the product page").await;

    let file = browser.field("Image file").await;
    file.send_keys(&picture.path().to_string_lossy())
        .await
        .unwrap();
    browser
        .type_into("Alt text", "A bag of browser blend")
        .await;
    browser.click_button("Upload image").await;
    let text = browser.text().await;
    assert!(text.contains("Image added."), "{text}");
}
