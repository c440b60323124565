//! `GET /admin/orders?state=&limit=&before=&from=&to=&q=`: the shop owner's list of orders,
//! newest first, a page at a time, filtered by state, by the day it was placed (UTC), and
//! by a search (any part of the number, with or without `SF-` and its dashes, or part of
//! the name or the email, ASCII letters in any case (SQLite's LIKE); bound parameters, LIKE with its wildcards
//! escaped, so `%` and `_` match only themselves). Pages
//! are cut by row id (strictly increasing with placement), named to callers by the public
//! order number of the last order shown. The search scans the orders (no index serves
//! "contains"); a page still reads at most `limit + 1` matching rows.

use crate::db::{Db, Mode, RowExt as _, int, like, opt_int, opt_text, text};
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
               AND (?6 IS NULL OR o.name LIKE ?6 ESCAPE '\\' \
                    OR o.email LIKE ?6 ESCAPE '\\' \
                    OR (?7 IS NOT NULL AND replace(o.number, '-', '') LIKE ?7 ESCAPE '\\')) \
             ORDER BY o.id DESC LIMIT ?3",
            &[
                opt_text(query.state.map(OrderState::as_str)),
                opt_int(before),
                int(i64::from(query.limit) + 1),
                opt_text(query.from.as_deref()),
                opt_text(query.to.as_deref()),
                opt_text(query.q.as_deref().map(like::contains)),
                opt_text(query.q.as_deref().and_then(number_part).map(|n| like::contains(&n))),
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

/// What a search may match of an order number (`SF-7K3M-Q9TX-2PDA`), compared without its
/// dashes: the text upper-cased and without dashes or spaces, a leading `SF` dropped (so
/// `sf-7k3m`, `7K3M` and `Q9TX2P` all find the order); `None` when that leaves nothing, or
/// something no number holds (a name, an email address).
fn number_part(q: &str) -> Option<String> {
    let compact: String = q
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect::<String>()
        .to_ascii_uppercase();
    let part = compact.strip_prefix("SF").unwrap_or(&compact);
    let shaped = !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric());
    // "SF" alone is every order.
    if compact == "SF" {
        return Some("SF".to_string());
    }
    shaped.then(|| part.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_parts_with_or_without_the_prefix() {
        assert_eq!(number_part("sf-7k3m").as_deref(), Some("7K3M"));
        assert_eq!(number_part("7K3M-Q9").as_deref(), Some("7K3MQ9"));
        assert_eq!(number_part("SF").as_deref(), Some("SF"));
        assert_eq!(number_part("ada@example.com"), None);
        assert_eq!(number_part("-"), None);
    }
}
