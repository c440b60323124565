//! The shopper's side of returns:
//!
//! - `GET /orders/{number}/returns` → `OrderReturns`: the order's returns, its lines with
//!   what may still be asked back, the window and, when no return may be asked now, why;
//! - `POST /orders/{number}/returns` (`Idempotency-Key`, `RequestReturn`) → 201
//!   `ReturnRecord`: a return of some units of a shipped order within the window. Refused
//!   with nothing written: 409 `return_not_possible` (not shipped, outside the window, the
//!   shop takes no returns, a return still waiting for the shop), 422 at the field (a line
//!   asked more than it may, no line, no reason). The same key again answers the same
//!   return; with another request it is 422 `idempotency_key_reused`.
//!
//! The window is counted from the order's `fulfilled` event (this shop's "delivered": it
//! records no delivery), `return_window_days` of `shop_settings` (0: no returns).

use super::{OrderLine, of_order, order_lines, record};
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json};
use crate::idempotency;
use crate::orders::number;
use crate::orders::view::not_found;
use crate::payments::intents::{self, Order};
use spin_sdk::http::Response;
use storefront_domain::returns::{
    OrderReturns, RETURN_REQUESTED, RequestReturn, ReturnableLine, reason_text,
};
use storefront_domain::{FieldError, OrderState};

/// The field an error about the line `sku` is reported at.
pub fn line_field(sku: &str) -> String {
    format!("lines.{sku}")
}

/// The order's returns as the shopper's page shows them.
pub fn status(db: &Db, order: &Order) -> anyhow::Result<OrderReturns> {
    let window_days = db
        .int_value(
            "SELECT return_window_days FROM shop_settings WHERE id = 1",
            &[],
        )?
        .unwrap_or(0);
    let shipped = db
        .row(
            "SELECT max(at) FROM order_events WHERE order_id = ? AND to_state = 'fulfilled'",
            &[int(order.id)],
        )?
        .and_then(|row| row.opt_text(0).ok().flatten());
    let window_ends_at = match &shipped {
        Some(at) => db
            .row(
                "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '+' || ?2 || ' days')",
                &[text(at), int(window_days)],
            )?
            .map(|row| row.text(0))
            .transpose()?,
        None => None,
    };
    let lines = order_lines(db, order.id)?;
    let returns = of_order(db, order.id)?;
    let now = db.now()?;
    let closed = if window_days == 0 {
        Some("This shop does not take returns.".to_string())
    } else if order.state != OrderState::Fulfilled || window_ends_at.is_none() {
        Some(match order.state {
            OrderState::Refunded => "This order was refunded.".to_string(),
            OrderState::Cancelled => "This order was cancelled.".to_string(),
            _ => "A return can be asked for once the order has been shipped.".to_string(),
        })
    } else if window_ends_at
        .as_deref()
        .is_some_and(|end| end < now.as_str())
    {
        Some(format!(
            "The {window_days}-day return window of this order has closed."
        ))
    } else if returns.iter().any(|r| r.state == RETURN_REQUESTED) {
        Some("A return of this order is waiting for the shop's answer.".to_string())
    } else if lines.iter().all(|l| l.asked >= l.quantity) {
        Some("Every item of this order is in a return already.".to_string())
    } else {
        None
    };
    Ok(OrderReturns {
        order_number: order.number.clone(),
        window_days,
        window_ends_at,
        closed,
        lines: lines
            .iter()
            .map(|l| ReturnableLine {
                sku: l.sku.clone(),
                name: l.name.clone(),
                variant: l.variant.clone(),
                bought: l.quantity,
                returnable: (l.quantity - l.asked).max(0),
            })
            .collect(),
        returns,
    })
}

/// `GET /orders/{number}/returns`.
pub fn get(db: &Db, number: &str) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let status = db.transaction(Mode::Read, |db| {
        let order = intents::order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        Ok::<_, ApiError>(status(db, &order)?)
    })?;
    json(200, &status)
}

/// The asked lines checked against the order's: (line id, units), or the field errors.
fn chosen(lines: &[OrderLine], asked: &RequestReturn) -> Result<Vec<(i64, i64)>, ApiError> {
    let mut errors = Vec::new();
    let mut chosen: Vec<(i64, i64)> = Vec::new();
    for a in &asked.lines {
        let Some(line) = lines.iter().find(|l| l.sku.eq_ignore_ascii_case(&a.sku)) else {
            errors.push(FieldError::new(
                line_field(&a.sku),
                "This item is not part of this order.",
            ));
            continue;
        };
        let left = (line.quantity - line.asked).max(0);
        if a.quantity == 0 {
            continue;
        }
        if chosen.iter().any(|(id, _)| *id == line.id) {
            errors.push(FieldError::new(
                line_field(&line.sku),
                "This item is given twice.",
            ));
        } else if a.quantity < 0 || a.quantity > left {
            errors.push(FieldError::new(
                line_field(&line.sku),
                format!(
                    "You can return at most {left} of this item (you bought {}).",
                    line.quantity
                ),
            ));
        } else {
            chosen.push((line.id, a.quantity));
        }
    }
    if errors.is_empty() && chosen.is_empty() {
        errors.push(FieldError::new(
            "lines",
            "Choose at least one item to return.",
        ));
    }
    if errors.is_empty() {
        Ok(chosen)
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// `POST /orders/{number}/returns`.
pub fn request(db: &Db, head: &Head, number: &str, body: &[u8]) -> Result<Response, ApiError> {
    let key = idempotency::key(&head.idempotency_key, "a return")?;
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let asked: RequestReturn = parse_json(body)?;
    let reason = reason_text(&asked.reason)
        .map_err(|why| ApiError::invalid(vec![FieldError::new("reason", why)]))?;
    let fingerprint = idempotency::fingerprint(
        serde_json::json!({"order": number, "lines": asked.lines, "reason": reason}).to_string(),
    );
    let (status, answer) = db.transaction(Mode::Write, |db| {
        let order = intents::order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        if let Some(row) = db.row(
            "SELECT id, order_id, fingerprint FROM returns WHERE idempotency_key = ?",
            &[text(&key)],
        )? {
            if row.int(1)? != order.id || row.text(2)? != fingerprint {
                return Err(ApiError::new(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key was already used for another return",
                ));
            }
            let id = row.int(0)?;
            return Ok((200, record(db, id)?.ok_or_else(|| not_found(&number))?));
        }
        if let Some(why) = status(db, &order)?.closed {
            return Err(ApiError::new(409, "return_not_possible", why));
        }
        let chosen = chosen(&order_lines(db, order.id)?, &asked)?;
        let now = db.now()?;
        let id = db
            .row(
                "INSERT INTO returns (order_id, state, reason, currency, idempotency_key, \
                 fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    int(order.id),
                    text(RETURN_REQUESTED),
                    text(&reason),
                    text(&order.total.currency),
                    text(&key),
                    text(&fingerprint),
                    text(&now),
                ],
            )?
            .ok_or_else(|| anyhow::anyhow!("INSERT … RETURNING gave no row"))?
            .int(0)?;
        for (line_id, quantity) in chosen {
            db.execute(
                "INSERT INTO return_lines (return_id, line_id, quantity) VALUES (?, ?, ?)",
                &[int(id), int(line_id), int(quantity)],
            )?;
        }
        eprintln!("return {id} asked for order {number}");
        Ok::<_, ApiError>((201, record(db, id)?.ok_or_else(|| not_found(&number))?))
    })?;
    json(status, &answer)
}
