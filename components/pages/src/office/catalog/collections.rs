//! Collections (`/admin/catalog/collections`): the list in display order with a form for
//! a new one, and each collection's page (`…/collections/{slug}`) to change its name,
//! description and place in the order, and to add products to it (at a position) or
//! take them out.

use super::fields::{self, input, textarea};
use super::optional_position;
use super::{Problem, Sent, json, posted, product_path, send};
use crate::http::Resp;
use crate::http::paging::MAX_PAGE_NUMBER;
use crate::office::Office;
use maud::{Markup, html};
use storefront_domain::catalog::{CollectionChange, CollectionPage, Membership, NewCollection};
use storefront_domain::catalog_positions::Positions;
use storefront_domain::order::valid_slug;

/// Products per page of a collection's back-office page.
pub const MEMBERS_PER_PAGE: u32 = 50;

fn place(field: &str) -> Option<&'static str> {
    Some(match field {
        "slug" => "slug",
        "name" => "name",
        "description" => "description",
        "position" => "position",
        "product" => "product",
        _ => return None,
    })
}

pub async fn index(office: &Office<'_>, problem: Option<&Problem>) -> Resp {
    let list = match office.writer.collection_list().await {
        Ok(list) => list.collections.clone(),
        Err(e) => return office.writer_failed(e),
    };
    let positions = match office.writer.positions(None, None).await {
        Ok(positions) => positions.collections,
        Err(e) => return office.writer_failed(e),
    };
    let p = Problem::about(problem, "new-collection");
    let body = html! {
        p { a href="/admin/catalog" { "← Catalog" } }
        h1 { "Collections" }
        @if list.is_empty() { p.muted { "No collections yet." } } @else {
            div.table-wrap {
                table.list {
                    thead { tr {
                        th.num scope="col" { "Position" }
                        th scope="col" { "Collection" }
                        th.num scope="col" { "Products in the shop" }
                    } }
                    tbody {
                        @for c in &list {
                            tr {
                                td.num {
                                    @if let Some(p) = Positions::of(&positions, &c.slug) { (p) }
                                }
                                td {
                                    a href=(format!("/admin/catalog/collections/{}", c.slug)) { (c.name) }
                                    br; span.muted { (c.slug) }
                                }
                                td.num { (c.product_count) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "New collection" }
        form.stack method="post" action="/admin/catalog/collections" novalidate {
            (fields::hidden(office, p))
            (fields::message(p))
            (input(p, "new-collection", "name", "Name", "", "text", None))
            (input(p, "new-collection", "slug", "Slug", "", "text",
                Some("Its address: lower-case letters, digits and dashes.")))
            (textarea(p, "new-collection", "description", "Description", "", None))
            (input(p, "new-collection", "position", "Position", "", "number",
                Some("Lower comes first; empty: after the last one.")))
            div { button.primary type="submit" { "Create collection" } }
        }
    };
    office.page(problem.map_or(200, |p| p.status), "Collections", body)
}

pub async fn create(office: &Office<'_>) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new("new-collection", form.clone());
    let position = optional_position(form.get("position"), &mut problem);
    if !problem.is_empty() {
        return index(office, Some(&problem)).await;
    }
    let text = |name: &str| form.get(name).unwrap_or_default().trim().to_string();
    let collection = NewCollection {
        slug: text("slug"),
        name: text("name"),
        description: text("description"),
        position,
    };
    match send(
        office,
        "/admin/catalog/collections",
        json(&collection),
        &key,
    )
    .await
    {
        Ok(Sent::Done { replayed, .. }) => super::done(
            office,
            &format!("/admin/catalog/collections/{}", collection.slug),
            &format!("Created the collection “{}”.", collection.name),
            replayed,
        ),
        Ok(Sent::Refused { status, body }) => {
            let problem = problem.with_refusal(status, &body, place);
            index(office, Some(&problem)).await
        }
        Err(resp) => resp,
    }
}

pub async fn show(office: &Office<'_>, slug: &str, problem: Option<&Problem>) -> Resp {
    let page = match office.req.query_param("page").map(|p| p.parse::<u32>()) {
        None => 1,
        Some(Ok(n)) if (1..=MAX_PAGE_NUMBER).contains(&n) => n,
        Some(_) => {
            return office.error(
                422,
                "No such page",
                &format!("The page number must be from 1 to {MAX_PAGE_NUMBER}."),
            );
        }
    };
    let query = format!(
        "limit={MEMBERS_PER_PAGE}&offset={}",
        (page - 1) * MEMBERS_PER_PAGE
    );
    let found = match office.writer.collection(slug, &query).await {
        Ok(Some(found)) => found,
        Ok(None) => return office.not_found(),
        Err(e) => return office.writer_failed(e),
    };
    let positions = match office.writer.positions(None, Some(slug)).await {
        Ok(positions) => positions,
        Err(e) => return office.writer_failed(e),
    };
    let status = problem.map_or(200, |p| p.status);
    office.page(
        status,
        &found.collection.name,
        collection_page(office, &found, &positions, page, problem),
    )
}

fn collection_page(
    office: &Office<'_>,
    found: &CollectionPage,
    positions: &Positions,
    page: u32,
    problem: Option<&Problem>,
) -> Markup {
    let c = &found.collection;
    let base = format!("/admin/catalog/collections/{}", c.slug);
    let edit = Problem::about(problem, "collection");
    let add = Problem::about(problem, "add-product");
    let pages = found.products.total.div_ceil(MEMBERS_PER_PAGE).max(1);
    let position = Positions::of(&positions.collections, &c.slug)
        .map(|p| p.to_string())
        .unwrap_or_default();
    html! {
        p { a href="/admin/catalog/collections" { "← Collections" } }
        h1 { (c.name) }
        form.stack method="post" action=(base) novalidate {
            (fields::hidden(office, edit))
            (fields::message(edit))
            p { "Slug: " code { (c.slug) } }
            (input(edit, "collection", "name", "Name", &c.name, "text", None))
            (textarea(edit, "collection", "description", "Description", &c.description, None))
            (input(edit, "collection", "position", "Position among the collections", &position,
                "number", Some("Lower comes first.")))
            div { button.primary type="submit" { "Save collection" } }
        }
        h2 { "Products" }
        p.muted { (found.products.total) " in the shop (archived products are not listed)." }
        @if !found.products.products.is_empty() {
            ol start=(found.products.offset + 1) {
                @for p in &found.products.products {
                    li {
                        a href=(product_path(&p.slug)) { (p.name) }
                        @if let Some(at) = Positions::of(&positions.members, &p.slug) {
                            span.muted { " (position " (at) ")" }
                        }
                        " "
                        form.inline method="post"
                            action=(format!("{base}/products/{}/remove", p.slug)) {
                            (fields::hidden(office, None))
                            button type="submit" { "Remove " (p.name) }
                        }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.pager aria-label="Pages" {
                @if page > 1 { a href=(format!("{base}?page={}", page - 1)) rel="prev" { "Previous" } " " }
                span { "Page " (page) " of " (pages) }
                @if page < pages { " " a href=(format!("{base}?page={}", page + 1)) rel="next" { "Next" } }
            }
        }
        h3 { "Add a product" }
        form.stack method="post" action=(format!("{base}/products")) novalidate {
            (fields::hidden(office, add))
            (fields::message(add))
            (input(add, "add-product", "product", "Product slug", "", "text", None))
            (input(add, "add-product", "position", "Position", "", "number",
                Some("Lower comes first; empty: at the end. A product already in it moves there.")))
            div { button type="submit" { "Add product" } }
        }
    }
}

pub async fn update(office: &Office<'_>, slug: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new("collection", form.clone());
    let position = optional_position(form.get("position"), &mut problem);
    if !problem.is_empty() {
        return show(office, slug, Some(&problem)).await;
    }
    let change = CollectionChange {
        name: Some(form.get("name").unwrap_or_default().trim().to_string()),
        description: Some(
            form.get("description")
                .unwrap_or_default()
                .trim()
                .to_string(),
        ),
        position,
    };
    let path = format!("/admin/catalog/collections/{slug}");
    match send(office, &path, json(&change), &key).await {
        Ok(Sent::Done { replayed, .. }) => {
            super::done(office, &path, "Collection saved.", replayed)
        }
        Ok(Sent::Refused { status, body }) => {
            let problem = problem.with_refusal(status, &body, place);
            show(office, slug, Some(&problem)).await
        }
        Err(resp) => resp,
    }
}

pub async fn add_member(office: &Office<'_>, slug: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let mut problem = Problem::new("add-product", form.clone());
    let product = form.get("product").unwrap_or_default().trim().to_string();
    if !valid_slug(&product) {
        problem.field("product", "Enter a product's slug.");
    }
    let position = optional_position(form.get("position"), &mut problem);
    if !problem.is_empty() {
        return show(office, slug, Some(&problem)).await;
    }
    let path = format!("/admin/catalog/collections/{slug}/products");
    let body = Membership { product, position };
    match send(office, &path, json(&body), &key).await {
        Ok(Sent::Done { replayed, .. }) => super::done(
            office,
            &format!("/admin/catalog/collections/{slug}"),
            "Product added.",
            replayed,
        ),
        Ok(Sent::Refused { status: 404, body }) => {
            problem.status = 404;
            problem.field("product", body.error.message);
            show(office, slug, Some(&problem)).await
        }
        Ok(Sent::Refused { status, body }) => {
            let problem = problem.with_refusal(status, &body, place);
            show(office, slug, Some(&problem)).await
        }
        Err(resp) => resp,
    }
}

/// Takes `product` out of the collection; back to the product's page if the form
/// came from there (`from=product`), else to the collection's.
pub async fn remove_member(office: &Office<'_>, slug: &str, product: &str) -> Resp {
    let (form, key) = match posted(office) {
        Ok(posted) => posted,
        Err(resp) => return resp,
    };
    let path = format!("/admin/catalog/collections/{slug}/products/{product}/remove");
    let back = match form.get("from") {
        Some("product") => product_path(product),
        _ => format!("/admin/catalog/collections/{slug}"),
    };
    match send(office, &path, None, &key).await {
        Ok(Sent::Done { replayed, .. }) => {
            super::done(office, &back, "Removed from the collection.", replayed)
        }
        Ok(Sent::Refused { status, body }) => {
            office.error(status, "That did not work", &body.error.message)
        }
        Err(resp) => resp,
    }
}
