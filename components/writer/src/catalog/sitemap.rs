//! The sitemap's reads: how far the ids reach (`GET /catalog/sitemap`) and the addresses of
//! one id range (`GET /catalog/sitemap/{kind}?after=&through=`). A range is read by the
//! primary key, so a page of the sitemap costs O(page) whatever the catalog's size, and the
//! index needs only the two highest ids. Archived products are left out (they answer 410);
//! sold-out ones stay (their page says so).

use crate::db::{Db, Mode, RowExt as _, int};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::sitemap::{
    SITEMAP_PAGE, SitemapExtent, SitemapKind, SitemapUrl, SitemapUrls,
};

/// `GET /catalog/sitemap`.
pub fn extent(db: &Db) -> Result<Response, ApiError> {
    let extent = db.transaction(Mode::Read, |db| {
        let max = |table: &str| -> anyhow::Result<i64> {
            let row = db.row(&format!("SELECT coalesce(max(id), 0) FROM {table}"), &[])?;
            Ok(match row {
                Some(row) => row.int(0)?,
                None => 0,
            })
        };
        Ok::<_, ApiError>(SitemapExtent {
            max_product_id: max("products")?,
            max_collection_id: max("collections")?,
        })
    })?;
    json(200, &extent)
}

/// `GET /catalog/sitemap/{kind}?after=A&through=T`: ids in `(A, T]`, a range of at most
/// [`SITEMAP_PAGE`] ids.
pub fn urls(db: &Db, kind: &str, query: &str) -> Result<Response, ApiError> {
    let kind = SitemapKind::parse(kind)
        .ok_or_else(|| ApiError::not_found(format!("there is no sitemap of {kind}")))?;
    let (after, through) = range(query).map_err(ApiError::invalid)?;
    let sql = match kind {
        SitemapKind::Products => {
            "SELECT p.slug, max(p.updated_at, coalesce((SELECT max(v.updated_at) FROM variants v \
                 WHERE v.product_id = p.id), '')) \
             FROM products p WHERE p.id > ? AND p.id <= ? AND p.archived_at IS NULL ORDER BY p.id"
        }
        SitemapKind::Collections => {
            "SELECT slug, updated_at FROM collections WHERE id > ? AND id <= ? ORDER BY id"
        }
    };
    let urls = db.transaction(Mode::Read, |db| {
        db.rows(sql, &[int(after), int(through)])?
            .iter()
            .map(|row| {
                Ok(SitemapUrl {
                    slug: row.text(0)?,
                    lastmod: row.text(1)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map_err(ApiError::from)
    })?;
    json(200, &SitemapUrls { urls })
}

/// `after` and `through` from the query: whole numbers, `after < through`, at most
/// [`SITEMAP_PAGE`] apart.
fn range(query: &str) -> Result<(i64, i64), Vec<FieldError>> {
    let mut after = None;
    let mut through = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "after" => after = value.parse::<i64>().ok().filter(|n| *n >= 0),
            "through" => through = value.parse::<i64>().ok().filter(|n| *n >= 0),
            _ => {}
        }
    }
    match (after, through) {
        (Some(a), Some(t)) if a < t && t - a <= SITEMAP_PAGE => Ok((a, t)),
        _ => Err(vec![FieldError::new(
            "through",
            format!(
                "after and through must be ids 0 ≤ after < through, at most {SITEMAP_PAGE} apart"
            ),
        )]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_bounded_by_the_page() {
        assert_eq!(range("after=0&through=50000"), Ok((0, 50_000)));
        assert!(range("after=0&through=50001").is_err());
        assert!(range("after=5&through=5").is_err());
        assert!(range("after=-1&through=5").is_err());
        assert!(range("through=5").is_err());
    }
}
