//! The audit's checks of the outbox.

use crate::db::{Db, RowExt as _, int};
use storefront_domain::outbox::OVERDUE_SECONDS;

/// The audit's view: order events since the outbox existed (and within the retention of
/// delivered messages) without their email (which
/// the triggers make impossible unless someone bypassed them), messages given up, and
/// pending ones long past due.
pub fn collect(db: &Db, findings: &mut Vec<String>) -> anyhow::Result<()> {
    let now = db.unix_seconds()?;
    // Delivered messages older than their retention are gone (`outbox::retention`, which
    // records how far it swept): only events since then must still have theirs.
    let kept_since = db
        .row("SELECT before FROM outbox_swept WHERE id = 1", &[])?
        .map(|row| row.text(0))
        .transpose()?
        .unwrap_or_default();
    for row in db.rows(
        "SELECT o.number, e.to_state, e.at FROM order_events e JOIN orders o ON o.id = e.order_id \
         WHERE e.at >= (SELECT applied_at FROM schema_migrations WHERE version = 14) \
           AND e.at >= ? \
           AND NOT EXISTS (SELECT 1 FROM outbox m WHERE m.order_id = e.order_id \
                           AND m.channel = 'email' AND m.created_at = e.at) \
         ORDER BY e.id LIMIT 20",
        &[crate::db::text(kept_since)],
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
