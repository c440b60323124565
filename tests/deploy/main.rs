//! Deploying: the production manifests keep their invariants, restarts and kills in a storm
//! lose no acknowledged order, and the same app runs unchanged under real Spin.

#[path = "../support/mod.rs"]
mod support;

mod deploy_manifests;
mod deploy_storm;
mod real_spin;
