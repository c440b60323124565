//! Discount codes at checkout: whether a code applies to an order (active, within its
//! window, minimum reached, uses left in total and for the email) and how much it takes
//! off, or why not (the owner's reason: a shopper hears the same words whatever it is,
//! see `discount_attempts`); redeeming it inside the order's write transaction (the count
//! and the redemption row move together, so the limits hold exactly however many orders
//! race); and giving the use back when the order is cancelled (a refunded order keeps
//! it: the code was used).

use crate::checkout::totals;
use crate::db::{Db, RowExt as _, int, text};
use spin_sdk::sqlite::RowResult;
use storefront_domain::Money;
use storefront_domain::checkout::{
    AppliedDiscount, DiscountCode, DiscountKind, DiscountState, normalize_discount_code, percent,
};
use storefront_domain::discount_attempts::Refusal;

/// Columns [`of_row`] reads, in order, then the row id.
pub const COLUMNS: &str = "code, kind, value, min_subtotal, starts_at, ends_at, max_uses, \
                           max_uses_per_email, uses, active, id";

/// A stored discount code and its row id.
pub struct Stored {
    pub id: i64,
    pub code: DiscountCode,
}

pub fn of_row(row: &RowResult) -> anyhow::Result<Stored> {
    Ok(Stored {
        id: row.int(10)?,
        code: DiscountCode {
            code: row.text(0)?,
            kind: match row.text(1)?.as_str() {
                "percent" => DiscountKind::Percent,
                "fixed" => DiscountKind::Fixed,
                other => anyhow::bail!("unknown discount kind {other:?} in the database"),
            },
            value: row.int(2)?,
            min_subtotal: row.int(3)?,
            starts_at: Some(row.text(4)?),
            ends_at: row.opt_text(5)?,
            max_uses: row.opt_int(6)?,
            max_uses_per_email: row.opt_int(7)?,
            uses: row.int(8)?,
            active: row.int(9)? != 0,
        },
    })
}

/// The code (compared without regard to case), if it exists.
pub fn find(db: &Db, code: &str) -> anyhow::Result<Option<Stored>> {
    db.row(
        &format!("SELECT {COLUMNS} FROM discount_codes WHERE code = ? COLLATE NOCASE"),
        &[text(code)],
    )?
    .map(|row| of_row(&row))
    .transpose()
}

/// Shopper-facing: "10 % off", "€5.00 off orders from €30.00".
pub fn describe(code: &DiscountCode, currency: &str) -> String {
    let off = match code.kind {
        DiscountKind::Percent => format!(
            "{} off",
            percent(u32::try_from(code.value).unwrap_or(u32::MAX))
        ),
        DiscountKind::Fixed => format!("{} off", Money::new(code.value, currency)),
    };
    if code.min_subtotal > 0 {
        format!(
            "{off} orders from {}",
            Money::new(code.min_subtotal, currency)
        )
    } else {
        off
    }
}

/// A code that applies: its row id and what it takes off.
pub struct Applies {
    pub id: i64,
    pub discount: AppliedDiscount,
}

/// A code that does not apply: why (for the owner), and its row id if it exists.
pub struct Refused {
    pub code_id: Option<i64>,
    pub reason: Refusal,
}

/// Whether `raw` applies to lines worth `subtotal` for `email` at `now`. With an empty
/// `email` (a quote) the per-customer limit is not checked: it is checked when the order
/// is placed.
pub fn evaluate(
    db: &Db,
    raw: &str,
    subtotal: &Money,
    email: &str,
    now: &str,
) -> anyhow::Result<Result<Applies, Refused>> {
    let refused = |code_id, reason| Ok(Err(Refused { code_id, reason }));
    let Some(code) = normalize_discount_code(raw) else {
        return refused(None, Refusal::Malformed);
    };
    let Some(Stored { id, code: stored }) = find(db, &code)? else {
        return refused(None, Refusal::Unknown);
    };
    let reason = match stored.state_at(now) {
        DiscountState::Active => None,
        DiscountState::Deactivated => Some(Refusal::Deactivated),
        DiscountState::NotYetValid => Some(Refusal::NotYetValid),
        DiscountState::Expired => Some(Refusal::Expired),
        DiscountState::UsedUp => Some(Refusal::UsedUp),
    };
    if let Some(reason) = reason {
        return refused(Some(id), reason);
    }
    if subtotal.amount < stored.min_subtotal {
        return refused(Some(id), Refusal::BelowMinimum);
    }
    if let Some(max) = stored.max_uses_per_email
        && !email.is_empty()
        && uses_by(db, id, email)? >= max
    {
        return refused(Some(id), Refusal::PerCustomerLimit);
    }
    let currency = &subtotal.currency;
    let amount = match stored.kind {
        DiscountKind::Percent => totals::share(subtotal.amount, stored.value),
        DiscountKind::Fixed => stored.value,
    }
    .min(subtotal.amount);
    Ok(Ok(Applies {
        id,
        discount: AppliedDiscount {
            description: describe(&stored, currency),
            code: stored.code,
            amount: Money::new(amount, currency.clone()),
        },
    }))
}

/// Live redemptions of the code by `email` (compared in lower case).
fn uses_by(db: &Db, code_id: i64, email: &str) -> anyhow::Result<i64> {
    db.row(
        "SELECT count(*) FROM discount_redemptions \
         WHERE code_id = ? AND email = ? AND released_at IS NULL",
        &[int(code_id), text(email.trim().to_lowercase())],
    )?
    .map_or(Ok(0), |r| r.int(0))
}

/// Counts one use of the code for the order: the caller evaluated it in this same write
/// transaction, so the limits still hold; the guarded UPDATE is the backstop.
pub fn redeem(db: &Db, code_id: i64, order_id: i64, email: &str, now: &str) -> anyhow::Result<()> {
    let counted = db.row(
        "UPDATE discount_codes SET uses = uses + 1 \
         WHERE id = ? AND (max_uses IS NULL OR uses < max_uses) RETURNING uses",
        &[int(code_id)],
    )?;
    anyhow::ensure!(
        counted.is_some(),
        "discount code {code_id} was used up between its check and its use"
    );
    db.execute(
        "INSERT INTO discount_redemptions (code_id, order_id, email, created_at) \
         VALUES (?, ?, ?, ?)",
        &[
            int(code_id),
            int(order_id),
            text(email.trim().to_lowercase()),
            text(now),
        ],
    )?;
    Ok(())
}

/// A cancelled order gives its code's use back (its redemption row stays, released).
pub fn release(db: &Db, order_id: i64, now: &str) -> anyhow::Result<()> {
    if let Some(row) = db.row(
        "UPDATE discount_redemptions SET released_at = ? \
         WHERE order_id = ? AND released_at IS NULL RETURNING code_id",
        &[text(now), int(order_id)],
    )? {
        db.execute(
            "UPDATE discount_codes SET uses = uses - 1 WHERE id = ?",
            &[int(row.int(0)?)],
        )?;
    }
    Ok(())
}
