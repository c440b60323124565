//! The unit price of goods sold by weight: the price of one kilogram, which EU price rules
//! (the Price Indication Directive) require beside the selling price of pre-packaged
//! goods sold by quantity, like coffee.
//!
//! The net quantity of a variant (`net_grams`: what is in the bag) is not its shipping
//! weight (`weight_grams`: bag, box and padding). A variant without a net quantity has no
//! unit price. The writer computes it (integer minor units, rounded half-up) and the pages
//! show it ("€19.96 / kg").

use crate::money::Money;

/// Largest net quantity of one unit, in grams (1 t, like the shipping weight's cap).
pub const MAX_NET_GRAMS: i64 = 1_000_000;

/// The price of one kilogram of a variant priced `price` holding `net_grams` grams, in
/// minor units rounded half-up; `None` without a net quantity (0) or on overflow.
pub fn per_kg(price: &Money, net_grams: i64) -> Option<Money> {
    if net_grams <= 0 || price.amount < 0 {
        return None;
    }
    let numerator = i128::from(price.amount) * 1000 * 2 + i128::from(net_grams);
    let amount = numerator / (2 * i128::from(net_grams));
    Some(Money::new(
        i64::try_from(amount).ok()?,
        price.currency.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(amount: i64) -> Money {
        Money::new(amount, "EUR")
    }

    #[test]
    fn a_kilogram_costs_its_price() {
        assert_eq!(per_kg(&eur(4990), 1000), Some(eur(4990)));
    }

    #[test]
    fn a_quarter_kilo_costs_four_times_its_price_per_kg() {
        assert_eq!(per_kg(&eur(1450), 250), Some(eur(5800)));
    }

    #[test]
    fn halves_round_up_and_less_rounds_down() {
        // 499 / 0.3 kg = 1663.33… → 1663; 1 / 0.8 kg = 1.25 → 1; 1 / 0.4 kg = 2.5 → 3.
        assert_eq!(per_kg(&eur(499), 300), Some(eur(1663)));
        assert_eq!(per_kg(&eur(1), 800), Some(eur(1)));
        assert_eq!(per_kg(&eur(1), 400), Some(eur(3)));
    }

    #[test]
    fn no_net_quantity_no_unit_price() {
        assert_eq!(per_kg(&eur(1450), 0), None);
    }
}
