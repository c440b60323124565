//! The owner of the shop: signing in to the back office and its sessions, the shop's
//! settings, and the dashboard.

pub mod dashboard;
pub mod sessions;
pub mod settings;
pub mod sign_in;
