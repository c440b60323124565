//! The cart page (`GET /cart`): writer-priced lines in one form (each with its picture,
//! variant and, for coffee sold by weight, price per kg; every quantity, one "Update cart"
//! button, a "Remove" button per line, each control named after the line's product and
//! variant), what the shelf holds where a line asks for more ("Only 3 left" with a "Set to
//! 3" button), the totals, and the shopper's order awaiting payment, if any.

use crate::i18n::Lang;
use crate::layout::totals::{self, Block};
use crate::layout::{Chrome, layout, line_label, line_name, unit_price};
use crate::tr;
use maud::{Markup, html};
use storefront_domain::{PricedLine, Quantity, Quote};

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

/// Units of `line` on the shelf, when fewer than it asks for.
pub fn short(line: &PricedLine) -> Option<i64> {
    line.available.filter(|a| *a < line.quantity)
}

/// "Only 3 left" (or "Sold out") and, when some are left, the button that sets the line
/// to what is there. The button submits the form it is rendered in (or the form with id
/// `form`, to the cart), so whatever else was typed in that form is kept.
pub fn stock_fix(lang: Lang, line: &PricedLine, form: Option<&str>) -> Markup {
    html! {
        @if let Some(available) = short(line) {
            p.stock-warning {
                @if available <= 0 {
                    (tr!(lang, "cart-line-sold-out"))
                } @else {
                    (tr!(lang, "cart-only-left", count = available)) " "
                    button type="submit" name="set" value={ (line.sku) ":" (available.min(Quantity::MAX)) }
                        form=[form] formaction=[form.map(|_| "/cart/update")]
                        aria-label=(tr!(lang, "cart-set-to-named", count = available, name = line_label(line))) {
                        (tr!(lang, "cart-set-to", count = available))
                    }
                }
            }
        }
    }
}

pub fn page(chrome: &Chrome, contents: Contents<'_>, csrf: &str, pending: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let money = |m: &storefront_domain::Money| lang.money(m);
    let content = html! {
        h1 { (tr!(lang, "cart-title")) }
        @if let Some(number) = pending {
            div.flash.warning role="status" {
                p {
                    (tr!(lang, "cart-pending-before")) " " strong { (number) } " "
                    (tr!(lang, "cart-pending-after")) " "
                    a href={ "/orders/" (number) "/pay" } { (tr!(lang, "cart-pending-link")) }
                    " " (tr!(lang, "cart-pending-or"))
                }
            }
        }
        @match contents {
            Contents::Empty => {
                p.muted { (tr!(lang, "cart-empty")) }
                p { a.button.primary href="/" { (tr!(lang, "cart-browse")) } }
            }
            Contents::Priced(quote) => {
                form.cart-form method="post" action="/cart/update" {
                    input type="hidden" name="csrf" value=(csrf);
                    // The form's default button (Enter in a quantity field) comes first.
                    button.visually-hidden type="submit" tabindex="-1" { (tr!(lang, "cart-apply")) }
                    table.cart {
                        thead { tr {
                            th { (tr!(lang, "cart-product")) } th.num { (tr!(lang, "cart-price")) } th { (tr!(lang, "cart-quantity")) }
                            th.num { (tr!(lang, "cart-total")) } th { span.visually-hidden { (tr!(lang, "cart-remove")) } }
                        } }
                        tbody {
                            @for line in &quote.items {
                                tr {
                                    td {
                                        @if let Some(hash) = &line.thumbnail {
                                            // Beside the name it shows: decorative.
                                            img.thumb src={ "/images/" (hash) } width="48" height="48"
                                                alt="" loading="lazy";
                                        }
                                        a href={ "/products/" (line.slug) } { (line_name(line)) }
                                        (stock_fix(lang, line, None))
                                    }
                                    td.num {
                                        (money(&line.unit_price)) span.each { " " (tr!(lang, "cart-each")) }
                                        @if let Some(per_kg) = &line.price_per_kg { (unit_price(lang, per_kg)) }
                                    }
                                    td { (quantity_input(lang, line.sku.as_str(), &line_label(line), line.quantity, short(line).is_some())) }
                                    td.num { (money(&line.line_total)) }
                                    td {
                                        button.link type="submit" name="remove" value=(line.sku) formaction="/cart/remove"
                                            aria-label=(tr!(lang, "cart-remove-named", name = line_label(line))) { (tr!(lang, "cart-remove")) }
                                    }
                                }
                            }
                        }
                    }
                    div.actions {
                        button type="submit" { (tr!(lang, "cart-update")) }
                    }
                }
                (totals::block(Block {
                    lang,
                    totals: &quote.totals,
                    shipping: quote.shipping.as_ref(),
                    discount: quote.discount.as_ref(),
                    shipping_pending: Some(&tr!(lang, "cart-shipping-pending")),
                }))
                div.actions {
                    a href="/" { (tr!(lang, "continue-shopping")) }
                    a.button.primary href="/checkout" { (tr!(lang, "check-out")) }
                }
            }
            Contents::Unpriced { lines, reason } => {
                p.flash.error { (reason) }
                form.cart-form method="post" action="/cart/update" {
                    input type="hidden" name="csrf" value=(csrf);
                    button.visually-hidden type="submit" tabindex="-1" { (tr!(lang, "cart-apply")) }
                    table.cart {
                        thead { tr { th { (tr!(lang, "cart-product")) } th { (tr!(lang, "cart-quantity")) } th { span.visually-hidden { (tr!(lang, "cart-remove")) } } } }
                        tbody {
                            @for (sku, quantity) in lines.iter() {
                                tr {
                                    td { (sku) }
                                    td { (quantity_input(lang, sku, sku, *quantity, false)) }
                                    td {
                                        button.link type="submit" name="remove" value=(sku) formaction="/cart/remove"
                                            aria-label=(tr!(lang, "cart-remove-named", name = sku.as_str())) { (tr!(lang, "cart-remove")) }
                                    }
                                }
                            }
                        }
                    }
                    div.actions { button type="submit" { (tr!(lang, "cart-update")) } }
                }
                div.actions { a href="/" { (tr!(lang, "continue-shopping")) } }
            }
        }
    };
    layout(chrome, &tr!(lang, "cart-title"), content)
}

/// One line's quantity field, named after its product; 0 removes the line.
fn quantity_input(lang: Lang, sku: &str, name: &str, quantity: i64, short: bool) -> Markup {
    html! {
        input type="hidden" name="sku" value=(sku);
        label {
            span.visually-hidden { (tr!(lang, "quantity-of", name = name)) }
            input type="number" name="quantity" value=(quantity) min="0" max=(Quantity::MAX)
                aria-invalid=[short.then_some("true")] required;
        }
    }
}
