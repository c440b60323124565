//! `GET /admin/customers?q=&after=`: a page of customers, the most recent order first.
//! Each page is O(page): the rows are read along `customers_by_last_order` from the
//! keyset cursor (the last email shown); a search `q` matches the start of an email (a
//! range of the primary key) or of a name, any case (a range of `customers_by_name`),
//! so a search that matches nothing costs O(log n), one that matches O(matches).

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use std::collections::HashMap;
use storefront_domain::customers::{
    CUSTOMERS_PAGE, CustomerList, CustomerSummary, MAX_CUSTOMER_QUERY,
};
use storefront_domain::{FieldError, Money};

/// The list's query, checked.
struct Query {
    q: Option<String>,
    after: Option<String>,
}

fn parse(query: &str) -> Result<Query, Vec<FieldError>> {
    let mut parsed = Query {
        q: None,
        after: None,
    };
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "q" => {
                let q = value.trim();
                if q.chars().count() > MAX_CUSTOMER_QUERY {
                    return Err(vec![FieldError::new(
                        "q",
                        format!("must be at most {MAX_CUSTOMER_QUERY} characters"),
                    )]);
                }
                parsed.q = (!q.is_empty()).then(|| q.to_string());
            }
            "after" if !value.is_empty() => parsed.after = Some(value.to_lowercase()),
            _ => {}
        }
    }
    Ok(parsed)
}

pub fn list(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = parse(query).map_err(ApiError::invalid)?;
    let list = db.transaction(Mode::Read, |db| {
        let after = match &query.after {
            Some(email) => Some(cursor(db, email)?),
            None => None,
        };
        let (sql, params) = select(query.q.as_deref(), after.as_ref());
        let mut rows = db.rows(&sql, &params)?;
        let more = rows.len() > CUSTOMERS_PAGE as usize;
        rows.truncate(CUSTOMERS_PAGE as usize);
        let emails: Vec<String> = rows.iter().map(|r| r.text(0)).collect::<Result<_, _>>()?;
        let mut spent = spent_of(db, &emails)?;
        let customers = rows
            .iter()
            .map(|row| {
                let email = row.text(0)?;
                Ok(CustomerSummary {
                    spent: spent.remove(&email).unwrap_or_default(),
                    email,
                    name: row.text(1)?,
                    orders: row.int(2)?,
                    first_order_at: row.text(3)?,
                    last_order_at: row.text(4)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let next_after = more
            .then(|| customers.last().map(|c| c.email.clone()))
            .flatten();
        Ok::<_, ApiError>(CustomerList {
            customers,
            next_after,
        })
    })?;
    json(200, &list)
}

/// Where a page starts: the last customer shown.
pub struct Cursor {
    pub last_order_at: String,
    pub email: String,
}

/// The page's query: one more row than a page (to know whether another follows).
pub fn select(q: Option<&str>, after: Option<&Cursor>) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    if let Some(q) = q {
        clauses.push(
            "c.email IN (SELECT email FROM customers WHERE email >= ? AND email < ? \
             UNION SELECT email FROM customers WHERE name >= ? COLLATE NOCASE \
             AND name < ? COLLATE NOCASE)"
                .to_string(),
        );
        let lower = q.to_lowercase();
        params.push(text(&lower));
        params.push(text(format!("{lower}\u{10FFFF}")));
        params.push(text(q));
        params.push(text(format!("{q}\u{10FFFF}")));
    }
    if let Some(cursor) = after {
        clauses.push("c.last_order_at <= ? AND (c.last_order_at < ? OR c.email < ?)".to_string());
        params.push(text(&cursor.last_order_at));
        params.push(text(&cursor.last_order_at));
        params.push(text(&cursor.email));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {} ", clauses.join(" AND "))
    };
    params.push(int(i64::from(CUSTOMERS_PAGE) + 1));
    (
        format!(
            "SELECT c.email, c.name, c.orders, c.first_order_at, c.last_order_at \
             FROM customers c {filter}ORDER BY c.last_order_at DESC, c.email DESC LIMIT ?"
        ),
        params,
    )
}

/// 422 when `after` names no customer (it must be one the list showed).
fn cursor(db: &Db, email: &str) -> Result<Cursor, ApiError> {
    let row = db
        .row(
            "SELECT last_order_at FROM customers WHERE email = ?",
            &[text(email)],
        )?
        .ok_or_else(|| ApiError::invalid(vec![FieldError::new("after", "names no customer")]))?;
    Ok(Cursor {
        last_order_at: row.text(0)?,
        email: email.to_string(),
    })
}

/// What each of `emails` spent, per currency (by the primary key of `customer_spent`).
pub fn spent_of(db: &Db, emails: &[String]) -> anyhow::Result<HashMap<String, Vec<Money>>> {
    let mut spent: HashMap<String, Vec<Money>> = HashMap::new();
    if emails.is_empty() {
        return Ok(spent);
    }
    let marks = vec!["?"; emails.len()].join(", ");
    let params: Vec<Value> = emails.iter().map(text).collect();
    for row in db.rows(
        &format!(
            "SELECT email, currency, amount FROM customer_spent \
             WHERE email IN ({marks}) AND amount <> 0 ORDER BY email, currency"
        ),
        &params,
    )? {
        spent
            .entry(row.text(0)?)
            .or_default()
            .push(Money::new(row.int(2)?, row.text(1)?));
    }
    Ok(spent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// The list, a search and a later page read by index: no scan of the customers.
    #[test]
    fn every_page_and_search_is_read_by_index() {
        let schema = query_plan::schema();
        let cursor = Cursor {
            last_order_at: "2026-11-23T10:00:00.000Z".into(),
            email: "ada@example.com".into(),
        };
        for (q, after) in [
            (None, None),
            (None, Some(&cursor)),
            (Some("Ada"), None),
            (Some("ada@"), Some(&cursor)),
        ] {
            let (sql, _) = select(q, after);
            let plan = query_plan::lines(&schema, &sql);
            assert!(
                plan.iter()
                    .all(|l| !l.starts_with("SCAN") || l.contains("customers_by_last_order")),
                "{q:?}: {plan:#?}"
            );
            if q.is_some() {
                assert!(
                    plan.iter().any(|l| l.contains("customers_by_name")),
                    "{plan:#?}"
                );
            }
        }
    }
}
