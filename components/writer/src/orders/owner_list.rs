//! `GET /admin/orders?state=&limit=&before=&from=&to=&q=`: the shop owner's list of orders,
//! newest first, a page at a time, filtered by state, by the day it was placed (UTC), and
//! by a search. Each page costs O(page), whatever the size of the order book: the SQL
//! names only the filters present (never `? IS NULL OR …`, which the planner cannot
//! serve from an index), every filter has an index (`orders_by_state_created`,
//! `orders_by_created`, see `0023_owner_lists.sql`), and pages are cut by a keyset cursor
//! (`created_at`, `id`), named to callers by the public order number of the last order
//! shown.
//!
//! The search `q` is bounded: an exact order number (`SF-…`, any case, with or without
//! dashes) or an exact email address is found by index among all orders; "contains"
//! (any part of the number, name or email, ASCII case aside, LIKE with its wildcards
//! escaped) looks only at the newest [`SEARCH_WINDOW`] orders, since no index serves it.

use crate::db::{Db, Mode, RowExt as _, int, like, text};
use crate::http::responses::{ApiError, json};
use crate::orders::number;
use anyhow::anyhow;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use storefront_domain::order_list::{OrderList, OrderListQuery, OrderSummary};
use storefront_domain::{FieldError, Money, OrderState};

/// How many of the newest orders a "contains" search reads (exact numbers and email
/// addresses are found among all orders).
pub const SEARCH_WINDOW: i64 = 10_000;

pub fn list(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = OrderListQuery::parse(query).map_err(ApiError::invalid)?;
    let list = db.transaction(Mode::Read, |db| {
        let before = match &query.before {
            Some(number) => Some(cursor(db, number)?),
            None => None,
        };
        let (sql, params) = select(&query, before.as_ref());
        let mut rows = db.rows(&sql, &params)?;
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

/// Where a page starts: the `created_at` and id of the last order of the page before.
pub struct Cursor {
    pub created_at: String,
    pub id: i64,
}

/// The page's query with its parameters: only the clauses of the filters present, one
/// more row than asked (to know whether another page follows).
pub fn select(query: &OrderListQuery, before: Option<&Cursor>) -> (String, Vec<Value>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    // With a search, the search's ids drive the query (bounded by the window); the other
    // filters only check those rows (`+` keeps the planner off their indexes).
    let (plus, search) = match query.q.as_deref() {
        Some(q) => ("+", Some(q)),
        None => ("", None),
    };
    if let Some(state) = query.state {
        clauses.push(format!("{plus}o.state = ?"));
        params.push(text(state.as_str()));
    }
    if let Some(from) = &query.from {
        clauses.push(format!("{plus}o.created_at >= ?"));
        params.push(text(from));
    }
    if let Some(to) = &query.to {
        clauses.push(format!("{plus}o.created_at < date(?, '+1 day')"));
        params.push(text(to));
    }
    if let Some(cursor) = before {
        clauses.push(format!(
            "{plus}o.created_at <= ? AND (o.created_at < ? OR o.id < ?)"
        ));
        params.push(text(&cursor.created_at));
        params.push(text(&cursor.created_at));
        params.push(int(cursor.id));
    }
    if let Some(q) = search {
        let mut found = Vec::new();
        if let Some(exact) = number::normalize(q) {
            found.push("SELECT id FROM orders WHERE number = ?".to_string());
            params.push(text(exact));
        }
        if q.contains('@') {
            found.push("SELECT id FROM orders WHERE email = ? COLLATE NOCASE".to_string());
            params.push(text(q.trim()));
        }
        let number_like = number_part(q).map(|n| like::contains(&n));
        found.push(format!(
            "SELECT id FROM orders WHERE id > (SELECT coalesce(max(id), 0) FROM orders) - ? \
               AND (name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\'{})",
            if number_like.is_some() {
                " OR replace(number, '-', '') LIKE ? ESCAPE '\\'"
            } else {
                ""
            }
        ));
        params.push(int(SEARCH_WINDOW));
        params.push(text(like::contains(q)));
        params.push(text(like::contains(q)));
        if let Some(pattern) = number_like {
            params.push(text(pattern));
        }
        clauses.push(format!("o.id IN ({})", found.join(" UNION ")));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {} ", clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT o.id, o.number, o.state, o.email, o.name, o.total_amount, o.currency, \
                o.created_at, o.updated_at, \
                (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id) \
         FROM orders o {filter}ORDER BY o.created_at DESC, o.id DESC LIMIT ?"
    );
    params.push(int(i64::from(query.limit) + 1));
    (sql, params)
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

/// Where the page after the order numbered `number` starts; 422 if there is none, as
/// `before` must name an order the list showed.
fn cursor(db: &Db, number: &str) -> Result<Cursor, ApiError> {
    let unknown = || {
        ApiError::invalid(vec![FieldError::new(
            "before",
            format!("there is no order {number}"),
        )])
    };
    let number = number::normalize(number).ok_or_else(unknown)?;
    let row = db
        .row(
            "SELECT created_at, id FROM orders WHERE number = ?",
            &[text(&number)],
        )?
        .ok_or_else(unknown)?;
    Ok(Cursor {
        created_at: row.text(0)?,
        id: row.int(1)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    #[test]
    fn number_parts_with_or_without_the_prefix() {
        assert_eq!(number_part("sf-7k3m").as_deref(), Some("7K3M"));
        assert_eq!(number_part("7K3M-Q9").as_deref(), Some("7K3MQ9"));
        assert_eq!(number_part("SF").as_deref(), Some("SF"));
        assert_eq!(number_part("ada@example.com"), None);
        assert_eq!(number_part("-"), None);
    }

    /// Every combination of filters reads the orders through an index (a range or a
    /// lookup), never a scan of the table, and only the unfiltered first page walks an
    /// index from its newest end; only a search (bounded by its window) sorts.
    #[test]
    fn every_filter_is_served_by_an_index() {
        let schema = query_plan::schema();
        let cursor = Cursor {
            created_at: "2026-11-23T10:00:00.000Z".into(),
            id: 7,
        };
        for mask in 0..32u32 {
            let query = OrderListQuery {
                state: (mask & 1 != 0).then_some(OrderState::Paid),
                limit: 50,
                before: None,
                from: (mask & 2 != 0).then(|| "2026-11-01".to_string()),
                to: (mask & 4 != 0).then(|| "2026-11-30".to_string()),
                q: (mask & 8 != 0).then(|| "ada@example.com".to_string()),
            };
            let (sql, _) = select(&query, (mask & 16 != 0).then_some(&cursor));
            let plan = query_plan::lines(&schema, &sql);
            let filtered = mask & 0b11111 != 0;
            for line in &plan {
                assert!(
                    !line.starts_with("SCAN")
                        || (!filtered && line.contains("INDEX orders_by_created")),
                    "filters {mask:05b} scan: {plan:#?}\n{sql}"
                );
                assert!(
                    !line.contains("TEMP B-TREE") || query.q.is_some(),
                    "filters {mask:05b} sort: {plan:#?}\n{sql}"
                );
            }
        }
    }
}
