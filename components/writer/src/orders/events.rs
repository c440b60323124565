//! An order's history: one appended `order_events` row per change of state.

use crate::db::{Db, int, text};
use storefront_domain::OrderState;

/// Appends one event to an order's history; `actor` names the person who asked for it
/// (`None` where nobody did: placing, the provider's events, the sweep).
pub fn record_event(
    db: &Db,
    order_id: i64,
    from: Option<OrderState>,
    to: OrderState,
    at: &str,
    actor: Option<&str>,
) -> anyhow::Result<()> {
    db.execute(
        "INSERT INTO order_events (order_id, from_state, to_state, at, actor) \
         VALUES (?, ?, ?, ?, ?)",
        &[
            int(order_id),
            from.map_or(spin_sdk::sqlite::Value::Null, |s| text(s.as_str())),
            text(to.as_str()),
            text(at),
            actor.map_or(spin_sdk::sqlite::Value::Null, text),
        ],
    )?;
    Ok(())
}
