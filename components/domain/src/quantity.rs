//! A line quantity that is valid by construction: 1..=99.

use serde::{Deserialize, Serialize};

/// Quantity of one product on one order or cart line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(u8);

impl Quantity {
    /// The smallest quantity a line may have.
    pub const MIN: i64 = 1;
    /// The largest quantity a line may have.
    pub const MAX: i64 = 99;

    /// The quantity, or why `value` cannot be one.
    pub fn new(value: i64) -> Result<Self, String> {
        if (Self::MIN..=Self::MAX).contains(&value) {
            Ok(Quantity(value as u8))
        } else {
            Err(format!(
                "quantity must be between {} and {}, got {value}",
                Self::MIN,
                Self::MAX
            ))
        }
    }

    /// The quantity as a number.
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl TryFrom<i64> for Quantity {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        Quantity::new(value)
    }
}

impl From<Quantity> for i64 {
    fn from(q: Quantity) -> i64 {
        q.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(Quantity::new(0).is_err());
        assert!(Quantity::new(-3).is_err());
        assert!(Quantity::new(100).is_err());
        assert_eq!(Quantity::new(1).unwrap().get(), 1);
        assert_eq!(Quantity::new(99).unwrap().get(), 99);
    }
}
