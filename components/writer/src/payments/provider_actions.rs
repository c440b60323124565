//! Provider actions: the payment provider calls a ledger change makes necessary, written in
//! the change's own transaction (`provider_actions`, see `0006_provider_actions.sql`) and
//! carried out later by the payment courier, which has the provider's keys and outbound
//! access (the writer never calls out). The courier asks for what is due
//! (`GET /provider-actions/due`) and reports what the provider answered
//! (`POST /provider-actions/{id}/result`); a failed attempt is retried with back-off.
//!
//! The rule they enforce: money is never left on a cancelled order.
//! - An order whose intent may still succeed is not cancelled (by expiry or by the owner)
//!   until the provider confirms the intent is cancelled; until then it stays
//!   `pending_payment` with its stock reserved, so a late success pays it.
//! - A success that still arrives for a cancelled order is refunded, once, in full.
//! - A paid order the owner cancels before shipping is refunded, once, what is left.
//!
//! And the one that keeps an unpaid order's price honest: when the shopper changes it
//! (`orders::change`), the intent's amount at the provider is set to the new total
//! (`update_amount`, one pending per payment; the amount is the payment's when the
//! courier asks, so several changes in a row make one call).

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::orders::transitions;
use crate::payments::intents::{self, Order, Payment, check_id};
use crate::payments::state::PaymentStatus;
use anyhow::{Context as _, anyhow};
use spin_sdk::http::Response;
use storefront_domain::payments::{ActionReport, DueActions, ProviderAction, ProviderActionKind};
use storefront_domain::{Money, OrderState};

/// Most actions handed to the courier at once; the rest wait for its next round.
pub const MAX_DUE: i64 = 20;
/// Back-off after a failed attempt: 30 s, doubling, at most an hour.
const FIRST_RETRY_SECONDS: i64 = 30;
const MAX_RETRY_SECONDS: i64 = 3600;
/// Longest error text kept from a failed attempt.
const MAX_ERROR_LEN: usize = 500;

/// Why an action exists (`provider_actions.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    ReservationExpired,
    CancelledByOwner,
    PaidAfterCancel,
    OrderEdited,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::ReservationExpired => "reservation_expired",
            Reason::CancelledByOwner => "cancelled_by_owner",
            Reason::PaidAfterCancel => "paid_after_cancel",
            Reason::OrderEdited => "order_edited",
        }
    }
}

fn kind_str(kind: ProviderActionKind) -> &'static str {
    match kind {
        ProviderActionKind::CancelIntent => "cancel_intent",
        ProviderActionKind::Refund => "refund",
        ProviderActionKind::UpdateAmount => "update_amount",
    }
}

fn kind_of(s: &str) -> anyhow::Result<ProviderActionKind> {
    match s {
        "cancel_intent" => Ok(ProviderActionKind::CancelIntent),
        "refund" => Ok(ProviderActionKind::Refund),
        "update_amount" => Ok(ProviderActionKind::UpdateAmount),
        other => Err(anyhow!(
            "unknown provider action kind {other:?} in the database"
        )),
    }
}

/// What asking to cancel an unpaid order did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    /// Cancelled now; its stock is back on the shelf.
    Cancelled,
    /// Its intent may still succeed: the intent is to be cancelled at the provider first.
    AwaitingProvider,
}

/// Cancels `order` (which is `pending_payment`) if no money can still arrive for it;
/// otherwise records that its intent is to be cancelled at the provider (once: asking
/// again changes nothing) and leaves the order reserved. `actor` names who asked, for
/// the order's history (`None` for the sweep).
pub fn request_cancel(
    db: &Db,
    order: &Order,
    reason: Reason,
    now: &str,
    actor: Option<&str>,
) -> anyhow::Result<Cancel> {
    let payment = intents::for_order(db, order.id)?;
    match payment {
        Some(p) if may_still_succeed(db, &p)? => {
            enqueue(db, &p, ProviderActionKind::CancelIntent, reason, now)?;
            Ok(Cancel::AwaitingProvider)
        }
        _ => {
            transitions::apply(
                db,
                order.id,
                OrderState::PendingPayment,
                OrderState::Cancelled,
                now,
                actor,
            )?;
            Ok(Cancel::Cancelled)
        }
    }
}

/// Whether the provider may still take money for `payment`: its intent was created (or
/// its last attempt failed, which the shopper may retry) and the provider has not
/// confirmed it cancelled.
pub fn may_still_succeed(db: &Db, payment: &Payment) -> anyhow::Result<bool> {
    if !matches!(
        payment.status,
        PaymentStatus::Created | PaymentStatus::Failed
    ) {
        return Ok(false);
    }
    let cancelled = db
        .row(
            "SELECT 1 FROM provider_actions \
             WHERE payment_id = ? AND kind = 'cancel_intent' AND outcome = 'canceled'",
            &[int(payment.id)],
        )?
        .is_some();
    Ok(!cancelled)
}

/// Records that `kind` is to be done for `payment`, due now; nothing if it already is.
fn enqueue(
    db: &Db,
    payment: &Payment,
    kind: ProviderActionKind,
    reason: Reason,
    now: &str,
) -> anyhow::Result<()> {
    db.execute(
        "INSERT INTO provider_actions (order_id, payment_id, kind, reason, state, \
         next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) \
         ON CONFLICT (payment_id, kind) WHERE kind <> 'update_amount' DO NOTHING",
        &[
            int(payment.order_id),
            int(payment.id),
            text(kind_str(kind)),
            text(reason.as_str()),
            text(now),
            text(now),
            text(now),
        ],
    )?;
    Ok(())
}

/// The shopper changed their unpaid order: the intent's amount is to follow the
/// payment's (already set to the new total); nothing new if an update is pending.
pub fn update_amount(db: &Db, payment: &Payment, now: &str) -> anyhow::Result<()> {
    db.execute(
        "INSERT INTO provider_actions (order_id, payment_id, kind, reason, state, \
         next_attempt_at, created_at, updated_at) \
         VALUES (?, ?, 'update_amount', ?, 'pending', ?, ?, ?) \
         ON CONFLICT (payment_id) WHERE kind = 'update_amount' AND state = 'pending' DO NOTHING",
        &[
            int(payment.order_id),
            int(payment.id),
            text(Reason::OrderEdited.as_str()),
            text(now),
            text(now),
            text(now),
        ],
    )?;
    Ok(())
}

/// Money arrived for a cancelled order: it goes back.
pub fn refund_paid_after_cancel(db: &Db, payment: &Payment, now: &str) -> anyhow::Result<()> {
    enqueue(
        db,
        payment,
        ProviderActionKind::Refund,
        Reason::PaidAfterCancel,
        now,
    )
}

/// The owner cancelled paid order `payment`'s order before shipping it: the money that
/// is left goes back (the provider refunds what it has not refunded yet).
pub fn refund_cancelled_by_owner(db: &Db, payment: &Payment, now: &str) -> anyhow::Result<()> {
    enqueue(
        db,
        payment,
        ProviderActionKind::Refund,
        Reason::CancelledByOwner,
        now,
    )
}

/// A provider event settled what a pending action was for (the order got paid before its
/// intent could be cancelled, or the money went back another way): the action is done,
/// with `outcome` saying how.
pub fn settled_by_event(
    db: &Db,
    payment_id: i64,
    kind: ProviderActionKind,
    outcome: &str,
    now: &str,
) -> anyhow::Result<()> {
    db.execute(
        "UPDATE provider_actions SET state = 'done', outcome = ?, updated_at = ? \
         WHERE payment_id = ? AND kind = ? AND state = 'pending'",
        &[
            text(outcome),
            text(now),
            int(payment_id),
            text(kind_str(kind)),
        ],
    )?;
    Ok(())
}

/// `GET /provider-actions/due`: up to [`MAX_DUE`] pending actions whose time has come,
/// oldest first.
pub fn due(db: &Db) -> Result<Response, ApiError> {
    let actions = db.transaction(Mode::Read, |db| -> anyhow::Result<_> {
        let now = db.now()?;
        db.rows(
            "SELECT a.id, a.kind, o.number, p.provider, p.intent_id, p.amount, p.currency, \
             a.attempts FROM provider_actions a \
             JOIN orders o ON o.id = a.order_id JOIN payments p ON p.id = a.payment_id \
             WHERE a.state = 'pending' AND a.next_attempt_at <= ? \
             ORDER BY a.next_attempt_at, a.id LIMIT ?",
            &[text(&now), int(MAX_DUE)],
        )?
        .iter()
        .map(|r| {
            Ok(ProviderAction {
                id: r.int(0)?,
                kind: kind_of(&r.text(1)?)?,
                order_number: r.text(2)?,
                provider: r.text(3)?,
                intent_id: r.text(4)?,
                amount: Money::new(r.int(5)?, r.text(6)?),
                attempts: r.int(7)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()
    })?;
    json(200, &DueActions { actions })
}

/// `POST /provider-actions/{id}/result`: what the provider answered. Reporting on an action
/// already done changes nothing (the courier may repeat itself, or an event got there
/// first) and answers 200.
pub fn report(db: &Db, id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found(format!("there is no provider action {id}"));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let report: ActionReport = parse_json(body)?;
    if let ActionReport::RefundRequested { refund_id } = &report {
        let mut errors = Vec::new();
        check_id(&mut errors, "refund_id", refund_id);
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
    }
    let answer = db.transaction(Mode::Write, |db| {
        let row = db
            .row(
                "SELECT kind, state, order_id, payment_id, attempts FROM provider_actions \
                 WHERE id = ?",
                &[int(id)],
            )?
            .ok_or_else(not_found)?;
        let kind = kind_of(&row.text(0)?)?;
        let (order_id, payment_id, attempts) = (row.int(2)?, row.int(3)?, row.int(4)?);
        if row.text(1)? == "done" {
            return Ok(state_of(db, id)?);
        }
        let now = db.now()?;
        match (kind, report) {
            (_, ActionReport::Failed { error }) => {
                let delay = FIRST_RETRY_SECONDS
                    .saturating_mul(1 << attempts.clamp(0, 20))
                    .min(MAX_RETRY_SECONDS);
                let error: String = error.chars().take(MAX_ERROR_LEN).collect();
                db.execute(
                    "UPDATE provider_actions SET attempts = attempts + 1, last_error = ?, \
                     next_attempt_at = strftime('%Y-%m-%dT%H:%M:%fZ', ?, ?), updated_at = ? \
                     WHERE id = ?",
                    &[
                        text(&error),
                        text(&now),
                        text(format!("+{delay} seconds")),
                        text(&now),
                        int(id),
                    ],
                )?;
            }
            (ProviderActionKind::CancelIntent, ActionReport::Canceled) => {
                done(db, id, "canceled", &now)?;
                let order = intents::order_by_id(db, order_id)?;
                if order.state == OrderState::PendingPayment {
                    transitions::apply(
                        db,
                        order.id,
                        OrderState::PendingPayment,
                        OrderState::Cancelled,
                        &now,
                        None,
                    )?;
                }
            }
            (ProviderActionKind::UpdateAmount, ActionReport::Updated) => {
                done(db, id, "updated", &now)?;
            }
            (ProviderActionKind::CancelIntent, ActionReport::AlreadySucceeded) => {
                // The success event makes the order paid (or the reconciliation shows
                // that it never came); the order is not cancelled under the money.
                done(db, id, "already_succeeded", &now)?;
            }
            (ProviderActionKind::Refund, ActionReport::RefundRequested { refund_id }) => {
                done(db, id, &refund_id, &now)?;
                let payment = intents::for_order(db, order_id)?
                    .filter(|p| p.id == payment_id)
                    .context("a provider action's payment is gone")?;
                if payment.status == PaymentStatus::Succeeded {
                    intents::set_refund(
                        db,
                        payment.id,
                        PaymentStatus::RefundRequested,
                        &refund_id,
                        &now,
                    )?;
                }
            }
            (kind, report) => {
                return Err(ApiError::new(
                    422,
                    "report_does_not_fit",
                    format!("a {} action cannot end {report:?}", kind_str(kind)),
                ));
            }
        }
        Ok(state_of(db, id)?)
    })?;
    json(200, &answer)
}

fn done(db: &Db, id: i64, outcome: &str, now: &str) -> anyhow::Result<()> {
    db.execute(
        "UPDATE provider_actions SET state = 'done', outcome = ?, attempts = attempts + 1, \
         last_error = NULL, updated_at = ? WHERE id = ?",
        &[text(outcome), text(now), int(id)],
    )?;
    Ok(())
}

/// An action as the report answers it.
fn state_of(db: &Db, id: i64) -> anyhow::Result<serde_json::Value> {
    let row = db
        .row(
            "SELECT state, outcome, attempts, next_attempt_at FROM provider_actions WHERE id = ?",
            &[int(id)],
        )?
        .context("a provider action vanished")?;
    Ok(serde_json::json!({
        "id": id,
        "state": row.text(0)?,
        "outcome": row.opt_text(1)?,
        "attempts": row.int(2)?,
        "next_attempt_at": row.text(3)?,
    }))
}
