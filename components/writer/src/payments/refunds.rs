//! Refunds the owner asks for, whole or partial (the `refunds` table):
//!
//! - `POST /orders/{number}/refunds` (`Idempotency-Key`, `RequestRefund`): records the
//!   request before the provider hears of it, so pages can always retry the provider call
//!   with the same provider idempotency key; refuses more than is still refundable; puts
//!   the goods it names back on the shelf in the same transaction (`orders::restock`:
//!   they are back whatever the provider later answers about the money);
//! - `GET /orders/{number}/refunds/{seq}`: one refund, to drive a stuck one on;
//! - `POST /orders/{number}/refunds/{seq}/result` (`RefundReport`): the provider accepted
//!   it (with its refund id) or refused it (its amount is free again).
//!
//! What the provider confirmed is not here: its `charge.refunded` events carry the
//! cumulative `amount_refunded`, applied in `payment_events.rs`. The order becomes
//! `refunded` when that reaches the whole payment; until then it stays paid or shipped.

use crate::db::{Db, Mode, RowExt as _, int, opt_text, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json};
use crate::idempotency::{self, Journal};
use crate::orders::number;
use crate::orders::restock;
use crate::orders::view::not_found;
use crate::payments::intents::{self, Order, check_id};
use crate::payments::state::PaymentStatus;
use spin_sdk::http::Response;
use spin_sdk::sqlite::RowResult;
use storefront_domain::owner_orders::RestockLine;
use storefront_domain::payments::{
    MAX_REFUND_NOTE, REFUND_ACCEPTED, REFUND_FAILED, REFUND_REQUESTED, RefundAnswer, RefundRecord,
    RefundReport, RequestRefund,
};
use storefront_domain::{FieldError, Money, OrderState};

/// Longest provider error kept with a failed refund.
const MAX_ERROR: usize = 500;

const COLUMNS: &str =
    "seq, amount, currency, state, refund_id, note, actor, last_error, created_at";

fn record_of(row: &RowResult) -> anyhow::Result<RefundRecord> {
    Ok(RefundRecord {
        seq: row.int(0)?,
        amount: Money::new(row.int(1)?, row.text(2)?),
        state: row.text(3)?,
        refund_id: row.opt_text(4)?,
        note: row.opt_text(5)?,
        actor: row.text(6)?,
        last_error: row.opt_text(7)?,
        created_at: row.text(8)?,
    })
}

/// Payment `payment_id`'s refunds, oldest first.
pub fn of_payment(db: &Db, payment_id: i64) -> anyhow::Result<Vec<RefundRecord>> {
    db.rows(
        &format!("SELECT {COLUMNS} FROM refunds WHERE payment_id = ? ORDER BY seq"),
        &[int(payment_id)],
    )?
    .iter()
    .map(record_of)
    .collect()
}

/// The provider's idempotency key for refund `seq` of order `number`.
pub fn provider_key(number: &str, seq: i64) -> String {
    format!("storefront-refund-{number}-{seq}")
}

/// The sum of payment `payment_id`'s accepted refunds.
fn accepted_total(db: &Db, payment_id: i64) -> anyhow::Result<i64> {
    Ok(db
        .int_value(
            "SELECT coalesce(sum(amount), 0) FROM refunds WHERE payment_id = ? AND state = ?",
            &[int(payment_id), text(REFUND_ACCEPTED)],
        )?
        .unwrap_or(0))
}

fn not_refundable(message: String) -> ApiError {
    ApiError::new(409, "not_refundable", message)
}

/// A note as kept: trimmed, `None` when empty; too long or with control characters is a
/// field error.
fn checked_note(note: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let note = note.map(str::trim).filter(|n| !n.is_empty())?;
    if note.chars().count() > MAX_REFUND_NOTE {
        errors.push(FieldError::new(
            "note",
            format!("must be at most {MAX_REFUND_NOTE} characters"),
        ));
    } else if note.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "note",
            "must be one line without control characters",
        ));
    }
    Some(note.to_string())
}

/// `POST /orders/{number}/refunds`.
pub fn request(db: &Db, head: &Head, number: &str, body: &[u8]) -> Result<Response, ApiError> {
    let key = idempotency::key(&head.idempotency_key, "a refund")?;
    let actor = idempotency::actor(&head.actor)?;
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let asked: RequestRefund = parse_json(body)?;
    let mut errors = Vec::new();
    if asked.amount.is_some_and(|a| a < 1) {
        errors.push(FieldError::new(
            "amount",
            "must be at least 1 (minor units)",
        ));
    }
    let note = checked_note(asked.note.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let fingerprint = idempotency::fingerprint(
        serde_json::json!({
            "order": number, "amount": asked.amount, "note": note, "restock": asked.restock,
        })
        .to_string(),
    );
    let (status, answer) = db.transaction(Mode::Write, |db| {
        let order = intents::order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        if let Some(row) = db.row(
            "SELECT order_id, fingerprint, seq FROM refunds WHERE idempotency_key = ?",
            &[text(&key)],
        )? {
            if row.int(0)? != order.id || row.text(1)? != fingerprint {
                return Err(Journal::REFUNDS.reused());
            }
            // A repeat answers the refund as it stands now (see `crate::idempotency`).
            return Ok((200, answer(db, &order, row.int(2)?)?));
        }
        let seq = record(
            db,
            &order,
            &NewRefund {
                amount: asked.amount,
                note: note.as_deref(),
                restock: &asked.restock,
                actor: &actor,
                key: &key,
                fingerprint: &fingerprint,
            },
        )?;
        Ok::<_, ApiError>((201, answer(db, &order, seq)?))
    })?;
    json(status, &answer)
}

/// A refund to record ([`record`]).
pub struct NewRefund<'a> {
    /// Minor units; `None`: everything still refundable.
    pub amount: Option<i64>,
    pub note: Option<&'a str>,
    pub restock: &'a [RestockLine],
    pub actor: &'a str,
    /// The refund's idempotency key and its request's fingerprint.
    pub key: &'a str,
    pub fingerprint: &'a str,
}

/// Records refund `new` of `order` in the caller's write transaction (the caller checked
/// its key is new) and puts the goods it names back on the shelf: its seq. Refuses an
/// order that is not paid or shipped, and more than is left to refund.
pub fn record(db: &Db, order: &Order, new: &NewRefund) -> Result<i64, ApiError> {
    let number = &order.number;
    let payment = intents::for_order(db, order.id)?;
    let payment = match payment {
        Some(p)
            if matches!(p.status, PaymentStatus::Succeeded)
                && matches!(order.state, OrderState::Paid | OrderState::Fulfilled) =>
        {
            p
        }
        Some(p) => {
            return Err(not_refundable(format!(
                "order {number} is {} and its payment is {}; only a paid or shipped order \
                 whose payment succeeded can be refunded",
                order.state.as_str(),
                p.status.as_str()
            )));
        }
        None => {
            return Err(not_refundable(format!(
                "order {number} is {} and has no payment",
                order.state.as_str()
            )));
        }
    };
    // The domain's rule, on the payment as the API shows it (its refunds included).
    let left = intents::view(db, order)?
        .payment
        .map_or(0, |p| p.refundable());
    if left == 0 {
        return Err(not_refundable(format!(
            "order {number}'s payment of {} is refunded or asked back in full",
            payment.amount
        )));
    }
    let amount = new.amount.unwrap_or(left);
    if amount > left {
        return Err(ApiError::invalid(vec![FieldError::new(
            "amount",
            format!(
                "must be at most {}, what is left to refund",
                Money::new(left, &payment.amount.currency)
            ),
        )]));
    }
    let chosen = restock::check(db, order.id, new.restock)?;
    let now = db.now()?;
    let seq = db
        .int_value(
            "SELECT coalesce(max(seq), 0) + 1 FROM refunds WHERE payment_id = ?",
            &[int(payment.id)],
        )?
        .unwrap_or(1);
    db.execute(
        "INSERT INTO refunds (payment_id, order_id, seq, amount, currency, note, actor, \
         idempotency_key, fingerprint, state, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            int(payment.id),
            int(order.id),
            int(seq),
            int(amount),
            text(&payment.amount.currency),
            opt_text(new.note),
            text(new.actor),
            text(new.key),
            text(new.fingerprint),
            text(REFUND_REQUESTED),
            text(&now),
            text(&now),
        ],
    )?;
    restock::put_back(db, order.id, number, &chosen, Some(seq), new.actor, &now)?;
    Ok(seq)
}

/// `GET /orders/{number}/refunds/{seq}`.
pub fn get(db: &Db, number: &str, seq: &str) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let seq = parse_seq(seq)?;
    let answer = db.transaction(Mode::Read, |db| {
        let order = intents::order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        answer(db, &order, seq)
    })?;
    json(200, &answer)
}

/// `POST /orders/{number}/refunds/{seq}/result`. The same report again is answered as the
/// first; a report that contradicts the recorded outcome is a 409.
pub fn report(db: &Db, number: &str, seq: &str, body: &[u8]) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let seq = parse_seq(seq)?;
    let report: RefundReport = parse_json(body)?;
    if let RefundReport::Accepted { refund_id } = &report {
        let mut errors = Vec::new();
        check_id(&mut errors, "refund_id", refund_id);
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
    }
    let answer = db.transaction(Mode::Write, |db| {
        let order = intents::order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        let current = answer(db, &order, seq)?;
        let refund = &current.refund;
        let now = db.now()?;
        match (&report, refund.state.as_str()) {
            (RefundReport::Accepted { refund_id }, REFUND_REQUESTED) => {
                db.execute(
                    "UPDATE refunds SET state = ?, refund_id = ?, updated_at = ? \
                     WHERE order_id = ? AND seq = ?",
                    &[
                        text(REFUND_ACCEPTED),
                        text(refund_id),
                        text(&now),
                        int(order.id),
                        int(seq),
                    ],
                )?;
                whole_refund_requested(db, &order, refund_id, &now)?;
            }
            (RefundReport::Accepted { refund_id }, REFUND_ACCEPTED)
                if refund.refund_id.as_deref() == Some(refund_id.as_str()) => {}
            (RefundReport::Failed { error }, REFUND_REQUESTED) => {
                let error: String = error.chars().take(MAX_ERROR).collect();
                db.execute(
                    "UPDATE refunds SET state = ?, last_error = ?, updated_at = ? \
                     WHERE order_id = ? AND seq = ?",
                    &[
                        text(REFUND_FAILED),
                        text(&error),
                        text(&now),
                        int(order.id),
                        int(seq),
                    ],
                )?;
            }
            (RefundReport::Failed { .. }, REFUND_FAILED) => {}
            (_, state) => {
                return Err(ApiError::new(
                    409,
                    "refund_settled",
                    format!("refund {seq} of order {number} is already {state}"),
                ));
            }
        }
        answer(db, &order, seq)
    })?;
    json(200, &answer)
}

/// Once the accepted refunds add up to the whole payment, the payment is
/// `refund_requested` (as a whole refund always was) until the provider confirms.
fn whole_refund_requested(
    db: &Db,
    order: &Order,
    refund_id: &str,
    now: &str,
) -> anyhow::Result<()> {
    let Some(payment) = intents::for_order(db, order.id)? else {
        return Ok(());
    };
    if payment.status == PaymentStatus::Succeeded
        && accepted_total(db, payment.id)? >= payment.amount.amount
    {
        intents::set_refund(
            db,
            payment.id,
            PaymentStatus::RefundRequested,
            refund_id,
            now,
        )?;
    }
    Ok(())
}

fn parse_seq(seq: &str) -> Result<i64, ApiError> {
    seq.parse::<i64>()
        .ok()
        .filter(|s| *s >= 1)
        .ok_or_else(|| ApiError::new(404, "not_found", format!("no refund {seq}")))
}

/// Refund `seq` of `order` with what pages need to drive it on.
pub fn answer(db: &Db, order: &Order, seq: i64) -> Result<RefundAnswer, ApiError> {
    let row = db
        .row(
            &format!("SELECT {COLUMNS}, payment_id FROM refunds WHERE order_id = ? AND seq = ?"),
            &[int(order.id), int(seq)],
        )?
        .ok_or_else(|| {
            ApiError::new(
                404,
                "not_found",
                format!("order {} has no refund {seq}", order.number),
            )
        })?;
    let refund = record_of(&row)?;
    let payment_id = row.int(9)?;
    let payment = intents::for_order(db, order.id)?
        .filter(|p| p.id == payment_id)
        .ok_or_else(|| anyhow::anyhow!("refund {seq} of {} lost its payment", order.number))?;
    Ok(RefundAnswer {
        intent_id: payment.intent_id.clone(),
        provider_key: provider_key(&order.number, seq),
        accepted_total: accepted_total(db, payment_id)?,
        view: intents::view(db, &intents::order_by_id(db, order.id)?)?,
        refund,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_and_bounded() {
        let mut errors = Vec::new();
        assert_eq!(checked_note(None, &mut errors), None);
        assert_eq!(checked_note(Some("   "), &mut errors), None);
        assert_eq!(
            checked_note(Some("  broken mug "), &mut errors).as_deref(),
            Some("broken mug")
        );
        assert!(errors.is_empty());
        checked_note(Some(&"x".repeat(MAX_REFUND_NOTE + 1)), &mut errors);
        checked_note(Some("two\nlines"), &mut errors);
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn provider_keys_name_order_and_seq() {
        assert_eq!(provider_key("SF-1", 2), "storefront-refund-SF-1-2");
    }
}
