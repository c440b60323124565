//! The fixed set of notice codes that may cross a redirect in the shop, each with its
//! fixed [`Flash`] text.
//!
//! A notice crosses a redirect in the `flash` cookie, read once by the next page and
//! cleared by it, so reloading that page does not repeat it and the address stays clean.
//! Only the return from the payment provider carries its notice in the URL
//! (`?notice=payment_submitted`): the provider, not our redirect, sends the shopper
//! there. Only codes travel and each maps to a fixed text, so neither a crafted link nor
//! a crafted cookie can make the shop display words of an attacker's choosing.

use crate::layout::flash::{Flash, Tone};
use storefront_domain::Quantity;

/// The code of [`Notice::OnlyLeft`] before its number.
const ONLY_LEFT: &str = "only_left:";

/// The cookie a notice crosses a redirect in.
pub const FLASH_COOKIE: &str = "flash";
/// Seconds the flash cookie lives if no page reads it.
pub const FLASH_TTL_SECONDS: u64 = 60;

/// Notices that may be passed across a redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Added,
    Capped,
    CartFull,
    SoldOut,
    Updated,
    Removed,
    CartEmpty,
    /// Back from Stripe: the payment is confirmed by webhook, maybe a moment later.
    PaymentSubmitted,
    /// An add asked for more than the shelf holds: the line was set to what is there.
    /// Its code carries the number (`only_left:3`), never words.
    OnlyLeft(i64),
    /// The option values chosen on a product page name a sold-out variant.
    ChoiceSoldOut,
    /// The checkout was submitted again for a cart whose order awaits payment: the order
    /// was changed to what was submitted.
    OrderChanged,
}

impl Notice {
    const ALL: [Notice; 10] = [
        Notice::Added,
        Notice::Capped,
        Notice::CartFull,
        Notice::SoldOut,
        Notice::Updated,
        Notice::Removed,
        Notice::CartEmpty,
        Notice::PaymentSubmitted,
        Notice::ChoiceSoldOut,
        Notice::OrderChanged,
    ];

    pub fn code(self) -> String {
        let code = match self {
            Notice::Added => "added",
            Notice::Capped => "capped",
            Notice::CartFull => "cart_full",
            Notice::SoldOut => "sold_out",
            Notice::Updated => "updated",
            Notice::Removed => "removed",
            Notice::CartEmpty => "cart_empty",
            Notice::PaymentSubmitted => "payment_submitted",
            Notice::OrderChanged => "order_changed",
            Notice::ChoiceSoldOut => "choice_sold_out",
            Notice::OnlyLeft(n) => return format!("{ONLY_LEFT}{n}"),
        };
        code.to_string()
    }

    /// Unknown codes are ignored rather than shown.
    pub fn from_code(code: &str) -> Option<Notice> {
        if let Some(n) = code.strip_prefix(ONLY_LEFT) {
            return match n.parse::<i64>() {
                Ok(left) if (1..=Quantity::MAX).contains(&left) && left.to_string() == n => {
                    Some(Notice::OnlyLeft(left))
                }
                _ => None,
            };
        }
        Notice::ALL.into_iter().find(|n| n.code() == code)
    }

    pub fn flash(self) -> Flash {
        if let Notice::OnlyLeft(n) = self {
            return Flash::new(
                Tone::Warning,
                format!("Only {n} left; we put {n} in your cart."),
            );
        }
        let (tone, text) = match self {
            Notice::Added => (Tone::Info, "Added to your cart."),
            Notice::Capped => (
                Tone::Warning,
                "You can order at most 99 of one product; that line was set to 99.",
            ),
            Notice::CartFull => (
                Tone::Warning,
                "Your cart is full (at most 50 different products). Check out or remove something first.",
            ),
            Notice::SoldOut => (Tone::Warning, "Sorry, that product is sold out."),
            Notice::Updated => (Tone::Info, "Your cart was updated."),
            Notice::Removed => (Tone::Info, "The product was removed from your cart."),
            Notice::CartEmpty => (
                Tone::Info,
                "Your cart is empty: add something before checking out.",
            ),
            Notice::PaymentSubmitted => (
                Tone::Info,
                "Thank you! Your payment is being confirmed; this page shows it as soon as it arrives.",
            ),
            Notice::OrderChanged => (
                Tone::Info,
                "Your order is updated with these details and keeps its number. It awaits payment: pay it here.",
            ),
            Notice::ChoiceSoldOut => (
                Tone::Warning,
                "Sorry, that choice is sold out. Please choose another.",
            ),
            Notice::OnlyLeft(_) => unreachable!("answered above"),
        };
        Flash::new(tone, text)
    }

    /// `path?notice=code`: only for the payment provider's return address.
    pub fn url(self, path: &str) -> String {
        format!("{path}?notice={}", self.code())
    }
}

/// The flash shown when a cart cookie could not be trusted and was replaced.
pub fn cart_restore_failed() -> Flash {
    Flash::new(
        Tone::Warning,
        "Your cart could not be restored and was emptied.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for n in Notice::ALL {
            assert_eq!(Notice::from_code(&n.code()), Some(n));
        }
    }

    #[test]
    fn arbitrary_text_is_never_a_notice() {
        assert_eq!(Notice::from_code("<script>alert(1)</script>"), None);
        assert_eq!(Notice::from_code("Your account was hacked"), None);
        assert_eq!(Notice::from_code(""), None);
    }

    #[test]
    fn only_left_carries_a_number_and_nothing_else() {
        let n = Notice::OnlyLeft(3);
        assert_eq!(n.code(), "only_left:3");
        assert_eq!(Notice::from_code("only_left:3"), Some(n));
        assert_eq!(n.flash().text, "Only 3 left; we put 3 in your cart.");
        for bad in [
            "only_left:",
            "only_left:0",
            "only_left:100",
            "only_left:03",
            "only_left:3x",
        ] {
            assert_eq!(Notice::from_code(bad), None, "{bad}");
        }
    }
}
