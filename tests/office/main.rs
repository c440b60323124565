//! The owner's back office through the real host and components over plain HTTP: the
//! door and its sessions, the catalog, orders and payments, the dashboard, export and
//! settings. One binary for the whole office; each area is a module.

#[path = "../support/mod.rs"]
mod support;

mod back_office;
mod office_catalog;
mod office_daily_totals;
mod office_dashboard;
mod office_notes;
mod office_orders;
mod office_return_requests;
mod office_returns;
mod office_sessions;
mod office_settings;
