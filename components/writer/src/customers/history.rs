//! `GET /customers/sessions/{id}/orders[?before=N]` → `AccountOrders`: the orders placed
//! with the session's verified email, newest first, [`ACCOUNT_ORDERS_PER_PAGE`] a page,
//! keyset-paginated by order id (`next_before`). Orders are matched on their own email,
//! case-insensitively, by `orders_by_email` (whose entries end in the row id, so the
//! newest-first walk needs no sort): orders placed before the account existed appear too.

use super::sessions;
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::carriers::Tracking;
use storefront_domain::customer::{ACCOUNT_ORDERS_PER_PAGE, AccountOrder, AccountOrders};
use storefront_domain::order::query_params;
use storefront_domain::{FieldError, Money, OrderState};

/// The page of `email`'s orders older than order id `before`, newest first.
pub const PAGE_SQL: &str = "SELECT id, number, state, total_amount, currency, created_at, \
     tracking_number, tracking_carrier FROM orders \
     WHERE email = ?1 COLLATE NOCASE AND id < ?2 ORDER BY id DESC LIMIT ?3";

/// `GET /customers/sessions/{id}/orders`.
pub fn list(db: &Db, session: &str, query: &str) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    let mut before = i64::MAX;
    for (name, value) in query_params(query, &mut errors) {
        match (name.as_str(), value.parse::<i64>()) {
            ("before", Ok(n)) if n > 0 => before = n,
            ("before", _) => {
                errors.push(FieldError::new("before", "must be a positive whole number"))
            }
            _ => errors.push(FieldError::new(name, "is not a parameter of this list")),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let page = db.transaction(Mode::Read, |db| {
        let customer = sessions::customer(db, session)?;
        let rows = db.rows(
            PAGE_SQL,
            &[
                text(&customer.email),
                int(before),
                int(ACCOUNT_ORDERS_PER_PAGE + 1),
            ],
        )?;
        let mut page = AccountOrders::default();
        for (i, row) in rows.iter().enumerate() {
            if i as i64 == ACCOUNT_ORDERS_PER_PAGE {
                page.next_before = page.orders.last().map(|_| rows[i - 1].int(0)).transpose()?;
                break;
            }
            let state = row.text(2)?;
            page.orders.push(AccountOrder {
                number: row.text(1)?,
                state: OrderState::parse(&state)
                    .ok_or_else(|| anyhow::anyhow!("unknown order state {state:?}"))?,
                total: Money::new(row.int(3)?, &row.text(4)?),
                created_at: row.text(5)?,
                tracking: row
                    .opt_text(6)?
                    .map(|number| {
                        Ok::<_, anyhow::Error>(Tracking {
                            carrier: row.opt_text(7)?,
                            number,
                        })
                    })
                    .transpose()?,
            });
        }
        Ok::<_, ApiError>(page)
    })?;
    json(200, &page)
}
