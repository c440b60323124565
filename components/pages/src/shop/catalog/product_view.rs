//! The product page (`GET /products/{slug}`): pictures, description, and one form to buy
//! with: a `<select>` per option (values that cannot be bought marked "(sold out)"), the
//! selected variant's title, price, price per kg, stock and SKU, the quantity, "Add to
//! cart" and "Show". The selects post with "Add to cart", so the variant bought is the one
//! chosen, with or without JavaScript; "Show" reloads the page with the chosen variant
//! shown. With JavaScript the shown variant follows the selects at once
//! ([`crate::shop::catalog::choice_script`]).

use crate::http::forms::OPTION_FIELD;
use crate::i18n::Lang;
use crate::layout::{Chrome, image, layout, stock_state};
use crate::shop::catalog::breadcrumbs::{self, Crumb};
use crate::shop::catalog::choice_script::SCRIPT;
use crate::tr;
use maud::{Markup, PreEscaped, html};
use serde::Serialize;
use storefront_domain::Quantity;
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

pub fn page(
    chrome: &Chrome,
    product: &Product,
    crumbs: &[Crumb],
    selection: &Selection<'_>,
    csrf: &str,
) -> Markup {
    let buyable = selection.variant.filter(|v| v.active);
    let sellable = product.variants.iter().any(|v| v.active && v.stock > 0);
    let has_options = !product.options.is_empty();
    let lang = chrome.lang;
    let content = html! {
        (breadcrumbs::nav(lang, crumbs))
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
            // One form: the selects travel with "Add to cart", so the variant bought is
            // the one chosen, whether or not "Show" was pressed (or scripts ran) first.
            form.buy method="post" action="/cart/add"
                data-variants=[has_options.then(|| choices(lang, product))] {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="slug" value=(product.slug);
                @if has_options {
                    div.picker {
                        @for (option, value) in product.options.iter().zip(&selection.values) {
                            label {
                                (option.name)
                                select name={ (OPTION_FIELD) (option.name) } data-option=(option.name)
                                    aria-invalid=[buyable.is_none().then_some("true")]
                                    aria-describedby=[buyable.is_none().then_some("choice-note")] {
                                    @for v in &option.values {
                                        option value=(v) selected[v == value] {
                                            (v)
                                            @if sold_out(product, &option.name, v) { " " (tr!(lang, "option-sold-out")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div #chosen hidden[buyable.is_none()] {
                    @let shown = buyable.or(product.variants.first());
                    @if let Some(variant) = shown {
                        @if has_options {
                            p.variant { strong #chosen-title { (variant.title) } }
                        }
                        span.price #chosen-price { (lang.money(&variant.price)) }
                        " "
                        span.unit-price #chosen-unit hidden[variant.price_per_kg.is_none()] {
                            @if let Some(per_kg) = &variant.price_per_kg { (lang.money(per_kg)) " / kg" }
                        }
                        " "
                        @let (class, words) = stock_state(lang, variant.stock);
                        span #chosen-stock class={ "badge " (class) } { (words) }
                        p.sku.muted { (tr!(lang, "sku")) " " span #chosen-sku { (variant.sku) } }
                    }
                }
                p.flash.warning #choice-note role="status" hidden[buyable.is_some()] {
                    (tr!(lang, "choice-unavailable"))
                }
                @if sellable {
                    div.actions {
                        label.qty {
                            span.visually-hidden { (tr!(lang, "quantity-of", name = product.name.as_str())) }
                            input type="number" name="quantity" value="1"
                                min=(Quantity::MIN) max=(Quantity::MAX) required;
                        }
                        button.primary #add-to-cart type="submit"
                            aria-label=(tr!(lang, "add-to-cart-named", name = product.name.as_str())) {
                            (tr!(lang, "add-to-cart"))
                        }
                        // After "Add to cart", so Enter in the quantity adds.
                        @if has_options {
                            button type="submit" name="show" value="1" formnovalidate { (tr!(lang, "show-choice")) }
                        }
                    }
                } @else {
                    p.muted { (tr!(lang, "product-sold-out")) }
                }
            }
            @if has_options {
                script { (PreEscaped(SCRIPT)) }
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

/// Whether no variant with `value` for `option` can be bought now (all sold out or
/// inactive), so its `<option>` says "(sold out)".
fn sold_out(product: &Product, option: &str, value: &str) -> bool {
    !product.variants.iter().any(|v| {
        v.active
            && v.stock > 0
            && v.options
                .iter()
                .any(|c| c.name == option && c.value == value)
    })
}

/// What the product page's script needs of each active variant, shown as the page shows
/// it (the script sets these words as text, never markup).
#[derive(Serialize)]
struct Choice<'a> {
    /// One value per product option, in option order.
    values: Vec<&'a str>,
    title: &'a str,
    price: String,
    /// Empty when not sold by weight.
    per_kg: String,
    stock: String,
    badge: &'static str,
    sku: &'a str,
    /// Whether it can be added to the cart now.
    buy: bool,
}

/// The `data-variants` JSON of the product page's form.
fn choices(lang: Lang, product: &Product) -> String {
    let list: Vec<Choice<'_>> = product
        .variants
        .iter()
        .filter(|v| v.active)
        .map(|v| {
            let (badge, stock) = stock_state(lang, v.stock);
            Choice {
                values: product
                    .options
                    .iter()
                    .map(|o| {
                        v.options
                            .iter()
                            .find(|c| c.name == o.name)
                            .map_or("", |c| c.value.as_str())
                    })
                    .collect(),
                title: &v.title,
                price: lang.money(&v.price),
                per_kg: v
                    .price_per_kg
                    .as_ref()
                    .map(|m| lang.money(m))
                    .unwrap_or_default(),
                stock,
                badge,
                sku: &v.sku,
                buy: v.stock > 0,
            }
        })
        .collect();
    serde_json::to_string(&list).expect("choices always serialise")
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
            net_grams: 0,
            price_per_kg: None,
        }
    }

    fn coffee() -> Product {
        Product {
            slug: "kenya".into(),
            name: "Kenya".into(),
            description: String::new(),
            price: Money::new(1450, "EUR"),
            price_per_kg: None,
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
