//! Order state changes: one order moved by `POST /orders/{number}/transitions`, and the sweep
//! that cancels unpaid orders past their reservation time (or, when their intent may still
//! succeed, has it cancelled at the provider first). Each change updates the order,
//! returns reserved stock when the new state releases it, and appends an event, in the
//! caller's transaction.

use crate::checkout::discounts;
use crate::db::RowExt as _;
use crate::db::{Db, Mode, int, opt_text, text};
use crate::http::request::{Head, Header, parse_json};
use crate::http::responses::{ApiError, json, json_text};
use crate::idempotency::{self, Holder, Journal};
use crate::orders::events;
use crate::orders::number;
use crate::orders::restock;
use crate::orders::view::{self, not_found};
use crate::payments::intents;
use crate::payments::provider_actions;
use crate::payments::state::PaymentStatus;
use anyhow::ensure;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use storefront_domain::carriers;
use storefront_domain::owner_orders;
use storefront_domain::{
    FieldError, OrderState, ReleaseExpiredRequest, ReleaseExpiredResult, TransitionRequest,
};

/// `POST /orders/{number}/transitions`: moves the order to `fulfilled` or `cancelled` if
/// the state machine allows it (`paid` and `refunded` come from payment events only).
/// Already being in `to` is a success without a new event, so a repeated command (a
/// payment webhook delivered twice) is harmless. Shipping may carry a tracking number
/// (stored on the order; given again for a shipped order, it replaces the one stored).
///
/// With an `Idempotency-Key` (the back office sends one per form), the first answer is
/// recorded in `order_commands` and the same key with the same command replays it
/// (`idempotent-replayed: true`); with another command it is 422. The history names the
/// `storefront-actor` (default `admin-token`).
///
/// Shipping may also name the carrier (`tracking_carrier`, with a tracking number only).
/// Cancelling a paid, unshipped order refunds and restocks it in one step
/// ([`cancel_paid`]); a shipped order cannot be cancelled (refund it).
///
/// Cancelling an unpaid order whose intent may still succeed answers `202` with the order
/// still `pending_payment`: the intent is cancelled at the provider first (a provider
/// action), and the order is cancelled when the provider confirms it, or paid if the
/// money came first. Never a cancelled order with the shopper's money behind it.
pub fn transition(db: &Db, head: &Head, number: &str, body: &[u8]) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let TransitionRequest {
        to,
        tracking_number,
        tracking_carrier,
    } = parse_json(body)?;
    let actor = idempotency::actor(&head.actor)?;
    // Money states follow the provider's word only (`/payments/events`), so the ledger
    // can never say "paid" or "refunded" where the bank does not.
    if matches!(to, OrderState::Paid | OrderState::Refunded) {
        return Err(ApiError::new(
            409,
            "set_by_payment_events",
            format!(
                "an order becomes {} only through its payment provider's events",
                to.as_str()
            ),
        ));
    }
    let tracking = match tracking_number
        .as_deref()
        .map(owner_orders::tracking_number)
    {
        None => None,
        Some(Ok(tracking)) => tracking,
        Some(Err(message)) => {
            return Err(ApiError::invalid(vec![FieldError::new(
                "tracking_number",
                message,
            )]));
        }
    };
    if tracking.is_some() && to != OrderState::Fulfilled {
        return Err(ApiError::invalid(vec![FieldError::new(
            "tracking_number",
            "is given only when shipping (to: fulfilled)",
        )]));
    }
    let carrier = match tracking_carrier.as_deref().map(carriers::carrier) {
        None => None,
        Some(Ok(carrier)) => carrier,
        Some(Err(message)) => {
            return Err(ApiError::invalid(vec![FieldError::new(
                "tracking_carrier",
                message,
            )]));
        }
    };
    if carrier.is_some() && tracking.is_none() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "tracking_carrier",
            "is given only with a tracking number",
        )]));
    }
    let key = match &head.idempotency_key {
        Header::Missing => None,
        header => Some(idempotency::key(header, "an order command")?),
    };
    // The carrier joins the fingerprint only when given, so keys recorded before carriers
    // existed keep matching their commands.
    let fingerprint = idempotency::fingerprint(format!(
        "{number}\n{}\n{}{}",
        to.as_str(),
        tracking.as_deref().unwrap_or_default(),
        carrier
            .as_deref()
            .map(|c| format!("\n{c}"))
            .unwrap_or_default()
    ));
    db.transaction(Mode::Write, |db| {
        if let Some(key) = &key
            && let Some(recorded) = Journal::ORDER_COMMANDS.recorded(db, key)?
        {
            return Journal::ORDER_COMMANDS.replay(recorded, Some(&fingerprint), Holder::Anyone);
        }
        let order = intents::order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        let from = order.state;
        let mut status = 200;
        let now = db.now()?;
        if from != to {
            if from == OrderState::Fulfilled && to == OrderState::Cancelled {
                return Err(ApiError::new(
                    409,
                    "illegal_transition",
                    format!(
                        "order {number} is shipped and cannot be cancelled; refund it instead \
                         (its goods are with the shopper)"
                    ),
                ));
            }
            if !from.can_become(to) {
                return Err(ApiError::new(
                    409,
                    "illegal_transition",
                    format!(
                        "order {number} is {} and cannot become {}",
                        from.as_str(),
                        to.as_str()
                    ),
                ));
            }
            if from == OrderState::Paid && to == OrderState::Cancelled {
                cancel_paid(db, &order, &now, &actor)?;
            } else if to == OrderState::Cancelled {
                let cancel = provider_actions::request_cancel(
                    db,
                    &order,
                    provider_actions::Reason::CancelledByOwner,
                    &now,
                    Some(&actor),
                )?;
                if cancel == provider_actions::Cancel::AwaitingProvider {
                    status = 202;
                }
            } else {
                apply(db, order.id, from, to, &now, Some(&actor))?;
            }
        }
        if let Some(tracking) = &tracking {
            db.execute(
                "UPDATE orders SET tracking_number = ?, tracking_carrier = ? WHERE id = ?",
                &[text(tracking), opt_text(carrier.as_deref()), int(order.id)],
            )?;
        }
        let response =
            serde_json::to_string(&view::view(db, order.id)?).map_err(anyhow::Error::from)?;
        if let Some(key) = &key {
            db.execute(
                "INSERT INTO order_commands (idempotency_key, fingerprint, order_id, actor, \
                 status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(key),
                    text(&fingerprint),
                    int(order.id),
                    text(&actor),
                    int(i64::from(status)),
                    text(&response),
                    text(&now),
                ],
            )?;
        }
        Ok(json_text(status, response))
    })
}

/// Cancels paid, unshipped `order` in one step: the order is cancelled, every unit not
/// returned yet goes back on the shelf (with its stock adjustment), and the money left
/// is refunded through the provider action queue (the courier asks the provider; its
/// `charge.refunded` event marks the payment refunded). Refused while the payment is not
/// plainly succeeded (a whole refund already asked for, say).
fn cancel_paid(db: &Db, order: &intents::Order, now: &str, actor: &str) -> Result<(), ApiError> {
    let payment = intents::for_order(db, order.id)?
        .filter(|p| p.status == PaymentStatus::Succeeded)
        .ok_or_else(|| {
            ApiError::new(
                409,
                "illegal_transition",
                format!(
                    "order {}'s payment is not in a state that can be refunded; it cannot be \
                     cancelled now",
                    order.number
                ),
            )
        })?;
    apply(
        db,
        order.id,
        OrderState::Paid,
        OrderState::Cancelled,
        now,
        Some(actor),
    )?;
    provider_actions::refund_cancelled_by_owner(db, &payment, now)?;
    Ok(())
}

/// Most expired orders one sweep (one write transaction) handles, so a sweep holds the
/// writer for a few milliseconds; the host sweeps again at once while a sweep came back
/// full (`more`).
pub const MAX_EXPIRED_PER_SWEEP: i64 = 50;

/// The orders due for release, oldest first: read by `orders_by_state_created` from the
/// oldest pending order up to the earlier of the two cutoffs, so a sweep reads the due
/// orders (and those still in payment or waiting for the provider), never the whole
/// order book. Parameters: state, the two cutoffs (with payment, without), the earlier
/// cutoff, the batch size. Timestamps share one fixed-width format, so text order is time
/// order; a cutoff too far back for SQLite's calendar is NULL and matches nothing.
pub const EXPIRED_SQL: &str = "SELECT o.id FROM orders o \
     WHERE o.state = ?1 AND o.created_at < ?4 \
       AND (CASE WHEN EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id) \
                 THEN o.created_at < ?2 ELSE o.created_at < ?3 END) \
       AND NOT EXISTS (SELECT 1 FROM provider_actions a \
          WHERE a.order_id = o.id AND a.kind = 'cancel_intent') \
     ORDER BY o.created_at, o.id LIMIT ?5";

/// `POST /admin/release-expired`: cancels the orders still awaiting payment that are past
/// their time, returning their stock to the shelf: `unstarted_older_than_seconds` for
/// orders that never reached the payment step, `older_than_seconds` for those with an
/// intent; at most [`MAX_EXPIRED_PER_SWEEP`] at a time.
/// An order whose intent may still succeed is not cancelled but waits for the provider
/// (see [`provider_actions::request_cancel`]).
pub fn release_expired(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let ReleaseExpiredRequest {
        older_than_seconds,
        unstarted_older_than_seconds,
    } = parse_json(body)?;
    let unstarted = unstarted_older_than_seconds.unwrap_or(older_than_seconds);
    let mut errors = Vec::new();
    if older_than_seconds < 0 {
        errors.push(FieldError::new("older_than_seconds", "must be 0 or more"));
    }
    if unstarted < 0 {
        errors.push(FieldError::new(
            "unstarted_older_than_seconds",
            "must be 0 or more",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    // Nothing due (the common case): a read, no write at all.
    let due = db.transaction(Mode::Read, |db| {
        let now = db.now()?;
        let expired = due_orders(db, &now, older_than_seconds, unstarted, 1)?;
        Ok::<_, ApiError>(!expired.is_empty())
    })?;
    if !due {
        return json(
            200,
            &ReleaseExpiredResult {
                cancelled: Vec::new(),
                awaiting_provider: Vec::new(),
                more: false,
            },
        );
    }
    let result = db.transaction(Mode::Write, |db| {
        let now = db.now()?;
        let expired = due_orders(
            db,
            &now,
            older_than_seconds,
            unstarted,
            MAX_EXPIRED_PER_SWEEP,
        )?;
        let mut result = ReleaseExpiredResult {
            cancelled: Vec::new(),
            awaiting_provider: Vec::new(),
            more: expired.len() as i64 == MAX_EXPIRED_PER_SWEEP,
        };
        for row in &expired {
            let order = intents::order_by_id(db, row.int(0)?)?;
            match provider_actions::request_cancel(
                db,
                &order,
                provider_actions::Reason::ReservationExpired,
                &now,
                None,
            )? {
                provider_actions::Cancel::Cancelled => result.cancelled.push(order.number),
                provider_actions::Cancel::AwaitingProvider => {
                    result.awaiting_provider.push(order.number)
                }
            }
        }
        Ok::<_, ApiError>(result)
    })?;
    json(200, &result)
}

/// The ids of at most `limit` orders due for release at `now` ([`EXPIRED_SQL`]).
fn due_orders(
    db: &Db,
    now: &str,
    older_than_seconds: i64,
    unstarted: i64,
    limit: i64,
) -> anyhow::Result<Vec<spin_sdk::sqlite::RowResult>> {
    let cutoff = |seconds: i64| -> anyhow::Result<Value> {
        Ok(db
            .row(
                "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?, ?)",
                &[text(now), text(format!("-{seconds} seconds"))],
            )?
            .and_then(|row| row.values.into_iter().next())
            .unwrap_or(Value::Null))
    };
    db.rows(
        EXPIRED_SQL,
        &[
            text(OrderState::PendingPayment.as_str()),
            cutoff(older_than_seconds)?,
            cutoff(unstarted)?,
            cutoff(older_than_seconds.min(unstarted))?,
            int(limit),
        ],
    )
}

/// Moves order `order_id` from `from` to `to` at `now` (the caller checked that it may),
/// naming `actor` in the history if a person asked.
pub fn apply(
    db: &Db,
    order_id: i64,
    from: OrderState,
    to: OrderState,
    now: &str,
    actor: Option<&str>,
) -> anyhow::Result<()> {
    let updated = db.row(
        "UPDATE orders SET state = ?, updated_at = ? WHERE id = ? AND state = ? RETURNING id",
        &[
            text(to.as_str()),
            text(now),
            int(order_id),
            text(from.as_str()),
        ],
    )?;
    ensure!(
        updated.is_some(),
        "order {order_id} was no longer {} when moving it to {}",
        from.as_str(),
        to.as_str()
    );
    if to == OrderState::Cancelled {
        // A cancelled order gives its discount code's use back; a refunded one does not.
        discounts::release(db, order_id, now)?;
    }
    if to.releases_stock() && from == OrderState::Paid {
        // Sold goods come back as a return: recorded per line with a stock adjustment.
        let left = restock::everything_left(db, order_id)?;
        let number = db
            .row("SELECT number FROM orders WHERE id = ?", &[int(order_id)])?
            .ok_or_else(|| anyhow::anyhow!("order {order_id} vanished"))?
            .text(0)?;
        restock::put_back(
            db,
            order_id,
            &number,
            &left,
            None,
            actor.unwrap_or("admin-token"),
            now,
        )?;
    } else if to.releases_stock() {
        // One line per variant (UNIQUE (order_id, variant_id)), so the subquery is one row.
        db.execute(
            "UPDATE variants SET stock = stock + \
                 (SELECT l.quantity FROM order_lines l \
                  WHERE l.order_id = ? AND l.variant_id = variants.id) \
             WHERE id IN (SELECT variant_id FROM order_lines WHERE order_id = ?)",
            &[int(order_id), int(order_id)],
        )?;
    }
    events::record_event(db, order_id, Some(from), to, now, actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// The sweep reads pending orders by index up to the cutoff, oldest first, with no
    /// sort: its cost follows the due orders, not the order book.
    #[test]
    fn the_expiry_sweep_reads_only_due_orders_by_index() {
        let plan = query_plan::lines(&query_plan::schema(), EXPIRED_SQL);
        assert!(
            plan[0].starts_with("SEARCH o USING")
                && plan[0].contains("orders_by_state_created (state=? AND created_at<?)"),
            "{plan:#?}"
        );
        assert!(query_plan::neither_scans_nor_sorts(&plan), "{plan:#?}");
    }
}
