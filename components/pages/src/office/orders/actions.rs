//! Ship, cancel and refund an order from the back office: `GET
//! /admin/orders/{number}/{ship|cancel|refund}` is the confirmation page (with the
//! tracking number field for shipping), `POST` on the same path does it and goes back to
//! the order with a message.
//!
//! Each drawn form carries its own idempotency key. Ship and cancel pass it to the writer,
//! which answers a resubmitted form with the first answer (`replayed`), never moving the
//! order twice; the commands themselves are the admin API's ([`admin::move_order`],
//! [`refund::request`]), not a second copy. A refund is one per payment at the provider
//! (its idempotency key is derived from the order number) and in the ledger (the writer
//! records one refund id), so a second submit finds it made and says so.

use super::super::{ACTOR, Office, layout::csrf_field};
use super::{order_path, state_badge};
use crate::admin;
use crate::config::Config;
use crate::forms::{Form, valid_idempotency_key};
use crate::payments::refund::{self, RefundError};
use crate::payments::{PayError, Payments, provider::ProviderError};
use crate::signing::random_hex;
use crate::web::Resp;
use crate::writer_client::WriterError;
use maud::{Markup, html};
use storefront_domain::owner_orders::{MAX_TRACKING_NUMBER, OwnerOrder, tracking_number};
use storefront_domain::{OrderState, TransitionRequest};

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

    pub fn of(segment: &str) -> Option<Action> {
        match segment {
            "ship" => Some(Action::Ship),
            "cancel" => Some(Action::Cancel),
            "refund" => Some(Action::Refund),
            _ => None,
        }
    }

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
            Action::Refund => "Refund in full…",
        }
    }

    /// Whether the order is in a state where this makes sense (the writer decides).
    pub fn offered(self, owner: &OwnerOrder) -> bool {
        let state = owner.order.state;
        match self {
            Action::Ship => state == OrderState::Paid,
            Action::Cancel => state == OrderState::PendingPayment,
            // The writer refunds paid and shipped orders.
            Action::Refund => {
                matches!(state, OrderState::Paid | OrderState::Fulfilled)
                    && owner.payment.as_ref().is_some_and(|p| {
                        matches!(p.status.as_str(), "succeeded" | "refund_requested")
                    })
            }
        }
    }
}

/// What the owner typed into a confirmation form, to draw it again.
struct Typed<'a> {
    key: String,
    tracking: &'a str,
    tracking_error: Option<String>,
}

pub async fn confirm(office: &Office<'_>, number: &str, action: Action) -> Resp {
    let owner = match load(office, number).await {
        Ok(owner) => owner,
        Err(resp) => return resp,
    };
    let typed = Typed {
        key: random_hex(16),
        tracking: "",
        tracking_error: None,
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
    let Some(payments) = Config::load().ok() else {
        return office.error(
            503,
            "The shop is not configured",
            "The back office could not read its settings. Nothing was changed.",
        );
    };
    let p = Payments {
        settings: &payments.payments,
        key: office.key,
        writer: office.writer,
        now: office.now,
    };
    match action {
        Action::Ship => ship(office, &p, number, key, &form).await,
        Action::Cancel => cancel(office, &p, number, key).await,
        Action::Refund => refund_order(office, &p, number).await,
    }
}

async fn ship(office: &Office<'_>, p: &Payments<'_>, number: &str, key: &str, form: &Form) -> Resp {
    let typed = form.get("tracking_number").unwrap_or_default();
    let again = |error: String| async move {
        match load(office, number).await {
            Ok(owner) => {
                let typed = Typed {
                    key: key.to_string(),
                    tracking: typed,
                    tracking_error: Some(error),
                };
                form_page(office, &owner, Action::Ship, 422, &typed)
            }
            Err(resp) => resp,
        }
    };
    let tracking = match tracking_number(typed) {
        Ok(tracking) => tracking,
        Err(message) => return again(format!("Tracking number {message}.")).await,
    };
    let request = TransitionRequest {
        to: OrderState::Fulfilled,
        tracking_number: tracking.clone(),
    };
    match admin::move_order(p, number, &request, ACTOR, Some(key)).await {
        Ok(moved) if moved.replayed => office.done(
            &order_path(number),
            format!("Order {number} was already shipped with this form; nothing was done twice."),
        ),
        Ok(_) => office.done(
            &order_path(number),
            match &tracking {
                Some(t) => format!("Order {number} is shipped (tracking number {t})."),
                None => format!("Order {number} is shipped."),
            },
        ),
        Err(WriterError::Rejected { status: 422, body })
            if body
                .error
                .fields
                .iter()
                .any(|f| f.field == "tracking_number") =>
        {
            let message = body
                .error
                .fields
                .iter()
                .find(|f| f.field == "tracking_number")
                .map(|f| f.message.clone())
                .unwrap_or_default();
            again(format!("Tracking number {message}.")).await
        }
        Err(e) => office.writer_failed(e),
    }
}

async fn cancel(office: &Office<'_>, p: &Payments<'_>, number: &str, key: &str) -> Resp {
    let request = TransitionRequest {
        to: OrderState::Cancelled,
        tracking_number: None,
    };
    match admin::move_order(p, number, &request, ACTOR, Some(key)).await {
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
        Ok(_) => office.done(
            &order_path(number),
            format!("Order {number} is cancelled; its stock is back on the shelf."),
        ),
        Err(e) => office.writer_failed(e),
    }
}

async fn refund_order(office: &Office<'_>, p: &Payments<'_>, number: &str) -> Resp {
    match refund::request(p, number).await {
        Ok(done) if done.order_state == OrderState::Refunded => office.done(
            &order_path(number),
            format!(
                "Order {number} is refunded in full (refund {}).",
                done.refund_id
            ),
        ),
        Ok(done) => office.done(
            &order_path(number),
            format!(
                "Refund {} of order {number} is requested; the order becomes refunded when \
                 the provider confirms it.",
                done.refund_id
            ),
        ),
        Err(RefundError::Pay(PayError::Conflict { code, message })) => {
            // A second submit of the same form (or another tab): the refund exists.
            if code == "not_refundable"
                && let Ok(owner) = load(office, number).await
                && owner
                    .payment
                    .as_ref()
                    .is_some_and(|p| matches!(p.status.as_str(), "refunded" | "refund_requested"))
            {
                return office.done(
                    &order_path(number),
                    format!("Order {number} was already refunded; nothing was refunded twice."),
                );
            }
            office.error(409, "The order cannot be refunded", &message)
        }
        Err(RefundError::Pay(e)) => pay_failed(office, e),
        Err(RefundError::Webhook(e)) => {
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
                p {
                    "Give the shopper back "
                    strong { @match &owner.payment { Some(p) => (p.amount), None => (o.total) } }
                    ", the whole payment, through the payment provider. This cannot be undone."
                }
            },
            "Refund in full",
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
    html! {
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

fn not_offered(action: Action, state: OrderState) -> String {
    let what = match action {
        Action::Ship => "Only a paid order can be shipped",
        Action::Cancel => "Only an order awaiting payment can be cancelled",
        Action::Refund => "Only a paid order whose payment succeeded can be refunded",
    };
    format!("{what}; this one is {}.", state.label().to_lowercase())
}
