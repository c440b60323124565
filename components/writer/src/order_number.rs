//! Issuing public order numbers (the format and its canonical form live in
//! [`storefront_domain::order_number`], shared with the pages).

use storefront_domain::order_number::format_bits;
pub use storefront_domain::order_number::normalize;

/// A fresh random order number.
pub fn generate() -> anyhow::Result<String> {
    let bits =
        getrandom::u64().map_err(|e| anyhow::anyhow!("no randomness for an order number: {e}"))?;
    Ok(format_bits(bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_round_trip_and_differ() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), "SF-7K3M-Q9TX-2PDA".len());
        assert_eq!(normalize(&a).as_deref(), Some(a.as_str()));
    }
}
