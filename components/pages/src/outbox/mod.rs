//! The outbox's dispatcher: claims the messages the writer says are due (under a lease,
//! see the writer's `outbox`), delivers each (an email through the email API, or to the
//! local mailbox when no API key is set; a signed webhook to an owner's endpoint) and
//! reports every outcome back. The writer never calls out; this code does it for it.
//!
//! It runs in two places, the same code: the `outbox-dispatcher` component of
//! `spin.toml` (this wasm with `role = "dispatcher"`, on a private route; `storefront up`
//! and `storefront writer` call its `POST /run` on a timer), and the shop's own
//! `POST /admin/outbox/dispatch` (admin bearer token) for a scheduler under real
//! `spin up`. Two rounds at once never send one message twice while their leases last:
//! each message is leased to one of them.

pub mod addresses;
pub mod email;
pub mod templates;
pub mod webhook;

use crate::http::Resp;
use crate::writer::{WriterClient, WriterError};
use serde::Serialize;
use storefront_domain::checkout::ShopSettings;
use storefront_domain::outbox::{ClaimRequest, DeliveryReport, Message, Outcome};

/// Messages one round claims: a round delivers them one after another.
pub const ROUND_SIZE: i64 = 20;
/// How long a claim is this round's alone (the `outbox_lease_seconds` variable may
/// change it). Longer than an instance may live (60 s under the storefront host), so a
/// round still running never loses its lease; a round that died leaves its messages to
/// the next round after this.
pub const LEASE_SECONDS: i64 = 120;

/// The dispatcher's Spin variables.
pub struct Settings {
    /// Email API base URL, without a trailing slash.
    pub email_api_base: String,
    /// Empty: emails go to the local mailbox (`/admin/mail`) instead.
    pub email_api_key: String,
    pub email_from: String,
    /// The shop's public address for links in emails, without a trailing slash.
    pub shop_url: String,
    pub lease_seconds: i64,
}

impl Settings {
    pub fn load() -> Settings {
        let get = |name: &str| {
            spin_sdk::variables::get(name)
                .unwrap_or_default()
                .trim()
                .trim_end_matches('/')
                .to_string()
        };
        Settings {
            email_api_base: get("email_api_base"),
            email_api_key: get("email_api_key"),
            email_from: get("email_from"),
            shop_url: get("shop_url"),
            lease_seconds: get("outbox_lease_seconds")
                .parse()
                .ok()
                .filter(|n| (1..=600).contains(n))
                .unwrap_or(LEASE_SECONDS),
        }
    }
}

/// What one round did.
#[derive(Debug, Default, Serialize)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
    /// Reports the writer refused because another dispatcher holds the message now.
    pub lease_lost: usize,
    pub results: Vec<String>,
}

/// `POST /run` (dispatcher role) and `POST /admin/outbox/dispatch`: one round.
pub async fn run(writer: &WriterClient, now: u64) -> Resp {
    match round(writer, &Settings::load(), now).await {
        Ok(round) => Resp::json(200, &round),
        Err(e) => crate::http::json::writer_failed(e),
    }
}

pub async fn round(
    writer: &WriterClient,
    settings: &Settings,
    now: u64,
) -> Result<Round, WriterError> {
    let dispatcher = format!("d-{}", crate::security::signing::random_hex(8));
    let claimed = writer
        .claim_messages(&ClaimRequest {
            dispatcher: dispatcher.clone(),
            limit: ROUND_SIZE,
            lease_seconds: settings.lease_seconds,
        })
        .await?;
    let mut round = Round::default();
    if claimed.messages.is_empty() {
        return Ok(round);
    }
    let shop = writer.settings().await?;
    for message in &claimed.messages {
        let outcome = deliver(message, &shop, settings, now).await;
        let result = match &outcome {
            Outcome::Delivered { local: None } => "delivered".to_string(),
            Outcome::Delivered { local: Some(_) } => "delivered to the local mailbox".to_string(),
            Outcome::Failed { error, permanent } => {
                format!("{error}{}", if *permanent { " (for good)" } else { "" })
            }
        };
        let line = format!(
            "{} {} to {} (attempt {}): {result}",
            message.event, message.message_id, message.recipient, message.attempt
        );
        eprintln!("outbox: {line}");
        let report = DeliveryReport {
            dispatcher: dispatcher.clone(),
            outcome: outcome.clone(),
        };
        match writer.report_message(&message.message_id, &report).await {
            Ok(_) if matches!(outcome, Outcome::Delivered { .. }) => round.delivered += 1,
            Ok(_) => round.failed += 1,
            Err(WriterError::Rejected { status: 409, .. }) => round.lease_lost += 1,
            Err(e) => return Err(e),
        }
        round.results.push(line);
    }
    Ok(round)
}

async fn deliver(message: &Message, shop: &ShopSettings, settings: &Settings, now: u64) -> Outcome {
    match message.channel.as_str() {
        "webhook" => webhook::deliver(message, now).await,
        "email" => {
            let Some(mail) = templates::render(message, shop, &settings.shop_url) else {
                return Outcome::Failed {
                    error: format!("no email template for {}", message.event),
                    permanent: true,
                };
            };
            if settings.email_api_key.is_empty() {
                return Outcome::Delivered { local: Some(mail) };
            }
            let api = email::EmailApi {
                base: &settings.email_api_base,
                key: &settings.email_api_key,
                from: &settings.email_from,
            };
            api.send(&message.message_id, &message.recipient, &mail)
                .await
        }
        other => Outcome::Failed {
            error: format!("unknown channel {other}"),
            permanent: true,
        },
    }
}
