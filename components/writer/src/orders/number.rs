//! Issuing public order numbers and their access tokens (the formats live in
//! [`storefront_domain::order_number`] and [`storefront_domain::order_access`], shared with
//! the pages).

use storefront_domain::order_access;
use storefront_domain::order_number::format_bits;
pub use storefront_domain::order_number::normalize;

/// A fresh random order number.
pub fn generate() -> anyhow::Result<String> {
    let bits =
        getrandom::u64().map_err(|e| anyhow::anyhow!("no randomness for an order number: {e}"))?;
    Ok(format_bits(bits))
}

/// A fresh order access token ([`storefront_domain::order_access`]): 128 random bits.
pub fn access_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; order_access::TOKEN_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no randomness for an order's access token: {e}"))?;
    Ok(order_access::token_from(bytes))
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

    #[test]
    fn access_tokens_are_well_formed_and_differ() {
        let a = access_token().unwrap();
        assert!(order_access::well_formed(&a));
        assert_ne!(a, access_token().unwrap());
    }
}
