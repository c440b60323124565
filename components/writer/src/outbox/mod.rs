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
