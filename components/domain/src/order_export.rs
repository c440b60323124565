//! Orders for the owner's CSV export (`GET /admin/export/orders`, writer): one row per
//! order placed in a range of UTC days, oldest first, with every amount the order holds.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Most orders one export holds; a range with more is refused with a message to choose
/// a shorter one.
pub const MAX_EXPORT_ROWS: i64 = 5_000;

/// An order as exported. Amounts are in `currency`'s minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOrder {
    pub number: String,
    pub created_at: String,
    pub state: String,
    pub email: String,
    pub name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    /// Units over all lines.
    pub units: i64,
    /// "2× kenya-250g-whole; 1× v60" (quantity × SKU per line).
    pub items: String,
    pub currency: String,
    pub subtotal: i64,
    pub discount: i64,
    pub discount_code: Option<String>,
    pub shipping: i64,
    pub shipping_method: Option<String>,
    pub tax: i64,
    /// `inclusive` or `exclusive`.
    pub tax_mode: String,
    pub total: i64,
}

impl ExportOrder {
    pub fn total_money(&self) -> Money {
        Money::new(self.total, self.currency.clone())
    }
}

/// The writer's answer: the orders, and whether the range holds more than the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderExport {
    pub orders: Vec<ExportOrder>,
    pub more: bool,
}
