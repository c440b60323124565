//! The transactional outbox as the writer and its dispatcher exchange it: claiming due
//! messages under a lease, reporting each delivery, the retry schedule, and the owner's
//! webhook endpoints.
//!
//! The writer writes messages (by trigger, in the transaction of the change they are
//! about) and never calls out; a dispatcher (the pages code in its dispatcher role, or
//! the pages' own `POST /admin/outbox/dispatch`) claims what is due, delivers it and
//! reports back.

use crate::api::OrderView;
use serde::{Deserialize, Serialize};

/// Every event a message can be about.
pub const EVENTS: [&str; 7] = [
    "order.placed",
    "order.paid",
    "order.shipped",
    "order.cancelled",
    "order.refunded",
    "order.partially_refunded",
    "stock.low",
];

/// Deliveries tried before a message is given up.
pub const MAX_ATTEMPTS: i64 = 12;
/// Wait after the first failed delivery (the writer's `outbox_first_retry_seconds`
/// variable may shorten it, for tests); it doubles with each further failure…
pub const FIRST_RETRY_SECONDS: i64 = 30;
/// …up to this.
pub const MAX_RETRY_SECONDS: i64 = 6 * 60 * 60;
/// Each wait is scattered by up to this share either way, so that messages that failed
/// together (a receiver that was down) are not retried in lockstep.
pub const RETRY_JITTER_PERCENT: i64 = 20;
/// Most messages one claim hands out.
pub const MAX_CLAIM: i64 = 50;
/// Longest lease a dispatcher may ask for, in seconds.
pub const MAX_LEASE_SECONDS: i64 = 600;
/// A pending message this long past its due time is overdue (`storefront check`).
pub const OVERDUE_SECONDS: i64 = 60 * 60;
/// Longest error kept from a failed delivery.
pub const MAX_ERROR_LEN: usize = 500;
/// Webhook endpoints the owner may have at once (active).
pub const MAX_ENDPOINTS: i64 = 20;

/// The wait after failed delivery number `attempt` (1-based), before jitter, when the
/// first wait is `first` seconds.
pub fn retry_delay(first: i64, attempt: i64) -> i64 {
    let doublings = (attempt.max(1) - 1).min(30) as u32;
    first
        .max(1)
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_SECONDS)
}

/// `POST /outbox/claim`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// Who claims (a random id per dispatcher run): only it may report these messages
    /// while its lease lasts.
    pub dispatcher: String,
    pub limit: i64,
    pub lease_seconds: i64,
}

/// The answer to a claim: the messages now leased to the dispatcher.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Claimed {
    pub messages: Vec<Message>,
}

/// One message to deliver, with everything its delivery needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub message_id: String,
    /// `email` or `webhook`.
    pub channel: String,
    pub event: String,
    /// The delivery this claim is (1 = first).
    pub attempt: i64,
    /// An email address, or the webhook endpoint's URL.
    pub recipient: String,
    /// The endpoint's signing secret (webhooks only).
    #[serde(default)]
    pub secret: Option<String>,
    /// When the change happened (RFC 3339).
    pub created_at: String,
    /// The order as it is now (order events).
    #[serde(default)]
    pub order: Option<OrderView>,
    /// The message's own facts: `{"state", "from"}` for order events, `{"sku", "stock"}`
    /// for low stock.
    pub payload: serde_json::Value,
}

/// `POST /outbox/{message_id}/result`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryReport {
    pub dispatcher: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted by the email API or the receiver (2xx); `local` carries the email when
    /// it went to the local mailbox instead (no email API configured).
    Delivered {
        #[serde(default)]
        local: Option<LocalMail>,
    },
    /// Not delivered: retried on the schedule, or given up when `permanent` (e.g. the
    /// email API refused the address) or out of attempts.
    Failed { error: String, permanent: bool },
}

/// An email as rendered for the local mailbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LocalMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What the writer answers to a report: the message's state afterwards.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportAnswer {
    pub message_id: String,
    /// `pending` (will be retried), `delivered` or `given_up`.
    pub state: String,
    pub attempts: i64,
    #[serde(default)]
    pub next_attempt_at: Option<i64>,
}

/// A message as the owner sees it (`GET /admin/outbox`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub message_id: String,
    pub channel: String,
    pub event: String,
    #[serde(default)]
    pub order_number: Option<String>,
    pub recipient: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    #[serde(default)]
    pub last_error: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub finished_at: Option<String>,
}

/// `GET /admin/outbox` answer, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OutboxList {
    pub messages: Vec<OutboxEntry>,
    /// `before=` for the next (older) page, if there is one.
    #[serde(default)]
    pub next_before: Option<i64>,
}

/// A mail in the local mailbox (`GET /admin/mail`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailboxEntry {
    pub id: i64,
    pub message_id: String,
    pub event: String,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub delivered_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Mailbox {
    pub mails: Vec<MailboxEntry>,
    #[serde(default)]
    pub next_before: Option<i64>,
}

/// `POST /admin/webhooks`: a new endpoint. Without a secret the writer makes one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewEndpoint {
    pub url: String,
    /// Event names, or `["*"]` for all.
    pub events: Vec<String>,
    #[serde(default)]
    pub secret: Option<String>,
}

/// An endpoint as stored (the owner sees its secret to configure the receiver).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub active: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Endpoints {
    pub endpoints: Vec<Endpoint>,
}

/// Whether `url` may be a webhook endpoint: http(s), a host, no credentials, short.
pub fn valid_endpoint_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    matches!(scheme, "https" | "http")
        && url.len() <= 500
        && !host.is_empty()
        && !host.contains('@')
        && url.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_doubles_up_to_the_cap() {
        let first = FIRST_RETRY_SECONDS;
        assert_eq!(retry_delay(first, 1), 30);
        assert_eq!(retry_delay(first, 2), 60);
        assert_eq!(retry_delay(first, 5), 480);
        assert_eq!(retry_delay(first, 11), MAX_RETRY_SECONDS);
        assert_eq!(retry_delay(first, 1000), MAX_RETRY_SECONDS);
        assert_eq!(retry_delay(1, 3), 4);
    }

    #[test]
    fn endpoint_urls() {
        assert!(valid_endpoint_url("https://hooks.example.com/storefront"));
        assert!(valid_endpoint_url("http://127.0.0.1:9000/in"));
        assert!(!valid_endpoint_url("ftp://example.com"));
        assert!(!valid_endpoint_url("https://user:pw@example.com/"));
        assert!(!valid_endpoint_url("https:///x"));
        assert!(!valid_endpoint_url("https://exa mple.com"));
    }
}
