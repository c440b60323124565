//! The owner's views of the outbox: `GET /admin/outbox?state=&limit=&before=` →
//! `OutboxList`, and `GET /admin/mail?limit=&before=` → `Mailbox` (the local test mode's
//! deliveries).

use crate::db::{Db, Mode, RowExt as _, int, opt_int, opt_text};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::outbox::{Mailbox, MailboxEntry, OutboxEntry, OutboxList};

/// Rows per page of the owner's lists.
const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

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
pub fn outbox(db: &Db, query: &str) -> Result<Response, ApiError> {
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
