//! One return as the owner sees it: the order, the lines, the shopper's reason, its state,
//! and while it waits, the two forms: accept (optionally putting the units back on the
//! shelf) and refuse (with a reason the shopper reads). Every form carries a fresh
//! idempotency key, so a double click answers once.

use super::super::orders::order_path;
use super::super::{Office, layout::csrf_field};
use crate::layout::{fragments::multiline, when};
use crate::security::signing::random_hex;
use maud::{Markup, html};
use storefront_domain::returns::{
    MAX_RETURN_REASON, RETURN_ACCEPTED, RETURN_REFUSED, RETURN_REQUESTED, ReturnRecord,
};

/// A refusal typed for return `id` that came back with an error.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub id: i64,
    pub text: String,
    pub error: String,
}

/// The state in words.
fn state(r: &ReturnRecord) -> String {
    match (r.state.as_str(), &r.refund) {
        (RETURN_ACCEPTED, Some(refund)) => {
            let back = if r.restocked {
                ", back on the shelf"
            } else {
                ""
            };
            format!(
                "Accepted: {refund} refunded (refund {}){back}",
                r.refund_seq.unwrap_or_default()
            )
        }
        (RETURN_ACCEPTED, None) => "Accepted".into(),
        (RETURN_REFUSED, _) => "Refused".into(),
        _ => "Waiting for your answer".into(),
    }
}

/// Return `r`'s card; `with_order`: a link to its order (the list), not on the order's page.
pub fn card(
    office: &Office<'_>,
    r: &ReturnRecord,
    with_order: bool,
    draft: Option<&Draft>,
) -> Markup {
    let id = r.id;
    let draft = draft.filter(|d| d.id == id);
    let reason_id = format!("refusal-{id}");
    html! {
        article.panel.return-card #{ "return-" (id) } aria-labelledby={ "return-" (id) "-h" } {
            h3 #{ "return-" (id) "-h" } {
                "Return " (id)
                @if with_order { " of order " a href=(order_path(&r.order_number)) { (r.order_number) } }
            }
            p { span.state { (state(r)) } " · asked " (when::time(&r.created_at)) }
            ul {
                @for line in &r.lines {
                    li { (line.quantity) " × " (line.name)
                        @if !line.variant.is_empty() { " (" (line.variant) ")" }
                        " " span.muted { (line.sku) } }
                }
            }
            p { "Reason: " (multiline(&r.reason)) }
            @if let Some(refusal) = &r.refusal { p { "Your answer: " (refusal) } }
            @if r.state == RETURN_REQUESTED {
                form method="post" action={ "/admin/returns/" (id) "/accept" } {
                    (csrf_field(office))
                    input type="hidden" name="idempotency_key" value=(random_hex(16));
                    label for={ "restock-" (id) } {
                        input #{ "restock-" (id) } type="checkbox" name="restock" value="yes";
                        " Put the items back on the shelf"
                    }
                    button.primary type="submit" { "Accept and refund" }
                }
                form method="post" action={ "/admin/returns/" (id) "/refuse" } novalidate {
                    (csrf_field(office))
                    input type="hidden" name="idempotency_key" value=(random_hex(16));
                    label for=(reason_id) { "Reason for refusing (the customer reads it)" }
                    textarea #(reason_id) name="reason" rows="2" maxlength=(MAX_RETURN_REASON)
                        aria-invalid=[draft.map(|_| "true")]
                        aria-describedby=[draft.map(|_| format!("{reason_id}-error"))] {
                        @if let Some(d) = draft { (d.text) }
                    }
                    @if let Some(d) = draft { p.error id={ (reason_id) "-error" } { (d.error) } }
                    button type="submit" { "Refuse" }
                }
            }
        }
    }
}

/// The order page's section: its returns, if any.
pub fn section(office: &Office<'_>, returns: &[ReturnRecord]) -> Markup {
    html! {
        @if !returns.is_empty() {
            section #returns aria-labelledby="returns-h" {
                h2 #returns-h { "Returns" }
                @for r in returns { (card(office, r, false, None)) }
            }
        }
    }
}
