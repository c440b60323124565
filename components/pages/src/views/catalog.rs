//! The catalog page (`GET /`): every product with price, stock and an add-to-cart form.

use super::{Chrome, add_to_cart, layout, stock_badge};
use maud::{Markup, html};
use storefront_domain::Product;

pub fn page(chrome: &Chrome, products: &[Product], csrf: &str) -> Markup {
    let content = html! {
        h1 { "Catalog" }
        @if products.is_empty() {
            p.muted { "Nothing for sale yet. Come back soon." }
        } @else {
            ul.grid {
                @for p in products {
                    li.card {
                        h2 { a href={ "/products/" (p.slug) } { (p.name) } }
                        span.price { (p.price) }
                        (stock_badge(p.stock))
                        @if p.stock > 0 {
                            (add_to_cart(csrf, &p.slug))
                        }
                    }
                }
            }
        }
    };
    layout(chrome, "Catalog", content)
}
