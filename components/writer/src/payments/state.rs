//! The payment state machine: a payment's statuses, the outcomes a provider event can have,
//! and what one event does to an order and its payment given where both stand. Pure (no
//! SQL), so every ordering of events can be tested natively; `payment_events.rs` loads the
//! state, asks [`decide`] and writes the answer.

use storefront_domain::payments::{
    EVENT_CHARGE_REFUNDED, EVENT_INTENT_FAILED, EVENT_INTENT_SUCCEEDED,
};
use storefront_domain::{Money, OrderState};

/// Where a payment stands (`payments.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// The intent exists; no money has moved.
    Created,
    Succeeded,
    /// The last attempt failed; the shopper may still retry on the same intent.
    Failed,
    /// A refund was asked of the provider; the order stays paid until it confirms.
    RefundRequested,
    Refunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 5] = [
        PaymentStatus::Created,
        PaymentStatus::Succeeded,
        PaymentStatus::Failed,
        PaymentStatus::RefundRequested,
        PaymentStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::RefundRequested => "refund_requested",
            PaymentStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the provider holds the shopper's money for this payment.
    pub fn money_held(self) -> bool {
        matches!(
            self,
            PaymentStatus::Succeeded | PaymentStatus::RefundRequested
        )
    }
}

/// The event types the ledger acts on; everything else is stored and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    IntentSucceeded,
    IntentFailed,
    ChargeRefunded,
    Other,
}

impl EventKind {
    pub fn of(event_type: &str) -> EventKind {
        match event_type {
            EVENT_INTENT_SUCCEEDED => EventKind::IntentSucceeded,
            EVENT_INTENT_FAILED => EventKind::IntentFailed,
            EVENT_CHARGE_REFUNDED => EventKind::ChargeRefunded,
            _ => EventKind::Other,
        }
    }

    /// Whether the event's amount is the intent's amount (rather than, say, an amount refunded).
    pub fn is_intent_event(self) -> bool {
        matches!(self, EventKind::IntentSucceeded | EventKind::IntentFailed)
    }
}

/// What became of a stored event (`payment_events.outcome`). A duplicate is never stored,
/// so it is not among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Waits for an earlier event (a refund that overtook the success); retried after the
    /// next event for the same order.
    Deferred,
    /// The ledger could not attribute it to an order; kept for a human.
    UnknownOrder,
    /// The money in the event is not the order's total; not applied.
    AmountMismatch,
    /// Money came in for an order that can no longer be paid (its reservation expired).
    OrderNotPayable,
    Ignored,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Deferred => "deferred",
            Outcome::UnknownOrder => "unknown_order",
            Outcome::AmountMismatch => "amount_mismatch",
            Outcome::OrderNotPayable => "order_not_payable",
            Outcome::Ignored => "ignored",
        }
    }
}

/// What one event does: its outcome, and the order's and payment's new states (`None` =
/// unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effect {
    pub outcome: Outcome,
    pub order_to: Option<OrderState>,
    pub payment_to: Option<PaymentStatus>,
    /// What the provider confirmed refunding in all (a `charge.refunded` event's
    /// cumulative `amount_refunded`), to record when it is more than the ledger knew.
    pub refunded: Option<i64>,
}

impl Effect {
    fn only(outcome: Outcome) -> Effect {
        Effect {
            outcome,
            order_to: None,
            payment_to: None,
            refunded: None,
        }
    }

    fn refunding(self, amount: i64) -> Effect {
        Effect {
            refunded: Some(amount),
            ..self
        }
    }
}

/// What an event of `kind` carrying `money` does to an order in state `order` with total
/// `total`, whose payment is in `payment` (`None`: no payment recorded, and the event named
/// no intent to record one from).
///
/// Never moves anything backwards: a late `payment_failed` does not undo a success, and a
/// success arriving after the refund leaves the refund standing.
pub fn decide(
    kind: EventKind,
    order: OrderState,
    payment: Option<PaymentStatus>,
    money: Option<&Money>,
    total: &Money,
) -> Effect {
    use OrderState as O;
    use PaymentStatus as P;
    match kind {
        EventKind::Other => Effect::only(Outcome::Ignored),
        EventKind::IntentFailed => Effect {
            payment_to: (payment == Some(P::Created)).then_some(P::Failed),
            ..Effect::only(Outcome::Applied)
        },
        // Money that is not the order's total is never applied: it needs a human.
        EventKind::IntentSucceeded if !same_money(money, total) => {
            Effect::only(Outcome::AmountMismatch)
        }
        // Nor is a refund of more than the total, or in another currency.
        EventKind::ChargeRefunded if !within(money, total) => Effect::only(Outcome::AmountMismatch),
        // Part of the money went back: the order stays as it is, the payment records it.
        EventKind::ChargeRefunded if !same_money(money, total) => {
            let refunded = money.map_or(0, |m| m.amount);
            match order {
                O::Paid | O::Fulfilled => Effect::only(Outcome::Applied).refunding(refunded),
                O::PendingPayment => Effect::only(Outcome::Deferred),
                O::Cancelled | O::Refunded if payment.is_some_and(PaymentStatus::money_held) => {
                    Effect::only(Outcome::Applied).refunding(refunded)
                }
                O::Cancelled | O::Refunded => Effect::only(Outcome::Ignored),
            }
        }
        EventKind::IntentSucceeded => {
            // The payment records that the money came in whatever the order's state, so the
            // reconciliation and the audit see money for a cancelled order.
            let payment_to =
                matches!(payment, Some(P::Created | P::Failed)).then_some(P::Succeeded);
            match order {
                O::PendingPayment => Effect {
                    order_to: Some(O::Paid),
                    payment_to,
                    ..Effect::only(Outcome::Applied)
                },
                O::Paid | O::Fulfilled | O::Refunded => Effect {
                    payment_to,
                    ..Effect::only(Outcome::Applied)
                },
                O::Cancelled => Effect {
                    payment_to,
                    ..Effect::only(Outcome::OrderNotPayable)
                },
            }
        }
        EventKind::ChargeRefunded => {
            let payment_to = (payment != Some(P::Refunded)).then_some(P::Refunded);
            match order {
                // Paid or shipped: the order is refunded.
                O::Paid | O::Fulfilled => Effect {
                    order_to: Some(O::Refunded),
                    payment_to,
                    ..Effect::only(Outcome::Applied)
                }
                .refunding(total.amount),
                // The refund overtook the success: wait for it.
                O::PendingPayment => Effect::only(Outcome::Deferred),
                // The order cannot become refunded (cancelled, already refunded), but money
                // that was held went back: the payment says so, which settles a cancelled
                // order's money.
                O::Cancelled | O::Refunded if payment.is_some_and(PaymentStatus::money_held) => {
                    Effect {
                        payment_to,
                        ..Effect::only(Outcome::Applied)
                    }
                    .refunding(total.amount)
                }
                O::Cancelled | O::Refunded => Effect::only(Outcome::Ignored),
            }
        }
    }
}

/// Whether `money` is present, more than nothing, at most `total` and in its currency.
fn within(money: Option<&Money>, total: &Money) -> bool {
    money.is_some_and(|m| {
        m.amount >= 1
            && m.amount <= total.amount
            && m.currency.eq_ignore_ascii_case(&total.currency)
    })
}

/// Whether `money` is present and equal to `total` (currency compared upper-case).
pub fn same_money(money: Option<&Money>, total: &Money) -> bool {
    money.is_some_and(|m| {
        m.amount == total.amount && m.currency.eq_ignore_ascii_case(&total.currency)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderState as O;
    use PaymentStatus as P;

    fn total() -> Money {
        Money::new(2900, "EUR")
    }

    fn decide_with(kind: EventKind, order: O, payment: Option<P>) -> Effect {
        decide(
            kind,
            order,
            payment,
            Some(&Money::new(2900, "eur")),
            &total(),
        )
    }

    /// Applies events in sequence the way the writer does, retrying deferred ones after
    /// each applied event; returns the final order and payment states.
    fn run(events: &[EventKind]) -> (O, P) {
        let (mut order, mut payment) = (O::PendingPayment, P::Created);
        let mut deferred: Vec<EventKind> = Vec::new();
        let step = |kind: EventKind, order: &mut O, payment: &mut P| {
            let e = decide_with(kind, *order, Some(*payment));
            if let Some(to) = e.order_to {
                assert!(order.can_become(to), "{order:?} → {to:?}");
                *order = to;
            }
            if let Some(to) = e.payment_to {
                *payment = to;
            }
            e.outcome
        };
        for &kind in events {
            if step(kind, &mut order, &mut payment) == Outcome::Deferred {
                deferred.push(kind);
                continue;
            }
            deferred.retain(|&k| step(k, &mut order, &mut payment) == Outcome::Deferred);
        }
        (order, payment)
    }

    #[test]
    fn statuses_and_outcomes_round_trip() {
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            EventKind::of("payment_intent.succeeded"),
            EventKind::IntentSucceeded
        );
        assert_eq!(EventKind::of("charge.refunded"), EventKind::ChargeRefunded);
        assert_eq!(EventKind::of("charge.dispute.created"), EventKind::Other);
    }

    #[test]
    fn success_pays_a_pending_order() {
        let e = decide_with(
            EventKind::IntentSucceeded,
            O::PendingPayment,
            Some(P::Created),
        );
        assert_eq!(e.outcome, Outcome::Applied);
        assert_eq!(e.order_to, Some(O::Paid));
        assert_eq!(e.payment_to, Some(P::Succeeded));
        // After a failed attempt too.
        let e = decide_with(
            EventKind::IntentSucceeded,
            O::PendingPayment,
            Some(P::Failed),
        );
        assert_eq!(e.payment_to, Some(P::Succeeded));
    }

    #[test]
    fn success_with_other_money_is_not_applied() {
        for money in [
            None,
            Some(Money::new(2899, "EUR")),
            Some(Money::new(2900, "USD")),
        ] {
            let e = decide(
                EventKind::IntentSucceeded,
                O::PendingPayment,
                Some(P::Created),
                money.as_ref(),
                &total(),
            );
            assert_eq!(e, Effect::only(Outcome::AmountMismatch), "{money:?}");
        }
    }

    #[test]
    fn success_for_a_cancelled_order_records_the_money_but_not_the_order() {
        let e = decide_with(EventKind::IntentSucceeded, O::Cancelled, Some(P::Created));
        assert_eq!(e.outcome, Outcome::OrderNotPayable);
        assert_eq!(e.order_to, None);
        assert_eq!(e.payment_to, Some(P::Succeeded));
    }

    #[test]
    fn success_again_changes_nothing() {
        for order in [O::Paid, O::Fulfilled, O::Refunded] {
            for payment in [P::Succeeded, P::RefundRequested, P::Refunded] {
                let e = decide_with(EventKind::IntentSucceeded, order, Some(payment));
                assert_eq!(e, Effect::only(Outcome::Applied), "{order:?} {payment:?}");
            }
        }
    }

    #[test]
    fn failure_never_undoes_a_success() {
        let e = decide_with(EventKind::IntentFailed, O::PendingPayment, Some(P::Created));
        assert_eq!(e.payment_to, Some(P::Failed));
        assert_eq!(e.order_to, None);
        for payment in [P::Succeeded, P::RefundRequested, P::Refunded, P::Failed] {
            let e = decide_with(EventKind::IntentFailed, O::Paid, Some(payment));
            assert_eq!(e, Effect::only(Outcome::Applied), "{payment:?}");
        }
    }

    #[test]
    fn refund_of_a_paid_or_shipped_order() {
        for order in [O::Paid, O::Fulfilled] {
            for payment in [P::Succeeded, P::RefundRequested] {
                let e = decide_with(EventKind::ChargeRefunded, order, Some(payment));
                assert_eq!(e.outcome, Outcome::Applied);
                assert_eq!(e.order_to, Some(O::Refunded));
                assert_eq!(e.payment_to, Some(P::Refunded));
            }
        }
    }

    #[test]
    fn refund_before_success_waits() {
        let e = decide_with(
            EventKind::ChargeRefunded,
            O::PendingPayment,
            Some(P::Created),
        );
        assert_eq!(e, Effect::only(Outcome::Deferred));
    }

    #[test]
    fn refund_of_an_order_that_cannot_be_refunded() {
        let e = decide_with(EventKind::ChargeRefunded, O::Cancelled, Some(P::Succeeded));
        assert_eq!(e.outcome, Outcome::Applied);
        assert_eq!((e.order_to, e.payment_to), (None, Some(P::Refunded)));
        let e = decide_with(EventKind::ChargeRefunded, O::Refunded, Some(P::Refunded));
        assert_eq!(e, Effect::only(Outcome::Ignored));
        let e = decide_with(EventKind::ChargeRefunded, O::Cancelled, Some(P::Created));
        assert_eq!(e, Effect::only(Outcome::Ignored));
    }

    #[test]
    fn partial_refund_keeps_the_order_and_records_the_money() {
        for order in [O::Paid, O::Fulfilled] {
            let e = decide(
                EventKind::ChargeRefunded,
                order,
                Some(P::Succeeded),
                Some(&Money::new(100, "EUR")),
                &total(),
            );
            assert_eq!(
                e,
                Effect::only(Outcome::Applied).refunding(100),
                "{order:?}"
            );
        }
        let before_success = decide(
            EventKind::ChargeRefunded,
            O::PendingPayment,
            Some(P::Created),
            Some(&Money::new(100, "EUR")),
            &total(),
        );
        assert_eq!(before_success, Effect::only(Outcome::Deferred));
    }

    #[test]
    fn refund_of_more_than_the_total_or_other_money_is_not_applied() {
        for money in [
            None,
            Some(Money::new(0, "EUR")),
            Some(Money::new(2901, "EUR")),
            Some(Money::new(100, "USD")),
        ] {
            let e = decide(
                EventKind::ChargeRefunded,
                O::Paid,
                Some(P::Succeeded),
                money.as_ref(),
                &total(),
            );
            assert_eq!(e, Effect::only(Outcome::AmountMismatch), "{money:?}");
        }
    }

    #[test]
    fn other_events_are_ignored() {
        let e = decide_with(EventKind::Other, O::PendingPayment, None);
        assert_eq!(e, Effect::only(Outcome::Ignored));
    }

    #[test]
    fn every_order_of_success_and_refund_ends_refunded() {
        use EventKind::*;
        for events in [
            [IntentSucceeded, ChargeRefunded],
            [ChargeRefunded, IntentSucceeded],
        ] {
            assert_eq!(run(&events), (O::Refunded, P::Refunded), "{events:?}");
        }
        assert_eq!(
            run(&[IntentFailed, ChargeRefunded, IntentFailed, IntentSucceeded]),
            (O::Refunded, P::Refunded)
        );
        assert_eq!(
            run(&[IntentSucceeded, IntentFailed]),
            (O::Paid, P::Succeeded)
        );
    }
}
