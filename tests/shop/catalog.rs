//! The shop front: catalog, collection, search and product pages (with the variant
//! picker), images at their content-hash URLs, the public catalog JSON API and the admin
//! catalog routes, served by the real pages component with data from the real writer.

use crate::support;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Every shopper-visible product, from the public API (one page of 100).
fn products(app: &support::TestApp) -> Vec<Value> {
    app.json("/api/products?limit=100")["products"]
        .as_array()
        .expect("products array")
        .clone()
}

/// An admin catalog command through the pages (bearer token, idempotency key).
fn admin_post(
    app: &support::TestApp,
    path: &str,
    key: &str,
    body: Vec<u8>,
) -> reqwest::blocking::Response {
    support::client()
        .post(app.url(path))
        .bearer_auth(support::ADMIN_TOKEN)
        .header("idempotency-key", key)
        .body(body)
        .send()
        .unwrap()
}

/// The slugs of the products a catalog page links to, in page order.
fn linked_slugs(html: &str) -> Vec<String> {
    let mut slugs = Vec::new();
    for piece in html.split("<h2><a href=\"/products/").skip(1) {
        slugs.push(piece[..piece.find('"').unwrap()].to_string());
    }
    slugs
}

/// A small real PNG (a gradient, so it is not one flat colour).
fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 120]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[test]
fn catalog_api_lists_the_demo_products_with_prices_in_minor_units() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let response = support::client()
        .get(app.url("/api/products"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(support::content_type(&response).starts_with("application/json"));
    let first_page: Value = response.json().unwrap();
    assert_eq!(first_page["limit"], 12);
    assert_eq!(first_page["offset"], 0);
    assert!(first_page["total"].as_u64().unwrap() >= 20, "{first_page}");
    let products = products(&app);
    assert_eq!(products.len() as u64, first_page["total"].as_u64().unwrap());
    assert_eq!(
        products[..12],
        first_page["products"].as_array().unwrap()[..]
    );
    for p in &products {
        assert!(!p["variants"].as_array().unwrap().is_empty(), "{p}");
        assert!(!p["images"].as_array().unwrap().is_empty(), "{p}");
        for key in ["slug", "name", "description"] {
            assert!(
                p[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} in {p}"
            );
        }
        assert!(p["price"]["amount"].as_i64().unwrap() >= 0, "{p}");
        assert_eq!(p["price"]["currency"].as_str().unwrap().len(), 3, "{p}");
        assert!(p["stock"].as_i64().unwrap() >= 0, "{p}");
    }
    let slug = products[0]["slug"].as_str().unwrap();
    let one: Value = support::client()
        .get(app.url(&format!("/api/products/{slug}")))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(one, products[0]);
    let missing = support::client()
        .get(app.url("/api/products/no-such-thing"))
        .send()
        .unwrap();
    assert_eq!(missing.status(), 404);
    let err: Value = missing.json().unwrap();
    assert_eq!(err["error"]["code"], "not_found");
}

#[test]
fn catalog_page_shows_every_product_and_product_pages_render() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let products = products(&app);
    let home = support::client().get(app.url("/")).send().unwrap();
    assert_eq!(home.status(), 200);
    assert!(support::content_type(&home).starts_with("text/html"));
    // Page 1 and page 2 show every product once, with names and prices.
    let mut html = home.text().unwrap();
    html.push_str(&app.page("/?page=2"));
    for p in &products {
        let name = support::escape_html(p["name"].as_str().unwrap());
        assert!(html.contains(&name), "catalog pages lack {name}");
        assert!(html.contains(&format!("/products/{}", p["slug"].as_str().unwrap())));
    }
    let sold_out = products.iter().any(|p| p["stock"] == 0);
    assert_eq!(html.contains("Sold out"), sold_out);

    let p = &products[0];
    let page = support::client()
        .get(app.url(&format!("/products/{}", p["slug"].as_str().unwrap())))
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().unwrap();
    assert!(page.contains(&support::escape_html(p["name"].as_str().unwrap())));
    assert!(page.contains(&support::escape_html(p["description"].as_str().unwrap())));
    let amount = p["price"]["amount"].as_i64().unwrap();
    assert!(page.contains(&support::decimal(amount)), "price shown");
}

#[test]
fn unknown_product_is_a_404_page() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let response = support::client()
        .get(app.url("/products/does-not-exist"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(support::content_type(&response).starts_with("text/html"));
    assert!(response.text().unwrap().contains("not found"));
}

#[test]
fn the_writer_is_not_reachable_from_outside() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let client = support::client();
    // The writer's own routes, asked of the public port, are answered by pages (404),
    // even when the request claims to be for the writer's internal host name.
    for path in ["/health", "/catalog/products", "/admin/release-expired"] {
        let r = client
            .get(app.url(path))
            .header("host", "writer.spin.internal")
            .send()
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body = r.text().unwrap();
        assert!(
            !body.contains("schema_version") && !body.contains("\"products\""),
            "{path}: {body}"
        );
    }
}

#[test]
fn every_request_is_logged_with_method_path_status_and_duration() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    support::client()
        .get(app.url("/api/products"))
        .send()
        .unwrap();
    support::client().get(app.url("/nope-nope")).send().unwrap();
    let log = app.log_once(|l| l.contains("GET /nope-nope 404"));
    // "GET /api/products 200 812µs request_id=\"…\"": the request id closes the line.
    assert!(
        log.lines()
            .any(|l| l.contains("GET /api/products 200") && l.contains("µs request_id=\"")),
        "{log}"
    );
    assert!(log.contains("GET /nope-nope 404"), "{log}");
}

#[test]
fn an_image_round_trips_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let bytes = png(64, 48);
    let hash = hex::encode(Sha256::digest(&bytes));
    let path =
        "/admin/catalog/products/milk-jug/images?alt=Milk%20jug%2C%20from%20above&position=1";

    // Without the admin token: 401, and nothing reaches the writer.
    let anonymous = support::client()
        .post(app.url(path))
        .header("idempotency-key", "img-0")
        .body(bytes.clone())
        .send()
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let created = admin_post(&app, path, "img-1", bytes.clone());
    assert_eq!(created.status(), 201);
    let product: Value = created.json().unwrap();
    let images = product["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{product}");
    let added = images.iter().find(|i| i["hash"] == hash.as_str()).unwrap();
    assert_eq!(added["content_type"], "image/png");
    assert_eq!(
        (added["width"].as_u64(), added["height"].as_u64()),
        (Some(64), Some(48))
    );
    assert_eq!(added["alt"], "Milk jug, from above");
    // The same command again is answered, not applied twice.
    let again = admin_post(&app, path, "img-1", bytes.clone());
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");

    let served = support::client()
        .get(app.url(&format!("/images/{hash}")))
        .send()
        .unwrap();
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-security-policy"], "default-src 'none'");
    assert_eq!(headers["etag"], format!("\"{hash}\"").as_str());
    assert!(headers.get("set-cookie").is_none());
    assert_eq!(served.bytes().unwrap().to_vec(), bytes, "byte-identical");

    let revalidated = support::client()
        .get(app.url(&format!("/images/{hash}")))
        .header("if-none-match", format!("\"{hash}\""))
        .send()
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert!(revalidated.bytes().unwrap().is_empty());
    for bad in [hash.to_uppercase(), "0".repeat(64), format!("{hash}.png")] {
        let r = support::client()
            .get(app.url(&format!("/images/{bad}")))
            .send()
            .unwrap();
        assert_eq!(r.status(), 404, "{bad}");
    }

    // The product page shows both, sized; only the first loads at once.
    let page = app.page("/products/milk-jug");
    assert!(page.contains(&format!(
        "<img src=\"/images/{hash}\" width=\"64\" height=\"48\" alt=\"Milk jug, from above\" loading=\"lazy\">"
    )));
    assert_eq!(page.matches("<img ").count(), 2);
    assert_eq!(page.matches("loading=\"lazy\"").count(), 1);

    app.stop();
    let db = support::open_db(dir.path());
    let demo = products_in_migration();
    assert_eq!(support::count(&db, "image_blobs"), demo as i64 + 1);
}

#[test]
fn a_forged_or_oversized_image_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let images = app.json("/api/products/milk-jug")["images"].clone();
    // A forged "image" (a web page with a PNG name) and an oversized one: refused,
    // nothing written.
    let history = app.admin().json("/admin/catalog/history?limit=100");
    let forged = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let refused = admin_post(
        &app,
        "/admin/catalog/products/milk-jug/images?alt=x",
        "img-2",
        forged,
    );
    assert!(
        [415, 422].contains(&refused.status().as_u16()),
        "{}",
        refused.status()
    );
    let error: Value = refused.json().unwrap();
    assert!(error["error"]["code"].is_string(), "{error}");
    let huge = admin_post(
        &app,
        "/admin/catalog/products/milk-jug/images?alt=x",
        "img-3",
        vec![0u8; 1_000_001],
    );
    assert_eq!(huge.status(), 413);
    assert_eq!(
        huge.json::<Value>().unwrap()["error"]["code"],
        "image_too_large"
    );
    assert_eq!(app.json("/api/products/milk-jug")["images"], images);
    assert_eq!(
        app.admin().json("/admin/catalog/history?limit=100"),
        history
    );
    app.stop();
    let db = support::open_db(dir.path());
    let demo = products_in_migration();
    assert_eq!(support::count(&db, "image_blobs"), demo as i64);
}

/// How many demo products migration 0008 gives an image.
fn products_in_migration() -> usize {
    let sql = std::fs::read_to_string(support::repo_root().join("migrations/0008_demo_images.sql"))
        .unwrap();
    sql.matches("INSERT INTO product_images").count()
}

#[test]
fn the_catalog_paginates_in_two_disjoint_pages() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let client = app.shopper();
    let all: Vec<String> = products(&app)
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_string())
        .collect();
    assert!(all.len() > 12 && all.len() <= 24, "{}", all.len());

    // The catalog: two pages, disjoint, together every product in order.
    let one = linked_slugs(&client.page("/"));
    let two = linked_slugs(&client.page("/?page=2"));
    assert_eq!(one.len(), 12);
    assert_eq!([one.clone(), two].concat(), all);
    let first = client.page("/");
    // "Next" follows the keyset cursor; numbered pages stay for the first ones.
    assert!(first.contains("rel=\"next\" href=\"/?after=") && first.contains("Page 1 of 2"));
    for missing in ["/?page=3", "/?page=0", "/?page=x"] {
        assert_eq!(client.get(missing).status(), 404, "{missing}");
    }
}

#[test]
fn collections_paginate_in_html_and_json_and_an_archived_product_leaves_them() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let client = app.shopper();
    let all: Vec<String> = products(&app)
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_string())
        .collect();
    assert!(all.len() > 12 && all.len() <= 24, "{}", all.len());

    // A collection with every product, put together with the admin commands.
    let created = admin_post(
        &app,
        "/admin/catalog/collections",
        "c-1",
        serde_json::to_vec(&json!({"slug": "everything", "name": "Everything <all>"})).unwrap(),
    );
    assert_eq!(created.status(), 201);
    for (i, slug) in all.iter().enumerate() {
        let added = admin_post(
            &app,
            "/admin/catalog/collections/everything/products",
            &format!("m-{i}"),
            serde_json::to_vec(&json!({"product": slug})).unwrap(),
        );
        assert_eq!(added.status(), 200, "{slug}");
    }
    let page1 = client.page("/collections/everything");
    assert!(page1.contains("<h1>Everything &lt;all&gt;</h1>"));
    assert!(page1.contains("rel=\"next\" href=\"/collections/everything?after="));
    let one = linked_slugs(&page1);
    let two = linked_slugs(&client.page("/collections/everything?page=2"));
    assert_eq!(one.len(), 12);
    assert!(one.iter().all(|s| !two.contains(s)), "pages overlap");
    let together: BTreeSet<String> = one.into_iter().chain(two).collect();
    assert_eq!(together, all.iter().cloned().collect::<BTreeSet<_>>());

    // The same through the JSON API.
    let api1 = app.json("/api/collections/everything?page=1");
    let api2 = app.json("/api/collections/everything?page=2");
    assert_eq!(api1["collection"]["product_count"], all.len());
    assert_eq!(api1["products"]["total"], all.len());
    let count = |v: &Value| v["products"]["products"].as_array().unwrap().len();
    assert_eq!(count(&api1) + count(&api2), all.len());
    let listed = app.json("/api/collections")["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(
        listed.contains(&"everything".to_string()) && listed.len() >= 5,
        "{listed:?}"
    );
    let coffee = app.json("/api/products?collection=coffee&limit=100");
    assert!(coffee["products"].as_array().unwrap().iter().all(|p| {
        p["collections"]
            .as_array()
            .unwrap()
            .contains(&json!("coffee"))
    }));
    for bad in [
        "/api/products?page=0",
        "/api/products?limit=101",
        "/api/products?colection=coffee",
    ] {
        let r = client.get(bad);
        assert_eq!(r.status(), 422, "{bad}");
    }
    for missing in ["/collections/no-such", "/api/collections/no-such"] {
        assert_eq!(client.get(missing).status(), 404, "{missing}");
    }

    // An archived product leaves the shop's pages; the owner still sees it.
    let archived = admin_post(
        &app,
        "/admin/catalog/products/tasting-box/archive",
        "a-1",
        vec![],
    );
    assert_eq!(archived.status(), 200);
    // The page is 410 Gone (it was here and will not come back); the API's read is 404.
    assert_eq!(client.get("/products/tasting-box").status(), 410);
    assert_eq!(client.get("/api/products/tasting-box").status(), 404);
    assert!(
        !client
            .page("/collections/everything?page=2")
            .contains("tasting-box")
    );
    let owner = app.admin().json("/admin/catalog/products/tasting-box");
    assert_eq!(owner["archived"], true);
    let anonymous = client.get("/admin/catalog/products/tasting-box");
    assert_eq!(anonymous.status(), 401);
}

#[test]
fn the_variant_picker_works_without_javascript_through_cart_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let browser = app.shopper();
    let product = app.json("/api/products/ethiopia-yirgacheffe");
    let wanted = product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["title"] == "1 kg / Filter")
        .expect("a 1 kg / Filter variant")
        .clone();
    let sku = wanted["sku"].as_str().unwrap();
    let price = support::decimal(wanted["price"]["amount"].as_i64().unwrap());

    // What the picker form submits: one parameter per option.
    let page = browser.page("/products/ethiopia-yirgacheffe?Size=1+kg&Grind=Filter");
    assert!(page.contains("<option value=\"1 kg\" selected>"));
    assert!(page.contains("<option value=\"Filter\" selected>"));
    assert!(page.contains(&price), "the variant's price {price}");
    // The selects are the buy form's own fields: the values chosen are what is bought.
    assert!(page.contains("name=\"option.Size\""));
    let csrf = support::hidden_field(&page, "csrf");
    let added = browser.post(
        "/cart/add",
        &[
            ("csrf", csrf.as_str()),
            ("slug", "ethiopia-yirgacheffe"),
            ("option.Size", "1 kg"),
            ("option.Grind", "Filter"),
            ("quantity", "2"),
        ],
    );
    assert_eq!(added.status(), 303);
    let cart = browser.page("/cart");
    assert!(cart.contains("1 kg / Filter"), "variant title in the cart");
    assert!(cart.contains(&price));
    assert!(cart.contains(&support::decimal(
        2 * wanted["price"]["amount"].as_i64().unwrap()
    )));

    // A combination no variant has: said so at the selects (the form stays, to choose
    // another; what it would add is refused, `variant_choice`).
    let none = browser.page("/products/ethiopia-yirgacheffe?Size=2+kg");
    assert!(none.contains("not available"));
    assert!(none.contains("aria-describedby=\"choice-note\""));

    let checkout = browser.page("/checkout");
    assert!(checkout.contains("1 kg / Filter"));
    let form = support::checkout_form(&checkout);
    let placed = browser.submit_checkout(&form);
    assert_eq!(placed.status(), 303);
    let location = placed.headers()["location"].to_str().unwrap().to_string();
    let number = location
        .trim_start_matches("/orders/")
        .trim_end_matches("/pay");
    let order = browser.page(&format!("/orders/{number}"));
    assert!(order.contains("1 kg / Filter") && order.contains(&price));
    let json = app.order(number);
    assert_eq!(json["items"][0]["sku"], sku);
    assert_eq!(json["items"][0]["variant"], "1 kg / Filter");
    assert_eq!(json["items"][0]["quantity"], 2);
    // Only that variant's stock moved.
    let after = app.json("/api/products/ethiopia-yirgacheffe");
    for (before, now) in product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["variants"].as_array().unwrap())
    {
        let expected = before["stock"].as_i64().unwrap() - if before["sku"] == sku { 2 } else { 0 };
        assert_eq!(
            now["stock"].as_i64().unwrap(),
            expected,
            "{}",
            before["sku"]
        );
    }
}

#[test]
fn search_finds_by_prefix_and_by_sku_in_html_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let client = app.shopper();
    let slugs = |v: &Value| -> Vec<String> {
        v["products"]["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slug"].as_str().unwrap().to_string())
            .collect()
    };

    let prefix = app.json("/api/search?q=ken");
    assert!(
        slugs(&prefix).contains(&"kenya-nyeri-aa".to_string()),
        "{prefix}"
    );
    // A misspelling falls back to a shorter prefix, and says so.
    let fallback = app.json("/api/search?q=kenia");
    assert_eq!(fallback["query"], "kenia");
    assert_eq!(fallback["matched"], "ken");
    assert!(slugs(&fallback).contains(&"kenya-nyeri-aa".to_string()));
    let by_sku = app.json("/api/search?q=ethiopia-yirgacheffe-1kg-filter");
    assert_eq!(
        slugs(&by_sku).first().map(String::as_str),
        Some("ethiopia-yirgacheffe")
    );

    let html = client.page("/search?q=kenia");
    assert!(html.contains("/products/kenya-nyeri-aa"));
    assert!(html.contains("showing results for “ken”"));
    assert!(
        html.contains("value=\"kenia\""),
        "the query stays in the box"
    );
    let html = client.page("/search?q=ethiopia-yirgacheffe-1kg-filter");
    assert!(html.contains("/products/ethiopia-yirgacheffe"));
    let nothing = client.page("/search?q=zzzzqqq");
    assert!(nothing.contains("Nothing matches"));
    // Hostile input is text, never markup or a MATCH expression.
    let hostile = client.page("/search?q=%22%3Cscript%3E+OR+*");
    assert!(!hostile.contains("<script>") && hostile.contains("&lt;script&gt;"));

    let empty = client.page("/search?q=");
    assert!(empty.contains("Type a product name"));
    let long = "k".repeat(101);
    let too_long = client.get(&format!("/search?q={long}"));
    assert_eq!(too_long.status(), 400);
    assert!(too_long.text().unwrap().contains("too long"));
    for q in ["", "%20", long.as_str()] {
        let r = client.get(&format!("/api/search?q={q}"));
        assert_eq!(r.status(), 422, "{q}");
        let body: Value = r.json().unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "q");
    }
}

#[test]
fn every_demo_product_has_an_image_that_decodes_and_pages_show_them_sized() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let client = app.shopper();
    let products = products(&app);
    assert_eq!(products.len(), products_in_migration());
    for p in &products {
        let main = &p["images"][0];
        let hash = main["hash"]
            .as_str()
            .unwrap_or_else(|| panic!("no image: {p}"));
        assert!(!main["alt"].as_str().unwrap().is_empty());
        let served = client.get(&format!("/images/{hash}"));
        assert_eq!(served.status(), 200, "{hash}");
        assert_eq!(served.headers()["content-type"], "image/png");
        let bytes = served.bytes().unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), hash);
        assert!(
            bytes.len() < 20_000,
            "{} is {} bytes",
            p["slug"],
            bytes.len()
        );
        let decoded = image::load_from_memory(&bytes).expect("a decodable image");
        assert_eq!(u64::from(decoded.width()), main["width"].as_u64().unwrap());
        assert_eq!(
            u64::from(decoded.height()),
            main["height"].as_u64().unwrap()
        );
    }

    // The catalog: collection links, every card's picture sized, only the first eager.
    let home = client.page("/");
    for c in app.json("/api/collections")["collections"]
        .as_array()
        .unwrap()
    {
        let link = format!("href=\"/collections/{}\"", c["slug"].as_str().unwrap());
        assert!(home.contains(&link), "{link}");
    }
    assert_eq!(home.matches("<img src=\"/images/").count(), 12);
    assert_eq!(home.matches("width=\"480\" height=\"480\"").count(), 12);
    assert_eq!(home.matches("loading=\"lazy\"").count(), 11);
    // Variant prices that differ show as "from".
    assert!(home.contains("from €"));
    // The header's search box is on every page.
    for path in ["/", "/cart", "/products/milk-jug", "/search"] {
        assert!(client.page(path).contains("action=\"/search\""), "{path}");
    }
}
