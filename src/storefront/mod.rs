//! What the host does for the storefront app in particular (the rest runs any Spin app):
//! its own calls to the writer side (health, reservation expiry, the payment courier's
//! rounds), the back office's first-run setup link, the operator's `check`, `backup`,
//! `reconcile` and `admin set-password`, the payment provider's intent list for
//! reconciliation, the secrets `up` generates for local use, and which component is which
//! and the start-up rules that apply to this app alone ([`app_profile`]).

pub mod admin_commands;
pub mod app_profile;
pub mod first_run;
pub mod local_secrets;
pub mod offsite_backup;
pub mod provider_intents;
pub mod snapshot_file;
pub mod writer_calls;
