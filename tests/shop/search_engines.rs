//! What search engines and link previews read, parsed as they parse it: `robots.txt`
//! names the sitemap and keeps crawlers out of private pages; the sitemap is XML listing
//! the home page, the collections and the products on sale with their last change, every
//! address absolute from `shop_url`; product pages carry JSON-LD `Product` (an `Offer` per
//! variant, prices as decimal strings, availability) and `BreadcrumbList`, the home page
//! `Organization`; every page of a listing has its own canonical link; an archived product
//! is 410 Gone, a sold-out one stays 200 and says `OutOfStock`.

use crate::support;
use quick_xml::events::Event;
use reqwest::Method;
use serde_json::Value;

/// The root element's name and each `<url>`/`<sitemap>`'s `loc` and `lastmod` of an XML
/// sitemap, read by an XML parser (any malformed XML fails the test).
fn parse_sitemap(xml: &str) -> (String, Vec<(String, Option<String>)>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = String::new();
    let mut entries: Vec<(String, Option<String>)> = Vec::new();
    let mut inside = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if root.is_empty() {
                    root = name.clone();
                }
                inside = name;
            }
            Event::Text(t) => {
                let text = t.decode().unwrap().into_owned();
                let text = quick_xml::escape::unescape(&text).unwrap().into_owned();
                match inside.as_str() {
                    "loc" => entries.push((text, None)),
                    "lastmod" => entries.last_mut().unwrap().1 = Some(text),
                    _ => {}
                }
            }
            Event::End(_) => inside.clear(),
            Event::Eof => break,
            _ => {}
        }
    }
    (root, entries)
}

/// The JSON of every `<script type="application/ld+json">` of a page.
fn json_ld(html: &str) -> Vec<Value> {
    let open = "<script type=\"application/ld+json\">";
    html.split(open)
        .skip(1)
        .map(|rest| {
            let json = rest.split("</script>").next().unwrap();
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
        })
        .collect()
}

/// The page's canonical link.
fn canonical(html: &str) -> String {
    let tag = "<link rel=\"canonical\" href=\"";
    let start = html.find(tag).expect("a canonical link") + tag.len();
    let end = html[start..].find('"').unwrap();
    html[start..start + end].replace("&amp;", "&")
}

#[test]
fn robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_private_pages() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    // The shop_url the app runs with: its own address.
    let shop = app.base_url.clone();
    let robots = app.shopper().get("/robots.txt");
    assert_eq!(robots.status(), 200);
    assert!(
        robots.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = robots.text().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "User-agent: *");
    for private in ["/admin", "/cart", "/checkout", "/orders/"] {
        assert!(
            lines.contains(&format!("Disallow: {private}").as_str()),
            "{private}: {text}"
        );
    }
    assert!(lines.contains(&format!("Sitemap: {shop}/sitemap.xml").as_str()));
    assert!(!text.contains("Disallow: /products"));
}

#[test]
fn the_sitemap_lists_what_is_for_sale_with_its_last_change() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    // The shop_url the app runs with: its own address.
    let shop = app.base_url.clone();
    let admin = app.admin();
    let archived = admin.send(
        Method::POST,
        "/admin/catalog/products/tasting-box/archive",
        Some("archive-tasting-box"),
        None,
    );
    assert_eq!(archived.status(), 200);
    admin.sell_out("french-press", "");

    let response = app.shopper().get("/sitemap.xml");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let (root, urls) = parse_sitemap(&response.text().unwrap());
    assert_eq!(root, "urlset", "a small shop is one file, not an index");
    let locs: Vec<&str> = urls.iter().map(|(loc, _)| loc.as_str()).collect();
    assert!(locs.contains(&format!("{shop}/").as_str()));
    assert!(locs.contains(&format!("{shop}/collections/coffee").as_str()));
    assert!(locs.contains(&format!("{shop}/products/ethiopia-yirgacheffe").as_str()));
    // Sold out stays listed (its page says so); archived is gone.
    assert!(locs.contains(&format!("{shop}/products/french-press").as_str()));
    assert!(!locs.iter().any(|l| l.ends_with("/products/tasting-box")));
    let products = app.json("/api/products?limit=100")["products"]
        .as_array()
        .unwrap()
        .len();
    let collections = app.json("/api/collections")["collections"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(urls.len(), 1 + collections + products, "{locs:#?}");
    for (loc, lastmod) in &urls {
        assert!(loc.starts_with(&shop), "{loc}");
        if loc != &format!("{shop}/") {
            let lastmod = lastmod.as_deref().unwrap_or_else(|| panic!("{loc}"));
            // W3C datetime: a date, a time and Z.
            assert!(
                lastmod.len() >= 20 && &lastmod[4..5] == "-" && lastmod.ends_with('Z'),
                "{lastmod}"
            );
        }
    }

    // The pages of the index answer too (for a catalog past 50,000 addresses): the first
    // page of products holds the same products; a page past the last is 404.
    let (root, page) = parse_sitemap(&app.shopper().page("/sitemaps/products-1.xml"));
    assert_eq!(root, "urlset");
    assert_eq!(page.len(), products);
    assert_eq!(app.shopper().get("/sitemaps/products-2.xml").status(), 404);
    assert_eq!(app.shopper().get("/sitemaps/orders-1.xml").status(), 404);
}

#[test]
fn product_pages_carry_a_product_with_offers_and_breadcrumbs_in_json_ld() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    // The shop_url the app runs with: its own address.
    let shop = app.base_url.clone();
    let admin = app.admin();
    // A name that tries to end the script element.
    let renamed = admin.send(
        Method::POST,
        "/admin/catalog/products/ethiopia-yirgacheffe",
        Some("rename-ethiopia"),
        Some(&serde_json::json!({"name": "Ethiopia </script><script>alert(1)</script>"})),
    );
    assert_eq!(renamed.status(), 200);
    admin.sell_out("ethiopia-yirgacheffe", "1 kg / Filter");
    let product = app.json("/api/products/ethiopia-yirgacheffe");

    let html = app.shopper().page("/products/ethiopia-yirgacheffe");
    assert!(!html.contains("<script>alert(1)"), "the name broke out");
    let data = json_ld(&html);
    let item = data.iter().find(|d| d["@type"] == "Product").unwrap();
    assert_eq!(item["@context"], "https://schema.org");
    assert_eq!(
        item["name"], "Ethiopia </script><script>alert(1)</script>",
        "the JSON reads back the name as typed"
    );
    assert_eq!(item["url"], format!("{shop}/products/ethiopia-yirgacheffe"));
    let offers = item["offers"].as_array().unwrap();
    let variants: Vec<&Value> = product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["active"] == true)
        .collect();
    assert_eq!(offers.len(), variants.len());
    for v in variants {
        let offer = offers.iter().find(|o| o["sku"] == v["sku"]).unwrap();
        assert_eq!(offer["@type"], "Offer");
        let minor = v["price"]["amount"].as_i64().unwrap();
        assert_eq!(offer["price"], support::decimal(minor), "{offer}");
        assert_eq!(offer["priceCurrency"], v["price"]["currency"]);
        let expected = if v["stock"].as_i64().unwrap() > 0 {
            "https://schema.org/InStock"
        } else {
            "https://schema.org/OutOfStock"
        };
        assert_eq!(offer["availability"], expected, "{}", v["title"]);
    }
    assert!(
        offers
            .iter()
            .any(|o| o["availability"] == "https://schema.org/OutOfStock")
    );
    let crumbs = data
        .iter()
        .find(|d| d["@type"] == "BreadcrumbList")
        .unwrap();
    let items = crumbs["itemListElement"].as_array().unwrap();
    assert_eq!(items[0]["item"], format!("{shop}/"));
    assert_eq!(items.last().unwrap()["item"], item["url"]);
    assert_eq!(items.last().unwrap()["position"], items.len());

    // The home page names the shop.
    let home = json_ld(&app.shopper().page("/"));
    let org = home.iter().find(|d| d["@type"] == "Organization").unwrap();
    assert_eq!(org["url"], format!("{shop}/"));
    assert!(org["name"].as_str().is_some_and(|n| !n.is_empty()));
}

#[test]
fn sold_out_products_stay_and_archived_ones_are_gone() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let admin = app.admin();
    admin.sell_out("french-press", "");
    let sold_out = app.shopper().get("/products/french-press");
    assert_eq!(sold_out.status(), 200);
    let data = json_ld(&sold_out.text().unwrap());
    let item = data.iter().find(|d| d["@type"] == "Product").unwrap();
    for offer in item["offers"].as_array().unwrap() {
        assert_eq!(offer["availability"], "https://schema.org/OutOfStock");
    }

    let archived = admin.send(
        Method::POST,
        "/admin/catalog/products/french-press/archive",
        Some("archive-french-press"),
        None,
    );
    assert_eq!(archived.status(), 200);
    let gone = app.shopper().get("/products/french-press");
    assert_eq!(gone.status(), 410);
    assert!(gone.text().unwrap().contains("no longer sell"));
    // A product that never was is still 404.
    assert_eq!(app.shopper().get("/products/no-such-thing").status(), 404);
}

#[test]
fn every_page_of_a_listing_is_its_own_canonical_address() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    // The shop_url the app runs with: its own address.
    let shop = app.base_url.clone();
    let shopper = app.shopper();
    for (path, own) in [
        ("/", "/"),
        ("/?page=1", "/"),
        ("/?page=2", "/?page=2"),
        ("/collections/coffee", "/collections/coffee"),
        ("/collections/coffee?page=1", "/collections/coffee"),
        ("/search?q=coffee", "/search?q=coffee"),
    ] {
        let html = shopper.page(path);
        assert_eq!(canonical(&html), format!("{shop}{own}"), "{path}");
    }
    // A page reached by the "Next" cursor names itself by that cursor.
    let first = shopper.page("/");
    let next = first
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next link")
        .replace("&amp;", "&");
    assert!(next.starts_with("/?after="), "{next}");
    assert_eq!(canonical(&shopper.page(&next)), format!("{shop}{next}"));
}

#[test]
fn a_product_in_collections_is_reached_through_the_first_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let shop = app.base_url.clone();
    // The milk jug is in "Brewing gear" (position 20) and "Cups and mugs" (30).
    let html = app.shopper().page("/products/milk-jug");
    let data = json_ld(&html);
    let crumbs = data
        .iter()
        .find(|d| d["@type"] == "BreadcrumbList")
        .unwrap();
    let items = crumbs["itemListElement"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Home", "Brewing gear", "Milk Jug, 350 ml"],
        "{crumbs}"
    );
    assert_eq!(items[1]["item"], format!("{shop}/collections/brewing-gear"));
    assert_eq!(items[2]["position"], 3);
    // The visible trail says the same, the product itself not a link.
    let nav = &html[html.find("<nav class=\"breadcrumbs\"").expect("the trail")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(nav.contains(r#"<a href="/">Home</a>"#), "{nav}");
    assert!(nav.contains(r#"<a href="/collections/brewing-gear">Brewing gear</a>"#));
    assert!(nav.contains(r#"<span aria-current="page">Milk Jug, 350 ml</span>"#));
}
