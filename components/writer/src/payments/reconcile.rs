//! `POST /admin/reconcile`: compares the provider's PaymentIntents created in a window with
//! the ledger's orders created in the same window, and lists every difference, so money the
//! provider took and the ledger does not show (or the reverse) is found by a machine rather
//! than by a customer. Loading is SQL; the comparison, [`compare`], is pure. Each run's
//! outcome (when, window, ok, mismatch count) is recorded in `reconcile_runs` for the
//! back office's dashboard.

use crate::db::{Db, Mode, NOW, RowExt as _, int, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::orders::number;
use crate::payments::events::{self, Unattributed};
use crate::payments::reviews;
use anyhow::anyhow;
use spin_sdk::http::Response;
use spin_sdk::sqlite::RowResult;
use std::collections::{BTreeMap, BTreeSet};
use storefront_domain::payments::{
    Mismatch, PROVIDER_TEST, ProviderIntent, ReconcileReport, ReconcileRequest,
};
use storefront_domain::{FieldError, Money, OrderState};

/// Stripe's status of an intent whose money came in (it stays so after a refund).
const INTENT_SUCCEEDED: &str = "succeeded";

/// The last second SQLite's calendar can show (9999-12-31T23:59:59Z), less one, so the
/// window's exclusive end still converts.
const LAST_SECOND: i64 = 253_402_300_798;

/// An order as the comparison needs it.
#[derive(Debug, Clone)]
pub struct LedgerOrder {
    pub number: String,
    pub state: OrderState,
    pub total: Money,
    /// The recorded payment's provider and intent.
    pub payment: Option<(String, String)>,
}

pub fn reconcile(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let request: ReconcileRequest = parse_json(body)?;
    if request.from > request.to {
        return Err(ApiError::invalid(vec![FieldError::new(
            "to",
            "must not be before from",
        )]));
    }
    let report = db.transaction(Mode::Read, |db| -> anyhow::Result<ReconcileReport> {
        let window = orders_in_window(db, request.from, request.to)?;
        let window_numbers: Vec<String> = window.iter().map(|o| o.number.clone()).collect();
        let mut ledger: BTreeMap<String, LedgerOrder> =
            window.into_iter().map(|o| (o.number.clone(), o)).collect();
        // An intent's order may predate the window by a moment (the intent is created
        // after the order), so intents are matched against any order: the one their
        // metadata names, else the one the ledger recorded them for.
        for intent in &request.intents {
            let number = intent.order_number.as_deref().and_then(number::normalize);
            if number.as_ref().is_some_and(|n| ledger.contains_key(n)) {
                continue;
            }
            let found = match &number {
                Some(number) => ledger_order(db, "o.number = ?", number)?,
                None => None,
            };
            let found = match found {
                Some(order) => Some(order),
                None => ledger_order(db, "p.intent_id = ?", &intent.id)?,
            };
            if let Some(order) = found {
                ledger.insert(order.number.clone(), order);
            }
        }
        let unattributed = events::unattributed(db)?;
        let reviewed = reviews::reviewed_intents(db)?;
        Ok(compare(
            &request.intents,
            &ledger,
            &window_numbers,
            &unattributed,
            &reviewed,
        ))
    })?;
    db.transaction(Mode::Write, |db| record_run(db, &request, &report))?;
    json(200, &report)
}

/// Runs kept in `reconcile_runs` (the dashboard shows the newest).
pub const RECONCILE_RUNS_KEPT: i64 = 100;

/// Records how this run ended, for the back office's dashboard, and prunes old runs.
fn record_run(db: &Db, request: &ReconcileRequest, report: &ReconcileReport) -> anyhow::Result<()> {
    let count = |n: usize| int(i64::try_from(n).unwrap_or(i64::MAX));
    db.execute(
        &format!(
            "INSERT INTO reconcile_runs (at, window_from, window_to, ok, mismatches, \
             checked_intents, checked_orders) VALUES ({NOW}, ?, ?, ?, ?, ?, ?)"
        ),
        &[
            int(request.from),
            int(request.to),
            int(i64::from(report.ok)),
            count(report.mismatches.len()),
            count(report.checked_intents),
            count(report.checked_orders),
        ],
    )?;
    db.execute(
        "DELETE FROM reconcile_runs WHERE id <= (SELECT max(id) FROM reconcile_runs) - ?",
        &[int(RECONCILE_RUNS_KEPT)],
    )?;
    Ok(())
}

const LEDGER_ORDER: &str = "SELECT o.number, o.state, o.total_amount, o.currency, \
     p.provider, p.intent_id FROM orders o LEFT JOIN payments p ON p.order_id = o.id";

/// Orders created in `[from, to]` (unix seconds, whole seconds inclusive). Stored times are
/// RFC 3339 text of one fixed width, so text order is time order.
fn orders_in_window(db: &Db, from: i64, to: i64) -> anyhow::Result<Vec<LedgerOrder>> {
    // Clamped into SQLite's calendar, where strftime returns NULL and matches nothing.
    let (from, end) = (from.clamp(0, LAST_SECOND), to.clamp(-1, LAST_SECOND) + 1);
    db.rows(
        &format!(
            "{LEDGER_ORDER} \
             WHERE o.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?, 'unixepoch') \
               AND o.created_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?, 'unixepoch') \
             ORDER BY o.id"
        ),
        &[int(from), int(end)],
    )?
    .iter()
    .map(ledger_order_of)
    .collect()
}

/// The order matching `condition` (a constant) with `value`.
fn ledger_order(db: &Db, condition: &str, value: &str) -> anyhow::Result<Option<LedgerOrder>> {
    db.row(&format!("{LEDGER_ORDER} WHERE {condition}"), &[text(value)])?
        .as_ref()
        .map(ledger_order_of)
        .transpose()
}

fn ledger_order_of(row: &RowResult) -> anyhow::Result<LedgerOrder> {
    let state = row.text(1)?;
    let provider = row.opt_text(4)?;
    let intent_id = row.opt_text(5)?;
    Ok(LedgerOrder {
        number: row.text(0)?,
        state: OrderState::parse(&state)
            .ok_or_else(|| anyhow!("unknown order state {state:?} in the database"))?,
        total: Money::new(row.int(2)?, row.text(3)?),
        payment: provider.zip(intent_id),
    })
}

/// The differences between the provider's `intents` and the ledger: `ledger` holds every
/// order in the window (`window`, by number) and every order an intent belongs to (the one
/// its metadata names, else the one its id was recorded for); `unattributed` the stored
/// events the ledger could not attribute, whenever they arrived (and no one reviewed);
/// `reviewed` the intents whose events a human has reviewed: such an intent for an
/// unknown order is settled, not a mismatch.
pub fn compare(
    intents: &[ProviderIntent],
    ledger: &BTreeMap<String, LedgerOrder>,
    window: &[String],
    unattributed: &[Unattributed],
    reviewed: &BTreeSet<String>,
) -> ReconcileReport {
    let mut mismatches = Vec::new();
    let mut mismatch = |kind: &str, order: Option<&str>, intent: Option<&str>, detail: String| {
        mismatches.push(Mismatch {
            kind: kind.to_string(),
            order_number: order.map(str::to_string),
            intent_id: intent.map(str::to_string),
            detail,
        })
    };

    let by_intent: BTreeMap<&str, &LedgerOrder> = ledger
        .values()
        .filter_map(|o| Some((o.payment.as_ref()?.1.as_str(), o)))
        .collect();
    for intent in intents {
        let money = Money::new(intent.amount, intent.currency.to_ascii_uppercase());
        let number = intent.order_number.as_deref().and_then(number::normalize);
        let order = match number.as_ref().and_then(|n| ledger.get(n)) {
            Some(order) => Some(order),
            None => by_intent.get(intent.id.as_str()).copied(),
        };
        let Some(order) = order else {
            if reviewed.contains(&intent.id) {
                continue;
            }
            let named = match &intent.order_number {
                Some(n) => format!(
                    "names order {n:?}, which the ledger does not know, and is recorded for no order"
                ),
                None => {
                    "names no order (no metadata order_number) and is recorded for none".to_string()
                }
            };
            mismatch(
                "intent_for_unknown_order",
                intent.order_number.as_deref(),
                Some(&intent.id),
                format!("intent {} ({}, {money}) {named}", intent.id, intent.status),
            );
            continue;
        };
        let (n, id) = (Some(order.number.as_str()), Some(intent.id.as_str()));
        let total = &order.total;
        if intent.status == INTENT_SUCCEEDED && !money_taken(order.state) {
            mismatch(
                "succeeded_intent_order_not_paid",
                n,
                id,
                format!(
                    "intent {} succeeded for {money} but order {} is {} (total {total})",
                    intent.id,
                    order.number,
                    order.state.as_str()
                ),
            );
        }
        if money.currency != total.currency {
            mismatch(
                "currency_mismatch",
                n,
                id,
                format!(
                    "intent {} is in {} ({money}) but order {} is in {} ({total})",
                    intent.id, money.currency, order.number, total.currency
                ),
            );
        } else if money.amount != total.amount {
            mismatch(
                "amount_mismatch",
                n,
                id,
                format!(
                    "intent {} is for {money} but order {} totals {total}",
                    intent.id, order.number
                ),
            );
        }
    }

    for number in window {
        let Some(order) = ledger.get(number) else {
            continue;
        };
        if !matches!(order.state, OrderState::Paid | OrderState::Fulfilled) {
            continue;
        }
        let recorded = order.payment.as_ref();
        // Test-mode payments never reach the provider.
        if recorded.is_some_and(|(provider, _)| provider == PROVIDER_TEST) {
            continue;
        }
        let recorded_intent = recorded.map(|(_, intent_id)| intent_id.as_str());
        let listed: Vec<&ProviderIntent> = intents
            .iter()
            .filter(|i| {
                Some(i.id.as_str()) == recorded_intent
                    || i.order_number
                        .as_deref()
                        .and_then(number::normalize)
                        .as_ref()
                        == Some(number)
            })
            .collect();
        if listed.iter().any(|i| i.status == INTENT_SUCCEEDED) {
            continue;
        }
        let listed_text = if listed.is_empty() {
            "the provider lists no intent for it".to_string()
        } else {
            let each: Vec<String> = listed
                .iter()
                .map(|i| format!("{} ({})", i.id, i.status))
                .collect();
            format!(
                "none of its intents at the provider succeeded: {}",
                each.join(", ")
            )
        };
        mismatch(
            "paid_order_without_succeeded_intent",
            Some(number),
            recorded_intent,
            format!(
                "order {number} is {} ({}, intent {}) but {listed_text}",
                order.state.as_str(),
                order.total,
                recorded_intent.unwrap_or("not recorded"),
            ),
        );
    }

    for event in unattributed {
        mismatch(
            "event_for_unknown_order",
            event.order_number.as_deref(),
            event.intent_id.as_deref(),
            event.describe(),
        );
    }

    ReconcileReport {
        ok: mismatches.is_empty(),
        checked_intents: intents.len(),
        checked_orders: window.len(),
        mismatches,
    }
}

/// Whether the ledger shows the order's money as taken (a refund is still money that came in).
fn money_taken(state: OrderState) -> bool {
    matches!(
        state,
        OrderState::Paid | OrderState::Fulfilled | OrderState::Refunded
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::order_number::format_bits;

    fn order(bits: u64, state: OrderState, provider: &str) -> LedgerOrder {
        LedgerOrder {
            number: format_bits(bits),
            state,
            total: Money::new(2900, "EUR"),
            payment: Some((provider.to_string(), format!("pi_{bits}"))),
        }
    }

    fn intent(bits: u64, status: &str, amount: i64, currency: &str) -> ProviderIntent {
        ProviderIntent {
            id: format!("pi_{bits}"),
            status: status.to_string(),
            amount,
            currency: currency.to_string(),
            // As the shopper might type it: the ledger compares canonical numbers.
            order_number: Some(format_bits(bits).to_ascii_lowercase()),
            created: 1_700_000_000,
        }
    }

    fn run(
        orders: Vec<LedgerOrder>,
        intents: &[ProviderIntent],
        unattributed: &[Unattributed],
    ) -> ReconcileReport {
        let window: Vec<String> = orders.iter().map(|o| o.number.clone()).collect();
        let ledger = orders.into_iter().map(|o| (o.number.clone(), o)).collect();
        compare(intents, &ledger, &window, unattributed, &BTreeSet::new())
    }

    fn kinds(report: &ReconcileReport) -> Vec<(&str, Option<&str>)> {
        report
            .mismatches
            .iter()
            .map(|m| (m.kind.as_str(), m.intent_id.as_deref()))
            .collect()
    }

    #[test]
    fn matching_provider_and_ledger_is_ok() {
        let report = run(
            vec![
                order(1, OrderState::Paid, "stripe"),
                order(2, OrderState::Refunded, "stripe"),
                order(3, OrderState::PendingPayment, "stripe"),
                // Test-mode payments are not at the provider.
                order(4, OrderState::Paid, "test"),
            ],
            &[
                intent(1, "succeeded", 2900, "EUR"),
                intent(2, "succeeded", 2900, "eur"),
                intent(3, "requires_payment_method", 2900, "EUR"),
            ],
            &[],
        );
        assert!(report.ok, "{:?}", report.mismatches);
        assert_eq!((report.checked_intents, report.checked_orders), (3, 4));
    }

    #[test]
    fn every_kind_of_difference_is_named() {
        let unknown = Unattributed {
            event_id: "evt_9".into(),
            event_type: "payment_intent.succeeded".into(),
            intent_id: Some("pi_9".into()),
            order_number: Some("SF-NOPE".into()),
            money: Some(Money::new(100, "EUR")),
            received_at: "2025-01-01T00:00:00.000Z".into(),
            reason: "no order is numbered \"SF-NOPE\"".into(),
        };
        let mut nameless = intent(8, "succeeded", 100, "EUR");
        nameless.order_number = None;
        let report = run(
            vec![
                order(1, OrderState::Cancelled, "stripe"),
                order(2, OrderState::Paid, "stripe"),
                order(3, OrderState::PendingPayment, "stripe"),
                order(4, OrderState::PendingPayment, "stripe"),
            ],
            &[
                intent(1, "succeeded", 2900, "EUR"),
                intent(2, "requires_payment_method", 2900, "EUR"),
                intent(3, "canceled", 2500, "EUR"),
                intent(4, "canceled", 2900, "USD"),
                intent(7, "succeeded", 2900, "EUR"),
                nameless,
            ],
            &[unknown],
        );
        assert!(!report.ok);
        assert_eq!(
            kinds(&report),
            [
                ("succeeded_intent_order_not_paid", Some("pi_1")),
                ("amount_mismatch", Some("pi_3")),
                ("currency_mismatch", Some("pi_4")),
                ("intent_for_unknown_order", Some("pi_7")),
                ("intent_for_unknown_order", Some("pi_8")),
                ("paid_order_without_succeeded_intent", Some("pi_2")),
                ("event_for_unknown_order", Some("pi_9")),
            ]
        );
        let detail = |i: usize| report.mismatches[i].detail.as_str();
        assert!(detail(0).contains("succeeded for €29.00") && detail(0).contains("is cancelled"));
        assert!(detail(1).contains("€25.00") && detail(1).contains("totals €29.00"));
        assert!(
            detail(5).contains("requires_payment_method"),
            "{}",
            detail(5)
        );
        assert!(detail(6).starts_with("event evt_9 (payment_intent.succeeded, intent pi_9, €1.00"));
        assert_eq!(report.mismatches[0].order_number, Some(format_bits(1)));
    }

    #[test]
    fn an_intent_without_metadata_matches_the_order_it_was_recorded_for() {
        let mut bare = intent(1, "succeeded", 2900, "EUR");
        bare.order_number = None;
        let report = run(vec![order(1, OrderState::Paid, "stripe")], &[bare], &[]);
        assert!(report.ok, "{:?}", report.mismatches);
    }

    #[test]
    fn a_reviewed_intent_for_an_unknown_order_is_settled() {
        let stranger = intent(7, "succeeded", 2900, "EUR");
        let ledger = BTreeMap::new();
        let reviewed = BTreeSet::from(["pi_7".to_string()]);
        let report = compare(
            std::slice::from_ref(&stranger),
            &ledger,
            &[],
            &[],
            &reviewed,
        );
        assert!(report.ok, "{:?}", report.mismatches);
        let report = compare(&[stranger], &ledger, &[], &[], &BTreeSet::new());
        assert_eq!(kinds(&report), [("intent_for_unknown_order", Some("pi_7"))]);
    }

    #[test]
    fn a_paid_order_missing_at_the_provider() {
        let mut unrecorded = order(5, OrderState::Fulfilled, "stripe");
        unrecorded.payment = None;
        let report = run(vec![unrecorded], &[], &[]);
        assert_eq!(
            kinds(&report),
            [("paid_order_without_succeeded_intent", None)]
        );
        assert!(report.mismatches[0].detail.contains("lists no intent"));
    }
}
