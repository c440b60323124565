//! What every shop page shares: the frame around it (header, footer, stylesheet), the
//! flash messages, small fragments, the totals table, dates, the error page and the icon.

pub mod chrome;
pub mod error;
pub mod favicon;
pub mod flash;
pub mod fragments;
pub mod holed;
pub mod totals;
pub mod tracking;
pub mod when;

pub use chrome::{Chrome, Meta, layout};
pub use fragments::{
    add_to_cart, collection_nav, image, line_label, line_name, pagination, stock_badge,
    stock_state, unit_price,
};
