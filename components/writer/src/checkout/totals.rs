//! The checkout's arithmetic, apart from the database: discount amounts, allocating a
//! discount over lines, and tax shares, in integer minor units (i128 inside, never floats).
//!
//! Rounding rule (docs/checkout.md, "Rounding"): every division rounds half up to
//! the minor unit; tax is computed per line on the line's amount after its share of the
//! discount, and once more on the shipping, then summed, so a line's tax never depends on
//! the other lines.

use storefront_domain::checkout::TaxMode;

/// `numerator / denominator` rounded half up (both non-negative; denominator > 0).
pub fn div_half_up(numerator: i128, denominator: i128) -> i64 {
    debug_assert!(numerator >= 0 && denominator > 0);
    let q = (numerator + denominator / 2) / denominator;
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// `amount × rate_bp / 10000`, rounded half up: a percentage discount, or tax added on top.
pub fn share(amount: i64, rate_bp: i64) -> i64 {
    div_half_up(i128::from(amount) * i128::from(rate_bp), 10_000)
}

/// The tax included in a gross `amount` at `rate_bp`: `amount × rate / (10000 + rate)`,
/// rounded half up.
pub fn included(amount: i64, rate_bp: i64) -> i64 {
    div_half_up(
        i128::from(amount) * i128::from(rate_bp),
        10_000 + i128::from(rate_bp),
    )
}

/// Splits `total` over `weights` in proportion, by largest remainder: the parts add up to
/// `total` exactly; ties go to the earlier weight. All-zero weights get nothing but the
/// first part takes `total`.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum == 0 {
        let mut parts = vec![0; weights.len()];
        parts[0] = total;
        return parts;
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = i128::from(total) * i128::from(w);
        parts.push(i64::try_from(exact / sum).unwrap_or(i64::MAX));
        remainders.push((exact % sum, i));
    }
    let mut left = total - parts.iter().sum::<i64>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// Every amount of an order, from its line amounts, discount, shipping and tax rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub tax: i64,
    pub total: i64,
}

/// Computes the tax and total of lines (`line_amounts`), a `discount` (already capped at
/// the subtotal) and a `shipping` amount at `rate_bp` (`None`: no tax line).
pub fn compute(
    line_amounts: &[i64],
    discount: i64,
    shipping: i64,
    rate_bp: Option<u32>,
    mode: TaxMode,
) -> Breakdown {
    let subtotal: i64 = line_amounts.iter().sum();
    let discount = discount.clamp(0, subtotal);
    let tax = match rate_bp {
        None => 0,
        Some(rate) => {
            let rate = i64::from(rate);
            let tax_of = |amount: i64| match mode {
                TaxMode::Inclusive => included(amount, rate),
                TaxMode::Exclusive => share(amount, rate),
            };
            let line_discounts = allocate(discount, line_amounts);
            line_amounts
                .iter()
                .zip(&line_discounts)
                .map(|(amount, off)| tax_of(amount - off))
                .sum::<i64>()
                + tax_of(shipping)
        }
    };
    let total = subtotal - discount
        + shipping
        + match mode {
            TaxMode::Inclusive => 0,
            TaxMode::Exclusive => tax,
        };
    Breakdown {
        subtotal,
        discount,
        shipping,
        tax,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(div_half_up(5, 10), 1);
        assert_eq!(div_half_up(4, 10), 0);
        assert_eq!(div_half_up(15, 10), 2);
        assert_eq!(share(2970, 1000), 297);
        assert_eq!(share(5, 1000), 1, "0.5 cent rounds up");
        // 0.99 at 19 % included: 99 × 19 / 119 = 15.8 → 16.
        assert_eq!(included(99, 1900), 16);
        assert_eq!(included(1, 1900), 0);
        assert_eq!(included(119, 1900), 19);
    }

    #[test]
    fn allocation_adds_up_by_largest_remainder() {
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(allocate(1, &[1, 1]), vec![1, 0]);
        assert_eq!(allocate(500, &[1000, 3000]), vec![125, 375]);
        assert_eq!(allocate(7, &[0, 0]), vec![7, 0]);
        let parts = allocate(997, &[333, 1, 99_999, 12]);
        assert_eq!(parts.iter().sum::<i64>(), 997);
    }

    #[test]
    fn inclusive_and_exclusive() {
        // 3 × €0.99 at 19 % included, one line: 297 × 19/119 = 47.4 → 47.
        let b = compute(&[297], 0, 0, Some(1900), TaxMode::Inclusive);
        assert_eq!((b.tax, b.total), (47, 297));
        let b = compute(&[297], 0, 490, Some(1900), TaxMode::Exclusive);
        // 297 × 0.19 = 56.43 → 56; 490 × 0.19 = 93.1 → 93.
        assert_eq!((b.tax, b.total), (149, 297 + 490 + 149));
        let b = compute(&[1000, 200], 1500, 0, None, TaxMode::Inclusive);
        assert_eq!((b.discount, b.total, b.tax), (1200, 0, 0));
    }
}
