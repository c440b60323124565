//! Public order numbers: `SF-` and 12 Crockford base32 characters (60 random bits) in groups
//! of four, e.g. `SF-7K3M-Q9TX-2PDA`. Unguessable, so knowing one order's number tells
//! nothing about another's; the row id stays private.
//!
//! Shared by both components: the writer issues numbers and finds orders by their
//! canonical form, and the pages route only what can be a number (anything else is a
//! 404 without asking the writer) and tell the payment provider the canonical form only,
//! so that `sf7k3mq9tx2pda` and `SF-7K3M-Q9TX-2PDA` can never be two orders to Stripe.

/// Crockford's base32 alphabet: no I, L, O or U, so numbers read aloud or retyped survive.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHARS: usize = 12;
const BITS: u32 = 5 * CHARS as u32;

/// The order number for the low 60 bits of `bits`.
pub fn format_bits(bits: u64) -> String {
    let mut out = String::with_capacity(3 + CHARS + 2);
    out.push_str("SF");
    for i in 0..CHARS {
        if i % 4 == 0 {
            out.push('-');
        }
        let shift = BITS - 5 * (i as u32 + 1);
        out.push(ALPHABET[((bits >> shift) & 0x1f) as usize] as char);
    }
    out
}

/// The canonical form of a number a person typed: case, dashes and the look-alikes Crockford
/// allows (`O` for 0, `I`/`L` for 1) are forgiven. `None` if it cannot be an order number,
/// which the caller answers as "not found" without asking the database.
pub fn normalize(input: &str) -> Option<String> {
    let input = input.trim();
    let rest = match input.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("SF-") => &input[3..],
        _ => input
            .get(..2)
            .filter(|p| p.eq_ignore_ascii_case("SF"))
            .map(|_| &input[2..])?,
    };
    let mut bits: u64 = 0;
    let mut count = 0;
    for c in rest.chars().filter(|&c| c != '-') {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        let value = ALPHABET.iter().position(|&a| a as char == c)?;
        count += 1;
        if count > CHARS {
            return None;
        }
        bits = (bits << 5) | value as u64;
    }
    (count == CHARS).then(|| format_bits(bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sixty_bits_in_groups() {
        assert_eq!(format_bits(0), "SF-0000-0000-0000");
        assert_eq!(format_bits((1 << 60) - 1), "SF-ZZZZ-ZZZZ-ZZZZ");
        // Bits above the 60th are ignored.
        assert_eq!(format_bits(u64::MAX), "SF-ZZZZ-ZZZZ-ZZZZ");
        assert_eq!(format_bits(1), "SF-0000-0000-0001");
        assert_eq!(format_bits(32), "SF-0000-0000-0010");
    }

    #[test]
    fn normalizes_what_people_type() {
        let canonical = Some("SF-7K3M-Q9TX-2PDA".to_string());
        assert_eq!(normalize("SF-7K3M-Q9TX-2PDA"), canonical);
        assert_eq!(normalize("sf-7k3m-q9tx-2pda"), canonical);
        assert_eq!(normalize(" SF7K3MQ9TX2PDA "), canonical);
        assert_eq!(
            normalize("SF-1000-0000-0000"),
            normalize("sf-I000-OOOO-oooo")
        );
        assert_eq!(
            normalize("SF-L000-0000-0000").as_deref(),
            Some("SF-1000-0000-0000")
        );
    }

    #[test]
    fn rejects_what_cannot_be_a_number() {
        for bad in [
            "",
            "SF-",
            "7K3M-Q9TX-2PDA",
            "SF-7K3M-Q9TX-2PD",
            "SF-7K3M-Q9TX-2PDAA",
            "SF-7K3M-Q9TX-2PDU",
            "SF-7K3M-Q9TX-2PD!",
            "SF-7K3M-Q9TX-2PDÄ",
            "quote",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }
}
