//! Amounts as the owner types and reads them in the back office and in exports: decimal
//! text in the currency's major unit ("12.50") to and from integer minor units (1250).
//! Parsing is strict (no sign, no exponent, no more decimals than the currency has), so
//! a typo is a field error rather than a different price. Counts read with a comma
//! between thousands ([`thousands`]).

use crate::money::Money;

/// Largest amount accepted from a form, in minor units (1,000,000.00 in a two-decimal
/// currency); the writer checks its own bounds again.
pub const MAX_TYPED_AMOUNT: i64 = 100_000_000;

/// `text` ("12.50", "12.5", "12", " 0.05 ") as minor units of `currency`; the reason
/// otherwise, as a sentence fragment for a field error.
pub fn parse_amount(text: &str, currency: &str) -> Result<i64, String> {
    let digits = Money::new(0, currency).exponent() as usize;
    let text = text.trim();
    let example = if digits == 0 { "12" } else { "12.50" };
    let bad = || format!("must be an amount such as {example}, without a sign or currency");
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && frac.is_empty())
    {
        return Err(bad());
    }
    if frac.len() > digits {
        return Err(format!(
            "has more than {digits} decimal places ({currency} has {digits})"
        ));
    }
    let too_large = || {
        format!(
            "must be at most {}",
            format_amount(MAX_TYPED_AMOUNT, currency)
        )
    };
    if whole.len() > 12 {
        return Err(too_large());
    }
    let unit = 10i64.pow(digits as u32);
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<digits$}").parse().map_err(|_| bad())?
    };
    let amount = whole * unit + frac;
    if amount > MAX_TYPED_AMOUNT {
        return Err(too_large());
    }
    Ok(amount)
}

/// `amount` minor units of `currency` as plain decimal text: 1250 → "12.50", -5 → "-0.05".
pub fn format_amount(amount: i64, currency: &str) -> String {
    let digits = Money::new(0, currency).exponent();
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let unit = 10u64.pow(digits);
    format!(
        "{sign}{}.{:0width$}",
        abs / unit,
        abs % unit,
        width = digits as usize
    )
}

/// `n` with a comma between thousands ("1,000", "1,234,567"): English numbers
/// ([`crate::locale::Locale::number`]).
pub fn thousands(n: u64) -> String {
    crate::locale::Locale::En.number(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn typed_amounts_parse_strictly() {
        assert_eq!(parse_amount("12.50", "EUR"), Ok(1250));
        assert_eq!(parse_amount("12.5", "EUR"), Ok(1250));
        assert_eq!(parse_amount(" 12 ", "EUR"), Ok(1200));
        assert_eq!(parse_amount("0.05", "EUR"), Ok(5));
        assert_eq!(parse_amount("1200", "JPY"), Ok(1200));
        for bad in [
            "12.505", "-1", "+1", "1e3", "12,50", "", ".5", "5.", "abc", "1.2.3", "€5",
        ] {
            assert!(parse_amount(bad, "EUR").is_err(), "{bad:?} parsed");
        }
        assert!(parse_amount("1.5", "JPY").is_err());
        assert!(parse_amount("1000000.01", "EUR").is_err());
        assert!(parse_amount("99999999999999999999", "EUR").is_err());
    }

    #[test]
    fn amounts_format_as_plain_decimals() {
        assert_eq!(format_amount(1250, "EUR"), "12.50");
        assert_eq!(format_amount(-5, "EUR"), "-0.05");
        assert_eq!(format_amount(1200, "JPY"), "1200");
    }
}
