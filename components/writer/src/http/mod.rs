//! HTTP: reading a request, answering it (JSON and errors), the writer token, and the
//! route table.

pub mod auth;
pub mod request;
pub mod responses;
pub mod routes;
