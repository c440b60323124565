//! The back office's catalog pages through the real components and a real SQLite file:
//! a product made with the forms (two options, four variants), a price edited from
//! decimal text, stock adjusted with a reason, a real PNG uploaded through the multipart
//! form and served at its content-hash address, a forged image refused with nothing
//! written, archiving after a confirmation, every command in the history as the owner,
//! a form without its CSRF token refused, and a replayed form applied once.

mod common;

use common::{count, hidden_field, office_csrf, open_db, owner_client, scalar};
use reqwest::blocking::{Client, Response};

const SLUG: &str = "office-blend";

fn location(resp: &Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The page at `path`, with its CSRF token.
fn page(client: &Client, app: &common::TestApp, path: &str) -> (String, String) {
    let resp = client.get(app.url(path)).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200, "GET {path}");
    let html = resp.text().unwrap();
    let csrf = office_csrf(&html);
    (html, csrf)
}

fn post(client: &Client, app: &common::TestApp, path: &str, form: &[(&str, &str)]) -> Response {
    client.post(app.url(path)).form(form).send().unwrap()
}

/// A small real PNG drawn with the `image` crate.
fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(16, 12, |x, y| {
        image::Rgba([(x * 15) as u8, (y * 20) as u8, 128, 255])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A `multipart/form-data` body as a browser sends the upload form.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----officecatalogtest7d3f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; \
             filename=\"picture.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn the_owner_keeps_the_catalog_with_forms() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::start_back_office(dir.path());
    let client = owner_client(&app);
    let db = open_db(dir.path());
    let products_before = count(&db, "products");
    let history_before = count(&db, "catalog_history");

    // The list shows the demo catalog and its search finds by SKU too.
    let (html, _) = page(&client, &app, "/admin/catalog?q=kenya");
    assert!(html.contains("Kenya"), "{html}");
    let (html, _) = page(&client, &app, "/admin/catalog");
    assert!(html.contains("New product"));

    // A new product: two options make four variants.
    let (html, csrf) = page(&client, &app, "/admin/catalog/new");
    assert!(html.contains(r#"<label for="new-price">"#), "{html}");
    let key = hidden_field(&html, "idempotency_key");
    let form = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("name", "Office <blend>"),
        ("slug", SLUG),
        ("description", "Made for the back office test."),
        ("options", "Size: 250 g, 1 kg\r\nGrind: Whole bean, Filter"),
        ("sku_prefix", "OB"),
        ("price", "12.50"),
        ("stock", "5"),
        ("weight", "250"),
        ("collections", "coffee"),
    ];

    // Without the CSRF token: 403 and nothing written.
    let no_csrf: Vec<_> = form.iter().filter(|(n, _)| *n != "csrf").copied().collect();
    let resp = post(&client, &app, "/admin/catalog/new", &no_csrf);
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(count(&db, "products"), products_before);

    // A price with three decimals: 422 next to the field, what was typed kept, nothing written.
    let mut bad = form.to_vec();
    bad[7] = ("price", "12.505");
    let resp = post(&client, &app, "/admin/catalog/new", &bad);
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().unwrap();
    assert!(
        html.contains(r#"aria-invalid="true" aria-describedby="new-price-hint new-price-error""#),
        "{html}"
    );
    assert!(html.contains(r#"id="new-price-error""#), "{html}");
    assert!(
        html.contains("Office &lt;blend&gt;"),
        "typed name kept, escaped: {html}"
    );
    assert_eq!(count(&db, "products"), products_before);

    // Sent, then sent again (a double click): one product, one history row.
    let resp = post(&client, &app, "/admin/catalog/new", &form);
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().unwrap());
    assert_eq!(location(&resp), format!("/admin/catalog/products/{SLUG}"));
    let again = post(&client, &app, "/admin/catalog/new", &form);
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(count(&db, "products"), products_before + 1);
    assert_eq!(
        scalar(
            &db,
            &format!(
                "SELECT count(*) FROM variants v JOIN products p ON p.id = v.product_id \
                 WHERE p.slug = '{SLUG}' AND v.price_amount = 1250 AND v.stock = 5 \
                 AND v.weight_grams = 250"
            )
        ),
        4
    );
    assert_eq!(
        scalar(
            &db,
            &format!(
                "SELECT count(*) FROM collection_products cp JOIN products p \
                 ON p.id = cp.product_id WHERE p.slug = '{SLUG}'"
            )
        ),
        1
    );
    assert_eq!(count(&db, "catalog_history"), history_before + 1);

    // The product page lists the variants; a taken slug is refused next to the slug.
    let (html, csrf) = page(&client, &app, &format!("/admin/catalog/products/{SLUG}"));
    for sku in ["OB-250-g-whole-bean", "OB-1-kg-filter"] {
        assert!(html.contains(sku), "{sku}: {html}");
    }
    let mut taken = form.to_vec();
    taken[1] = ("idempotency_key", "another-key-for-the-same-slug");
    let resp = post(&client, &app, "/admin/catalog/new", &taken);
    assert_eq!(resp.status().as_u16(), 409);
    let html = resp.text().unwrap();
    assert!(html.contains(r#"id="new-slug-error""#), "{html}");
    assert_eq!(count(&db, "products"), products_before + 1);

    // A price edited from decimal text.
    let sku = "OB-1-kg-filter";
    let base = format!("/admin/catalog/products/{SLUG}");
    let resp = post(
        &client,
        &app,
        &format!("{base}/variants/{sku}"),
        &[
            ("csrf", &csrf),
            ("idempotency_key", "edit-price-key-000001"),
            ("price", "31.90"),
            ("weight", "1000"),
            ("active", "yes"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT price_amount FROM variants WHERE sku = '{sku}'")
        ),
        3190
    );
    let resp = post(
        &client,
        &app,
        &format!("{base}/variants/{sku}"),
        &[
            ("csrf", &csrf),
            ("idempotency_key", "edit-price-key-000002"),
            ("price", "-3"),
            ("active", "yes"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 422);
    assert!(
        resp.text()
            .unwrap()
            .contains(&format!(r#"id="variant-{sku}-price-error""#))
    );

    // Stock needs a reason; with one it moves and the adjustment keeps it.
    let stock_path = format!("{base}/variants/{sku}/stock");
    let resp = post(
        &client,
        &app,
        &stock_path,
        &[
            ("csrf", &csrf),
            ("idempotency_key", "stock-key-00000001"),
            ("delta", "10"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 422);
    assert!(
        resp.text()
            .unwrap()
            .contains(&format!(r#"id="stock-{sku}-reason-error""#))
    );
    let resp = post(
        &client,
        &app,
        &stock_path,
        &[
            ("csrf", &csrf),
            ("idempotency_key", "stock-key-00000002"),
            ("delta", "10"),
            ("reason", "delivery from the roaster"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT stock FROM variants WHERE sku = '{sku}'")
        ),
        15
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM stock_adjustments WHERE reason = 'delivery from the roaster' \
             AND delta = 10"
        ),
        1
    );

    // A real PNG through the multipart form, served at its content-hash address.
    let picture = png();
    let (content_type, body) = multipart(
        &[
            ("csrf", &csrf),
            ("idempotency_key", "upload-key-0000001"),
            ("alt", "A bag of office blend"),
        ],
        &picture,
    );
    let resp = client
        .post(app.url(&format!("{base}/images")))
        .header("content-type", &content_type)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().unwrap());
    let hash: String = db
        .query_row(
            &format!(
                "SELECT i.hash FROM product_images i JOIN products p ON p.id = i.product_id \
                 WHERE p.slug = '{SLUG}'"
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (html, csrf) = page(&client, &app, &base);
    assert!(html.contains(&format!("/images/{hash}")), "{html}");
    assert!(html.contains("A bag of office blend"));
    let served = common::client()
        .get(app.url(&format!("/images/{hash}")))
        .send()
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().unwrap().to_vec(), picture);

    // A forged image (text named .png): refused next to the file field, nothing written.
    let blobs = count(&db, "image_blobs");
    let images = count(&db, "product_images");
    let history = count(&db, "catalog_history");
    let (content_type, body) = multipart(
        &[
            ("csrf", &csrf),
            ("idempotency_key", "upload-key-0000002"),
            ("alt", "not a picture"),
        ],
        b"<?php echo 'this is no image'; ?>",
    );
    let resp = client
        .post(app.url(&format!("{base}/images")))
        .header("content-type", &content_type)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
    let html = resp.text().unwrap();
    assert!(html.contains(r#"id="upload-image-error""#), "{html}");
    assert!(html.contains(r#"value="not a picture""#), "{html}");
    assert_eq!(count(&db, "image_blobs"), blobs);
    assert_eq!(count(&db, "product_images"), images);
    assert_eq!(count(&db, "catalog_history"), history);

    // Archiving asks first, then archives; the list still shows the product, marked.
    let (html, csrf) = page(&client, &app, &format!("{base}/archive"));
    assert!(html.contains("Archive Office &lt;blend&gt;?"), "{html}");
    let key = hidden_field(&html, "idempotency_key");
    let resp = post(
        &client,
        &app,
        &format!("{base}/archive"),
        &[("csrf", &csrf), ("idempotency_key", &key)],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT archived_at IS NOT NULL FROM products WHERE slug = '{SLUG}'")
        ),
        1
    );
    let (html, _) = page(&client, &app, "/admin/catalog?q=office");
    assert!(html.contains("Archived"), "{html}");
    assert!(html.contains(&format!("/admin/catalog/products/{SLUG}")));

    // Every command the forms sent is in the history as the owner's.
    let mut stmt = db
        .prepare("SELECT command, actor FROM catalog_history WHERE id > ?1 ORDER BY id")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([history_before], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let commands: Vec<&str> = rows.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        commands,
        [
            "create_product",
            "update_variant",
            "add_image",
            "archive_product"
        ]
    );
    assert!(rows.iter().all(|(_, actor)| actor == "owner"), "{rows:?}");
    app.stop();
}

#[test]
fn collections_are_made_ordered_and_filled() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::start_back_office(dir.path());
    let client = owner_client(&app);
    let db = open_db(dir.path());

    let (html, csrf) = page(&client, &app, "/admin/catalog/collections");
    assert!(html.contains("Coffee"), "{html}");
    let key = hidden_field(&html, "idempotency_key");
    let resp = post(
        &client,
        &app,
        "/admin/catalog/collections",
        &[
            ("csrf", &csrf),
            ("idempotency_key", &key),
            ("name", "Staff picks"),
            ("slug", "staff-picks"),
            ("description", "What we drink."),
            ("position", "0"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/admin/catalog/collections/staff-picks");
    let (html, _) = page(&client, &app, "/admin/catalog/collections");
    let staff = html.find("Staff picks").unwrap();
    assert!(staff < html.find("Coffee").unwrap(), "first in the order");

    // An unknown product is refused next to the field; a known one is added, then removed.
    let path = "/admin/catalog/collections/staff-picks/products";
    let resp = post(
        &client,
        &app,
        path,
        &[
            ("csrf", &csrf),
            ("idempotency_key", "member-key-000001"),
            ("product", "no-such-thing"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 404);
    assert!(
        resp.text()
            .unwrap()
            .contains(r#"id="add-product-product-error""#)
    );
    let slug: String = db
        .query_row("SELECT slug FROM products ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let resp = post(
        &client,
        &app,
        path,
        &[
            ("csrf", &csrf),
            ("idempotency_key", "member-key-000002"),
            ("product", &slug),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    let members = "SELECT count(*) FROM collection_products cp JOIN collections c \
                   ON c.id = cp.collection_id WHERE c.slug = 'staff-picks'";
    assert_eq!(scalar(&db, members), 1);
    let resp = post(
        &client,
        &app,
        &format!("{path}/{slug}/remove"),
        &[
            ("csrf", &csrf),
            ("idempotency_key", "member-key-000003"),
            ("from", "product"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), format!("/admin/catalog/products/{slug}"));
    assert_eq!(scalar(&db, members), 0);
    app.stop();
}
