//! Ship, cancel and refund an order from the back office: `GET
//! /admin/orders/{number}/{ship|cancel|refund}` is the confirmation page (with the
//! tracking number field for shipping, the amount and a note for a refund), `POST` on the
//! same path does it and goes back to the order with a message. Shipping names the
//! carrier with the tracking number; a refund says per line how many units go back on
//! the shelf; cancelling a paid, unshipped order refunds and restocks it in one step. `POST
//! /admin/orders/{number}/refunds/{seq}/retry` asks the provider again for a refund it
//! never answered.
//!
//! Each drawn form carries its own idempotency key, passed to the writer, which answers a
//! resubmitted form with the first answer (`replayed`), never moving the order or
//! refunding twice; the commands themselves are the owner's JSON API's
//! ([`move_order`], [`refund::request_refund`]), not a second copy.

use super::super::{ACTOR, Office, layout::csrf_field};
use super::transition::move_order;
use super::{order_path, state_badge};
use crate::config::Config;
use crate::http::Resp;
use crate::http::forms::{Form, valid_idempotency_key};
use crate::layout::line_name;
use crate::payments::refund::{self, Ask, RefundError, Requested};
use crate::payments::{PayError, Payments, provider::ProviderError};
use crate::security::signing::random_hex;
use crate::writer::WriterError;
use maud::{Markup, html};
use storefront_domain::carriers;
use storefront_domain::decimal::{format_amount, parse_amount};
use storefront_domain::owner_orders::{
    MAX_TRACKING_NUMBER, OwnerOrder, RestockLine, tracking_number,
};
use storefront_domain::payments::{MAX_REFUND_NOTE, RequestRefund};
use storefront_domain::{Money, OrderState, TransitionRequest};

/// The form field holding the key of one drawn form.
const KEY_FIELD: &str = "idempotency_key";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ship,
    Cancel,
    Refund,
}

impl Action {
    pub const ALL: [Action; 3] = [Action::Ship, Action::Cancel, Action::Refund];

    pub fn path(self, number: &str) -> String {
        let segment = match self {
            Action::Ship => "ship",
            Action::Cancel => "cancel",
            Action::Refund => "refund",
        };
        format!("{}/{segment}", order_path(number))
    }

    pub fn button(self) -> &'static str {
        match self {
            Action::Ship => "Ship…",
            Action::Cancel => "Cancel order…",
            Action::Refund => "Refund…",
        }
    }

    /// Whether the order is in a state where this makes sense (the writer decides).
    pub fn offered(self, owner: &OwnerOrder) -> bool {
        let state = owner.order.state;
        match self {
            Action::Ship => state == OrderState::Paid,
            // Unpaid: the reservation ends. Paid and not shipped: refunded and restocked in
            // one step (the writer refuses while the payment is not plainly succeeded).
            Action::Cancel => {
                state == OrderState::PendingPayment
                    || (state == OrderState::Paid
                        && owner
                            .payment
                            .as_ref()
                            .is_some_and(|p| p.status == "succeeded"))
            }
            // The writer refunds paid and shipped orders, up to what was paid.
            Action::Refund => {
                matches!(state, OrderState::Paid | OrderState::Fulfilled)
                    && owner
                        .payment
                        .as_ref()
                        .is_some_and(|p| p.status == "succeeded" && p.refundable() > 0)
            }
        }
    }
}

/// What the owner typed into a confirmation form, to draw it again.
#[derive(Default)]
struct Typed<'a> {
    key: String,
    tracking: &'a str,
    tracking_error: Option<String>,
    carrier: &'a str,
    carrier_other: &'a str,
    carrier_error: Option<String>,
    /// Units to return to stock, per line of the order (as typed).
    restock: Vec<String>,
    /// A message per line, where one is wrong.
    restock_errors: Vec<Option<String>>,
    amount: String,
    amount_error: Option<String>,
    note: &'a str,
    note_error: Option<String>,
}

pub async fn confirm(office: &Office<'_>, number: &str, action: Action) -> Resp {
    let owner = match load(office, number).await {
        Ok(owner) => owner,
        Err(resp) => return resp,
    };
    // A refund offers what is left to refund.
    let amount = owner
        .payment
        .as_ref()
        .map(|p| format_amount(p.refundable(), &p.amount.currency))
        .unwrap_or_default();
    // A paid order not shipped yet still has its goods here: a refund returns them all
    // unless the owner says otherwise. A shipped order's goods come back only if the
    // owner says so.
    let restock = owner
        .order
        .items
        .iter()
        .map(|l| match owner.order.state {
            OrderState::Paid => owner.returnable(&l.sku).to_string(),
            _ => "0".to_string(),
        })
        .collect();
    let typed = Typed {
        key: random_hex(16),
        amount,
        restock,
        ..Typed::default()
    };
    form_page(office, &owner, action, 200, &typed)
}

pub async fn act(office: &Office<'_>, number: &str, action: Action) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let Some(key) = form.get(KEY_FIELD).filter(|k| valid_idempotency_key(k)) else {
        return office.error(
            400,
            "This form is incomplete",
            "The form was sent without its key. Go back, reload the page and try again; \
             nothing was changed.",
        );
    };
    let config = match config(office) {
        Ok(config) => config,
        Err(resp) => return resp,
    };
    let p = payments(office, config);
    match action {
        Action::Ship => ship(office, &p, number, key, &form).await,
        Action::Cancel => cancel(office, &p, number, key).await,
        Action::Refund => refund_order(office, &p, number, key, &form).await,
    }
}

/// The shop's settings, or the page saying they cannot be read.
pub fn config(office: &Office<'_>) -> Result<&'static Config, Resp> {
    Config::current().map_err(|_| {
        office.error(
            503,
            "The shop is not configured",
            "The back office could not read its settings. Nothing was changed.",
        )
    })
}

/// The payment commands as the back office runs them.
pub fn payments<'a>(office: &'a Office<'_>, config: &'a Config) -> Payments<'a> {
    Payments {
        settings: &config.payments,
        key: office.key,
        writer: office.writer,
        now: office.now,
    }
}

/// `POST /admin/orders/{number}/refunds/{seq}/retry`.
pub async fn retry_refund(office: &Office<'_>, number: &str, seq: i64) -> Resp {
    if let Err(resp) = office.form() {
        return resp;
    }
    let config = match config(office) {
        Ok(config) => config,
        Err(resp) => return resp,
    };
    let p = payments(office, config);
    match refund::retry(&p, number, seq).await {
        Ok(done) => office.done(&order_path(number), refunded_message(&p, number, &done)),
        Err(e) => refund_failed(office, number, e).await,
    }
}

async fn ship(office: &Office<'_>, p: &Payments<'_>, number: &str, key: &str, form: &Form) -> Resp {
    let typed = form.get("tracking_number").unwrap_or_default();
    let chosen = form.get("tracking_carrier").unwrap_or_default();
    let other = form.get("tracking_carrier_other").unwrap_or_default();
    let again = |tracking_error: Option<String>, carrier_error: Option<String>| async move {
        match load(office, number).await {
            Ok(owner) => {
                let typed = Typed {
                    key: key.to_string(),
                    tracking: typed,
                    tracking_error,
                    carrier: chosen,
                    carrier_other: other,
                    carrier_error,
                    ..Typed::default()
                };
                form_page(office, &owner, Action::Ship, 422, &typed)
            }
            Err(resp) => resp,
        }
    };
    let tracking = match tracking_number(typed) {
        Ok(tracking) => tracking,
        Err(message) => return again(Some(format!("Tracking number {message}.")), None).await,
    };
    // A carrier typed under "Other" wins over the list.
    let carrier_typed = if other.trim().is_empty() {
        chosen
    } else {
        other
    };
    let carrier = match carriers::carrier(carrier_typed) {
        Ok(carrier) => carrier,
        Err(message) => return again(None, Some(format!("The carrier {message}."))).await,
    };
    if carrier.is_some() && tracking.is_none() {
        return again(
            Some("Enter the tracking number that goes with the carrier.".into()),
            None,
        )
        .await;
    }
    let request = TransitionRequest {
        to: OrderState::Fulfilled,
        tracking_number: tracking.clone(),
        tracking_carrier: carrier.clone(),
    };
    match move_order(p, number, &request, ACTOR, Some(key)).await {
        Ok(moved) if moved.replayed => office.done(
            &order_path(number),
            format!("Order {number} was already shipped with this form; nothing was done twice."),
        ),
        Ok(_) => office.done(
            &order_path(number),
            match (&tracking, carrier.as_deref()) {
                (Some(t), Some(c)) => format!(
                    "Order {number} is shipped ({} tracking number {t}).",
                    carriers::known(c).map_or(c, |k| k.name)
                ),
                (Some(t), None) => format!("Order {number} is shipped (tracking number {t})."),
                _ => format!("Order {number} is shipped."),
            },
        ),
        Err(WriterError::Rejected { status: 422, body }) => {
            let message = |field: &str| {
                body.error
                    .fields
                    .iter()
                    .find(|f| f.field == field)
                    .map(|f| f.message.clone())
            };
            match (message("tracking_number"), message("tracking_carrier")) {
                (None, None) => office.writer_failed(WriterError::Rejected { status: 422, body }),
                (number, carrier) => {
                    again(
                        number.map(|m| format!("Tracking number {m}.")),
                        carrier.map(|m| format!("The carrier {m}.")),
                    )
                    .await
                }
            }
        }
        Err(e) => office.writer_failed(e),
    }
}

async fn cancel(office: &Office<'_>, p: &Payments<'_>, number: &str, key: &str) -> Resp {
    let request = TransitionRequest {
        to: OrderState::Cancelled,
        tracking_number: None,
        tracking_carrier: None,
    };
    match move_order(p, number, &request, ACTOR, Some(key)).await {
        Ok(moved) if moved.status == 202 => office.done(
            &order_path(number),
            format!(
                "Cancelling order {number}: its payment is being cancelled at the provider \
                 first; the order is cancelled once the provider confirms."
            ),
        ),
        Ok(moved) if moved.replayed => office.done(
            &order_path(number),
            format!("Order {number} was already cancelled with this form; nothing was done twice."),
        ),
        Ok(moved)
            if moved
                .order
                .events
                .iter()
                .any(|e| e.state == OrderState::Paid) =>
        {
            office.done(
                &order_path(number),
                format!(
                    "Order {number} is cancelled: its goods are back on the shelf and its \
                     payment is being refunded in full."
                ),
            )
        }
        Ok(_) => office.done(
            &order_path(number),
            format!("Order {number} is cancelled; its stock is back on the shelf."),
        ),
        Err(e) => office.writer_failed(e),
    }
}

async fn refund_order(
    office: &Office<'_>,
    p: &Payments<'_>,
    number: &str,
    key: &str,
    form: &Form,
) -> Resp {
    let owner = match load(office, number).await {
        Ok(owner) => owner,
        Err(resp) => return resp,
    };
    let Some(currency) = owner.payment.as_ref().map(|p| p.amount.currency.clone()) else {
        return form_page(office, &owner, Action::Refund, 409, &Typed::default());
    };
    let mut typed = Typed {
        key: key.to_string(),
        amount: form.get("amount").unwrap_or_default().trim().to_string(),
        note: form.get("note").unwrap_or_default(),
        ..Typed::default()
    };
    let restock = restock_asked(&owner, form, &mut typed);
    let amount = if typed.amount.is_empty() {
        typed.amount_error = Some("Enter the amount to refund.".into());
        None
    } else {
        match parse_amount(&typed.amount, &currency) {
            Ok(0) => {
                typed.amount_error = Some("The amount must be more than 0.".into());
                None
            }
            Ok(amount) => Some(amount),
            Err(why) => {
                typed.amount_error = Some(format!("The amount {why}."));
                None
            }
        }
    };
    if typed.note.chars().count() > MAX_REFUND_NOTE {
        typed.note_error = Some(format!(
            "The note is longer than {MAX_REFUND_NOTE} characters."
        ));
    }
    let restock_ok = typed.restock_errors.iter().all(Option::is_none);
    let Some(amount) = amount.filter(|_| typed.note_error.is_none() && restock_ok) else {
        return form_page(office, &owner, Action::Refund, 422, &typed);
    };
    let ask = Ask {
        request: RequestRefund {
            amount: Some(amount),
            note: Some(typed.note.to_string()).filter(|n| !n.trim().is_empty()),
            restock,
        },
        key,
        actor: ACTOR,
    };
    match refund::request_refund(p, number, &ask).await {
        Ok(done) if done.replayed => office.done(
            &order_path(number),
            format!(
                "This refund of {} was already made with this form; nothing was refunded twice.",
                done.amount
            ),
        ),
        Ok(done) => {
            let back: i64 = ask.request.restock.iter().map(|r| r.quantity).sum();
            let mut message = refunded_message(p, number, &done);
            if back > 0 {
                message.push_str(&format!(
                    " {back} {} back on the shelf.",
                    if back == 1 { "item is" } else { "items are" }
                ));
            }
            office.done(&order_path(number), message)
        }
        Err(RefundError::Invalid(body)) => {
            for field in &body.error.fields {
                let message = format!("The {} {}.", field.field, field.message);
                match field.field.as_str() {
                    "amount" => typed.amount_error = Some(message),
                    "note" => typed.note_error = Some(message),
                    other => {
                        let line = other
                            .strip_prefix("restock.")
                            .and_then(|sku| owner.order.items.iter().position(|l| l.sku == sku));
                        if let Some(i) = line {
                            typed.restock_errors[i] =
                                Some(format!("Return to stock {}.", field.message));
                        }
                    }
                }
            }
            if typed.amount_error.is_none()
                && typed.note_error.is_none()
                && typed.restock_errors.iter().all(Option::is_none)
            {
                typed.amount_error = Some(body.error.message);
            }
            form_page(office, &owner, Action::Refund, 422, &typed)
        }
        Err(e) => refund_failed(office, number, e).await,
    }
}

/// What the owner reads after a refund went through.
pub fn refunded_message(p: &Payments<'_>, number: &str, done: &Requested) -> String {
    let refund_id = &done.refund_id;
    if done.order_state == OrderState::Refunded {
        return format!(
            "Refunded {} of order {number} (refund {refund_id}); the order is now refunded in full.",
            done.amount
        );
    }
    if p.test_mode() {
        return format!(
            "Refunded {} of order {number} (refund {refund_id}); {} refunded in all, the \
             order stays {}.",
            done.amount,
            Money::new(done.amount_refunded, &done.amount.currency),
            done.order_state.label().to_lowercase()
        );
    }
    format!(
        "Refund {refund_id} of {} for order {number} is accepted by the payment provider; \
         the order shows it once the provider confirms.",
        done.amount
    )
}

pub async fn refund_failed(office: &Office<'_>, number: &str, e: RefundError) -> Resp {
    match e {
        RefundError::Pay(PayError::Conflict { code, message }) => {
            // Another tab refunded the rest meanwhile.
            if code == "not_refundable"
                && let Ok(owner) = load(office, number).await
                && owner
                    .payment
                    .as_ref()
                    .is_some_and(|p| matches!(p.status.as_str(), "refunded" | "refund_requested"))
            {
                return office.done(
                    &order_path(number),
                    format!(
                        "Order {number} was already refunded in full; nothing was refunded twice."
                    ),
                );
            }
            office.error(409, "The order cannot be refunded", &message)
        }
        RefundError::Pay(e) => pay_failed(office, e),
        RefundError::Invalid(body) => {
            office.error(422, "The refund was not accepted", &body.error.message)
        }
        RefundError::Refused(why) => office.error(
            502,
            "The payment provider refused the refund",
            &format!("Nothing was refunded: {why}"),
        ),
        RefundError::Webhook(e) => {
            eprintln!("refund of {number}: our own refund event was refused: {e:?}");
            office.error(
                502,
                "The refund could not be recorded",
                "The refund was asked for but its confirmation was refused. The details are \
                 in the component log; the audit will show the order.",
            )
        }
    }
}

fn pay_failed(office: &Office<'_>, e: PayError) -> Resp {
    match e {
        PayError::NotFound => office.not_found(),
        PayError::Writer(e) => office.writer_failed(e),
        PayError::NotConfigured => office.error(
            503,
            "Payments are not configured",
            "The shop's payment settings are incomplete; nothing was refunded.",
        ),
        PayError::Provider(ProviderError::Unavailable(why)) => {
            eprintln!("payment provider unavailable: {why}");
            office
                .error(
                    503,
                    "The payment provider is not answering",
                    "Nothing was refunded yet. Try again in a few seconds.",
                )
                .header("retry-after", "5")
        }
        PayError::Provider(e) => {
            eprintln!("payment provider: {e:?}");
            office.error(
                502,
                "The payment provider refused the refund",
                "Nothing was refunded. The details are in the component log.",
            )
        }
        PayError::NotPayable { .. } | PayError::Conflict { .. } => office.error(
            409,
            "The order cannot be refunded",
            "Its payment is not in a state that can be refunded.",
        ),
    }
}

/// The owner's view of the order, or the page saying why not.
async fn load(office: &Office<'_>, number: &str) -> Result<OwnerOrder, Resp> {
    match office.writer.owner_order(number).await {
        Ok(Some(owner)) => Ok(owner),
        Ok(None) => Err(office.error(
            404,
            "Order not found",
            "There is no order with that number.",
        )),
        Err(e) => Err(office.writer_failed(e)),
    }
}

fn form_page(
    office: &Office<'_>,
    owner: &OwnerOrder,
    action: Action,
    status: u16,
    typed: &Typed<'_>,
) -> Resp {
    let o = &owner.order;
    let number = o.number.as_str();
    let (title, what, submit) = match action {
        Action::Ship => (
            format!("Ship order {number}"),
            html! {
                p { "Mark the order as shipped. The shopper's order page then says it is on its way." }
            },
            "Ship order",
        ),
        Action::Cancel if o.state == OrderState::Paid => (
            format!("Cancel order {number}"),
            html! {
                p { "Cancel the paid order before it ships: every item goes back on the shelf \
                     and the payment is refunded in full"
                    @if let Some(p) = &owner.payment {
                        " (" strong { (Money::new(p.refundable(), &p.amount.currency)) } ")"
                    }
                    ", through the payment provider. This cannot be undone." }
            },
            "Cancel and refund",
        ),
        Action::Cancel => (
            format!("Cancel order {number}"),
            html! {
                p { "Cancel the unpaid order and put its stock back on the shelf. If a payment \
                     was started, it is cancelled at the provider first." }
            },
            "Cancel order",
        ),
        Action::Refund => (
            format!("Refund order {number}"),
            html! {
                @if let Some(p) = &owner.payment {
                    p {
                        "Give the shopper back up to "
                        strong { (Money::new(p.refundable(), &p.amount.currency)) }
                        " of the " (p.amount) " paid, through the payment provider. \
                         A refund cannot be undone."
                    }
                    @if p.amount_refunded > 0 {
                        p { (Money::new(p.amount_refunded, &p.amount.currency)) " was refunded already." }
                    }
                }
            },
            "Refund",
        ),
    };
    let body = html! {
        p { a href=(order_path(number)) { "← Back to the order" } }
        h1 { (title) }
        p { "The order is " (state_badge(o.state)) "; " (o.name) ", " (o.total) "." }
        @if action.offered(owner) {
            (what)
            form.stack method="post" action=(action.path(number)) novalidate {
                (csrf_field(office))
                input type="hidden" name=(KEY_FIELD) value=(typed.key);
                @if action == Action::Ship {
                    (tracking_field(typed))
                }
                @if action == Action::Refund {
                    (refund_fields(owner, typed))
                }
                div.actions {
                    button.primary type="submit" { (submit) }
                    a href=(order_path(number)) { "Keep the order as it is" }
                }
            }
        } @else {
            p role="alert" { (not_offered(action, o.state)) }
        }
    };
    office.page(
        if action.offered(owner) { status } else { 409 },
        &title,
        body,
    )
}

fn tracking_field(typed: &Typed<'_>) -> Markup {
    let error = typed.tracking_error.as_deref();
    let carrier_error = typed.carrier_error.as_deref();
    html! {
        label for="tracking_carrier" {
            "Carrier (optional)"
            select #tracking_carrier name="tracking_carrier"
                aria-invalid=[carrier_error.map(|_| "true")]
                aria-describedby=[carrier_error.map(|_| "tracking_carrier-error")] {
                option value="" { "Not given" }
                @for c in &carriers::CARRIERS {
                    option value=(c.code) selected[typed.carrier == c.code] { (c.name) }
                }
            }
        }
        label for="tracking_carrier_other" {
            "Another carrier (if not in the list; its parcels get no tracking link)"
            input #tracking_carrier_other type="text" name="tracking_carrier_other"
                value=(typed.carrier_other) maxlength=(carriers::MAX_CARRIER) autocomplete="off";
        }
        @if let Some(error) = carrier_error {
            p #tracking_carrier-error .field-error { (error) }
        }
        label for="tracking_number" {
            "Tracking number (optional)"
            input #tracking_number type="text" name="tracking_number" value=(typed.tracking)
                maxlength=(MAX_TRACKING_NUMBER) autocomplete="off"
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| "tracking_number-error")];
        }
        @if let Some(error) = error {
            p #tracking_number-error .field-error { (error) }
        }
    }
}

fn refund_fields(owner: &OwnerOrder, typed: &Typed<'_>) -> Markup {
    let currency = owner
        .payment
        .as_ref()
        .map_or(owner.order.total.currency.as_str(), |p| {
            p.amount.currency.as_str()
        });
    let amount_error = typed.amount_error.as_deref();
    let note_error = typed.note_error.as_deref();
    html! {
        label for="amount" {
            "Amount to refund (" (currency) ")"
            input #amount type="text" name="amount" value=(typed.amount) inputmode="decimal"
                autocomplete="off" required
                aria-invalid=[amount_error.map(|_| "true")]
                aria-describedby=[amount_error.map(|_| "amount-error")];
        }
        @if let Some(error) = amount_error {
            p #amount-error .field-error { (error) }
        }
        label for="note" {
            "Note for the order's history (optional)"
            input #note type="text" name="note" value=(typed.note) maxlength=(MAX_REFUND_NOTE)
                autocomplete="off"
                aria-invalid=[note_error.map(|_| "true")]
                aria-describedby=[note_error.map(|_| "note-error")];
        }
        @if let Some(error) = note_error {
            p #note-error .field-error { (error) }
        }
        (restock_fields(owner, typed))
    }
}

/// The form field of line `i`'s units to return.
fn restock_field(i: usize) -> String {
    format!("restock_{i}")
}

/// The units per line the refund form asks to return to stock: whole numbers from 0 to
/// what the line has left; a field error per line otherwise (`typed` keeps what was typed).
fn restock_asked(owner: &OwnerOrder, form: &Form, typed: &mut Typed<'_>) -> Vec<RestockLine> {
    let mut asked = Vec::new();
    for (i, line) in owner.order.items.iter().enumerate() {
        let raw = form.get(&restock_field(i)).unwrap_or_default().trim();
        let left = owner.returnable(&line.sku);
        let error = match raw.parse::<i64>() {
            _ if raw.is_empty() => None,
            Ok(n) if (0..=left).contains(&n) => {
                if n > 0 {
                    asked.push(RestockLine {
                        sku: line.sku.clone(),
                        quantity: n,
                    });
                }
                None
            }
            _ => Some(format!(
                "Return to stock a whole number from 0 to {left} (what is left of this line)."
            )),
        };
        typed.restock.push(raw.to_string());
        typed.restock_errors.push(error);
    }
    asked
}

/// "Return to stock": one number per line, up to what it sold and has not returned yet.
fn restock_fields(owner: &OwnerOrder, typed: &Typed<'_>) -> Markup {
    html! {
        fieldset.restock {
            legend { "Return items to stock" }
            p.muted { "Units that go back on the shelf with this refund (0 keeps them sold)." }
            @for (i, line) in owner.order.items.iter().enumerate() {
                @let id = restock_field(i);
                @let left = owner.returnable(&line.sku);
                @let error = typed.restock_errors.get(i).cloned().flatten();
                @let error_id = format!("{id}-error");
                label for=(id) {
                    (line_name(line)) " (" (line.sku) "), up to " (left)
                    input #(id) type="number" name=(id) min="0" max=(left) inputmode="numeric"
                        value=(typed.restock.get(i).map_or("0", String::as_str))
                        aria-invalid=[error.as_ref().map(|_| "true")]
                        aria-describedby=[error.as_ref().map(|_| error_id.as_str())];
                }
                @if let Some(error) = &error {
                    p.field-error #(error_id) { (error) }
                }
            }
        }
    }
}

fn not_offered(action: Action, state: OrderState) -> String {
    let what = match action {
        Action::Ship => "Only a paid order can be shipped",
        Action::Cancel => {
            "Only an order awaiting payment, or paid and not shipped yet, can be cancelled \
             (refund a shipped one)"
        }
        Action::Refund => {
            "Only a paid or shipped order whose payment succeeded, with money left to give \
             back, can be refunded"
        }
    };
    format!("{what}; this one is {}.", state.label().to_lowercase())
}
