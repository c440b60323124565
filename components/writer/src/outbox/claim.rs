//! `POST /outbox/claim` `ClaimRequest` → `Claimed`: the due messages, leased to one
//! dispatcher until `lease_seconds` from now (each claim counts as an attempt). A message
//! whose lease ran out is due again, so a dispatcher that died mid-delivery delays its
//! messages by one lease, never loses them.
//!
//! A claim costs O(due): the due messages are read by `outbox_due` (state, due time),
//! first in a read transaction, so a claim that finds nothing due writes nothing (and
//! leaves the host's answer cache alone); only then are they leased in a short write.

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::orders::view;
use anyhow::{Context as _, anyhow};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::outbox::{
    ClaimRequest, Claimed, MAX_CLAIM, MAX_LEASE_SECONDS, Message, dispatcher_problem,
};

/// Whether any message is due now (`?1`: unix seconds): one row read by `outbox_due`.
pub const DUE_SQL: &str =
    "SELECT 1 FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?1 LIMIT 1";

/// Leases the `?4` messages due longest at `?3` to dispatcher `?1` until `?2`, read by
/// `outbox_due`.
pub const CLAIM_SQL: &str = "UPDATE outbox \
     SET attempts = attempts + 1, lease_owner = ?1, next_attempt_at = ?2 \
     WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?3 \
                  ORDER BY next_attempt_at, id LIMIT ?4) \
     RETURNING id, message_id, channel, event, attempts, recipient, endpoint_id, \
               created_at, order_id, payload";

/// `POST /outbox/claim`.
pub fn claim(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let request: ClaimRequest = parse_json(body)?;
    let mut errors: Vec<FieldError> = dispatcher_problem(&request.dispatcher)
        .into_iter()
        .collect();
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
    let due = db.transaction(Mode::Read, |db| {
        let now = db.unix_seconds()?;
        db.int_value(DUE_SQL, &[int(now)])
    })?;
    if due.is_none() {
        return json(200, &Claimed::default());
    }
    let claimed = db.transaction(Mode::Write, |db| {
        let now = db.unix_seconds()?;
        let rows = db.rows(
            CLAIM_SQL,
            &[
                text(&request.dispatcher),
                int(now + request.lease_seconds),
                int(now),
                int(request.limit),
            ],
        )?;
        // Every claimed order in three statements, not three per message.
        let order_ids = rows
            .iter()
            .filter_map(|row| row.opt_int(8).transpose())
            .collect::<anyhow::Result<Vec<_>>>()?;
        let orders = view::views(db, &order_ids)?;
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
                Some(order_id) => Some(
                    orders
                        .get(&order_id)
                        .cloned()
                        .with_context(|| format!("order {order_id} not found"))?,
                ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// Both the "anything due?" read and the claim read the due messages by
    /// `outbox_due`, never the delivered history.
    #[test]
    fn a_claim_reads_only_due_messages_by_index() {
        let schema = query_plan::schema();
        for sql in [DUE_SQL, CLAIM_SQL] {
            let plan = query_plan::lines(&schema, sql);
            assert!(
                plan.iter().any(|l| l
                    .contains("USING INDEX outbox_due (state=? AND next_attempt_at<?)")
                    || l.contains(
                        "USING COVERING INDEX outbox_due (state=? AND next_attempt_at<?)"
                    )),
                "{plan:#?}"
            );
            assert!(query_plan::neither_scans_nor_sorts(&plan), "{plan:#?}");
        }
    }
}
