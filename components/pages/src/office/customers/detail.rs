//! `GET /admin/customers/{email}`: one customer: the figures of the list, their newest
//! orders with the customer's own note and the owner's internal notes on each, and a link
//! to all their orders in the order search.

use super::super::Office;
use super::super::orders::{order_path, state_badge};
use super::spent;
use crate::http::Resp;
use crate::layout::fragments::multiline;
use crate::layout::when;
use maud::html;
use storefront_domain::customers::CUSTOMER_ORDERS_SHOWN;

pub async fn show(office: &Office<'_>, segment: &str) -> Resp {
    let email: String = percent_decoded(segment);
    let page = match office.writer.customer(&email).await {
        Ok(Some(page)) => page,
        Ok(None) => {
            return office.error(
                404,
                "Customer not found",
                "No order was placed with that email address.",
            );
        }
        Err(e) => return office.writer_failed(e),
    };
    let c = &page.customer;
    let all_orders = format!(
        "/admin/orders?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &c.email)
            .finish()
    );
    let body = html! {
        p { a href="/admin/customers" { "← All customers" } }
        h1 { (c.name) }
        dl.facts {
            dt { "Email" } dd { a href={ "mailto:" (c.email) } { (c.email) } }
            dt { "Orders" } dd { (c.orders) }
            dt { "Spent" } dd { (spent(&c.spent)) }
            dt { "First order" } dd { (when::time(&c.first_order_at)) }
            dt { "Last order" } dd { (when::time(&c.last_order_at)) }
        }
        h2 { "Orders" }
        @if c.orders > i64::from(CUSTOMER_ORDERS_SHOWN) {
            p.muted { "The newest " (CUSTOMER_ORDERS_SHOWN) " are shown. " a href=(all_orders) { "All their orders" } }
        }
        ol.customer-orders #customer-orders {
            @for o in &page.orders {
                li {
                    p {
                        a.number href=(order_path(&o.number)) { (o.number) }
                        " " (state_badge(o.state)) " " (o.total)
                        " · " span.muted { (when::time(&o.created_at)) }
                    }
                    @if !o.note.is_empty() {
                        p { strong { "Customer's note: " } (multiline(&o.note)) }
                    }
                    @if !o.notes.is_empty() {
                        ul.notes {
                            @for note in &o.notes {
                                li {
                                    span.muted { (note.author) " · " (when::time(&note.created_at)) ": " }
                                    (multiline(&note.body))
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    office.ok(&format!("Customer {}", c.email), body)
}

/// A path segment with its `%XX` escapes decoded (`+` stays `+`, as in paths).
fn percent_decoded(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = segment.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_encoded_address_reads_back() {
        assert_eq!(
            super::percent_decoded("ada%2Bshop%40example.com"),
            "ada+shop@example.com"
        );
        assert_eq!(super::percent_decoded("ada+1@x.io"), "ada+1@x.io");
        assert_eq!(super::percent_decoded("bad%zz"), "bad%zz");
    }
}
