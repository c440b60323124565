//! What the owner's catalog commands accept: bounded, trimmed text without control
//! characters, SKUs and slugs of the domain's shape, prices in the shop's currency within
//! bounds, sane positions. Each check adds a field-level error and returns the cleaned
//! value, so one answer lists every problem.

use crate::http::responses::ApiError;
use storefront_domain::catalog::{MAX_DESCRIPTION, MAX_NAME, MAX_PRICE, MAX_SKU, valid_sku};
use storefront_domain::order::valid_slug;
use storefront_domain::stock::MAX_STOCK_DELTA;
use storefront_domain::{FieldError, Money};

/// Largest position a product, variant, collection, membership or image may have, either way.
pub const MAX_POSITION: i64 = 1_000_000_000;

/// The shop's currency: the `shop_currency` Spin variable (default `EUR`).
pub fn shop_currency() -> Result<String, ApiError> {
    let currency = spin_sdk::variables::get("shop_currency").unwrap_or_else(|_| "EUR".into());
    let currency = currency.trim().to_string();
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(currency)
    } else {
        Err(ApiError::new(
            500,
            "bad_configuration",
            "the shop_currency variable must be an ISO 4217 code such as EUR",
        ))
    }
}

/// Collects field errors for one command.
#[derive(Default)]
pub struct Checks {
    pub errors: Vec<FieldError>,
}

impl Checks {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A product's or collection's `name`, trimmed: 1..=[`MAX_NAME`] characters on one line.
    pub fn name(&mut self, value: &str) -> String {
        self.text("name", value, 1, MAX_NAME, false)
    }

    /// A product's or collection's `description`, trimmed: up to [`MAX_DESCRIPTION`]
    /// characters, lines allowed.
    pub fn description(&mut self, value: &str) -> String {
        self.text("description", value, 0, MAX_DESCRIPTION, true)
    }

    /// `value` trimmed; an error unless it has `min..=max` characters and no control
    /// characters (newlines and tabs are allowed where `multiline`).
    pub fn text(
        &mut self,
        field: &str,
        value: &str,
        min: usize,
        max: usize,
        multiline: bool,
    ) -> String {
        let v = value.trim();
        let chars = v.chars().count();
        if chars < min {
            self.add(field, "is required");
        } else if chars > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if v
            .chars()
            .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t' | '\r')))
        {
            self.add(field, "contains control characters");
        }
        v.to_string()
    }

    pub fn slug(&mut self, field: &str, slug: &str) {
        if !valid_slug(slug) {
            self.add(
                field,
                "must be 1 to 64 lower-case letters, digits or dashes",
            );
        }
    }

    pub fn sku(&mut self, field: &str, sku: &str) {
        if !valid_sku(sku) {
            self.add(
                field,
                format!("must be 1 to {MAX_SKU} ASCII letters, digits, '-', '_' or '.'"),
            );
        }
    }

    pub fn valid_price(&mut self, field: &str, price: &Money, currency: &str) {
        if !(0..=MAX_PRICE).contains(&price.amount) {
            self.add(
                format!("{field}.amount"),
                format!("must be from 0 to {MAX_PRICE} (minor units)"),
            );
        }
        if price.currency != currency {
            self.add(
                format!("{field}.currency"),
                format!("must be the shop's currency, {currency}"),
            );
        }
    }

    pub fn stock(&mut self, field: &str, stock: i64) {
        if !(0..=MAX_STOCK_DELTA).contains(&stock) {
            self.add(field, format!("must be from 0 to {MAX_STOCK_DELTA}"));
        }
    }

    /// A unit's shipping weight: 0 to [`MAX_WEIGHT_GRAMS`].
    pub fn weight(&mut self, field: &str, grams: i64) {
        if !(0..=storefront_domain::catalog::MAX_WEIGHT_GRAMS).contains(&grams) {
            self.add(
                field,
                format!(
                    "must be from 0 to {} grams",
                    storefront_domain::catalog::MAX_WEIGHT_GRAMS
                ),
            );
        }
    }

    /// A net quantity in grams (0: not sold by weight).
    pub fn net_grams(&mut self, field: &str, grams: i64) {
        if !(0..=storefront_domain::unit_price::MAX_NET_GRAMS).contains(&grams) {
            self.add(
                field,
                format!(
                    "must be from 0 to {} grams",
                    storefront_domain::unit_price::MAX_NET_GRAMS
                ),
            );
        }
    }

    pub fn position(&mut self, field: &str, position: Option<i64>) {
        if position.is_some_and(|p| !(-MAX_POSITION..=MAX_POSITION).contains(&p)) {
            self.add(
                field,
                format!("must be from -{MAX_POSITION} to {MAX_POSITION}"),
            );
        }
    }

    /// 422 `invalid_request` listing every error, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(self.errors))
        }
    }
}

/// 409 `conflict` naming the field (a SKU or slug that is taken, say).
pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::new(409, "conflict", message.clone())
        .with_fields(vec![FieldError::new(field, message)])
}
