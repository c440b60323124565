//! One webhook endpoint's delivery log and its test event: `GET
//! /admin/webhooks/{id}/deliveries` (the endpoint's latest outbox messages, what became
//! of each) and `POST /admin/webhooks/{id}/test` (a [`TEST_EVENT`] message for that
//! endpoint only, written to the outbox like every other message, so the dispatcher
//! delivers, signs and retries it the same way; the writer never calls out).

use crate::db::{Db, Mode, NOW, RowExt as _, int};
use crate::http::request::Head;
use crate::http::responses::{ApiError, json, json_string};
use crate::idempotency::{self, Applied, Command};
use crate::outbox::NEW_MESSAGE_ID;
use crate::outbox::webhooks::{ENDPOINT_COLUMNS, endpoint_of};
use spin_sdk::http::Response;
use storefront_domain::outbox::{DELIVERY_LOG, Delivery, EndpointLog, TEST_EVENT};

fn no_endpoint() -> ApiError {
    ApiError::not_found("no such endpoint")
}

fn endpoint_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| no_endpoint())
}

/// `GET /admin/webhooks/{id}/deliveries`.
pub fn log(db: &Db, id: &str) -> Result<Response, ApiError> {
    let id = endpoint_id(id)?;
    let log = db.transaction(Mode::Read, |db| {
        let endpoint = db
            .row(
                &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ?"),
                &[int(id)],
            )?
            .ok_or_else(no_endpoint)?;
        let deliveries = db
            .rows(
                "SELECT m.message_id, m.event, o.number, m.created_at, m.state, m.attempts, \
                        m.last_error, m.finished_at \
                 FROM outbox m LEFT JOIN orders o ON o.id = m.order_id \
                 WHERE m.channel = 'webhook' AND m.endpoint_id = ? ORDER BY m.id DESC LIMIT ?",
                &[int(id), int(DELIVERY_LOG)],
            )?
            .iter()
            .map(|r| {
                Ok(Delivery {
                    message_id: r.text(0)?,
                    event: r.text(1)?,
                    order_number: r.opt_text(2)?,
                    created_at: r.text(3)?,
                    state: r.text(4)?,
                    attempts: r.int(5)?,
                    last_error: r.opt_text(6)?,
                    finished_at: r.opt_text(7)?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok::<_, ApiError>(EndpointLog {
            endpoint: endpoint_of(&endpoint)?,
            deliveries,
        })
    })?;
    json(200, &log)
}

/// `POST /admin/webhooks/{id}/test` (an idempotent command: a double click sends one):
/// 201 with the new message's delivery row; 409 for a deactivated endpoint.
pub fn send_test(db: &Db, head: &Head, id: &str) -> Result<Response, ApiError> {
    let endpoint = endpoint_id(id)?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("send_test_webhook", id, String::new()),
        |db, _now| {
            let active = db
                .row(
                    "SELECT active FROM webhook_endpoints WHERE id = ?",
                    &[int(endpoint)],
                )?
                .ok_or_else(no_endpoint)?
                .int(0)?;
            if active != 1 {
                return Err(ApiError::new(
                    409,
                    "endpoint_inactive",
                    "this endpoint is deactivated and receives nothing more",
                ));
            }
            let row = db
                .row(
                    &format!(
                        "INSERT INTO outbox (message_id, channel, event, recipient, endpoint_id, \
                         payload, created_at, next_attempt_at) \
                         SELECT {NEW_MESSAGE_ID}, 'webhook', '{TEST_EVENT}', \
                                url, id, json_object('test', json('true')), {NOW}, \
                                CAST(strftime('%s', 'now') AS INTEGER) \
                         FROM webhook_endpoints WHERE id = ? \
                         RETURNING message_id, created_at"
                    ),
                    &[int(endpoint)],
                )?
                .ok_or_else(|| anyhow::anyhow!("INSERT … RETURNING returned no row"))?;
            let delivery = Delivery {
                message_id: row.text(0)?,
                event: TEST_EVENT.to_string(),
                order_number: None,
                created_at: row.text(1)?,
                state: "pending".into(),
                attempts: 0,
                last_error: None,
                finished_at: None,
            };
            Ok(Applied {
                status: 201,
                response: json_string(&delivery)?,
                changes: serde_json::json!({ "endpoint": endpoint, "event": TEST_EVENT }),
            })
        },
    )
}
