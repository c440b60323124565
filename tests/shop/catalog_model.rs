//! The catalog model through the real writer (and the real pages for rendering orders):
//! products with options and variants, ordering one variant, archiving, search, the
//! owner's commands with their idempotency and history, and refused input that writes
//! nothing.

use crate::support;

use crate::support::{TOKEN, TestApp};
use reqwest::blocking::Response;
use serde_json::{Value, json};

/// A 1 × 1 PNG.
const PNG: &str = "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da636460f85f0f0002870180eb47ba920000000049454e44ae426082";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// An owner command on the writer with `key`.
fn command(app: &TestApp, path: &str, key: &str, body: &Value) -> Response {
    support::client()
        .post(app.url(path))
        .bearer_auth(TOKEN)
        .header("idempotency-key", key)
        .header("storefront-actor", "test-owner")
        .json(body)
        .send()
        .unwrap()
}

fn upload(app: &TestApp, path: &str, key: &str, bytes: Vec<u8>) -> Response {
    support::client()
        .post(app.url(path))
        .bearer_auth(TOKEN)
        .header("idempotency-key", key)
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .unwrap()
}

fn variant(sku: &str, size: &str, grind: &str, amount: i64) -> Value {
    json!({
        "sku": sku,
        "options": [{"name": "Size", "value": size}, {"name": "Grind", "value": grind}],
        "price": {"amount": amount, "currency": "EUR"},
        "stock": 10
    })
}

fn highland_blend() -> Value {
    json!({
        "slug": "highland-blend",
        "name": "Highland Blend",
        "description": "Ethiopia and Kenya, roasted medium.",
        "options": [
            {"name": "Size", "values": ["250 g", "1 kg"]},
            {"name": "Grind", "values": ["Whole beans", "Filter"]}
        ],
        "variants": [
            variant("hb-250-wb", "250 g", "Whole beans", 1500),
            variant("hb-250-f", "250 g", "Filter", 1500),
            variant("hb-1k-wb", "1 kg", "Whole beans", 5200),
            variant("hb-1k-f", "1 kg", "Filter", 5200)
        ],
        "collections": ["coffee"]
    })
}

fn stock_by_sku(product: &Value) -> Vec<(String, i64)> {
    product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["sku"].as_str().unwrap().to_string(),
                v["stock"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn history_len(app: &TestApp) -> usize {
    app.writer_json("/admin/catalog/history?limit=100")["entries"]
        .as_array()
        .unwrap()
        .len()
}

fn product_total(app: &TestApp) -> u64 {
    app.writer_json("/catalog/products?include_archived=1")["total"]
        .as_u64()
        .unwrap()
}

fn fields(response: impl Into<support::Answered>) -> (u16, Vec<String>) {
    let response = response.into();
    let status = response.status().as_u16();
    let body: Value = response.json().unwrap();
    let fields = body["error"]["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (status, fields)
}

/// A standalone writer with the Highland Blend made by the owner's command (two options,
/// four variants): its data dir, the writer and the product as the command answered.
fn writer_with_highland_blend() -> (tempfile::TempDir, TestApp, Value) {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let created = command(
        &writer,
        "/admin/catalog/products",
        "create-1",
        &highland_blend(),
    );
    assert_eq!(created.status(), 201);
    let product = created.json().unwrap();
    (dir, writer, product)
}

/// Orders two of the Highland Blend's 1 kg / Filter variant: the order.
fn order_two_of_one_variant(writer: &TestApp) -> Value {
    let mut body = support::order_body("x", 2);
    body["items"] = json!([{"sku": "hb-1k-f", "quantity": 2}]);
    let placed = writer.place_on_writer("order-1", &body);
    assert_eq!(placed.status(), 201);
    placed.json().unwrap()
}

/// Archives the Highland Blend with the owner's command.
fn archive_highland_blend(writer: &TestApp) {
    let archived = command(
        writer,
        "/admin/catalog/products/highland-blend/archive",
        "archive-1",
        &json!({}),
    );
    assert_eq!(archived.status(), 200);
}

/// Deactivates variant `sku` with the owner's command.
fn deactivate(writer: &TestApp, sku: &str, key: &str) {
    let changed = command(
        writer,
        &format!("/admin/catalog/variants/{sku}"),
        key,
        &json!({"active": false}),
    );
    assert_eq!(changed.status(), 200);
}

/// Stops the writer, then `storefront check` finds the ledger whole.
fn stop_and_check(dir: &tempfile::TempDir, writer: TestApp) {
    assert!(writer.stop().success());
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}

#[test]
fn a_variant_is_ordered_and_only_its_stock_moves() {
    let (dir, writer, product) = writer_with_highland_blend();
    assert_eq!(product["variants"].as_array().unwrap().len(), 4);
    assert_eq!(
        product["options"][1]["values"],
        json!(["Whole beans", "Filter"])
    );
    assert_eq!(product["variants"][3]["title"], "1 kg / Filter");
    assert_eq!(product["price"]["amount"], 1500, "the lowest price");
    assert_eq!(product["collections"], json!(["coffee"]));

    // Order one variant: only its stock moves.
    let order = order_two_of_one_variant(&writer);
    assert_eq!(order["items"][0]["sku"], "hb-1k-f");
    assert_eq!(order["items"][0]["variant"], "1 kg / Filter");
    // The lines, plus shipping to the UK (an export: no VAT).
    assert_eq!(order["totals"]["subtotal"]["amount"], 10400);
    let shipping = order["totals"]["shipping"]["amount"].as_i64().unwrap();
    assert!(shipping > 0, "{order}");
    assert_eq!(order["total"]["amount"], 10400 + shipping);
    let after = writer.writer_json("/catalog/products/highland-blend");
    assert_eq!(
        stock_by_sku(&after),
        [
            ("hb-250-wb".to_string(), 10),
            ("hb-250-f".to_string(), 10),
            ("hb-1k-wb".to_string(), 10),
            ("hb-1k-f".to_string(), 8)
        ]
    );
    stop_and_check(&dir, writer);
}

#[test]
fn by_slug_the_default_variant_is_ordered_and_an_inactive_one_cannot_be() {
    let (dir, writer, _) = writer_with_highland_blend();
    // By slug: the default variant (the first active one).
    let placed = writer.place_on_writer("order-2", &support::order_body("highland-blend", 1));
    assert_eq!(placed.status(), 201);
    let order2: Value = placed.json().unwrap();
    assert_eq!(order2["items"][0]["sku"], "hb-250-wb");

    // An inactive variant cannot be ordered.
    deactivate(&writer, "hb-250-f", "deactivate");
    let mut body = support::order_body("x", 1);
    body["items"] = json!([{"sku": "hb-250-f", "quantity": 1}]);
    let (status, f) = fields(writer.place_on_writer("order-3", &body));
    assert_eq!((status, f), (422, vec!["items[0].sku".to_string()]));
    stop_and_check(&dir, writer);
}

#[test]
fn an_archived_product_is_hidden_from_shoppers_and_its_orders_still_render() {
    let (dir, writer, _) = writer_with_highland_blend();
    let order = order_two_of_one_variant(&writer);
    let number = order["number"].as_str().unwrap().to_string();
    deactivate(&writer, "hb-250-f", "deactivate");

    archive_highland_blend(&writer);
    assert_eq!(
        writer
            .writer_get("/catalog/products/highland-blend")
            .status(),
        404
    );
    let owner_view = writer.writer_json("/catalog/products/highland-blend?include_archived=1");
    assert_eq!(owner_view["archived"], true);
    let coffee = writer.writer_json("/catalog/collections/coffee?limit=100");
    assert!(
        !coffee["products"]["products"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["slug"] == "highland-blend")
    );
    let mut body = support::order_body("x", 1);
    body["items"] = json!([{"sku": "hb-250-wb", "quantity": 1}]);
    let (status, f) = fields(writer.place_on_writer("order-4", &body));
    assert_eq!((status, f), (422, vec!["items[0].sku".to_string()]));
    let old = writer.writer_json(&format!("/orders/{number}"));
    assert_eq!(old["items"][0]["name"], "Highland Blend");
    assert_eq!(old["items"][0]["sku"], "hb-1k-f");

    let pages = support::spawn(support::pages_command(&writer.base_url), dir.path()).ready();
    let page = support::as_shopper(
        support::client().get(pages.url(&format!("/orders/{number}"))),
        &number,
    )
    .send()
    .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("Highland Blend"));
    let json = pages.order(&number);
    assert_eq!(json["items"][0]["sku"], "hb-1k-f");
    drop(pages);

    // History: who did what.
    let history = writer.writer_json("/admin/catalog/history");
    let commands: Vec<&str> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        ["archive_product", "update_variant", "create_product"]
    );
    assert_eq!(history["entries"][0]["actor"], "test-owner");
    assert_eq!(
        history["entries"][1]["changes"]["active"],
        json!({"from": true, "to": false})
    );
    stop_and_check(&dir, writer);
}

#[test]
fn search_finds_prefixes_the_shortened_word_and_skus_but_no_archived_product() {
    let (dir, writer, _) = writer_with_highland_blend();
    archive_highland_blend(&writer);
    let found = writer.writer_json("/catalog/search?q=ken");
    assert_eq!(found["matched"], "ken");
    assert_eq!(found["products"]["products"][0]["slug"], "kenya-nyeri-aa");
    let found = writer.writer_json("/catalog/search?q=kenia");
    assert_eq!(found["query"], "kenia");
    assert_eq!(found["matched"], "ken");
    assert_eq!(found["products"]["products"][0]["slug"], "kenya-nyeri-aa");
    let found = writer.writer_json("/catalog/search?q=guatemala-huehuetenango-1kg-filter");
    assert_eq!(
        found["products"]["products"][0]["slug"],
        "guatemala-huehuetenango"
    );
    let found = writer.writer_json("/catalog/search?q=%22blend%22%20OR%20*");
    assert!(
        found["products"]["total"].as_u64().is_some(),
        "quotes and operators are plain words"
    );
    let archived_hidden = writer.writer_json("/catalog/search?q=highland");
    assert_eq!(archived_hidden["products"]["total"], 0);
    let (status, f) = fields(writer.writer_get("/catalog/search?q=%20"));
    assert_eq!((status, f), (422, vec!["q".to_string()]));
    stop_and_check(&dir, writer);
}

#[test]
fn an_order_by_slug_is_refused_with_its_reason_archived_nothing_active_or_unknown() {
    let (dir, writer, _) = writer_with_highland_blend();
    archive_highland_blend(&writer);
    deactivate(&writer, "kenya-nyeri-aa", "deactivate-kenya");
    for (key, slug, code, reason) in [
        ("order-5", "highland-blend", "unavailable", "no longer sold"),
        (
            "order-6",
            "kenya-nyeri-aa",
            "unavailable",
            "is not available",
        ),
        (
            "order-7",
            "no-such-thing",
            "unknown_product",
            "there is no product",
        ),
    ] {
        let refused = writer.place_on_writer(key, &support::order_body(slug, 1));
        assert_eq!(refused.status(), 422, "{slug}");
        let error = &refused.json::<Value>().unwrap()["error"];
        assert_eq!(error["code"], code, "{error}");
        assert_eq!(error["fields"][0]["field"], "items[0].slug", "{error}");
        assert!(
            error["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains(reason),
            "{error}"
        );
    }
    stop_and_check(&dir, writer);
}

#[test]
fn bad_catalog_input_is_refused_with_a_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let (products, history) = (product_total(&writer), history_len(&writer));

    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = highland_blend();
        change(&mut body);
        body
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            with(&|b| b["variants"][1]["options"][0]["value"] = json!("2 kg")),
            422,
            "variants[1].options[0].value",
        ),
        (
            with(&|b| b["variants"][1]["options"][0]["name"] = json!("Colour")),
            422,
            "variants[1].options[0].name",
        ),
        (
            with(&|b| b["variants"][2]["sku"] = json!("kenya-nyeri-aa")),
            409,
            "variants[2].sku",
        ),
        (
            with(&|b| b["variants"][2]["sku"] = json!("HB-250-WB")),
            409,
            "variants[2].sku",
        ),
        (
            with(&|b| b["variants"][0]["price"]["amount"] = json!(-1)),
            422,
            "variants[0].price.amount",
        ),
        (
            with(&|b| b["variants"][0]["price"]["currency"] = json!("USD")),
            422,
            "variants[0].price.currency",
        ),
        (with(&|b| b["name"] = json!("n".repeat(201))), 422, "name"),
        (
            with(&|b| b["name"] = json!("n".repeat(10_000))),
            422,
            "name",
        ),
        (with(&|b| b["slug"] = json!("kenya-nyeri-aa")), 409, "slug"),
        (with(&|b| b["slug"] = json!("Not A Slug")), 422, "slug"),
        (
            with(&|b| b["variants"][0]["sku"] = json!("<script>")),
            422,
            "variants[0].sku",
        ),
        (
            with(&|b| b["collections"] = json!(["no-such"])),
            422,
            "collections[0]",
        ),
    ];
    for (i, (body, status, field)) in cases.iter().enumerate() {
        let (got, fields) = fields(command(
            &writer,
            "/admin/catalog/products",
            &format!("bad-{i}"),
            body,
        ));
        assert_eq!(got, *status, "case {i}: {fields:?}");
        assert!(fields.iter().any(|f| f == field), "case {i}: {fields:?}");
    }
    assert_eq!(product_total(&writer), products);
    assert_eq!(history_len(&writer), history, "nothing was recorded");
    assert!(writer.stop().success());
}

#[test]
fn bad_commands_on_existing_catalog_entries_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let (products, history) = (product_total(&writer), history_len(&writer));

    // Commands on existing things.
    let (status, f) = fields(command(
        &writer,
        "/admin/catalog/products/ethiopia-yirgacheffe/variants",
        "bad-variant",
        &json!({"sku": "eth-x", "options": [{"name": "Roast", "value": "Dark"}, {"name": "Size", "value": "1 kg"}], "price": {"amount": 100, "currency": "EUR"}}),
    ));
    assert_eq!(status, 422);
    assert!(f.contains(&"options[0].name".to_string()), "{f:?}");
    let (status, f) = fields(command(
        &writer,
        "/admin/catalog/variants/ethiopia-yirgacheffe",
        "bad-price",
        &json!({"price": {"amount": -5, "currency": "EUR"}}),
    ));
    assert_eq!((status, f), (422, vec!["price.amount".to_string()]));
    let (status, _) = fields(command(
        &writer,
        "/admin/catalog/variants/kenya-nyeri-aa/archive",
        "last",
        &json!({}),
    ));
    assert_eq!(status, 409, "the last live variant of a live product stays");
    assert_eq!(
        command(
            &writer,
            "/admin/catalog/variants/no-such-sku",
            "unknown",
            &json!({})
        )
        .status(),
        404
    );
    let no_key = support::client()
        .post(writer.url("/admin/catalog/products"))
        .bearer_auth(TOKEN)
        .json(&highland_blend())
        .send()
        .unwrap();
    assert_eq!(no_key.status(), 400);

    assert_eq!(product_total(&writer), products);
    assert_eq!(history_len(&writer), history, "nothing was recorded");
    assert!(writer.stop().success());
}

#[test]
fn forged_and_oversized_images_are_refused_before_anything_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let (products, history) = (product_total(&writer), history_len(&writer));

    // Images: forged ones and oversized bodies are refused before anything is stored.
    let images_before = writer.writer_json("/catalog/products/milk-jug")["images"].clone();
    let path = "/admin/catalog/products/milk-jug/images?alt=Milk%20jug";
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let (status, _) = fields(upload(&writer, path, "img-html", html));
    assert_eq!(status, 415);
    let mut junk = unhex(PNG)[..16].to_vec();
    junk.extend_from_slice(&[0x42; 4000]);
    let (status, f) = fields(upload(&writer, path, "img-junk", junk));
    assert_eq!((status, f), (415, vec!["image".to_string()]));
    let big = upload(&writer, path, "img-big", vec![0x89; 2_000_000]);
    assert_eq!(big.status(), 413);

    assert_eq!(product_total(&writer), products);
    assert_eq!(history_len(&writer), history, "nothing was recorded");
    let milk = writer.writer_json("/catalog/products/milk-jug");
    assert_eq!(milk["images"], images_before);
    assert!(writer.stop().success());
}

#[test]
fn an_image_uploaded_to_the_writer_round_trips_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let images_before = writer.writer_json("/catalog/products/milk-jug")["images"].clone();
    let path = "/admin/catalog/products/milk-jug/images?alt=Milk%20jug";
    // A real image round-trips byte for byte.
    let added = upload(&writer, path, "img-ok", unhex(PNG));
    assert_eq!(added.status(), 201);
    let product: Value = added.json().unwrap();
    let images = product["images"].as_array().unwrap();
    assert_eq!(images.len(), images_before.as_array().unwrap().len() + 1);
    let image = images.last().unwrap();
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(image["alt"], "Milk jug");
    let hash = image["hash"].as_str().unwrap();
    let served = writer.writer_get(&format!("/catalog/images/{hash}"));
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().unwrap().to_vec(), unhex(PNG));
    assert_eq!(
        writer
            .writer_get(&format!("/catalog/images/{}", "0".repeat(64)))
            .status(),
        404
    );
    assert!(writer.stop().success());
}

#[test]
fn a_repeated_command_is_answered_not_applied_again() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let body = json!({"slug": "subscriptions", "name": "Subscriptions", "description": "Coffee every month."});
    let first = command(&writer, "/admin/catalog/collections", "coll-1", &body);
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().unwrap();
    let again = command(&writer, "/admin/catalog/collections", "coll-1", &body);
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().unwrap(), first);
    let other = command(
        &writer,
        "/admin/catalog/collections",
        "coll-1",
        &json!({"slug": "other", "name": "Other"}),
    );
    assert_eq!(other.status(), 422);
    assert_eq!(
        other.json::<Value>().unwrap()["error"]["code"],
        "idempotency_key_reused"
    );
    assert_eq!(history_len(&writer), 1);

    // Membership, then a variant added with a new option value.
    let added = command(
        &writer,
        "/admin/catalog/collections/subscriptions/products",
        "member-1",
        &json!({"product": "kenya-nyeri-aa"}),
    );
    assert_eq!(added.status(), 200);
    let page: Value = added.json().unwrap();
    assert_eq!(page["collection"]["product_count"], 1);
    assert_eq!(page["products"]["products"][0]["slug"], "kenya-nyeri-aa");
    let added = command(
        &writer,
        "/admin/catalog/products/decaf-sugarcane/variants",
        "variant-1",
        &json!({"sku": "decaf-sugarcane-moka", "options": [{"name": "grind", "value": "Moka pot"}], "price": {"amount": 1390, "currency": "EUR"}, "stock": 5}),
    );
    assert_eq!(added.status(), 201);
    let decaf: Value = added.json().unwrap();
    assert_eq!(
        decaf["options"][0]["values"],
        json!(["Whole beans", "Filter", "Espresso", "Moka pot"])
    );
    let found = writer.writer_json("/catalog/search?q=moka");
    assert_eq!(found["products"]["products"][0]["slug"], "decaf-sugarcane");
    let restock = command(
        &writer,
        "/admin/catalog/variants/decaf-sugarcane-moka/stock",
        "stock-1",
        &json!({"delta": 3, "reason": "roasted"}),
    );
    assert_eq!(restock.status(), 201);
    assert_eq!(restock.json::<Value>().unwrap()["stock"], 8);
    assert_eq!(
        history_len(&writer),
        3,
        "stock adjustments have their own ledger"
    );
    assert!(writer.stop().success());
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}

#[test]
fn renaming_a_product_or_collection_records_what_changed_and_search_follows() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let renamed = command(
        &writer,
        "/admin/catalog/products/kenya-nyeri-aa",
        "rename-1",
        &json!({"name": "Kenya Gatomboya AA", "position": 5}),
    );
    assert_eq!(renamed.status(), 200);
    let renamed: Value = renamed.json().unwrap();
    assert_eq!(renamed["name"], "Kenya Gatomboya AA");
    let found = writer.writer_json("/catalog/search?q=gatomb");
    assert_eq!(found["products"]["products"][0]["slug"], "kenya-nyeri-aa");

    let bad = command(
        &writer,
        "/admin/catalog/collections/coffee",
        "rename-2",
        &json!({"name": ""}),
    );
    assert_eq!(fields(bad), (422, vec!["name".to_string()]));
    let collection = command(
        &writer,
        "/admin/catalog/collections/coffee",
        "rename-3",
        &json!({"description": "Roasted every Tuesday."}),
    );
    assert_eq!(collection.status(), 200);
    let list = writer.writer_json("/catalog/collections");
    let coffee = list["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "coffee")
        .unwrap();
    assert_eq!(coffee["description"], "Roasted every Tuesday.");

    let history = writer.writer_json("/admin/catalog/history");
    let entries = history["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "the refused rename wrote nothing");
    assert_eq!(entries[0]["command"], "update_collection");
    assert_eq!(
        entries[0]["changes"]["description"]["to"],
        "Roasted every Tuesday."
    );
    assert!(
        entries[0]["changes"].get("name").is_none(),
        "name unchanged"
    );
    assert_eq!(entries[1]["command"], "update_product");
    assert_eq!(
        entries[1]["changes"]["name"],
        json!({"from": "Kenya Nyeri AA", "to": "Kenya Gatomboya AA"})
    );
    assert!(entries[1]["changes"]["position"]["to"] == 5);
    assert!(writer.stop().success());
}

/// The catalog's list and a collection's page, each read whole and with `fields`: for each,
/// its path and the two lists of products, product for product (the totals, and a
/// collection's own fields, checked equal here).
fn beside_full_lists(
    writer: &TestApp,
    fields: &str,
) -> Vec<(&'static str, Vec<Value>, Vec<Value>)> {
    [
        "/catalog/products?limit=100",
        "/catalog/collections/coffee?limit=100",
    ]
    .into_iter()
    .map(|path| {
        let full = writer.writer_json(path);
        let light = writer.writer_json(&format!("{path}&fields={fields}"));
        let (full, light) = match path.contains("collections") {
            true => {
                assert_eq!(light["collection"], full["collection"]);
                (&full["products"], &light["products"])
            }
            false => (&full, &light),
        };
        assert_eq!(light["total"], full["total"]);
        let (full, light) = (
            full["products"].as_array().unwrap().clone(),
            light["products"].as_array().unwrap().clone(),
        );
        assert_eq!(light.len(), full.len());
        assert!(!light.is_empty());
        (path, full, light)
    })
    .collect()
}

/// `fields=card`: the catalog pages' lighter list carries every product, price, stock,
/// option name and variant SKU of the full list, and leaves out what only a product page
/// needs.
#[test]
fn card_lists_keep_what_a_card_shows_and_leave_out_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    for (_, full, cards) in beside_full_lists(&writer, "card") {
        for (card, product) in cards.iter().zip(&full) {
            for key in ["slug", "name", "price", "stock", "options"] {
                assert_eq!(card[key], product[key], "{key}");
            }
            assert_eq!(card["images"][0], product["images"][0]);
            for (v, full_v) in card["variants"]
                .as_array()
                .unwrap()
                .iter()
                .zip(product["variants"].as_array().unwrap())
            {
                for key in ["sku", "price", "stock", "active"] {
                    assert_eq!(v[key], full_v[key], "{key}");
                }
                assert!(v.get("options").is_none() && v.get("title").is_none());
            }
            assert!(card.get("description").is_none() && card.get("collections").is_none());
        }
    }
    let refused = writer.writer_get("/catalog/products?fields=everything");
    assert_eq!(refused.status(), 422);
}

/// `fields=tile`: what a catalog page's card shows, with the choices the variants imply
/// made by the writer, agrees with the full list product by product: "from" exactly
/// when the active variants' prices differ, the add-to-cart SKU (the first active
/// variant's) only for a product without options, the main picture.
#[test]
fn tiles_say_what_the_full_list_implies_for_each_card() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    for (path, full, tiles) in beside_full_lists(&writer, "tile") {
        let (mut with_options, mut from, mut plain) = (0, 0, 0);
        for (tile, product) in tiles.iter().zip(&full) {
            for key in ["slug", "name", "price", "stock"] {
                assert_eq!(tile[key], product[key], "{key}");
            }
            let active: Vec<&Value> = product["variants"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| v["active"] == true)
                .collect();
            let differ = active.iter().any(|v| v["price"] != active[0]["price"]);
            assert_eq!(tile["prices_differ"], differ, "{}", product["slug"]);
            let has_options = !product["options"].as_array().unwrap().is_empty();
            assert_eq!(tile["has_options"], has_options);
            match has_options {
                true => assert!(tile.get("sku").is_none(), "{tile}"),
                false => assert_eq!(tile["sku"], active[0]["sku"]),
            }
            assert_eq!(tile["image"], product["images"][0]);
            for key in ["options", "variants", "images", "description"] {
                assert!(tile.get(key).is_none(), "{key} in {tile}");
            }
            with_options += usize::from(has_options);
            from += usize::from(differ);
            plain += usize::from(!has_options);
        }
        assert!(
            with_options > 0 && from > 0 && plain > 0,
            "{path}: every kind of card"
        );
    }
}
