//! The limits the owner's checkout settings are held to that more than one kind of setting
//! shares (amounts of discount codes and shipping methods).

use crate::catalog::rules::Checks;

/// Largest amount (minor units) a fixed discount, a minimum, a shipping price or a
/// threshold may be: 1,000,000.00 in a two-decimal currency.
pub const MAX_AMOUNT: i64 = 100_000_000;

/// An amount of 0 to [`MAX_AMOUNT`] minor units.
pub fn check_amount(checks: &mut Checks, field: &str, value: i64) {
    if !(0..=MAX_AMOUNT).contains(&value) {
        checks.add(
            field,
            format!("must be between 0 and {MAX_AMOUNT} minor units"),
        );
    }
}
