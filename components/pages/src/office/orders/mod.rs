//! The back office's orders (`/admin/orders…`):
//! - `GET /admin/orders` ([`list`]): filters (state, placed from/to, search) and pages;
//! - `GET /admin/orders/{number}` ([`detail`]): lines, totals, customer, history with
//!   actors, payment and the provider's events;
//! - `GET|POST /admin/orders/{number}/ship|cancel|refund` ([`actions`]): a confirmation
//!   page, then the command (idempotent: each drawn form carries its own key);
//! - `POST /admin/orders/{number}/refunds/{seq}/retry` ([`actions`]): ask the provider
//!   again for a refund it never answered.

mod actions;
mod detail;
mod list;
pub mod transition;

use super::Office;
use crate::http::Resp;
use maud::{Markup, html};
use storefront_domain::OrderState;
use storefront_domain::order_number;

pub async fn respond(office: &Office<'_>, rest: &[&str]) -> Resp {
    let method = office.method();
    match rest {
        [] if method == "GET" => list::show(office).await,
        [] => office.method_not_allowed("GET"),
        [number] if method == "GET" => match order_number::normalize(number) {
            Some(number) => detail::show(office, &number).await,
            None => office.not_found(),
        },
        [_] => office.method_not_allowed("GET"),
        [number, action] => {
            let (Some(number), Some(action)) =
                (order_number::normalize(number), actions::Action::of(action))
            else {
                return office.not_found();
            };
            match method {
                "GET" => actions::confirm(office, &number, action).await,
                "POST" => actions::act(office, &number, action).await,
                _ => office.method_not_allowed("GET, POST"),
            }
        }
        [number, "refunds", seq, "retry"] => {
            let (Some(number), Some(seq)) = (
                order_number::normalize(number),
                seq.parse::<i64>().ok().filter(|s| *s >= 1),
            ) else {
                return office.not_found();
            };
            match method {
                "POST" => actions::retry_refund(office, &number, seq).await,
                _ => office.method_not_allowed("POST"),
            }
        }
        _ => office.not_found(),
    }
}

/// An order's state as a badge.
fn state_badge(state: OrderState) -> Markup {
    let class = match state {
        OrderState::PendingPayment => "badge low",
        OrderState::Paid => "badge in-stock",
        OrderState::Fulfilled => "badge shipped",
        OrderState::Cancelled | OrderState::Refunded => "badge sold-out",
    };
    html! { span class=(class) { (state.label()) } }
}

/// The order page's address.
fn order_path(number: &str) -> String {
    format!("/admin/orders/{number}")
}
