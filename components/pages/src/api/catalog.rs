//! The public catalog JSON under `/api/`: products (paged, optionally one collection's),
//! one product, collections, one collection's page, and search. The bodies are the
//! writer's catalog shapes (`storefront_domain::catalog`), passed on unchanged; the
//! query is checked here first, so a bad one never reaches the writer.

use crate::http::json::{not_found, writer_failed};
use crate::http::paging::{self, Window};
use crate::http::{Req, Resp};
use crate::writer::{WriterClient, found};
use storefront_domain::catalog::MAX_QUERY;
use storefront_domain::order::valid_slug;
use storefront_domain::{ErrorBody, FieldError};

/// `GET /api/products[?collection=&page=|limit=&offset=|after=]` → `ProductList`; its
/// `next` is the `after` of the next page.
pub async fn products(writer: &WriterClient, req: &Req) -> Resp {
    let (window, extra) = match Window::parse(&req.query, &["collection", "after"]) {
        Ok(parsed) => parsed,
        Err(fields) => return Resp::json_invalid("the product list query is invalid", fields),
    };
    let mut query = window.query();
    if let Err(bad) = with_cursor(&mut query, extra[1].as_deref()) {
        return bad;
    }
    if let Some(collection) = &extra[0] {
        if !valid_slug(collection) {
            return not_found("no such collection");
        }
        query.push_str(&format!("&collection={collection}"));
    }
    match writer
        .get_json_text(&format!("/catalog/products?{query}"))
        .await
    {
        Ok(list) => Resp::json_text(200, list),
        Err(e) => writer_failed(e),
    }
}

/// Adds `&after=` to the writer's query, or the 400 to answer for a cursor the shop did
/// not make.
fn with_cursor(query: &mut String, after: Option<&str>) -> Result<(), Resp> {
    let Some(after) = after else {
        return Ok(());
    };
    match paging::after(after) {
        Ok(after) => {
            query.push_str(&format!("&after={after}"));
            Ok(())
        }
        Err(field) => Err(Resp::json(
            400,
            &ErrorBody::new("invalid_request", format!("after {}", field.message))
                .with_fields(vec![field]),
        )),
    }
}

/// `GET /api/collections` → `CollectionList`.
/// `GET /api/products/{slug}`: one product.
pub async fn product(writer: &WriterClient, slug: &str) -> Resp {
    if !valid_slug(slug) {
        return not_found("no such product");
    }
    match writer.product(slug).await {
        Ok(Some(product)) => Resp::json(200, &product),
        Ok(None) => not_found("no such product"),
        Err(e) => writer_failed(e),
    }
}

pub async fn collections(writer: &WriterClient) -> Resp {
    match writer.get_json_text("/catalog/collections").await {
        Ok(list) => Resp::json_text(200, list),
        Err(e) => writer_failed(e),
    }
}

/// `GET /api/collections/{slug}[?page=|limit=&offset=|after=]` → `CollectionPage`.
pub async fn collection(writer: &WriterClient, slug: &str, req: &Req) -> Resp {
    if !valid_slug(slug) {
        return not_found("no such collection");
    }
    let (window, extra) = match Window::parse(&req.query, &["after"]) {
        Ok(parsed) => parsed,
        Err(fields) => return Resp::json_invalid("the collection query is invalid", fields),
    };
    let mut query = window.query();
    if let Err(bad) = with_cursor(&mut query, extra[0].as_deref()) {
        return bad;
    }
    let path = format!("/catalog/collections/{slug}?{query}");
    match found(writer.get_json_text(&path).await) {
        Ok(Some(page)) => Resp::json_text(200, page),
        Ok(None) => not_found("no such collection"),
        Err(e) => writer_failed(e),
    }
}

/// `GET /api/search?q=…[&page=|limit=&offset=]` → `SearchResults`. An empty or too long
/// `q` is 422 naming the field.
pub async fn search(writer: &WriterClient, req: &Req) -> Resp {
    let (window, extra) = match Window::parse(&req.query, &["q"]) {
        Ok(parsed) => parsed,
        Err(fields) => return Resp::json_invalid("the search query is invalid", fields),
    };
    let q = extra[0].as_deref().unwrap_or_default().trim();
    let problem = if q.is_empty() {
        Some("is required: the words to search for".to_string())
    } else if q.chars().count() > MAX_QUERY {
        Some(format!("must be at most {MAX_QUERY} characters"))
    } else {
        None
    };
    if let Some(message) = problem {
        return Resp::json_invalid(&format!("q {message}"), vec![FieldError::new("q", message)]);
    }
    let query = form_urlencoded::Serializer::new(window.query())
        .append_pair("q", q)
        .finish();
    match writer
        .get_json_text(&format!("/catalog/search?{query}"))
        .await
    {
        Ok(results) => Resp::json_text(200, results),
        Err(e) => writer_failed(e),
    }
}
