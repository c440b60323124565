//! What the integration tests share: the real `storefront` binary started as a child
//! process on a free port with its own data dir (the components built once), clients
//! that speak to it as shoppers and the owner do, direct reads of its SQLite file, and
//! the fake third parties it talks to. One concept per module; everything is re-exported
//! here, so a test says `support::start(..)`.
//!
//! Each test binary includes this folder whole and uses a different part of it, so what
//! one binary leaves unused is not dead code.
#![allow(dead_code, unused_imports)]

mod admin;
mod app;
mod database;
mod http;
mod owner;
mod process;
mod returns;
mod shop_forms;
mod shopper;
mod timing;

pub mod fake_http;
pub mod fake_inbox;
pub mod fake_s3;
pub mod fake_stripe;
pub mod real_spin;

pub use admin::*;
pub use app::*;
pub use database::*;
pub use http::*;
pub use owner::*;
pub use process::*;
pub use returns::*;
pub use shop_forms::*;
pub use shopper::*;
pub use timing::*;
