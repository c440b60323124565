//! Per-client limits on unpaid reservations, so that one client cannot make the catalog
//! look sold out: an order reserves its stock until it is paid or expires, and anybody
//! can place one. The pages name the client in the `storefront-client` header (an HMAC
//! of its address, never the address itself); the writer counts that client's orders
//! still `pending_payment` and refuses a new one past the limits with `429`.
//!
//! The limits are the Spin variables `max_unpaid_orders_per_client` and
//! `max_unpaid_units_per_client`; a command without the header (the host's own calls,
//! an operator's script) is not limited.

use crate::db::{Db, RowExt as _, text};
use crate::http::request::Header;
use crate::http::responses::ApiError;
use anyhow::Context as _;
use storefront_domain::TOO_MANY_UNPAID;

/// Defaults when the variables are unset or unreadable.
pub const DEFAULT_MAX_UNPAID_ORDERS: i64 = 3;
pub const DEFAULT_MAX_UNPAID_UNITS: i64 = 20;
/// Longest client key accepted (the pages send 32 hex characters).
const MAX_KEY_LEN: usize = 64;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub orders: i64,
    pub units: i64,
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
            units: read("max_unpaid_units_per_client", DEFAULT_MAX_UNPAID_UNITS),
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

/// Refuses an order of `units` units from `client` if it would pass `limits`; run inside
/// the place-order transaction, so concurrent orders of one client are counted exactly.
pub fn check(db: &Db, client: &str, units: i64, limits: Limits) -> Result<(), ApiError> {
    let row = db
        .row(
            "SELECT COUNT(DISTINCT o.id), COALESCE(SUM(l.quantity), 0) \
             FROM orders o JOIN order_lines l ON l.order_id = o.id \
             WHERE o.client_key = ? AND o.state = 'pending_payment'",
            &[text(client)],
        )?
        .context("COUNT returned no row")?;
    let (orders, held) = (row.int(0)?, row.int(1)?);
    if orders >= limits.orders {
        return Err(ApiError::new(
            429,
            TOO_MANY_UNPAID,
            format!(
                "you already have {orders} unpaid orders; pay or wait for one to expire \
                 before placing another (at most {} at a time)",
                limits.orders
            ),
        )
        .with_header("retry-after", "600"));
    }
    if held + units > limits.units {
        return Err(ApiError::new(
            429,
            TOO_MANY_UNPAID,
            format!(
                "unpaid orders may reserve at most {} items at a time; you hold {held} \
                 and asked for {units} more",
                limits.units
            ),
        )
        .with_header("retry-after", "600"));
    }
    Ok(())
}
