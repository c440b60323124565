//! The back office's product list: `GET /admin/catalog/product-list?q=&limit=&offset=`.
//!
//! Unlike the shop's search (FTS5 over live products only), the owner looks for any
//! product, archived ones included, by a piece of its name, slug or one of its SKUs, and
//! sees them in catalog order: a plain case-insensitive substring match, with `%`, `_`
//! and `\` in the query matched literally.

use crate::catalog::query::CatalogQuery;
use crate::catalog::reads;
use crate::db::{Db, int, like, text};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::catalog::{MAX_QUERY, ProductList};

/// One page of every product (archived included) whose name, slug or a SKU contains `q`.
pub fn list(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(ApiError::invalid)?;
    let q = query.q.as_deref().unwrap_or_default().trim().to_string();
    if q.chars().count() > MAX_QUERY {
        return Err(ApiError::invalid(vec![FieldError::new(
            "q",
            format!("must be at most {MAX_QUERY} characters"),
        )]));
    }
    let pattern = like::contains(&q);
    let filter = "(?1 = '%%' OR p.name LIKE ?1 ESCAPE '\\' OR p.slug LIKE ?1 ESCAPE '\\' \
                  OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id \
                  AND v.sku LIKE ?1 ESCAPE '\\'))";
    let ids = db.ints(
        &format!(
            "SELECT p.id FROM products p WHERE {filter} \
                 ORDER BY p.archived_at IS NOT NULL, p.position, p.name, p.id LIMIT ?2 OFFSET ?3"
        ),
        &[
            text(&pattern),
            int(i64::from(query.limit)),
            int(i64::from(query.offset)),
        ],
    )?;
    let total = db
        .int_value(
            &format!("SELECT count(*) FROM products p WHERE {filter}"),
            &[text(&pattern)],
        )?
        .unwrap_or(0);
    json(
        200,
        &ProductList {
            products: reads::load(db, &ids, true)?,
            total: u32::try_from(total).map_err(anyhow::Error::from)?,
            limit: query.limit,
            offset: query.offset,
            next: None,
            more: false,
            collections: None,
        },
    )
}
