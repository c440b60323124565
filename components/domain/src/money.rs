//! Money as integer minor units plus an ISO 4217 currency code: never floats.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in minor units (cents) of `currency` (upper-case ISO 4217 code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (cents), possibly negative.
    pub amount: i64,
    /// Upper-case ISO 4217 code, e.g. "EUR".
    pub currency: String,
}

impl Money {
    /// `amount` minor units of `currency`.
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        Money {
            amount,
            currency: currency.into(),
        }
    }

    /// `self * quantity`, or `None` on overflow.
    pub fn times(&self, quantity: i64) -> Option<Money> {
        Some(Money::new(
            self.amount.checked_mul(quantity)?,
            self.currency.clone(),
        ))
    }

    /// Sum of amounts in one currency; `None` if currencies differ or it overflows.
    pub fn checked_add(&self, other: &Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(
            self.amount.checked_add(other.amount)?,
            self.currency.clone(),
        ))
    }

    /// Number of minor-unit digits for the currencies the shop may use.
    pub fn exponent(&self) -> u32 {
        match self.currency.as_str() {
            "JPY" | "KRW" | "ISK" | "CLP" | "VND" => 0,
            _ => 2,
        }
    }

    /// The currency's sign where the shop knows one (`€`, `$`, `£`, `¥`).
    pub fn symbol(&self) -> Option<&'static str> {
        match self.currency.as_str() {
            "EUR" => Some("€"),
            "USD" => Some("$"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        }
    }
}

/// Human format in English (`€12.50`, `CHF 3.00`): [`crate::locale::Locale::money`] is the
/// one formatter; pages that speak the shopper's language call it with theirs.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::locale::Locale::En.money(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_minor_units() {
        assert_eq!(Money::new(1250, "EUR").to_string(), "€12.50");
        assert_eq!(Money::new(5, "USD").to_string(), "$0.05");
        assert_eq!(Money::new(300, "CHF").to_string(), "CHF 3.00");
        assert_eq!(Money::new(1200, "JPY").to_string(), "¥1,200");
        assert_eq!(Money::new(-1250, "EUR").to_string(), "-€12.50");
    }

    #[test]
    fn arithmetic_refuses_mixed_currency_and_overflow() {
        let a = Money::new(100, "EUR");
        assert_eq!(
            a.checked_add(&Money::new(1, "EUR")),
            Some(Money::new(101, "EUR"))
        );
        assert_eq!(a.checked_add(&Money::new(1, "USD")), None);
        assert_eq!(Money::new(i64::MAX, "EUR").times(2), None);
        assert_eq!(a.times(3), Some(Money::new(300, "EUR")));
    }
}
