//! Order state changes: one order moved by `POST /orders/{number}/transitions`, and the sweep
//! that cancels unpaid orders past their reservation time. Each change updates the order,
//! returns reserved stock when the new state releases it, and appends an event, in the
//! caller's transaction.

use crate::db::RowExt as _;
use crate::db::{Db, Mode, int, text};
use crate::order_number;
use crate::orders::{self, not_found};
use crate::request::parse_json;
use crate::responses::{ApiError, json};
use anyhow::ensure;
use spin_sdk::http::Response;
use storefront_domain::{
    FieldError, OrderState, ReleaseExpiredRequest, ReleaseExpiredResult, TransitionRequest,
};

/// `POST /orders/{number}/transitions`: moves the order to `fulfilled` or `cancelled` if
/// the state machine allows it (`paid` and `refunded` come from payment events only). Already being in `to` is a success without a new event, so a repeated command (a
/// payment webhook delivered twice) is harmless.
pub fn transition(db: &Db, number: &str, body: &[u8]) -> Result<Response, ApiError> {
    let number = order_number::normalize(number).ok_or_else(|| not_found(number))?;
    let TransitionRequest { to } = parse_json(body)?;
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
    let view = db.transaction(Mode::Write, |db| {
        let (id, from) = orders::find(db, &number)?.ok_or_else(|| not_found(&number))?;
        if from != to {
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
            apply(db, id, from, to, &db.now()?)?;
        }
        Ok(orders::view(db, id)?)
    })?;
    json(200, &view)
}

/// `POST /admin/release-expired`: cancels every order still awaiting payment that was placed
/// more than `older_than_seconds` ago, returning its stock to the shelf.
pub fn release_expired(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let ReleaseExpiredRequest { older_than_seconds } = parse_json(body)?;
    if older_than_seconds < 0 {
        return Err(ApiError::invalid(vec![FieldError::new(
            "older_than_seconds",
            "must be 0 or more",
        )]));
    }
    let cancelled = db.transaction(Mode::Write, |db| {
        let now = db.now()?;
        // Timestamps share one fixed-width format, so text order is time order. A cutoff
        // too far back for SQLite's calendar is NULL and matches nothing.
        let expired = db.rows(
            "SELECT id, number FROM orders \
             WHERE state = ? AND created_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?, ?) \
             ORDER BY id",
            &[
                text(OrderState::PendingPayment.as_str()),
                text(&now),
                text(format!("-{older_than_seconds} seconds")),
            ],
        )?;
        let mut numbers = Vec::with_capacity(expired.len());
        for row in &expired {
            let id = row.int(0)?;
            apply(
                db,
                id,
                OrderState::PendingPayment,
                OrderState::Cancelled,
                &now,
            )?;
            numbers.push(row.text(1)?);
        }
        Ok::<_, ApiError>(numbers)
    })?;
    json(200, &ReleaseExpiredResult { cancelled })
}

/// Moves order `order_id` from `from` to `to` at `now` (the caller checked that it may).
pub fn apply(
    db: &Db,
    order_id: i64,
    from: OrderState,
    to: OrderState,
    now: &str,
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
    if to.releases_stock() {
        // One line per product (UNIQUE (order_id, product_id)), so the subquery is one row.
        db.execute(
            "UPDATE products SET stock = stock + \
                 (SELECT l.quantity FROM order_lines l \
                  WHERE l.order_id = ? AND l.product_id = products.id) \
             WHERE id IN (SELECT product_id FROM order_lines WHERE order_id = ?)",
            &[int(order_id), int(order_id)],
        )?;
    }
    orders::record_event(db, order_id, Some(from), to, now)
}
