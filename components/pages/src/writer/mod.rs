//! The writer client: the only way this component reads or changes data. The client and
//! its retry rules are in [`client`]; the calls are grouped by the writer's business area.

mod accounts;
mod catalog;
mod client;
mod customers;
mod kept;
mod orders;
mod outbox;
mod owner;
mod payments;
mod returns;
mod settings;
mod sitemap;

pub use catalog::Shown;
pub use client::*;
