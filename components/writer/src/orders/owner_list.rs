//! `GET /admin/orders?state=&limit=&before=&from=&to=&q=`: the shop owner's list of orders,
//! newest first, a page at a time, filtered by state, by the day it was placed (UTC), and
//! by a search. Each page costs O(page), whatever the size of the order book: the SQL
//! names only the filters present (never `? IS NULL OR …`, which the planner cannot
//! serve from an index), every filter has an index (`orders_by_state_created`,
//! `orders_by_created`, see `0023_owner_lists_and_background.sql`), and pages are cut by a
//! keyset cursor (`created_at`, `id`), named to callers by the public order number of the
//! last order shown.
//!
//! The search `q` matches the start of an order number (any case, with or without `SF`
//! and dashes), of an email address or of a customer's name (ASCII case aside), among all
//! orders, each by a range of its index (`sqlite_autoindex_orders_1`, `orders_by_email`,
//! `orders_by_name` of `0024_daily_totals_and_lean_orders.sql`): a search that matches
//! nothing costs O(log n) whatever the order book. A part in the middle (a surname after
//! the first name, an email's domain) is not matched: no index serves "contains".

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use crate::orders::number;
use anyhow::anyhow;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use storefront_domain::order_list::{OrderList, OrderListQuery, OrderSummary};
use storefront_domain::{FieldError, Money, OrderState};

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
        // Each branch is one range of one index: a search that matches nothing costs
        // O(log n); one that matches costs O(matches).
        let q = q.trim();
        let mut found = Vec::new();
        if let Some(prefix) = number_prefix(q) {
            found.push("SELECT id FROM orders WHERE number >= ? AND number < ?".to_string());
            params.push(text(&prefix));
            params.push(text(upper_bound(&prefix)));
        }
        for column in ["email", "name"] {
            found.push(format!(
                "SELECT id FROM orders WHERE {column} >= ? COLLATE NOCASE \
                   AND {column} < ? COLLATE NOCASE"
            ));
            params.push(text(q));
            params.push(text(upper_bound(q)));
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

/// The start of an order number (`SF-7K3M-Q9TX-2PDA`) a search names, in the stored
/// form: the text upper-cased, without dashes or spaces and a leading `SF`, regrouped by
/// four (so `sf-7k3m`, `7K3M` and `7k3mq9` all find the order); `None` when that leaves
/// nothing, more than a number holds, or something no number holds (a name, an email
/// address).
fn number_prefix(q: &str) -> Option<String> {
    let compact: String = q
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect::<String>()
        .to_ascii_uppercase();
    let part = compact.strip_prefix("SF").unwrap_or(&compact);
    let shaped =
        !part.is_empty() && part.len() <= 12 && part.chars().all(|c| c.is_ascii_alphanumeric());
    shaped.then(|| {
        let groups: Vec<&str> = part
            .as_bytes()
            .chunks(4)
            .map(|g| std::str::from_utf8(g).unwrap_or_default())
            .collect();
        format!("SF-{}", groups.join("-"))
    })
}

/// The least text above every text that starts with `prefix` (in binary and in NOCASE
/// order): the prefix followed by the highest code point.
fn upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
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
    fn number_prefixes_with_or_without_the_prefix_and_dashes() {
        assert_eq!(number_prefix("sf-7k3m").as_deref(), Some("SF-7K3M"));
        assert_eq!(number_prefix("7K3M-Q9").as_deref(), Some("SF-7K3M-Q9"));
        assert_eq!(
            number_prefix("sf7k3mq9tx2pda").as_deref(),
            Some("SF-7K3M-Q9TX-2PDA")
        );
        assert_eq!(number_prefix("SF"), None);
        assert_eq!(number_prefix("ada@example.com"), None);
        assert_eq!(number_prefix("-"), None);
        assert_eq!(number_prefix("7K3MQ9TX2PDAX"), None);
    }

    /// A search reads one range of each of its indexes (the number's, the email's, the
    /// name's) and nothing else of the orders: no match costs O(log n).
    #[test]
    fn a_search_is_index_ranges_only() {
        let schema = query_plan::schema();
        // Each of these could start a number too (`SF-NOBO-DYAT-ALL`, `SF-7K3M`, `SF-ADAL`).
        for q in ["nobody-at-all", "sf-7k3m", "Ada L"] {
            let query = OrderListQuery {
                state: None,
                limit: 50,
                before: None,
                from: None,
                to: None,
                q: Some(q.to_string()),
            };
            let (sql, _) = select(&query, None);
            let plan = query_plan::lines(&schema, &sql);
            for index in ["orders_by_email", "orders_by_name"] {
                assert!(
                    plan.iter()
                        .any(|l| l.starts_with("SEARCH") && l.contains(index)),
                    "{q}: {plan:#?}"
                );
            }
            assert!(
                plan.iter()
                    .any(|l| l.contains("sqlite_autoindex_orders_1 (number>? AND number<?)")),
                "{q}: {plan:#?}"
            );
            assert!(
                plan.iter().all(|l| !l.starts_with("SCAN")),
                "{q}: {plan:#?}"
            );
        }
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
