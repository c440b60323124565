//! Orders for the owner's CSV export (`GET /admin/export/orders`, writer): one row per
//! order placed in a range of UTC days, oldest first, with every amount the order holds,
//! read a page at a time after a keyset cursor ([`OrderExport::next`]) so an export of any
//! size is streamed in bounded memory.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Orders per page the pages ask the writer for while streaming an export, unless the
/// `export_page_rows` Spin variable says otherwise.
pub const DEFAULT_EXPORT_PAGE_ROWS: i64 = 500;
/// Most orders one page of the writer's export answer holds, whatever is asked.
pub const MAX_EXPORT_PAGE_ROWS: i64 = 1_000;

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
    /// The shopper's note at checkout, or empty.
    #[serde(default)]
    pub note: String,
}

impl ExportOrder {
    /// `total` with its currency.
    pub fn total_money(&self) -> Money {
        Money::new(self.total, self.currency.clone())
    }
}

/// One page of the writer's answer: the next orders of the range, and the cursor of the
/// page after them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderExport {
    /// The next orders placed in the range, oldest first (at most the rows asked for).
    pub orders: Vec<ExportOrder>,
    /// `after=` for the next page (the last order's `<created_at>,<id>`), while the range
    /// may hold more; `None` once this page is its last.
    pub next: Option<String>,
}
