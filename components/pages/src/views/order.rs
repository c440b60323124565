//! The order status page (`GET /orders/{number}`): lines, state, payment, address,
//! history, and a "Pay now" button while the order awaits payment.

use super::{Chrome, layout};
use maud::{Markup, html};
use storefront_domain::payments::{PROVIDER_TEST, PaymentRecord};
use storefront_domain::{OrderState, OrderView};

pub fn page(chrome: &Chrome, order: &OrderView, payment: Option<&PaymentRecord>) -> Markup {
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
                                td { (super::line_name(line)) }
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
                @if let Some(payment) = payment {
                    p {
                        "Payment: " span.state { (payment_label(&payment.status)) }
                        @if payment.provider == PROVIDER_TEST { " " span.badge.low { "test mode" } }
                    }
                }
                @if order.state == OrderState::PendingPayment {
                    p { a.button.primary href={ "/orders/" (order.number) "/pay" } { "Pay now" } }
                }
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

/// The writer's payment status in words.
fn payment_label(status: &str) -> &str {
    match status {
        "created" => "not paid yet",
        "succeeded" => "received",
        "failed" => "failed, you can try again",
        "refund_requested" => "refund requested",
        "refunded" => "refunded",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::{Address, Money};

    fn order(state: OrderState) -> OrderView {
        OrderView {
            number: "SF-1".into(),
            state,
            email: "ada@example.com".into(),
            name: "Ada".into(),
            address: Address::default(),
            items: Vec::new(),
            total: Money::new(2500, "EUR"),
            totals: storefront_domain::checkout::Totals::lines_only(Money::new(2500, "EUR")),
            shipping: None,
            discount: None,
            created_at: "2024-01-01T00:00:00Z".into(),
            updated_at: "2024-01-01T00:00:00Z".into(),
            events: Vec::new(),
        }
    }

    fn chrome() -> Chrome {
        Chrome {
            cart_count: 0,
            flashes: Vec::new(),
        }
    }

    #[test]
    fn pay_now_only_while_pending() {
        let pending = page(&chrome(), &order(OrderState::PendingPayment), None).into_string();
        assert!(pending.contains(r#"href="/orders/SF-1/pay""#));
        assert!(pending.contains("Pay now"));
        let paid = page(&chrome(), &order(OrderState::Paid), None).into_string();
        assert!(!paid.contains("Pay now"));
    }

    #[test]
    fn payment_status_is_shown() {
        let record = PaymentRecord {
            provider: "test".into(),
            intent_id: "pi_test_1".into(),
            amount: Money::new(2500, "EUR"),
            status: "succeeded".into(),
            refund_id: None,
        };
        let html = page(&chrome(), &order(OrderState::Paid), Some(&record)).into_string();
        assert!(html.contains("Payment: "));
        assert!(html.contains("received"));
        assert!(html.contains("test mode"));
    }
}
