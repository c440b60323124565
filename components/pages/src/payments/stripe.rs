//! The HTTP client for Stripe's API: creating an order's PaymentIntent, reading one
//! back, and refunding one.
//!
//! Every POST carries an `Idempotency-Key` derived from the order number
//! (`storefront-intent-{n}`, `storefront-refund-{n}`), so neither a retry here nor a
//! second shopper tab can make a second intent or refund for an order: Stripe answers
//! the first one again. That is also what makes the retries below safe. Stripe's
//! answer header `Stripe-Should-Retry` is obeyed when present.

use super::provider::{Intent, ProviderError};
use crate::writer::is_misconfiguration;
use serde::Deserialize;
use spin_sdk::http::{Method, Request, Response, send};
use std::time::Duration;
use storefront_domain::Money;

/// Attempts per call, and the pauses between them (Stripe asks for backoff).
const ATTEMPTS: usize = 3;
const DELAYS: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];

pub struct StripeClient<'a> {
    /// `stripe_api_base`, without a trailing slash.
    base: &'a str,
    secret_key: &'a str,
}

/// A refund as Stripe reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refund {
    pub id: String,
    /// `pending`, `succeeded`, `failed`, … (informational: the ledger moves on the
    /// `charge.refunded` webhook, not on this answer).
    pub status: String,
}

/// The fields of a PaymentIntent the shop reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct StripeIntent {
    id: String,
    client_secret: String,
    status: String,
    amount: i64,
    currency: String,
}

#[derive(Debug, Deserialize)]
struct StripeErrorBody {
    error: StripeErrorDetail,
}

#[derive(Debug, Deserialize)]
struct StripeErrorDetail {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

impl<'a> StripeClient<'a> {
    pub fn new(base: &'a str, secret_key: &'a str) -> StripeClient<'a> {
        StripeClient { base, secret_key }
    }

    /// `POST /v1/payment_intents` for the order's total. Stripe replays the first intent
    /// for the same key, so this is safe to call on every visit to the payment page.
    pub async fn create_intent(
        &self,
        order_number: &str,
        amount: &Money,
    ) -> Result<Intent, ProviderError> {
        let body = intent_form(order_number, amount);
        let key = format!("storefront-intent-{order_number}");
        let bytes = self
            .call(Method::Post, "/v1/payment_intents", Some(body), Some(&key))
            .await?;
        parse_intent(&bytes)
    }

    /// `GET /v1/payment_intents/{id}`: an intent recorded earlier that Stripe no longer
    /// replays for its idempotency key (keys expire after 24 hours); the writer does not
    /// store client secrets.
    pub async fn retrieve_intent(&self, intent_id: &str) -> Result<Intent, ProviderError> {
        if !valid_id(intent_id) {
            return Err(ProviderError::Broken(format!(
                "recorded intent id {intent_id:?} is not a Stripe id"
            )));
        }
        let path = format!("/v1/payment_intents/{intent_id}");
        let bytes = self.call(Method::Get, &path, None, None).await?;
        parse_intent(&bytes)
    }

    /// `POST /v1/payment_intents/{id}` with a new `amount`: the shopper changed their
    /// unpaid order, and the one intent follows its total.
    pub async fn update_amount(
        &self,
        intent_id: &str,
        amount: &Money,
    ) -> Result<Intent, ProviderError> {
        if !valid_id(intent_id) {
            return Err(ProviderError::Broken(format!(
                "intent id {intent_id:?} is not a Stripe id"
            )));
        }
        let path = format!("/v1/payment_intents/{intent_id}");
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("amount", &amount.amount.to_string())
            .finish();
        // No idempotency key: setting an amount is idempotent itself, and a key would
        // make a change back to an earlier amount replay an old answer instead.
        let bytes = self.call(Method::Post, &path, Some(body), None).await?;
        parse_intent(&bytes)
    }

    /// `POST /v1/payment_intents/{id}/cancel`, so an unused intent can never be paid.
    pub async fn cancel_intent(&self, intent_id: &str) -> Result<(), ProviderError> {
        if !valid_id(intent_id) {
            return Err(ProviderError::Broken(format!(
                "intent id {intent_id:?} is not a Stripe id"
            )));
        }
        let path = format!("/v1/payment_intents/{intent_id}/cancel");
        let key = format!("storefront-cancel-{intent_id}");
        self.call(Method::Post, &path, Some(String::new()), Some(&key))
            .await
            .map(|_| ())
    }

    /// `POST /v1/refunds` for `amount` of the intent's charge (all of it when `None`),
    /// under the provider idempotency key `key`.
    pub async fn create_refund(
        &self,
        intent_id: &str,
        order_number: &str,
        amount: Option<i64>,
        key: &str,
    ) -> Result<Refund, ProviderError> {
        let body = refund_form(intent_id, order_number, amount);
        let bytes = self
            .call(Method::Post, "/v1/refunds", Some(body), Some(key))
            .await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ProviderError::Broken(format!("unreadable refund from Stripe: {e}")))
    }

    /// Sends (and re-sends) one request; the body of a 2xx answer, or why not.
    async fn call(
        &self,
        method: Method,
        path: &str,
        form: Option<String>,
        idempotency_key: Option<&str>,
    ) -> Result<Vec<u8>, ProviderError> {
        let url = format!("{}{path}", self.base);
        let build = || {
            let mut req = Request::new(method.clone(), url.as_str());
            req.set_header("authorization", format!("Bearer {}", self.secret_key));
            req.set_header("accept", "application/json");
            if let Some(key) = idempotency_key {
                req.set_header("idempotency-key", key);
            }
            if let Some(form) = &form {
                req.set_header("content-type", "application/x-www-form-urlencoded");
                // A declared length rather than a chunked body: plain HTTP/1.1 servers
                // (and some proxies in front of the API) read the body by it.
                req.set_header("content-length", form.len().to_string());
                *req.body_mut() = form.clone().into_bytes();
            }
            req
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = send::<Request, Response>(build()).await;
            let last = attempt >= ATTEMPTS;
            match outcome {
                Ok(r) if (200..300).contains(r.status()) => return Ok(r.into_body()),
                Ok(r) => {
                    let status = *r.status();
                    let should_retry = r
                        .header("stripe-should-retry")
                        .and_then(|v| v.as_str())
                        .map(|v| v.eq_ignore_ascii_case("true"));
                    let retry = should_retry.unwrap_or(status == 429 || status >= 500);
                    if !retry || last {
                        return Err(refusal(status, r.body()));
                    }
                    eprintln!("stripe {method} {path}: answered {status}; retrying");
                }
                Err(e) if is_misconfiguration(&e) => {
                    return Err(ProviderError::Broken(format!(
                        "stripe {method} {url}: {e:?}; check stripe_api_base and allowed_outbound_hosts"
                    )));
                }
                Err(e) if last => {
                    return Err(ProviderError::Unavailable(format!(
                        "stripe {method} {path}: {e:?}"
                    )));
                }
                Err(e) => eprintln!("stripe {method} {path}: {e:?}; retrying"),
            }
            // Blocking is fine: this instance serves this one request and nothing else.
            std::thread::sleep(DELAYS[(attempt - 1).min(DELAYS.len() - 1)]);
        }
    }
}

/// The intent's form body. Stripe wants lower-case currencies; the metadata is what
/// lets any succeeded charge be matched to its order, even without our database.
fn intent_form(order_number: &str, amount: &Money) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("amount", &amount.amount.to_string())
        .append_pair("currency", &amount.currency.to_ascii_lowercase())
        .append_pair("metadata[order_number]", order_number)
        .append_pair("automatic_payment_methods[enabled]", "true")
        .finish()
}

fn refund_form(intent_id: &str, order_number: &str, amount: Option<i64>) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("payment_intent", intent_id);
    if let Some(amount) = amount {
        form.append_pair("amount", &amount.to_string());
    }
    form.append_pair("metadata[order_number]", order_number);
    form.finish()
}

fn parse_intent(bytes: &[u8]) -> Result<Intent, ProviderError> {
    let intent: StripeIntent = serde_json::from_slice(bytes)
        .map_err(|e| ProviderError::Broken(format!("unreadable PaymentIntent from Stripe: {e}")))?;
    Ok(Intent {
        id: intent.id,
        client_secret: intent.client_secret,
        status: intent.status,
        amount: Money::new(intent.amount, intent.currency.to_ascii_uppercase()),
    })
}

/// A non-2xx answer: Stripe's own message when it gave one (`{"error": {"message"}}`).
fn refusal(status: u16, body: &[u8]) -> ProviderError {
    match serde_json::from_slice::<StripeErrorBody>(body) {
        Ok(StripeErrorBody { error }) => ProviderError::Refused {
            status,
            code: error.code.or(error.kind),
            message: error
                .message
                .unwrap_or_else(|| format!("Stripe answered {status}")),
        },
        Err(_) => ProviderError::Broken(format!(
            "Stripe answered {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )),
    }
}

/// Stripe ids are `prefix_alphanumerics`; only such a value may go into a URL path.
fn valid_id(id: &str) -> bool {
    (3..=255).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_form_is_what_stripe_expects() {
        let form = intent_form("SF-1", &Money::new(2500, "EUR"));
        let pairs: Vec<(String, String)> = form_urlencoded::parse(form.as_bytes())
            .into_owned()
            .collect();
        let want = [
            ("amount", "2500"),
            ("currency", "eur"),
            ("metadata[order_number]", "SF-1"),
            ("automatic_payment_methods[enabled]", "true"),
        ];
        assert_eq!(
            pairs,
            want.map(|(k, v)| (k.to_string(), v.to_string())).to_vec()
        );
        assert!(form.starts_with("amount=2500&currency=eur&metadata%5Border_number%5D=SF-1"));
    }

    #[test]
    fn refund_form_names_the_intent() {
        assert_eq!(
            refund_form("pi_123", "SF-1", None),
            "payment_intent=pi_123&metadata%5Border_number%5D=SF-1"
        );
        assert_eq!(
            refund_form("pi_123", "SF-1", Some(250)),
            "payment_intent=pi_123&amount=250&metadata%5Border_number%5D=SF-1"
        );
    }

    #[test]
    fn intents_parse_with_upper_case_currency() {
        let body = br#"{"id":"pi_123","object":"payment_intent","amount":2500,"currency":"eur",
            "client_secret":"pi_123_secret_abc","status":"requires_payment_method",
            "metadata":{"order_number":"SF-1"},"livemode":false}"#;
        let intent = parse_intent(body).unwrap();
        assert_eq!(intent.id, "pi_123");
        assert_eq!(intent.client_secret, "pi_123_secret_abc");
        assert_eq!(intent.status, "requires_payment_method");
        assert_eq!(intent.amount, Money::new(2500, "EUR"));
        assert!(matches!(
            parse_intent(br#"{"id":"pi_1"}"#),
            Err(ProviderError::Broken(_))
        ));
    }

    #[test]
    fn stripe_errors_keep_their_message() {
        let body = br#"{"error":{"message":"Invalid API Key provided: sk_test_****1234","type":"invalid_request_error"}}"#;
        match refusal(401, body) {
            ProviderError::Refused {
                status,
                code,
                message,
            } => {
                assert_eq!(status, 401);
                assert_eq!(code.as_deref(), Some("invalid_request_error"));
                assert!(message.starts_with("Invalid API Key"));
            }
            other => panic!("{other:?}"),
        }
        let coded = br#"{"error":{"code":"amount_too_small","message":"Amount must be at least 50 cents","type":"invalid_request_error"}}"#;
        assert!(matches!(
            refusal(400, coded),
            ProviderError::Refused { code: Some(c), .. } if c == "amount_too_small"
        ));
        assert!(matches!(
            refusal(502, b"<html>bad gateway</html>"),
            ProviderError::Broken(_)
        ));
    }

    #[test]
    fn only_stripe_shaped_ids_reach_a_path() {
        assert!(valid_id("pi_3MtwBwLkdIwHu7ix28a3tqPa"));
        for bad in ["", "pi", "pi_1/../../v1/charges", "pi_1?expand=x", "pi 1"] {
            assert!(!valid_id(bad), "{bad:?}");
        }
    }
}
