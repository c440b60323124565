//! The shop owner's list of orders (`GET /admin/orders`): which orders to ship, which wait
//! for payment. Newest first, a page at a time, optionally one state only. The query is
//! parsed and checked here so pages (which refuse bad queries early) and the writer (which
//! trusts nobody) read it the same way.

use crate::money::Money;
use crate::order::{FieldError, OrderState};
use serde::{Deserialize, Serialize};

/// Orders per page unless `limit` says otherwise.
pub const DEFAULT_ORDER_PAGE: u32 = 50;
/// Largest `limit`.
pub const MAX_ORDER_PAGE: u32 = 200;

/// `?state=paid&limit=50&before=SF-…`: every parameter optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderListQuery {
    pub state: Option<OrderState>,
    pub limit: u32,
    /// Only orders placed before this one (the previous page's `next_before`).
    pub before: Option<String>,
}

impl OrderListQuery {
    /// Parses a query string; every bad or unknown parameter is reported, so a typo
    /// (`stat=paid`) is an error rather than a silently unfiltered list.
    pub fn parse(query: &str) -> Result<OrderListQuery, Vec<FieldError>> {
        let mut parsed = OrderListQuery {
            state: None,
            limit: DEFAULT_ORDER_PAGE,
            before: None,
        };
        let mut errors = Vec::new();
        let mut seen = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if seen.contains(&name) {
                errors.push(FieldError::new(name.as_ref(), "must be given once"));
                continue;
            }
            seen.push(name.clone());
            match name.as_ref() {
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
                other => errors.push(FieldError::new(
                    other,
                    "is not a parameter of this list (state, limit, before)",
                )),
            }
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
        query.finish()
    }
}

/// One order in the list: enough to decide what to do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub number: String,
    pub state: OrderState,
    pub email: String,
    pub name: String,
    pub total: Money,
    /// Units ordered, all lines together.
    pub units: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderList {
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
    }
}
