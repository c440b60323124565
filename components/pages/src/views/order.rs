//! The order status page (`GET /orders/{number}`).

use super::{Chrome, layout};
use maud::{Markup, html};
use storefront_domain::OrderView;

pub fn page(chrome: &Chrome, order: &OrderView) -> Markup {
    let a = &order.address;
    let content = html! {
        section.banner {
            h1 { "Thank you for your order!" }
            p { "Order " strong { (order.number) } ". Keep this page's address to check on it later." }
        }
        div.two-col {
            div {
                table {
                    thead { tr { th { "Product" } th.num { "Price" } th.num { "Qty" } th.num { "Total" } } }
                    tbody {
                        @for line in &order.items {
                            tr {
                                td { (line.name) }
                                td.num { (line.unit_price) }
                                td.num { (line.quantity) }
                                td.num { (line.line_total) }
                            }
                        }
                    }
                    tfoot { tr { td colspan="3" { "Total" } td.num { (order.total) } } }
                }
            }
            aside.panel {
                p { "Status: " span.state { (order.state.label()) } }
                h2 { "Shipping to" }
                p {
                    (order.name) br;
                    (a.line1) br;
                    @if !a.line2.is_empty() { (a.line2) br; }
                    (a.postal_code) " " (a.city) br;
                    (a.country)
                }
                p.muted { "Confirmation to " (order.email) }
                h2 { "History" }
                ul.timeline {
                    @if order.events.is_empty() {
                        li { "Placed · " time datetime=(order.created_at) { (order.created_at) } }
                    }
                    @for event in &order.events {
                        li { (event.state.label()) " · " time datetime=(event.at) { (event.at) } }
                    }
                }
                p.muted { "Last updated " (order.updated_at) }
            }
        }
    };
    layout(chrome, &format!("Order {}", order.number), content)
}
