//! `GET /admin/orders?state=&limit=&before=&from=&to=&q=`: the shop owner's list of orders,
//! newest first, a page at a time, filtered by state, by the day it was placed (UTC), and
//! by a search (the order number's start, or part of the email, case-insensitive). Pages
//! are cut by row id (strictly increasing with placement), named to callers by the public
//! order number of the last order shown. The search scans the orders (no index serves
//! "contains"); a page still reads at most `limit + 1` matching rows.

use crate::db::{Db, Mode, RowExt as _, int, opt_int, opt_text, text};
use crate::http::responses::{ApiError, json};
use crate::orders::number;
use anyhow::anyhow;
use spin_sdk::http::Response;
use storefront_domain::order_list::{OrderList, OrderListQuery, OrderSummary};
use storefront_domain::{FieldError, Money, OrderState};

pub fn list(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = OrderListQuery::parse(query).map_err(ApiError::invalid)?;
    let list = db.transaction(Mode::Read, |db| {
        let before = match &query.before {
            Some(number) => Some(order_id(db, number)?),
            None => None,
        };
        // One more than asked, to know whether another page follows.
        let mut rows = db.rows(
            "SELECT o.id, o.number, o.state, o.email, o.name, o.total_amount, o.currency, \
                    o.created_at, o.updated_at, \
                    (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id) \
             FROM orders o \
             WHERE (?1 IS NULL OR o.state = ?1) AND (?2 IS NULL OR o.id < ?2) \
               AND (?4 IS NULL OR o.created_at >= ?4) \
               AND (?5 IS NULL OR o.created_at < date(?5, '+1 day')) \
               AND (?6 IS NULL OR instr(o.number, upper(?6)) = 1 \
                    OR instr(lower(o.email), lower(?6)) > 0) \
             ORDER BY o.id DESC LIMIT ?3",
            &[
                opt_text(query.state.map(OrderState::as_str)),
                opt_int(before),
                int(i64::from(query.limit) + 1),
                opt_text(query.from.as_deref()),
                opt_text(query.to.as_deref()),
                opt_text(query.q.as_deref()),
            ],
        )?;
        let more = rows.len() > query.limit as usize;
        rows.truncate(query.limit as usize);
        let orders = rows
            .iter()
            .map(|row| {
                let state = row.text(2)?;
                Ok(OrderSummary {
                    number: row.text(1)?,
                    state: OrderState::parse(&state)
                        .ok_or_else(|| anyhow!("unknown order state {state:?} in the database"))?,
                    email: row.text(3)?,
                    name: row.text(4)?,
                    total: Money::new(row.int(5)?, row.text(6)?),
                    created_at: row.text(7)?,
                    updated_at: row.text(8)?,
                    units: row.int(9)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let next_before = more
            .then(|| orders.last().map(|o| o.number.clone()))
            .flatten();
        Ok::<_, ApiError>(OrderList {
            orders,
            next_before,
        })
    })?;
    json(200, &list)
}

/// The row id of the order numbered `number`; 422 if there is none, as `before` must name
/// an order the list showed.
fn order_id(db: &Db, number: &str) -> Result<i64, ApiError> {
    let unknown = || {
        ApiError::invalid(vec![FieldError::new(
            "before",
            format!("there is no order {number}"),
        )])
    };
    let number = number::normalize(number).ok_or_else(unknown)?;
    let row = db
        .row("SELECT id FROM orders WHERE number = ?", &[text(&number)])?
        .ok_or_else(unknown)?;
    Ok(row.int(0)?)
}
