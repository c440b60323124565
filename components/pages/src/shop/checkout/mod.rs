//! Checkout: the form, pricing what was typed, and placing the order.

pub mod handler;
pub mod view;
