//! The shop front: catalog HTML, product pages and the public catalog JSON API,
//! served by the real pages component with data from the real writer.

mod common;

use serde_json::Value;

fn products(app: &common::TestApp) -> Vec<Value> {
    let body: Value = common::client()
        .get(app.url("/api/products"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    body["products"].as_array().expect("products array").clone()
}

#[test]
fn catalog_api_lists_the_demo_products_with_prices_in_minor_units() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::start(dir.path());
    let response = common::client()
        .get(app.url("/api/products"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let products = products(&app);
    assert!(
        products.len() >= 12,
        "demo catalog has {} products",
        products.len()
    );
    for p in &products {
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
    let one: Value = common::client()
        .get(app.url(&format!("/api/products/{slug}")))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(one, products[0]);
    let missing = common::client()
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
    let app = common::start(dir.path());
    let products = products(&app);
    let home = common::client().get(app.url("/")).send().unwrap();
    assert_eq!(home.status(), 200);
    assert!(
        home.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = home.text().unwrap();
    for p in &products {
        let name = common::escape_html(p["name"].as_str().unwrap());
        assert!(html.contains(&name), "catalog page lacks {name}");
        assert!(html.contains(&format!("/products/{}", p["slug"].as_str().unwrap())));
    }
    let sold_out = products.iter().any(|p| p["stock"] == 0);
    assert_eq!(html.contains("Sold out"), sold_out);

    let p = &products[0];
    let page = common::client()
        .get(app.url(&format!("/products/{}", p["slug"].as_str().unwrap())))
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().unwrap();
    assert!(page.contains(&common::escape_html(p["name"].as_str().unwrap())));
    assert!(page.contains(&common::escape_html(p["description"].as_str().unwrap())));
    let amount = p["price"]["amount"].as_i64().unwrap();
    assert!(
        page.contains(&format!("{}.{:02}", amount / 100, amount % 100)),
        "price shown"
    );
}

#[test]
fn unknown_product_is_a_404_page() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::start(dir.path());
    let response = common::client()
        .get(app.url("/products/does-not-exist"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().unwrap().contains("not found"));
}

#[test]
fn the_writer_is_not_reachable_from_outside() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::start(dir.path());
    let client = common::client();
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
    let app = common::start(dir.path());
    common::client()
        .get(app.url("/api/products"))
        .send()
        .unwrap();
    common::client().get(app.url("/nope-nope")).send().unwrap();
    let log = app.log_once(|l| l.contains("GET /nope-nope 404"));
    assert!(
        log.lines()
            .any(|l| l.contains("GET /api/products 200") && l.ends_with("µs")),
        "{log}"
    );
    assert!(log.contains("GET /nope-nope 404"), "{log}");
}
