//! The back office's overview (`GET /admin/dashboard`, writer): today's orders and
//! revenue, what waits for the owner (orders to ship, low stock, payment events to
//! review) and how the last reconciliation ended. One read, assembled in one snapshot.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// A live, active variant with at most this many units in stock is "low": the default of
/// `shop_settings.low_stock_threshold`, which the writer reads (and whose crossing the
/// outbox announces).
pub const LOW_STOCK_THRESHOLD: i64 = 5;
/// Most orders to ship and low-stock variants the dashboard lists (the counts are exact).
pub const DASHBOARD_LIST_ROWS: i64 = 10;

/// The writer's `GET /admin/dashboard` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The UTC day the figures are for, `YYYY-MM-DD`.
    pub day: String,
    /// Orders placed today, in any state.
    pub placed_today: i64,
    /// Of those, orders whose money came in and stayed (paid or shipped).
    pub paid_today: i64,
    /// Net revenue of today's orders: payments received less refunds the provider
    /// confirmed, one entry per currency (empty when none).
    pub revenue_today: Vec<Money>,
    /// The shop's currency (ISO 4217), shown with a revenue of nothing.
    #[serde(default)]
    pub currency: String,
    /// Paid orders not yet shipped, oldest first (at most [`DASHBOARD_LIST_ROWS`]).
    pub to_ship: Vec<OrderToShip>,
    /// Paid orders not yet shipped, all of them.
    pub to_ship_count: i64,
    /// The stock at or below which a variant counts as low.
    pub low_stock_threshold: i64,
    /// Lowest stock first (at most [`DASHBOARD_LIST_ROWS`]).
    pub low_stock: Vec<LowStock>,
    /// Variants with low stock, all of them.
    pub low_stock_count: i64,
    /// Payment events the audit flags and no human has reviewed yet.
    pub events_to_review: i64,
    /// The newest reconciliation, if one ever ran.
    pub last_reconcile: Option<ReconcileRun>,
}

/// A paid order waiting to be shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderToShip {
    /// The order number.
    pub number: String,
    /// The name on the order.
    pub name: String,
    /// What the shopper paid.
    pub total: Money,
    /// When it was placed (RFC 3339 UTC).
    pub created_at: String,
}

/// A variant whose stock is at or below the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStock {
    /// The product's slug.
    pub product_slug: String,
    /// The product's name.
    pub product_name: String,
    /// The variant's SKU.
    pub sku: String,
    /// "1 kg / Filter"; empty for a product without options.
    pub title: String,
    /// Units left.
    pub stock: i64,
}

/// One `POST /admin/reconcile` as the writer recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileRun {
    /// When it ran (RFC 3339 UTC).
    pub at: String,
    /// The window compared, unix seconds, inclusive.
    pub from: i64,
    /// The window's end, unix seconds, inclusive.
    pub to: i64,
    /// Whether provider and ledger agreed.
    pub ok: bool,
    /// How many differences it found.
    pub mismatches: i64,
    /// The provider's intents compared.
    pub checked_intents: i64,
    /// The ledger's orders compared.
    pub checked_orders: i64,
}

/// The writer's `GET /admin/audit` answer, and the stored run `GET /admin/audit/last`
/// answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// Whether every check passed.
    pub ok: bool,
    /// One line: what was checked and the verdict.
    pub summary: String,
    /// One line per problem found (empty when `ok`).
    pub findings: Vec<String>,
    /// When the run started (stored runs).
    #[serde(default)]
    pub ran_at: Option<String>,
    /// Whether it verified everything from scratch (`storefront check --full`).
    #[serde(default)]
    pub full: bool,
    /// The orders it verified.
    #[serde(default)]
    pub orders_checked: i64,
}
