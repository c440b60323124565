//! Customer accounts without passwords: the sign-in emails and their confirmation
//! ([`sign_ins`]), the customer's sessions ([`sessions`]), their order history
//! ([`history`]), saved addresses ([`addresses`]), and their data's download and erasure
//! ([`data`]). Every change is a command with an `Idempotency-Key` ([`commands`]).

pub mod addresses;
pub mod commands;
pub mod data;
pub mod history;
pub mod sessions;
pub mod sign_ins;
