//! Stock adjustments: stock that arrives (a delivery) or leaves without an order
//! (breakage, a stock count), as the shop owner records it. Orders reserve and release
//! stock themselves; everything else goes through an adjustment, so every change of a
//! product's stock has a reason on record.

use crate::order::FieldError;
use serde::{Deserialize, Serialize};

/// Largest change one adjustment may make, either way.
pub const MAX_STOCK_DELTA: i64 = 1_000_000;
/// Longest reason, in characters.
pub const MAX_STOCK_REASON: usize = 200;

/// `POST /admin/products/{slug}/stock` (the product's default variant) or
/// `POST /admin/catalog/variants/{sku}/stock` (+ `Idempotency-Key`): add `delta` to the
/// variant's stock (negative to take some away).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjustmentRequest {
    /// Units to add (negative: to take away); not 0.
    pub delta: i64,
    /// Why, e.g. "delivery from Nyeri co-op" or "two mugs broken".
    pub reason: String,
}

impl StockAdjustmentRequest {
    /// The request with its reason trimmed, or every bad field: `delta` not zero and within
    /// ±[`MAX_STOCK_DELTA`], `reason` 1..=[`MAX_STOCK_REASON`] characters.
    pub fn validate(&self) -> Result<StockAdjustmentRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.delta == 0 {
            errors.push(FieldError::new("delta", "must not be 0"));
        } else if self.delta.unsigned_abs() > MAX_STOCK_DELTA.unsigned_abs() {
            errors.push(FieldError::new(
                "delta",
                format!("must be between -{MAX_STOCK_DELTA} and {MAX_STOCK_DELTA}"),
            ));
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            errors.push(FieldError::new("reason", "must say why the stock changes"));
        } else if reason.chars().count() > MAX_STOCK_REASON {
            errors.push(FieldError::new(
                "reason",
                format!("must be at most {MAX_STOCK_REASON} characters"),
            ));
        }
        if errors.is_empty() {
            Ok(StockAdjustmentRequest {
                delta: self.delta,
                reason: reason.to_string(),
            })
        } else {
            Err(errors)
        }
    }
}

/// A recorded adjustment and the stock it left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjustment {
    /// The product's slug.
    pub slug: String,
    /// The variant whose stock changed (the product's default variant when the command
    /// named the product).
    #[serde(default)]
    pub sku: String,
    /// Units added (negative: taken away).
    pub delta: i64,
    /// Why the stock changed.
    pub reason: String,
    /// Available stock right after the adjustment.
    pub stock: i64,
    /// RFC 3339 UTC timestamp.
    pub adjusted_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(delta: i64, reason: &str) -> StockAdjustmentRequest {
        StockAdjustmentRequest {
            delta,
            reason: reason.to_string(),
        }
    }

    fn bad_fields(delta: i64, reason: &str) -> Vec<String> {
        request(delta, reason)
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn deliveries_and_write_offs_within_bounds() {
        assert_eq!(
            request(12, "  delivery ").validate().unwrap(),
            request(12, "delivery")
        );
        assert!(request(-3, "broken").validate().is_ok());
        assert!(request(MAX_STOCK_DELTA, "x").validate().is_ok());
        assert!(request(-MAX_STOCK_DELTA, "x").validate().is_ok());
        assert!(request(1, &"é".repeat(MAX_STOCK_REASON)).validate().is_ok());
    }

    #[test]
    fn every_bad_field_is_reported() {
        assert_eq!(bad_fields(0, ""), ["delta", "reason"]);
        assert_eq!(bad_fields(MAX_STOCK_DELTA + 1, "x"), ["delta"]);
        assert_eq!(bad_fields(i64::MIN, "x"), ["delta"]);
        assert_eq!(bad_fields(5, " \n "), ["reason"]);
        assert_eq!(bad_fields(5, &"é".repeat(MAX_STOCK_REASON + 1)), ["reason"]);
    }
}
