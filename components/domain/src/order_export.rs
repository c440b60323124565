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
    /// The order number, `SF-XXXX-XXXX-XXXX`.
    pub number: String,
    /// When it was placed (RFC 3339 UTC).
    pub created_at: String,
    /// Its state ([`crate::OrderState::as_str`]).
    pub state: String,
    /// The shopper's email address.
    pub email: String,
    /// The name on the order.
    pub name: String,
    /// Street and number.
    pub address_line1: String,
    /// The address's second line; may be empty.
    pub address_line2: String,
    /// Postcode.
    pub postal_code: String,
    /// Town or city.
    pub city: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Units over all lines.
    pub units: i64,
    /// "2× kenya-250g-whole; 1× v60" (quantity × SKU per line).
    pub items: String,
    /// ISO 4217 code of every amount in the row.
    pub currency: String,
    /// Sum of the lines.
    pub subtotal: i64,
    /// Taken off by the discount code (0 when none).
    pub discount: i64,
    /// The discount code applied, if any.
    pub discount_code: Option<String>,
    /// The shipping price.
    pub shipping: i64,
    /// The shipping method's code, if any.
    pub shipping_method: Option<String>,
    /// The tax amount.
    pub tax: i64,
    /// `inclusive` or `exclusive`.
    pub tax_mode: String,
    /// What the shopper pays.
    pub total: i64,
    /// What the payment provider confirmed giving back (0 when nothing).
    #[serde(default)]
    pub refunded: i64,
    /// The parcel's carrier (a code such as `dhl`, or a name as typed), once shipped
    /// with one.
    #[serde(default)]
    pub tracking_carrier: Option<String>,
    /// The parcel's tracking number, once shipped with one.
    #[serde(default)]
    pub tracking_number: Option<String>,
}

impl ExportOrder {
    /// `total` with its currency.
    pub fn total_money(&self) -> Money {
        Money::new(self.total, self.currency.clone())
    }
}

/// The writer's answer: the orders, and whether the range holds more than the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderExport {
    /// The orders placed in the range, oldest first (at most [`MAX_EXPORT_ROWS`]).
    pub orders: Vec<ExportOrder>,
    /// Whether the range holds more orders than the limit (then no file is made).
    pub more: bool,
}
