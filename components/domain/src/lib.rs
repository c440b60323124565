//! Domain types shared by the `pages` and `writer` components.
//!
//! Everything that crosses the pages → writer HTTP boundary is defined here once, so
//! both sides agree on shapes and on what "valid" means. The writer is the authority
//! (it validates again inside its transaction); pages validate first to give shoppers
//! field-level messages without a round trip.

#![deny(missing_docs)]

pub mod allowed_hosts;
pub mod api;
pub mod carriers;
pub mod catalog;
pub mod catalog_positions;
pub mod checkout;
pub mod countries;
pub mod customer;
pub mod customers;
pub mod dashboard;
pub mod decimal;
pub mod discount_attempts;
pub mod locale;
pub mod money;
pub mod network;
pub mod order;
pub mod order_access;
pub mod order_export;
pub mod order_list;
pub mod order_notes;
pub mod order_number;
pub mod outbox;
pub mod owner;
pub mod owner_orders;
pub mod payments;
pub mod product_text;
pub mod quantity;
pub mod returns;
pub mod sitemap;
pub mod stock;
pub mod storage_damage;
pub mod unit_price;

pub use api::*;
pub use catalog::{Product, ProductList};
pub use money::Money;
pub use order::{Address, FieldError, OrderRequest, OrderState, ValidOrder};
pub use quantity::Quantity;
