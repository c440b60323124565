//! Changing an unpaid order: `POST /orders/{number}/change` takes the shopper's new
//! email, name, address, shipping method and discount code, prices the order again with
//! the checkout calculator ([`calculator::price_placed`]: its lines keep the prices they
//! were placed at, and its stock stays reserved as it is), and records the change
//! (`order_changes`), all in one transaction. The order keeps its number.
//!
//! The payment follows: a recorded intent that may still be paid gets the new total in
//! the ledger, and the courier is asked to set it at the provider
//! ([`provider_actions::update_amount`]), so there is never a second intent. Once the
//! payment is under way (or the order paid, cancelled, expiring) the order no longer
//! changes: 409 in plain words. Idempotent by key, in the order commands' journal.

use crate::checkout::calculator;
use crate::checkout::discounts;
use crate::checkout::line_prices::{Priced, PricedItem};
use crate::db::{Db, Mode, RowExt as _, int, opt_text, text};
use crate::http::request::{Header, parse_json};
use crate::http::responses::{ApiError, json_text};
use crate::idempotency::{self, Holder, Journal};
use crate::orders::place::{billing_value, choice, refusals};
use crate::orders::{number, view};
use crate::owner::settings;
use crate::payments::intents;
use crate::payments::provider_actions;
use crate::payments::state::PaymentStatus;
use anyhow::Context as _;
use spin_sdk::http::Response;
use storefront_domain::order::LineRequest;
use storefront_domain::{Money, OrderRequest, OrderState, PricedLine};

/// Who the order commands' journal names for a shopper's change.
const ACTOR: &str = "shopper";

/// `POST /orders/{number}/change` (body: an order request; its `items` are ignored, the
/// order keeps its lines).
pub fn change(db: &Db, key: &Header, number: &str, body: &[u8]) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| view::not_found(number))?;
    let key = idempotency::key(key, "changing an order")?;
    let request: OrderRequest = parse_json(body)?;
    db.transaction(Mode::Write, |db| {
        let order =
            intents::order_by_number(db, &number)?.ok_or_else(|| view::not_found(&number))?;
        let placed = placed_lines(db, order.id)?;
        let request = OrderRequest {
            items: placed
                .items
                .iter()
                .map(|i| LineRequest {
                    sku: i.line.sku.clone(),
                    slug: String::new(),
                    quantity: i.line.quantity,
                })
                .collect(),
            ..request.clone()
        };
        let fingerprint = idempotency::fingerprint(format!(
            "change\n{number}\n{}",
            serde_json::to_string(&request).map_err(anyhow::Error::from)?
        ));
        if let Some(recorded) = Journal::ORDER_COMMANDS.recorded(db, &key)? {
            return Journal::ORDER_COMMANDS.replay(recorded, Some(&fingerprint), Holder::Anyone);
        }
        if order.state != OrderState::PendingPayment {
            return Err(not_changeable(&format!(
                "This order is {} and can no longer be changed",
                order.state.label().to_lowercase()
            )));
        }
        let payment = intents::for_order(db, order.id)?;
        if let Some(p) = &payment {
            let open = matches!(p.status, PaymentStatus::Created | PaymentStatus::Failed);
            if !open || cancel_pending(db, p.id)? {
                return Err(not_changeable(
                    "Your payment for this order is already under way, so the order can no \
                     longer be changed",
                ));
            }
        }
        let valid = request.validate().map_err(ApiError::invalid)?;
        let now = db.now()?;
        // The order's own code use goes back first, so that keeping the code is not
        // counted against the shopper's per-customer limit; it is taken again below.
        discounts::release(db, order.id, &now)?;
        let checkout = calculator::price_placed(db, &placed, &choice(&valid, &request), &now)?;
        let checkout = match refusals(&valid, &request, checkout) {
            Ok(checkout) => checkout,
            // Rolled back: the order stays as it was.
            Err(unpriced) => return Err(ApiError::invalid(unpriced.errors)),
        };
        let before = view::view(db, order.id)?;
        let t = &checkout.totals;
        let a = &valid.address;
        db.execute(
            "UPDATE orders SET email = ?, name = ?, address_line1 = ?, address_line2 = ?, \
             address_city = ?, address_postal_code = ?, address_country = ?, \
             total_amount = ?, subtotal_amount = ?, discount_amount = ?, discount_code = ?, \
             discount_description = ?, shipping_amount = ?, shipping_method = ?, \
             shipping_name = ?, tax_amount = ?, tax_mode = ?, tax_rate_bp = ?, tax_name = ?, \
             address_state = ?, phone = ?, billing_line1 = ?, billing_line2 = ?, \
             billing_city = ?, billing_postal_code = ?, billing_state = ?, billing_country = ?, \
             note = ?, updated_at = ? WHERE id = ?",
            &[
                text(&valid.email),
                text(&valid.name),
                text(&a.line1),
                text(&a.line2),
                text(&a.city),
                text(&a.postal_code),
                text(&a.country),
                int(t.total.amount),
                int(t.subtotal.amount),
                int(t.discount.amount),
                opt_text(checkout.discount.as_ref().map(|d| d.discount.code.as_str())),
                opt_text(
                    checkout
                        .discount
                        .as_ref()
                        .map(|d| d.discount.description.as_str()),
                ),
                int(t.shipping.amount),
                opt_text(checkout.shipping.as_ref().map(|s| s.code.as_str())),
                opt_text(checkout.shipping.as_ref().map(|s| s.name.as_str())),
                int(t.tax.amount),
                text(settings::tax_mode_str(checkout.tax_mode)),
                int(checkout.rate.as_ref().map_or(0, |r| i64::from(r.rate_bp))),
                opt_text(checkout.rate.as_ref().map(|r| r.name.as_str())),
                text(&a.state),
                text(&valid.phone),
                billing_value(&valid, |b| &b.line1),
                billing_value(&valid, |b| &b.line2),
                billing_value(&valid, |b| &b.city),
                billing_value(&valid, |b| &b.postal_code),
                billing_value(&valid, |b| &b.state),
                billing_value(&valid, |b| &b.country),
                text(&valid.note),
                text(&now),
                int(order.id),
            ],
        )?;
        if let Some(discount) = &checkout.discount {
            discounts::redeem(db, discount.id, order.id, &valid.email, &now)?;
        }
        if let Some(p) = payment.filter(|p| p.amount.amount != t.total.amount) {
            db.execute(
                "UPDATE payments SET amount = ?, updated_at = ? WHERE id = ?",
                &[int(t.total.amount), text(&now), int(p.id)],
            )?;
            provider_actions::update_amount(db, &p, &now)?;
        }
        let after = view::view(db, order.id)?;
        record_change(db, order.id, &before, &after, &now)?;
        let response = serde_json::to_string(&after).map_err(anyhow::Error::from)?;
        db.execute(
            "INSERT INTO order_commands (idempotency_key, fingerprint, order_id, actor, \
             status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                text(&key),
                text(&fingerprint),
                int(order.id),
                text(ACTOR),
                int(200),
                text(&response),
                text(&now),
            ],
        )?;
        Ok(json_text(200, response))
    })
}

/// 409 `order_not_changeable`, in the shopper's words.
fn not_changeable(message: &str) -> ApiError {
    ApiError::new(409, "order_not_changeable", message)
}

/// Whether the order is on its way out: its intent is being cancelled (it expired, or the
/// owner cancelled it).
fn cancel_pending(db: &Db, payment_id: i64) -> anyhow::Result<bool> {
    Ok(db
        .row(
            "SELECT 1 FROM provider_actions \
             WHERE payment_id = ? AND kind = 'cancel_intent' AND state = 'pending'",
            &[int(payment_id)],
        )?
        .is_some())
}

/// The order's lines as placed (prices included), with what shipping needs to know of
/// their variants now.
fn placed_lines(db: &Db, order_id: i64) -> anyhow::Result<Priced> {
    let items = db
        .rows(
            "SELECT l.product_id, l.variant_id, l.slug, l.sku, l.name, l.variant, l.quantity, \
             l.unit_amount, l.currency, l.line_amount, v.stock, v.weight_grams \
             FROM order_lines l JOIN variants v ON v.id = l.variant_id \
             WHERE l.order_id = ? ORDER BY l.id",
            &[int(order_id)],
        )?
        .iter()
        .map(|r| {
            let currency = r.text(8)?;
            Ok(PricedItem {
                product_id: r.int(0)?,
                variant_id: r.int(1)?,
                line: PricedLine {
                    slug: r.text(2)?,
                    sku: r.text(3)?,
                    name: r.text(4)?,
                    variant: r.text(5)?,
                    quantity: r.int(6)?,
                    unit_price: Money::new(r.int(7)?, currency.clone()),
                    line_total: Money::new(r.int(9)?, currency),
                    available: None,
                    price_per_kg: None,
                    thumbnail: None,
                },
                stock: r.int(10)?,
                weight_grams: r.int(11)?,
                price_per_kg: None,
                thumbnail: None,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let first = items.first().context("an order without lines")?;
    let total = Money::new(
        items.iter().map(|i| i.line.line_total.amount).sum(),
        first.line.line_total.currency.clone(),
    );
    Ok(Priced { items, total })
}

/// Appends what changed between `before` and `after` to the order's changes.
fn record_change(
    db: &Db,
    order_id: i64,
    before: &storefront_domain::OrderView,
    after: &storefront_domain::OrderView,
    now: &str,
) -> anyhow::Result<()> {
    let code = |o: &storefront_domain::OrderView| o.discount.as_ref().map(|d| d.code.clone());
    let method = |o: &storefront_domain::OrderView| o.shipping.as_ref().map(|s| s.code.clone());
    let changed: Vec<&str> = [
        (
            before.address != after.address || before.name != after.name,
            "address",
        ),
        (before.billing != after.billing, "billing address"),
        (before.phone != after.phone, "phone"),
        (before.note != after.note, "note"),
        (before.email != after.email, "email"),
        (method(before) != method(after), "shipping method"),
        (code(before) != code(after), "discount code"),
    ]
    .into_iter()
    .filter_map(|(differs, what)| differs.then_some(what))
    .collect();
    let changed = if changed.is_empty() {
        "nothing".to_string()
    } else {
        changed.join(", ")
    };
    db.execute(
        "INSERT INTO order_changes (order_id, at, changed, total_before, total_after) \
         VALUES (?, ?, ?, ?, ?)",
        &[
            int(order_id),
            text(now),
            text(&changed),
            int(before.total.amount),
            int(after.total.amount),
        ],
    )?;
    Ok(())
}
