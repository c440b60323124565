//! `POST /webhooks/stripe`: verify the provider's signature on the raw body, read the
//! event, forward it to the writer, and tell the provider how it went.
//!
//! [`process`] is also the only way a test-mode payment or refund reaches the writer:
//! the test provider signs its events with the same secret and hands them over here,
//! so local runs exercise exactly the code that real money goes through.
//!
//! Answers: 200 `{"received": true, "outcome"}` once the writer has the event; 400
//! for a bad signature or an unreadable event (nothing is forwarded); 503 while the
//! writer is unavailable, so that Stripe delivers the event again later.

use super::signature::{self, SignatureError};
use super::{Payments, TEST_PAYMENTS_REFUSED, event};
use crate::http::{Req, Resp};
use crate::writer::WriterError;
use serde_json::json;
use storefront_domain::payments::{PROVIDER_STRIPE, PaymentEventResult};

/// Why an event was not taken.
#[derive(Debug)]
pub enum WebhookError {
    Signature(SignatureError),
    /// Signed, but not an event we can read.
    InvalidEvent(String),
    Writer(WriterError),
}

/// The route: a real Stripe delivery, always provider "stripe".
pub async fn receive(p: &Payments<'_>, req: &Req) -> Resp {
    match process(p, &req.body, req.header(signature::HEADER), PROVIDER_STRIPE).await {
        Ok(result) => Resp::json(200, &json!({ "received": true, "outcome": result.outcome })),
        Err(e) => e.into_json(),
    }
}

/// Verifies `raw` against `signature_header`, then forwards it as `provider`'s event.
pub async fn process(
    p: &Payments<'_>,
    raw: &[u8],
    signature_header: Option<&str>,
    provider: &str,
) -> Result<PaymentEventResult, WebhookError> {
    let secret = &p.settings.stripe_webhook_secret;
    let now = i64::try_from(p.now).unwrap_or(i64::MAX);
    if let Err(e) = signature::verify(secret, signature_header, raw, now) {
        // Never the body: an unverified body is anyone's words.
        eprintln!("webhook refused ({provider}): {}", e.message());
        if e == SignatureError::NoSecret {
            eprintln!("set stripe_webhook_secret to the endpoint's signing secret");
        }
        return Err(WebhookError::Signature(e));
    }
    let event = event::parse(raw, provider).map_err(|why| {
        eprintln!("webhook ({provider}): signed but unreadable event: {why}");
        WebhookError::InvalidEvent(why)
    })?;
    let result = p
        .writer
        .payment_event(&event)
        .await
        .map_err(WebhookError::Writer)?;
    eprintln!(
        "payment event {} {} ({provider}, order {}): {}",
        event.event_id,
        event.event_type,
        result.order_number.as_deref().unwrap_or("?"),
        result.outcome
    );
    Ok(result)
}

impl WebhookError {
    pub fn into_json(self) -> Resp {
        match self {
            WebhookError::Signature(e) => Resp::json_error(400, e.code(), e.message()),
            WebhookError::InvalidEvent(why) => Resp::json_error(
                400,
                "invalid_event",
                &format!("the event cannot be read: {why}"),
            ),
            // Passed on as is: it is the answer the test-mode caller has to see.
            WebhookError::Writer(WriterError::Rejected { status: 403, body })
                if body.error.code == TEST_PAYMENTS_REFUSED =>
            {
                Resp::json(403, &body)
            }
            WebhookError::Writer(e) => crate::http::json::writer_failed(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{PaymentMode, PaymentSettings};
    use crate::security::signing::Key;
    use crate::writer::WriterClient;
    use storefront_domain::ErrorBody;

    fn settings(secret: &str) -> PaymentSettings {
        PaymentSettings {
            mode: PaymentMode::Stripe,
            stripe_api_base: "https://api.stripe.com".into(),
            stripe_secret_key: String::new(),
            stripe_publishable_key: String::new(),
            stripe_webhook_secret: secret.into(),
            admin_token: String::new(),
        }
    }

    /// Runs `process` up to the point where it would call the writer; every case here
    /// must stop before that (the native test has no writer to call).
    fn refused(secret: &str, raw: &[u8], header: Option<&str>, now: u64) -> Resp {
        let key = Key::new("0123456789abcdef0123456789abcdef").unwrap();
        let writer = WriterClient::new("http://writer.invalid", "");
        let s = settings(secret);
        let p = Payments {
            settings: &s,
            key: &key,
            writer: &writer,
            now,
        };
        match futures::executor::block_on(process(&p, raw, header, "stripe")) {
            Err(e @ (WebhookError::Signature(_) | WebhookError::InvalidEvent(_))) => e.into_json(),
            other => panic!("expected a refusal before the writer, got {other:?}"),
        }
    }

    fn code(resp: &Resp) -> String {
        serde_json::from_slice::<ErrorBody>(&resp.body)
            .unwrap()
            .error
            .code
    }

    const SECRET: &str = "whsec_abc";
    const NOW: u64 = 1_700_000_000;

    #[test]
    fn unsigned_badly_signed_and_stale_events_are_400() {
        let body = br#"{"id":"evt_1"}"#;
        let good = signature::header(SECRET, NOW as i64, body);
        let cases: [(&str, Option<&str>, u64, &str); 5] = [
            (SECRET, None, NOW, "invalid_signature"),
            (SECRET, Some("t=1"), NOW, "invalid_signature"),
            ("whsec_other", Some(good.as_str()), NOW, "invalid_signature"),
            ("", Some(good.as_str()), NOW, "invalid_signature"),
            (SECRET, Some(good.as_str()), NOW + 301, "stale_signature"),
        ];
        for (secret, header, now, want) in cases {
            let r = refused(secret, body, header, now);
            assert_eq!((r.status, code(&r).as_str()), (400, want), "{header:?}");
        }
    }

    #[test]
    fn signed_but_unreadable_events_are_400() {
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
        let header = signature::header(SECRET, NOW as i64, body);
        let r = refused(SECRET, body, Some(&header), NOW);
        assert_eq!((r.status, code(&r).as_str()), (400, "invalid_event"));
    }

    #[test]
    fn writer_answers() {
        let r = WebhookError::Writer(WriterError::Unavailable).into_json();
        assert_eq!(r.status, 503, "Stripe retries");
        let refused = WriterError::Rejected {
            status: 403,
            body: ErrorBody::new(TEST_PAYMENTS_REFUSED, "no"),
        };
        let r = WebhookError::Writer(refused).into_json();
        assert_eq!((r.status, code(&r).as_str()), (403, TEST_PAYMENTS_REFUSED));
    }
}
