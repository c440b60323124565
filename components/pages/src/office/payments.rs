//! The back office's payments (`/admin/payments…`): the provider's events the ledger could
//! not settle by itself (money for an unknown order, money that is not the order's total,
//! an event waiting too long) and nobody has reviewed yet, with the provider's data as
//! received (escaped, cut to a bounded length), each with a review form.
//!
//! - `GET /admin/payments?before=`: the queue, newest first, [`EVENTS_PER_PAGE`] a page;
//! - `POST /admin/payments/{event_id}/review`: records the owner's note through the same
//!   writer command as the admin API (`POST /admin/payment-events/{id}/review`); the
//!   writer records at most one review per event and answers the same note again with
//!   the review it has, so a resubmitted form records nothing twice.

use super::Office;
use super::layout::csrf_field;
use crate::http::Resp;
use crate::layout::when;
use crate::writer::WriterError;
use maud::{Markup, html};
use storefront_domain::owner_orders::{FlaggedEvent, ReviewQueue, ReviewQueueQuery};
use storefront_domain::payments::{MAX_REVIEW_NOTE, ReviewRequest, review_note};

/// Events per page of the review queue.
pub const EVENTS_PER_PAGE: u32 = 25;

/// The review queue.
pub async fn show(office: &Office<'_>) -> Resp {
    queue(office, None).await
}

/// A note typed for one event that was refused, to draw it again next to its form.
struct Refused<'a> {
    event_id: &'a str,
    note: &'a str,
    message: String,
}

async fn queue(office: &Office<'_>, refused: Option<Refused<'_>>) -> Resp {
    let before = match office.req.query_param("before") {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return office.error(
                    400,
                    "Bad page address",
                    "That page of the payment events does not exist.",
                );
            }
        },
    };
    let query = ReviewQueueQuery {
        limit: EVENTS_PER_PAGE,
        before,
    };
    let queue = match office.writer.review_queue(&query).await {
        Ok(queue) => queue,
        Err(e) => return office.writer_failed(e),
    };
    let status = if refused.is_some() { 422 } else { 200 };
    office.page(
        status,
        "Payments",
        page(office, &queue, before, refused.as_ref()),
    )
}

pub async fn review(office: &Office<'_>, event_id: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let typed = form.get("note").unwrap_or_default();
    let note = match review_note(typed) {
        Ok(note) => note,
        Err(message) => {
            return queue(
                office,
                Some(Refused {
                    event_id,
                    note: typed,
                    message: format!("The note {message}."),
                }),
            )
            .await;
        }
    };
    match office
        .writer
        .review_event(event_id, &ReviewRequest { note })
        .await
    {
        Ok(answer) if answer.status == 200 => office.done(
            "/admin/payments",
            format!(
                "Event {event_id} was already reviewed with this note; nothing was recorded twice."
            ),
        ),
        Ok(_) => office.done(
            "/admin/payments",
            format!("Your review of event {event_id} is recorded."),
        ),
        Err(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Err(e) => office.writer_failed(e),
    }
}

fn page(
    office: &Office<'_>,
    queue: &ReviewQueue,
    before: Option<i64>,
    refused: Option<&Refused<'_>>,
) -> Markup {
    html! {
        h1 { "Payments" }
        p {
            "Payment events the shop could not settle by itself. Look at the payment in the "
            "provider's dashboard, do what is needed (refund it, match it, write to the "
            "customer), then record what you found and did."
        }
        @if queue.events.is_empty() {
            p.muted { "No payment events are waiting for review." }
        }
        @for event in &queue.events {
            (event_card(office, event, refused.filter(|r| r.event_id == event.event_id)))
        }
        nav.actions aria-label="Pages of payment events" {
            @if before.is_some() {
                a href="/admin/payments" { "Newest events" }
            }
            @if let Some(next) = queue.next_before {
                a rel="next" href={ "/admin/payments?before=" (next) } { "Older events" }
            }
        }
    }
}

fn event_card(office: &Office<'_>, e: &FlaggedEvent, refused: Option<&Refused<'_>>) -> Markup {
    let id = format!("event-{}", e.id);
    let note_id = format!("{id}-note");
    let error_id = format!("{id}-error");
    html! {
        section.tile.review aria-labelledby=(format!("{id}-h")) {
            h2 id=(format!("{id}-h")) { (e.event_type) " " code { (e.event_id) } }
            dl.facts {
                dt { "Why it waits" } dd { (why(&e.outcome)) }
                dt { "Provider" } dd { (e.provider) }
                dt { "Order number named" }
                dd {
                    @match &e.order_number {
                        Some(n) => code { (n) },
                        None => span.muted { "None" },
                    }
                }
                dt { "Intent" }
                dd { @if let Some(i) = &e.intent_id { code { (i) } } }
                dt { "Amount" } dd { @if let Some(a) = &e.amount { (a) } }
                dt { "Received" } dd { (when::time(&e.received_at)) }
            }
            details {
                summary { "The provider's data" @if e.payload_cut { " (cut)" } }
                pre.payload { code { (e.payload) } }
            }
            form.stack method="post" action={ "/admin/payments/" (e.event_id) "/review" } novalidate {
                (csrf_field(office))
                label for=(note_id) {
                    "What you found and did"
                    textarea id=(note_id) name="note" rows="3" maxlength=(MAX_REVIEW_NOTE) required
                        aria-invalid=[refused.map(|_| "true")]
                        aria-describedby=[refused.map(|_| error_id.as_str())] {
                        @if let Some(r) = refused { (r.note) }
                    }
                }
                @if let Some(r) = refused {
                    p id=(error_id) .field-error { (r.message) }
                }
                div { button.primary type="submit" { "Record the review" } }
            }
        }
    }
}

fn why(outcome: &str) -> &'static str {
    match outcome {
        "unknown_order" => "Money for an order this shop does not know",
        "amount_mismatch" => "The amount is not the order's total (or a partial refund)",
        "deferred" => "Waiting for an earlier event that has not arrived",
        _ => "Needs a look",
    }
}
