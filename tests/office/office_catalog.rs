//! The back office's catalog pages through the real components and a real SQLite file:
//! a product made with the forms (two options, four variants), a price edited from
//! decimal text, stock adjusted with a reason, a real PNG uploaded through the multipart
//! form and served at its content-hash address, a forged image refused with nothing
//! written, archiving after a confirmation and restoring (with the writer's refusals on
//! the form), every command in the history as the owner, a form without its CSRF token
//! refused, and a replayed form applied once.

use crate::support;

use crate::support::{Owner, TestApp, count, hidden_field, location, open_db, scalar};
use reqwest::blocking::Response;
use serde_json::Value;

const SLUG: &str = "office-blend";

/// How many products there are, archived ones included.
fn products(app: &TestApp) -> u64 {
    app.admin().json("/admin/catalog/products?limit=1")["total"]
        .as_u64()
        .unwrap()
}

/// How many entries the catalog history has.
fn history(app: &TestApp) -> usize {
    app.admin().json("/admin/catalog/history?limit=100")["entries"]
        .as_array()
        .unwrap()
        .len()
}

/// The owner's view of the product.
fn product(app: &TestApp) -> Value {
    app.admin().json(&format!("/admin/catalog/products/{SLUG}"))
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

/// A back office with the owner signed in, and how many products and history entries
/// the catalog had when it started.
struct Office {
    dir: tempfile::TempDir,
    app: TestApp,
    products_before: u64,
    history_before: usize,
}

impl Office {
    fn start() -> Office {
        let dir = tempfile::tempdir().unwrap();
        let app = support::start_back_office(dir.path());
        let products_before = products(&app);
        let history_before = history(&app);
        Office {
            dir,
            app,
            products_before,
            history_before,
        }
    }

    /// Stops the app: its data dir, and the commands the catalog history gained, each of
    /// them the owner's.
    fn stop(self) -> Stopped {
        let Office {
            dir,
            app,
            history_before,
            ..
        } = self;
        app.stop();
        let db = open_db(dir.path());
        let mut stmt = db
            .prepare("SELECT command, actor FROM catalog_history ORDER BY id")
            .unwrap();
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), count(&db, "catalog_history") as usize);
        let added = &rows[history_before..];
        assert!(added.iter().all(|(_, actor)| actor == "owner"), "{added:?}");
        let commands = added.iter().map(|(command, _)| command.clone()).collect();
        Stopped { dir, commands }
    }
}

/// A stopped [`Office`]: its data dir and what its catalog history gained.
struct Stopped {
    dir: tempfile::TempDir,
    commands: Vec<String>,
}

/// The new-product form for [`SLUG`] as the owner fills it in: two options make four
/// variants at €12.50 with 5 in stock each. The CSRF token and key are the page's.
fn new_product_form(owner: &Owner) -> Vec<(&'static str, String)> {
    let (html, csrf) = owner.page_and_csrf("/admin/catalog/new");
    assert!(html.contains(r#"<label for="new-price">"#), "{html}");
    let key = hidden_field(&html, "idempotency_key");
    [
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
    ]
    .map(|(name, value)| (name, value.to_string()))
    .to_vec()
}

/// `form` as the name and value pairs a form sends.
fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// Makes the product for [`SLUG`] with the new-product form: the path of its page and
/// the CSRF token its forms carry.
fn create_product(owner: &Owner) -> (String, String) {
    let resp = owner.post("/admin/catalog/new", &pairs(&new_product_form(owner)));
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().unwrap());
    let base = format!("/admin/catalog/products/{SLUG}");
    let (_, csrf) = owner.page_and_csrf(&base);
    (base, csrf)
}

/// The product's variant `sku`, as the admin API shows it.
fn variant(app: &TestApp, sku: &str) -> Value {
    product(app)["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == sku)
        .unwrap()
        .clone()
}

/// Sends the image upload form of the product at `base`, as a browser does.
fn upload(owner: &Owner, base: &str, csrf: &str, key: &str, alt: &str, file: &[u8]) -> Response {
    let (content_type, body) = multipart(
        &[("csrf", csrf), ("idempotency_key", key), ("alt", alt)],
        file,
    );
    owner
        .client()
        .post(owner.url(&format!("{base}/images")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .unwrap()
}

#[test]
fn the_catalog_list_shows_the_demo_catalog_and_searches_by_name() {
    let office = Office::start();
    let owner = office.app.owner().sign_in();
    let (html, _) = owner.page_and_csrf("/admin/catalog?q=kenya");
    assert!(html.contains("Kenya"), "{html}");
    let (html, _) = owner.page_and_csrf("/admin/catalog");
    assert!(html.contains("New product"));
    assert!(office.stop().commands.is_empty());
}

#[test]
fn a_new_product_needs_the_csrf_token_and_a_good_price_and_a_double_click_makes_one() {
    let office = Office::start();
    let app = &office.app;
    let owner = app.owner().sign_in();
    let form = new_product_form(&owner);

    // Without the CSRF token: 403 and nothing written.
    let no_csrf: Vec<_> = pairs(&form)
        .into_iter()
        .filter(|(n, _)| *n != "csrf")
        .collect();
    let resp = owner.post("/admin/catalog/new", &no_csrf);
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(products(app), office.products_before);

    // A price with three decimals: 422 next to the field, what was typed kept, nothing written.
    let mut bad = form.clone();
    bad[7] = ("price", "12.505".to_string());
    let resp = owner.post("/admin/catalog/new", &pairs(&bad));
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().unwrap();
    assert!(
        html.contains(r#"aria-invalid="true" aria-describedby="new-price-hint new-price-error""#),
        "{html}"
    );
    assert!(html.contains(r#"id="new-price-error""#), "{html}");
    assert!(
        html.contains("Office &lt;blend&gt;"),
        "typed name kept, escaped"
    );
    assert_eq!(products(app), office.products_before);

    // Sent, then sent again (a double click): one product, one history entry.
    let resp = owner.post("/admin/catalog/new", &pairs(&form));
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().unwrap());
    assert_eq!(location(&resp), format!("/admin/catalog/products/{SLUG}"));
    let again = owner.post("/admin/catalog/new", &pairs(&form));
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(products(app), office.products_before + 1);
    assert_eq!(history(app), office.history_before + 1);
    let made = product(app);
    let variants = made["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 4, "{made}");
    assert!(
        variants
            .iter()
            .all(|v| v["price"]["amount"] == 1250 && v["stock"] == 5),
        "{made}"
    );
    assert_eq!(made["name"], "Office <blend>");
    assert_eq!(made["collections"], serde_json::json!(["coffee"]));
    assert_eq!(office.stop().commands, ["create_product"]);
}

#[test]
fn the_product_page_lists_the_variants_and_a_taken_slug_is_refused_next_to_the_slug() {
    let office = Office::start();
    let app = &office.app;
    let owner = app.owner().sign_in();
    let form = new_product_form(&owner);
    assert_eq!(
        owner
            .post("/admin/catalog/new", &pairs(&form))
            .status()
            .as_u16(),
        303
    );
    let (html, _) = owner.page_and_csrf(&format!("/admin/catalog/products/{SLUG}"));
    for sku in ["OB-250-g-whole-bean", "OB-1-kg-filter"] {
        assert!(html.contains(sku), "{sku}: {html}");
    }
    let mut taken = form.clone();
    taken[1] = ("idempotency_key", "another-key-for-the-same-slug".into());
    let resp = owner.post("/admin/catalog/new", &pairs(&taken));
    assert_eq!(resp.status().as_u16(), 409);
    let html = resp.text().unwrap();
    assert!(html.contains(r#"id="new-slug-error""#), "{html}");
    assert_eq!(products(app), office.products_before + 1);
    assert_eq!(office.stop().commands, ["create_product"]);
}

#[test]
fn a_price_is_edited_from_decimal_text_and_a_negative_one_is_refused_next_to_the_field() {
    let office = Office::start();
    let app = &office.app;
    let owner = app.owner().sign_in();
    let (base, csrf) = create_product(&owner);
    let sku = "OB-1-kg-filter";
    let edit = |key: &str, price: &str| {
        owner.post(
            &format!("{base}/variants/{sku}"),
            &[
                ("csrf", csrf.as_str()),
                ("idempotency_key", key),
                ("price", price),
                ("weight", "1000"),
                ("active", "yes"),
            ],
        )
    };
    assert_eq!(
        edit("edit-price-key-000001", "31.90").status().as_u16(),
        303
    );
    assert_eq!(variant(app, sku)["price"]["amount"], 3190);
    let resp = edit("edit-price-key-000002", "-3");
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().unwrap();
    assert!(
        html.contains(&format!(r#"id="variant-{sku}-price-error""#)),
        "{html}"
    );
    assert_eq!(variant(app, sku)["price"]["amount"], 3190);
    assert_eq!(office.stop().commands, ["create_product", "update_variant"]);
}

#[test]
fn stock_needs_a_reason_and_with_one_it_moves_and_the_reason_is_kept() {
    let office = Office::start();
    let app = &office.app;
    let owner = app.owner().sign_in();
    let (base, csrf) = create_product(&owner);
    let sku = "OB-1-kg-filter";
    let stock_path = format!("{base}/variants/{sku}/stock");
    let resp = owner.post(
        &stock_path,
        &[
            ("csrf", csrf.as_str()),
            ("idempotency_key", "stock-key-00000001"),
            ("delta", "10"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().unwrap();
    assert!(
        html.contains(&format!(r#"id="stock-{sku}-reason-error""#)),
        "{html}"
    );
    let resp = owner.post(
        &stock_path,
        &[
            ("csrf", csrf.as_str()),
            ("idempotency_key", "stock-key-00000002"),
            ("delta", "10"),
            ("reason", "delivery from the roaster"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(variant(app, sku)["stock"], 15);
    let stopped = office.stop();
    assert_eq!(stopped.commands, ["create_product"]);
    assert_eq!(
        scalar(
            &open_db(stopped.dir.path()),
            "SELECT count(*) FROM stock_adjustments WHERE reason = 'delivery from the roaster' \
             AND delta = 10 AND stock_after = 15"
        ),
        1
    );
}

#[test]
fn a_png_uploaded_with_the_form_is_served_at_its_content_hash_address() {
    let office = Office::start();
    let app = &office.app;
    let owner = app.owner().sign_in();
    let (base, csrf) = create_product(&owner);
    let picture = png();
    let resp = upload(
        &owner,
        &base,
        &csrf,
        "upload-key-0000001",
        "A bag of office blend",
        &picture,
    );
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().unwrap());
    let images = product(app)["images"].clone();
    assert_eq!(images.as_array().unwrap().len(), 1, "{images}");
    assert_eq!(images[0]["alt"], "A bag of office blend");
    let hash = images[0]["hash"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64);
    let (html, _) = owner.page_and_csrf(&base);
    assert!(html.contains(&format!("/images/{hash}")), "{html}");
    let served = support::client()
        .get(app.url(&format!("/images/{hash}")))
        .send()
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().unwrap().to_vec(), picture);
    let stopped = office.stop();
    assert_eq!(stopped.commands, ["create_product", "add_image"]);
    assert_eq!(
        scalar(
            &open_db(stopped.dir.path()),
            &format!("SELECT count(*) FROM image_blobs WHERE hash = '{hash}'")
        ),
        1
    );
}

#[test]
fn a_forged_image_is_refused_next_to_the_file_field_and_writes_nothing() {
    let office = Office::start();
    let app = &office.app;
    let owner = app.owner().sign_in();
    let (base, csrf) = create_product(&owner);
    let images = product(app)["images"].clone();
    let history_now = history(app);
    // Text named .png.
    let resp = upload(
        &owner,
        &base,
        &csrf,
        "upload-key-0000002",
        "not a picture",
        b"<?php echo 'this is no image'; ?>",
    );
    assert_eq!(resp.status().as_u16(), 415);
    let html = resp.text().unwrap();
    assert!(html.contains(r#"id="upload-image-error""#), "{html}");
    assert!(html.contains(r#"value="not a picture""#), "{html}");
    assert_eq!(product(app)["images"], images);
    assert_eq!(history(app), history_now);
    let stopped = office.stop();
    assert_eq!(stopped.commands, ["create_product"]);
    assert_eq!(
        scalar(
            &open_db(stopped.dir.path()),
            "SELECT count(*) FROM product_images WHERE alt = 'not a picture'"
        ),
        0
    );
}

#[test]
fn archiving_asks_first_and_the_list_still_shows_the_product_marked() {
    let office = Office::start();
    let app = &office.app;
    let owner = app.owner().sign_in();
    let (base, _) = create_product(&owner);
    let (html, csrf) = owner.page_and_csrf(&format!("{base}/archive"));
    assert!(html.contains("Archive Office &lt;blend&gt;?"), "{html}");
    let key = hidden_field(&html, "idempotency_key");
    let resp = owner.post(
        &format!("{base}/archive"),
        &[("csrf", &csrf), ("idempotency_key", &key)],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(product(app)["archived"], true);
    let (html, _) = owner.page_and_csrf("/admin/catalog?q=office");
    assert!(html.contains("Archived"), "{html}");
    assert!(html.contains(&base));
    assert_eq!(
        office.stop().commands,
        ["create_product", "archive_product"]
    );
}

#[test]
fn collections_are_made_ordered_and_filled() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();

    let (html, csrf) = owner.page_and_csrf("/admin/catalog/collections");
    assert!(html.contains("Coffee"), "{html}");
    let key = hidden_field(&html, "idempotency_key");
    let resp = owner.post(
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
    let (html, _) = owner.page_and_csrf("/admin/catalog/collections");
    let staff = html.find("Staff picks").unwrap();
    assert!(staff < html.find("Coffee").unwrap(), "first in the order");

    // An unknown product is refused next to the field; a known one is added, then removed.
    let path = "/admin/catalog/collections/staff-picks/products";
    let resp = owner.post(
        path,
        &[
            ("csrf", &csrf),
            ("idempotency_key", "member-key-000001"),
            ("product", "no-such-thing"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 404);
    let html = resp.text().unwrap();
    assert!(html.contains(r#"id="add-product-product-error""#), "{html}");
    let first = app.admin().json("/admin/catalog/products?limit=1");
    let slug = first["products"][0]["slug"].as_str().unwrap().to_string();
    let resp = owner.post(
        path,
        &[
            ("csrf", &csrf),
            ("idempotency_key", "member-key-000002"),
            ("product", &slug),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    let members = |app: &TestApp| {
        app.admin().json("/api/collections/staff-picks")["products"]["total"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(members(&app), 1);
    let resp = owner.post(
        &format!("{path}/{slug}/remove"),
        &[
            ("csrf", &csrf),
            ("idempotency_key", "member-key-000003"),
            ("from", "product"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), format!("/admin/catalog/products/{slug}"));
    assert_eq!(members(&app), 0);
    app.stop();
}

/// A demo product with options: its slug, its page in the back office, and its owner's
/// view (the admin API's) as it was.
fn product_with_options(app: &TestApp) -> (String, String, Value) {
    let list = app.admin().json("/admin/catalog/products?limit=100");
    let demo = list["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| !p["options"].as_array().unwrap().is_empty())
        .expect("a demo product with options")
        .clone();
    let slug = demo["slug"].as_str().unwrap().to_string();
    let base = format!("/admin/catalog/products/{slug}");
    (slug, base, demo)
}

#[test]
fn a_variant_is_added_once_and_archived_from_the_product_page() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (slug, base, demo) = product_with_options(&app);
    let owner_view = |app: &TestApp| app.admin().json(&format!("/admin/catalog/products/{slug}"));
    let (html, csrf) = owner.page_and_csrf(&base);
    assert!(html.contains("Add a variant"), "{html}");

    // A new variant with a new value for each option, not yet for sale.
    let options = demo["options"].as_array().unwrap().len();
    let values: Vec<(String, String)> = (0..options)
        .map(|i| (format!("option-{i}"), format!("Extra {i}")))
        .collect();
    let add = |key: &str| {
        let mut form: Vec<(&str, &str)> = vec![
            ("csrf", &csrf),
            ("idempotency_key", key),
            ("sku", "EXTRA-SKU-1"),
            ("price", "3.05"),
            ("stock", "2"),
            ("weight", "100"),
            ("active", "no"),
        ];
        form.extend(values.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        owner.post(&format!("{base}/variants"), &form)
    };
    assert_eq!(add("add-variant-key-0001").status().as_u16(), 303);
    let view = owner_view(&app);
    let added = view["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == "EXTRA-SKU-1")
        .unwrap_or_else(|| panic!("{view}"))
        .clone();
    assert_eq!(added["price"]["amount"], 305);
    assert_eq!(added["stock"], 2);
    assert_eq!(added["active"], false);
    assert_eq!(
        added["title"].as_str().unwrap().split(" / ").count(),
        options
    );
    // The same SKU again (another form): refused next to the SKU.
    let resp = add("add-variant-key-0002");
    assert_eq!(resp.status().as_u16(), 409);
    let html = resp.text().unwrap();
    assert!(html.contains(r#"id="add-variant-sku-error""#), "{html}");

    // Archiving the variant asks first.
    let archive = format!("{base}/variants/EXTRA-SKU-1/archive");
    let (html, csrf) = owner.page_and_csrf(&archive);
    assert!(html.contains("Archive the variant EXTRA-SKU-1"), "{html}");
    let key = hidden_field(&html, "idempotency_key");
    let resp = owner.post(&archive, &[("csrf", &csrf), ("idempotency_key", &key)]);
    assert_eq!(resp.status().as_u16(), 303);
    let view = owner_view(&app);
    let archived = view["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == "EXTRA-SKU-1")
        .unwrap()
        .clone();
    assert_eq!(archived["archived"], true);

    app.stop();
}

#[test]
fn details_change_from_the_product_page() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (slug, base, _) = product_with_options(&app);
    let owner_view = |app: &TestApp| app.admin().json(&format!("/admin/catalog/products/{slug}"));
    let (_, csrf) = owner.page_and_csrf(&base);

    // Details: a new name and description.
    let resp = owner.post(
        &base,
        &[
            ("csrf", &csrf),
            ("idempotency_key", "details-key-000001"),
            ("name", "Renamed in the back office"),
            ("description", "A new description."),
            ("position", ""),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(owner_view(&app)["name"], "Renamed in the back office");

    app.stop();
}

#[test]
fn an_image_is_uploaded_described_moved_and_removed_from_the_product_page() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (slug, base, _) = product_with_options(&app);
    let owner_view = |app: &TestApp| app.admin().json(&format!("/admin/catalog/products/{slug}"));
    let (_, csrf) = owner.page_and_csrf(&base);

    // An image: uploaded, its alt text changed, then removed.
    let images_before = owner_view(&app)["images"].as_array().unwrap().len();
    let (content_type, body) = multipart(
        &[
            ("csrf", &csrf),
            ("idempotency_key", "upload-key-0000003"),
            ("alt", "first words"),
        ],
        &png(),
    );
    let resp = owner
        .client()
        .post(app.url(&format!("{base}/images")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    let images = owner_view(&app)["images"].clone();
    let image = images
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["alt"] == "first words")
        .unwrap()
        .clone();
    let id = image["id"].as_i64().unwrap();
    // Its alt text changes, its place (left empty) does not.
    let (html, csrf) = owner.page_and_csrf(&base);
    assert!(
        html.contains(&format!(r#"id="image-{id}-position""#)),
        "{html}"
    );
    let resp = owner.post(
        &format!("{base}/images/{id}"),
        &[
            ("csrf", &csrf),
            ("idempotency_key", "image-key-00000001"),
            ("alt", "better words"),
            ("position", ""),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303);
    let images = owner_view(&app)["images"].clone();
    assert_eq!(
        images.as_array().unwrap().last().unwrap()["alt"],
        "better words"
    );
    // The first image moved behind it: the new one is the main picture.
    if images_before > 0 {
        let first = &images[0];
        let resp = owner.post(
            &format!("{base}/images/{}", first["id"]),
            &[
                ("csrf", &csrf),
                ("idempotency_key", "image-key-00000003"),
                ("alt", first["alt"].as_str().unwrap()),
                ("position", "100000"),
            ],
        );
        assert_eq!(resp.status().as_u16(), 303);
    }
    assert_eq!(owner_view(&app)["images"][0]["alt"], "better words");
    let resp = owner.post(
        &format!("{base}/images/{id}/remove"),
        &[("csrf", &csrf), ("idempotency_key", "image-key-00000002")],
    );
    assert_eq!(resp.status().as_u16(), 303);
    let images = owner_view(&app)["images"].clone();
    assert_eq!(images.as_array().unwrap().len(), images_before);
    assert!(!images.to_string().contains("better words"));

    app.stop();
}

#[test]
fn the_only_variant_of_a_product_cannot_be_archived() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();

    // A product without options has one variant, which cannot be archived alone: the
    // writer's refusal is shown on the confirmation page and nothing changes.
    let (html, csrf) = owner.page_and_csrf("/admin/catalog/new");
    let key = hidden_field(&html, "idempotency_key");
    let resp = owner.post(
        "/admin/catalog/new",
        &[
            ("csrf", csrf.as_str()),
            ("idempotency_key", key.as_str()),
            ("name", "Single"),
            ("slug", "single-thing"),
            ("options", ""),
            ("price", "7"),
        ],
    );
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().unwrap());
    let single = app.admin().json("/admin/catalog/products/single-thing");
    assert_eq!(single["variants"][0]["sku"], "single-thing");
    assert_eq!(single["variants"][0]["price"]["amount"], 700);
    let archive = "/admin/catalog/products/single-thing/variants/single-thing/archive";
    let resp = owner.post(
        archive,
        &[("csrf", &csrf), ("idempotency_key", "last-variant-key-01")],
    );
    assert_eq!(resp.status().as_u16(), 409);
    assert!(resp.text().unwrap().contains(r#"role="alert""#));
    assert_eq!(
        app.admin().json("/admin/catalog/products/single-thing")["variants"][0]["archived"],
        false
    );
    app.stop();
}

/// An owner command through the admin JSON API, with its idempotency key.
fn command(app: &TestApp, path: &str, key: &str, body: Option<Value>) -> (u16, Value) {
    let resp = app
        .admin()
        .send(reqwest::Method::POST, path, Some(key), body.as_ref());
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

/// A demo product with options and at least two variants, as the admin API shows it.
fn product_with_two_variants(app: &TestApp) -> Value {
    let list = app.admin().json("/admin/catalog/products?limit=100");
    list["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            !p["options"].as_array().unwrap().is_empty()
                && p["variants"].as_array().unwrap().len() >= 2
        })
        .expect("a demo product with options and two variants")
        .clone()
}

#[test]
fn an_archived_variant_is_restored_from_the_product_page_once_its_twin_is_archived() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let demo = product_with_two_variants(&app);
    let slug = demo["slug"].as_str().unwrap();
    let base = format!("/admin/catalog/products/{slug}");
    let variant = demo["variants"][0].clone();
    let sku = variant["sku"].as_str().unwrap();
    let live = |app: &TestApp, sku: &str| {
        let view = app.admin().json(&format!("/admin/catalog/products/{slug}"));
        let v = view["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["sku"] == sku)
            .unwrap_or_else(|| panic!("{view}"))
            .clone();
        v["archived"] == false
    };

    // A variant archived, then a new one with the very same option values.
    let (status, _) = command(
        &app,
        &format!("/admin/catalog/variants/{sku}/archive"),
        "restore-test-01",
        None,
    );
    assert_eq!(status, 200);
    let twin = serde_json::json!({
        "sku": "TWIN-SKU",
        "options": variant["options"],
        "price": variant["price"],
        "stock": 1,
    });
    let (status, body) = command(
        &app,
        &format!("/admin/catalog/products/{slug}/variants"),
        "restore-test-02",
        Some(twin),
    );
    assert_eq!(status, 201, "{body}");

    // The archived variant's row has a restore button; while its twin is live the writer
    // refuses, and the refusal is shown on that form with nothing changed.
    let (html, csrf) = owner.page_and_csrf(&base);
    let action = format!("{base}/variants/{sku}/restore");
    assert!(html.contains(&format!(r#"action="{action}""#)), "{html}");
    let resp = owner.post(
        &action,
        &[("csrf", &csrf), ("idempotency_key", "restore-form-0001")],
    );
    assert_eq!(resp.status().as_u16(), 409);
    let html = resp.text().unwrap();
    assert!(html.contains(r#"role="alert""#), "{html}");
    assert!(html.contains("TWIN-SKU"), "{html}");
    assert!(!live(&app, sku));

    // With the twin archived, the same button restores it.
    let (status, _) = command(
        &app,
        "/admin/catalog/variants/TWIN-SKU/archive",
        "restore-test-03",
        None,
    );
    assert_eq!(status, 200);
    let resp = owner.post(
        &action,
        &[("csrf", &csrf), ("idempotency_key", "restore-form-0002")],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert!(live(&app, sku));

    app.stop();
    let db = open_db(dir.path());
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM catalog_history WHERE command = 'restore_variant'"
        ),
        1
    );
}

#[test]
fn an_archived_product_is_restored_from_its_page_once_a_variant_is_live() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let demo = product_with_two_variants(&app);
    let slug = demo["slug"].as_str().unwrap();
    let base = format!("/admin/catalog/products/{slug}");
    let variant = demo["variants"][0].clone();
    let sku = variant["sku"].as_str().unwrap();

    // The product archived: shoppers get a 410 Gone, the owner's page offers to restore it.
    let shop_page = format!("/products/{slug}");
    let (status, _) = command(
        &app,
        &format!("/admin/catalog/products/{slug}/archive"),
        "restore-test-04",
        None,
    );
    assert_eq!(status, 200);
    let shopper = support::client();
    let shop_status = |path: &str| shopper.get(app.url(path)).send().unwrap().status().as_u16();
    assert_eq!(shop_status(&shop_page), 410);
    let (html, csrf) = owner.page_and_csrf(&base);
    assert!(html.contains("Restore this product"), "{html}");
    assert!(!html.contains("Archive this product"), "{html}");

    // With every variant archived too there is nothing to sell: refused on the form.
    let view = app.admin().json(&format!("/admin/catalog/products/{slug}"));
    let skus: Vec<String> = view["variants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["archived"] == false)
        .map(|v| v["sku"].as_str().unwrap().to_string())
        .collect();
    for (i, s) in skus.iter().enumerate() {
        let (status, body) = command(
            &app,
            &format!("/admin/catalog/variants/{s}/archive"),
            &format!("restore-test-1{i}"),
            None,
        );
        assert_eq!(status, 200, "{body}");
    }
    let restore = format!("{base}/restore");
    let form = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "restore-form-0003"),
    ];
    let resp = owner.post(&restore, &form);
    assert_eq!(resp.status().as_u16(), 409);
    let html = resp.text().unwrap();
    assert!(html.contains("no live variant"), "{html}");
    assert_eq!(
        app.admin().json(&format!("/admin/catalog/products/{slug}"))["archived"],
        true
    );

    // One variant back (through the admin API), then the product: the shop has it again,
    // and the same form sent twice restores it once.
    let (status, body) = command(
        &app,
        &format!("/admin/catalog/variants/{sku}/restore"),
        "restore-test-05",
        None,
    );
    assert_eq!(status, 200, "{body}");
    let form = [
        ("csrf", csrf.as_str()),
        ("idempotency_key", "restore-form-0004"),
    ];
    assert_eq!(owner.post(&restore, &form).status().as_u16(), 303);
    assert_eq!(owner.post(&restore, &form).status().as_u16(), 303);
    assert_eq!(
        app.admin().json(&format!("/admin/catalog/products/{slug}"))["archived"],
        false
    );
    assert_eq!(shop_status(&shop_page), 200);

    app.stop();
    let db = open_db(dir.path());
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM catalog_history WHERE command = 'restore_product' AND actor = 'owner'"
        ),
        1
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM catalog_history WHERE command = 'restore_variant'"
        ),
        1
    );
}

#[test]
fn an_option_value_is_renamed_from_the_product_page_and_orders_keep_the_old_name() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let list = app.admin().json("/admin/catalog/products?limit=100");
    let demo = list["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["options"][0]["values"]
                .as_array()
                .is_some_and(|v| v.len() >= 2)
                && p["variants"][0]["active"] == true
                && p["variants"][0]["stock"].as_i64().unwrap_or(0) > 0
        })
        .expect("a demo product whose first option has two values")
        .clone();
    let slug = demo["slug"].as_str().unwrap();
    let base = format!("/admin/catalog/products/{slug}");
    let variant = demo["variants"][0].clone();
    let sku = variant["sku"].as_str().unwrap();
    let sold_title = variant["title"].as_str().unwrap().to_string();
    let value = variant["options"][0]["value"].as_str().unwrap().to_string();
    let values: Vec<String> = demo["options"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let j = values.iter().position(|v| *v == value).unwrap();
    let other = values.iter().find(|v| **v != value).unwrap();

    // An order of that variant: its line holds the title as sold.
    let mut body = support::order_body(slug, 1);
    body["items"] = serde_json::json!([{"sku": sku, "quantity": 1}]);
    let order = app.place("rename-order-0001", &body);
    let number = order["number"]
        .as_str()
        .unwrap_or_else(|| panic!("{order}"));
    let history_before = history(&app);

    // Nothing typed, or a value the option has already (case aside): refused at the field.
    let (html, csrf) = owner.page_and_csrf(&base);
    assert!(html.contains("Rename an option or value"), "{html}");
    let what = format!("0.{j}");
    let rename = |key: &str, what: &str, to: &str| {
        owner.post(
            &format!("{base}/options"),
            &[
                ("csrf", &csrf),
                ("idempotency_key", key),
                ("what", what),
                ("to", to),
            ],
        )
    };
    let resp = rename("rename-form-0001", &what, "  ");
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().unwrap().contains(r#"id="rename-to-error""#));
    let resp = rename("rename-form-0002", &what, &other.to_uppercase());
    assert_eq!(resp.status().as_u16(), 409);
    assert!(resp.text().unwrap().contains(r#"id="rename-to-error""#));
    assert_eq!(history(&app), history_before);

    // Renamed: the variants keep their SKUs and take the new title; the shop shows it and
    // search finds it; the order keeps what it sold.
    let resp = rename("rename-form-0003", &what, "Freshly renamed");
    assert_eq!(resp.status().as_u16(), 303, "{}", resp.text().unwrap());
    let view = app.admin().json(&format!("/admin/catalog/products/{slug}"));
    let renamed = view["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == sku)
        .unwrap_or_else(|| panic!("{view}"))
        .clone();
    assert_eq!(renamed["options"][0]["value"], "Freshly renamed");
    assert!(
        renamed["title"]
            .as_str()
            .unwrap()
            .starts_with("Freshly renamed"),
        "{renamed}"
    );
    assert!(!view["options"][0]["values"].to_string().contains(&value));
    let shop = support::client()
        .get(app.url(&format!("/products/{slug}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(shop.contains("Freshly renamed"), "{shop}");
    let found = app.admin().json("/api/search?q=freshly");
    assert!(found.to_string().contains(slug), "{found}");
    let order = app.order(number);
    assert_eq!(order["items"][0]["variant"], sold_title.as_str(), "{order}");

    // The option itself renamed; both renames are the owner's in the history.
    let resp = rename("rename-form-0004", "0", "Renamed option");
    assert_eq!(resp.status().as_u16(), 303);
    let view = app.admin().json(&format!("/admin/catalog/products/{slug}"));
    assert_eq!(view["options"][0]["name"], "Renamed option");
    assert_eq!(history(&app), history_before + 2);
    app.stop();
    let db = open_db(dir.path());
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM catalog_history WHERE command = 'rename_option' AND actor = 'owner'"
        ),
        2
    );
}

#[test]
fn an_image_needs_alt_text_its_remove_button_sits_on_it_and_one_without_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let owner = app.owner().sign_in();
    let (base, csrf) = create_product(&owner);

    // Without alt text: refused at the field, nothing written.
    let resp = upload(&owner, &base, &csrf, "alt-upload-key-01", "  ", &png());
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().unwrap();
    assert!(html.contains(r#"id="upload-alt-error""#), "{html}");
    assert!(html.contains("Describe what the picture shows"), "{html}");
    assert_eq!(product(&app)["images"], serde_json::json!([]));
    let resp = upload(&owner, &base, &csrf, "alt-upload-key-02", "A bag", &png());
    assert_eq!(resp.status().as_u16(), 303);
    let id = product(&app)["images"][0]["id"].as_i64().unwrap();

    // Emptied on the image's form: refused at its field, the alt text stays.
    let resp = owner.post(
        &format!("{base}/images/{id}"),
        &[
            ("csrf", csrf.as_str()),
            ("idempotency_key", "alt-change-key-01"),
            ("alt", ""),
            ("position", ""),
        ],
    );
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().unwrap();
    assert!(
        html.contains(&format!(r#"id="image-{id}-alt-error""#)),
        "{html}"
    );
    assert_eq!(product(&app)["images"][0]["alt"], "A bag");
    // The owner's API refuses it too.
    let r = app.admin().send(
        reqwest::Method::POST,
        &format!("/admin/catalog/products/{SLUG}/images/{id}"),
        Some("alt-change-key-02"),
        Some(&serde_json::json!({ "alt": " " })),
    );
    assert_eq!(r.status().as_u16(), 422);

    // The remove button is on the image's own card, over its thumbnail.
    let page = owner.page(&base);
    let card = page
        .split(&format!(r#"id="image-{id}">"#))
        .nth(1)
        .expect("the image's card");
    let frame = &card[..card.find("</div>").unwrap()];
    assert!(frame.contains(r#"class="thumb""#), "{frame}");
    assert!(
        frame.contains(&format!(r#"action="{base}/images/{id}/remove""#)),
        "{frame}"
    );
    assert!(!page.contains("no alt text"), "{page}");
    app.stop();

    // An image stored without alt text (before it was required) is flagged.
    open_db(dir.path())
        .execute("UPDATE product_images SET alt = ''", [])
        .unwrap();
    let app = support::start_with_admin(dir.path());
    let owner = app.owner().sign_in();
    let page = owner.page(&base);
    assert!(page.contains("1 image has no alt text"), "{page}");
    assert!(page.contains("No alt text yet: add one below."), "{page}");
    let csrf = support::office_csrf(&page);
    let key = hidden_field(
        page.split(&format!(r#"action="{base}/images/{id}/remove""#))
            .nth(1)
            .unwrap(),
        "idempotency_key",
    );
    let resp = owner.post(
        &format!("{base}/images/{id}/remove"),
        &[("csrf", csrf.as_str()), ("idempotency_key", key.as_str())],
    );
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(product(&app)["images"], serde_json::json!([]));
    app.stop();
}
