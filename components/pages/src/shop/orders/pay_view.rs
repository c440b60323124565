//! The payment step's pages (`GET /orders/{number}/pay`): Stripe's Payment Element, the
//! test-mode form, and "your payment is on its way".
//!
//! The Stripe page is the only page with a script. Values reach it as `data-`
//! attributes, which maud escapes like any attribute, and the script itself is a
//! constant allowed by its hash in the page's own Content-Security-Policy: no value is
//! ever pasted into JavaScript.

use super::view::{address, lines};
use crate::i18n::Lang;
use crate::layout::{Chrome, layout};
use crate::tr;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use maud::{Markup, PreEscaped, html};
use sha2::{Digest, Sha256};
use storefront_domain::{Money, OrderView};

/// What is being paid for: the items, totals and address, under the payment form; with
/// `changeable` (the order this browser placed for its cart), the way to change it.
fn summary(lang: Lang, order: &OrderView, changeable: bool) -> Markup {
    html! {
        section.panel aria-labelledby="pay-summary" {
            h2 #pay-summary { (tr!(lang, "pay-your-order")) }
            (lines(lang, order))
            h2 { (tr!(lang, "order-shipping-to")) }
            (address(lang, &order.name, &order.address))
            @if changeable {
                p { a href="/checkout" { (tr!(lang, "pay-edit")) } }
            }
            p { a href={ "/orders/" (order.number) } { (tr!(lang, "pay-see-order")) } }
        }
    }
}

/// What the Stripe page hands to Stripe.js.
pub struct StripeForm<'a> {
    pub order: &'a OrderView,
    pub order_number: &'a str,
    pub total: &'a Money,
    pub publishable_key: &'a str,
    pub client_secret: &'a str,
    /// Where Stripe sends the shopper after paying (made absolute by the script).
    pub return_path: &'a str,
    /// The order can be changed from this browser's checkout.
    pub changeable: bool,
}

pub fn stripe_page(chrome: &Chrome, form: StripeForm<'_>) -> Markup {
    let lang = chrome.lang;
    let total = lang.money(form.total);
    let content = html! {
        h1 { (tr!(lang, "pay-title")) }
        div.panel.pay {
            p { (tr!(lang, "pay-order-total", number = form.order_number, total = total.as_str())) }
            form #payment-form {
                div #payment data-publishable-key=(form.publishable_key)
                    data-client-secret=(form.client_secret)
                    data-return-path=(form.return_path) {
                    div #payment-element {}
                }
                p #payment-message .error role="alert" {}
                button #payment-submit .primary type="submit" { (tr!(lang, "pay-button", total = total.as_str())) }
            }
            noscript { p.flash.error { (tr!(lang, "pay-needs-js")) } }
        }
        (summary(lang, form.order, form.changeable))
        script src="https://js.stripe.com/v3/" {}
        script { (PreEscaped(STRIPE_SCRIPT)) }
    };
    layout(chrome, &tr!(lang, "pay-title"), content)
}

pub fn test_page(chrome: &Chrome, order: &OrderView, csrf: &str, changeable: bool) -> Markup {
    let order_number = &order.number;
    let lang = chrome.lang;
    let total = lang.money(&order.total);
    let content = html! {
        p.flash.warning role="note" { strong { (tr!(lang, "pay-test-warning")) } " " (tr!(lang, "pay-test-warning-rest")) }
        h1 { (tr!(lang, "pay-title")) }
        div.panel.pay {
            p { (tr!(lang, "pay-order-total", number = order_number.as_str(), total = total.as_str())) }
            form method="post" action={ "/orders/" (order_number) "/pay/test" } {
                input type="hidden" name="csrf" value=(csrf);
                button.primary type="submit" { (tr!(lang, "pay-test-button")) }
            }
        }
        (summary(lang, order, changeable))
    };
    layout(chrome, &tr!(lang, "pay-test-title"), content)
}

/// The intent is processing or already succeeded: nothing for the shopper to do.
pub fn underway_page(chrome: &Chrome, order_number: &str) -> Markup {
    let lang = chrome.lang;
    let content = html! {
        h1 { (tr!(lang, "pay-underway")) }
        div.panel.pay {
            p { (tr!(lang, "pay-underway-text", number = order_number)) }
            p { a.button.primary href={ "/orders/" (order_number) } { (tr!(lang, "pay-see-order")) } }
        }
    };
    layout(chrome, &tr!(lang, "pay-title"), content)
}

/// The Stripe page's policy: Stripe.js and our one script, Stripe's frames and API.
pub fn stripe_csp() -> String {
    let hash = STANDARD.encode(Sha256::digest(STRIPE_SCRIPT.as_bytes()));
    format!(
        "default-src 'none'; script-src https://js.stripe.com https://*.js.stripe.com 'sha256-{hash}'; \
         frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; \
         connect-src https://api.stripe.com; img-src 'self' https://*.stripe.com; \
         style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Mounts the Payment Element and confirms on submit. On success Stripe redirects to
/// the return URL; the function only comes back with an error to show.
const STRIPE_SCRIPT: &str = r##"
(function () {
  var data = document.getElementById("payment").dataset;
  var form = document.getElementById("payment-form");
  var message = document.getElementById("payment-message");
  var button = document.getElementById("payment-submit");
  if (typeof Stripe !== "function") {
    message.textContent = "The payment form could not be loaded. Please check your connection and reload the page.";
    button.disabled = true;
    return;
  }
  var stripe = Stripe(data.publishableKey);
  var elements = stripe.elements({ clientSecret: data.clientSecret });
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.textContent = "";
    stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: new URL(data.returnPath, window.location.href).href }
    }).then(function (result) {
      if (result.error) {
        message.textContent = result.error.message || "The payment did not go through.";
      }
      button.disabled = false;
    });
  });
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    fn chrome() -> Chrome {
        Chrome::plain(storefront_domain::checkout::ShopSettings::default())
    }

    fn order() -> OrderView {
        OrderView {
            number: "SF-1".into(),
            state: storefront_domain::OrderState::PendingPayment,
            email: "ada@example.com".into(),
            name: "Ada".into(),
            address: storefront_domain::Address {
                country: "GB".into(),
                city: "London".into(),
                ..Default::default()
            },
            items: Vec::new(),
            total: Money::new(2500, "EUR"),
            totals: storefront_domain::checkout::Totals::lines_only(Money::new(2500, "EUR")),
            shipping: None,
            discount: None,
            created_at: "2024-01-01T00:00:00Z".into(),
            updated_at: "2024-01-01T00:00:00Z".into(),
            events: Vec::new(),
            tracking: None,
            access_token: String::new(),
            phone: String::new(),
            note: String::new(),
            billing: None,
            locale: Default::default(),
        }
    }

    #[test]
    fn stripe_values_are_escaped_attributes_never_script() {
        let total = Money::new(2500, "EUR");
        let order = order();
        let page = stripe_page(
            &chrome(),
            StripeForm {
                order: &order,
                order_number: "SF-1",
                total: &total,
                publishable_key: "pk_test_\"><script>alert(1)</script>",
                client_secret: "pi_1_secret_abc",
                return_path: "/orders/SF-1?notice=payment_submitted",
                changeable: false,
            },
        )
        .into_string();
        assert!(page.contains(r#"<script src="https://js.stripe.com/v3/"></script>"#));
        assert!(page.contains(r#"data-client-secret="pi_1_secret_abc""#));
        assert!(page.contains("data-publishable-key=\"pk_test_&quot;&gt;&lt;script&gt;"));
        assert!(!page.contains("<script>alert(1)"));
        // The inline script is exactly the constant the policy's hash allows.
        assert!(page.contains(&format!("<script>{STRIPE_SCRIPT}</script>")));
        assert!(!STRIPE_SCRIPT.contains("pi_1"));
    }

    #[test]
    fn the_policy_allows_stripe_and_the_hashed_script_only() {
        let csp = stripe_csp();
        let hash = STANDARD.encode(Sha256::digest(STRIPE_SCRIPT.as_bytes()));
        assert!(csp.contains(&format!("'sha256-{hash}'")));
        let script_src = csp
            .split("; ")
            .find(|d| d.starts_with("script-src "))
            .unwrap();
        assert!(script_src.contains("https://js.stripe.com"));
        assert!(!script_src.contains("'unsafe-inline'") && !script_src.contains("'unsafe-eval'"));
        assert!(csp.contains("frame-src https://js.stripe.com"));
    }

    #[test]
    fn test_page_says_test_mode_and_posts_with_csrf() {
        let page = test_page(&chrome(), &order(), "tok", true).into_string();
        assert!(page.contains("United Kingdom") && page.contains("London"));
        assert!(page.contains("TEST MODE — no real money"));
        assert!(page.contains(r#"action="/orders/SF-1/pay/test""#));
        assert!(page.contains(r#"name="csrf" value="tok""#));
        assert!(page.contains("Pay (test mode)"));
        assert!(!page.contains("<script"));
        assert!(page.contains(r#"href="/checkout""#));
    }
}
