//! A page of products (`GET /` and `GET /collections/{slug}`): collection links, cards with
//! the main picture, the price ("from …" when variants differ), stock and, for products
//! without options, an add-to-cart form; then the page links.

use super::{Chrome, add_to_cart, collection_nav, image, layout, pagination, stock_badge};
use crate::paging::Window;
use maud::{Markup, html};
use storefront_domain::catalog::{Collection, Product, ProductList};

/// What a listing page shows.
pub struct Listing<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub collections: &'a [Collection],
    /// The collection shown, if any.
    pub current: Option<&'a str>,
    pub products: &'a ProductList,
    pub window: Window,
    /// The page's address without `?page=`.
    pub base: String,
}

pub fn page(chrome: &Chrome, listing: Listing<'_>, csrf: &str) -> Markup {
    let Listing {
        title,
        description,
        collections,
        current,
        products,
        window,
        base,
    } = listing;
    let content = html! {
        (collection_nav(collections, current))
        h1 { (title) }
        @if let Some(description) = description {
            p.muted { (description) }
        }
        (cards(&products.products, csrf))
        (pagination(window.page_number(), window.pages(products.total), |n| {
            if n == 1 { base.clone() } else { format!("{base}?page={n}") }
        }))
    };
    let mut chrome = chrome.clone();
    if let Some(description) = description {
        chrome.meta.description = description.to_string();
    }
    layout(&chrome, title, content)
}

/// Product cards; the first card's picture loads at once, the others lazily.
pub fn cards(products: &[Product], csrf: &str) -> Markup {
    html! {
        @if products.is_empty() {
            p.muted { "Nothing for sale here yet. Come back soon." }
        } @else {
            ul.grid {
                @for (i, p) in products.iter().enumerate() {
                    li.card {
                        @if let Some(main) = p.images.first() {
                            a href={ "/products/" (p.slug) } tabindex="-1" { (image(main, i == 0)) }
                        }
                        h2 { a href={ "/products/" (p.slug) } { (p.name) } }
                        span.price {
                            @if prices_differ(p) { "from " }
                            (p.price)
                        }
                        (stock_badge(p.stock))
                        @if p.stock > 0 {
                            @if p.options.is_empty() {
                                @if let Some(v) = p.variants.iter().find(|v| v.active) {
                                    (add_to_cart(csrf, &p.slug, &v.sku, &p.name))
                                }
                            } @else {
                                a.button href={ "/products/" (p.slug) } { "Choose options" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Whether the product's active variants cost different amounts.
fn prices_differ(p: &Product) -> bool {
    let mut prices = p.variants.iter().filter(|v| v.active).map(|v| &v.price);
    let first = prices.next();
    prices.any(|price| Some(price) != first)
}
