//! Delivering one event to an owner's webhook endpoint, signed like Stripe's webhooks:
//! `Storefront-Signature: t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{body}")}`,
//! with the event's id and type in `Storefront-Event-Id` and `Storefront-Event-Type`.
//! The id stays the same across retries, so a receiver that stores the ids it has seen
//! handles each event once. Any 2xx is delivered; anything else, or no answer within
//! the host's timeouts, is retried on the outbox schedule.
//!
//! The endpoint is judged again before each delivery by the rule of its registration
//! (`storefront_domain::outbox::endpoint_url`: public https, or a host the operator
//! named in `webhook_hosts`), so an endpoint that reached the database some other way
//! (a hand edit, a restore of an older shop) is not called; under the storefront host
//! the address its name resolves to is checked too, when connecting.
//!
//! What the owner reads about a failed delivery says no more than whether a public
//! server answered and with which status: an address refused here or by the host (not
//! public, or not in `webhook_hosts`) is "refused", and every network failure is plainly
//! "failed", so the delivery log cannot be used to scan what answers where.

use spin_sdk::http::{ErrorCode, Method, Request, Response, SendError, send};
use storefront_domain::OrderView;
use storefront_domain::outbox::{EndpointProblem, Message, Outcome, endpoint_url, webhook_hosts};

/// The `Storefront-Signature` value for `body` sent at `t`.
pub fn signature(secret: &str, t: u64, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The event as the receiver gets it.
pub fn body(message: &Message) -> Vec<u8> {
    // The access token is the shopper's key to the order, not the receiver's.
    let order = message.order.clone().map(|order| OrderView {
        access_token: String::new(),
        ..order
    });
    let event = serde_json::json!({
        "id": message.message_id,
        "type": message.event,
        "created": message.created_at,
        "data": {
            "order": order,
            "change": message.payload,
        },
    });
    serde_json::to_vec(&event).expect("serialises")
}

pub async fn deliver(message: &Message, now: u64) -> Outcome {
    let Some(secret) = &message.secret else {
        return Outcome::Failed {
            error: "the endpoint has no signing secret".into(),
            permanent: true,
        };
    };
    let trusted = webhook_hosts(&spin_sdk::variables::get("webhook_hosts").unwrap_or_default());
    let url = match endpoint_url(&message.recipient, &trusted) {
        Ok(url) => url,
        Err(problem) => {
            return Outcome::Failed {
                error: refusal(problem).into(),
                permanent: false,
            };
        }
    };
    let body = body(message);
    let mut request = Request::new(Method::Post, url);
    request.set_header("content-type", "application/json");
    request.set_header("user-agent", "storefront-webhooks/1");
    request.set_header("storefront-event-id", message.message_id.as_str());
    request.set_header("storefront-event-type", message.event.as_str());
    request.set_header("storefront-signature", signature(secret, now, &body));
    *request.body_mut() = body;
    match send::<_, Response>(request).await {
        Ok(response) if (200..300).contains(response.status()) => {
            Outcome::Delivered { local: None }
        }
        Ok(response) => Outcome::Failed {
            error: format!("the endpoint answered {}", response.status()),
            permanent: false,
        },
        Err(e) => Outcome::Failed {
            error: failure(&e).into(),
            permanent: false,
        },
    }
}

/// The delivery log's words for an endpoint the registration rule refuses.
fn refusal(problem: EndpointProblem) -> &'static str {
    match problem {
        EndpointProblem::NotPublic => "refused: not a public address",
        EndpointProblem::NotHttps => "refused: not an https URL",
        EndpointProblem::Malformed => "refused: not a valid URL",
    }
}

/// The delivery log's words for a request that got no answer.
fn failure(error: &SendError) -> &'static str {
    match error {
        SendError::Http(ErrorCode::DestinationIpProhibited) => "refused: not a public address",
        SendError::Http(ErrorCode::HttpRequestDenied) => "refused: not allowed by webhook_hosts",
        _ => "failed",
    }
}

#[cfg(test)]
mod tests {
    use spin_sdk::http::{ErrorCode, SendError};

    #[test]
    fn the_delivery_log_says_refused_or_failed_and_no_more() {
        let said = |code| super::failure(&SendError::Http(code));
        assert_eq!(
            said(ErrorCode::DestinationIpProhibited),
            "refused: not a public address"
        );
        assert_eq!(
            said(ErrorCode::HttpRequestDenied),
            "refused: not allowed by webhook_hosts"
        );
        for network in [
            ErrorCode::ConnectionRefused,
            ErrorCode::ConnectionTimeout,
            ErrorCode::TlsCertificateError,
            ErrorCode::TlsProtocolError,
            ErrorCode::DestinationNotFound,
            ErrorCode::DestinationUnavailable,
        ] {
            assert_eq!(said(network), "failed");
        }
    }

    #[test]
    fn signature_is_stripe_shaped() {
        // HMAC-SHA256("whsec_test", "1700000000.{}"), computed independently with openssl.
        assert_eq!(
            super::signature("whsec_test", 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
