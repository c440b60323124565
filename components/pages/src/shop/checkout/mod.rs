//! Checkout: the form, pricing what was typed, and placing the order (or changing the
//! shopper's order that awaits payment).

pub mod address_fields;
pub mod change;
pub mod handler;
pub mod kept;
pub mod view;
