//! The sign-in email of a customer account (outbox event `account.sign_in`): a one-time
//! link and the same sign-in's code, derived from the message's nonce with the cookie
//! secret ([`SignInSecrets`]); the outbox itself holds neither. The email says only what
//! the shopper asked for, whether or not the address has an account.

use crate::security::customer_session::SignInSecrets;
use crate::security::signing::Key;
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
    let subject = format!("Your sign-in link · {}", shop.name);
    let text = format!(
        "Hello,\n\nsomeone asked to sign in to {name} with this email address. To sign in, open \
         this link and confirm:\n\n{link}\n\nor type this code: {code}\n\nThe link and the code \
         work once, for {minutes} minutes. If you did not ask for this, ignore this email.\n\n{name}\n",
        name = shop.name,
        code = secrets.code,
    );
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:system-ui,sans-serif;color:#1d2330;max-width:36rem;margin:0 auto;padding:1rem" {
                p style="font-weight:700;font-size:1.2rem" { (shop.name) }
                h1 style="font-size:1.3rem" { "Sign in" }
                p { "Someone asked to sign in to " (shop.name) " with this email address." }
                p { a href=(link) { "Sign in" } }
                p { "Or type this code: " strong style="font-size:1.2rem;letter-spacing:.1em" { (secrets.code) } }
                p { "The link and the code work once, for " (minutes) " minutes. If you did not ask \
                     for this, ignore this email." }
            }
        }
    };
    Some(LocalMail {
        subject,
        text,
        html: html.into_string(),
    })
}
