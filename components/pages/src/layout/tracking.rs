//! A shipped parcel's tracking as the shopper reads it, on the order page and in the "on its
//! way" email: the carrier, the number, and a link to the carrier's tracking page when the
//! carrier is one the shop knows ([`storefront_domain::carriers`]).

use maud::{Markup, html};
use storefront_domain::carriers::Tracking;

/// The tracking paragraph (HTML); the link opens the carrier's page.
pub fn block(t: &Tracking) -> Markup {
    html! {
        p.tracking {
            "Tracking: "
            @if let Some(carrier) = t.carrier_name() { (carrier) " " }
            span.number { (t.number) }
            @if let Some(url) = t.url() {
                " · " a href=(url) rel="noopener noreferrer" {
                    "Track your parcel"
                    span.visually-hidden { " " (t.number) }
                }
            }
        }
    }
}

/// The same in plain text, one line per fact.
pub fn text(t: &Tracking) -> String {
    let mut out = match t.carrier_name() {
        Some(carrier) => format!("Tracking: {carrier} {}\n", t.number),
        None => format!("Tracking number: {}\n", t.number),
    };
    if let Some(url) = t.url() {
        out.push_str(&format!("Track your parcel: {url}\n"));
    }
    out
}
