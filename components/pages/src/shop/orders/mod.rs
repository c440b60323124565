//! The shopper's orders: the order status page, the payment step (Stripe's Payment
//! Element, or the test-mode form and its `POST`), and returns of shipped orders.

pub mod handler;
pub mod pay;
pub mod pay_view;
pub mod returns;
pub mod returns_view;
pub mod view;
