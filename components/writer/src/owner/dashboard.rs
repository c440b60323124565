//! `GET /admin/dashboard`: the back office's overview in one read snapshot (see
//! [`storefront_domain::dashboard`]). Not cached until the next write: "today" moves with
//! the clock, not with the database.
//!
//! Cost: today's figures are one row each of the per-day aggregates (`daily_orders`,
//! `daily_revenue`); the orders to ship are read through the `(state, created_at)` index;
//! low stock through `variants_low_stock` (only the live variants at or under the
//! threshold); the payment events to review scan `payment_events` once (as the audit
//! does). The lists
//! are bounded by [`DASHBOARD_LIST_ROWS`], the counts are exact.

use crate::catalog::rules::shop_currency;
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use crate::payments::reviews;
use crate::payments::state::Outcome;
use spin_sdk::http::Response;
use storefront_domain::Money;
use storefront_domain::dashboard::{
    DASHBOARD_LIST_ROWS, Dashboard, LOW_STOCK_THRESHOLD, LowStock, OrderToShip, ReconcileRun,
};

/// How long a deferred event may wait before the audit flags it (as in `audit`).
const DEFERRED_PATIENCE: &str = "-1 day";

/// `GET /admin/backlog`: the two counts the host's `/metrics` shows, cheap enough for
/// every scrape: outbox messages waiting for delivery, and unpaid orders holding stock.
pub fn backlog(db: &Db) -> Result<Response, ApiError> {
    let counts = db.transaction(Mode::Read, |db| -> anyhow::Result<(i64, i64)> {
        let row = db
            .row(
                "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'), \
                        (SELECT count(*) FROM orders WHERE state = 'pending_payment')",
                &[],
            )?
            .ok_or_else(|| anyhow::anyhow!("no row from the backlog counts"))?;
        Ok((row.int(0)?, row.int(1)?))
    })?;
    json(
        200,
        &serde_json::json!({"outbox_pending": counts.0, "unpaid_orders": counts.1}),
    )
}

pub fn dashboard(db: &Db) -> Result<Response, ApiError> {
    let currency = shop_currency()?;
    let view = db.transaction(Mode::Read, |db| load(db, currency))?;
    json(200, &view)
}

fn load(db: &Db, currency: String) -> anyhow::Result<Dashboard> {
    let day = db
        .row("SELECT date('now')", &[])?
        .ok_or_else(|| anyhow::anyhow!("no date"))?
        .text(0)?;
    // Today's figures come from the per-day aggregate the triggers of
    // `0024_daily_totals_and_lean_orders.sql` keep (verified by the audit): one row each,
    // whatever the number of orders placed today.
    let (placed_today, paid_today) = db
        .row(
            "SELECT placed, paid FROM daily_orders WHERE day = ?",
            &[text(&day)],
        )?
        .map_or(Ok((0, 0)), |row| {
            Ok::<_, anyhow::Error>((row.int(0)?, row.int(1)?))
        })?;
    // Net revenue: the money today's orders brought in (payments that succeeded, whatever
    // became of their order since) less what the provider confirmed giving back, per
    // currency. A refunded or cancelled-and-refunded order adds nothing.
    let revenue_today = db
        .rows(
            "SELECT currency, amount FROM daily_revenue WHERE day = ? \
             ORDER BY currency",
            &[text(&day)],
        )?
        .iter()
        .map(|row| Ok(Money::new(row.int(1)?, row.text(0)?.to_ascii_uppercase())))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let to_ship_count = count(db, "SELECT count(*) FROM orders WHERE state = 'paid'")?;
    let to_ship = db
        .rows(
            "SELECT number, name, total_amount, currency, created_at FROM orders \
             WHERE state = 'paid' ORDER BY created_at, id LIMIT ?",
            &[int(DASHBOARD_LIST_ROWS)],
        )?
        .iter()
        .map(|row| {
            Ok(OrderToShip {
                number: row.text(0)?,
                name: row.text(1)?,
                total: Money::new(row.int(2)?, row.text(3)?),
                created_at: row.text(4)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;

    // The shop's threshold, the one whose crossing also emails the shop (the outbox).
    let threshold = db
        .row(
            "SELECT low_stock_threshold FROM shop_settings WHERE id = 1",
            &[],
        )?
        .map_or(Ok(LOW_STOCK_THRESHOLD), |r| r.int(0))?;
    const LOW: &str = "FROM variants v JOIN products p ON p.id = v.product_id \
         WHERE v.active = 1 AND v.archived_at IS NULL AND p.archived_at IS NULL AND v.stock <= ?";
    let low_stock_count = db
        .row(&format!("SELECT count(*) {LOW}"), &[int(threshold)])?
        .map_or(Ok(0), |r| r.int(0))?;
    let low_stock = db
        .rows(
            &format!(
                "SELECT p.slug, p.name, v.sku, v.title, v.stock {LOW} \
                 ORDER BY v.stock, p.name, v.position, v.id LIMIT ?"
            ),
            &[int(threshold), int(DASHBOARD_LIST_ROWS)],
        )?
        .iter()
        .map(|row| {
            Ok(LowStock {
                product_slug: row.text(0)?,
                product_name: row.text(1)?,
                sku: row.text(2)?,
                title: row.text(3)?,
                stock: row.int(4)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;

    // The events the audit flags: money for an unknown order, money that was not the
    // order's total, and an event deferred for more than a day; none reviewed yet.
    let events_to_review = db
        .row(
            &format!(
                "SELECT count(*) FROM payment_events e \
                 WHERE ((e.outcome = ?1 AND e.order_id IS NULL) OR e.outcome = ?2 \
                        OR (e.outcome = ?3 \
                            AND e.received_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?4))) \
                   AND {}",
                reviews::NOT_REVIEWED
            ),
            &[
                text(Outcome::UnknownOrder.as_str()),
                text(Outcome::AmountMismatch.as_str()),
                text(Outcome::Deferred.as_str()),
                text(DEFERRED_PATIENCE),
            ],
        )?
        .map_or(Ok(0), |r| r.int(0))?;

    let last_reconcile = db
        .row(
            "SELECT at, window_from, window_to, ok, mismatches, checked_intents, \
             checked_orders FROM reconcile_runs ORDER BY id DESC LIMIT 1",
            &[],
        )?
        .map(|row| -> anyhow::Result<ReconcileRun> {
            Ok(ReconcileRun {
                at: row.text(0)?,
                from: row.int(1)?,
                to: row.int(2)?,
                ok: row.int(3)? == 1,
                mismatches: row.int(4)?,
                checked_intents: row.int(5)?,
                checked_orders: row.int(6)?,
            })
        })
        .transpose()?;

    Ok(Dashboard {
        day,
        currency,
        placed_today,
        paid_today,
        revenue_today,
        to_ship,
        to_ship_count,
        low_stock_threshold: threshold,
        low_stock,
        low_stock_count,
        events_to_review,
        last_reconcile,
    })
}

fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    db.row(sql, &[])?.map_or(Ok(0), |r| r.int(0))
}
