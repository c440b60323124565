//! An order's addresses as its emails show them: where it ships (with the state or
//! province and the phone number when given) and, when it differs, where the invoice
//! goes. One line per address, the country by name.

use crate::i18n::{Lang, countries};
use crate::tr;
use maud::{Markup, html};
use storefront_domain::{Address, OrderView};

/// `12 Main St, Apt 4, 90210 Springfield, CA, United States`, the country in `lang`.
fn one_line(lang: Lang, a: &Address) -> String {
    let place = format!("{} {}", a.postal_code, a.city);
    let country = countries::name(lang, &a.country);
    [
        a.line1.as_str(),
        a.line2.as_str(),
        place.trim(),
        a.state.as_str(),
        country.as_str(),
    ]
    .iter()
    .filter(|part| !part.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(", ")
}

/// The addresses in the plain-text email.
pub fn text(order: &OrderView) -> String {
    let lang = order.locale;
    let mut out = format!(
        "{} {}\n",
        tr!(lang, "mail-shipping-to"),
        one_line(lang, &order.address)
    );
    if !order.phone.is_empty() {
        out.push_str(&format!("{} {}\n", tr!(lang, "mail-phone"), order.phone));
    }
    if let Some(billing) = &order.billing {
        out.push_str(&format!(
            "{} {}\n",
            tr!(lang, "mail-billing"),
            one_line(lang, billing)
        ));
    }
    out
}

/// The addresses in the HTML email.
pub fn html(order: &OrderView) -> Markup {
    let lang = order.locale;
    html! {
        p {
            (tr!(lang, "mail-shipping-to")) " " (one_line(lang, &order.address))
            @if !order.phone.is_empty() { br; (tr!(lang, "mail-phone")) " " (order.phone) }
            @if let Some(billing) = &order.billing { br; (tr!(lang, "mail-billing")) " " (one_line(lang, billing)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_as_one_line_each() {
        let a = Address {
            line1: "1 Main St".into(),
            city: "Springfield".into(),
            postal_code: "90210".into(),
            state: "CA".into(),
            country: "US".into(),
            ..Address::default()
        };
        assert_eq!(
            one_line(Lang::En, &a),
            "1 Main St, 90210 Springfield, CA, United States"
        );
        assert_eq!(
            one_line(Lang::De, &a),
            "1 Main St, 90210 Springfield, CA, Vereinigte Staaten"
        );
    }
}
