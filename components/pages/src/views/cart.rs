//! The cart page (`GET /cart`): writer-priced lines with update and remove forms.

use super::{Chrome, layout};
use maud::{Markup, html};
use storefront_domain::{Quantity, Quote};

/// What the cart page can show.
pub enum Contents<'a> {
    Empty,
    /// Lines as priced by the writer just now.
    Priced(&'a Quote),
    /// The writer would not price the cart (e.g. mixed currencies): lines without
    /// prices, the reason, and no checkout.
    Unpriced {
        lines: &'a [(String, i64)],
        reason: &'a str,
    },
}

pub fn page(chrome: &Chrome, contents: Contents<'_>, csrf: &str) -> Markup {
    let content = html! {
        h1 { "Your cart" }
        @match contents {
            Contents::Empty => {
                p.muted { "Your cart is empty." }
                p { a.button.primary href="/" { "Browse the catalog" } }
            }
            Contents::Priced(quote) => {
                table.cart {
                    thead { tr {
                        th { "Product" } th.num { "Price" } th { "Quantity" }
                        th.num { "Total" } th { span.visually-hidden { "Remove" } }
                    } }
                    tbody {
                        @for line in &quote.items {
                            tr {
                                td {
                                    a href={ "/products/" (line.slug) } { (line.name) }
                                    @if !line.variant.is_empty() {
                                        " " span.muted.variant { "(" (line.variant) ")" }
                                    }
                                }
                                td.num { (line.unit_price) span.each { " each" } }
                                td { (update_form(csrf, &line.sku, line.quantity)) }
                                td.num { (line.line_total) }
                                td { (remove_form(csrf, &line.sku)) }
                            }
                        }
                    }
                    tfoot { tr {
                        td colspan="3" { "Total" }
                        td.num { (quote.total) }
                        td {}
                    } }
                }
                div.actions {
                    a href="/" { "← Continue shopping" }
                    a.button.primary href="/checkout" { "Check out" }
                }
            }
            Contents::Unpriced { lines, reason } => {
                p.flash.error { (reason) }
                table.cart {
                    thead { tr { th { "Product" } th { "Quantity" } th { span.visually-hidden { "Remove" } } } }
                    tbody {
                        @for (sku, quantity) in lines {
                            tr {
                                td { (sku) }
                                td { (update_form(csrf, sku, *quantity)) }
                                td { (remove_form(csrf, sku)) }
                            }
                        }
                    }
                }
                div.actions { a href="/" { "← Continue shopping" } }
            }
        }
    };
    layout(chrome, "Your cart", content)
}

fn update_form(csrf: &str, sku: &str, quantity: i64) -> Markup {
    html! {
        form.inline method="post" action="/cart/update" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="sku" value=(sku);
            label {
                span.visually-hidden { "Quantity" }
                input type="number" name="quantity" value=(quantity) min="0" max=(Quantity::MAX) required;
            }
            button type="submit" { "Update" }
        }
    }
}

fn remove_form(csrf: &str, sku: &str) -> Markup {
    html! {
        form method="post" action="/cart/remove" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="sku" value=(sku);
            button.link type="submit" { "Remove" }
        }
    }
}
