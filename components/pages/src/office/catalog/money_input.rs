//! Prices the owner types ("12.50") read strictly into integer minor units (the
//! domain's `decimal` rules: digits, at most one `.`, no more decimals than the currency
//! has, not negative), not above [`MAX_PRICE`]. Anything else is refused with a message
//! for the field, never rounded or guessed at.

use storefront_domain::Money;
use storefront_domain::catalog::MAX_PRICE;
use storefront_domain::decimal::{format_amount, parse_amount};

/// `text` as an amount of `currency`, or the message to show next to the field. The
/// parsing is the domain's ([`parse_amount`]), shared with every amount the back office
/// reads; prices are also held to the catalog's [`MAX_PRICE`].
pub fn parse(text: &str, currency: &str) -> Result<Money, String> {
    let amount = parse_amount(text, currency).map_err(|why| format!("The price {why}."))?;
    if amount > MAX_PRICE {
        return Err(format!(
            "That is more than the highest price the shop takes ({}).",
            Money::new(MAX_PRICE, currency)
        ));
    }
    Ok(Money::new(amount, currency))
}

/// `amount` as the owner would type it ("12.50"), to fill a form.
pub fn typed(amount: &Money) -> String {
    format_amount(amount.amount, &amount.currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_minor_units() {
        assert_eq!(parse("12.50", "EUR").unwrap().amount, 1250);
        assert_eq!(parse(" 12.5 ", "EUR").unwrap().amount, 1250);
        assert_eq!(parse("12", "EUR").unwrap().amount, 1200);
        assert_eq!(parse("0.05", "EUR").unwrap().amount, 5);
        assert_eq!(parse("1200", "JPY").unwrap().amount, 1200);
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "12.505",
            "-1",
            "-0.50",
            "abc",
            "",
            "1,50",
            "1.",
            ".5",
            "1e3",
            "+3",
            "1 000",
            "12.5.0",
            "0x10",
            "99999999999999999999",
        ] {
            assert!(parse(bad, "EUR").is_err(), "{bad}");
        }
        assert!(parse("12.5", "JPY").is_err());
        assert!(
            parse("1000000.01", "EUR").is_err(),
            "above the highest price"
        );
    }

    #[test]
    fn typed_back() {
        assert_eq!(typed(&Money::new(1250, "EUR")), "12.50");
        assert_eq!(typed(&Money::new(5, "EUR")), "0.05");
        assert_eq!(typed(&Money::new(1200, "JPY")), "1200");
    }
}
