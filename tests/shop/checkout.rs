//! A shopper goes from the catalog to a confirmed order in the browser (forms, cookies,
//! redirects, no JavaScript) and through the JSON API; orders are idempotent.

use crate::support;

use serde_json::Value;

const SLUG: &str = "french-press";

#[test]
fn html_checkout_from_catalog_to_order_page() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let before = app.stock()[SLUG];
    let browser = app.shopper();

    let (csrf, added) = browser.add_to_cart(SLUG, "1");
    assert_eq!(added.status(), 303);
    assert!(
        added.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/cart")
    );
    let updated = browser.post(
        "/cart/update",
        &[("slug", SLUG), ("quantity", "2"), ("csrf", &csrf)],
    );
    assert_eq!(updated.status(), 303);
    let cart = browser.get("/cart");
    assert_eq!(cart.status(), 200);
    let cart = cart.text().unwrap();
    let product: Value = browser
        .get(&format!("/api/products/{SLUG}"))
        .json()
        .unwrap();
    let unit = product["price"]["amount"].as_i64().unwrap();
    let total = support::decimal(unit * 2);
    assert!(cart.contains(&total), "cart shows the line total {total}");

    let checkout = browser.get("/checkout").text().unwrap();
    let csrf = support::hidden_field(&checkout, "csrf");
    let key = support::hidden_field(&checkout, "idempotency_key");
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("email", "grace@example.com"),
        ("name", "Grace Hopper"),
        ("address.line1", "1 Compiler Way"),
        ("address.line2", ""),
        ("address.city", "Arlington"),
        ("address.postal_code", "22201"),
        ("address.country", "US"),
        ("address.state", "VA"),
        ("terms", "yes"),
    ];
    // A bad field shows the form again (after a 303) with a message next to it, and
    // places nothing.
    form[2] = ("email", "not-an-email");
    let invalid = browser.checkout_shows(&form);
    assert_eq!(invalid.status(), 422);
    assert!(invalid.text().unwrap().contains("not a valid email"));
    assert_eq!(app.stock()[SLUG], before);

    form[2] = ("email", "grace@example.com");
    let placed = browser.post("/checkout", &form);
    assert_eq!(placed.status(), 303);
    support::keep_order_cookie(&placed);
    let location = placed.headers()["location"].to_str().unwrap().to_string();
    // Straight on to the payment step (test-mode provider locally).
    assert!(
        location.starts_with("/orders/SF-") && location.ends_with("/pay"),
        "{location}"
    );
    let number = location
        .trim_start_matches("/orders/")
        .trim_end_matches("/pay");
    let payment_step = browser.get(&location);
    assert_eq!(payment_step.status(), 200);
    assert!(payment_step.text().unwrap().contains("TEST MODE"));

    let page = browser.get(&format!("/orders/{number}"));
    assert_eq!(page.status(), 200);
    let page = page.text().unwrap();
    assert!(page.contains(number) && page.contains("Awaiting payment"));
    assert!(page.contains(&total));
    assert_eq!(app.stock()[SLUG], before - 2, "stock reserved");

    let json = app.order(number);
    assert_eq!(json["state"], "pending_payment");
    // The lines, plus shipping to the US (by weight; an export, so no VAT).
    let shipping = json["totals"]["shipping"]["amount"].as_i64().unwrap();
    assert!(shipping > 0, "shipping is charged: {json}");
    assert_eq!(json["totals"]["subtotal"]["amount"], unit * 2);
    assert_eq!(json["totals"]["tax"]["amount"], 0);
    assert_eq!(json["total"]["amount"], unit * 2 + shipping);
    assert_eq!(json["items"][0]["quantity"], 2);
    assert_eq!(json["events"].as_array().unwrap().len(), 1);

    // The cart is kept until the order is paid, and links the order awaiting payment.
    let cart = browser.get("/cart").text().unwrap();
    assert!(cart.contains(&total), "the cart is kept while unpaid");
    assert!(cart.contains(&format!("/orders/{number}/pay")), "{cart}");
    // Submitting the same form again changes that order (to the same details) instead
    // of placing another.
    let again = browser.post("/checkout", &form);
    assert_eq!(again.status(), 303);
    assert_eq!(again.headers()["location"], location.as_str());
    drop(app);
    assert_eq!(support::count(&support::open_db(dir.path()), "orders"), 1);
}

#[test]
fn api_orders_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let body = support::order_body(SLUG, 3);
    let first = app.post_order(Some("order-key-1"), &body);
    assert_eq!(first.status(), 201);
    let first: Value = first.json().unwrap();
    assert!(first["number"].as_str().unwrap().starts_with("SF-"));
    assert_eq!(first["state"], "pending_payment");
    assert_eq!(first["total"]["currency"], "EUR");
    assert_eq!(first["items"][0]["slug"], SLUG);
    let unit = first["items"][0]["unit_price"]["amount"].as_i64().unwrap();
    // The lines, plus shipping to the UK (by weight; an export, so no VAT).
    let shipping = first["totals"]["shipping"]["amount"].as_i64().unwrap();
    assert!(shipping > 0, "shipping is charged: {first}");
    assert_eq!(first["totals"]["subtotal"]["amount"], unit * 3);
    assert_eq!(first["total"]["amount"], unit * 3 + shipping);
    let stock_after_first = app.stock()[SLUG];

    let replay = app.post_order(Some("order-key-1"), &body);
    assert_eq!(replay.status(), 201);
    assert_eq!(
        replay.json::<Value>().unwrap(),
        first,
        "the same key returns the first result"
    );
    assert_eq!(
        app.stock()[SLUG],
        stock_after_first,
        "no second reservation"
    );

    let other = app.post_order(Some("order-key-1"), &support::order_body(SLUG, 1));
    assert_eq!(other.status(), 422);
    assert_eq!(
        other.json::<Value>().unwrap()["error"]["code"],
        "idempotency_key_reused"
    );

    let missing = app.post_order(None, &body);
    assert_eq!(missing.status(), 400);
    assert_eq!(
        missing.json::<Value>().unwrap()["error"]["code"],
        "missing_idempotency_key"
    );

    drop(app);
    let counts = support::ledger_counts(dir.path());
    assert_eq!(counts, support::ledger_of(1));
}

#[test]
fn a_tampered_cart_cookie_is_an_empty_cart_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let browser = app.shopper();
    let (_, added) = browser.add_to_cart(SLUG, "1");
    let cookie = added
        .cookies()
        .find(|c| c.name() == "cart")
        .expect("the add sets the cart cookie")
        .value()
        .to_string();
    let with_cookie = |value: &str| {
        support::client()
            .get(app.url("/cart"))
            .header("cookie", format!("cart={value}"))
            .send()
            .unwrap()
    };
    // Control: the genuine cookie restores the line (it has a remove form).
    assert!(
        with_cookie(&cookie)
            .text()
            .unwrap()
            .contains("/cart/remove")
    );
    let (payload, signature) = cookie.split_once('.').unwrap();
    // Flip one character of the payload: the signature no longer matches.
    let mut bytes = payload.as_bytes().to_vec();
    bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
    let forged = format!("{}.{signature}", String::from_utf8(bytes).unwrap());
    for value in [forged.as_str(), "garbage", "a.b.c"] {
        let response = with_cookie(value);
        assert_eq!(response.status(), 200, "{value}");
        let replaced = response.cookies().any(|c| c.name() == "cart");
        let html = response.text().unwrap();
        assert!(
            html.contains("could not be restored"),
            "{value}: notice shown"
        );
        assert!(!html.contains("/cart/remove"), "{value}: cart is empty");
        assert!(replaced, "{value}: the bad cookie is replaced");
    }
}

#[test]
fn the_cart_cookie_is_secure_only_behind_https() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let set_cookie = |forwarded: Option<&str>| {
        let mut request = support::client().get(app.url("/"));
        if let Some(proto) = forwarded {
            request = request.header("x-forwarded-proto", proto);
        }
        let response = request.send().unwrap();
        assert_eq!(response.status(), 200);
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string()
    };
    // Plain local HTTP: a Secure cookie would never be sent back.
    let plain = set_cookie(None);
    assert!(
        plain.starts_with("cart=") && plain.contains("HttpOnly"),
        "{plain}"
    );
    assert!(!plain.contains("Secure"), "{plain}");
    // A TLS-terminating proxy in front: the cookie must never travel over HTTP.
    let behind_tls = set_cookie(Some("https"));
    assert!(behind_tls.ends_with("; Secure"), "{behind_tls}");
    assert!(!set_cookie(Some("http")).contains("Secure"));
}
