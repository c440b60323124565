//! `POST /admin/payment-events/{event_id}/review`: a human settles a payment event the
//! ledger could not settle by itself. The audit and the reconciliation flag such events
//! (money for an unknown order, money that is not the order's total, an event deferred
//! for more than a day) until someone has looked at the provider, acted (refunded,
//! matched, written to the customer) and recorded a review saying so.
//!
//! The event is never altered; the review is a row of its own, at most one per event,
//! never changed. Recording the same note again answers the existing review (200), so a
//! retried command is harmless; another note for a reviewed event is 409.
//!
//! `GET /admin/payment-events` lists the events still waiting for such a review.

use crate::audit::DEFERRED_PATIENCE;
use crate::db::RowExt as _;
use crate::db::{Db, Mode, int, opt_int, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::payments::state::Outcome;
use spin_sdk::http::Response;
use std::collections::BTreeSet;
use storefront_domain::owner_orders::{
    FlaggedEvent, MAX_PAYLOAD_SHOWN, ReviewQueue, ReviewQueueQuery,
};
use storefront_domain::payments::{EventReview, ReviewRequest, review_note};
use storefront_domain::{FieldError, Money};

/// Outcomes that leave an event waiting for a human.
const REVIEWABLE: [Outcome; 3] = [
    Outcome::UnknownOrder,
    Outcome::AmountMismatch,
    Outcome::Deferred,
];

/// SQL condition: the event in `payment_events` aliased `e` has no review. Used by every
/// check that flags events for a human.
pub const NOT_REVIEWED: &str =
    "NOT EXISTS (SELECT 1 FROM payment_event_reviews r WHERE r.payment_event_id = e.id)";

pub fn review(db: &Db, event_id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let ReviewRequest { note } = parse_json(body)?;
    let note = review_note(&note)
        .map_err(|message| ApiError::invalid(vec![FieldError::new("note", &message)]))?;
    let (status, review) = db.transaction(Mode::Write, |db| {
        let event = db
            .row(
                "SELECT id, outcome FROM payment_events WHERE event_id = ?",
                &[text(event_id)],
            )?
            .ok_or_else(|| {
                ApiError::not_found(format!("no payment event {event_id} was received"))
            })?;
        let (id, outcome) = (event.int(0)?, event.text(1)?);
        if let Some(existing) = existing(db, id, event_id)? {
            if existing.note == note {
                return Ok((200, existing));
            }
            return Err(ApiError::new(
                409,
                "already_reviewed",
                format!(
                    "payment event {event_id} was reviewed at {}: {}",
                    existing.reviewed_at, existing.note
                ),
            ));
        }
        if !REVIEWABLE.iter().any(|o| o.as_str() == outcome) {
            return Err(ApiError::new(
                409,
                "nothing_to_review",
                format!("payment event {event_id} was {outcome}; it waits for no one"),
            ));
        }
        let now = db.now()?;
        db.execute(
            "INSERT INTO payment_event_reviews (payment_event_id, outcome, note, reviewed_at) \
             VALUES (?, ?, ?, ?)",
            &[int(id), text(&outcome), text(&note), text(&now)],
        )?;
        Ok((
            201,
            EventReview {
                event_id: event_id.to_string(),
                outcome,
                note: note.clone(),
                reviewed_at: now,
            },
        ))
    })?;
    json(status, &review)
}

fn existing(db: &Db, id: i64, event_id: &str) -> anyhow::Result<Option<EventReview>> {
    db.row(
        "SELECT outcome, note, reviewed_at FROM payment_event_reviews WHERE payment_event_id = ?",
        &[int(id)],
    )?
    .map(|row| {
        Ok(EventReview {
            event_id: event_id.to_string(),
            outcome: row.text(0)?,
            note: row.text(1)?,
            reviewed_at: row.text(2)?,
        })
    })
    .transpose()
}

/// Intents with a reviewed event: the human who settled the event settled the intent.
pub fn reviewed_intents(db: &Db) -> anyhow::Result<BTreeSet<String>> {
    db.rows(
        "SELECT DISTINCT e.intent_id FROM payment_events e \
         JOIN payment_event_reviews r ON r.payment_event_id = e.id \
         WHERE e.intent_id IS NOT NULL",
        &[],
    )?
    .iter()
    .map(|row| row.text(0))
    .collect()
}

/// `GET /admin/payment-events?limit=&before=`: the events waiting for a human, as the
/// audit flags them (money for an unknown order or of another amount; an event deferred
/// for longer than [`DEFERRED_PATIENCE`]; no review yet), newest first, with the
/// provider's payload cut to [`MAX_PAYLOAD_SHOWN`] characters. `before` is the last
/// shown event's `id`.
pub fn queue(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = ReviewQueueQuery::parse(query).map_err(ApiError::invalid)?;
    let queue = db.transaction(Mode::Read, |db| {
        let mut rows = db.rows(
            &format!(
                "SELECT e.id, e.event_id, e.provider, e.event_type, e.outcome, e.order_number, \
                        e.intent_id, e.amount, e.currency, e.created, e.received_at, \
                        substr(e.payload, 1, ?1), length(e.payload) \
                 FROM payment_events e \
                 WHERE (e.outcome IN ('unknown_order', 'amount_mismatch') \
                        OR (e.outcome = 'deferred' \
                            AND e.received_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?4))) \
                   AND {NOT_REVIEWED} AND (?2 IS NULL OR e.id < ?2) \
                 ORDER BY e.id DESC LIMIT ?3"
            ),
            &[
                int(MAX_PAYLOAD_SHOWN as i64),
                opt_int(query.before),
                int(i64::from(query.limit) + 1),
                text(DEFERRED_PATIENCE),
            ],
        )?;
        let more = rows.len() > query.limit as usize;
        rows.truncate(query.limit as usize);
        let events = rows
            .iter()
            .map(|row| {
                Ok(FlaggedEvent {
                    id: row.int(0)?,
                    event_id: row.text(1)?,
                    provider: row.text(2)?,
                    event_type: row.text(3)?,
                    outcome: row.text(4)?,
                    order_number: row.opt_text(5)?,
                    intent_id: row.opt_text(6)?,
                    amount: match (row.opt_int(7)?, row.opt_text(8)?) {
                        (Some(amount), Some(currency)) => {
                            Some(Money::new(amount, currency.to_ascii_uppercase()))
                        }
                        _ => None,
                    },
                    created: row.int(9)?,
                    received_at: row.text(10)?,
                    payload: row.text(11)?,
                    payload_cut: row.int(12)? > MAX_PAYLOAD_SHOWN as i64,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let next_before = more.then(|| events.last().map(|e| e.id)).flatten();
        Ok::<_, ApiError>(ReviewQueue {
            events,
            next_before,
        })
    })?;
    json(200, &queue)
}
