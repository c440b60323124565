//! A shipped parcel's tracking as the shopper reads it, on the order page and in the "on its
//! way" email: the carrier, the number, and a link to the carrier's tracking page when the
//! carrier is one the shop knows ([`storefront_domain::carriers`]).

use crate::i18n::Lang;
use crate::tr;
use maud::{Markup, html};
use storefront_domain::carriers::Tracking;

/// The tracking paragraph (HTML); the link opens the carrier's page.
pub fn block(lang: Lang, t: &Tracking) -> Markup {
    html! {
        p.tracking {
            (tr!(lang, "tracking")) " "
            @if let Some(carrier) = t.carrier_name() { (carrier) " " }
            span.number { (t.number) }
            @if let Some(url) = t.url() {
                " · " a href=(url) rel="noopener noreferrer" {
                    (tr!(lang, "tracking-link"))
                    span.visually-hidden { " " (t.number) }
                }
            }
        }
    }
}

/// The same in plain text, one line per fact.
pub fn text(lang: Lang, t: &Tracking) -> String {
    let mut out = match t.carrier_name() {
        Some(carrier) => format!("{} {carrier} {}\n", tr!(lang, "tracking"), t.number),
        None => format!("{} {}\n", tr!(lang, "tracking-number"), t.number),
    };
    if let Some(url) = t.url() {
        out.push_str(&format!("{}: {url}\n", tr!(lang, "tracking-link")));
    }
    out
}
