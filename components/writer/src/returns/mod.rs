//! Returns of shipped orders (`returns`, `return_lines`; migration 0028):
//!
//! - the shopper asks within the shop's window ([`request`]); pages check the shopper may
//!   open the order before they call;
//! - the owner accepts or refuses ([`decide`]): accepting records a refund of the lines'
//!   share ([`amount`]) through the refund path (`payments::refunds::record`), which
//!   pages then ask of the provider like every refund;
//! - the back office's list ([`list`]) and the window's setting ([`settings`]).
//!
//! Here: reading a return as the API shows it, and the order's lines as returns see them.

pub mod amount;
pub mod decide;
pub mod list;
pub mod request;
pub mod settings;

use crate::db::{Db, RowExt as _, int};
use storefront_domain::Money;
use storefront_domain::returns::{ReturnLine, ReturnRecord};

/// One order line and how many of its units are in a return not refused.
pub struct OrderLine {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub variant: String,
    pub quantity: i64,
    pub amount: i64,
    pub asked: i64,
}

/// The lines of order `order_id`, in order.
pub fn order_lines(db: &Db, order_id: i64) -> anyhow::Result<Vec<OrderLine>> {
    db.rows(
        "SELECT l.id, l.sku, l.name, l.variant, l.quantity, l.line_amount, \
             (SELECT coalesce(sum(rl.quantity), 0) FROM return_lines rl \
              JOIN returns r ON r.id = rl.return_id \
              WHERE rl.line_id = l.id AND r.state <> 'refused') \
         FROM order_lines l WHERE l.order_id = ? ORDER BY l.id",
        &[int(order_id)],
    )?
    .iter()
    .map(|row| {
        Ok(OrderLine {
            id: row.int(0)?,
            sku: row.text(1)?,
            name: row.text(2)?,
            variant: row.text(3)?,
            quantity: row.int(4)?,
            amount: row.int(5)?,
            asked: row.int(6)?,
        })
    })
    .collect()
}

/// Return `id` as the API shows it, if it exists.
pub fn record(db: &Db, id: i64) -> anyhow::Result<Option<ReturnRecord>> {
    let Some(row) = db.row(
        "SELECT r.id, o.number, r.state, r.reason, r.created_at, r.decided_at, \
             r.refund_amount, r.currency, r.refund_seq, r.restocked, r.refusal \
         FROM returns r JOIN orders o ON o.id = r.order_id WHERE r.id = ?",
        &[int(id)],
    )?
    else {
        return Ok(None);
    };
    let lines = db
        .rows(
            "SELECT l.sku, l.name, l.variant, rl.quantity FROM return_lines rl \
             JOIN order_lines l ON l.id = rl.line_id WHERE rl.return_id = ? ORDER BY l.id",
            &[int(id)],
        )?
        .iter()
        .map(|l| {
            Ok(ReturnLine {
                sku: l.text(0)?,
                name: l.text(1)?,
                variant: l.text(2)?,
                quantity: l.int(3)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let currency = row.text(7)?;
    Ok(Some(ReturnRecord {
        id: row.int(0)?,
        order_number: row.text(1)?,
        state: row.text(2)?,
        reason: row.text(3)?,
        lines,
        created_at: row.text(4)?,
        decided_at: row.opt_text(5)?,
        refund: row.opt_int(6)?.map(|a| Money::new(a, &currency)),
        refund_seq: row.opt_int(8)?,
        restocked: row.int(9)? == 1,
        refusal: row.opt_text(10)?,
    }))
}

/// Every return of order `order_id`, oldest first.
pub fn of_order(db: &Db, order_id: i64) -> anyhow::Result<Vec<ReturnRecord>> {
    db.ints(
        "SELECT id FROM returns WHERE order_id = ? ORDER BY id",
        &[int(order_id)],
    )?
    .into_iter()
    .filter_map(|id| record(db, id).transpose())
    .collect()
}
