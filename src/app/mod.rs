//! Any Spin app as this host runs it: the manifest and its variables, the routes,
//! building and compiling the components, and the runtime that serves a request with a
//! fresh or kept instance (with the answers it may keep), and the watcher that rebuilds and swaps
//! a component in when its sources change. What each component may reach
//! (`allowed_outbound_hosts`) is parsed by `storefront_domain::allowed_hosts`, which the
//! writer shares to judge webhook endpoints by the same rules.

pub mod answer_cache;
pub mod async_guest;
pub mod build_components;
pub mod compile_cache;
pub mod instance_reuse;
pub mod instance_slots;
pub mod manifest;
pub mod route_pattern;
pub mod router;
pub mod runtime;
pub mod variables;
pub mod watch;
