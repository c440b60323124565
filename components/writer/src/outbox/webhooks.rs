//! The owner's webhook endpoints: `GET|POST /admin/webhooks`, `POST
//! /admin/webhooks/{id}/deactivate`.

use crate::db::{Db, Mode, NOW, RowExt as _, int, opt_text, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use anyhow::anyhow;
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::outbox::{
    EVENTS, Endpoint, Endpoints, MAX_ENDPOINTS, NewEndpoint, endpoint_url, webhook_hosts,
};

pub fn endpoint_of(row: &spin_sdk::sqlite::RowResult) -> anyhow::Result<Endpoint> {
    Ok(Endpoint {
        id: row.int(0)?,
        url: row.text(1)?,
        events: row.text(2)?.split(' ').map(str::to_string).collect(),
        secret: row.text(3)?,
        active: row.int(4)? == 1,
        created_at: row.text(5)?,
    })
}

pub const ENDPOINT_COLUMNS: &str = "id, url, events, secret, active, created_at";

/// `GET /admin/webhooks`.
pub fn list(db: &Db) -> Result<Response, ApiError> {
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
pub fn add(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
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
pub fn deactivate(db: &Db, id: &str) -> Result<Response, ApiError> {
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
