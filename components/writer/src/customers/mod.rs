//! Customers, two ways.
//!
//! - **Accounts** without passwords: the sign-in emails and their confirmation
//!   ([`sign_ins`]), the customer's sessions ([`sessions`]), their order history
//!   ([`history`]), saved addresses ([`addresses`]), and their data's download and erasure
//!   ([`data`]). Every change is a command with an `Idempotency-Key` ([`commands`]).
//!   Expired sign-ins and sessions and old idempotency records are swept ([`retention`]).
//! - **The back office's customers**: the orders of one email address ([`list`], [`one`]),
//!   read from the `customers` and `customer_spent` rows that migration 0025's triggers
//!   keep as orders are placed and change (never a GROUP BY over the orders).

pub mod addresses;
pub mod commands;
pub mod data;
pub mod history;
pub mod list;
pub mod one;
pub mod retention;
pub mod sessions;
pub mod sign_ins;
