//! `GET /admin/orders?state=&from=&to=&q=&before=&limit=`: the owner's order list, newest
//! first, 50 at a time (`limit` up to 200: the writer's bounds, `DEFAULT_ORDER_PAGE` and
//! `MAX_ORDER_PAGE` in `storefront_domain::order_list`). The filters are a plain GET form; a bad filter is shown next to its field
//! (422) with what was typed, and no list.

use super::super::Office;
use super::{order_path, state_badge};
use crate::http::Resp;
use crate::layout::when;
use maud::{Markup, html};
use storefront_domain::order_list::{MAX_ORDER_SEARCH, OrderList, OrderListQuery, OrderSummary};
use storefront_domain::{FieldError, OrderState};

pub async fn show(office: &Office<'_>) -> Resp {
    let raw = |name: &str| office.req.query_param(name).unwrap_or_default();
    let typed = Typed {
        state: raw("state"),
        from: raw("from"),
        to: raw("to"),
        q: raw("q"),
    };
    let query = OrderListQuery::parse(&office.req.query);
    let query = match query {
        Ok(query) => query,
        Err(errors) => {
            let body = html! {
                h1 { "Orders" }
                (filters(&typed, &errors))
                p { "Correct the filters above to see the orders." }
            };
            return office.page(422, "Orders", body);
        }
    };
    let list = match office.writer.list_orders(&query).await {
        Ok(list) => list,
        Err(e) => return office.writer_failed(e),
    };
    let body = html! {
        h1 { "Orders" }
        (filters(&typed, &[]))
        (table(&list))
        (pages(&query, &list))
    };
    office.ok("Orders", body)
}

/// The filter values as typed, to show them again.
struct Typed {
    state: String,
    from: String,
    to: String,
    q: String,
}

fn filters(typed: &Typed, errors: &[FieldError]) -> Markup {
    let error = |field: &str| errors.iter().find(|e| e.field == field);
    let field = |name: &str, label: &str, kind: &str, value: &str, hint: Option<&str>| {
        let err = error(name);
        let id = format!("filter-{name}");
        let err_id = format!("{id}-error");
        html! {
            label for=(id) {
                (label)
                input id=(id) type=(kind) name=(name) value=(value)
                    maxlength=[(kind == "search").then_some(MAX_ORDER_SEARCH)]
                    placeholder=[hint]
                    aria-invalid=[err.map(|_| "true")]
                    aria-describedby=[err.map(|_| err_id.as_str())];
                @if let Some(err) = err {
                    span id=(err_id) .field-error { (label) " " (err.message) }
                }
            }
        }
    };
    let state_error = error("state");
    let other: Vec<&FieldError> = errors
        .iter()
        .filter(|e| !matches!(e.field.as_str(), "state" | "from" | "to" | "q"))
        .collect();
    html! {
        form.filters method="get" action="/admin/orders" role="search" aria-label="Filter orders" {
            label for="filter-state" {
                "State"
                select #filter-state name="state"
                    aria-invalid=[state_error.map(|_| "true")]
                    aria-describedby=[state_error.map(|_| "filter-state-error")] {
                    option value="" selected[typed.state.is_empty()] { "Any state" }
                    @for state in OrderState::ALL {
                        option value=(state.as_str()) selected[typed.state == state.as_str()] {
                            (state.label())
                        }
                    }
                }
                @if let Some(err) = state_error {
                    span #filter-state-error .field-error { "State " (err.message) }
                }
            }
            (field("from", "Placed from", "date", &typed.from, None))
            (field("to", "Placed until", "date", &typed.to, None))
            (field("q", "Number, name or email", "search", &typed.q, Some("7K3M, Ada or ada@")))
            button.primary type="submit" { "Show orders" }
            a href="/admin/orders" { "Clear filters" }
        }
        @for err in other {
            p.field-error role="alert" { (err.field) " " (err.message) }
        }
    }
}

fn table(list: &OrderList) -> Markup {
    if list.orders.is_empty() {
        return html! { p.muted { "No orders match." } };
    }
    html! {
        div.table-wrap {
            table.list {
                caption.visually-hidden { "Orders, newest first" }
                thead {
                    tr {
                        th scope="col" { "Order" }
                        th scope="col" { "Placed" }
                        th scope="col" { "Customer" }
                        th scope="col" { "State" }
                        th.num scope="col" { "Items" }
                        th.num scope="col" { "Total" }
                    }
                }
                tbody {
                    @for order in &list.orders { (row(order)) }
                }
            }
        }
    }
}

fn row(order: &OrderSummary) -> Markup {
    html! {
        tr {
            td { a.number href=(order_path(&order.number)) { (order.number) } }
            td { (when::time(&order.created_at)) }
            td { (order.name) br; span.muted { (order.email) } }
            td { (state_badge(order.state)) }
            td.num { (order.units) }
            td.num { (order.total) }
        }
    }
}

/// "Newer"/"Older" links keeping the filters.
fn pages(query: &OrderListQuery, list: &OrderList) -> Markup {
    let with_before = |before: Option<String>| {
        let q = OrderListQuery {
            before,
            ..query.clone()
        };
        format!("/admin/orders?{}", q.to_query())
    };
    html! {
        nav.actions aria-label="Pages of orders" {
            @if query.before.is_some() {
                a href=(with_before(None)) { "Newest orders" }
            }
            @if let Some(next) = &list.next_before {
                a rel="next" href=(with_before(Some(next.clone()))) { "Older orders" }
            }
        }
    }
}
