//! The product page (`GET /products/{slug}`): pictures, description, the variant picker (a
//! GET form, one `<select>` per option, so it works without JavaScript), and the selected
//! variant's price, stock, SKU and add-to-cart form.

use crate::layout::{Chrome, add_to_cart, image, layout, stock_badge};
use maud::{Markup, html};
use storefront_domain::catalog::{Product, Variant};

/// The option values a shopper picked and the variant they name.
#[derive(Debug)]
pub struct Selection<'a> {
    /// One value per product option, in option order.
    pub values: Vec<String>,
    /// The variant with exactly these values; `None` if no variant has them.
    pub variant: Option<&'a Variant>,
}

impl<'a> Selection<'a> {
    /// `chosen` holds `(option name, value)` from the query. Options not chosen keep the
    /// default variant's value; nothing chosen selects the default variant.
    pub fn of(product: &'a Product, chosen: &[(String, String)]) -> Selection<'a> {
        let default = product
            .variants
            .iter()
            .find(|v| v.active)
            .or(product.variants.first());
        let values: Vec<String> = product
            .options
            .iter()
            .map(|option| {
                let picked = chosen.iter().find(|(name, _)| *name == option.name);
                let from_default = default
                    .and_then(|v| v.options.iter().find(|c| c.name == option.name))
                    .map(|c| c.value.clone());
                picked
                    .map(|(_, value)| value.clone())
                    .or(from_default)
                    .unwrap_or_default()
            })
            .collect();
        let variant = product.variants.iter().find(|v| {
            v.options.len() == values.len()
                && product.options.iter().zip(&values).all(|(option, value)| {
                    v.options
                        .iter()
                        .any(|c| c.name == option.name && &c.value == value)
                })
        });
        Selection { values, variant }
    }
}

pub fn page(chrome: &Chrome, product: &Product, selection: &Selection<'_>, csrf: &str) -> Markup {
    let buyable = selection.variant.filter(|v| v.active);
    let content = html! {
        p { a href="/" { "← All products" } }
        article.product {
            @if !product.images.is_empty() {
                div.gallery {
                    @for (i, picture) in product.images.iter().enumerate() {
                        (image(picture, i == 0))
                    }
                }
            }
            h1 { (product.name) }
            p.description { (product.description) }
            @if !product.options.is_empty() {
                form.picker method="get" action={ "/products/" (product.slug) } {
                    @for (option, value) in product.options.iter().zip(&selection.values) {
                        label {
                            (option.name)
                            select name=(option.name) {
                                @for v in &option.values {
                                    option value=(v) selected[v == value] { (v) }
                                }
                            }
                        }
                    }
                    button type="submit" { "Show" }
                }
            }
            @match buyable {
                Some(variant) => {
                    @if !variant.title.is_empty() {
                        p.variant { strong { (variant.title) } }
                    }
                    span.price { (variant.price) }
                    (stock_badge(variant.stock))
                    p.sku.muted { "SKU " (variant.sku) }
                    @if variant.stock > 0 {
                        (add_to_cart(csrf, &product.slug, &variant.sku, &product.name))
                    }
                }
                None => {
                    p.flash.warning role="status" {
                        "This combination is not available. Please choose another."
                    }
                }
            }
        }
    };
    let mut chrome = chrome.clone();
    chrome.meta.description = product.description.clone();
    chrome.meta.image = product
        .images
        .first()
        .map(|i| format!("/images/{}", i.hash));
    chrome.meta.og_type = Some("product");
    layout(&chrome, &product.name, content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::Money;
    use storefront_domain::catalog::{OptionChoice, ProductOption};

    fn variant(sku: &str, size: &str, grind: &str, active: bool) -> Variant {
        let options = vec![
            OptionChoice {
                name: "Size".into(),
                value: size.into(),
            },
            OptionChoice {
                name: "Grind".into(),
                value: grind.into(),
            },
        ];
        Variant {
            sku: sku.into(),
            title: storefront_domain::catalog::variant_title(&options),
            options,
            price: Money::new(1450, "EUR"),
            stock: 3,
            active,
            archived: false,
        }
    }

    fn coffee() -> Product {
        Product {
            slug: "kenya".into(),
            name: "Kenya".into(),
            description: String::new(),
            price: Money::new(1450, "EUR"),
            stock: 6,
            options: vec![
                ProductOption {
                    name: "Size".into(),
                    values: vec!["250 g".into(), "1 kg".into()],
                },
                ProductOption {
                    name: "Grind".into(),
                    values: vec!["Whole beans".into(), "Filter".into()],
                },
            ],
            variants: vec![
                variant("k-off", "250 g", "Filter", false),
                variant("k-250-wb", "250 g", "Whole beans", true),
                variant("k-1kg-f", "1 kg", "Filter", true),
            ],
            images: vec![],
            collections: vec![],
            archived: false,
        }
    }

    fn pick(product: &Product, chosen: &[(&str, &str)]) -> (Vec<String>, Option<String>) {
        let chosen: Vec<(String, String)> = chosen
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let s = Selection::of(product, &chosen);
        (s.values, s.variant.map(|v| v.sku.clone()))
    }

    #[test]
    fn the_default_is_the_first_active_variant() {
        let p = coffee();
        let (values, sku) = pick(&p, &[]);
        assert_eq!(values, ["250 g", "Whole beans"]);
        assert_eq!(sku.as_deref(), Some("k-250-wb"));
    }

    #[test]
    fn chosen_values_pick_their_variant_and_keep_the_rest() {
        let p = coffee();
        let (_, sku) = pick(&p, &[("Size", "1 kg"), ("Grind", "Filter")]);
        assert_eq!(sku.as_deref(), Some("k-1kg-f"));
        // Only the grind chosen: the size stays the default's, and no such variant exists.
        let (values, sku) = pick(&p, &[("Grind", "Filter")]);
        assert_eq!(values, ["250 g", "Filter"]);
        assert_eq!(sku.as_deref(), Some("k-off"));
        let (_, sku) = pick(&p, &[("Size", "1 kg")]);
        assert_eq!(sku, None);
        let (_, sku) = pick(&p, &[("Size", "<script>")]);
        assert_eq!(sku, None);
    }
}
