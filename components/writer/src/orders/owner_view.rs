//! `GET /admin/orders/{number}`: one order as the shop owner sees it in the back office:
//! the order as the shopper sees it (`view::view`), plus its tracking number, the
//! history with who caused each change, the payment, the provider's events for it (with
//! any review) and the provider calls the ledger asked for, the goods returned to stock,
//! and the owner's internal notes (`notes`). A read: nothing changes.

use crate::db::{Db, Mode, RowExt as _, int};
use crate::http::responses::{ApiError, json};
use crate::orders::number;
use crate::orders::restock;
use crate::orders::view::{self, not_found};
use crate::payments::intents;
use anyhow::anyhow;
use spin_sdk::http::Response;
use storefront_domain::owner_orders::{
    HistoryEntry, MAX_ORDER_EVENTS_SHOWN, OrderPaymentEvent, OwnerOrder, ProviderActionSummary,
};
use storefront_domain::payments::EventReview;
use storefront_domain::{Money, OrderState};

pub fn get(db: &Db, number: &str) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let order = db.transaction(Mode::Read, |db| {
        let order = intents::order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        Ok::<_, ApiError>(read(db, &order)?)
    })?;
    json(200, &order)
}

fn read(db: &Db, order: &intents::Order) -> anyhow::Result<OwnerOrder> {
    let id = || int(order.id);
    let tracking_number = db
        .row("SELECT tracking_number FROM orders WHERE id = ?", &[id()])?
        .map(|row| row.opt_text(0))
        .transpose()?
        .flatten();
    let history = db
        .rows(
            "SELECT from_state, to_state, at, actor FROM order_events \
             WHERE order_id = ? ORDER BY id",
            &[id()],
        )?
        .iter()
        .map(|row| {
            Ok(HistoryEntry {
                from: row.opt_text(0)?.map(|s| state(&s)).transpose()?,
                to: state(&row.text(1)?)?,
                at: row.text(2)?,
                actor: row.opt_text(3)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let payment = intents::view(db, order)?.payment;
    // The newest events, shown oldest first.
    let mut payment_events = db
        .rows(
            "SELECT e.event_id, e.event_type, e.outcome, e.amount, e.currency, e.received_at, \
                    r.outcome, r.note, r.reviewed_at \
             FROM payment_events e \
             LEFT JOIN payment_event_reviews r ON r.payment_event_id = e.id \
             WHERE e.order_id = ? ORDER BY e.id DESC LIMIT ?",
            &[id(), int(MAX_ORDER_EVENTS_SHOWN)],
        )?
        .iter()
        .map(|row| {
            let event_id = row.text(0)?;
            let review = match row.opt_text(6)? {
                Some(outcome) => Some(EventReview {
                    event_id: event_id.clone(),
                    outcome,
                    note: row.text(7)?,
                    reviewed_at: row.text(8)?,
                }),
                None => None,
            };
            Ok(OrderPaymentEvent {
                event_id,
                event_type: row.text(1)?,
                outcome: row.text(2)?,
                amount: match (row.opt_int(3)?, row.opt_text(4)?) {
                    (Some(amount), Some(currency)) => {
                        Some(Money::new(amount, currency.to_ascii_uppercase()))
                    }
                    _ => None,
                },
                received_at: row.text(5)?,
                review,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    payment_events.reverse();
    let provider_actions = db
        .rows(
            "SELECT kind, reason, state, outcome, attempts, last_error, created_at \
             FROM provider_actions WHERE order_id = ? ORDER BY id",
            &[id()],
        )?
        .iter()
        .map(|row| {
            Ok(ProviderActionSummary {
                kind: row.text(0)?,
                reason: row.text(1)?,
                state: row.text(2)?,
                outcome: row.opt_text(3)?,
                attempts: row.int(4)?,
                last_error: row.opt_text(5)?,
                created_at: row.text(6)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(OwnerOrder {
        order: view::view(db, order.id)?,
        tracking_number,
        history,
        payment,
        payment_events,
        provider_actions,
        restocks: restock::of_order(db, order.id)?,
        notes: crate::orders::notes::of_order(db, order.id)?,
    })
}

fn state(s: &str) -> anyhow::Result<OrderState> {
    OrderState::parse(s).ok_or_else(|| anyhow!("unknown order state {s:?} in the database"))
}
