//! The outbox's dispatcher: claims the messages the writer says are due (under a lease,
//! see the writer's `outbox`), delivers each (an email through the email API, or to the
//! local mailbox when no API key is set; a signed webhook to an owner's endpoint) and
//! reports the outcomes back in batches (`reports`). The writer never calls out; this code
//! does it for it.
//!
//! It runs in two places, the same code: the `outbox-dispatcher` component of
//! `spin.toml` (this wasm with `role = "dispatcher"`, on a private route; `storefront up`
//! and `storefront writer` call its `POST /run` on a timer), and the shop's own
//! `POST /admin/outbox/dispatch` (admin bearer token) for a scheduler under real
//! `spin up`. Two rounds at once never send one message twice while their leases last:
//! each message is leased to one of them. A round keeps up with a busy shop: several
//! deliveries at once, full claims, and another claim at once while the last came back
//! full.

pub mod addresses;
pub mod email;
pub mod reports;
pub mod return_mail;
pub mod sign_in_mail;
pub mod templates;
pub mod webhook;

use crate::http::Resp;
use crate::writer::{WriterClient, WriterError};
use serde::Serialize;
use storefront_domain::checkout::ShopSettings;
use storefront_domain::outbox::{ClaimRequest, Message, MessageOutcome, Outcome};

/// Messages one claim leases (the writer's largest claim).
pub const CLAIM_SIZE: i64 = storefront_domain::outbox::MAX_CLAIM;
/// Deliveries under way at once within a round (each an outbound request; the outcomes
/// go to the writer in batches, [`reports::REPORT_BATCH`]), so a slow email API or
/// receiver does not set the pace.
pub const CONCURRENT_DELIVERIES: usize = 8;
/// A round claims again at once while its claims come back full, until this much time
/// has passed (well inside an instance's life); then it answers `more` and the host
/// starts the next round at once.
pub const ROUND_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);
/// Result lines a round answers with at most (the counts cover every message).
pub const MAX_RESULT_LINES: usize = 100;
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
    /// The cookie secret, which sign-in emails' links and codes are derived with
    /// ([`sign_in_mail`]); `None` when it is not configured.
    pub key: Option<crate::security::signing::Key>,
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
            key: spin_sdk::variables::get("cookie_secret")
                .ok()
                .and_then(|secret| crate::security::signing::Key::new(&secret).ok()),
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
    /// Claims made (each up to [`CLAIM_SIZE`] messages).
    pub claims: usize,
    /// The round stopped at its time budget with messages still due: run another now.
    pub more: bool,
    /// The first [`MAX_RESULT_LINES`] deliveries, one line each.
    pub results: Vec<String>,
}

/// `POST /run` (dispatcher role) and `POST /admin/outbox/dispatch`: one round.
pub async fn run(writer: &WriterClient, now: u64) -> Resp {
    match round(writer, &Settings::load(), now).await {
        Ok(round) => Resp::json(200, &round),
        Err(e) => crate::http::json::writer_failed(e),
    }
}

/// Claims what is due and delivers it, [`CONCURRENT_DELIVERIES`] at a time, reporting the
/// outcomes in batches ([`reports::Pending`]); claims again at once while a claim came
/// back full, for up to [`ROUND_BUDGET`].
pub async fn round(
    writer: &WriterClient,
    settings: &Settings,
    now: u64,
) -> Result<Round, WriterError> {
    use futures::StreamExt as _;
    let started = std::time::Instant::now();
    let dispatcher = format!("d-{}", crate::security::signing::random_hex(8));
    let mut round = Round::default();
    let mut shop = None;
    loop {
        let claimed = writer
            .claim_messages(&ClaimRequest {
                dispatcher: dispatcher.clone(),
                limit: CLAIM_SIZE,
                lease_seconds: settings.lease_seconds,
            })
            .await?;
        round.claims += 1;
        if claimed.messages.is_empty() {
            return Ok(round);
        }
        let full = claimed.messages.len() as i64 >= CLAIM_SIZE;
        let shop = match &shop {
            Some(shop) => shop,
            None => shop.insert(writer.settings().await?),
        };
        let mut deliveries = futures::stream::iter(&claimed.messages)
            .map(|message| deliver_one(message, shop, settings, now))
            .buffer_unordered(CONCURRENT_DELIVERIES);
        let mut pending = reports::Pending::default();
        while let Some((line, result)) = deliveries.next().await {
            pending.push(line, result);
            if pending.is_full() {
                pending.report(writer, &dispatcher, &mut round).await?;
            }
        }
        pending.report(writer, &dispatcher, &mut round).await?;
        if !full {
            return Ok(round);
        }
        if started.elapsed() >= ROUND_BUDGET {
            round.more = true;
            return Ok(round);
        }
    }
}

/// Delivers one message: its log line, and its outcome to report.
async fn deliver_one(
    message: &Message,
    shop: &ShopSettings,
    settings: &Settings,
    now: u64,
) -> (String, MessageOutcome) {
    let outcome = deliver(message, shop, settings, now).await;
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
    let result = MessageOutcome {
        message_id: message.message_id.clone(),
        outcome,
    };
    (line, result)
}

async fn deliver(message: &Message, shop: &ShopSettings, settings: &Settings, now: u64) -> Outcome {
    match message.channel.as_str() {
        "webhook" => webhook::deliver(message, now).await,
        "email" => {
            let mail = if message.event == sign_in_mail::EVENT {
                settings
                    .key
                    .as_ref()
                    .and_then(|key| sign_in_mail::render(message, shop, &settings.shop_url, key))
            } else {
                templates::render(message, shop, &settings.shop_url)
            };
            let Some(mail) = mail else {
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
