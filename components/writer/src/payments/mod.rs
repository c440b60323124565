//! Payments: intents and the payment state machine, the provider's events, the owner's
//! reviews of events, refunds, the provider actions the courier carries out, the providers
//! a payment may name, and reconciliation against the provider's list.

pub mod events;
pub mod intents;
pub mod provider_actions;
pub mod providers;
pub mod reconcile;
pub mod refunds;
pub mod reviews;
pub mod state;
