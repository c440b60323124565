//! The emails about returns (events written by migration 0028's triggers): to the shopper
//! when they asked for a return (`return.requested`), when the shop accepted it
//! (`return.accepted`, with the refund) or refused it (`return.refused`, with the shop's
//! reason, quoted as the shop's words); to the shop's contact address when a return waits
//! for an answer (`return.requested.owner`, a link to the back office's list). The
//! shopper's emails are the order email's frame ([`super::templates`]) with these words.

use crate::i18n::Lang;
use crate::tr;
use maud::html;
use storefront_domain::Money;
use storefront_domain::checkout::ShopSettings;
use storefront_domain::outbox::{LocalMail, Message};

/// The shop's email about a return waiting for its answer.
pub const OWNER_EVENT: &str = "return.requested.owner";

/// The subject and paragraph of a shopper's email about a return, in the order's
/// language `lang`; `None` for other events.
pub fn wording(lang: Lang, message: &Message, number: &str) -> Option<(String, String)> {
    let p = &message.payload;
    match message.event.as_str() {
        "return.requested" => Some((
            tr!(lang, "mail-return-requested-subject", number = number),
            tr!(lang, "mail-return-requested"),
        )),
        "return.accepted" => {
            let accepted = tr!(lang, "mail-return-accepted");
            let paragraph = match (p["refund"].as_i64(), p["currency"].as_str()) {
                (Some(amount), Some(currency)) => format!(
                    "{accepted} {}",
                    tr!(
                        lang,
                        "mail-return-refunding",
                        amount = lang.money(&Money::new(amount, currency))
                    )
                ),
                _ => accepted,
            };
            Some((
                tr!(lang, "mail-return-accepted-subject", number = number),
                paragraph,
            ))
        }
        "return.refused" => {
            let why = p["refusal"].as_str().unwrap_or_default();
            Some((
                tr!(lang, "mail-return-refused-subject", number = number),
                tr!(lang, "mail-return-refused", reason = why),
            ))
        }
        _ => None,
    }
}

/// The shop's email: a return of order `number` waits for an answer.
pub fn owner(message: &Message, shop: &ShopSettings, shop_url: &str) -> Option<LocalMail> {
    let number = &message.order.as_ref()?.number;
    let reason = message.payload["reason"].as_str().unwrap_or_default();
    let link = format!("{}/admin/returns", shop_url.trim_end_matches('/'));
    let subject = format!("Return requested for order {number} · {}", shop.name);
    let text = format!(
        "A customer asked to return items of order {number}.\n\nTheir reason: {reason}\n\n\
         Accept or refuse it in the back office: {link}"
    );
    let body = html! {
        p { "A customer asked to return items of order " strong { (number) } "." }
        p { "Their reason: " (reason) }
        p { a href=(link) { "Accept or refuse it in the back office" } }
    };
    Some(super::templates::to_the_shop(shop, subject, text, body))
}
