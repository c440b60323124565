//! The order status page (`GET /orders/{number}`): lines, state, payment, address,
//! history, and a "Pay now" button while the order awaits payment.

use crate::layout::totals::{self, Block};
use crate::layout::tracking;
use crate::layout::{Chrome, layout, line_name, when};
use maud::{Markup, html};
use storefront_domain::payments::{PROVIDER_TEST, PaymentRecord};
use storefront_domain::{Address, Money, OrderState, OrderView, countries};

/// The headline, the sentence under it and the banner's style, for each state: a
/// shopper sees at a glance whether anything is left to do.
fn headline(state: OrderState) -> (&'static str, &'static str, &'static str) {
    match state {
        OrderState::PendingPayment => (
            "Your order awaits payment",
            "Its items are reserved for you for a short while. Pay now to complete it.",
            "pending",
        ),
        OrderState::Paid => (
            "Thank you — your order is paid",
            "We are packing it and will let you know when it ships.",
            "paid",
        ),
        OrderState::Fulfilled => (
            "Your order has shipped",
            "It is on its way to the address below.",
            "fulfilled",
        ),
        OrderState::Cancelled => (
            "This order was cancelled",
            "Its items went back on the shelf. If you paid for it, the money is returned to you.",
            "cancelled",
        ),
        OrderState::Refunded => (
            "This order was refunded",
            "The payment was returned to you.",
            "refunded",
        ),
    }
}

/// The shipping address as a letter shows it, the country by name.
pub fn address(name: &str, a: &Address) -> Markup {
    html! {
        address.address {
            (name) br;
            (a.line1) br;
            @if !a.line2.is_empty() { (a.line2) br; }
            (a.postal_code) " " (a.city) br;
            @if !a.state.is_empty() { (a.state) br; }
            (countries::name(&a.country).unwrap_or(a.country.as_str()))
        }
    }
}

/// The order's lines and totals.
pub fn lines(order: &OrderView) -> Markup {
    html! {
        table.lines {
            caption.visually-hidden { "Items" }
            thead { tr { th { "Product" } th.num { "Price" } th.num { "Qty" } th.num { "Total" } } }
            tbody {
                @for line in &order.items {
                    tr {
                        td { (line_name(line)) }
                        td.num { (line.unit_price) }
                        td.num { (line.quantity) }
                        td.num { (line.line_total) }
                    }
                }
            }
        }
        (totals::block(Block {
            totals: &order.totals,
            shipping: order.shipping.as_ref(),
            discount: order.discount.as_ref(),
            shipping_pending: None,
        }))
    }
}

/// The page, with the order's returns ([`super::returns::section`]) under its lines.
pub fn page(
    chrome: &Chrome,
    order: &OrderView,
    payment: Option<&PaymentRecord>,
    returns: Option<Markup>,
) -> Markup {
    let (title, sentence, class) = headline(order.state);
    let content = html! {
        section class={ "banner " (class) } role="status" {
            h1 { (title) }
            p { "Order " strong.number { (order.number) } ". " (sentence) }
            p.muted { "Keep this page's address to check on your order later." }
        }
        div.two-col {
            div {
                (lines(order))
                @if let Some(returns) = returns { (returns) }
            }
            aside.panel aria-label="Order status" {
                p { "Status: " span.state { (order.state.label()) } }
                @if let Some(t) = &order.tracking { (tracking::block(t)) }
                @if let Some(payment) = payment {
                    p {
                        "Payment: " span.state { (payment_label(&payment.status)) }
                        @if payment.provider == PROVIDER_TEST { " " span.badge.low { "test mode" } }
                    }
                    @if payment.amount_refunded > 0 && payment.amount_refunded < payment.amount.amount {
                        p {
                            "Refunded: " span.state {
                                (Money::new(payment.amount_refunded, &payment.amount.currency))
                                " of " (payment.amount)
                            }
                        }
                    }
                }
                @if order.state == OrderState::PendingPayment {
                    p { a.button.primary href={ "/orders/" (order.number) "/pay" } { "Pay now" } }
                }
                h2 { "Shipping to" }
                (address(&order.name, &order.address))
                @if !order.phone.is_empty() { p.muted { "Phone " (order.phone) } }
                @if let Some(billing) = &order.billing {
                    h2 { "Billing address" }
                    (address(&order.name, billing))
                }
                p.muted { "Confirmation to " (order.email) }
                @if !order.note.is_empty() {
                    h2 { "Your note" }
                    p #order-note { (crate::layout::fragments::multiline(&order.note)) }
                }
                h2 { "History" }
                ul.timeline {
                    @if order.events.is_empty() {
                        li { "Placed · " (when::time(&order.created_at)) }
                    }
                    @for event in &order.events {
                        li { (event.state.label()) " · " (when::time(&event.at)) }
                    }
                }
                p.muted { "Last updated " (when::time(&order.updated_at)) }
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
    use storefront_domain::checkout::{ShopSettings, Totals};

    fn page(chrome: &Chrome, order: &OrderView, payment: Option<&PaymentRecord>) -> Markup {
        super::page(chrome, order, payment, None)
    }

    fn order(state: OrderState) -> OrderView {
        OrderView {
            number: "SF-1".into(),
            state,
            email: "ada@example.com".into(),
            name: "Ada".into(),
            address: Address {
                country: "DE".into(),
                ..Address::default()
            },
            items: Vec::new(),
            total: Money::new(2500, "EUR"),
            totals: Totals::lines_only(Money::new(2500, "EUR")),
            shipping: None,
            discount: None,
            created_at: "2024-01-01T00:00:00Z".into(),
            updated_at: "2026-11-23T14:05:00Z".into(),
            events: Vec::new(),
            tracking: None,
            access_token: String::new(),
            phone: String::new(),
            note: String::new(),
            billing: None,
        }
    }

    fn chrome() -> Chrome {
        Chrome::plain(ShopSettings::default())
    }

    #[test]
    fn the_headline_follows_the_state() {
        let pending = page(&chrome(), &order(OrderState::PendingPayment), None).into_string();
        assert!(pending.contains("awaits payment") && !pending.contains("Thank you"));
        assert!(pending.contains("banner pending"));
        let paid = page(&chrome(), &order(OrderState::Paid), None).into_string();
        assert!(paid.contains("Thank you") && paid.contains("banner paid"));
        let refunded = page(&chrome(), &order(OrderState::Refunded), None).into_string();
        assert!(refunded.contains("refunded") && !refunded.contains("Thank you"));
        assert!(refunded.contains("banner refunded"));
    }

    #[test]
    fn dates_and_countries_read_as_words() {
        let html = page(&chrome(), &order(OrderState::Paid), None).into_string();
        assert!(html.contains("23 November 2026, 14:05 UTC"), "{html}");
        assert!(html.contains("Germany"));
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
            amount_refunded: 0,
            refunds: Vec::new(),
        };
        let html = page(&chrome(), &order(OrderState::Paid), Some(&record)).into_string();
        assert!(html.contains("Payment: "));
        assert!(html.contains("received"));
        assert!(html.contains("test mode"));
        assert!(!html.contains("Refunded: "));
        let partly = PaymentRecord {
            amount_refunded: 500,
            ..record
        };
        let html = page(&chrome(), &order(OrderState::Paid), Some(&partly)).into_string();
        assert!(html.contains("Refunded: "), "{html}");
        assert!(html.contains("€5.00 of €25.00"), "{html}");
    }
}
