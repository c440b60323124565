//! The owner's JSON API under `/admin/…` (`Authorization: Bearer {admin_token}`, checked
//! by the router, [`crate::security::owner_token`]): orders, stock, payment-event reviews,
//! and the catalog, checkout settings and outbox routes forwarded to the writer.

pub mod catalog;
pub mod checkout;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod stock;
