//! Any Spin app as this host runs it: the manifest and its variables, what each component
//! may reach, the routes, building and compiling the components, and the runtime that
//! serves a request with a fresh instance (with the answers it may keep), and the
//! watcher that rebuilds and swaps a component in when its sources change.

pub mod allowed_hosts;
pub mod answer_cache;
pub mod build_components;
pub mod compile_cache;
pub mod instance_slots;
pub mod manifest;
pub mod router;
pub mod runtime;
pub mod variables;
pub mod watch;
