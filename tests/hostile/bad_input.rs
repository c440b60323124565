//! Every kind of bad input gets a clear 4xx with a JSON or HTML error and writes nothing.

use crate::support;

use serde_json::{Value, json};

#[test]
fn bad_api_orders_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let stock_before = app.stock();
    let good = support::order_body("french-press", 1);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    let fifty_one: Vec<Value> = (0..51)
        .map(|i| json!({"slug": format!("p{i}"), "quantity": 1}))
        .collect();
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "unknown product",
            with(&|v| v["items"][0]["slug"] = json!("no-such-product")),
            422,
            "unknown_product",
        ),
        (
            "negative quantity",
            with(&|v| v["items"][0]["quantity"] = json!(-1)),
            422,
            "invalid_request",
        ),
        (
            "zero quantity",
            with(&|v| v["items"][0]["quantity"] = json!(0)),
            422,
            "invalid_request",
        ),
        (
            "quantity over 99",
            with(&|v| v["items"][0]["quantity"] = json!(100)),
            422,
            "invalid_request",
        ),
        (
            "absurd quantity",
            with(&|v| v["items"][0]["quantity"] = json!(1_000_000_000_000_i64)),
            422,
            "invalid_request",
        ),
        (
            "quantity as text",
            with(&|v| v["items"][0]["quantity"] = json!("two")),
            422,
            "invalid_request",
        ),
        (
            "fractional quantity",
            with(&|v| v["items"][0]["quantity"] = json!(1.5)),
            422,
            "invalid_request",
        ),
        (
            "no items",
            with(&|v| v["items"] = json!([])),
            422,
            "invalid_request",
        ),
        (
            "51 lines",
            with(&|v| v["items"] = json!(fifty_one)),
            422,
            "invalid_request",
        ),
        (
            "duplicate lines",
            with(
                &|v| v["items"] = json!([{"slug": "french-press", "quantity": 1}, {"slug": "french-press", "quantity": 1}]),
            ),
            422,
            "invalid_request",
        ),
        (
            "bad email",
            with(&|v| v["email"] = json!("nobody")),
            422,
            "invalid_request",
        ),
        (
            "missing name",
            with(&|v| v["name"] = json!("  ")),
            422,
            "invalid_request",
        ),
        (
            "bad country",
            with(&|v| v["address"]["country"] = json!("Germany")),
            422,
            "invalid_request",
        ),
        (
            "missing address",
            with(&|v| {
                v.as_object_mut().unwrap().remove("address");
            }),
            422,
            "invalid_request",
        ),
        (
            "client-sent price is ignored, not trusted",
            with(&|v| v["items"][0]["unit_price"] = json!({"amount": 1, "currency": "EUR"})),
            0,
            "",
        ),
        (
            "sold out",
            with(&|v| v["items"][0]["slug"] = json!("stoneware-mug")),
            409,
            "insufficient_stock",
        ),
        (
            "more than in stock",
            with(&|v| v["items"] = json!([{"slug": "kenya-nyeri-aa", "quantity": 99}])),
            409,
            "insufficient_stock",
        ),
    ];
    for (i, (what, body, status, code)) in cases.iter().enumerate() {
        if *status == 0 {
            continue;
        }
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
    let stock_line = app
        .post_order(Some("bad-stock"), &cases[16].1)
        .json::<Value>()
        .unwrap();
    assert!(
        stock_line["error"]["message"]
            .as_str()
            .unwrap()
            .contains("left"),
        "{stock_line}"
    );

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

    // The price a client sends is ignored: the order is priced from the catalog.
    let priced = app.post_order(Some("priced"), &cases[14].1);
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
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{what}"
        );
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
