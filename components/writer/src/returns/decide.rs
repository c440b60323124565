//! The owner's decision on a return (`Idempotency-Key`, actor):
//!
//! - `POST /returns/{id}/accept` (`AcceptReturn`) → `ReturnDecision`: the writer computes
//!   the refund of the returned units ([`super::amount`]), capped at what is left to
//!   refund, and records it through the refund path (`refunds::record`, under the
//!   refund key `return-{id}`), with the units back on the shelf when asked, in the same
//!   transaction as the return's new state. The answer carries the refund for pages to
//!   ask of the provider. An accepted return answers as it stands to any later accept
//!   (whatever its key), so accepting twice refunds once.
//! - `POST /returns/{id}/refuse` (`RefuseReturn`) → `ReturnDecision`: the reason is shown
//!   to the shopper (422 at `reason` when empty or too long).
//!
//! A decided return cannot be decided otherwise: 409 `return_decided`.

use super::amount::{self, Line, Placed};
use super::{order_lines, record};
use crate::db::{Db, Mode, RowExt as _, int, opt_int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json};
use crate::idempotency;
use crate::owner::settings::tax_mode;
use crate::payments::intents::{self, Order};
use crate::payments::refunds::{self, NewRefund};
use spin_sdk::http::Response;
use storefront_domain::owner_orders::RestockLine;
use storefront_domain::returns::{
    AcceptReturn, RETURN_ACCEPTED, RETURN_REFUSED, RETURN_REQUESTED, RefuseReturn, ReturnDecision,
    reason_text,
};
use storefront_domain::{FieldError, Money};

/// The return's row: its order and state.
struct Row {
    id: i64,
    order: Order,
    state: String,
    refund_seq: Option<i64>,
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("there is no return {id}"))
}

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .ok()
        .filter(|i| *i >= 1)
        .ok_or_else(|| not_found(id))
}

fn load(db: &Db, id: i64) -> Result<Row, ApiError> {
    let row = db
        .row(
            "SELECT order_id, state, refund_seq FROM returns WHERE id = ?",
            &[int(id)],
        )?
        .ok_or_else(|| not_found(&id.to_string()))?;
    Ok(Row {
        id,
        order: intents::order_by_id(db, row.int(0)?)?,
        state: row.text(1)?,
        refund_seq: row.opt_int(2)?,
    })
}

/// The return as it stands, with its refund.
fn decision(db: &Db, ret: &Row) -> Result<ReturnDecision, ApiError> {
    let refund = match ret.refund_seq {
        Some(seq) => Some(refunds::answer(db, &ret.order, seq)?),
        None => None,
    };
    Ok(ReturnDecision {
        record: record(db, ret.id)?.ok_or_else(|| not_found(&ret.id.to_string()))?,
        refund,
    })
}

fn decided(ret: &Row) -> ApiError {
    ApiError::new(
        409,
        "return_decided",
        format!("return {} is already {}", ret.id, ret.state),
    )
}

/// What accepting return `ret` refunds.
fn refund_amount(db: &Db, ret: &Row) -> anyhow::Result<i64> {
    let placed = db
        .row(
            "SELECT total_amount, discount_amount, tax_mode, tax_rate_bp FROM orders WHERE id = ?",
            &[int(ret.order.id)],
        )?
        .ok_or_else(|| anyhow::anyhow!("return {} lost its order", ret.id))?;
    let placed = Placed {
        total: placed.int(0)?,
        discount: placed.int(1)?,
        tax_mode: tax_mode(&placed.text(2)?)?,
        rate_bp: placed.int(3)?,
    };
    let lines: Vec<Line> = order_lines(db, ret.order.id)?
        .into_iter()
        .map(|l| Line {
            id: l.id,
            quantity: l.quantity,
            amount: l.amount,
        })
        .collect();
    let units = |sql: &str| -> anyhow::Result<Vec<(i64, i64)>> {
        db.rows(sql, &[int(ret.id), int(ret.order.id)])?
            .iter()
            .map(|r| Ok((r.int(0)?, r.int(1)?)))
            .collect()
    };
    let chosen = units(
        "SELECT rl.line_id, rl.quantity FROM return_lines rl JOIN returns r ON r.id = rl.return_id \
         WHERE r.id = ?1 AND r.order_id = ?2",
    )?;
    let earlier = units(
        "SELECT rl.line_id, rl.quantity FROM return_lines rl JOIN returns r ON r.id = rl.return_id \
         WHERE r.id <> ?1 AND r.order_id = ?2 AND r.state = 'accepted'",
    )?;
    let earlier_refunded = db
        .int_value(
            "SELECT coalesce(sum(refund_amount), 0) FROM returns \
             WHERE order_id = ? AND state = 'accepted'",
            &[int(ret.order.id)],
        )?
        .unwrap_or(0);
    Ok(amount::refund(
        &placed,
        &lines,
        &chosen,
        &earlier,
        earlier_refunded,
    ))
}

/// `POST /returns/{id}/accept`.
pub fn accept(db: &Db, head: &Head, id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let key = idempotency::key(&head.idempotency_key, "accepting a return")?;
    let actor = idempotency::actor(&head.actor)?;
    let id = parse_id(id)?;
    let asked: AcceptReturn = parse_json(body)?;
    let answer = db.transaction(Mode::Write, |db| {
        let ret = load(db, id)?;
        match ret.state.as_str() {
            RETURN_ACCEPTED => return decision(db, &ret),
            RETURN_REQUESTED => {}
            _ => return Err(decided(&ret)),
        }
        let left = intents::view(db, &ret.order)?
            .payment
            .map_or(0, |p| p.refundable());
        let amount = refund_amount(db, &ret)?.min(left);
        if amount < 1 {
            return Err(ApiError::new(
                409,
                "not_refundable",
                format!(
                    "order {}'s payment is refunded or asked back in full; refuse the return \
                     or settle it by hand",
                    ret.order.number
                ),
            ));
        }
        let restock: Vec<RestockLine> = if asked.restock {
            db.rows(
                "SELECT l.sku, rl.quantity FROM return_lines rl \
                 JOIN order_lines l ON l.id = rl.line_id WHERE rl.return_id = ? ORDER BY l.id",
                &[int(id)],
            )?
            .iter()
            .map(|r| {
                Ok(RestockLine {
                    sku: r.text(0)?,
                    quantity: r.int(1)?,
                })
            })
            .collect::<anyhow::Result<_>>()?
        } else {
            Vec::new()
        };
        let refund_key = format!("return-{id}");
        let note = format!("return {id}");
        let seq = refunds::record(
            db,
            &ret.order,
            &NewRefund {
                amount: Some(amount),
                note: Some(&note),
                restock: &restock,
                actor: &actor,
                key: &refund_key,
                fingerprint: &idempotency::fingerprint(&refund_key),
            },
        )?;
        let now = db.now()?;
        db.execute(
            "UPDATE returns SET state = ?, decided_at = ?, decided_by = ?, decision_key = ?, \
             refund_amount = ?, refund_seq = ?, restocked = ? WHERE id = ?",
            &[
                text(RETURN_ACCEPTED),
                text(&now),
                text(&actor),
                text(&key),
                int(amount),
                opt_int(Some(seq)),
                int(i64::from(asked.restock)),
                int(id),
            ],
        )?;
        eprintln!(
            "return {id} of order {} accepted: refund {seq} of {}",
            ret.order.number,
            Money::new(amount, &ret.order.total.currency)
        );
        decision(db, &load(db, id)?)
    })?;
    json(200, &answer)
}

/// `POST /returns/{id}/refuse`.
pub fn refuse(db: &Db, head: &Head, id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let key = idempotency::key(&head.idempotency_key, "refusing a return")?;
    let actor = idempotency::actor(&head.actor)?;
    let id = parse_id(id)?;
    let asked: RefuseReturn = parse_json(body)?;
    let reason = reason_text(&asked.reason)
        .map_err(|why| ApiError::invalid(vec![FieldError::new("reason", why)]))?;
    let answer = db.transaction(Mode::Write, |db| {
        let ret = load(db, id)?;
        match ret.state.as_str() {
            RETURN_REFUSED => return decision(db, &ret),
            RETURN_REQUESTED => {}
            _ => return Err(decided(&ret)),
        }
        let now = db.now()?;
        db.execute(
            "UPDATE returns SET state = ?, decided_at = ?, decided_by = ?, decision_key = ?, \
             refusal = ? WHERE id = ?",
            &[
                text(RETURN_REFUSED),
                text(&now),
                text(&actor),
                text(&key),
                text(&reason),
                int(id),
            ],
        )?;
        eprintln!("return {id} of order {} refused", ret.order.number);
        decision(db, &ret)
    })?;
    json(200, &answer)
}
