//! Stripe's webhook signature scheme: parsing the `Stripe-Signature` header, verifying
//! it against the raw body, and producing one (for the test-mode provider, whose events
//! take the very same path as Stripe's).
//!
//! Header: `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`. The signature is
//! `hex(HMAC-SHA256(secret, "{t}.{raw body}"))`; the secret is used as given
//! (`whsec_…` included). Stripe sends several `v1` values while a secret is being
//! rolled, so any one matching is enough; `v0` and unknown schemes are ignored.
//! Pure code, no spin-sdk: everything here is unit-tested natively.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Header name (lower case, as `Req` stores headers).
pub const HEADER: &str = "stripe-signature";

/// Largest accepted distance between the signed timestamp and now, in either
/// direction: Stripe's own default, and what keeps a captured request from being
/// replayed later.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a signature was refused. Nothing is forwarded in any of these cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// `stripe_webhook_secret` is empty: no event can be trusted.
    NoSecret,
    Missing,
    /// No `t`, a `t` that is not a number, more than one `t`, or no `v1`.
    Malformed,
    /// No `v1` matches the body.
    Mismatch,
    /// The signature is right but its timestamp is outside the tolerance.
    Stale,
}

impl SignatureError {
    /// The error code answered to the sender.
    pub fn code(self) -> &'static str {
        match self {
            SignatureError::Stale => "stale_signature",
            _ => "invalid_signature",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            SignatureError::NoSecret => "webhook signatures cannot be verified here",
            SignatureError::Missing => "the Stripe-Signature header is missing",
            SignatureError::Malformed => "the Stripe-Signature header is malformed",
            SignatureError::Mismatch => "no signature matches the body",
            SignatureError::Stale => "the signature timestamp is too far from now",
        }
    }
}

/// The parts of a header that matter.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed {
    timestamp: i64,
    /// Decoded `v1` values; entries that are not hex are dropped (they cannot match).
    v1: Vec<Vec<u8>>,
}

fn parse(header: &str) -> Result<Parsed, SignatureError> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    let mut saw_v1 = false;
    for item in header.split(',') {
        let Some((name, value)) = item.trim().split_once('=') else {
            return Err(SignatureError::Malformed);
        };
        match name.trim() {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::Malformed);
                }
                let t = value.trim().parse::<i64>();
                timestamp = Some(t.map_err(|_| SignatureError::Malformed)?);
            }
            "v1" => {
                saw_v1 = true;
                if let Ok(bytes) = hex::decode(value.trim()) {
                    v1.push(bytes);
                }
            }
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if saw_v1 => Ok(Parsed { timestamp, v1 }),
        _ => Err(SignatureError::Malformed),
    }
}

fn expected(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Checks `header` against the raw `body`. The signature is checked before the
/// timestamp, so "stale" is only ever said of a request we could have signed.
pub fn verify(
    secret: &str,
    header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing)?;
    let parsed = parse(header)?;
    let want = expected(secret, parsed.timestamp, body);
    // Constant-time per candidate; whether *some* candidate matched is not a secret.
    let matched = parsed
        .v1
        .iter()
        .any(|candidate| bool::from(candidate.as_slice().ct_eq(&want)));
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if (now - parsed.timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// A `Stripe-Signature` value for `body` signed at `timestamp`, as Stripe writes it.
pub fn header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(expected(secret, timestamp, body))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_0123456789abcdef";
    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event"}"#;

    /// The signature computed independently of the module, straight from the scheme.
    fn known_answer(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        let mut signed = format!("{t}.").into_bytes();
        signed.extend_from_slice(body);
        mac.update(&signed);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn known_answer_vector() {
        // Computed outside Rust (Python's hmac module) from the scheme's definition.
        const FIXED: &str = "624a6d3d724ad8928da7a954b4e2e09fad159cf9f3c967035815a4f014b0dd17";
        assert_eq!(known_answer(SECRET, NOW, BODY), FIXED);
        assert_eq!(header(SECRET, NOW, BODY), format!("t={NOW},v1={FIXED}"));
        let h = format!("t={NOW},v1={FIXED}");
        assert_eq!(verify(SECRET, Some(&h), BODY, NOW), Ok(()));
    }

    #[test]
    fn a_correct_signature_verifies() {
        let h = format!("t={NOW},v1={}", known_answer(SECRET, NOW, BODY));
        assert_eq!(verify(SECRET, Some(&h), BODY, NOW), Ok(()));
        assert_eq!(verify(SECRET, Some(&h), BODY, NOW + 300), Ok(()));
        assert_eq!(verify(SECRET, Some(&h), BODY, NOW - 300), Ok(()));
    }

    #[test]
    fn any_of_several_v1_may_match() {
        let good = known_answer(SECRET, NOW, BODY);
        let old = known_answer("whsec_old_secret", NOW, BODY);
        let v0 = "6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39";
        for h in [
            format!("t={NOW},v1={old},v1={good}"),
            format!("t={NOW},v1={good},v1={old}"),
            format!("v1={old}, t={NOW} ,v0={v0}, v1={good}"),
            format!("t={NOW},v1=not-hex,v1={good},scheme=x"),
        ] {
            assert_eq!(verify(SECRET, Some(&h), BODY, NOW), Ok(()), "{h}");
        }
    }

    #[test]
    fn wrong_body_secret_or_timestamp_do_not_verify() {
        let sig = known_answer(SECRET, NOW, BODY);
        let h = format!("t={NOW},v1={sig}");
        assert_eq!(
            verify(SECRET, Some(&h), b"{\"id\":\"evt_2\"}", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_other", Some(&h), BODY, NOW),
            Err(SignatureError::Mismatch)
        );
        // Same signature presented with another timestamp: the timestamp is signed.
        let moved = format!("t={},v1={sig}", NOW + 1);
        assert_eq!(
            verify(SECRET, Some(&moved), BODY, NOW),
            Err(SignatureError::Mismatch)
        );
        // A truncated signature.
        let truncated = format!("t={NOW},v1={}", &sig[..62]);
        assert_eq!(
            verify(SECRET, Some(&truncated), BODY, NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        let h = header(SECRET, NOW, BODY);
        assert_eq!(
            verify(SECRET, Some(&h), BODY, NOW + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, Some(&h), BODY, NOW - 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(SignatureError::Stale.code(), "stale_signature");
        // A stale *and* wrong signature is reported as invalid, not stale.
        let bad = format!("t={NOW},v1={}", "00".repeat(32));
        assert_eq!(
            verify(SECRET, Some(&bad), BODY, NOW + 10_000),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn missing_and_malformed_headers() {
        assert_eq!(
            verify(SECRET, None, BODY, NOW),
            Err(SignatureError::Missing)
        );
        let sig = known_answer(SECRET, NOW, BODY);
        for h in [
            String::new(),
            "garbage".to_string(),
            format!("v1={sig}"),
            format!("t=,v1={sig}"),
            format!("t=abc,v1={sig}"),
            format!("t={NOW}"),
            format!("t={NOW},v0={sig}"),
            format!("t={NOW},t={NOW},v1={sig}"),
            format!("t={NOW};v1={sig}"),
        ] {
            assert_eq!(
                verify(SECRET, Some(&h), BODY, NOW),
                Err(SignatureError::Malformed),
                "{h:?}"
            );
        }
        for e in [
            SignatureError::Missing,
            SignatureError::Malformed,
            SignatureError::Mismatch,
            SignatureError::NoSecret,
        ] {
            assert_eq!(e.code(), "invalid_signature");
        }
    }

    #[test]
    fn an_empty_secret_trusts_nothing() {
        // Not even a header "signed" with the empty key.
        let h = header("", NOW, BODY);
        assert_eq!(
            verify("", Some(&h), BODY, NOW),
            Err(SignatureError::NoSecret)
        );
    }
}
