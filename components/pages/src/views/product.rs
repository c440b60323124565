//! The product page (`GET /products/{slug}`).

use super::{Chrome, add_to_cart, layout, stock_badge};
use maud::{Markup, html};
use storefront_domain::Product;

pub fn page(chrome: &Chrome, product: &Product, csrf: &str) -> Markup {
    let content = html! {
        p { a href="/" { "← All products" } }
        article.product {
            h1 { (product.name) }
            p.description { (product.description) }
            span.price { (product.price) }
            (stock_badge(product.stock))
            @if product.stock > 0 {
                (add_to_cart(csrf, &product.slug))
            }
        }
    };
    layout(chrome, &product.name, content)
}
