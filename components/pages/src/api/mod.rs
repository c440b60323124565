//! The shopper-facing JSON API under `/api/`: the catalog and orders.
//!
//! Bodies are the domain's wire types and every error is an `ErrorBody`. Input is
//! validated here first so bad requests never reach the writer; the writer's own 4xx
//! answers are passed through unchanged.

pub mod catalog;
pub mod orders;
