//! `POST /payments/events`: provider events whose signature pages verified, each stored
//! once (by event id) and applied to the ledger in one transaction. Also the events the
//! ledger could not attribute to an order, which the audit and the reconciliation list.
//!
//! Events arrive late, twice and out of order, so nothing here assumes an order of arrival:
//! a duplicate changes nothing, a refund that overtook its success is stored `deferred` and
//! retried after every later event for the same order, and an event the ledger cannot
//! attribute is stored (never dropped) and picked up if its intent is recorded later.
//! What an event does is decided by the pure [`state::decide`].

use crate::db::{Db, Mode, RowExt as _, int, opt_int, opt_text, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::orders::number;
use crate::orders::transitions;
use crate::payments::intents::{self, Order, Payment, check_id, valid_currency};
use crate::payments::provider_actions;
use crate::payments::providers;
use crate::payments::reviews;
use crate::payments::state::{self, EventKind, Outcome, PaymentStatus};
use anyhow::{Context as _, ensure};
use spin_sdk::http::Response;
use storefront_domain::payments::{PaymentEvent, PaymentEventResult, ProviderActionKind};
use storefront_domain::{FieldError, Money, OrderState};

/// The answer's outcome for an event already stored (never stored itself).
const DUPLICATE: &str = "duplicate";

/// `POST /payments/events`.
pub fn receive(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let event: PaymentEvent = parse_json(body)?;
    validate(&event)?;
    // Before the transaction: a refused test event leaves no trace.
    providers::check(&event.provider, "provider")?;
    let result = db.transaction(Mode::Write, |db| apply_event(db, &event))?;
    json(200, &result)
}

/// Refuses only what cannot be stored. Anything else the provider signed is kept, since a
/// refused event is retried by the provider forever and never reaches the audit.
fn validate(event: &PaymentEvent) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    check_id(&mut errors, "event_id", &event.event_id);
    check_id(&mut errors, "event_type", &event.event_type);
    if let Some(intent_id) = &event.intent_id {
        check_id(&mut errors, "intent_id", intent_id);
    }
    if event.amount.is_some_and(|a| a < 0) {
        errors.push(FieldError::new("amount", "must be 0 or more"));
    }
    if event
        .currency
        .as_deref()
        .is_some_and(|c| !valid_currency(c))
    {
        errors.push(FieldError::new(
            "currency",
            "must be a three-letter ISO 4217 code such as EUR",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

fn apply_event(db: &Db, event: &PaymentEvent) -> Result<PaymentEventResult, ApiError> {
    if let Some(stored) = db.row(
        "SELECT order_id FROM payment_events WHERE event_id = ?",
        &[text(&event.event_id)],
    )? {
        let order = stored
            .opt_int(0)?
            .map(|id| intents::order_by_id(db, id))
            .transpose()?;
        return Ok(answer(DUPLICATE, order.as_ref()));
    }
    let now = db.now()?;
    let kind = EventKind::of(&event.event_type);
    let attributed = attribute(
        db,
        event.order_number.as_deref(),
        event.intent_id.as_deref(),
    )?;
    let Some(order) = attributed else {
        // Kept for a human; an event type the ledger does not act on needs nobody.
        let outcome = match kind {
            EventKind::Other => Outcome::Ignored,
            _ => Outcome::UnknownOrder,
        };
        store(db, event, None, outcome, &now)?;
        return Ok(answer(outcome.as_str(), None));
    };
    let money = money_of(event.amount, event.currency.as_deref());
    let mut payment = intents::for_order(db, order.id)?;
    if payment.is_none()
        && kind != EventKind::Other
        && let Some(intent_id) = &event.intent_id
    {
        // Pages died between creating the intent and recording it: the event says which
        // intent pays this order, so record it now and the money lands on the right order.
        // An intent event carries the intent's amount; a refund carries what was refunded.
        let amount = match (&money, kind.is_intent_event()) {
            (Some(m), true) => m.clone(),
            _ => order.total.clone(),
        };
        payment = Some(intents::insert(
            db,
            order.id,
            &event.provider,
            intent_id,
            &amount,
            &now,
        )?);
        adopt(db, intent_id)?;
    }
    let effect = state::decide(
        kind,
        order.state,
        payment.as_ref().map(|p| p.status),
        money.as_ref(),
        &order.total,
    );
    apply_effect(db, &order, payment.as_ref(), effect, &now)?;
    store(db, event, Some(order.id), effect.outcome, &now)?;
    retry_deferred(db, order.id, &now)?;
    // Read back: the retry may have applied this very event (an adopted success unblocked it).
    let outcome = db
        .row(
            "SELECT outcome FROM payment_events WHERE event_id = ?",
            &[text(&event.event_id)],
        )?
        .context("the event just stored is gone")?
        .text(0)?;
    Ok(answer(&outcome, Some(&intents::order_by_id(db, order.id)?)))
}

fn answer(outcome: &str, order: Option<&Order>) -> PaymentEventResult {
    PaymentEventResult {
        outcome: outcome.to_string(),
        order_number: order.map(|o| o.number.clone()),
        order_state: order.map(|o| o.state),
    }
}

/// The order an event is about: the one its `order_number` names, else the one its intent
/// was recorded for. `None` when neither is known, or when the two disagree with the ledger
/// (the named order's payment is another intent, or the intent is recorded for another
/// order): applying money the ledger cannot match to the order's payment would be a guess.
fn attribute(
    db: &Db,
    order_number: Option<&str>,
    intent_id: Option<&str>,
) -> anyhow::Result<Option<Order>> {
    let (named, recorded) = candidates(db, order_number, intent_id)?;
    let order = match (named, &recorded) {
        (Some(named), Some(r)) if r.order_id != named.id => return Ok(None),
        (Some(named), _) => named,
        (None, Some(r)) => intents::order_by_id(db, r.order_id)?,
        (None, None) => return Ok(None),
    };
    if recorded.is_none() && intent_id.is_some() && intents::for_order(db, order.id)?.is_some() {
        return Ok(None);
    }
    Ok(Some(order))
}

/// Money as an event carries it, when it carries both parts.
fn money_of(amount: Option<i64>, currency: Option<&str>) -> Option<Money> {
    Some(Money::new(amount?, currency?.to_ascii_uppercase()))
}

fn store(
    db: &Db,
    event: &PaymentEvent,
    order_id: Option<i64>,
    outcome: Outcome,
    now: &str,
) -> anyhow::Result<()> {
    db.execute(
        "INSERT INTO payment_events (event_id, provider, event_type, created, livemode, \
         intent_id, order_number, order_id, amount, currency, payload, received_at, outcome, \
         applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            text(&event.event_id),
            text(&event.provider),
            text(&event.event_type),
            int(event.created),
            int(i64::from(event.livemode)),
            opt_text(event.intent_id.as_deref()),
            opt_text(event.order_number.as_deref()),
            opt_int(order_id),
            opt_int(event.amount),
            opt_text(event.currency.as_deref().map(str::to_ascii_uppercase)),
            text(&event.payload),
            text(now),
            text(outcome.as_str()),
            applied_at(outcome, now),
        ],
    )?;
    Ok(())
}

/// NULL exactly while the event waits.
fn applied_at(outcome: Outcome, now: &str) -> spin_sdk::sqlite::Value {
    opt_text((outcome != Outcome::Deferred).then_some(now))
}

/// Writes what [`state::decide`] said: the payment's status, then the order's
/// transition (with its event in `order_events`).
fn apply_effect(
    db: &Db,
    order: &Order,
    payment: Option<&Payment>,
    effect: state::Effect,
    now: &str,
) -> anyhow::Result<()> {
    if let (Some(p), Some(to)) = (payment, effect.payment_to) {
        intents::set_status(db, p.id, to, now)?;
    }
    if let (Some(p), Some(refunded)) = (payment, effect.refunded) {
        intents::set_refunded(db, p.id, refunded, now)?;
    }
    if let Some(to) = effect.order_to {
        ensure!(
            order.state.can_become(to),
            "payment event would move order {} from {} to {}",
            order.number,
            order.state.as_str(),
            to.as_str()
        );
        transitions::apply(db, order.id, order.state, to, now, None)?;
    }
    let Some(p) = payment else {
        return Ok(());
    };
    // What the event means for the provider calls the ledger asked for: a paid order's
    // intent is no longer to be cancelled, money back is a refund no longer owed, and
    // money for a cancelled order goes back.
    if effect.order_to == Some(OrderState::Paid) {
        provider_actions::settled_by_event(
            db,
            p.id,
            ProviderActionKind::CancelIntent,
            "paid",
            now,
        )?;
        // Paid: no amount is left to change at the provider.
        provider_actions::settled_by_event(
            db,
            p.id,
            ProviderActionKind::UpdateAmount,
            "paid",
            now,
        )?;
    }
    if effect.payment_to == Some(PaymentStatus::Refunded) {
        provider_actions::settled_by_event(db, p.id, ProviderActionKind::Refund, "refunded", now)?;
    }
    let money_held = effect.payment_to.unwrap_or(p.status).money_held();
    if effect.outcome == Outcome::OrderNotPayable && money_held {
        provider_actions::refund_paid_after_cancel(db, p, now)?;
    }
    Ok(())
}

/// `intent_id` was just recorded: events that named it before the ledger knew it now have
/// an order. They become `deferred`, so the caller's [`retry_deferred`] applies them.
fn adopt(db: &Db, intent_id: &str) -> anyhow::Result<()> {
    let orphans = db.rows(
        "SELECT id, order_number FROM payment_events \
         WHERE intent_id = ? AND order_id IS NULL AND outcome = ? ORDER BY id",
        &[text(intent_id), text(Outcome::UnknownOrder.as_str())],
    )?;
    for row in orphans {
        let order_number = row.opt_text(1)?;
        // The same rule as on arrival, so an event naming another order stays unattributed.
        if let Some(order) = attribute(db, order_number.as_deref(), Some(intent_id))? {
            db.execute(
                "UPDATE payment_events SET order_id = ?, outcome = ?, applied_at = NULL \
                 WHERE id = ?",
                &[
                    int(order.id),
                    text(Outcome::Deferred.as_str()),
                    int(row.int(0)?),
                ],
            )?;
        }
    }
    Ok(())
}

/// Called when pages record an intent: picks up the events that arrived before it.
pub fn intent_recorded(db: &Db, order: &Order, intent_id: &str, now: &str) -> anyhow::Result<()> {
    adopt(db, intent_id)?;
    retry_deferred(db, order.id, now)
}

/// Retries order `order_id`'s deferred events, oldest first (by the provider's clock), until
/// a pass applies none: one applied event can unblock another.
fn retry_deferred(db: &Db, order_id: i64, now: &str) -> anyhow::Result<()> {
    loop {
        let deferred = db.rows(
            "SELECT id, event_type, amount, currency FROM payment_events \
             WHERE order_id = ? AND outcome = ? ORDER BY created, id",
            &[int(order_id), text(Outcome::Deferred.as_str())],
        )?;
        let mut progressed = false;
        for row in &deferred {
            let order = intents::order_by_id(db, order_id)?;
            let payment = intents::for_order(db, order_id)?;
            let money = money_of(row.opt_int(2)?, row.opt_text(3)?.as_deref());
            let effect = state::decide(
                EventKind::of(&row.text(1)?),
                order.state,
                payment.as_ref().map(|p| p.status),
                money.as_ref(),
                &order.total,
            );
            if effect.outcome == Outcome::Deferred {
                continue;
            }
            apply_effect(db, &order, payment.as_ref(), effect, now)?;
            db.execute(
                "UPDATE payment_events SET outcome = ?, applied_at = ? WHERE id = ?",
                &[
                    text(effect.outcome.as_str()),
                    applied_at(effect.outcome, now),
                    int(row.int(0)?),
                ],
            )?;
            progressed = true;
        }
        if !progressed {
            return Ok(());
        }
    }
}

/// A stored event the ledger could not attribute to an order.
#[derive(Debug, Clone)]
pub struct Unattributed {
    pub event_id: String,
    pub event_type: String,
    pub intent_id: Option<String>,
    /// As received.
    pub order_number: Option<String>,
    pub money: Option<Money>,
    pub received_at: String,
    /// Why, in words.
    pub reason: String,
}

impl Unattributed {
    /// One readable line.
    pub fn describe(&self) -> String {
        let mut what = vec![self.event_type.clone()];
        if let Some(intent_id) = &self.intent_id {
            what.push(format!("intent {intent_id}"));
        }
        if let Some(money) = &self.money {
            what.push(money.to_string());
        }
        what.push(format!("received {}", self.received_at));
        format!(
            "event {} ({}): {}",
            self.event_id,
            what.join(", "),
            self.reason
        )
    }
}

/// Every stored event for an unknown order that no one has reviewed yet, oldest first,
/// whenever it arrived.
pub fn unattributed(db: &Db) -> anyhow::Result<Vec<Unattributed>> {
    let rows = db.rows(
        &format!(
            "SELECT event_id, event_type, intent_id, order_number, amount, currency, received_at \
             FROM payment_events e WHERE order_id IS NULL AND outcome = ? AND {} ORDER BY id",
            reviews::NOT_REVIEWED
        ),
        &[text(Outcome::UnknownOrder.as_str())],
    )?;
    rows.iter()
        .map(|row| {
            let intent_id = row.opt_text(2)?;
            let order_number = row.opt_text(3)?;
            let reason = why_unattributed(db, order_number.as_deref(), intent_id.as_deref())?;
            Ok(Unattributed {
                event_id: row.text(0)?,
                event_type: row.text(1)?,
                intent_id,
                order_number,
                money: money_of(row.opt_int(4)?, row.opt_text(5)?.as_deref()),
                received_at: row.text(6)?,
                reason,
            })
        })
        .collect()
}

/// The order an event names (by number) and the payment its intent is recorded under.
fn candidates(
    db: &Db,
    order_number: Option<&str>,
    intent_id: Option<&str>,
) -> anyhow::Result<(Option<intents::Order>, Option<intents::Payment>)> {
    let named = match order_number.and_then(number::normalize) {
        Some(number) => intents::order_by_number(db, &number)?,
        None => None,
    };
    let recorded = match intent_id {
        Some(intent_id) => intents::by_intent(db, intent_id)?,
        None => None,
    };
    Ok((named, recorded))
}

/// Why [`attribute`] finds no order for these, as it stands now.
fn why_unattributed(
    db: &Db,
    order_number: Option<&str>,
    intent_id: Option<&str>,
) -> anyhow::Result<String> {
    let (named, recorded) = candidates(db, order_number, intent_id)?;
    let intent = intent_id.unwrap_or("(none)");
    Ok(match (named, recorded) {
        (Some(named), Some(r)) if r.order_id != named.id => format!(
            "it names order {} but intent {intent} is recorded for order {}",
            named.number,
            intents::order_by_id(db, r.order_id)?.number
        ),
        (Some(named), _) => match intents::for_order(db, named.id)? {
            Some(p) => format!(
                "it names order {}, whose payment is intent {}, not {intent}",
                named.number, p.intent_id
            ),
            None => format!("it names order {}", named.number),
        },
        (None, Some(r)) => format!(
            "intent {intent} is recorded for order {}",
            intents::order_by_id(db, r.order_id)?.number
        ),
        (None, None) => match order_number {
            Some(n) => format!("no order is numbered {n:?} and intent {intent} is not recorded"),
            None => format!("it names no order and intent {intent} is not recorded"),
        },
    })
}
