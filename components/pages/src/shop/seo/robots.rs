//! `GET /robots.txt`: where crawlers may go. The catalog, collections, products and legal
//! pages are open; the back office, the cart, checkout, the shopper's orders, search
//! results and the JSON API are not (personal, per-session or endless). It names the
//! sitemap by its absolute address.

use crate::http::Resp;

/// The paths no crawler should fetch (prefixes, as `robots.txt` reads them).
pub const DISALLOWED: &[&str] = &[
    "/admin",
    "/cart",
    "/checkout",
    "/orders/",
    "/search",
    "/api/",
];

/// The file's text for the shop at `shop_url` (without a trailing slash).
pub fn text(shop_url: &str) -> String {
    let mut out = String::from("User-agent: *\n");
    for path in DISALLOWED {
        out.push_str(&format!("Disallow: {path}\n"));
    }
    out.push_str(&format!("\nSitemap: {shop_url}/sitemap.xml\n"));
    out
}

pub fn serve(shop_url: &str) -> Resp {
    let mut resp = Resp::new(200)
        .header("content-type", "text/plain; charset=utf-8")
        .header("cache-control", "public, max-age=3600")
        .header("x-content-type-options", "nosniff");
    resp.body = text(shop_url).into_bytes();
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_sitemap_and_keeps_crawlers_out_of_private_pages() {
        let text = text("https://shop.example");
        assert!(text.starts_with("User-agent: *\n"));
        for path in ["/admin", "/cart", "/checkout", "/orders/"] {
            assert!(text.contains(&format!("\nDisallow: {path}\n")), "{path}");
        }
        assert!(text.ends_with("Sitemap: https://shop.example/sitemap.xml\n"));
    }
}
