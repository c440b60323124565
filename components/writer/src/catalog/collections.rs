//! The owner's collection commands: create, change, and add or remove a product.

use crate::catalog::commands::{
    CheckedListing, add_member, canonical, position_or_last, product_id, record,
};
use crate::catalog::query::CatalogQuery;
use crate::catalog::reads::{self, no_collection};
use crate::catalog::rules::{Checks, conflict};
use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::ApiError;
use crate::http::responses::json_string;
use crate::idempotency::{Applied, Command};
use serde_json::json;
use spin_sdk::http::Response;
use storefront_domain::catalog::{CollectionChange, Membership, NewCollection};

/// The collection page every collection command answers with (first page, as the owner
/// sees it).
pub fn collection_answer(
    db: &Db,
    slug: &str,
    status: u16,
    changes: serde_json::Value,
) -> Result<Applied, ApiError> {
    let query = CatalogQuery::parse("include_archived=1").map_err(ApiError::invalid)?;
    let page = reads::collection_page(db, slug, &query)?;
    Ok(Applied {
        status,
        response: json_string(&page)?,
        changes,
    })
}

pub fn collection_only(
    db: &Db,
    slug: &str,
    status: u16,
    changes: serde_json::Value,
) -> Result<Applied, ApiError> {
    let page = collection_answer(db, slug, status, changes)?;
    let value: serde_json::Value =
        serde_json::from_str(&page.response).map_err(anyhow::Error::from)?;
    Ok(Applied {
        status,
        response: value["collection"].to_string(),
        changes: page.changes,
    })
}

/// `POST /admin/catalog/collections`.
pub fn create(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let request: NewCollection = parse_json(body)?;
    let mut checks = Checks::default();
    checks.slug("slug", &request.slug);
    let name = checks.name(&request.name);
    let description = checks.description(&request.description);
    checks.position("position", request.position);
    checks.finish()?;
    let command = Command::new("create_collection", &request.slug, canonical(&request));
    record(db, head, command, |db, now| {
        if reads::collection_id(db, &request.slug)?.is_some() {
            return Err(conflict(
                "slug",
                format!("there is already a collection {}", request.slug),
            ));
        }
        let position = position_or_last(
            db,
            request.position,
            "SELECT max(position) FROM collections",
            &[],
            10,
        )?;
        db.execute(
            "INSERT INTO collections (slug, name, description, position, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                text(&request.slug),
                text(&name),
                text(&description),
                int(position),
                text(now),
                text(now),
            ],
        )?;
        let changes = json!({"slug": request.slug, "name": name, "description": description, "position": position});
        collection_only(db, &request.slug, 201, changes)
    })
}

/// `POST /admin/catalog/collections/{slug}`.
pub fn update(db: &Db, head: &Head, slug: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: CollectionChange = parse_json(body)?;
    let change = CheckedListing::check(&request)?;
    let command = Command::new("update_collection", slug, canonical(&request));
    record(db, head, command, |db, now| {
        let id = db
            .row("SELECT id FROM collections WHERE slug = ?", &[text(slug)])?
            .ok_or_else(|| no_collection(slug))?
            .int(0)?;
        let changes = change.apply(db, "collections", id, now)?;
        collection_only(db, slug, 200, changes)
    })
}

/// `POST /admin/catalog/collections/{slug}/products`: add (or move) a product.
pub fn add_product(db: &Db, head: &Head, slug: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: Membership = parse_json(body)?;
    let mut checks = Checks::default();
    checks.slug("product", &request.product);
    checks.position("position", request.position);
    checks.finish()?;
    let command = Command::new("add_to_collection", slug, canonical(&request));
    record(db, head, command, |db, _now| {
        let collection = reads::collection_id(db, slug)?.ok_or_else(|| no_collection(slug))?;
        let product = product_id(db, &request.product)?;
        let position = add_member(db, collection, product, request.position)?;
        collection_answer(
            db,
            slug,
            200,
            json!({"product": request.product, "position": position}),
        )
    })
}

/// `POST /admin/catalog/collections/{slug}/products/{product}/remove`.
pub fn remove_product(
    db: &Db,
    head: &Head,
    slug: &str,
    product: &str,
) -> Result<Response, ApiError> {
    let command = Command::new("remove_from_collection", slug, product.to_string());
    record(db, head, command, |db, _now| {
        let collection = reads::collection_id(db, slug)?.ok_or_else(|| no_collection(slug))?;
        let product_id = product_id(db, product)?;
        let removed = db
            .row(
                "DELETE FROM collection_products WHERE collection_id = ? AND product_id = ? RETURNING product_id",
                &[int(collection), int(product_id)],
            )?
            .is_some();
        if !removed {
            return Err(ApiError::not_found(format!(
                "{product} is not in the collection {slug}"
            )));
        }
        collection_answer(db, slug, 200, json!({"product": product, "removed": true}))
    })
}
