//! What the shopper reads about returns: the order page's "Returns" section (each return
//! asked for, its state in words, the shop's answer) and the return form
//! (`/orders/{number}/return`): per line how many units go back (0 to what may still be
//! returned), the reason, and the errors next to the fields. A plain form, no script.

use crate::i18n::{Lang, field_errors};
use crate::layout::{Chrome, layout, when};
use crate::security::csrf;
use crate::tr;
use maud::{Markup, html};
use storefront_domain::FieldError;
use storefront_domain::returns::{
    MAX_RETURN_REASON, OrderReturns, RETURN_ACCEPTED, RETURN_REFUSED, ReturnRecord,
};

/// The field a line's quantity is typed in.
pub fn quantity_field(sku: &str) -> String {
    format!("qty.{sku}")
}

/// A return's state in the shopper's words.
fn state_words(lang: Lang, r: &ReturnRecord) -> String {
    match (r.state.as_str(), &r.refund) {
        (RETURN_ACCEPTED, Some(refund)) => {
            tr!(lang, "return-state-refunded", amount = lang.money(refund))
        }
        (RETURN_ACCEPTED, None) => tr!(lang, "return-state-accepted"),
        (RETURN_REFUSED, _) => tr!(lang, "return-state-refused"),
        _ => tr!(lang, "return-state-waiting"),
    }
}

/// One return as the shopper sees it.
fn record(lang: Lang, r: &ReturnRecord) -> Markup {
    html! {
        li.return-request {
            p { strong { (tr!(lang, "return-asked-on")) " " (when::time_in(lang, &r.created_at)) } }
            p { (tr!(lang, "order-status")) " " span.state { (state_words(lang, r)) } }
            ul {
                @for line in &r.lines {
                    li {
                        (line.quantity) " × " (line.name)
                        @if !line.variant.is_empty() { " " span.muted { "(" (line.variant) ")" } }
                    }
                }
            }
            p.muted { (tr!(lang, "return-your-reason")) " " (r.reason) }
            @if let Some(refusal) = &r.refusal {
                p.refusal { (tr!(lang, "return-shop-answer")) " " (refusal) }
            }
        }
    }
}

/// The order page's section: `None` when there is nothing to say (no returns, and the
/// shop takes none or the order has not shipped).
pub fn section(lang: Lang, returns: &OrderReturns) -> Option<Markup> {
    if returns.returns.is_empty() && (returns.window_days == 0 || returns.window_ends_at.is_none())
    {
        return None;
    }
    Some(html! {
        section #returns aria-labelledby="returns-heading" {
            h2 #returns-heading { (tr!(lang, "return-heading")) }
            @if !returns.returns.is_empty() {
                ul.plain { @for r in &returns.returns { (record(lang, r)) } }
            }
            @match &returns.closed {
                None => {
                    @if let Some(end) = &returns.window_ends_at {
                        p.muted { (tr!(lang, "return-until")) " " (when::time_in(lang, end)) "." }
                    }
                    p { a.button href={ "/orders/" (returns.order_number) "/return" } { (tr!(lang, "return-items")) } }
                }
                Some(why) => p.muted { (field_errors::or_as_sent(lang, why)) },
            }
        }
    })
}

/// What the shopper typed, kept when the form comes back with errors.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    /// The form's idempotency key.
    pub key: String,
    /// Per line SKU, the quantity as typed.
    pub quantities: Vec<(String, String)>,
    pub reason: String,
    pub errors: Vec<FieldError>,
    /// A refusal that names no field.
    pub problem: Option<String>,
}

fn error_for(lang: Lang, errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| field_errors::or_as_sent(lang, &e.message))
}

/// The return form of the order `returns` describe.
pub fn form(chrome: &Chrome, returns: &OrderReturns, csrf_token: &str, typed: &Typed) -> Markup {
    let lang = chrome.lang;
    let number = &returns.order_number;
    let title = tr!(lang, "return-form-title", number = number.as_str());
    let reason_error = error_for(lang, &typed.errors, "reason");
    let lines_error = error_for(lang, &typed.errors, "lines");
    let content = html! {
        h1 { (title) }
        p { a href={ "/orders/" (number) } { (tr!(lang, "return-back")) } }
        @if let Some(problem) = typed.problem.as_ref().or(returns.closed.as_ref()) {
            p.flash.warning role="alert" { (field_errors::or_as_sent(lang, problem)) }
        }
        @if returns.closed.is_none() {
            @if !typed.errors.is_empty() {
                p.flash.warning role="alert" { (tr!(lang, "return-check-form")) }
            }
            form.returns-form method="post" action={ "/orders/" (number) "/return" } novalidate {
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                input type="hidden" name="key" value=(typed.key);
                fieldset aria-describedby=[lines_error.as_ref().map(|_| "lines-error")] {
                    legend { (tr!(lang, "return-how-many")) }
                    @if let Some(e) = lines_error { span.field-error #lines-error { (e) } }
                    @for line in returns.lines.iter().filter(|l| l.returnable > 0) {
                        @let field = quantity_field(&line.sku);
                        @let id = format!("qty-{}", line.sku);
                        @let error = error_for(lang, &typed.errors, &format!("lines.{}", line.sku))
                            .or(error_for(lang, &typed.errors, &field));
                        @let value = typed.quantities.iter().find(|(s, _)| *s == line.sku)
                            .map_or("0", |(_, v)| v.as_str());
                        label for=(id) {
                            span {
                                (line.name)
                                @if !line.variant.is_empty() { " (" (line.variant) ")" }
                                " · " (tr!(lang, "return-you-bought", count = line.bought))
                            }
                            input #(id) type="number" name=(field) min="0" max=(line.returnable)
                                inputmode="numeric" value=(value)
                                aria-invalid=[error.as_ref().map(|_| "true")]
                                aria-describedby=[error.as_ref().map(|_| format!("{id}-error"))];
                            @if let Some(e) = error { span.field-error id={ (id) "-error" } { (e) } }
                        }
                    }
                }
                label for="reason" {
                    (tr!(lang, "return-why"))
                    textarea #reason name="reason" rows="3" maxlength=(MAX_RETURN_REASON)
                        aria-invalid=[reason_error.as_ref().map(|_| "true")]
                        aria-describedby=[reason_error.as_ref().map(|_| "reason-error")] { (typed.reason) }
                    @if let Some(e) = reason_error { span.field-error #reason-error { (e) } }
                }
                div { button.primary type="submit" { (tr!(lang, "return-submit")) } }
            }
        }
    };
    layout(chrome, &title, content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::returns::ReturnableLine;

    fn returns(closed: Option<&str>) -> OrderReturns {
        OrderReturns {
            order_number: "SF-1".into(),
            window_days: 30,
            window_ends_at: Some("2026-12-31T10:00:00Z".into()),
            closed: closed.map(str::to_string),
            lines: vec![ReturnableLine {
                sku: "MUG-1".into(),
                name: "Mug <b>".into(),
                variant: String::new(),
                bought: 2,
                returnable: 2,
            }],
            returns: Vec::new(),
        }
    }

    #[test]
    fn the_form_escapes_and_offers_what_may_go_back() {
        let chrome = Chrome::plain(Default::default());
        let html = form(&chrome, &returns(None), "t", &Typed::default()).into_string();
        assert!(html.contains(r#"name="qty.MUG-1""#) && html.contains(r#"max="2""#));
        assert!(html.contains("Mug &lt;b&gt;") && !html.contains("Mug <b>"));
        let closed = form(&chrome, &returns(Some("Closed.")), "t", &Typed::default());
        assert!(!closed.into_string().contains(r#"class="returns-form""#));
    }

    #[test]
    fn the_section_offers_a_return_only_while_open() {
        assert!(
            section(Lang::En, &returns(None))
                .unwrap()
                .into_string()
                .contains("/orders/SF-1/return")
        );
        let closed = section(Lang::En, &returns(Some("Closed.")))
            .unwrap()
            .into_string();
        assert!(closed.contains("Closed.") && !closed.contains("/orders/SF-1/return"));
        let unshipped = OrderReturns {
            window_ends_at: None,
            ..returns(Some("Not shipped."))
        };
        assert!(section(Lang::En, &unshipped).is_none());
    }
}
