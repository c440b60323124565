//! What the shop owner sees of one order and of the payment events waiting for a human
//! (the back office's order page and payments page), and the rules for what the owner
//! types there (a tracking number). Shared so pages check before asking and the writer,
//! which checks again, answers in the same shapes.

use crate::api::OrderView;
use crate::money::Money;
use crate::order::{FieldError, OrderState};
use crate::payments::{EventReview, PaymentRecord};
use serde::{Deserialize, Serialize};

/// Longest tracking number, in characters (carriers use up to about 35).
pub const MAX_TRACKING_NUMBER: usize = 64;
/// Payment events per page of the review queue unless `limit` says otherwise.
pub const DEFAULT_REVIEW_PAGE: u32 = 25;
/// Largest `limit` of the review queue.
pub const MAX_REVIEW_PAGE: u32 = 100;
/// Characters of a provider's event payload shown to the owner; the rest is cut (the
/// whole event stays in the database).
pub const MAX_PAYLOAD_SHOWN: usize = 4000;
/// Payment events of one order shown on its page (the newest; an order normally has 1–3).
pub const MAX_ORDER_EVENTS_SHOWN: i64 = 50;

/// A tracking number as typed: trimmed; empty is none; letters, digits, spaces and
/// `-`, `_`, `.`, `/` only, at most [`MAX_TRACKING_NUMBER`] characters.
pub fn tracking_number(raw: &str) -> Result<Option<String>, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > MAX_TRACKING_NUMBER {
        return Err(format!("must be at most {MAX_TRACKING_NUMBER} characters"));
    }
    if !trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '/'))
    {
        return Err("may hold letters, digits, spaces and - _ . / only".into());
    }
    Ok(Some(trimmed.to_string()))
}

/// `GET /admin/orders/{number}` (writer): the order as the shopper sees it, plus what
/// only the owner sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerOrder {
    /// The order as the shopper sees it.
    pub order: OrderView,
    /// The carrier's tracking number, once shipped with one.
    pub tracking_number: Option<String>,
    /// Every state change, oldest first, with who caused it.
    pub history: Vec<HistoryEntry>,
    /// The payment, once an intent is recorded.
    pub payment: Option<PaymentRecord>,
    /// The provider's events for this order, oldest first (at most
    /// [`MAX_ORDER_EVENTS_SHOWN`], the newest).
    pub payment_events: Vec<OrderPaymentEvent>,
    /// Calls to the provider the ledger asked for (cancel an intent, refund money).
    pub provider_actions: Vec<ProviderActionSummary>,
    /// Goods returned to stock from this order (with a refund or a cancellation), oldest
    /// first.
    #[serde(default)]
    pub restocks: Vec<Restocked>,
    /// The owner's internal notes on the order, oldest first (never shown to the shopper).
    #[serde(default)]
    pub notes: Vec<crate::order_notes::OwnerNote>,
}

impl OwnerOrder {
    /// Units of line `sku` that may still go back on the shelf (sold minus returned).
    pub fn returnable(&self, sku: &str) -> i64 {
        let sold: i64 = self
            .order
            .items
            .iter()
            .filter(|l| l.sku == sku)
            .map(|l| l.quantity)
            .sum();
        let returned: i64 = self
            .restocks
            .iter()
            .filter(|r| r.sku == sku)
            .map(|r| r.quantity)
            .sum();
        (sold - returned).max(0)
    }
}

/// Units of one order line to put back on the shelf (`RequestRefund::restock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestockLine {
    /// The line's SKU (an order has one line per SKU).
    pub sku: String,
    /// Units, from 1 to what the line sold and has not returned yet.
    pub quantity: i64,
}

/// Goods of one line that went back on the shelf, as the order's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restocked {
    /// The line's SKU.
    pub sku: String,
    /// The product's name on the line.
    pub name: String,
    /// Units returned.
    pub quantity: i64,
    /// The refund that returned them (its number, 1, 2, …); `None`: the order was
    /// cancelled.
    pub refund_seq: Option<i64>,
    /// `owner` or `admin-token`.
    pub actor: String,
    /// When (RFC 3339 UTC).
    pub at: String,
}

/// One state change of an order, as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// `None` for the event that created the order.
    pub from: Option<OrderState>,
    /// The state it entered.
    pub to: OrderState,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// `owner`, `admin-token`, or `None` where no person acted (the shopper placing
    /// the order, the provider's events, the reservation sweep, older events).
    pub actor: Option<String>,
}

/// One event of the payment provider about an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPaymentEvent {
    /// The provider's event id.
    pub event_id: String,
    /// The provider's event type, e.g. `payment_intent.succeeded`.
    pub event_type: String,
    /// What the ledger did with it (`applied`, `deferred`, `amount_mismatch`, …).
    pub outcome: String,
    /// The amount the event names, if any.
    pub amount: Option<Money>,
    /// When it arrived (RFC 3339 UTC).
    pub received_at: String,
    /// A human's review of it, if one was recorded.
    pub review: Option<EventReview>,
}

/// One call to the provider that the ledger asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderActionSummary {
    /// `cancel_intent` or `refund`.
    pub kind: String,
    /// Why it was asked for, in words.
    pub reason: String,
    /// `pending` or `done`.
    pub state: String,
    /// What the provider answered, once it did.
    pub outcome: Option<String>,
    /// Calls tried so far.
    pub attempts: i64,
    /// Why the last try failed, if it did.
    pub last_error: Option<String>,
    /// When it was asked for (RFC 3339 UTC).
    pub created_at: String,
}

/// `GET /admin/payment-events?limit=&before=` (writer): events the ledger could not
/// settle by itself and nobody has reviewed yet, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueue {
    /// The events on this page.
    pub events: Vec<FlaggedEvent>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
}

/// A payment event waiting for a human's review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedEvent {
    /// The row id, for paging.
    pub id: i64,
    /// The provider's event id.
    pub event_id: String,
    /// The provider that sent it.
    pub provider: String,
    /// The provider's event type.
    pub event_type: String,
    /// `unknown_order`, `amount_mismatch` or `deferred`.
    pub outcome: String,
    /// The order number the event named, exactly as received.
    pub order_number: Option<String>,
    /// The PaymentIntent it is about, if known.
    pub intent_id: Option<String>,
    /// The amount it names, if any.
    pub amount: Option<Money>,
    /// The provider's creation time, unix seconds.
    pub created: i64,
    /// When it arrived (RFC 3339 UTC).
    pub received_at: String,
    /// The event as the provider sent it, cut to [`MAX_PAYLOAD_SHOWN`] characters.
    pub payload: String,
    /// Whether `payload` was cut.
    pub payload_cut: bool,
}

/// `?limit=&before=` of the review queue: every parameter optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewQueueQuery {
    /// Most events on the page.
    pub limit: u32,
    /// Only events with a smaller row id (the previous page's `next_before`).
    pub before: Option<i64>,
}

impl ReviewQueueQuery {
    /// The query from `?limit=&before=`, or every bad parameter.
    pub fn parse(query: &str) -> Result<ReviewQueueQuery, Vec<FieldError>> {
        let mut parsed = ReviewQueueQuery {
            limit: DEFAULT_REVIEW_PAGE,
            before: None,
        };
        let mut errors = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "limit" => match value.parse::<u32>() {
                    Ok(n) if (1..=MAX_REVIEW_PAGE).contains(&n) => parsed.limit = n,
                    _ => errors.push(FieldError::new(
                        "limit",
                        format!("must be a whole number from 1 to {MAX_REVIEW_PAGE}"),
                    )),
                },
                "before" => match value.parse::<i64>() {
                    Ok(n) if n > 0 => parsed.before = Some(n),
                    _ => errors.push(FieldError::new("before", "must be an event's id")),
                },
                other => errors.push(FieldError::new(
                    other,
                    "is not a parameter of this list (limit, before)",
                )),
            }
        }
        if errors.is_empty() {
            Ok(parsed)
        } else {
            Err(errors)
        }
    }

    /// The query string for this page (`limit=…&before=…`).
    pub fn to_query(&self) -> String {
        let mut q = format!("limit={}", self.limit);
        if let Some(before) = self.before {
            q.push_str(&format!("&before={before}"));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers() {
        assert_eq!(tracking_number("  "), Ok(None));
        assert_eq!(
            tracking_number(" 00340434161094042557 "),
            Ok(Some("00340434161094042557".into()))
        );
        assert_eq!(
            tracking_number("JJD 0001/23-4.5_6"),
            Ok(Some("JJD 0001/23-4.5_6".into()))
        );
        assert!(tracking_number(&"1".repeat(65)).is_err());
        assert!(tracking_number(&"1".repeat(64)).is_ok());
        for bad in ["<script>", "a\nb", "ü123", "a\"b"] {
            assert!(tracking_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn review_queue_query() {
        assert_eq!(
            ReviewQueueQuery::parse("").unwrap(),
            ReviewQueueQuery {
                limit: DEFAULT_REVIEW_PAGE,
                before: None
            }
        );
        let q = ReviewQueueQuery::parse("limit=5&before=9").unwrap();
        assert_eq!(ReviewQueueQuery::parse(&q.to_query()).unwrap(), q);
        for bad in ["limit=0", "limit=101", "before=x", "before=0", "x=1"] {
            assert!(ReviewQueueQuery::parse(bad).is_err(), "{bad}");
        }
    }
}
