//! Structured data for search engines (schema.org as JSON-LD): the home page's
//! `Organization`, a product page's `Product` with one `Offer` per variant on sale and
//! its `BreadcrumbList`.
//!
//! Each block is a `<script type="application/ld+json">`: a data block the browser never
//! runs, so the page's Content-Security-Policy (no inline script but the one allowed by
//! hash) does not apply to it. What the owner typed reaches it as JSON strings, with `<`,
//! `>` and `&` written as `\u003c`, `\u003e`, `\u0026`: a name holding `</script>` cannot
//! end the block, and the JSON still reads back the same text.
//!
//! Prices are the writer's minor units written as a decimal string (`1450` EUR → `"14.50"`),
//! availability `InStock` or `OutOfStock` by the variant's stock. Every address is absolute
//! from `shop_url`.

use crate::shop::catalog::breadcrumbs::Crumb;
use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};
use storefront_domain::Product;
use storefront_domain::checkout::ShopSettings;
use storefront_domain::decimal::format_amount;

/// `value` as the text of a JSON-LD script element.
pub fn script(value: &Value) -> Markup {
    let text = serde_json::to_string(value)
        .expect("JSON values always serialise")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    html! { script type="application/ld+json" { (PreEscaped(text)) } }
}

/// The shop as an `Organization`, for the home page.
pub fn organization(shop: &ShopSettings, shop_url: &str) -> Value {
    let mut org = json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": shop.name,
        "url": format!("{shop_url}/"),
    });
    if let Some(logo) = &shop.logo {
        org["logo"] = json!(format!("{shop_url}/images/{logo}"));
    }
    if !shop.contact_email.is_empty() {
        org["email"] = json!(shop.contact_email);
    }
    if !shop.contact_address.is_empty() {
        org["address"] = json!(shop.contact_address);
    }
    org
}

/// The product with an `Offer` per variant on sale (active), and its breadcrumbs
/// (`crumbs`, from [`crate::shop::catalog::breadcrumbs::trail`]).
pub fn product(
    product: &Product,
    crumbs: &[Crumb],
    shop: &ShopSettings,
    shop_url: &str,
) -> [Value; 2] {
    let url = format!("{shop_url}/products/{}", product.slug);
    let offers: Vec<Value> = product
        .variants
        .iter()
        .filter(|v| v.active && !v.archived)
        .map(|v| {
            json!({
                "@type": "Offer",
                "sku": v.sku,
                "name": if v.title.is_empty() { &product.name } else { &v.title },
                "price": format_amount(v.price.amount, &v.price.currency),
                "priceCurrency": v.price.currency,
                "availability": if v.stock > 0 {
                    "https://schema.org/InStock"
                } else {
                    "https://schema.org/OutOfStock"
                },
                "url": url,
            })
        })
        .collect();
    let mut item = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "brand": { "@type": "Brand", "name": shop.name },
        "offers": offers,
    });
    if !product.description.is_empty() {
        item["description"] = json!(product.description);
    }
    if !product.images.is_empty() {
        let images: Vec<String> = product
            .images
            .iter()
            .map(|i| format!("{shop_url}/images/{}", i.hash))
            .collect();
        item["image"] = json!(images);
    }
    let items: Vec<Value> = crumbs
        .iter()
        .enumerate()
        .map(|(i, crumb)| {
            json!({
                "@type": "ListItem",
                "position": i + 1,
                "name": crumb.name,
                "item": format!("{shop_url}{}", crumb.path),
            })
        })
        .collect();
    let crumbs = json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": items,
    });
    [item, crumbs]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closing_script_tag_in_a_name_stays_inside_the_json() {
        let value = json!({ "name": "</script><script>alert(1)</script> & co" });
        let html = script(&value).into_string();
        let inner = html
            .strip_prefix("<script type=\"application/ld+json\">")
            .and_then(|s| s.strip_suffix("</script>"))
            .unwrap();
        assert!(!inner.contains('<') && !inner.contains('>') && !inner.contains('&'));
        let back: Value = serde_json::from_str(inner).unwrap();
        assert_eq!(back, value);
    }
}
