//! Goods that come back to the shelf from an order: with a refund (the owner says, per
//! line, how many units go back) or with the cancellation of a paid, unshipped order
//! (everything not yet returned). In the caller's transaction, per line: the variant's
//! stock grows, a `stock_adjustments` row says why (naming the order), and an
//! `order_restocks` row puts it in the order's history. A line never returns more than it
//! sold (checked here with a field error, and by a trigger in
//! `0020_tracking_and_restock.sql`).

use crate::db::{Db, RowExt as _, int, opt_int, text};
use crate::http::responses::ApiError;
use crate::idempotency;
use storefront_domain::FieldError;
use storefront_domain::owner_orders::{RestockLine, Restocked};

/// One order line and how many of its units may still go back.
struct Line {
    id: i64,
    product_id: i64,
    variant_id: i64,
    sku: String,
    left: i64,
}

fn lines(db: &Db, order_id: i64) -> anyhow::Result<Vec<Line>> {
    db.rows(
        "SELECT l.id, l.product_id, l.variant_id, l.sku, l.quantity - \
             (SELECT coalesce(sum(r.quantity), 0) FROM order_restocks r WHERE r.line_id = l.id) \
         FROM order_lines l WHERE l.order_id = ? ORDER BY l.id",
        &[int(order_id)],
    )?
    .iter()
    .map(|row| {
        Ok(Line {
            id: row.int(0)?,
            product_id: row.int(1)?,
            variant_id: row.int(2)?,
            sku: row.text(3)?,
            left: row.int(4)?,
        })
    })
    .collect()
}

/// The field an error about line `sku` is reported at (`restock.{sku}`).
pub fn field(sku: &str) -> String {
    format!("restock.{sku}")
}

/// What a command asks to return, checked against the order's lines: each SKU once, a
/// line of the order, 1 to what it has left. Lines asking 0 are left out.
pub fn check(db: &Db, order_id: i64, asked: &[RestockLine]) -> Result<Vec<(i64, i64)>, ApiError> {
    let lines = lines(db, order_id)?;
    let mut errors = Vec::new();
    let mut chosen: Vec<(i64, i64)> = Vec::new();
    for a in asked {
        let Some(line) = lines.iter().find(|l| l.sku.eq_ignore_ascii_case(&a.sku)) else {
            errors.push(FieldError::new(
                field(&a.sku),
                "is not a line of this order",
            ));
            continue;
        };
        if a.quantity == 0 {
            continue;
        }
        if chosen.iter().any(|(id, _)| *id == line.id) {
            errors.push(FieldError::new(field(&line.sku), "is given twice"));
        } else if a.quantity < 0 || a.quantity > line.left {
            errors.push(FieldError::new(
                field(&line.sku),
                format!(
                    "can return 0 to {} units (what the line sold and has not returned yet)",
                    line.left
                ),
            ));
        } else {
            chosen.push((line.id, a.quantity));
        }
    }
    if errors.is_empty() {
        Ok(chosen)
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Every unit of the order not yet returned, per line.
pub fn everything_left(db: &Db, order_id: i64) -> anyhow::Result<Vec<(i64, i64)>> {
    Ok(lines(db, order_id)?
        .into_iter()
        .filter(|l| l.left > 0)
        .map(|l| (l.id, l.left))
        .collect())
}

/// Puts `chosen` (line id, units) of order `number` back on the shelf for refund
/// `refund_seq` (`None`: a cancellation), as `actor` asked at `now`.
pub fn put_back(
    db: &Db,
    order_id: i64,
    number: &str,
    chosen: &[(i64, i64)],
    refund_seq: Option<i64>,
    actor: &str,
    now: &str,
) -> anyhow::Result<()> {
    let lines = lines(db, order_id)?;
    let why = match refund_seq {
        Some(seq) => format!("returned with refund {seq} of order {number}"),
        None => format!("returned by cancelling order {number}"),
    };
    for &(line_id, quantity) in chosen {
        let line = lines
            .iter()
            .find(|l| l.id == line_id)
            .ok_or_else(|| anyhow::anyhow!("order {number} has no line {line_id}"))?;
        let stock = db
            .row(
                "UPDATE variants SET stock = stock + ? WHERE id = ? RETURNING stock",
                &[int(quantity), int(line.variant_id)],
            )?
            .ok_or_else(|| anyhow::anyhow!("the variant of line {line_id} is gone"))?
            .int(0)?;
        // One adjustment per line and command: the key names both, so it is unique.
        let key = format!(
            "restock-{number}-{}-{line_id}",
            refund_seq.map_or("cancel".to_string(), |s| s.to_string())
        );
        let adjustment = db
            .row(
                "INSERT INTO stock_adjustments (product_id, variant_id, delta, reason, \
                 stock_after, idempotency_key, fingerprint, created_at, order_id) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    int(line.product_id),
                    int(line.variant_id),
                    int(quantity),
                    text(&why),
                    int(stock),
                    text(&key),
                    text(idempotency::fingerprint(&key)),
                    text(now),
                    int(order_id),
                ],
            )?
            .ok_or_else(|| anyhow::anyhow!("no id for a stock adjustment"))?
            .int(0)?;
        db.execute(
            "INSERT INTO order_restocks (order_id, line_id, quantity, refund_seq, \
             stock_adjustment_id, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                int(order_id),
                int(line_id),
                int(quantity),
                opt_int(refund_seq),
                int(adjustment),
                text(actor),
                text(now),
            ],
        )?;
    }
    Ok(())
}

/// The order's returns, oldest first.
pub fn of_order(db: &Db, order_id: i64) -> anyhow::Result<Vec<Restocked>> {
    db.rows(
        "SELECT l.sku, l.name, r.quantity, r.refund_seq, r.actor, r.at \
         FROM order_restocks r JOIN order_lines l ON l.id = r.line_id \
         WHERE r.order_id = ? ORDER BY r.id",
        &[int(order_id)],
    )?
    .iter()
    .map(|row| {
        Ok(Restocked {
            sku: row.text(0)?,
            name: row.text(1)?,
            quantity: row.int(2)?,
            refund_seq: row.opt_int(3)?,
            actor: row.text(4)?,
            at: row.text(5)?,
        })
    })
    .collect()
}
