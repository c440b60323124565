//! The transactional outbox as the writer and its dispatcher exchange it: claiming due
//! messages under a lease, reporting each delivery (alone or a batch at once), the retry
//! schedule, and the owner's webhook endpoints.
//!
//! The writer writes messages (by trigger, in the transaction of the change they are
//! about) and never calls out; a dispatcher (the pages code in its dispatcher role, or
//! the pages' own `POST /admin/outbox/dispatch`) claims what is due, delivers it and
//! reports back.

use crate::allowed_hosts::{AllowedHosts, Reach};
use crate::api::OrderView;
use crate::order::FieldError;
use serde::{Deserialize, Serialize};
use url::Url;

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

/// A dispatcher's id is 1 to 64 letters, digits, `-` or `_`: the field error at
/// `dispatcher` when `id` is not.
pub fn dispatcher_problem(id: &str) -> Option<FieldError> {
    let valid = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (!valid).then(|| FieldError::new("dispatcher", "must be 1 to 64 letters, digits, '-' or '_'"))
}

/// `POST /outbox/claim`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// Who claims (a random id per dispatcher run): only it may report these messages
    /// while its lease lasts.
    pub dispatcher: String,
    /// Most messages to claim.
    pub limit: i64,
    /// How long the claim holds, in seconds.
    pub lease_seconds: i64,
}

/// The answer to a claim: the messages now leased to the dispatcher.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Claimed {
    /// The claimed messages.
    pub messages: Vec<Message>,
}

/// One message to deliver, with everything its delivery needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    /// Stable id (`msg_…`): the email's `Message-ID` and the webhook's event id.
    pub message_id: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// What happened, e.g. `order.paid` or `stock.low`.
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
    /// Who reports: the id it claimed the message with.
    pub dispatcher: String,
    /// What the delivery came to.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl DeliveryReport {
    /// Every bad field: the `dispatcher` id ([`dispatcher_problem`]).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        match dispatcher_problem(&self.dispatcher) {
            Some(problem) => Err(vec![problem]),
            None => Ok(()),
        }
    }
}

/// `POST /outbox/results`: the outcomes of several deliveries of one claim, recorded in one
/// transaction, each exactly as its own [`DeliveryReport`] would be.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryReports {
    /// Who reports: the id it claimed the messages with.
    pub dispatcher: String,
    /// 1 to [`MAX_CLAIM`] outcomes, one per message.
    pub results: Vec<MessageOutcome>,
}

/// One message's outcome in [`DeliveryReports`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageOutcome {
    /// The message (`msg_…`).
    pub message_id: String,
    /// What its delivery came to.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl DeliveryReports {
    /// Every bad field: the `dispatcher` id ([`dispatcher_problem`]), `results` empty or
    /// longer than [`MAX_CLAIM`], and each `results[i].message_id` that an earlier entry
    /// already names (one message has one outcome per report).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> =
            dispatcher_problem(&self.dispatcher).into_iter().collect();
        if self.results.is_empty() || self.results.len() > MAX_CLAIM as usize {
            errors.push(FieldError::new(
                "results",
                format!("must list 1 to {MAX_CLAIM} outcomes"),
            ));
        }
        let mut first_of = std::collections::HashMap::with_capacity(self.results.len());
        for (i, result) in self.results.iter().enumerate() {
            let first = *first_of.entry(result.message_id.as_str()).or_insert(i);
            if first != i {
                errors.push(FieldError::new(
                    format!("results[{i}].message_id"),
                    format!("repeats results[{first}].message_id: one outcome per message"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What the writer answers to [`DeliveryReports`]: one entry per reported message, in the
/// request's order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReportAnswers {
    /// Each message's result, in the order the request listed them.
    pub results: Vec<ReportResult>,
}

/// What became of one message's reported outcome in a batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ReportResult {
    /// Recorded, or already finished before (then nothing changed): the message's state
    /// afterwards, as the single report answers it.
    Recorded(ReportAnswer),
    /// Another dispatcher holds the message now: its report counts, not this one, and
    /// nothing changed (the single report's `409 lease_lost`).
    LeaseLost {
        /// The message reported on.
        message_id: String,
    },
    /// No such message (the single report's `404 not_found`).
    NotFound {
        /// The message reported on.
        message_id: String,
    },
}

/// How one delivery ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted by the email API or the receiver (2xx); `local` carries the email when
    /// it went to the local mailbox instead (no email API configured).
    Delivered {
        /// The email, when it went to the local mailbox.
        #[serde(default)]
        local: Option<LocalMail>,
    },
    /// Not delivered: retried on the schedule, or given up when `permanent` (e.g. the
    /// email API refused the address) or out of attempts.
    Failed {
        /// Why it failed, for the delivery log.
        error: String,
        /// Whether retrying cannot help (the message is given up at once).
        permanent: bool,
    },
}

/// An email as rendered for the local mailbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LocalMail {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// What the writer answers to a report: the message's state afterwards.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportAnswer {
    /// The message reported on.
    pub message_id: String,
    /// `pending` (will be retried), `delivered` or `given_up`.
    pub state: String,
    /// Deliveries tried so far.
    pub attempts: i64,
    /// When it is tried next (unix seconds), while pending.
    #[serde(default)]
    pub next_attempt_at: Option<i64>,
}

/// A message as the owner sees it (`GET /admin/outbox`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Row id (for paging).
    pub id: i64,
    /// Stable id (`msg_…`).
    pub message_id: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// What happened, e.g. `order.paid`.
    pub event: String,
    /// The order it is about, if any.
    #[serde(default)]
    pub order_number: Option<String>,
    /// An email address, or the endpoint's URL.
    pub recipient: String,
    /// `pending`, `delivered` or `given_up`.
    pub state: String,
    /// Deliveries tried so far.
    pub attempts: i64,
    /// When it is due next (unix seconds).
    pub next_attempt_at: i64,
    /// Why the last delivery failed, if it did.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When the change happened (RFC 3339 UTC).
    pub created_at: String,
    /// When it was delivered or given up (RFC 3339 UTC).
    #[serde(default)]
    pub finished_at: Option<String>,
}

/// `GET /admin/outbox` answer, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OutboxList {
    /// The messages on this page.
    pub messages: Vec<OutboxEntry>,
    /// `before=` for the next (older) page, if there is one.
    #[serde(default)]
    pub next_before: Option<i64>,
}

/// A mail in the local mailbox (`GET /admin/mail`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailboxEntry {
    /// Row id (for paging).
    pub id: i64,
    /// The message's stable id (`msg_…`).
    pub message_id: String,
    /// The event it announces.
    pub event: String,
    /// The email address it was for.
    pub recipient: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
    /// When it arrived in the mailbox (RFC 3339 UTC).
    pub delivered_at: String,
}

/// `GET /admin/mail` answer, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Mailbox {
    /// The mails on this page.
    pub mails: Vec<MailboxEntry>,
    /// `before=` for the next (older) page, if there is one.
    #[serde(default)]
    pub next_before: Option<i64>,
}

/// `POST /admin/webhooks`: a new endpoint. Without a secret the writer makes one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewEndpoint {
    /// Where to deliver: a public `https` URL.
    pub url: String,
    /// Event names, or `["*"]` for all.
    pub events: Vec<String>,
    /// The signing secret to use; absent: the writer makes one (`whsec_…`).
    #[serde(default)]
    pub secret: Option<String>,
}

/// An endpoint as stored (the owner sees its secret to configure the receiver).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    /// Its id.
    pub id: i64,
    /// Where deliveries go.
    pub url: String,
    /// Event names it receives, or `["*"]` for all.
    pub events: Vec<String>,
    /// The signing secret (`whsec_…`).
    pub secret: String,
    /// A deactivated endpoint receives nothing more.
    pub active: bool,
    /// When it was registered (RFC 3339 UTC).
    pub created_at: String,
}

/// `GET /admin/webhooks` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Endpoints {
    /// Every endpoint, active or not.
    pub endpoints: Vec<Endpoint>,
}

/// The event of the owner's "Send a test event": delivered like any other, to one
/// endpoint only, about no order.
pub const TEST_EVENT: &str = "ping";
/// Deliveries an endpoint's log shows, newest first.
pub const DELIVERY_LOG: i64 = 20;

/// One delivery in an endpoint's log (`GET /admin/webhooks/{id}/deliveries`): a message
/// of the outbox to that endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    /// Stable id (`msg_…`), the event id the receiver gets.
    pub message_id: String,
    /// E.g. `order.paid`, or [`TEST_EVENT`].
    pub event: String,
    /// The order it is about, if any.
    #[serde(default)]
    pub order_number: Option<String>,
    /// When the change happened (RFC 3339 UTC).
    pub created_at: String,
    /// `pending`, `delivered` (the endpoint answered 2xx) or `given_up`.
    pub state: String,
    /// Deliveries tried so far.
    pub attempts: i64,
    /// Why the last try failed ("the endpoint answered 500", "failed", "refused: …").
    #[serde(default)]
    pub last_error: Option<String>,
    /// When it was delivered or given up.
    #[serde(default)]
    pub finished_at: Option<String>,
}

/// `GET /admin/webhooks/{id}/deliveries`: the endpoint and its last [`DELIVERY_LOG`]
/// deliveries, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointLog {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Its latest deliveries, newest first.
    pub deliveries: Vec<Delivery>,
}

/// Longest webhook endpoint URL.
pub const MAX_ENDPOINT_URL_LEN: usize = 500;

/// Why a URL cannot be a webhook endpoint, as the owner reads it next to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointProblem {
    /// Not a URL with a host, too long, or with credentials in it.
    Malformed,
    /// Not `https`.
    NotHttps,
    /// A private, local, internal or otherwise non-public address or name.
    NotPublic,
}

impl EndpointProblem {
    /// The sentence shown next to the URL field.
    pub fn message(self) -> String {
        match self {
            EndpointProblem::Malformed => format!(
                "must be an https URL of at most {MAX_ENDPOINT_URL_LEN} characters, without credentials"
            ),
            EndpointProblem::NotHttps => "must start with https://".into(),
            EndpointProblem::NotPublic => {
                "must be a public address, not a private, local or internal one".into()
            }
        }
    }
}

/// The `webhook_hosts` variable (one `allowed_outbound_hosts` entry) as an allow-list,
/// whose exactly named hosts [`endpoint_url`] trusts; unparsable, it trusts nothing.
pub fn webhook_hosts(entry: &str) -> AllowedHosts {
    AllowedHosts::parse(&[entry.trim().to_string()]).unwrap_or_default()
}

/// The canonical form of `url` if it may be a webhook endpoint: an `https` URL whose
/// host is public ([`network::is_public_host`]), or any http(s) URL whose host the
/// operator named exactly in `webhook_hosts` (a receiver on their own network). The
/// canonical form (the host as the URL parser normalised it) is what gets stored and
/// called, so the address judged here is the address the dispatcher sends to.
///
/// [`network::is_public_host`]: crate::network::is_public_host
pub fn endpoint_url(url: &str, webhook_hosts: &AllowedHosts) -> Result<String, EndpointProblem> {
    if url.len() > MAX_ENDPOINT_URL_LEN || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(EndpointProblem::Malformed);
    }
    let parsed = Url::parse(url).map_err(|_| EndpointProblem::Malformed)?;
    let (Some(host), Some(host_text)) = (parsed.host(), parsed.host_str()) else {
        return Err(EndpointProblem::Malformed);
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(EndpointProblem::Malformed);
    }
    let scheme = parsed.scheme();
    if !matches!(scheme, "https" | "http") {
        return Err(EndpointProblem::NotHttps);
    }
    let canonical = parsed.as_str().to_string();
    if canonical.len() > MAX_ENDPOINT_URL_LEN {
        return Err(EndpointProblem::Malformed);
    }
    if webhook_hosts.reach(scheme, host_text, parsed.port()) == Reach::Named {
        return Ok(canonical);
    }
    if !crate::network::is_public_host(&host) {
        return Err(EndpointProblem::NotPublic);
    }
    if scheme != "https" {
        return Err(EndpointProblem::NotHttps);
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reports(dispatcher: &str, ids: &[&str]) -> DeliveryReports {
        DeliveryReports {
            dispatcher: dispatcher.into(),
            results: ids
                .iter()
                .map(|id| MessageOutcome {
                    message_id: id.to_string(),
                    outcome: Outcome::Delivered { local: None },
                })
                .collect(),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_batch_of_reports_lists_1_to_max_claim_distinct_messages() {
        assert!(reports("d-1", &["msg_a"]).validate().is_ok());
        let ids: Vec<String> = (0..MAX_CLAIM).map(|i| format!("msg_{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert!(reports("d-1", &ids).validate().is_ok());

        let mut over: Vec<&str> = ids.clone();
        over.push("msg_one_more");
        assert_eq!(
            fields(reports("d-1", &over).validate().unwrap_err()),
            ["results"]
        );
        assert_eq!(
            fields(reports("d-1", &[]).validate().unwrap_err()),
            ["results"]
        );
    }

    #[test]
    fn a_repeated_message_is_named_at_each_repeat() {
        let errors = reports("d-1", &["msg_a", "msg_b", "msg_a", "msg_a"])
            .validate()
            .unwrap_err();
        assert_eq!(
            fields(errors.clone()),
            ["results[2].message_id", "results[3].message_id"]
        );
        assert!(errors[1].message.contains("results[0]"), "{errors:?}");
    }

    #[test]
    fn every_bad_field_of_a_batch_is_named_at_once() {
        for bad in ["", "x y", &"d".repeat(65), "d/1"] {
            assert_eq!(
                fields(reports(bad, &["msg_a", "msg_a"]).validate().unwrap_err()),
                ["dispatcher", "results[1].message_id"],
                "{bad:?}"
            );
        }
        assert!(reports(&"d".repeat(64), &["msg_a"]).validate().is_ok());
        let single = DeliveryReport {
            dispatcher: "x y".into(),
            outcome: Outcome::Delivered { local: None },
        };
        assert_eq!(fields(single.validate().unwrap_err()), ["dispatcher"]);
    }

    #[test]
    fn a_batch_and_its_answer_read_as_the_dispatcher_and_writer_write_them() {
        let request: DeliveryReports = serde_json::from_value(serde_json::json!({
            "dispatcher": "d-1",
            "results": [
                {"message_id": "msg_a", "outcome": "delivered"},
                {"message_id": "msg_b", "outcome": "failed", "error": "500", "permanent": false},
            ]
        }))
        .unwrap();
        assert_eq!(
            request.results[0].outcome,
            Outcome::Delivered { local: None }
        );
        assert_eq!(
            request.results[1].outcome,
            Outcome::Failed {
                error: "500".into(),
                permanent: false
            }
        );
        let answer = ReportAnswers {
            results: vec![
                ReportResult::Recorded(ReportAnswer {
                    message_id: "msg_a".into(),
                    state: "delivered".into(),
                    attempts: 1,
                    next_attempt_at: None,
                }),
                ReportResult::LeaseLost {
                    message_id: "msg_b".into(),
                },
            ],
        };
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            serde_json::json!({"results": [
                {"result": "recorded", "message_id": "msg_a", "state": "delivered",
                 "attempts": 1, "next_attempt_at": null},
                {"result": "lease_lost", "message_id": "msg_b"},
            ]})
        );
        let back: ReportAnswers =
            serde_json::from_value(serde_json::to_value(&answer).unwrap()).unwrap();
        assert!(matches!(&back.results[0], ReportResult::Recorded(a) if a.state == "delivered"));
    }

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
    fn public_https_endpoints_are_accepted_in_canonical_form() {
        let any = webhook_hosts("https://*:*");
        assert_eq!(
            endpoint_url("https://hooks.example.com/storefront", &any),
            Ok("https://hooks.example.com/storefront".into())
        );
        assert_eq!(
            endpoint_url("https://HOOKS.Example.com:8443", &any),
            Ok("https://hooks.example.com:8443/".into())
        );
        assert_eq!(
            endpoint_url("https://[2606:4700:4700::1111]/in", &any),
            Ok("https://[2606:4700:4700::1111]/in".into())
        );
    }

    #[test]
    fn refused_endpoints_say_why() {
        let any = webhook_hosts("https://*:*");
        for (url, problem) in [
            ("ftp://example.com", EndpointProblem::NotHttps),
            ("http://hooks.example.com/in", EndpointProblem::NotHttps),
            ("https://user:pw@example.com/", EndpointProblem::Malformed),
            ("https://", EndpointProblem::Malformed),
            ("https:///x", EndpointProblem::NotPublic),
            ("https://exa mple.com", EndpointProblem::Malformed),
            ("not a url", EndpointProblem::Malformed),
            ("mailto:owner@example.com", EndpointProblem::Malformed),
            ("https://127.0.0.1:9000/in", EndpointProblem::NotPublic),
            ("https://2130706433/", EndpointProblem::NotPublic),
            ("http://10.0.0.1/", EndpointProblem::NotPublic),
            ("https://[::ffff:127.0.0.1]/", EndpointProblem::NotPublic),
            ("https://localhost:3000/", EndpointProblem::NotPublic),
            (
                "https://writer.spin.internal/admin/webhooks/1/deactivate",
                EndpointProblem::NotPublic,
            ),
        ] {
            assert_eq!(endpoint_url(url, &any), Err(problem), "{url}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_ENDPOINT_URL_LEN));
        assert_eq!(endpoint_url(&long, &any), Err(EndpointProblem::Malformed));
    }

    #[test]
    fn a_host_the_operator_named_exactly_is_trusted() {
        let local = webhook_hosts("http://127.0.0.1:*");
        assert_eq!(
            endpoint_url("http://127.0.0.1:9000/in", &local),
            Ok("http://127.0.0.1:9000/in".into())
        );
        // The numeric spelling of the named address is the named address.
        assert_eq!(
            endpoint_url("http://2130706433:9000/in", &local),
            Ok("http://127.0.0.1:9000/in".into())
        );
        assert_eq!(
            endpoint_url("https://127.0.0.1:9000/in", &local),
            Err(EndpointProblem::NotPublic),
            "the entry names http only"
        );
        assert_eq!(
            endpoint_url("http://10.0.0.1/", &local),
            Err(EndpointProblem::NotPublic)
        );
        let suffix = webhook_hosts("https://*.corp.example");
        assert_eq!(
            endpoint_url("https://10.0.0.1/", &suffix),
            Err(EndpointProblem::NotPublic),
            "a wildcard trusts nothing"
        );
    }
}
