//! The variant a shopper chooses is the variant they buy: the writer resolves chosen option
//! values to a variant (or a 422 naming the field, in plain words), the product page's
//! one form carries the values with "Add to cart", sold-out values are marked and cannot
//! be added, adding more than the shelf holds puts what is there, and coffee sold by weight
//! shows its price per kg, computed by the writer from the variant's net quantity.

use crate::support::{self, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const ETHIOPIA: &str = "/products/ethiopia-yirgacheffe";

/// The writer's answer to the chosen `query` of Ethiopia Yirgacheffe: status and JSON.
fn resolve(writer: &TestApp, query: &str) -> (u16, Value) {
    let answer = writer.writer_get(&format!(
        "/catalog/products/ethiopia-yirgacheffe/variant?{query}"
    ));
    let status = answer.status().as_u16();
    (status, answer.json().unwrap())
}

/// The fields a 422 names, with their messages.
fn fields(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// An owner's command on the writer with `key`.
fn command(writer: &TestApp, path: &str, key: &str, body: &Value) -> u16 {
    support::client()
        .post(writer.url(path))
        .bearer_auth(support::TOKEN)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn the_writer_resolves_chosen_values_or_names_the_field_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());

    let (status, variant) = resolve(&writer, "Size=1+kg&Grind=Filter");
    assert_eq!(status, 200, "{variant}");
    assert_eq!(variant["sku"], "ethiopia-yirgacheffe-1kg-filter");
    assert_eq!(variant["price"]["amount"], 4990);

    // A value the option does not have: at that option's field.
    let (status, body) = resolve(&writer, "Size=2+kg&Grind=Filter");
    assert_eq!(status, 422, "{body}");
    let named = fields(&body);
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0].0, "options.Size");
    assert!(named[0].1.contains("does not come in “2 kg”"), "{named:?}");

    // An option not chosen, and one the product does not have.
    let (status, body) = resolve(&writer, "Size=1+kg&Colour=Red");
    assert_eq!(status, 422);
    let named = fields(&body);
    assert!(named.contains(&("options.Grind".into(), "Please choose a grind.".into())));
    assert!(
        named.iter().any(|(f, _)| f == "options.Colour"),
        "{named:?}"
    );

    // A combination no live variant has (its variant archived), and an inactive one.
    assert_eq!(
        command(
            &writer,
            "/admin/catalog/variants/ethiopia-yirgacheffe-1kg-espresso/archive",
            "archive-1",
            &json!({})
        ),
        200
    );
    let (status, body) = resolve(&writer, "Size=1+kg&Grind=Espresso");
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "no_such_variant");
    assert_eq!(
        fields(&body),
        [(
            "options".to_string(),
            "Ethiopia Yirgacheffe does not come as 1 kg / Espresso. Please choose another combination."
                .to_string()
        )]
    );
    assert_eq!(
        command(
            &writer,
            "/admin/catalog/variants/ethiopia-yirgacheffe-250g-espresso",
            "off-1",
            &json!({"active": false})
        ),
        200
    );
    let (status, body) = resolve(&writer, "Size=250+g&Grind=Espresso");
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "unavailable");
    assert_eq!(fields(&body)[0].0, "options");

    // Unknown product: 404. Resolving never writes: the history holds the two commands
    // above and nothing else.
    assert_eq!(
        writer
            .writer_get("/catalog/products/no-such-coffee/variant?Size=1+kg")
            .status(),
        404
    );
    let history = writer.writer_json("/admin/catalog/history?limit=100");
    assert_eq!(history["entries"].as_array().unwrap().len(), 2, "{history}");
    assert!(writer.stop().success());
}

/// The CSRF token of the product page a shopper opened.
fn product_page_csrf(shopper: &support::Shopper<'_>, path: &str) -> String {
    support::hidden_field(&shopper.page(path), "csrf")
}

/// Opens Ethiopia Yirgacheffe's page and presses "Add to cart" with `size` and `grind`
/// chosen in its selects and `quantity` typed: the answer.
fn add_chosen(
    shopper: &support::Shopper<'_>,
    size: &str,
    grind: &str,
    quantity: &str,
) -> reqwest::blocking::Response {
    let csrf = product_page_csrf(shopper, ETHIOPIA);
    shopper.post(
        "/cart/add",
        &[
            ("csrf", csrf.as_str()),
            ("slug", "ethiopia-yirgacheffe"),
            ("option.Size", size),
            ("option.Grind", grind),
            ("quantity", quantity),
        ],
    )
}

#[test]
fn add_to_cart_buys_the_chosen_values_without_show_and_refuses_what_cannot_be_sold() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let shopper = app.shopper();

    // The page shows its default (250 g / Whole beans); 1 kg / Filter is chosen in the
    // selects and "Add to cart" pressed, never "Show".
    let page = shopper.page(ETHIOPIA);
    assert!(
        page.contains("name=\"option.Size\""),
        "the selects are in the buy form"
    );
    assert!(page.contains("€14.50"));
    let csrf = support::hidden_field(&page, "csrf");
    let chosen = [
        ("csrf", csrf.as_str()),
        ("slug", "ethiopia-yirgacheffe"),
        ("option.Size", "1 kg"),
        ("option.Grind", "Filter"),
        ("quantity", "1"),
    ];
    let added = shopper.post("/cart/add", &chosen);
    assert_eq!(added.status(), 303);
    assert_eq!(added.headers()["location"], "/cart");
    let cart = shopper.page("/cart");
    assert!(cart.contains("1 kg / Filter"), "{cart}");
    assert!(cart.contains("€49.90"), "{cart}");
    assert!(!cart.contains("250 g / Whole beans"), "{cart}");

    // "Show" adds nothing: it shows the chosen variant.
    let csrf = product_page_csrf(&shopper, ETHIOPIA);
    let shown = shopper.post(
        "/cart/add",
        &[
            ("csrf", csrf.as_str()),
            ("slug", "ethiopia-yirgacheffe"),
            ("option.Size", "1 kg"),
            ("option.Grind", "Espresso"),
            ("quantity", ""),
            ("show", "1"),
        ],
    );
    assert_eq!(shown.status(), 303);
    assert_eq!(
        shown.headers()["location"],
        "/products/ethiopia-yirgacheffe?Size=1+kg&Grind=Espresso"
    );

    // A value no variant has: back to the page with it chosen, the cart unchanged.
    let unknown = add_chosen(&shopper, "2 kg", "Filter", "1");
    assert_eq!(unknown.status(), 303);
    let cart_cookie = unknown
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("cart="));
    assert!(!cart_cookie, "the cart changed");
    let location = unknown.headers()["location"].to_str().unwrap().to_string();
    let page = shopper.page(&location);
    assert!(page.contains("This combination is not available"), "{page}");
    assert!(page.contains("aria-describedby=\"choice-note\""));

    // Every Espresso variant sold out: marked in the select, and not added.
    app.admin().sell_out("ethiopia-yirgacheffe", "Espresso");
    let page = shopper.page(ETHIOPIA);
    assert!(page.contains(">Espresso (sold out)</option>"), "{page}");
    assert!(page.contains(">Filter</option>"));
    let csrf = support::hidden_field(&page, "csrf");
    let sold_out = shopper.post(
        "/cart/add",
        &[
            ("csrf", csrf.as_str()),
            ("slug", "ethiopia-yirgacheffe"),
            ("option.Size", "250 g"),
            ("option.Grind", "Espresso"),
            ("quantity", "1"),
        ],
    );
    assert_eq!(sold_out.status(), 303);
    let location = sold_out.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        "/products/ethiopia-yirgacheffe?Size=250+g&Grind=Espresso"
    );
    assert!(shopper.page(&location).contains("that choice is sold out"));
    let cart = shopper.page("/cart");
    assert!(!cart.contains("Espresso"), "{cart}");
}

#[test]
fn adding_more_than_the_shelf_holds_puts_what_is_there_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let shopper = app.shopper();
    let product = app.json("/api/products/ethiopia-yirgacheffe");
    let filter_1kg = product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["title"] == "1 kg / Filter")
        .unwrap()
        .clone();
    let shelf = filter_1kg["stock"].as_i64().unwrap();
    assert!((1..50).contains(&shelf));

    let added = add_chosen(&shopper, "1 kg", "Filter", "60");
    assert_eq!(added.status(), 303);
    let cart = shopper.page("/cart");
    assert!(
        cart.contains(&format!("Only {shelf} left; we put {shelf} in your cart.")),
        "{cart}"
    );
    assert!(
        cart.contains(&format!("name=\"quantity\" value=\"{shelf}\"")),
        "{cart}"
    );
    // At once: nothing left to fix.
    assert!(!cart.contains("Set to"), "{cart}");

    // Once more: still what is there, said again.
    add_chosen(&shopper, "1 kg", "Filter", "1");
    let cart = shopper.page("/cart");
    assert!(cart.contains(&format!("name=\"quantity\" value=\"{shelf}\"")));
    assert!(cart.contains(&format!("Only {shelf} left")));
}

#[test]
fn coffee_sold_by_weight_shows_its_price_per_kg_computed_by_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());

    // The writer computes it from the net quantity (migration 0021 set the coffees').
    let product = app.json("/api/products/ethiopia-yirgacheffe");
    let by_title = |title: &str| {
        product["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["title"] == title)
            .unwrap()
            .clone()
    };
    assert_eq!(by_title("250 g / Whole beans")["net_grams"], 250);
    assert_eq!(
        by_title("250 g / Whole beans")["price_per_kg"],
        json!({"amount": 5800, "currency": "EUR"})
    );
    assert_eq!(by_title("1 kg / Filter")["price_per_kg"]["amount"], 4990);
    // Gear is not sold by weight: no unit price.
    let dripper = app.json("/api/products/ceramic-dripper");
    assert!(
        dripper["variants"][0].get("price_per_kg").is_none(),
        "{dripper}"
    );
    assert!(dripper.get("price_per_kg").is_none());

    // Card (the "from" price's), product page, cart line.
    let shopper = app.shopper();
    let catalog = shopper.page("/");
    assert!(catalog.contains("€58.00 / kg"), "the card's unit price");
    let page = shopper.page(&format!("{ETHIOPIA}?Size=1+kg&Grind=Filter"));
    assert!(page.contains("€49.90 / kg"), "{page}");
    let csrf = support::hidden_field(&page, "csrf");
    shopper.post(
        "/cart/add",
        &[
            ("csrf", csrf.as_str()),
            ("slug", "ethiopia-yirgacheffe"),
            ("option.Size", "1 kg"),
            ("option.Grind", "Filter"),
            ("quantity", "1"),
        ],
    );
    assert!(shopper.page("/cart").contains("€49.90 / kg"));

    // The owner sets a net quantity (admin JSON API), half-up rounding: 1,450 / 0.3 kg =
    // 4,833.33… → €48.33; a bad one is refused at its field and changes nothing.
    let sku = by_title("250 g / Filter")["sku"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/admin/catalog/variants/{sku}");
    let changed = app.admin().send(
        Method::POST,
        &path,
        Some("net-1"),
        Some(&json!({"net_grams": 300})),
    );
    assert_eq!(changed.status(), 200);
    let refused = app.admin().send(
        Method::POST,
        &path,
        Some("net-2"),
        Some(&json!({"net_grams": -5})),
    );
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "net_grams");
    let product = app.json("/api/products/ethiopia-yirgacheffe");
    let variant = product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == sku.as_str())
        .unwrap();
    assert_eq!(variant["net_grams"], 300);
    assert_eq!(variant["price_per_kg"]["amount"], 4833);
}
