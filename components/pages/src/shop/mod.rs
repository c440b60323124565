//! The HTML storefront, by business area: the catalog, the cart, checkout, the shopper's
//! orders and their payment, the customer's account, and the legal pages; each area keeps its handlers and its
//! views side by side. Beside them, the request context every shop page works with, the
//! shopper's session, the pending order and the notices that cross a redirect.

pub mod account;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod context;
pub mod legal;
pub mod notice;
pub mod orders;
pub mod pending;
pub mod seo;
pub mod session;

pub use context::{Answer, Shop, fallback_settings};
