//! Customer accounts without passwords, as the pages and the writer exchange them: asking
//! for a sign-in email, confirming it by its link or its code, the customer's server-side
//! session, their orders, saved addresses, data download and erasure, and the named
//! limits of each.
//!
//! The writer never sees a sign-in link's secret nor its code: the pages derive both from
//! a random nonce with the cookie secret (the outbox carries only the nonce, so a copy of
//! the database cannot be turned into a working link), and the writer stores a SHA-256 of
//! the link's secret and a keyed hash of the code. The session works like the owner's:
//! the cookie carries a random secret, the writer keeps the session under its SHA-256.

use crate::carriers::Tracking;
use crate::order::Address;
use crate::{Money, OrderState, OrderView};
use serde::{Deserialize, Serialize};

/// A sign-in link and its code work for this long after they were asked for (15 min).
pub const SIGN_IN_LINK_SECONDS: i64 = 15 * 60;
/// The window the sign-in throttles count in.
pub const SIGN_IN_WINDOW_SECONDS: i64 = 15 * 60;
/// Sign-in emails one address may be sent within the window.
pub const MAX_SIGN_INS_PER_ADDRESS: i64 = 3;
/// Sign-in emails one client may ask for within the window, whatever the addresses.
pub const MAX_SIGN_INS_PER_CLIENT: i64 = 10;
/// Wrong codes entered for one address within the window before its codes stop working
/// (it must ask for a new email once the window has passed).
pub const MAX_WRONG_CODES: i64 = 5;
/// Digits of a sign-in code.
pub const CODE_DIGITS: usize = 6;
/// A customer session lasts this long after its sign-in (30 days), then the shopper
/// signs in again.
pub const CUSTOMER_SESSION_SECONDS: i64 = 30 * 24 * 60 * 60;
/// Orders per page of the account's order history.
pub const ACCOUNT_ORDERS_PER_PAGE: i64 = 20;
/// Addresses one account may keep.
pub const MAX_SAVED_ADDRESSES: i64 = 10;
/// Most orders in one data download (the newest ones).
pub const MAX_EXPORT_ORDERS: i64 = 1_000;
/// What an erased order's email and name read afterwards.
pub const ERASED: &str = "erased";

/// An email as accounts compare it: trimmed, ASCII lower case (orders are matched to an
/// account on this, by the orders' case-insensitive index).
pub fn normalize_email(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

/// Whether `s` is a SHA-256 (or HMAC-SHA256) in lower-case hex.
pub fn valid_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `s` is a sign-in nonce: 32 lower-case hex characters.
pub fn valid_nonce(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `POST /customers/sign-ins`: send a sign-in email to `email`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInRequest {
    /// The address as typed (the writer normalises it).
    pub email: String,
    /// The pages' pseudonymous key of the asking client.
    pub client: String,
    /// The random nonce the email's link and code are derived from.
    pub nonce: String,
    /// SHA-256 of the link's secret.
    pub token_hash: String,
    /// Keyed hash of the code with the address.
    pub code_hash: String,
    /// The language of the page it was asked from: the email speaks it.
    #[serde(default, skip_serializing_if = "crate::locale::Locale::is_default")]
    pub locale: crate::locale::Locale,
}

/// The answer to a sign-in request: the same whether or not the address has orders or
/// an account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInSent {
    /// Seconds the link works.
    pub expires_in: i64,
}

/// The session a confirmed sign-in begins (the SHA-256 of the cookie's secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewCustomerSession {
    /// SHA-256 of the cookie's secret, lower-case hex.
    pub id: String,
    /// The pages' pseudonymous client key.
    pub client: String,
}

/// `POST /customers/sign-ins/confirm`: a link's secret hash, or an address and its
/// code's hash, and the session to begin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfirmSignIn {
    /// SHA-256 of the link's secret (a link), or empty.
    #[serde(default)]
    pub token_hash: String,
    /// The address (a code), or empty.
    #[serde(default)]
    pub email: String,
    /// Keyed hash of the code with the address (a code), or empty.
    #[serde(default)]
    pub code_hash: String,
    /// The session to begin.
    pub session: NewCustomerSession,
}

/// A signed-in customer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Account {
    /// The verified, normalised email.
    pub email: String,
    /// When the email was first verified (RFC 3339 UTC).
    pub since: String,
    /// Saved addresses, oldest first.
    pub addresses: Vec<SavedAddress>,
}

/// An address the customer keeps to prefill checkout.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedAddress {
    /// Row id (to remove it).
    pub id: i64,
    /// Name on the parcel.
    pub name: String,
    /// The address.
    pub address: Address,
    /// Phone for the carrier, may be empty.
    #[serde(default)]
    pub phone: String,
}

/// `POST /customers/sessions/{id}/addresses`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewAddress {
    /// Name on the parcel.
    pub name: String,
    /// The address.
    pub address: Address,
    /// Phone for the carrier, may be empty.
    #[serde(default)]
    pub phone: String,
}

/// One order in the account's history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountOrder {
    /// The order number.
    pub number: String,
    /// Where it is in its life.
    pub state: OrderState,
    /// What it came to.
    pub total: Money,
    /// When it was placed (RFC 3339 UTC).
    pub created_at: String,
    /// The parcel's tracking, once shipped with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<Tracking>,
}

/// A page of the account's orders, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountOrders {
    /// The orders of this page.
    pub orders: Vec<AccountOrder>,
    /// `before=` for the next (older) page, if there is one.
    #[serde(default)]
    pub next_before: Option<i64>,
}

/// The data download: everything the shop keeps about the customer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountData {
    /// The account with its addresses.
    pub account: Account,
    /// The orders placed with the account's email, newest first (at most
    /// [`MAX_EXPORT_ORDERS`]).
    pub orders: Vec<OrderView>,
}

/// What an erasure did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Erased {
    /// Orders whose personal fields were anonymised.
    pub orders: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_trimmed_and_lower_case() {
        assert_eq!(normalize_email("  Ada@Example.ORG "), "ada@example.org");
    }

    #[test]
    fn hashes_and_nonces_have_their_shape() {
        assert!(valid_hash(&"a".repeat(64)));
        assert!(!valid_hash(&"A".repeat(64)));
        assert!(!valid_hash(&"a".repeat(63)));
        assert!(valid_nonce(&"0".repeat(32)));
        assert!(!valid_nonce(&"g".repeat(32)));
    }
}
