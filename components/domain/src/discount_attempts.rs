//! Guessing discount codes: what a shopper hears when a code is refused, why it was
//! refused (for the owner only), and how many refused codes one client may try.
//!
//! A shopper hears one sentence whatever the reason ([`REFUSED`]): distinct messages for
//! "no such code", "expired", "not yet valid" or "already used with `<email>`" would make
//! the checkout a lookup of which codes exist and which addresses are customers. The
//! owner sees the reasons in the back office. A client (the pages' pseudonymous key) that
//! has had [`MAX_REFUSED_ATTEMPTS`] guesses refused within [`ATTEMPT_WINDOW_SECONDS`] is
//! answered `429` for every code it sends, valid ones too, until the oldest guess leaves
//! the window; an order without a code is not affected.

use serde::{Deserialize, Serialize};

/// Refused guesses one client may make within [`ATTEMPT_WINDOW_SECONDS`].
pub const MAX_REFUSED_ATTEMPTS: i64 = 10;
/// The window refused guesses are counted in.
pub const ATTEMPT_WINDOW_SECONDS: i64 = 15 * 60;
/// How long refused guesses are kept for the owner's log.
pub const KEEP_REFUSED_SECONDS: i64 = 24 * 60 * 60;
/// The field message for every refused code (the pages put the field's label first).
pub const REFUSED: &str = "cannot be applied to this order";
/// The error code of the `429` for a client that has used up its guesses.
pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";

/// The field message for a client that has used up its guesses.
pub fn too_many_attempts(retry_after_seconds: i64) -> String {
    let minutes = (retry_after_seconds.max(1) + 59) / 60;
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many discount codes were tried from here; try again in {minutes} {unit}")
}

/// Why a code was refused: the owner's reason, never a shopper's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Not even shaped like a code.
    Malformed,
    /// No such code.
    Unknown,
    /// The owner deactivated the code.
    Deactivated,
    /// Its first day has not come yet.
    NotYetValid,
    /// Its end has passed.
    Expired,
    /// The order's subtotal is below the code's minimum.
    BelowMinimum,
    /// Its overall usage limit is reached.
    UsedUp,
    /// The email has used the code as often as one customer may.
    PerCustomerLimit,
}

impl Refusal {
    const ALL: [Refusal; 8] = [
        Refusal::Malformed,
        Refusal::Unknown,
        Refusal::Deactivated,
        Refusal::NotYetValid,
        Refusal::Expired,
        Refusal::BelowMinimum,
        Refusal::UsedUp,
        Refusal::PerCustomerLimit,
    ];

    /// As stored (the same words as its JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Malformed => "malformed",
            Refusal::Unknown => "unknown",
            Refusal::Deactivated => "deactivated",
            Refusal::NotYetValid => "not_yet_valid",
            Refusal::Expired => "expired",
            Refusal::BelowMinimum => "below_minimum",
            Refusal::UsedUp => "used_up",
            Refusal::PerCustomerLimit => "per_customer_limit",
        }
    }

    /// The refusal stored as `stored` ([`Refusal::as_str`]), if it is one.
    pub fn parse(stored: &str) -> Option<Refusal> {
        Refusal::ALL.into_iter().find(|r| r.as_str() == stored)
    }

    /// In the owner's words.
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::Malformed => "not a code",
            Refusal::Unknown => "no such code",
            Refusal::Deactivated => "deactivated",
            Refusal::NotYetValid => "not valid yet",
            Refusal::Expired => "expired",
            Refusal::BelowMinimum => "order below the minimum",
            Refusal::UsedUp => "used up",
            Refusal::PerCustomerLimit => "already used by this customer",
        }
    }
}

/// One refused guess, as the owner's discount page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedAttempt {
    /// RFC 3339 UTC.
    pub at: String,
    /// As typed (upper-cased when it is shaped like a code).
    pub code: String,
    /// Why it was refused.
    pub reason: Refusal,
    /// The start of the client's pseudonymous key: tells one guesser from many.
    pub client: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_from_its_stored_form() {
        for reason in Refusal::ALL {
            assert_eq!(Refusal::parse(reason.as_str()), Some(reason));
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
        }
        assert_eq!(Refusal::parse("nope"), None);
    }

    #[test]
    fn the_wait_is_said_in_whole_minutes() {
        assert!(too_many_attempts(1).ends_with("in 1 minute"));
        assert!(too_many_attempts(60).ends_with("in 1 minute"));
        assert!(too_many_attempts(61).ends_with("in 2 minutes"));
    }
}
