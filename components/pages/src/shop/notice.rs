//! The fixed set of notice codes that may cross a redirect in the shop, each with its
//! fixed [`Flash`] text.
//!
//! A notice crosses a redirect in the `flash` cookie, read once by the next page and
//! cleared by it, so reloading that page does not repeat it and the address stays clean.
//! Only the return from the payment provider carries its notice in the URL
//! (`?notice=payment_submitted`): the provider, not our redirect, sends the shopper
//! there. Only codes travel and each maps to a fixed text, so neither a crafted link nor
//! a crafted cookie can make the shop display words of an attacker's choosing.

use crate::i18n::Lang;
use crate::layout::flash::{Flash, Tone};
use crate::tr;
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

    /// The notice's words in `lang`.
    pub fn flash(self, lang: Lang) -> Flash {
        if let Notice::OnlyLeft(n) = self {
            return Flash::new(Tone::Warning, tr!(lang, "only-left", count = n));
        }
        let (tone, text) = match self {
            Notice::Added => (Tone::Info, "notice-added"),
            Notice::Capped => (Tone::Warning, "notice-capped"),
            Notice::CartFull => (Tone::Warning, "notice-cart-full"),
            Notice::SoldOut => (Tone::Warning, "notice-sold-out"),
            Notice::Updated => (Tone::Info, "notice-updated"),
            Notice::Removed => (Tone::Info, "notice-removed"),
            Notice::CartEmpty => (Tone::Info, "notice-cart-empty"),
            Notice::PaymentSubmitted => (Tone::Info, "notice-payment-submitted"),
            Notice::OrderChanged => (Tone::Info, "notice-order-changed"),
            Notice::ChoiceSoldOut => (Tone::Warning, "notice-choice-sold-out"),
            Notice::OnlyLeft(_) => unreachable!("answered above"),
        };
        Flash::new(tone, tr!(lang, text))
    }

    /// `path?notice=code`: only for the payment provider's return address.
    pub fn url(self, path: &str) -> String {
        format!("{path}?notice={}", self.code())
    }
}

/// The flash shown when a cart cookie could not be trusted and was replaced.
pub fn cart_restore_failed(lang: Lang) -> Flash {
    Flash::new(Tone::Warning, tr!(lang, "notice-cart-restore-failed"))
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
        assert_eq!(
            n.flash(Lang::En).text,
            "Only 3 left; we put 3 in your cart."
        );
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
