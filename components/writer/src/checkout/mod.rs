//! What an order costs: the one calculator ([`calculator::price_order`]) that placing an
//! order and the quote both call, with its parts beside it (line prices, discounts,
//! shipping, tax, totals and rounding); the per-client limits and discount-guess throttling
//! a checkout is held to; and the owner's checkout settings (discount codes, shipping
//! methods, tax rates).

pub mod calculator;
pub mod client_limits;
pub mod discount_attempts;
pub mod discount_codes;
pub mod discounts;
pub mod line_prices;
pub mod quote;
pub mod setting_rules;
pub mod shipping;
pub mod shipping_methods;
pub mod shipping_zones;
pub mod tax;
pub mod tax_rates;
pub mod totals;
