//! The shopper's catalog pages: `GET /` and `/collections/{slug}` (a page of products with
//! the collection links), `GET /search?q=`, and `GET /products/{slug}` with its variant
//! picker.

use crate::http::paging::{self, MAX_SHOP_PAGE, Window};
use crate::shop::catalog::product_view::Selection;
use crate::shop::catalog::view::{CardList, CollectionCards, Position};
use crate::shop::catalog::{breadcrumbs, choice_script};
use crate::shop::seo::json_ld;
use crate::shop::{Answer, Shop};
use crate::writer::{Shown, WriterError};
use storefront_domain::catalog::MAX_QUERY;
use storefront_domain::order::valid_slug;

/// `?page=N` on a shop page, or the 404 to answer for a number that names no page.
fn page(shop: &Shop<'_>) -> Result<Window, crate::http::Resp> {
    match shop.req.query_param("page") {
        None => Ok(Window::page(1)),
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_SHOP_PAGE).contains(n))
            .map(Window::page)
            .ok_or_else(|| shop.not_found("error-page-not-found")),
    }
}

/// Where a listing page starts: `?after=` (the next-page links; a bad one is 400), else
/// `?page=N` (bounded, see [`MAX_SHOP_PAGE`]).
fn position(shop: &Shop<'_>) -> Result<Position, crate::http::Resp> {
    match shop.req.query_param("after") {
        Some(raw) => match paging::after(&raw) {
            Ok(after) => Ok(Position::After(after.to_string())),
            Err(_) => Err(broken_link(shop)),
        },
        None => page(shop).map(Position::Page),
    }
}

/// The page for an `after=` cursor the shop did not make (or that belongs to another list).
fn broken_link(shop: &Shop<'_>) -> crate::http::Resp {
    shop.error(400, "error-broken-link", "error-broken-link-text")
}

/// A listing's writer call failed: a refused cursor is [`broken_link`], anything else the
/// usual error page.
fn listing_failed(shop: &Shop<'_>, e: WriterError) -> crate::http::Resp {
    match e {
        WriterError::Rejected { status: 400, .. } => broken_link(shop),
        e => shop.writer_failed(e),
    }
}

/// The answer to a listing query that names no page: 404 for a page number, 400 for a
/// cursor, with the settings loaded for the error page.
async fn listing_refused(shop: &mut Shop<'_>) -> Result<crate::http::Resp, crate::http::Resp> {
    let page_asked = shop.req.query_param("after").is_none();
    let shop = shop.with_settings().await?;
    Ok(match page_asked {
        true => shop.not_found("error-page-not-found"),
        false => broken_link(shop),
    })
}

/// `GET /`: one page of every product, with the collection links and the shop settings,
/// in one writer read (`with_collections=1&with_settings=1`): each writer call is a
/// component instance of its own. The router does not load the settings for the catalog
/// and collection pages; an error page loads them first.
pub async fn index(shop: &mut Shop<'_>) -> Answer {
    let at = match position(shop) {
        Ok(at) => at,
        Err(_) => return Err(listing_refused(shop).await?),
    };
    let query = format!(
        "{}&with_collections=1&fields=tile{}",
        at.query(),
        shop.lang_query()
    );
    let answer = shop
        .writer
        .products_with_settings::<CardList<'static>>(&query)
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => return Err(listing_failed(shop.with_settings().await?, e)),
    };
    let list = shop.settings_from(&answer);
    if at.past(list.total) {
        return Err(shop.not_found("error-page-not-found"));
    }
    let mut chrome = shop.chrome();
    if at == Position::Page(Window::page(1)) {
        chrome
            .meta
            .structured_data
            .push(json_ld::organization(&shop.settings, shop.shop_url));
    }
    let title = crate::tr!(shop.lang(), "catalog-title");
    let listing = crate::shop::catalog::view::Listing {
        title: &title,
        description: None,
        collections: list.collections.as_deref().unwrap_or_default(),
        current: None,
        products: list,
        at,
        base: "/".into(),
    };
    Ok(shop.page(
        200,
        crate::shop::catalog::view::page(&chrome, listing, &shop.csrf()),
    ))
}

/// `GET /collections/{slug}[?page=N]`.
pub async fn collection(shop: &mut Shop<'_>, slug: &str) -> Answer {
    if !valid_slug(slug) {
        return Err(shop
            .with_settings()
            .await?
            .not_found("error-collection-not-found"));
    }
    let at = match position(shop) {
        Ok(at) => at,
        Err(_) => return Err(listing_refused(shop).await?),
    };
    let query = format!(
        "{}&with_collections=1&fields=tile{}",
        at.query(),
        shop.lang_query()
    );
    let answer = shop
        .writer
        .collection_with_settings::<CollectionCards<'static>>(slug, &query)
        .await;
    let answer = match answer {
        Ok(Some(answer)) => answer,
        Ok(None) => {
            return Err(shop
                .with_settings()
                .await?
                .not_found("error-collection-not-found"));
        }
        Err(e) => return Err(listing_failed(shop.with_settings().await?, e)),
    };
    let found = shop.settings_from(&answer);
    if at.past(found.products.total) {
        return Err(shop.not_found("error-page-not-found"));
    }
    let listing = crate::shop::catalog::view::Listing {
        title: &found.collection.name,
        description: Some(&found.collection.description),
        collections: found.products.collections.as_deref().unwrap_or_default(),
        current: Some(slug),
        products: &found.products,
        at,
        base: format!("/collections/{slug}"),
    };
    Ok(shop.page(
        200,
        crate::shop::catalog::view::page(&shop.chrome(), listing, &shop.csrf()),
    ))
}

/// `GET /search?q=…[&page=N]`. No query: the search form. A query over [`MAX_QUERY`]
/// characters: 400 with the reason.
pub async fn search(shop: &mut Shop<'_>) -> Answer {
    let q = shop.req.query_param("q").unwrap_or_default();
    let q = q.trim();
    if q.chars().count() > MAX_QUERY {
        let page = crate::shop::catalog::search_view::too_long(&shop.chrome());
        return Ok(shop.page(400, page));
    }
    if q.is_empty() {
        return Ok(shop.page(
            200,
            crate::shop::catalog::search_view::empty(&shop.chrome()),
        ));
    }
    let window = page(shop)?;
    let query = form_urlencoded::Serializer::new(window.query())
        .append_pair("q", q)
        .finish();
    let results = shop
        .writer
        .search(&query)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    let page =
        crate::shop::catalog::search_view::results(&shop.chrome(), &results, window, &shop.csrf());
    Ok(shop.page(200, page))
}

/// `GET /products/{slug}[?Size=1+kg&Grind=Filter]`: the options in the query pick the
/// variant shown (without JavaScript, the picker is a GET form); none: the default one.
pub async fn product(shop: &mut Shop<'_>, slug: &str) -> Answer {
    // A slug that cannot exist is not worth a writer round trip.
    let found = if valid_slug(slug) {
        shop.writer
            .product_page(slug, &shop.lang_query())
            .await
            .map_err(|e| shop.writer_failed(e))?
    } else {
        Shown::Missing
    };
    let product = match found {
        Shown::Found(product) => product,
        Shown::Missing => return Err(shop.not_found("error-product-not-found")),
        // Archived: it was here and will not come back (search engines drop it).
        Shown::Gone => {
            return Err(shop.error(410, "error-gone", "error-gone-text"));
        }
    };
    let chosen: Vec<(String, String)> = product
        .options
        .iter()
        .filter_map(|o| Some((o.name.clone(), shop.req.query_param(&o.name)?)))
        .collect();
    let selection = Selection::of(&product, &chosen);
    // The first collection by display order (the writer lists them so): its name.
    let collection = match product.collections.first() {
        Some(slug) => shop
            .writer
            .collection_list()
            .await
            .map_err(|e| shop.writer_failed(e))?
            .collections
            .iter()
            .find(|c| &c.slug == slug)
            .cloned(),
        None => None,
    };
    let crumbs = breadcrumbs::trail(
        shop.lang(),
        &product.name,
        &product.slug,
        collection
            .as_ref()
            .map(|c| (c.slug.as_str(), c.name.as_str())),
    );
    let mut chrome = shop.chrome();
    chrome.meta.structured_data.extend(json_ld::product(
        &product,
        &crumbs,
        &shop.settings,
        shop.shop_url,
    ));
    let page = crate::shop::catalog::product_view::page(
        &chrome,
        &product,
        &crumbs,
        &selection,
        &shop.csrf(),
    );
    // The page's one script (the shown variant follows the selects) is allowed by hash.
    Ok(shop
        .page(200, page)
        .replace_header("content-security-policy", choice_script::csp()))
}
