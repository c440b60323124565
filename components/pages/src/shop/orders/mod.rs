//! The shopper's orders: the order status page and the payment step (Stripe's Payment
//! Element, or the test-mode form and its `POST`).

pub mod handler;
pub mod pay;
pub mod pay_view;
pub mod view;
