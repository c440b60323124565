//! `GET /admin/customers?q=&after=`: the customers, the most recent order first, 50 a
//! page ("More customers" follows the writer's keyset cursor), with a search by the start
//! of a name or an email (a plain GET form; one over its length is 422 at the field).

use super::super::Office;
use super::{customer_path, spent};
use crate::http::Resp;
use crate::layout::when;
use crate::writer::WriterError;
use maud::{Markup, html};
use storefront_domain::customers::{CustomerList, MAX_CUSTOMER_QUERY};

pub async fn show(office: &Office<'_>) -> Resp {
    let q = office.req.query_param("q").unwrap_or_default();
    let q = q.trim().to_string();
    let after = office.req.query_param("after").unwrap_or_default();
    if q.chars().count() > MAX_CUSTOMER_QUERY {
        let error = format!("The search is too long: at most {MAX_CUSTOMER_QUERY} characters.");
        let body = html! {
            h1 { "Customers" }
            (search(&q, Some(&error)))
        };
        return office.page(422, "Customers", body);
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        query.append_pair("q", &q);
    }
    if !after.is_empty() {
        query.append_pair("after", &after);
    }
    let list = match office.writer.customers(&query.finish()).await {
        Ok(list) => list,
        Err(WriterError::Rejected { status: 422, .. }) => {
            return office.error(
                400,
                "This page link does not work",
                "The link to this page is out of date. Start again from the first page.",
            );
        }
        Err(e) => return office.writer_failed(e),
    };
    let body = html! {
        h1 { "Customers" }
        (search(&q, None))
        (table(&list))
        nav.actions aria-label="Pages of customers" {
            @if !after.is_empty() {
                a href=(page_link(&q, None)) { "First page" }
            }
            @if let Some(next) = &list.next_after {
                a rel="next" href=(page_link(&q, Some(next))) { "More customers" }
            }
        }
    };
    office.ok("Customers", body)
}

fn page_link(q: &str, after: Option<&str>) -> String {
    let mut link = form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        link.append_pair("q", q);
    }
    if let Some(after) = after {
        link.append_pair("after", after);
    }
    format!("/admin/customers?{}", link.finish())
}

fn search(q: &str, error: Option<&str>) -> Markup {
    html! {
        form.filters method="get" action="/admin/customers" role="search" aria-label="Search customers" {
            label for="customer-q" {
                "Name or email"
                input #customer-q type="search" name="q" value=(q) placeholder="Ada or ada@"
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| "customer-q-error")];
                @if let Some(error) = error {
                    span #customer-q-error .field-error { (error) }
                }
            }
            button.primary type="submit" { "Search" }
            a href="/admin/customers" { "Clear" }
        }
    }
}

fn table(list: &CustomerList) -> Markup {
    if list.customers.is_empty() {
        return html! { p.muted { "No customers match." } };
    }
    html! {
        div.table-wrap tabindex="0" role="region" aria-label="Customers" {
            table.list #customers {
                caption.visually-hidden { "Customers, most recent order first" }
                thead { tr {
                    th scope="col" { "Customer" }
                    th.num scope="col" { "Orders" }
                    th.num scope="col" { "Spent" }
                    th scope="col" { "Last order" }
                } }
                tbody {
                    @for c in &list.customers {
                        tr {
                            td {
                                a href=(customer_path(&c.email)) { (c.name) }
                                br; span.muted { (c.email) }
                            }
                            td.num { (c.orders) }
                            td.num { (spent(&c.spent)) }
                            td { (when::time(&c.last_order_at)) }
                        }
                    }
                }
            }
        }
    }
}
