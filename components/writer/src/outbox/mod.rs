//! The outbox's writer side. Messages are written by the triggers of `0014_outbox.sql`, in
//! the transaction of the change they announce; the dispatcher claims and reports them
//! here. The writer never calls out: delivering is the dispatcher's job. The owner's
//! webhook endpoints, their delivery logs and test events are here too.

pub mod claim;
pub mod deliveries;
pub mod findings;
pub mod lists;
pub mod record;
pub mod report;
pub mod results;
pub mod retention;
pub mod webhooks;

/// A new message's id, as SQL: `msg_`, the milliseconds since 1970 in 12 hex digits, then
/// 80 random bits in 20 more. The triggers of `0030_time_ordered_message_ids.sql` write
/// the same: ids made together land on the last page of the outbox's unique index
/// instead of one random page each.
pub const NEW_MESSAGE_ID: &str = "'msg_' || printf('%012x', CAST((julianday('now') - 2440587.5) \
     * 86400000 AS INTEGER)) || lower(hex(randomblob(10)))";
