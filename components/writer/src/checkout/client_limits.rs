//! Per-client limits on unpaid orders, so that one client cannot make the catalog look
//! sold out by hoarding, while a customer's one large order still goes through: an order
//! reserves its stock until it is paid or expires (`--checkout-ttl`, `--reservation-ttl`
//! on the host bound how long), and anybody can place one. The pages name the client in
//! the `storefront-client` header (an HMAC of its address, never the address itself);
//! the writer counts that client's orders still `pending_payment` and refuses one more
//! past the limit with `429`, in words a shopper understands, at the `order` field.
//!
//! How many items one order holds is not limited here: the shelf (stock) is the limit.
//! The limit is the Spin variable `max_unpaid_orders_per_client`; a command without the
//! header (the host's own calls, an operator's script) is not limited.

use crate::http::request::Header;
use crate::http::responses::ApiError;
use storefront_domain::{FieldError, TOO_MANY_UNPAID};

/// Default when the variable is unset or unreadable.
pub const DEFAULT_MAX_UNPAID_ORDERS: i64 = 3;
/// Longest client key accepted (the pages send 32 hex characters).
const MAX_KEY_LEN: usize = 64;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub orders: i64,
}

impl Limits {
    /// The limits this writer is configured with.
    pub fn configured() -> Limits {
        let read = |name: &str, default: i64| {
            spin_sdk::variables::get(name)
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        Limits {
            orders: read("max_unpaid_orders_per_client", DEFAULT_MAX_UNPAID_ORDERS),
        }
    }
}
/// The client a command names: `None` without the header, 400 for a malformed one.
pub fn client_key(header: &Header) -> Result<Option<String>, ApiError> {
    let bad = || {
        ApiError::new(
            400,
            "bad_client_key",
            format!(
                "storefront-client must be one value of 1 to {MAX_KEY_LEN} visible ASCII characters"
            ),
        )
    };
    match header {
        Header::Missing => Ok(None),
        Header::One(v)
            if (1..=MAX_KEY_LEN).contains(&v.len()) && v.iter().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(Some(String::from_utf8_lossy(v).into_owned()))
        }
        _ => Err(bad()),
    }
}

/// How many orders the client `?2` holds unpaid (0 for NULL: a command without a client),
/// as a scalar subquery: the place-order transaction reads it in its first statement,
/// so concurrent orders of one client are counted exactly.
pub const UNPAID_SQL: &str =
    "(SELECT COUNT(*) FROM orders WHERE client_key = ?2 AND state = 'pending_payment')";

/// Refuses one more order from a client that already holds `unpaid` orders, `limits.orders`
/// or more ([`UNPAID_SQL`]).
pub fn check(unpaid: i64, limits: Limits) -> Result<(), ApiError> {
    if unpaid >= limits.orders {
        let message = too_many(unpaid);
        return Err(ApiError::new(429, TOO_MANY_UNPAID, message.clone())
            .with_fields(vec![FieldError::new("order", message)])
            .with_header("retry-after", "600"));
    }
    Ok(())
}

/// The refusal in a shopper's words.
fn too_many(orders: i64) -> String {
    let held = if orders == 1 {
        "an unpaid order".to_string()
    } else {
        format!("{orders} unpaid orders")
    };
    format!(
        "You already have {held}. Please pay for one, or wait until an unpaid one expires, \
         before placing another"
    )
}
