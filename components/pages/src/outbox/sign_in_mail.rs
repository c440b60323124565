//! The sign-in email of a customer account (outbox event `account.sign_in`): a one-time
//! link and the same sign-in's code, derived from the message's nonce with the cookie
//! secret ([`SignInSecrets`]); the outbox itself holds neither. The email says only what
//! the shopper asked for, whether or not the address has an account.

use crate::i18n::Lang;
use crate::security::customer_session::SignInSecrets;
use crate::security::signing::Key;
use crate::tr;
use maud::{DOCTYPE, html};
use storefront_domain::checkout::ShopSettings;
use storefront_domain::customer::{SIGN_IN_LINK_SECONDS, valid_nonce};
use storefront_domain::outbox::{LocalMail, Message};

/// The outbox event of a sign-in email (the writer's `customers::sign_ins::EVENT`).
pub const EVENT: &str = "account.sign_in";

/// The email, or `None` when the message carries no nonce.
pub fn render(
    message: &Message,
    shop: &ShopSettings,
    shop_url: &str,
    key: &Key,
) -> Option<LocalMail> {
    let nonce = message.payload["nonce"]
        .as_str()
        .filter(|n| valid_nonce(n))?;
    let secrets = SignInSecrets::of(key, nonce);
    let link = format!("{shop_url}/login/link?token={}", secrets.token);
    let minutes = SIGN_IN_LINK_SECONDS / 60;
    // The language of the page the sign-in was asked from (English for older messages).
    let lang =
        serde_json::from_value::<Lang>(message.payload["locale"].clone()).unwrap_or_default();
    let name = shop.name.as_str();
    let subject = format!("{} · {name}", tr!(lang, "sign-in-subject"));
    let asked = tr!(lang, "sign-in-asked", shop = name);
    let once = tr!(lang, "sign-in-once", minutes = minutes);
    let text = format!(
        "{}\n\n{asked} {}\n\n{link}\n\n{} {code}\n\n{once}\n\n{name}\n",
        tr!(lang, "mail-hello"),
        tr!(lang, "sign-in-open"),
        tr!(lang, "sign-in-code"),
        code = secrets.code,
    );
    let html = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:system-ui,sans-serif;color:#1d2330;max-width:36rem;margin:0 auto;padding:1rem" {
                p style="font-weight:700;font-size:1.2rem" { (shop.name) }
                h1 style="font-size:1.3rem" { (tr!(lang, "sign-in-title")) }
                p { (asked) }
                p { a href=(link) { (tr!(lang, "sign-in-title")) } }
                p { (tr!(lang, "sign-in-code")) " " strong style="font-size:1.2rem;letter-spacing:.1em" { (secrets.code) } }
                p { (once) }
            }
        }
    };
    Some(LocalMail {
        subject,
        text,
        html: html.into_string(),
    })
}
