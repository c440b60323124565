//! `GET /admin/orders/{number}`: one order for the owner: what to do next (links to the
//! confirmation pages), the lines and totals, the customer and address, the shipping,
//! the history (who moved the order, when, and the goods returned to stock), the payment, the provider's events and the
//! provider calls the ledger asked for, and the notes (the customer's and the owner's
//! internal ones, [`notes`]). A table wider than a phone scrolls in a region
//! that takes keyboard focus.

use super::actions::Action;
use super::notes::{self, Draft};
use super::state_badge;
use crate::http::Resp;
use crate::layout::totals::{self, Block};
use crate::layout::{line_name, when};
use crate::office::{Office, layout::csrf_field};
use crate::security::owner_token;
use maud::{Markup, html};
use storefront_domain::owner_orders::OwnerOrder;
use storefront_domain::payments::{REFUND_ACCEPTED, REFUND_REQUESTED};
use storefront_domain::returns::ReturnRecord;
use storefront_domain::{Money, countries, order_number};

/// The page of the order `typed` names, in any spelling of its number; what cannot be
/// an order number is no page.
pub async fn show(office: &Office<'_>, typed: &str) -> Resp {
    show_with(office, typed, 200, &Draft::default()).await
}

/// The order page with `status`, its add-a-note form showing `draft` (a refused note
/// shown again with its error).
pub async fn show_with(office: &Office<'_>, typed: &str, status: u16, draft: &Draft) -> Resp {
    let Some(number) = order_number::normalize(typed) else {
        return office.not_found();
    };
    let number = number.as_str();
    let owner = match office.writer.owner_order(number).await {
        Ok(Some(owner)) => owner,
        Ok(None) => {
            return office.error(
                404,
                "Order not found",
                "There is no order with that number.",
            );
        }
        Err(e) => return office.writer_failed(e),
    };
    // Best effort: the order page shows without its returns rather than not at all.
    let returns = match office.writer.order_returns(number).await {
        Ok(returns) => returns.returns,
        Err(e) => {
            eprintln!("order {number}: returns unavailable: {e:?}");
            Vec::new()
        }
    };
    let title = format!("Order {}", owner.order.number);
    office.page(status, &title, page(office, &owner, &returns, draft))
}

fn page(
    office: &Office<'_>,
    owner: &OwnerOrder,
    returns: &[ReturnRecord],
    draft: &Draft,
) -> Markup {
    let o = &owner.order;
    let actions: Vec<Action> = Action::ALL
        .into_iter()
        .filter(|a| a.offered(owner))
        .collect();
    html! {
        p { a href="/admin/orders" { "← All orders" } }
        h1 { "Order " span.number { (o.number) } " " (state_badge(o.state)) }
        p.muted { "Placed " (when::time(&o.created_at)) "; last change " (when::time(&o.updated_at)) "." }
        @if !actions.is_empty() {
            nav.actions aria-label="What to do with this order" {
                @for action in &actions {
                    a.button.primary href=(action.path(&o.number)) { (action.button()) }
                }
            }
        }
        section aria-labelledby="lines-h" {
            h2 #lines-h { "Lines" }
            div.table-wrap tabindex="0" role="region" aria-label="Lines" {
                table.list {
                    thead { tr {
                        th scope="col" { "Item" }
                        th scope="col" { "SKU" }
                        th.num scope="col" { "Quantity" }
                        th.num scope="col" { "Unit price" }
                        th.num scope="col" { "Line total" }
                    } }
                    tbody {
                        @for line in &o.items {
                            tr {
                                td { (line_name(line)) }
                                td { code { (line.sku) } }
                                td.num { (line.quantity) }
                                td.num { (line.unit_price) }
                                td.num { (line.line_total) }
                            }
                        }
                    }
                }
            }
            (totals::block(Block {
                lang: crate::i18n::Lang::En,
                totals: &o.totals,
                shipping: o.shipping.as_ref(),
                discount: o.discount.as_ref(),
                shipping_pending: None,
            }))
        }
        section aria-labelledby="customer-h" {
            h2 #customer-h { "Customer and shipping" }
            dl.facts {
                dt { "Name" } dd { (o.name) }
                dt { "Email" } dd { a href={ "mailto:" (o.email) } { (o.email) } }
                dt { "Address" }
                dd {
                    (o.address.line1) br;
                    @if !o.address.line2.is_empty() { (o.address.line2) br; }
                    (o.address.postal_code) " " (o.address.city) br;
                    @if !o.address.state.is_empty() { (o.address.state) br; }
                    (countries::name(&o.address.country).unwrap_or(&o.address.country))
                }
                @if !o.phone.is_empty() { dt { "Phone" } dd { (o.phone) } }
                @if let Some(b) = &o.billing {
                    dt { "Billing address" }
                    dd {
                        (b.line1) br;
                        @if !b.line2.is_empty() { (b.line2) br; }
                        (b.postal_code) " " (b.city) br;
                        @if !b.state.is_empty() { (b.state) br; }
                        (countries::name(&b.country).unwrap_or(&b.country))
                    }
                }
                dt { "Shipping method" }
                dd { @match &o.shipping { Some(s) => (s.name), None => "None chosen" } }
                dt { "Tracking" }
                dd { @match &o.tracking {
                    Some(t) => {
                        @if let Some(carrier) = t.carrier_name() { (carrier) " " }
                        code { (t.number) }
                        @if let Some(url) = t.url() {
                            " · " a href=(url) rel="noopener noreferrer" { "the carrier's tracking page" }
                        }
                    },
                    None => span.muted { "None" },
                } }
            }
        }
        (crate::office::returns::view::section(office, returns))
        (notes::section(office, owner, draft))
        section aria-labelledby="history-h" {
            h2 #history-h { "History" }
            div.table-wrap tabindex="0" role="region" aria-label="History" {
                table.list {
                    thead { tr {
                        th scope="col" { "When" }
                        th scope="col" { "Change" }
                        th scope="col" { "By" }
                    } }
                    tbody {
                        @for entry in &owner.history {
                            tr {
                                td { (when::time(&entry.at)) }
                                td {
                                    @match entry.from {
                                        Some(from) => { (from.label()) " → " (entry.to.label()) },
                                        None => { "Placed (" (entry.to.label()) ")" },
                                    }
                                }
                                td { (actor(entry.actor.as_deref(), entry.from.is_none())) }
                            }
                        }
                        @for r in &owner.restocks {
                            tr {
                                td { (when::time(&r.at)) }
                                td {
                                    "Returned to stock: " (r.quantity) " × " (r.name) " (" (r.sku) ")"
                                    @match r.refund_seq {
                                        Some(seq) => { " with refund " (seq) },
                                        None => { " on cancelling" },
                                    }
                                }
                                td { (actor(Some(&r.actor), false)) }
                            }
                        }
                    }
                }
            }
        }
        (payment(office, owner))
    }
}

/// A refund's state, in words.
fn refund_state(state: &str) -> &'static str {
    match state {
        REFUND_REQUESTED => "Not answered by the provider yet",
        REFUND_ACCEPTED => "Accepted by the provider",
        _ => "Refused by the provider",
    }
}

/// Who caused a history entry, in words.
fn actor(actor: Option<&str>, placed: bool) -> &str {
    match actor {
        Some("owner") => "Owner (back office)",
        Some(owner_token::ACTOR) => "Admin API",
        Some(other) => other,
        None if placed => "Shopper",
        None => "Shop (payment or timer)",
    }
}

fn payment(office: &Office<'_>, owner: &OwnerOrder) -> Markup {
    html! {
        section aria-labelledby="payment-h" {
            h2 #payment-h { "Payment" }
            @match &owner.payment {
                None => p.muted { "No payment was started for this order." },
                Some(p) => dl.facts {
                    dt { "Provider" } dd { (p.provider) }
                    dt { "Intent" } dd { code { (p.intent_id) } }
                    dt { "Amount" } dd { (p.amount) }
                    dt { "Status" } dd { (p.status) }
                    @if let Some(refund) = &p.refund_id {
                        dt { "Refund" } dd { code { (refund) } }
                    }
                    dt { "Refunded" }
                    dd {
                        (Money::new(p.amount_refunded, &p.amount.currency)) " of " (p.amount)
                        span.muted { " (confirmed by the provider)" }
                    }
                },
            }
            @if let Some(p) = &owner.payment && !p.refunds.is_empty() {
                h3 { "Refunds" }
                div.table-wrap tabindex="0" role="region" aria-label="Refunds" {
                    table.list {
                        thead { tr {
                            th scope="col" { "Asked" }
                            th.num scope="col" { "Amount" }
                            th scope="col" { "State" }
                            th scope="col" { "By" }
                            th scope="col" { "Note" }
                        } }
                        tbody {
                            @for r in &p.refunds {
                                tr {
                                    td { (when::time(&r.created_at)) }
                                    td.num { (r.amount) }
                                    td {
                                        (refund_state(&r.state))
                                        @if let Some(id) = &r.refund_id { br; code.muted { (id) } }
                                        @if let Some(error) = &r.last_error { br; span.muted { (error) } }
                                        @if r.state == REFUND_REQUESTED {
                                            form method="post"
                                                action=(format!("/admin/orders/{}/refunds/{}/retry", owner.order.number, r.seq)) {
                                                (csrf_field(office))
                                                button type="submit" { "Ask the provider again" }
                                            }
                                        }
                                    }
                                    td { (actor(Some(&r.actor), false)) }
                                    td { @if let Some(note) = &r.note { (note) } }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Provider events" }
            @if owner.payment_events.is_empty() {
                p.muted { "None received." }
            } @else {
                div.table-wrap tabindex="0" role="region" aria-label="Provider events" {
                    table.list {
                        thead { tr {
                            th scope="col" { "Received" }
                            th scope="col" { "Event" }
                            th scope="col" { "Outcome" }
                            th.num scope="col" { "Amount" }
                            th scope="col" { "Review" }
                        } }
                        tbody {
                            @for e in &owner.payment_events {
                                tr {
                                    td { (when::time(&e.received_at)) }
                                    td { (e.event_type) br; code.muted { (e.event_id) } }
                                    td { (e.outcome) }
                                    td.num { @if let Some(a) = &e.amount { (a) } }
                                    td {
                                        @if let Some(r) = &e.review {
                                            (r.note) br; span.muted { (when::time(&r.reviewed_at)) }
                                        } @else if matches!(e.outcome.as_str(), "unknown_order" | "amount_mismatch" | "deferred") {
                                            a href="/admin/payments" { "Waiting for review" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !owner.provider_actions.is_empty() {
                h3 { "Calls to the provider" }
                div.table-wrap tabindex="0" role="region" aria-label="Calls to the provider" {
                    table.list {
                        thead { tr {
                            th scope="col" { "Asked" }
                            th scope="col" { "Call" }
                            th scope="col" { "Why" }
                            th scope="col" { "State" }
                        } }
                        tbody {
                            @for a in &owner.provider_actions {
                                tr {
                                    td { (when::time(&a.created_at)) }
                                    td { (a.kind) }
                                    td { (a.reason) }
                                    td {
                                        (a.state)
                                        @if let Some(outcome) = &a.outcome { ": " (outcome) }
                                        @if let Some(err) = &a.last_error {
                                            br; span.muted { (a.attempts) " attempts; last error: " (err) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
