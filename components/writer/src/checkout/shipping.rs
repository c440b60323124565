//! Shipping at checkout: the methods of the zone the destination country belongs to (two
//! indexed reads), each priced for the order: flat, free from a threshold (compared with
//! the subtotal after discount), or by weight (a base plus an amount per started kg).

use crate::db::{Db, RowExt as _, text};
use storefront_domain::Money;
use storefront_domain::checkout::{ShippingKind, ShippingMethod, ShippingOption};

/// Columns [`of_row`] reads.
pub const COLUMNS: &str =
    "m.code, m.name, m.kind, m.amount, m.threshold_amount, m.per_kg_amount, m.active";

pub fn of_row(row: &spin_sdk::sqlite::RowResult) -> anyhow::Result<ShippingMethod> {
    Ok(ShippingMethod {
        code: row.text(0)?,
        name: row.text(1)?,
        kind: kind(&row.text(2)?)?,
        amount: row.int(3)?,
        threshold: row.opt_int(4)?,
        per_kg_amount: row.int(5)?,
        active: row.int(6)? != 0,
    })
}

pub fn kind(s: &str) -> anyhow::Result<ShippingKind> {
    Ok(match s {
        "flat" => ShippingKind::Flat,
        "free_above" => ShippingKind::FreeAbove,
        "by_weight" => ShippingKind::ByWeight,
        other => anyhow::bail!("unknown shipping kind {other:?} in the database"),
    })
}

/// How a kind is stored.
pub fn kind_name(kind: ShippingKind) -> &'static str {
    match kind {
        ShippingKind::Flat => "flat",
        ShippingKind::FreeAbove => "free_above",
        ShippingKind::ByWeight => "by_weight",
    }
}

/// The active methods that ship to `country`, in the owner's order, priced for lines worth
/// `goods` (the subtotal after discount) weighing `weight_grams`; empty when the country is
/// in no zone.
pub fn options(
    db: &Db,
    country: &str,
    goods: &Money,
    weight_grams: i64,
) -> anyhow::Result<Vec<ShippingOption>> {
    let rows = db.rows(
        &format!(
            "SELECT {COLUMNS} FROM shipping_zone_countries c \
             JOIN shipping_methods m ON m.zone_id = c.zone_id \
             WHERE c.country = ? AND m.active = 1 ORDER BY m.position, m.id"
        ),
        &[text(country)],
    )?;
    rows.iter()
        .map(|row| Ok(price_method(&of_row(row)?, goods, weight_grams)))
        .collect()
}

/// Started kilograms of `grams` (0 g: 0 kg; 1 g to 1000 g: 1 kg).
pub fn started_kg(grams: i64) -> i64 {
    (grams.max(0) + 999) / 1000
}

/// One method priced for the order, with a note saying how.
pub fn price_method(method: &ShippingMethod, goods: &Money, weight_grams: i64) -> ShippingOption {
    let currency = &goods.currency;
    let money = |amount| Money::new(amount, currency.clone());
    let (amount, note) = match method.kind {
        ShippingKind::Flat => (method.amount, String::new()),
        ShippingKind::FreeAbove => {
            let threshold = method.threshold.unwrap_or(i64::MAX);
            let amount = if goods.amount >= threshold {
                0
            } else {
                method.amount
            };
            (amount, format!("Free from {}", money(threshold)))
        }
        ShippingKind::ByWeight => {
            let kg = started_kg(weight_grams);
            (
                method
                    .amount
                    .saturating_add(method.per_kg_amount.saturating_mul(kg)),
                format!(
                    "{} + {} per started kg ({kg} kg)",
                    money(method.amount),
                    money(method.per_kg_amount)
                ),
            )
        }
    };
    ShippingOption {
        code: method.code.clone(),
        name: method.name.clone(),
        amount: money(amount),
        note,
    }
}
