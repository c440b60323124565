//! An order's payment in the ledger (the `payments` table): recording the intent pages
//! created (`POST /orders/{number}/payment-intent`), reading it back
//! (`GET /orders/{number}/payment`), and the row access the event, refund and
//! reconciliation code shares. Provider events that move a payment are applied in
//! `payments::events`.

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::orders::number;
use crate::orders::view::not_found;
use crate::payments::events;
use crate::payments::providers;
use crate::payments::refunds;
use crate::payments::state::PaymentStatus;
use anyhow::{Context as _, anyhow};
use spin_sdk::http::Response;
use spin_sdk::sqlite::RowResult;
use storefront_domain::payments::{PaymentRecord, PaymentView, RecordIntent};
use storefront_domain::{FieldError, Money, OrderState};

/// Longest accepted provider id (intent, refund, event). Stripe's are far shorter.
pub const MAX_ID_LEN: usize = 255;

/// An order as the payment code needs it.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: i64,
    /// Canonical form.
    pub number: String,
    pub state: OrderState,
    pub total: Money,
}

/// One `payments` row.
#[derive(Debug, Clone)]
pub struct Payment {
    pub id: i64,
    pub order_id: i64,
    pub provider: String,
    pub intent_id: String,
    pub amount: Money,
    pub status: PaymentStatus,
    pub refund_id: Option<String>,
    /// What the provider confirmed refunding (cumulative, minor units).
    pub amount_refunded: i64,
}

/// `POST /orders/{number}/payment-intent`: records the intent pages created for a pending
/// order. Recording the same intent again is a success (pages retry); another intent for
/// the same order is refused, as is money that is not the order's total.
pub fn record_intent(db: &Db, number: &str, body: &[u8]) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let request: RecordIntent = parse_json(body)?;
    let mut errors = Vec::new();
    check_id(&mut errors, "intent_id", &request.intent_id);
    if request.amount < 0 {
        errors.push(FieldError::new("amount", "must be 0 or more"));
    }
    if !valid_currency(&request.currency) {
        errors.push(FieldError::new(
            "currency",
            "must be a three-letter ISO 4217 code such as EUR",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    providers::check(&request.provider, "provider")?;
    let money = Money::new(request.amount, request.currency.to_ascii_uppercase());
    let view = db.transaction(Mode::Write, |db| {
        let order = order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        if let Some(recorded) = for_order(db, order.id)? {
            if recorded.intent_id == request.intent_id {
                return Ok(view(db, &order)?);
            }
            return Err(ApiError::new(
                409,
                "intent_already_recorded",
                format!(
                    "order {number} already has payment intent {}; it cannot take {}",
                    recorded.intent_id, request.intent_id
                ),
            ));
        }
        if let Some(elsewhere) = by_intent(db, &request.intent_id)? {
            let other = order_by_id(db, elsewhere.order_id)?;
            return Err(ApiError::new(
                409,
                "intent_already_recorded",
                format!(
                    "payment intent {} is already recorded for order {}",
                    request.intent_id, other.number
                ),
            ));
        }
        if order.state != OrderState::PendingPayment {
            return Err(ApiError::new(
                409,
                "not_payable",
                format!(
                    "order {number} is {} and no longer takes a payment",
                    order.state.as_str()
                ),
            ));
        }
        if money != order.total {
            return Err(ApiError::new(
                422,
                "amount_mismatch",
                format!(
                    "the intent is for {money} but order {number} totals {}",
                    order.total
                ),
            ));
        }
        let now = db.now()?;
        insert(
            db,
            order.id,
            &request.provider,
            &request.intent_id,
            &money,
            &now,
        )?;
        // Events may have come in before the intent was recorded (pages died in between).
        events::intent_recorded(db, &order, &request.intent_id, &now)?;
        Ok(view(db, &order_by_id(db, order.id)?)?)
    })?;
    json(200, &view)
}

/// `GET /orders/{number}/payment`.
pub fn get(db: &Db, number: &str) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let view = db.transaction(Mode::Read, |db| {
        let order = order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
        Ok::<_, ApiError>(view(db, &order)?)
    })?;
    json(200, &view)
}

/// The order numbered `number` (canonical form).
pub fn order_by_number(db: &Db, number: &str) -> anyhow::Result<Option<Order>> {
    db.row(
        "SELECT id, number, state, total_amount, currency FROM orders WHERE number = ?",
        &[text(number)],
    )?
    .map(|row| order_of(&row))
    .transpose()
}

pub fn order_by_id(db: &Db, id: i64) -> anyhow::Result<Order> {
    let row = db
        .row(
            "SELECT id, number, state, total_amount, currency FROM orders WHERE id = ?",
            &[int(id)],
        )?
        .with_context(|| format!("order {id} not found"))?;
    order_of(&row)
}

fn order_of(row: &RowResult) -> anyhow::Result<Order> {
    let state = row.text(2)?;
    Ok(Order {
        id: row.int(0)?,
        number: row.text(1)?,
        state: OrderState::parse(&state)
            .ok_or_else(|| anyhow!("unknown order state {state:?} in the database"))?,
        total: Money::new(row.int(3)?, row.text(4)?),
    })
}

const PAYMENT_COLUMNS: &str =
    "id, order_id, provider, intent_id, amount, currency, status, refund_id, amount_refunded";

/// The payment of order `order_id`, if an intent was recorded.
pub fn for_order(db: &Db, order_id: i64) -> anyhow::Result<Option<Payment>> {
    db.row(
        &format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE order_id = ?"),
        &[int(order_id)],
    )?
    .map(|row| payment_of(&row))
    .transpose()
}

/// The payment whose intent is `intent_id`.
pub fn by_intent(db: &Db, intent_id: &str) -> anyhow::Result<Option<Payment>> {
    db.row(
        &format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE intent_id = ?"),
        &[text(intent_id)],
    )?
    .map(|row| payment_of(&row))
    .transpose()
}

fn payment_of(row: &RowResult) -> anyhow::Result<Payment> {
    let status = row.text(6)?;
    Ok(Payment {
        id: row.int(0)?,
        order_id: row.int(1)?,
        provider: row.text(2)?,
        intent_id: row.text(3)?,
        amount: Money::new(row.int(4)?, row.text(5)?),
        status: PaymentStatus::parse(&status)
            .ok_or_else(|| anyhow!("unknown payment status {status:?} in the database"))?,
        refund_id: row.opt_text(7)?,
        amount_refunded: row.int(8)?,
    })
}

/// Records a new intent for order `order_id` in status `created`.
pub fn insert(
    db: &Db,
    order_id: i64,
    provider: &str,
    intent_id: &str,
    amount: &Money,
    now: &str,
) -> anyhow::Result<Payment> {
    let row = db
        .row(
            &format!(
                "INSERT INTO payments (order_id, provider, intent_id, amount, currency, status, \
                 refund_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?) \
                 RETURNING {PAYMENT_COLUMNS}"
            ),
            &[
                int(order_id),
                text(provider),
                text(intent_id),
                int(amount.amount),
                text(&amount.currency),
                text(PaymentStatus::Created.as_str()),
                text(now),
                text(now),
            ],
        )?
        .context("INSERT … RETURNING returned no row")?;
    payment_of(&row)
}

pub fn set_status(
    db: &Db,
    payment_id: i64,
    status: PaymentStatus,
    now: &str,
) -> anyhow::Result<()> {
    db.execute(
        "UPDATE payments SET status = ?, updated_at = ? WHERE id = ?",
        &[text(status.as_str()), text(now), int(payment_id)],
    )?;
    Ok(())
}

/// Records that the provider confirmed refunding `refunded` in all (never lowers it; a
/// trigger announces a partial refund to the shopper).
pub fn set_refunded(db: &Db, payment_id: i64, refunded: i64, now: &str) -> anyhow::Result<()> {
    db.execute(
        "UPDATE payments SET amount_refunded = ?, updated_at = ? \
         WHERE id = ? AND amount_refunded < ?",
        &[int(refunded), text(now), int(payment_id), int(refunded)],
    )?;
    Ok(())
}

pub fn set_refund(
    db: &Db,
    payment_id: i64,
    status: PaymentStatus,
    refund_id: &str,
    now: &str,
) -> anyhow::Result<()> {
    db.execute(
        "UPDATE payments SET status = ?, refund_id = ?, updated_at = ? WHERE id = ?",
        &[
            text(status.as_str()),
            text(refund_id),
            text(now),
            int(payment_id),
        ],
    )?;
    Ok(())
}

/// Where `order`'s payment stands, as the API shows it.
pub fn view(db: &Db, order: &Order) -> anyhow::Result<PaymentView> {
    Ok(PaymentView {
        order_number: order.number.clone(),
        order_state: order.state,
        total: order.total.clone(),
        payment: match for_order(db, order.id)? {
            Some(p) => Some(PaymentRecord {
                refunds: refunds::of_payment(db, p.id)?,
                provider: p.provider,
                intent_id: p.intent_id,
                amount: p.amount,
                status: p.status.as_str().to_string(),
                refund_id: p.refund_id,
                amount_refunded: p.amount_refunded,
            }),
            None => None,
        },
    })
}

/// A provider id (intent, refund, event): 1..=[`MAX_ID_LEN`] visible ASCII characters.
pub fn check_id(errors: &mut Vec<FieldError>, field: &str, value: &str) {
    if value.is_empty() || value.len() > MAX_ID_LEN || !value.bytes().all(|b| b.is_ascii_graphic())
    {
        errors.push(FieldError::new(
            field,
            format!("must be 1 to {MAX_ID_LEN} visible ASCII characters"),
        ));
    }
}

/// Three ASCII letters, either case (Stripe writes them in lower case).
pub fn valid_currency(currency: &str) -> bool {
    currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_currencies() {
        let mut errors = Vec::new();
        check_id(&mut errors, "a", "pi_3Nx2");
        check_id(&mut errors, "b", "");
        check_id(&mut errors, "c", "pi 1");
        check_id(&mut errors, "d", &"x".repeat(MAX_ID_LEN + 1));
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["b", "c", "d"]);
        assert!(valid_currency("eur") && valid_currency("EUR"));
        assert!(!valid_currency("EU") && !valid_currency("E1R") && !valid_currency("EURO"));
    }
}
