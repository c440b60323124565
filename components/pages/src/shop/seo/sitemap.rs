//! `GET /sitemap.xml` and `GET /sitemaps/{kind}-{n}.xml`: the home page, every collection
//! and every product on sale, each with its last change (`lastmod`).
//!
//! While everything fits in one file of [`SITEMAP_PAGE`] addresses, `/sitemap.xml` is that
//! file (a `urlset`). Past it, `/sitemap.xml` is a `sitemapindex` naming the pages, each the
//! ids of one range of [`SITEMAP_PAGE`] (`products-1.xml` holds ids 1 to 50,000, …): the
//! index needs only the highest ids and a page is read by primary key, so both cost O(page)
//! whatever the catalog's size. A range may hold fewer addresses than ids (archived
//! products are left out), never more. The page size is a parameter of [`plan`] and
//! [`page_of`], so a test can use a small one; the routes use [`SITEMAP_PAGE`].

use crate::http::Resp;
use crate::http::json::writer_failed;
use crate::writer::{WriterClient, WriterError};
use storefront_domain::sitemap::{SITEMAP_PAGE, SitemapExtent, SitemapKind, SitemapUrl};

/// What `/sitemap.xml` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// One `urlset` with every address.
    One,
    /// A `sitemapindex` of these pages, by kind and number from 1.
    Index(Vec<(SitemapKind, i64)>),
}

/// How many pages of `page` ids the ids up to `max_id` take.
pub fn pages(max_id: i64, page: i64) -> i64 {
    (max_id + page - 1).max(0) / page
}

/// Whether the home page, the collections and the products fit in one file of `page`
/// addresses (by their highest ids, an upper bound on their count), else the index.
pub fn plan(extent: SitemapExtent, page: i64) -> Plan {
    if 1 + extent.max_collection_id + extent.max_product_id <= page {
        return Plan::One;
    }
    let mut index = Vec::new();
    for (kind, max) in [
        (SitemapKind::Collections, extent.max_collection_id),
        (SitemapKind::Products, extent.max_product_id),
    ] {
        index.extend((1..=pages(max, page)).map(|n| (kind, n)));
    }
    Plan::Index(index)
}

/// The page named `products-3.xml`: its kind and the id range `(after, through]`, if the
/// name is one and the page exists.
pub fn page_of(name: &str, extent: SitemapExtent, page: i64) -> Option<(SitemapKind, i64, i64)> {
    let (kind, n) = name.strip_suffix(".xml")?.split_once('-')?;
    let kind = SitemapKind::parse(kind)?;
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n: &i64| *n >= 1 && n.to_string().len() <= 12)?;
    let max = match kind {
        SitemapKind::Products => extent.max_product_id,
        SitemapKind::Collections => extent.max_collection_id,
    };
    (n <= pages(max, page)).then(|| (kind, (n - 1) * page, n * page))
}

/// `GET /sitemap.xml`.
pub async fn index(writer: &WriterClient, shop_url: &str) -> Resp {
    let extent = match writer.sitemap_extent().await {
        Ok(extent) => extent,
        Err(e) => return writer_failed(e),
    };
    match plan(extent, SITEMAP_PAGE) {
        Plan::One => {
            let mut urls = vec![(format!("{shop_url}/"), None)];
            for (kind, max) in [
                (SitemapKind::Collections, extent.max_collection_id),
                (SitemapKind::Products, extent.max_product_id),
            ] {
                if max == 0 {
                    continue;
                }
                match writer.sitemap_urls(kind, 0, max).await {
                    Ok(found) => urls.extend(absolute(shop_url, kind, found.urls)),
                    Err(e) => return writer_failed(e),
                }
            }
            xml(urlset(&urls))
        }
        Plan::Index(pages) => {
            let locs: Vec<String> = pages
                .iter()
                .map(|(kind, n)| format!("{shop_url}/sitemaps/{}-{n}.xml", kind.as_str()))
                .collect();
            xml(sitemapindex(&locs))
        }
    }
}

/// `GET /sitemaps/{name}`: one page of the index; 404 for a page that does not exist.
pub async fn page(writer: &WriterClient, shop_url: &str, name: &str) -> Resp {
    let extent = match writer.sitemap_extent().await {
        Ok(extent) => extent,
        Err(e) => return writer_failed(e),
    };
    let Some((kind, after, through)) = page_of(name, extent, SITEMAP_PAGE) else {
        return not_found();
    };
    match writer.sitemap_urls(kind, after, through).await {
        Ok(found) => {
            let urls: Vec<_> = absolute(shop_url, kind, found.urls).collect();
            xml(urlset(&urls))
        }
        Err(WriterError::Rejected { status: 404, .. }) => not_found(),
        Err(e) => writer_failed(e),
    }
}

fn absolute(
    shop_url: &str,
    kind: SitemapKind,
    urls: Vec<SitemapUrl>,
) -> impl Iterator<Item = (String, Option<String>)> + '_ {
    urls.into_iter().map(move |u| {
        (
            format!("{shop_url}/{}/{}", kind.as_str(), u.slug),
            Some(u.lastmod),
        )
    })
}

/// A `urlset` of (address, last change).
pub fn urlset(urls: &[(String, Option<String>)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in urls {
        out.push_str(&format!("<url><loc>{}</loc>", escape(loc)));
        if let Some(lastmod) = lastmod.as_deref().filter(|l| !l.is_empty()) {
            out.push_str(&format!("<lastmod>{}</lastmod>", escape(lastmod)));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// A `sitemapindex` naming `locs`.
pub fn sitemapindex(locs: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for loc in locs {
        out.push_str(&format!("<sitemap><loc>{}</loc></sitemap>\n", escape(loc)));
    }
    out.push_str("</sitemapindex>\n");
    out
}

/// Text as XML character data or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn xml(body: String) -> Resp {
    let mut resp = Resp::new(200)
        .header("content-type", "application/xml; charset=utf-8")
        .header("cache-control", "public, max-age=3600")
        .header("x-content-type-options", "nosniff");
    resp.body = body.into_bytes();
    resp
}

fn not_found() -> Resp {
    let mut resp = Resp::new(404).header("content-type", "text/plain; charset=utf-8");
    resp.body = b"No such sitemap page.\n".to_vec();
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extent(products: i64, collections: i64) -> SitemapExtent {
        SitemapExtent {
            max_product_id: products,
            max_collection_id: collections,
        }
    }

    #[test]
    fn one_file_while_everything_fits_then_an_index_of_id_ranges() {
        // Home + 2 collections + 2 products = 5 addresses.
        assert_eq!(plan(extent(2, 2), 5), Plan::One);
        assert_eq!(
            plan(extent(5, 2), 2),
            Plan::Index(vec![
                (SitemapKind::Collections, 1),
                (SitemapKind::Products, 1),
                (SitemapKind::Products, 2),
                (SitemapKind::Products, 3),
            ])
        );
        assert_eq!(pages(0, 2), 0);
        assert_eq!(pages(4, 2), 2);
        assert_eq!(pages(5, 2), 3);
    }

    #[test]
    fn a_page_name_is_a_range_of_ids_that_exists() {
        let e = extent(5, 2);
        assert_eq!(
            page_of("products-3.xml", e, 2),
            Some((SitemapKind::Products, 4, 6))
        );
        assert_eq!(
            page_of("collections-1.xml", e, 2),
            Some((SitemapKind::Collections, 0, 2))
        );
        for missing in [
            "products-4.xml",
            "products-0.xml",
            "collections-2.xml",
            "orders-1.xml",
            "products-1",
            "products-x.xml",
            "products--1.xml",
        ] {
            assert_eq!(page_of(missing, e, 2), None, "{missing}");
        }
    }

    #[test]
    fn addresses_are_escaped() {
        let set = urlset(&[("https://s.example/?a=1&b=<2>".into(), None)]);
        assert!(set.contains("<loc>https://s.example/?a=1&amp;b=&lt;2&gt;</loc>"));
    }
}
