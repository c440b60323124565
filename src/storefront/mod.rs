//! What the host does for the storefront app in particular (the rest runs any Spin app):
//! its own calls to the writer side (health, reservation expiry, the payment courier's
//! rounds), the operator's `check`, `backup` and `reconcile`, the payment provider's
//! intent list for reconciliation, and the secrets `up` generates for local use.

pub mod admin_commands;
pub mod local_secrets;
pub mod provider_intents;
pub mod writer_calls;
