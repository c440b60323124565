//! What the host does for the storefront app in particular (the rest runs any Spin app):
//! its own calls to the writer side (health, reservation expiry, the payment courier's
//! rounds), the back office's first-run setup link, the operator's `check`, `backup`,
//! `reconcile` and `admin set-password`, the payment provider's intent list for
//! reconciliation, and the secrets `up` generates for local use.

pub mod admin_commands;
pub mod first_run;
pub mod local_secrets;
pub mod provider_intents;
pub mod writer_calls;
