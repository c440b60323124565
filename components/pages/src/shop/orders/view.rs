//! The order status page (`GET /orders/{number}`): lines, state, payment, address,
//! history, and a "Pay now" button while the order awaits payment.

use crate::i18n::Lang;
use crate::i18n::countries;
use crate::layout::totals::{self, Block};
use crate::layout::tracking;
use crate::layout::{Chrome, layout, line_name, when};
use crate::tr;
use maud::{Markup, html};
use storefront_domain::payments::{PROVIDER_TEST, PaymentRecord};
use storefront_domain::{Address, Money, OrderState, OrderView};

/// The headline, the sentence under it and the banner's style, for each state: a
/// shopper sees at a glance whether anything is left to do.
fn headline(lang: Lang, state: OrderState) -> (String, String, &'static str) {
    let class = match state {
        OrderState::PendingPayment => "pending",
        OrderState::Paid => "paid",
        OrderState::Fulfilled => "fulfilled",
        OrderState::Cancelled => "cancelled",
        OrderState::Refunded => "refunded",
    };
    let code = state.as_str();
    (
        tr!(lang, &format!("headline-{code}")),
        tr!(lang, &format!("sentence-{code}")),
        class,
    )
}

/// The state's shopper-facing word in `lang` ("Shipped" / "Versandt").
pub fn state_label(lang: Lang, state: OrderState) -> String {
    tr!(lang, &format!("state-{}", state.as_str()))
}

/// The shipping address as a letter shows it, the country by name in `lang`.
pub fn address(lang: Lang, name: &str, a: &Address) -> Markup {
    html! {
        address.address {
            (name) br;
            (a.line1) br;
            @if !a.line2.is_empty() { (a.line2) br; }
            (a.postal_code) " " (a.city) br;
            @if !a.state.is_empty() { (a.state) br; }
            (countries::name(lang, &a.country))
        }
    }
}

/// The order's lines and totals.
pub fn lines(lang: Lang, order: &OrderView) -> Markup {
    html! {
        table.lines {
            caption.visually-hidden { (tr!(lang, "order-items")) }
            thead { tr {
                th { (tr!(lang, "order-product")) } th.num { (tr!(lang, "order-price")) }
                th.num { (tr!(lang, "order-qty")) } th.num { (tr!(lang, "order-total")) }
            } }
            tbody {
                @for line in &order.items {
                    tr {
                        td { (line_name(line)) }
                        td.num { (lang.money(&line.unit_price)) }
                        td.num { (line.quantity) }
                        td.num { (lang.money(&line.line_total)) }
                    }
                }
            }
        }
        (totals::block(Block {
            lang,
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
    let lang = chrome.lang;
    let (title, sentence, class) = headline(lang, order.state);
    let content = html! {
        section class={ "banner " (class) } role="status" {
            h1 { (title) }
            p { (tr!(lang, "order-number-sentence")) " " strong.number { (order.number) } ". " (sentence) }
            p.muted { (tr!(lang, "order-keep-address")) }
        }
        div.two-col {
            div {
                (lines(lang, order))
                @if let Some(returns) = returns { (returns) }
            }
            aside.panel aria-label=(tr!(lang, "order-status-label")) {
                p { (tr!(lang, "order-status")) " " span.state { (state_label(lang, order.state)) } }
                @if let Some(t) = &order.tracking { (tracking::block(lang, t)) }
                @if let Some(payment) = payment {
                    p {
                        (tr!(lang, "order-payment")) " " span.state { (payment_label(lang, &payment.status)) }
                        @if payment.provider == PROVIDER_TEST { " " span.badge.low { (tr!(lang, "order-test-mode")) } }
                    }
                    @if payment.amount_refunded > 0 && payment.amount_refunded < payment.amount.amount {
                        p {
                            (tr!(lang, "order-refunded")) " " span.state {
                                (tr!(lang, "order-refunded-of",
                                    amount = lang.money(&Money::new(payment.amount_refunded, &payment.amount.currency)),
                                    total = lang.money(&payment.amount)))
                            }
                        }
                    }
                }
                @if order.state == OrderState::PendingPayment {
                    p { a.button.primary href={ "/orders/" (order.number) "/pay" } { (tr!(lang, "order-pay-now")) } }
                }
                h2 { (tr!(lang, "order-shipping-to")) }
                (address(lang, &order.name, &order.address))
                @if !order.phone.is_empty() { p.muted { (tr!(lang, "order-phone")) " " (order.phone) } }
                @if let Some(billing) = &order.billing {
                    h2 { (tr!(lang, "order-billing")) }
                    (address(lang, &order.name, billing))
                }
                p.muted { (tr!(lang, "order-confirmation-to")) " " (order.email) }
                @if !order.note.is_empty() {
                    h2 { (tr!(lang, "order-your-note")) }
                    p #order-note { (crate::layout::fragments::multiline(&order.note)) }
                }
                h2 { (tr!(lang, "order-history")) }
                ul.timeline {
                    @if order.events.is_empty() {
                        li { (tr!(lang, "order-placed")) " · " (when::time_in(lang, &order.created_at)) }
                    }
                    @for event in &order.events {
                        li { (state_label(lang, event.state)) " · " (when::time_in(lang, &event.at)) }
                    }
                }
                p.muted { (tr!(lang, "order-last-updated")) " " (when::time_in(lang, &order.updated_at)) }
            }
        }
    };
    layout(
        chrome,
        &tr!(lang, "order-title", number = order.number.as_str()),
        content,
    )
}

/// The writer's payment status in words.
fn payment_label(lang: Lang, status: &str) -> String {
    match status {
        "created" | "succeeded" | "failed" | "refund_requested" | "refunded" => {
            tr!(lang, &format!("payment-{status}"))
        }
        other => other.to_string(),
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
            locale: Default::default(),
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
