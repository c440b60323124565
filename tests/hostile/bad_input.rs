//! Every kind of bad input gets a clear 4xx with a JSON or HTML error and writes nothing.

use crate::support;

use serde_json::{Value, json};

/// A valid order for one French press, changed by `change`.
fn order_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut v = support::order_body("french-press", 1);
    change(&mut v);
    v
}

/// Sends each `(what, body, status, code)` case to a fresh shop through the public API:
/// each is refused with its status, a JSON error with its code and a message, and none
/// reserves stock or writes a row.
fn refused_and_nothing_written(cases: &[(&str, Value, u16, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let stock_before = app.stock();
    for (i, (what, body, status, code)) in cases.iter().enumerate() {
        let response = app.post_order(Some(&format!("bad-{i}")), body);
        assert_eq!(response.status().as_u16(), *status, "{what}");
        let error: Value = response
            .json()
            .unwrap_or_else(|e| panic!("{what}: JSON error body: {e}"));
        assert_eq!(error["error"]["code"], *code, "{what}: {error}");
        assert!(
            !error["error"]["message"].as_str().unwrap().is_empty(),
            "{what}"
        );
    }
    assert_eq!(app.stock(), stock_before, "no refused order reserved stock");
    drop(app);
    assert_eq!(support::ledger_counts(dir.path()), support::ledger_of(0));
}

#[test]
fn bad_api_orders_are_refused_and_write_nothing_bad_lines() {
    let fifty_one: Vec<Value> = (0..51)
        .map(|i| json!({"slug": format!("p{i}"), "quantity": 1}))
        .collect();
    let invalid =
        |what, change: &dyn Fn(&mut Value)| (what, order_with(change), 422, "invalid_request");
    refused_and_nothing_written(&[
        (
            "unknown product",
            order_with(|v| v["items"][0]["slug"] = json!("no-such-product")),
            422,
            "unknown_product",
        ),
        invalid("negative quantity", &|v| {
            v["items"][0]["quantity"] = json!(-1)
        }),
        invalid("zero quantity", &|v| v["items"][0]["quantity"] = json!(0)),
        invalid("quantity over 99", &|v| {
            v["items"][0]["quantity"] = json!(100)
        }),
        invalid("absurd quantity", &|v| {
            v["items"][0]["quantity"] = json!(1_000_000_000_000_i64)
        }),
        invalid("quantity as text", &|v| {
            v["items"][0]["quantity"] = json!("two")
        }),
        invalid("fractional quantity", &|v| {
            v["items"][0]["quantity"] = json!(1.5)
        }),
        invalid("no items", &|v| v["items"] = json!([])),
        invalid("51 lines", &|v| v["items"] = json!(fifty_one)),
        invalid(
            "duplicate lines",
            &|v| v["items"] = json!([{"slug": "french-press", "quantity": 1}, {"slug": "french-press", "quantity": 1}]),
        ),
    ]);
}

#[test]
fn bad_api_orders_are_refused_and_write_nothing_bad_customer() {
    let invalid =
        |what, change: &dyn Fn(&mut Value)| (what, order_with(change), 422, "invalid_request");
    refused_and_nothing_written(&[
        invalid("bad email", &|v| v["email"] = json!("nobody")),
        invalid("missing name", &|v| v["name"] = json!("  ")),
        invalid("bad country", &|v| {
            v["address"]["country"] = json!("Germany")
        }),
        invalid("missing address", &|v| {
            v.as_object_mut().unwrap().remove("address");
        }),
    ]);
}

#[test]
fn bad_api_orders_are_refused_and_write_nothing_out_of_stock() {
    let more_than_in_stock =
        order_with(|v| v["items"] = json!([{"slug": "kenya-nyeri-aa", "quantity": 99}]));
    refused_and_nothing_written(&[
        (
            "sold out",
            order_with(|v| v["items"][0]["slug"] = json!("stoneware-mug")),
            409,
            "insufficient_stock",
        ),
        (
            "more than in stock",
            more_than_in_stock.clone(),
            409,
            "insufficient_stock",
        ),
    ]);
    // The message says how many are left.
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let stock_line = app
        .post_order(Some("bad-stock"), &more_than_in_stock)
        .json::<Value>()
        .unwrap();
    assert!(
        stock_line["error"]["message"]
            .as_str()
            .unwrap()
            .contains("left"),
        "{stock_line}"
    );
}

#[test]
fn bad_api_orders_are_refused_and_write_nothing_bad_bodies_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let stock_before = app.stock();
    let good = support::order_body("french-press", 1);
    let raw = |body: Vec<u8>, key: Option<&str>| {
        let mut r = support::client()
            .post(app.url("/api/orders"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(k) = key {
            r = r.header("idempotency-key", k);
        }
        r.send().unwrap()
    };
    let malformed = raw(b"{\"email\": ".to_vec(), Some("bad-json"));
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        malformed.json::<Value>().unwrap()["error"]["code"],
        "malformed_json"
    );
    let huge = raw(vec![b' '; 2 << 20], Some("bad-huge"));
    assert_eq!(huge.status(), 413);
    assert_eq!(
        huge.json::<Value>().unwrap()["error"]["code"],
        "body_too_large"
    );
    let big = raw(vec![b' '; 70 * 1024], Some("bad-big"));
    assert_eq!(big.status(), 413);
    assert_eq!(
        big.json::<Value>().unwrap()["error"]["code"],
        "body_too_large"
    );
    let long_key = raw(serde_json::to_vec(&good).unwrap(), Some(&"k".repeat(300)));
    assert_eq!(long_key.status(), 400);
    assert_eq!(raw(serde_json::to_vec(&good).unwrap(), None).status(), 400);
    assert_eq!(app.stock(), stock_before, "no refused order reserved stock");
    drop(app);
    assert_eq!(support::ledger_counts(dir.path()), support::ledger_of(0));
}

#[test]
fn bad_api_orders_are_refused_and_write_nothing_but_a_client_sent_price_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let stock_before = app.stock();
    // The price a client sends is ignored: the order is priced from the catalog.
    let body =
        order_with(|v| v["items"][0]["unit_price"] = json!({"amount": 1, "currency": "EUR"}));
    let priced = app.post_order(Some("priced"), &body);
    assert_eq!(priced.status(), 201);
    let priced: Value = priced.json().unwrap();
    assert_ne!(priced["items"][0]["unit_price"]["amount"], 1);

    let mut expected = stock_before.clone();
    *expected.get_mut("french-press").unwrap() -= 1;
    assert_eq!(
        app.stock(),
        expected,
        "only the one valid order reserved stock"
    );
    drop(app);
    assert_eq!(support::ledger_counts(dir.path()), support::ledger_of(1));
}

#[test]
fn bad_form_posts_are_refused_with_html_errors() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let browser = support::client();
    let home = browser.get(app.url("/")).send().unwrap().text().unwrap();
    let csrf = support::hidden_field(&home, "csrf");
    let post =
        |path: &str, form: &[(&str, &str)]| browser.post(app.url(path)).form(form).send().unwrap();

    /// (what, path, form fields, expected status)
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, u16);
    let cases: Vec<Case> = vec![
        (
            "no csrf",
            "/cart/add",
            vec![("slug", "french-press"), ("quantity", "1")],
            403,
        ),
        (
            "forged csrf",
            "/cart/add",
            vec![
                ("slug", "french-press"),
                ("quantity", "1"),
                ("csrf", "Zm9yZ2Vk"),
            ],
            403,
        ),
        (
            "negative quantity",
            "/cart/add",
            vec![
                ("slug", "french-press"),
                ("quantity", "-5"),
                ("csrf", &csrf),
            ],
            400,
        ),
        (
            "absurd quantity",
            "/cart/add",
            vec![
                ("slug", "french-press"),
                ("quantity", "99999999999999999999"),
                ("csrf", &csrf),
            ],
            400,
        ),
        (
            "not a number",
            "/cart/add",
            vec![
                ("slug", "french-press"),
                ("quantity", "lots"),
                ("csrf", &csrf),
            ],
            400,
        ),
        (
            "unknown product",
            "/cart/add",
            vec![
                ("slug", "no-such-product"),
                ("quantity", "1"),
                ("csrf", &csrf),
            ],
            404,
        ),
        (
            "checkout without csrf",
            "/checkout",
            vec![("email", "a@b.co")],
            403,
        ),
    ];
    for (what, path, form, status) in cases {
        let r = post(path, &form);
        assert_eq!(r.status().as_u16(), status, "{what}");
        assert!(support::content_type(&r).starts_with("text/html"), "{what}");
        assert!(r.text().unwrap().contains("<title>"), "{what}: a full page");
    }
    let wrong_method = browser.delete(app.url("/cart")).send().unwrap();
    assert_eq!(wrong_method.status(), 405);
    let api_wrong_method = browser.delete(app.url("/api/products")).send().unwrap();
    assert_eq!(api_wrong_method.status(), 405);
    assert_eq!(
        api_wrong_method.json::<Value>().unwrap()["error"]["code"],
        "method_not_allowed"
    );
    drop(app);
    assert_eq!(support::count(&support::open_db(dir.path()), "orders"), 0);
}
