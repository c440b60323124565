//! The shop owner's list of orders (`GET /admin/orders`): which orders to ship, which wait
//! for payment. Newest first, a page at a time, optionally one state only, placed within a
//! date range, or matching a search (any part of an order number, with or without `SF-`,
//! or part of the name or email address). The query is
//! parsed and checked here so pages (which refuse bad queries early) and the writer (which
//! trusts nobody) read it the same way.

use crate::money::Money;
use crate::order::query_params;
use crate::order::{FieldError, OrderState};
use serde::{Deserialize, Serialize};

/// Orders per page unless `limit` says otherwise.
pub const DEFAULT_ORDER_PAGE: u32 = 50;
/// Largest `limit`.
pub const MAX_ORDER_PAGE: u32 = 200;
/// Longest search text `q`, in characters.
pub const MAX_ORDER_SEARCH: usize = 100;

/// `?state=paid&limit=50&before=SF-…&from=2026-11-01&to=2026-11-30&q=ada`: every
/// parameter optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderListQuery {
    /// Only orders in this state.
    pub state: Option<OrderState>,
    /// Most orders on the page.
    pub limit: u32,
    /// Only orders placed before this one (the previous page's `next_before`).
    pub before: Option<String>,
    /// Only orders placed on or after this day (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    /// Only orders placed on or before this day (`YYYY-MM-DD`, UTC).
    pub to: Option<String>,
    /// Only orders whose number (dashes and `SF` aside), name or email contains this
    /// (ASCII case does not matter).
    pub q: Option<String>,
}

/// Whether `s` is a calendar day `YYYY-MM-DD` (years 1970–9999).
pub fn valid_day(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1970 && (1..=days).contains(&day)
}

impl OrderListQuery {
    /// Parses a query string; every bad or unknown parameter is reported, so a typo
    /// (`stat=paid`) is an error rather than a silently unfiltered list.
    pub fn parse(query: &str) -> Result<OrderListQuery, Vec<FieldError>> {
        let mut parsed = OrderListQuery {
            state: None,
            limit: DEFAULT_ORDER_PAGE,
            before: None,
            from: None,
            to: None,
            q: None,
        };
        let mut errors = Vec::new();
        for (name, value) in query_params(query, &mut errors) {
            match name.as_str() {
                // An empty filter (the back office's "Any state", an empty date) is none.
                "state" if value.is_empty() => {}
                "state" => match OrderState::parse(&value) {
                    Some(state) => parsed.state = Some(state),
                    None => errors.push(FieldError::new(
                        "state",
                        format!(
                            "must be one of {}",
                            OrderState::ALL.map(OrderState::as_str).join(", ")
                        ),
                    )),
                },
                "limit" => match value.parse::<u32>() {
                    Ok(limit) if (1..=MAX_ORDER_PAGE).contains(&limit) => parsed.limit = limit,
                    _ => errors.push(FieldError::new(
                        "limit",
                        format!("must be a whole number from 1 to {MAX_ORDER_PAGE}"),
                    )),
                },
                "before" if !value.trim().is_empty() && value.len() <= 64 => {
                    parsed.before = Some(value.trim().to_string());
                }
                "before" => errors.push(FieldError::new("before", "must be an order number")),
                "from" | "to" if value.is_empty() => {}
                "from" | "to" if valid_day(&value) => {
                    let day = Some(value.to_string());
                    if name == "from" {
                        parsed.from = day;
                    } else {
                        parsed.to = day;
                    }
                }
                "from" | "to" => errors.push(FieldError::new(
                    name.as_str(),
                    "must be a date like 2026-11-23",
                )),
                "q" if value.trim().chars().count() > MAX_ORDER_SEARCH => {
                    errors.push(FieldError::new(
                        "q",
                        format!("must be at most {MAX_ORDER_SEARCH} characters"),
                    ))
                }
                "q" if value.chars().any(char::is_control) => {
                    errors.push(FieldError::new("q", "must be plain text"))
                }
                "q" => {
                    let q = value.trim();
                    parsed.q = (!q.is_empty()).then(|| q.to_string());
                }
                other => errors.push(FieldError::new(
                    other,
                    "is not a parameter of this list (state, limit, before, from, to, q)",
                )),
            }
        }
        if let (Some(from), Some(to)) = (&parsed.from, &parsed.to)
            && from > to
        {
            errors.push(FieldError::new("to", "must not be before the start date"));
        }
        if errors.is_empty() {
            Ok(parsed)
        } else {
            Err(errors)
        }
    }

    /// The query string that [`parse`](Self::parse) reads back as this query.
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(state) = self.state {
            query.append_pair("state", state.as_str());
        }
        query.append_pair("limit", &self.limit.to_string());
        if let Some(before) = &self.before {
            query.append_pair("before", before);
        }
        for (name, value) in [("from", &self.from), ("to", &self.to), ("q", &self.q)] {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        query.finish()
    }
}

/// One order in the list: enough to decide what to do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    /// The order number.
    pub number: String,
    /// Where the order is in its life.
    pub state: OrderState,
    /// The shopper's email address.
    pub email: String,
    /// The name on the order.
    pub name: String,
    /// What the shopper pays.
    pub total: Money,
    /// Units ordered, all lines together.
    pub units: i64,
    /// When it was placed (RFC 3339 UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339 UTC).
    pub updated_at: String,
}

/// One page of the owner's order list (`GET /admin/orders`), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderList {
    /// The orders on this page.
    pub orders: Vec<OrderSummary>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(query: &str) -> Vec<String> {
        OrderListQuery::parse(query)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn defaults_and_round_trip() {
        let all = OrderListQuery::parse("").unwrap();
        assert_eq!(all.state, None);
        assert_eq!(all.limit, DEFAULT_ORDER_PAGE);
        assert_eq!(all.before, None);
        let page = OrderListQuery::parse("state=paid&limit=2&before=SF-AAAA-BBBB-CCCC").unwrap();
        assert_eq!(page.state, Some(OrderState::Paid));
        assert_eq!(page.limit, 2);
        assert_eq!(page.before.as_deref(), Some("SF-AAAA-BBBB-CCCC"));
        assert_eq!(OrderListQuery::parse(&page.to_query()).unwrap(), page);
    }

    #[test]
    fn every_bad_parameter_is_reported() {
        assert_eq!(fields("state=shipped"), ["state"]);
        assert_eq!(fields("limit=0&limit=5"), ["limit", "limit"]);
        for limit in ["0", "201", "-1", "ten", "1.5", ""] {
            assert_eq!(fields(&format!("limit={limit}")), ["limit"], "{limit}");
        }
        assert_eq!(fields("before="), ["before"]);
        assert_eq!(fields(&format!("before={}", "A".repeat(65))), ["before"]);
        assert_eq!(fields("stat=paid"), ["stat"]);
        assert_eq!(fields("state=paid&state=paid"), ["state"]);
        assert_eq!(fields("from=2026-02-30"), ["from"]);
        assert_eq!(fields("to=23.11.2026"), ["to"]);
        assert_eq!(fields("from=2026-11-02&to=2026-11-01"), ["to"]);
        assert_eq!(fields(&format!("q={}", "a".repeat(101))), ["q"]);
        assert_eq!(fields("q=a%0Ab"), ["q"]);
    }

    #[test]
    fn filters_round_trip() {
        let q =
            OrderListQuery::parse("from=2024-02-29&to=2026-12-31&q=Ada%40ex&state=paid").unwrap();
        assert_eq!(q.from.as_deref(), Some("2024-02-29"));
        assert_eq!(q.to.as_deref(), Some("2026-12-31"));
        assert_eq!(q.q.as_deref(), Some("Ada@ex"));
        assert_eq!(OrderListQuery::parse(&q.to_query()).unwrap(), q);
        let empty = OrderListQuery::parse("state=&from=&to=&q=+").unwrap();
        assert_eq!(
            (empty.state, empty.from, empty.to, empty.q),
            (None, None, None, None)
        );
        assert!(!valid_day("2025-02-29"));
        assert!(valid_day("2000-02-29"));
        assert!(!valid_day("1900-01-01"));
    }
}
