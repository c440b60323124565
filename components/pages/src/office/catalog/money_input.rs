//! Amounts the owner types ("12.50") read strictly into integer minor units: digits, at
//! most one `.`, no more decimals than the currency has, not negative, not above
//! [`MAX_PRICE`]. Anything else is refused with a message for the field, never rounded
//! or guessed at.

use storefront_domain::Money;
use storefront_domain::catalog::MAX_PRICE;

/// `text` as an amount of `currency`, or the message to show next to the field.
pub fn parse(text: &str, currency: &str) -> Result<Money, String> {
    let exponent = Money::new(0, currency).exponent() as usize;
    let example = if exponent == 0 { "12" } else { "12.50" };
    let wrong =
        || format!("Enter an amount like {example} (digits, at most {exponent} after the point).");
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > exponent
        || (text.contains('.') && fraction.is_empty())
        || whole.len() > 12
    {
        return Err(wrong());
    }
    let padded = format!("{fraction:0<exponent$}");
    let amount: i64 = format!("{whole}{padded}").parse().map_err(|_| wrong())?;
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
    let exponent = amount.exponent();
    if exponent == 0 {
        return amount.amount.to_string();
    }
    let unit = 10i64.pow(exponent);
    format!(
        "{}.{:0width$}",
        amount.amount / unit,
        amount.amount % unit,
        width = exponent as usize
    )
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
