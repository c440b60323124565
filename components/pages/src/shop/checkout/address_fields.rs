//! The checkout's address inputs, for the shipping address (`address.*`) and the billing
//! address (`billing.*`). Which are required follows the chosen country: a state or
//! province where addresses need one, no postcode where the country has none (the
//! domain's lists in `countries`); the labels say "(optional)" accordingly. No
//! `maxlength`: a browser would cut a pasted value silently, while the domain's limits
//! answer with a message at the field.

use crate::i18n::Lang;
use crate::i18n::countries;
use crate::tr;
use maud::{Markup, html};
use storefront_domain::Address;

/// `(part, label, billing label, autocomplete)` of an address's text inputs.
/// The labels are the catalogue's message ids.
const PARTS: [(&str, &str, &str, &str); 5] = [
    (
        "line1",
        "field-line1",
        "field-billing-line1",
        "address-line1",
    ),
    (
        "line2",
        "field-line2",
        "field-billing-line2",
        "address-line2",
    ),
    ("city", "field-city", "field-billing-city", "address-level2"),
    (
        "postal_code",
        "field-postal-code",
        "field-billing-postal-code",
        "postal-code",
    ),
    (
        "state",
        "field-state",
        "field-billing-state",
        "address-level1",
    ),
];

/// The label's message id of an address input (`address.city` → `field-city`), for
/// messages that start with it.
pub fn label_of(field: &str) -> Option<&'static str> {
    let (prefix, part) = field.split_once('.')?;
    let billing = match prefix {
        "address" => false,
        "billing" => true,
        _ => return None,
    };
    if part == "country" {
        return Some(if billing {
            "field-billing-country"
        } else {
            "field-country"
        });
    }
    PARTS
        .iter()
        .find(|(p, ..)| *p == part)
        .map(|(_, label, billing_label, _)| if billing { *billing_label } else { *label })
}

/// One text input with its label, its message and the ARIA that ties them; `sentence`
/// words the message. `optional` is the hint an optional input's label ends with
/// ("(optional)" in the page's language, [`optional`]); `None`: the input is required.
pub fn text_input(
    name: &str,
    label: &str,
    autocomplete: &str,
    kind: &str,
    optional: Option<String>,
    value: &str,
    error: Option<String>,
) -> Markup {
    let required = optional.is_none();
    html! {
        div.field.invalid[error.is_some()] {
            label for=(name) {
                (label)
                @if let Some(hint) = &optional { " " span.hint { (hint) } }
            }
            input id=(name) name=(name) value=(value) type=(kind)
                autocomplete=(autocomplete)
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby=[error.as_ref().map(|_| format!("{name}-error"))]
                required[required];
            @if let Some(message) = error {
                p.error id={ (name) "-error" } { (message) }
            }
        }
    }
}

/// The hint of an input that is not `required` ("(optional)" in `lang`), or `None`.
pub fn optional(lang: Lang, required: bool) -> Option<String> {
    (!required).then(|| tr!(lang, "optional"))
}

/// Every input of the address named `prefix` (`address` or `billing`), filled with `a`;
/// `message` words the error of a field, if it has one.
pub fn inputs(
    lang: Lang,
    prefix: &str,
    a: &Address,
    message: &dyn Fn(&str) -> Option<String>,
) -> Markup {
    let billing = prefix == "billing";
    let country = a.country.trim().to_ascii_uppercase();
    let section = if billing { "billing " } else { "shipping " };
    let country_name = format!("{prefix}.country");
    let country_error = message(&country_name);
    html! {
        @for (part, label, billing_label, autocomplete) in PARTS {
            @let name = format!("{prefix}.{part}");
            @let required = match part {
                "line2" => false,
                "postal_code" => !storefront_domain::countries::postcode_optional(&country),
                "state" => storefront_domain::countries::needs_state(&country),
                _ => true,
            };
            @let value = match part {
                "line1" => &a.line1,
                "line2" => &a.line2,
                "city" => &a.city,
                "postal_code" => &a.postal_code,
                _ => &a.state,
            };
            (text_input(
                &name,
                &tr!(lang, if billing { billing_label } else { label }),
                &format!("{section}{autocomplete}"),
                "text",
                optional(lang, required),
                value,
                message(&name),
            ))
        }
        div.field.invalid[country_error.is_some()] {
            label for=(country_name) {
                (tr!(lang, if billing { "field-billing-country" } else { "field-country" }))
            }
            select id=(country_name) name=(country_name) autocomplete={ (section) "country" }
                aria-invalid=[country_error.as_ref().map(|_| "true")]
                aria-describedby=[country_error.as_ref().map(|_| format!("{country_name}-error"))]
                required {
                option value="" selected[country.is_empty()] { (tr!(lang, "choose-country")) }
                @for (code, name) in countries::all(lang) {
                    option value=(code) selected[code == country] { (name) }
                }
            }
            @if let Some(message) = country_error {
                p.error id={ (country_name) "-error" } { (message) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_requirements_follow_the_country() {
        assert_eq!(label_of("address.city"), Some("field-city"));
        assert_eq!(
            label_of("billing.postal_code"),
            Some("field-billing-postal-code")
        );
        assert_eq!(label_of("billing.country"), Some("field-billing-country"));
        assert_eq!(label_of("items[0].sku"), None);
        let us = Address {
            country: "US".into(),
            ..Address::default()
        };
        let html = inputs(Lang::En, "address", &us, &|_| None).into_string();
        assert!(
            html.contains(r#"<label for="address.state">State / province</label>"#),
            "{html}"
        );
        let ie = Address {
            country: "IE".into(),
            ..Address::default()
        };
        let html = inputs(Lang::En, "billing", &ie, &|_| None).into_string();
        assert!(
            html.contains("Billing postal code <span class=\"hint\">(optional)</span>"),
            "{html}"
        );
        assert!(html.contains(r#"autocomplete="billing address-line1""#));
    }
}
