//! The component's secrets at work: the shop's HMAC key and what it signs (sealed cookie
//! values, CSRF tokens, the client key), the owner's API token, and order access tokens.

pub mod client_key;
pub mod csrf;
pub mod customer_session;
pub mod order_access;
pub mod owner_token;
pub mod sealed;
pub mod session_secret;
pub mod signing;
