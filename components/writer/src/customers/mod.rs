//! The back office's customers: the orders of one email address, read from the
//! `customers` and `customer_spent` rows that migration 0025's triggers keep as orders are
//! placed and change (never a GROUP BY over the orders).

pub mod list;
pub mod one;
