//! The back office's customers (`/admin/customers…`): each email address that ordered,
//! with its orders count, what it spent per currency and its last order, searchable by
//! the start of a name or an email ([`list`]); and one customer's page with their orders
//! and the notes on them ([`detail`]). The writer computes every figure (migration 0025's
//! `customers` rows), the pages only show them.

pub mod detail;
pub mod list;

use maud::{Markup, html};
use storefront_domain::Money;

/// `/admin/customers/{email}`, the address percent-encoded as a path segment.
pub fn customer_path(email: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(email.as_bytes()).collect();
    format!("/admin/customers/{encoded}")
}

/// What a customer spent, one amount per currency, or a dash.
pub fn spent(amounts: &[Money]) -> Markup {
    html! {
        @if amounts.is_empty() {
            span.muted { "—" }
        } @else {
            @for (i, amount) in amounts.iter().enumerate() {
                @if i > 0 { br; }
                (amount)
            }
        }
    }
}
