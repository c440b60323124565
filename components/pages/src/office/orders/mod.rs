//! The back office's orders (`/admin/orders…`):
//! - `GET /admin/orders` ([`list`]): filters (state, placed from/to, search) and pages;
//! - `GET /admin/orders/{number}` ([`detail`]): lines, totals, customer, history with
//!   actors, payment and the provider's events;
//! - `GET|POST /admin/orders/{number}/ship|cancel|refund` ([`actions`]): a confirmation
//!   page, then the command (idempotent: each drawn form carries its own key);
//! - `POST /admin/orders/{number}/refunds/{seq}/retry` ([`actions`]): ask the provider
//!   again for a refund it never answered.

pub mod actions;
pub mod detail;
pub mod list;
pub mod notes;
pub mod transition;

use maud::{Markup, html};
use storefront_domain::OrderState;

/// An order's state as a badge.
pub(crate) fn state_badge(state: OrderState) -> Markup {
    let class = match state {
        OrderState::PendingPayment => "badge low",
        OrderState::Paid => "badge in-stock",
        OrderState::Fulfilled => "badge shipped",
        OrderState::Cancelled | OrderState::Refunded => "badge sold-out",
    };
    html! { span class=(class) { (state.label()) } }
}

/// The order page's address.
pub(crate) fn order_path(number: &str) -> String {
    format!("/admin/orders/{number}")
}
