//! The HTTP side every handler shares: the request and response values, body caps, form
//! and JSON parsing, paging, the health probe, and bodies streamed as they are written.

pub mod body;
pub mod forms;
pub mod health;
pub mod incoming;
pub mod json;
pub mod paging;
pub mod request;
pub mod response;
pub mod stream;

pub use request::{Req, split_target};
pub use response::{Resp, set_cookie, set_cookie_at};
