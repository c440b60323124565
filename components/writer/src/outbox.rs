//! The outbox's writer side (messages are written by the triggers of
//! `0014_outbox.sql`, in the transaction of the change they announce):
//! - `POST /outbox/claim` `ClaimRequest` → `Claimed`: the due messages, leased to one
//!   dispatcher until `lease_seconds` from now (each claim counts as an attempt); a
//!   message whose lease ran out is due again, so a dispatcher that died mid-delivery
//!   delays its messages by one lease, never loses them;
//! - `POST /outbox/{message_id}/result` `DeliveryReport` → `ReportAnswer`: delivered,
//!   or failed and retried on the schedule of `storefront_domain::outbox` (given up
//!   after `MAX_ATTEMPTS`, or at once when the failure is permanent). Only the
//!   dispatcher holding the lease may report; a late report from one whose lease was
//!   taken over is `409 lease_lost` and changes nothing;
//! - `GET /admin/outbox?state=&limit=&before=` → `OutboxList` for the owner;
//! - `GET /admin/mail?limit=&before=` → `Mailbox`, the local test mode's deliveries;
//! - `GET|POST /admin/webhooks`, `POST /admin/webhooks/{id}/deactivate`: endpoints.
//!
//! The writer never calls out: delivering is the dispatcher's job.

use crate::db::{Db, Mode, NOW, RowExt as _, int, opt_int, opt_text, text};
use crate::orders;
use crate::request::parse_json;
use crate::responses::{ApiError, json};
use anyhow::anyhow;
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::outbox::{
    ClaimRequest, Claimed, DeliveryReport, EVENTS, Endpoint, Endpoints, FIRST_RETRY_SECONDS,
    MAX_ATTEMPTS, MAX_CLAIM, MAX_ENDPOINTS, MAX_ERROR_LEN, MAX_LEASE_SECONDS, Mailbox,
    MailboxEntry, Message, NewEndpoint, OVERDUE_SECONDS, OutboxEntry, OutboxList, Outcome,
    RETRY_JITTER_PERCENT, ReportAnswer, endpoint_url, retry_delay, webhook_hosts,
};

/// The first retry's wait: the `outbox_first_retry_seconds` variable, or the default.
fn first_retry_seconds() -> i64 {
    spin_sdk::variables::get("outbox_first_retry_seconds")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(FIRST_RETRY_SECONDS)
}

/// Rows per page of the owner's lists.
const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

fn valid_dispatcher(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `POST /outbox/claim`.
pub fn claim(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let request: ClaimRequest = parse_json(body)?;
    let mut errors = Vec::new();
    if !valid_dispatcher(&request.dispatcher) {
        errors.push(FieldError::new(
            "dispatcher",
            "must be 1 to 64 letters, digits, '-' or '_'",
        ));
    }
    if !(1..=MAX_CLAIM).contains(&request.limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be 1 to {MAX_CLAIM}"),
        ));
    }
    if !(1..=MAX_LEASE_SECONDS).contains(&request.lease_seconds) {
        errors.push(FieldError::new(
            "lease_seconds",
            format!("must be 1 to {MAX_LEASE_SECONDS}"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let claimed = db.transaction(Mode::Write, |db| {
        let now = db.unix_seconds()?;
        let rows = db.rows(
            "UPDATE outbox SET attempts = attempts + 1, lease_owner = ?1, next_attempt_at = ?2 \
             WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?3 \
                          ORDER BY next_attempt_at, id LIMIT ?4) \
             RETURNING id, message_id, channel, event, attempts, recipient, endpoint_id, \
                       created_at, order_id, payload",
            &[
                text(&request.dispatcher),
                int(now + request.lease_seconds),
                int(now),
                int(request.limit),
            ],
        )?;
        let mut messages = Vec::with_capacity(rows.len());
        for row in &rows {
            let secret = match row.opt_int(6)? {
                Some(endpoint) => db
                    .row(
                        "SELECT secret FROM webhook_endpoints WHERE id = ?",
                        &[int(endpoint)],
                    )?
                    .map(|r| r.text(0))
                    .transpose()?,
                None => None,
            };
            let order = match row.opt_int(8)? {
                Some(order_id) => Some(orders::view(db, order_id)?),
                None => None,
            };
            messages.push(Message {
                message_id: row.text(1)?,
                channel: row.text(2)?,
                event: row.text(3)?,
                attempt: row.int(4)?,
                recipient: row.text(5)?,
                secret,
                created_at: row.text(7)?,
                order,
                payload: serde_json::from_str(&row.text(9)?)
                    .map_err(|e| anyhow!("outbox payload is not JSON: {e}"))?,
            });
        }
        // RETURNING gives no order; hand them out oldest first.
        messages.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        Ok::<_, ApiError>(Claimed { messages })
    })?;
    json(200, &claimed)
}

/// `POST /outbox/{message_id}/result`.
pub fn report(db: &Db, message_id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let report: DeliveryReport = parse_json(body)?;
    if !valid_dispatcher(&report.dispatcher) {
        return Err(ApiError::invalid(vec![FieldError::new(
            "dispatcher",
            "must be 1 to 64 letters, digits, '-' or '_'",
        )]));
    }
    let answer = db.transaction(Mode::Write, |db| {
        let now = db.unix_seconds()?;
        let Some(row) = db.row(
            "SELECT id, state, attempts, lease_owner, channel, recipient \
             FROM outbox WHERE message_id = ?",
            &[text(message_id)],
        )?
        else {
            return Err(ApiError::not_found(format!("no message {message_id}")));
        };
        let (id, state, attempts) = (row.int(0)?, row.text(1)?, row.int(2)?);
        let holder = row.opt_text(3)?;
        if state != "pending" {
            // A repeated report of what is already recorded changes nothing.
            return Ok(ReportAnswer {
                message_id: message_id.to_string(),
                state,
                attempts,
                next_attempt_at: None,
            });
        }
        // The lease is the reporter's while nobody else took the message over.
        if holder.as_deref() != Some(report.dispatcher.as_str()) {
            return Err(ApiError::new(
                409,
                "lease_lost",
                "another dispatcher holds this message now; its report counts, not this one",
            ));
        }
        match &report.outcome {
            Outcome::Delivered { local } => {
                db.execute(
                    &format!(
                        "UPDATE outbox SET state = 'delivered', finished_at = {NOW}, \
                         lease_owner = NULL, last_error = NULL WHERE id = ?"
                    ),
                    &[int(id)],
                )?;
                if let Some(mail) = local {
                    db.execute(
                        &format!(
                            "INSERT INTO local_mailbox (outbox_id, recipient, subject, \
                             text_body, html_body, delivered_at) VALUES (?, ?, ?, ?, ?, {NOW}) \
                             ON CONFLICT (outbox_id) DO NOTHING"
                        ),
                        &[
                            int(id),
                            text(row.text(5)?),
                            text(&mail.subject),
                            text(&mail.text),
                            text(&mail.html),
                        ],
                    )?;
                }
                Ok(ReportAnswer {
                    message_id: message_id.to_string(),
                    state: "delivered".into(),
                    attempts,
                    next_attempt_at: None,
                })
            }
            Outcome::Failed { error, permanent } => {
                let error: String = error.chars().take(MAX_ERROR_LEN).collect();
                if *permanent || attempts >= MAX_ATTEMPTS {
                    db.execute(
                        &format!(
                            "UPDATE outbox SET state = 'given_up', finished_at = {NOW}, \
                             lease_owner = NULL, last_error = ? WHERE id = ?"
                        ),
                        &[text(&error), int(id)],
                    )?;
                    eprintln!(
                        "outbox: gave up {message_id} after {attempts} attempts: {error}"
                    );
                    return Ok(ReportAnswer {
                        message_id: message_id.to_string(),
                        state: "given_up".into(),
                        attempts,
                        next_attempt_at: None,
                    });
                }
                let delay = retry_delay(first_retry_seconds(), attempts);
                let spread = delay * RETRY_JITTER_PERCENT / 100;
                let next = db
                    .row(
                        "UPDATE outbox SET next_attempt_at = ?1 + ?2 - ?3 + abs(random()) % (2 * ?3 + 1), \
                         lease_owner = NULL, last_error = ?4 WHERE id = ?5 RETURNING next_attempt_at",
                        &[int(now), int(delay), int(spread), text(&error), int(id)],
                    )?
                    .ok_or_else(|| anyhow!("outbox row vanished"))?
                    .int(0)?;
                Ok(ReportAnswer {
                    message_id: message_id.to_string(),
                    state: "pending".into(),
                    attempts,
                    next_attempt_at: Some(next),
                })
            }
        }
    })?;
    json(200, &answer)
}

/// `limit` and `before` of an owner's list query.
fn page(query: &str) -> Result<(i64, Option<i64>, Option<String>), ApiError> {
    let mut limit = DEFAULT_PAGE;
    let mut before = None;
    let mut state = None;
    let mut errors = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "limit" => match value.parse::<i64>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => limit = n,
                _ => errors.push(FieldError::new("limit", format!("must be 1 to {MAX_PAGE}"))),
            },
            "before" => match value.parse::<i64>() {
                Ok(n) if n > 0 => before = Some(n),
                _ => errors.push(FieldError::new("before", "must be a positive id")),
            },
            "state" if ["pending", "delivered", "given_up"].contains(&value.as_ref()) => {
                state = Some(value.into_owned());
            }
            "state" => errors.push(FieldError::new(
                "state",
                "must be pending, delivered or given_up",
            )),
            _ => errors.push(FieldError::new(name.as_ref(), "is not a known parameter")),
        }
    }
    if errors.is_empty() {
        Ok((limit, before, state))
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// `GET /admin/outbox`.
pub fn list(db: &Db, query: &str) -> Result<Response, ApiError> {
    let (limit, before, state) = page(query)?;
    let list = db.transaction(Mode::Read, |db| {
        let mut rows = db.rows(
            "SELECT m.id, m.message_id, m.channel, m.event, o.number, m.recipient, m.state, \
                    m.attempts, m.next_attempt_at, m.last_error, m.created_at, m.finished_at \
             FROM outbox m LEFT JOIN orders o ON o.id = m.order_id \
             WHERE (?1 IS NULL OR m.state = ?1) AND (?2 IS NULL OR m.id < ?2) \
             ORDER BY m.id DESC LIMIT ?3",
            &[opt_text(state), opt_int(before), int(limit + 1)],
        )?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let messages = rows
            .iter()
            .map(|r| {
                Ok(OutboxEntry {
                    id: r.int(0)?,
                    message_id: r.text(1)?,
                    channel: r.text(2)?,
                    event: r.text(3)?,
                    order_number: r.opt_text(4)?,
                    recipient: r.text(5)?,
                    state: r.text(6)?,
                    attempts: r.int(7)?,
                    next_attempt_at: r.int(8)?,
                    last_error: r.opt_text(9)?,
                    created_at: r.text(10)?,
                    finished_at: r.opt_text(11)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let next_before = if more {
            messages.last().map(|m| m.id)
        } else {
            None
        };
        Ok::<_, ApiError>(OutboxList {
            messages,
            next_before,
        })
    })?;
    json(200, &list)
}

/// `GET /admin/mail`.
pub fn mailbox(db: &Db, query: &str) -> Result<Response, ApiError> {
    let (limit, before, state) = page(query)?;
    if state.is_some() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "state",
            "is not a known parameter",
        )]));
    }
    let mailbox = db.transaction(Mode::Read, |db| {
        let mut rows = db.rows(
            "SELECT b.id, m.message_id, m.event, b.recipient, b.subject, b.text_body, \
                    b.html_body, b.delivered_at \
             FROM local_mailbox b JOIN outbox m ON m.id = b.outbox_id \
             WHERE (?1 IS NULL OR b.id < ?1) ORDER BY b.id DESC LIMIT ?2",
            &[opt_int(before), int(limit + 1)],
        )?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let mails = rows
            .iter()
            .map(|r| {
                Ok(MailboxEntry {
                    id: r.int(0)?,
                    message_id: r.text(1)?,
                    event: r.text(2)?,
                    recipient: r.text(3)?,
                    subject: r.text(4)?,
                    text: r.text(5)?,
                    html: r.text(6)?,
                    delivered_at: r.text(7)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let next_before = if more {
            mails.last().map(|m| m.id)
        } else {
            None
        };
        Ok::<_, ApiError>(Mailbox { mails, next_before })
    })?;
    json(200, &mailbox)
}

fn endpoint_of(row: &spin_sdk::sqlite::RowResult) -> anyhow::Result<Endpoint> {
    Ok(Endpoint {
        id: row.int(0)?,
        url: row.text(1)?,
        events: row.text(2)?.split(' ').map(str::to_string).collect(),
        secret: row.text(3)?,
        active: row.int(4)? == 1,
        created_at: row.text(5)?,
    })
}

const ENDPOINT_COLUMNS: &str = "id, url, events, secret, active, created_at";

/// `GET /admin/webhooks`.
pub fn endpoints(db: &Db) -> Result<Response, ApiError> {
    let list = db.transaction(Mode::Read, |db| {
        let rows = db.rows(
            &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY id"),
            &[],
        )?;
        let endpoints = rows
            .iter()
            .map(endpoint_of)
            .collect::<anyhow::Result<_>>()?;
        Ok::<_, ApiError>(Endpoints { endpoints })
    })?;
    json(200, &list)
}

/// `POST /admin/webhooks`: a new endpoint (the secret is made here when not given). An
/// active endpoint with the same URL is answered as it is, so a repeated request adds one.
pub fn add_endpoint(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let input: NewEndpoint = parse_json(body)?;
    let mut errors = Vec::new();
    // Stored and called in its canonical form: the address judged is the one called.
    // Hosts the operator named exactly in `webhook_hosts` are trusted even when private.
    let trusted = webhook_hosts(&spin_sdk::variables::get("webhook_hosts").unwrap_or_default());
    let url = match endpoint_url(&input.url, &trusted) {
        Ok(url) => url,
        Err(problem) => {
            errors.push(FieldError::new("url", problem.message()));
            String::new()
        }
    };
    let all = input.events.len() == 1 && input.events[0] == "*";
    if input.events.is_empty()
        || (!all && input.events.iter().any(|e| !EVENTS.contains(&e.as_str())))
    {
        errors.push(FieldError::new(
            "events",
            format!("must be [\"*\"] or names from {}", EVENTS.join(", ")),
        ));
    }
    if let Some(secret) = &input.secret
        && !(16..=128).contains(&secret.len())
    {
        errors.push(FieldError::new("secret", "must be 16 to 128 characters"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let mut events = input.events.clone();
    events.sort();
    events.dedup();
    let endpoint = db.transaction(Mode::Write, |db| {
        // The same URL again while it is active: the endpoint it is (a repeated form).
        if let Some(row) = db.row(
            &format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE url = ? AND active = 1"
            ),
            &[text(&url)],
        )? {
            return Ok(endpoint_of(&row)?);
        }
        let active = db
            .row(
                "SELECT count(*) FROM webhook_endpoints WHERE active = 1",
                &[],
            )?
            .ok_or_else(|| anyhow!("count returned no row"))?
            .int(0)?;
        if active >= MAX_ENDPOINTS {
            return Err(ApiError::new(
                409,
                "too_many_endpoints",
                format!("at most {MAX_ENDPOINTS} active endpoints; deactivate one first"),
            ));
        }
        let row = db
            .row(
                &format!(
                    "INSERT INTO webhook_endpoints (url, events, secret, created_at) \
                     VALUES (?, ?, coalesce(?, 'whsec_' || lower(hex(randomblob(24)))), {NOW}) \
                     RETURNING {ENDPOINT_COLUMNS}"
                ),
                &[
                    text(&url),
                    text(events.join(" ")),
                    opt_text(input.secret.clone()),
                ],
            )?
            .ok_or_else(|| anyhow!("INSERT … RETURNING returned no row"))?;
        Ok(endpoint_of(&row)?)
    })?;
    json(201, &endpoint)
}

/// `POST /admin/webhooks/{id}/deactivate`: no new messages for it; those written stay.
pub fn deactivate_endpoint(db: &Db, id: &str) -> Result<Response, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found("no such endpoint"))?;
    let endpoint = db.transaction(Mode::Write, |db| {
        let row = db
            .row(
                &format!(
                    "UPDATE webhook_endpoints SET active = 0 WHERE id = ? RETURNING {ENDPOINT_COLUMNS}"
                ),
                &[int(id)],
            )?
            .ok_or_else(|| ApiError::not_found("no such endpoint"))?;
        Ok::<_, ApiError>(endpoint_of(&row)?)
    })?;
    json(200, &endpoint)
}

/// The audit's view: order events since the outbox existed without their email (which
/// the triggers make impossible unless someone bypassed them), messages given up, and
/// pending ones long past due.
pub fn findings(db: &Db, findings: &mut Vec<String>) -> anyhow::Result<()> {
    let now = db.unix_seconds()?;
    for row in db.rows(
        "SELECT o.number, e.to_state, e.at FROM order_events e JOIN orders o ON o.id = e.order_id \
         WHERE e.at >= (SELECT applied_at FROM schema_migrations WHERE version = 14) \
           AND NOT EXISTS (SELECT 1 FROM outbox m WHERE m.order_id = e.order_id \
                           AND m.channel = 'email' AND m.created_at = e.at) \
         ORDER BY e.id LIMIT 20",
        &[],
    )? {
        findings.push(format!(
            "outbox: order {} became {} at {} but no email was written for it",
            row.text(0)?,
            row.text(1)?,
            row.text(2)?
        ));
    }
    for row in db.rows(
        "SELECT message_id, event, recipient, attempts, coalesce(last_error, '') FROM outbox \
         WHERE state = 'given_up' ORDER BY id LIMIT 20",
        &[],
    )? {
        findings.push(format!(
            "outbox: {} ({} to {}) was given up after {} attempts: {}",
            row.text(0)?,
            row.text(1)?,
            row.text(2)?,
            row.int(3)?,
            row.text(4)?
        ));
    }
    for row in db.rows(
        "SELECT message_id, event, recipient, attempts, next_attempt_at FROM outbox \
         WHERE state = 'pending' AND next_attempt_at < ? ORDER BY id LIMIT 20",
        &[int(now - OVERDUE_SECONDS)],
    )? {
        findings.push(format!(
            "outbox: {} ({} to {}) is overdue by {} s after {} attempts: is a dispatcher running?",
            row.text(0)?,
            row.text(1)?,
            row.text(2)?,
            now - row.int(4)?,
            row.int(3)?
        ));
    }
    Ok(())
}
