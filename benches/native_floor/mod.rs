//! The native floor: a hand-written native Rust shop service that `cargo bench --bench floor`
//! measures beside storefront, so every run states what the WebAssembly and
//! service-chaining tax costs against the physical floor of this machine.
//!
//! It is built for the comparison and shares nothing with the components but the
//! `migrations/` SQL: hyper on a 2-thread tokio runtime, rusqlite (bundled SQLite) with the
//! host's pragmas, the statements a successful `POST /api/orders` runs in the writer, group
//! commit with every answer held until its batch's COMMIT is durable, and a `GET /` that
//! runs the catalog page's queries and renders a page of the same size class.

pub mod catalog;
pub mod group_commit;
pub mod http;
pub mod order;
pub mod schema;
