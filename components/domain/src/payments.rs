//! Payments: the JSON shapes exchanged between pages (which talk to the payment
//! provider and verify its webhooks) and the writer (which records intents and
//! applies verified provider events to the ledger), and the reconciliation report.
//!
//! Amounts are minor units; currencies are upper-case ISO 4217 here even though
//! Stripe writes them in lower case (pages convert at the boundary).

use crate::money::Money;
use crate::order::OrderState;
use serde::{Deserialize, Serialize};

/// `payment_mode` variable: the real provider.
pub const MODE_STRIPE: &str = "stripe";
/// `payment_mode` variable: the local test-mode provider (only `storefront up` turns it on).
pub const MODE_TEST: &str = "test";

/// Which provider takes the money: the `payment_mode` variable as every reader of it
/// understands it (the pages that act on it and the host that refuses test mode in
/// production), so that no spelling can mean "test" to one and "not test" to the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMode {
    /// Stripe's API at `stripe_api_base`.
    Stripe,
    /// The local test-mode provider: no network, no real money.
    Test,
}

impl PaymentMode {
    /// An unknown value is an error rather than a fallback: guessing the wrong provider
    /// for money is worse than a loud misconfiguration page.
    pub fn parse(value: &str) -> Result<PaymentMode, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            MODE_STRIPE => Ok(PaymentMode::Stripe),
            MODE_TEST => Ok(PaymentMode::Test),
            other => Err(format!(
                "variable payment_mode is {other:?}; it must be {MODE_STRIPE:?} or {MODE_TEST:?}"
            )),
        }
    }
}

/// Whether the `accept_test_payments` variable lets a writer take test-mode events:
/// exactly `"true"`, for the writer and for the host guard that refuses it in production.
pub fn accepts_test_payments(value: &str) -> bool {
    value == "true"
}

/// One call the payment provider must receive because of a change in the ledger
/// (`GET /provider-actions/due` on the writer); the payment courier carries it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderAction {
    /// The action's id, for its report.
    pub id: i64,
    /// What to ask of the provider.
    pub kind: ProviderActionKind,
    /// Canonical: the only spelling the provider ever hears.
    pub order_number: String,
    /// The provider that holds the intent.
    pub provider: String,
    /// The provider's PaymentIntent id.
    pub intent_id: String,
    /// The amount concerned.
    pub amount: Money,
    /// Tries so far.
    pub attempts: i64,
}

/// What a [`ProviderAction`] asks of the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderActionKind {
    /// Cancel an intent that may still succeed, so the order can be cancelled.
    CancelIntent,
    /// Refund, in full, money that arrived for a cancelled order.
    Refund,
    /// Set the intent's amount to the payment's (the shopper changed their unpaid order).
    UpdateAmount,
}

/// `GET /provider-actions/due` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueActions {
    /// The actions due now, oldest first.
    pub actions: Vec<ProviderAction>,
}

/// `POST /provider-actions/{id}/result`: what the provider answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ActionReport {
    /// The intent's amount at the provider is now the payment's.
    Updated,
    /// The intent is cancelled at the provider: it can never be paid.
    Canceled,
    /// The intent cannot be cancelled because it was paid: the order is paid, not cancelled.
    AlreadySucceeded,
    /// The provider accepted the refund; the order's payment is `refund_requested` until
    /// the provider's `charge.refunded` event confirms it.
    RefundRequested {
        /// The provider's refund id.
        refund_id: String,
    },
    /// Not done this time (the provider was unreachable or refused); retried with back-off.
    Failed {
        /// What went wrong, for the action's log.
        error: String,
    },
}

/// Provider names stored with each payment.
pub const PROVIDER_STRIPE: &str = "stripe";
/// Provider name of the local test-mode provider.
pub const PROVIDER_TEST: &str = "test";

/// The Stripe-style event types the ledger acts on.
pub const EVENT_INTENT_SUCCEEDED: &str = "payment_intent.succeeded";
/// A payment attempt failed; the order stays payable.
pub const EVENT_INTENT_FAILED: &str = "payment_intent.payment_failed";
/// Money went back to the shopper (whole or part).
pub const EVENT_CHARGE_REFUNDED: &str = "charge.refunded";

/// `POST /orders/{number}/payment-intent` (writer): pages record the intent they created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordIntent {
    /// The provider's name ([`PROVIDER_STRIPE`] or [`PROVIDER_TEST`]).
    pub provider: String,
    /// The provider's PaymentIntent id.
    pub intent_id: String,
    /// Amount in minor units.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// Where an order's payment stands: `GET /orders/{number}/payment` (writer) and the
/// answer of the record commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    /// The order number.
    pub order_number: String,
    /// Where the order is in its life.
    pub order_state: OrderState,
    /// What the shopper owes.
    pub total: Money,
    /// `None` until an intent is recorded.
    pub payment: Option<PaymentRecord>,
}

/// An order's payment as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// The provider's name.
    pub provider: String,
    /// The provider's PaymentIntent id.
    pub intent_id: String,
    /// The amount of the intent.
    pub amount: Money,
    /// `created`, `succeeded`, `failed`, `refund_requested` (refunds asked for add up to
    /// the whole payment) or `refunded`.
    pub status: String,
    /// The provider's refund id of a whole refund, once accepted.
    pub refund_id: Option<String>,
    /// What the provider confirmed refunding so far, in the payment's currency (minor
    /// units): the cumulative `amount_refunded` of its `charge.refunded` events.
    #[serde(default)]
    pub amount_refunded: i64,
    /// The refunds asked for, oldest first.
    #[serde(default)]
    pub refunds: Vec<RefundRecord>,
}

impl PaymentRecord {
    /// What may still be asked back: the payment less the refunds asked for that did
    /// not fail (nothing once a whole refund is requested or done).
    pub fn refundable(&self) -> i64 {
        if matches!(self.status.as_str(), "refund_requested" | "refunded") {
            return 0;
        }
        let asked: i64 = self
            .refunds
            .iter()
            .filter(|r| r.state != REFUND_FAILED)
            .map(|r| r.amount.amount)
            .sum();
        (self.amount.amount - asked.max(self.amount_refunded)).max(0)
    }
}

/// A refund's states: asked of the provider (or about to be), accepted by it, refused.
pub const REFUND_REQUESTED: &str = "requested";
/// The provider accepted the refund.
pub const REFUND_ACCEPTED: &str = "accepted";
/// The provider refused it; its amount is free again.
pub const REFUND_FAILED: &str = "failed";

/// Longest note the owner can keep with a refund.
pub const MAX_REFUND_NOTE: usize = 500;

/// One refund asked of the provider (`refunds` in the ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    /// 1, 2, 3 … per payment; the provider's idempotency key is
    /// `storefront-refund-{order number}-{seq}`.
    pub seq: i64,
    /// How much to give back, in the payment's currency.
    pub amount: Money,
    /// [`REFUND_REQUESTED`], [`REFUND_ACCEPTED`] or [`REFUND_FAILED`].
    pub state: String,
    /// The provider's refund id, once accepted.
    pub refund_id: Option<String>,
    /// The owner's note, if any (at most [`MAX_REFUND_NOTE`] characters).
    pub note: Option<String>,
    /// Who asked (the `storefront-actor` header: `owner` or `admin-token`).
    pub actor: String,
    /// Why the last call to the provider failed, if it did.
    pub last_error: Option<String>,
    /// When it was asked for (RFC 3339 UTC).
    pub created_at: String,
}

/// `POST /orders/{number}/refunds` (writer, with an `Idempotency-Key`): ask for a refund
/// of `amount` (minor units, the payment's currency), or of everything still refundable
/// when `amount` is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestRefund {
    /// Minor units to refund; absent: everything still refundable.
    #[serde(default)]
    pub amount: Option<i64>,
    /// The owner's note, at most [`MAX_REFUND_NOTE`] characters, one line.
    #[serde(default)]
    pub note: Option<String>,
    /// Goods that go back on the shelf with this refund, per line (none by default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restock: Vec<crate::owner_orders::RestockLine>,
}

/// The writer's answer to [`RequestRefund`] and to a refund's report: the refund, what
/// to tell the provider, and the payment as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAnswer {
    /// The refund as recorded.
    pub refund: RefundRecord,
    /// The PaymentIntent to refund.
    pub intent_id: String,
    /// `Idempotency-Key` for the provider's refund call.
    pub provider_key: String,
    /// The sum of the accepted refunds, this one included once accepted (the test-mode
    /// provider's cumulative `amount_refunded`).
    pub accepted_total: i64,
    /// The payment after this refund.
    pub view: PaymentView,
}

/// `POST /orders/{number}/refunds/{seq}/result` (writer): what the provider answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RefundReport {
    /// The provider accepted it.
    Accepted {
        /// The provider's refund id.
        refund_id: String,
    },
    /// The provider refused it, or could not be reached; the amount is free again.
    Failed {
        /// What went wrong.
        error: String,
    },
}

/// A provider event whose signature pages verified, forwarded to the writer:
/// `POST /payments/events`. The writer deduplicates by `event_id`, applies events in
/// any order (a refund that arrives before the success waits for it), and stores
/// events for orders it does not know instead of dropping them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvent {
    /// The provider's name.
    pub provider: String,
    /// The provider's event id (deduplicated on).
    pub event_id: String,
    /// The provider's event type, e.g. `payment_intent.succeeded`.
    pub event_type: String,
    /// Provider's creation time, unix seconds.
    pub created: i64,
    /// Whether the event came from the provider's live mode.
    pub livemode: bool,
    /// The PaymentIntent (`data.object.id` for intent events, `data.object.payment_intent` for charges).
    pub intent_id: Option<String>,
    /// `metadata[order_number]` when the object carries it.
    pub order_number: Option<String>,
    /// Intent events: `amount`; `charge.refunded`: `amount_refunded`.
    pub amount: Option<i64>,
    /// The ISO 4217 code of `amount`, as the provider wrote it.
    pub currency: Option<String>,
    /// The event exactly as received, kept for the audit.
    pub payload: String,
}

/// The writer's answer to a [`PaymentEvent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEventResult {
    /// `applied`, `duplicate`, `deferred` (waits for an earlier event), `unknown_order`
    /// (stored for the audit), `amount_mismatch`, `order_not_payable`, or `ignored`.
    pub outcome: String,
    /// The order the event is for, when known.
    pub order_number: Option<String>,
    /// That order's state after the event.
    pub order_state: Option<OrderState>,
}

/// One PaymentIntent as the provider's list API reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderIntent {
    /// The provider's PaymentIntent id.
    pub id: String,
    /// Stripe's intent status, e.g. `succeeded`, `requires_payment_method`, `canceled`.
    pub status: String,
    /// Amount in minor units.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// `metadata[order_number]`, when the intent carries it.
    pub order_number: Option<String>,
    /// Unix seconds.
    pub created: i64,
}

/// `POST /admin/reconcile` (writer): the provider's intents created in `[from, to]`
/// (unix seconds); the writer compares them with the ledger over the same window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileRequest {
    /// The window's start, unix seconds.
    pub from: i64,
    /// The window's end, unix seconds.
    pub to: i64,
    /// Every intent the provider created in the window.
    pub intents: Vec<ProviderIntent>,
}

/// One difference between the provider and the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// `succeeded_intent_order_not_paid`, `paid_order_without_succeeded_intent`,
    /// `amount_mismatch`, `currency_mismatch`, `intent_for_unknown_order`,
    /// `event_for_unknown_order`.
    pub kind: String,
    /// The order concerned, if any.
    pub order_number: Option<String>,
    /// The intent concerned, if any.
    pub intent_id: Option<String>,
    /// One readable line.
    pub detail: String,
}

/// The writer's answer to [`ReconcileRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileReport {
    /// Whether provider and ledger agree.
    pub ok: bool,
    /// The provider's intents compared.
    pub checked_intents: usize,
    /// The ledger's orders compared.
    pub checked_orders: usize,
    /// Every difference found.
    pub mismatches: Vec<Mismatch>,
}

/// Longest review note, in characters.
pub const MAX_REVIEW_NOTE: usize = 1000;

/// `POST /admin/payment-events/{event_id}/review`: a human's verdict on a payment event
/// the ledger could not settle by itself (an event for an unknown order, money that is
/// not the order's total, an event deferred for too long). The event stays exactly as
/// received; the review only stops it from failing the audit and the reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRequest {
    /// What was found and done, e.g. "charge from the old shop; refunded in Stripe".
    pub note: String,
}

/// A recorded review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventReview {
    /// The provider's event id.
    pub event_id: String,
    /// The event's outcome when it was reviewed (`unknown_order`, `amount_mismatch`,
    /// `deferred`).
    pub outcome: String,
    /// What was found and done.
    pub note: String,
    /// When it was recorded (RFC 3339 UTC).
    pub reviewed_at: String,
}

/// The note to store: trimmed, not empty, at most [`MAX_REVIEW_NOTE`] characters.
pub fn review_note(note: &str) -> Result<String, String> {
    let note = note.trim();
    if note.is_empty() {
        return Err("must say what was found and done".into());
    }
    if note.chars().count() > MAX_REVIEW_NOTE {
        return Err(format!("must be at most {MAX_REVIEW_NOTE} characters"));
    }
    Ok(note.to_string())
}

/// Whether `id` can be a provider's event id (Stripe's are `evt_` and base62): checked
/// before it is put into a writer path.
pub fn valid_event_id(id: &str) -> bool {
    (1..=255).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_modes() {
        assert_eq!(PaymentMode::parse("stripe"), Ok(PaymentMode::Stripe));
        assert_eq!(PaymentMode::parse(" Test "), Ok(PaymentMode::Test));
        for bad in ["", "live", "stripe-test"] {
            assert!(PaymentMode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(accepts_test_payments("true"));
        for no in ["", "false", " true", "TRUE", "yes"] {
            assert!(!accepts_test_payments(no), "{no:?}");
        }
    }

    #[test]
    fn review_notes_are_trimmed_and_bounded() {
        assert_eq!(
            review_note("  refunded in Stripe \n").unwrap(),
            "refunded in Stripe"
        );
        assert!(review_note("").is_err());
        assert!(review_note(" \t\n").is_err());
        assert!(review_note(&"é".repeat(MAX_REVIEW_NOTE)).is_ok());
        assert!(review_note(&"é".repeat(MAX_REVIEW_NOTE + 1)).is_err());
    }

    #[test]
    fn event_ids_are_path_safe() {
        assert!(valid_event_id("evt_1NXrQk2eZvKYlo2C0aBcDeFg"));
        assert!(valid_event_id("test-evt-SF-1"));
        for bad in [
            "",
            "evt/1",
            "evt 1",
            "evt?x",
            "../admin",
            "évt",
            &"a".repeat(256),
        ] {
            assert!(!valid_event_id(bad), "{bad:?}");
        }
    }
}
