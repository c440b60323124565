//! The owner's answers to a return, writer commands under the drawn form's idempotency
//! key:
//!
//! - `POST /admin/returns/{id}/accept` (`restock=yes` to put the units back): the writer
//!   computes and records the refund (see `writer::returns::decide`), then the refund is
//!   asked of the provider exactly as the owner's own refunds are
//!   ([`refund::drive`]); a provider that refuses or does not answer leaves the return
//!   accepted with its refund failed or pending, shown on the order's page with the
//!   usual "Ask again". Accepting again answers the first refund, never a second.
//! - `POST /admin/returns/{id}/refuse` (`reason`): an empty or too long reason is the
//!   list again, 422, with the error at the field; nothing is written.

use super::super::orders::actions::{config, payments, refund_failed, refunded_message};
use super::super::orders::order_path;
use super::super::{ACTOR, Office};
use super::list::show_with;
use super::view::Draft;
use crate::http::Resp;
use crate::http::forms::{Form, valid_idempotency_key};
use crate::payments::refund;
use crate::writer::WriterError;
use storefront_domain::returns::{AcceptReturn, RefuseReturn, reason_text};

/// The form and its key, or the answer instead.
fn form_and_key(office: &Office<'_>) -> Result<(Form, String), Resp> {
    let form = office.form()?;
    let Some(key) = form
        .get("idempotency_key")
        .filter(|k| valid_idempotency_key(k))
        .map(str::to_string)
    else {
        return Err(office.error(
            400,
            "This form is incomplete",
            "The form was sent without its key. Go back, reload the page and try again; \
             nothing was changed.",
        ));
    };
    Ok((form, key))
}

fn refused(office: &Office<'_>, e: WriterError, what: &str) -> Resp {
    match e {
        WriterError::Rejected { status: 404, .. } => office.not_found(),
        WriterError::Rejected {
            status: status @ (409 | 422),
            body,
        } => office.error(status, what, &body.error.message),
        e => office.writer_failed(e),
    }
}

/// `POST /admin/returns/{id}/accept`.
pub async fn accept(office: &Office<'_>, id: i64) -> Resp {
    let (form, key) = match form_and_key(office) {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let config = match config(office) {
        Ok(config) => config,
        Err(resp) => return resp,
    };
    let asked = AcceptReturn {
        restock: form.get("restock") == Some("yes"),
    };
    let decision = match office.writer.accept_return(id, &asked, ACTOR, &key).await {
        Ok(decision) => decision,
        Err(e) => return refused(office, e, "The return was not accepted"),
    };
    let number = decision.record.order_number.clone();
    let Some(recorded) = decision.refund else {
        return office.done(&order_path(&number), format!("Return {id} is accepted."));
    };
    let p = payments(office, config);
    match refund::drive(&p, &number, recorded, false).await {
        Ok(done) => office.done(
            &order_path(&number),
            format!(
                "Return {id} is accepted. {}",
                refunded_message(&p, &number, &done)
            ),
        ),
        Err(e) => refund_failed(office, &number, e).await,
    }
}

/// `POST /admin/returns/{id}/refuse`.
pub async fn refuse(office: &Office<'_>, id: i64) -> Resp {
    let (form, key) = match form_and_key(office) {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let typed = form.get("reason").unwrap_or_default().to_string();
    let reason = match reason_text(&typed) {
        Ok(reason) => reason,
        Err(error) => {
            let draft = Draft {
                id,
                text: typed,
                error,
            };
            return show_with(office, 422, Some(&draft)).await;
        }
    };
    match office
        .writer
        .refuse_return(id, &RefuseReturn { reason }, ACTOR, &key)
        .await
    {
        Ok(decision) => office.done(
            &order_path(&decision.record.order_number),
            format!("Return {id} is refused; the customer sees your reason."),
        ),
        Err(e) => refused(office, e, "The return was not refused"),
    }
}
