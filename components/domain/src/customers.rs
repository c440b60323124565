//! The back office's customers: the orders of one email address, with how many, what
//! they spent per currency and when they last ordered. The writer keeps one row per
//! address as orders are placed and change (migration 0025), so a page of customers costs
//! O(page) however many orders the shop has. (Customer accounts, when they exist, link to
//! these rows by the same address.)

use crate::Money;
use crate::order::OrderState;
use crate::order_notes::OwnerNote;
use serde::{Deserialize, Serialize};

/// Customers per page of the list.
pub const CUSTOMERS_PAGE: u32 = 50;

/// A customer's newest orders shown on their page (older ones: the order search by email).
pub const CUSTOMER_ORDERS_SHOWN: u32 = 50;

/// Longest search text, in characters.
pub const MAX_CUSTOMER_QUERY: usize = 100;

/// One customer as the list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// Lower-cased: the customer's key.
    pub email: String,
    /// The name on their latest order.
    pub name: String,
    /// Orders placed with this address, whatever became of them.
    pub orders: i64,
    /// The totals of their paid and shipped orders, one per currency (none yet: empty).
    pub spent: Vec<Money>,
    /// When they first ordered (RFC 3339 UTC).
    pub first_order_at: String,
    /// When they last ordered.
    pub last_order_at: String,
}

/// `GET /admin/customers?q=&after=`: a page of customers, latest order first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerList {
    /// At most [`CUSTOMERS_PAGE`].
    pub customers: Vec<CustomerSummary>,
    /// The `after` of the next page (the last customer's email), if there is one.
    pub next_after: Option<String>,
}

/// One order on a customer's page, with the owner's notes on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerOrder {
    /// The order number.
    pub number: String,
    /// Where the order is.
    pub state: OrderState,
    /// What it costs.
    pub total: Money,
    /// When it was placed.
    pub created_at: String,
    /// The shopper's note at checkout, or empty.
    pub note: String,
    /// The owner's internal notes, oldest first.
    pub notes: Vec<OwnerNote>,
}

/// `GET /admin/customers/one?email=`: a customer and their newest orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    /// The customer.
    pub customer: CustomerSummary,
    /// Newest first, at most [`CUSTOMER_ORDERS_SHOWN`].
    pub orders: Vec<CustomerOrder>,
}
