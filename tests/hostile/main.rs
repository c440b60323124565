//! Clients that mean harm or just get things wrong: bad input, misuse on purpose, slow and
//! greedy connections, and outbound calls steered where they should not go. Each must be
//! refused clearly without writing anything or taking the shop down.

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod hostile_clients;
mod hostile_input;
mod ssrf;
