//! Guessing discount codes, through the real components and a real SQLite file: a
//! refused code gets the same words whatever the reason, at the HTML checkout and in the
//! JSON API, while the owner's discount page says why; a client that has had too many
//! guesses refused is answered 429 with `Retry-After`, a valid code included, while
//! another client is not affected; and a refused guess writes no order and moves no stock.
//!
//! Clients are told apart by `X-Forwarded-For`, which the app is told to trust.

use crate::support;

use crate::support::{ADMIN_TOKEN, OWNER_PASSWORD, TestApp};
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use storefront_domain::discount_attempts::{
    ATTEMPT_WINDOW_SECONDS, MAX_REFUSED_ATTEMPTS, REFUSED, TOO_MANY_ATTEMPTS,
};

const SLUG: &str = "french-press";
/// What the checkout page says at the field for every refused code.
const REFUSED_AT_THE_FIELD: &str = "Discount code cannot be applied to this order.";

/// The whole app with the back office on and `X-Forwarded-For` naming the client.
fn start(dir: &Path) -> TestApp {
    support::build_components();
    support::set_owner_password(dir, OWNER_PASSWORD);
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SPIN_VARIABLE_CLIENT_IP_HEADER", "X-Forwarded-For");
    support::spawn(cmd, dir).ready()
}

/// A shopper's client at `ip`: keeps cookies, follows no redirects.
fn shopper(ip: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip.parse().unwrap());
    support::client_with(headers)
}

fn create_code(app: &TestApp, code: Value) {
    let r = app.admin().send(
        reqwest::Method::POST,
        "/admin/discounts",
        Some(&format!("create-{}", code["code"])),
        Some(&code),
    );
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
}

/// `POST /api/orders` for one French press with `code`, as `shopper`.
fn api_order(shopper: &Client, app: &TestApp, key: &str, code: &str, email: &str) -> Response {
    let mut body = support::order_body(SLUG, 1);
    body["email"] = json!(email);
    body["discount_code"] = json!(code);
    shopper
        .post(app.url("/api/orders"))
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .unwrap()
}

/// The shop's orders, as the owner's API lists them.
fn order_count(app: &TestApp) -> usize {
    let list = app.admin().json("/admin/orders?limit=100");
    list["orders"].as_array().unwrap().len()
}

/// Puts a French press in `shopper`'s cart; the checkout page.
fn cart_and_checkout(shopper: &Client, app: &TestApp) -> String {
    let home = shopper.get(app.url("/")).send().unwrap().text().unwrap();
    let csrf = support::hidden_field(&home, "csrf");
    let added = shopper
        .post(app.url("/cart/add"))
        .form(&[("slug", SLUG), ("quantity", "1"), ("csrf", &csrf)])
        .send()
        .unwrap();
    assert_eq!(added.status(), 303);
    let page = shopper.get(app.url("/checkout")).send().unwrap();
    assert_eq!(page.status(), 200);
    page.text().unwrap()
}

/// What the checkout answered: status, `Retry-After`, page.
struct Answer {
    status: u16,
    retry_after: Option<i64>,
    page: String,
}

/// Submits the checkout form of `page` with `code` typed, pressing `action` ("discount"
/// is Apply, "place" is Buy now).
fn checkout(
    shopper: &Client,
    app: &TestApp,
    page: &str,
    code: &str,
    email: &str,
    action: &str,
) -> Answer {
    let mut form = support::checkout_form(page);
    form.retain(|(name, _)| *name != "email");
    form.extend([
        ("email", email.to_string()),
        ("discount_code", code.to_string()),
        ("action", action.to_string()),
    ]);
    let r = shopper
        .post(app.url("/checkout"))
        .form(&form)
        .send()
        .unwrap();
    let r = support::checkout_outcome(shopper, app, r);
    Answer {
        status: r.status().as_u16(),
        retry_after: retry_after(&r),
        page: r.text().unwrap(),
    }
}

fn retry_after(r: &Response) -> Option<i64> {
    r.headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

/// The message at the discount code field, if any.
fn at_the_field(page: &str) -> Option<&str> {
    let marker = "id=\"discount_code-error\">";
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('<')? + start;
    Some(&page[start..end])
}

#[test]
fn a_refused_code_says_the_same_whatever_the_reason_and_only_the_owner_sees_why() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    create_code(
        &app,
        json!({"code": "LAPSED", "kind": "percent", "value": 1000,
               "starts_at": "2020-01-01T00:00:00Z", "ends_at": "2020-02-01T00:00:00Z"}),
    );
    create_code(
        &app,
        json!({"code": "LATER", "kind": "percent", "value": 1000,
               "starts_at": "2099-01-01T00:00:00Z"}),
    );
    create_code(
        &app,
        json!({"code": "ONCE", "kind": "percent", "value": 1000, "max_uses_per_email": 1}),
    );
    create_code(
        &app,
        json!({"code": "GONE", "kind": "percent", "value": 1000, "max_uses": 1}),
    );
    let customer = shopper("198.51.100.1");
    for (code, email) in [("ONCE", "ada@example.com"), ("GONE", "bob@example.com")] {
        let r = api_order(&customer, &app, &format!("use-{code}"), code, email);
        assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    }
    let stock = app.stock();
    let orders = order_count(&app);

    // The JSON API: one answer for no such code, expired, not yet valid, used up and
    // used by this email, naming neither the code nor the email.
    let prober = shopper("198.51.100.2");
    let mut answers = Vec::new();
    for (code, email) in [
        ("NOSUCH", "eve@example.com"),
        ("LAPSED", "eve@example.com"),
        ("LATER", "eve@example.com"),
        ("GONE", "eve@example.com"),
        ("ONCE", "ada@example.com"),
    ] {
        let r = api_order(&prober, &app, &format!("probe-{code}"), code, email);
        assert_eq!(r.status(), 422, "{code}");
        let body: Value = r.json().unwrap();
        assert_eq!(
            body["error"]["fields"],
            json!([{"field": "discount_code", "message": REFUSED}]),
            "{code}: {body}"
        );
        answers.push(body);
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:#?}");

    // The HTML checkout: Apply says the same for each; placing the order with a code
    // this email has used says it too (and Apply never tells: it checks no email).
    let browser = shopper("198.51.100.3");
    let page = cart_and_checkout(&browser, &app);
    for code in ["NOSUCH", "LAPSED", "LATER", "GONE"] {
        let applied = checkout(&browser, &app, &page, code, "eve@example.com", "discount");
        assert_eq!(applied.status, 200, "{code}");
        assert_eq!(
            at_the_field(&applied.page),
            Some(REFUSED_AT_THE_FIELD),
            "{code}"
        );
    }
    let applied = checkout(&browser, &app, &page, "ONCE", "ada@example.com", "discount");
    assert_eq!(at_the_field(&applied.page), None);
    assert!(applied.page.contains("ONCE applied"), "{}", applied.page);
    let placed = checkout(
        &browser,
        &app,
        &applied.page,
        "ONCE",
        "ada@example.com",
        "place",
    );
    assert_eq!(placed.status, 422);
    assert_eq!(at_the_field(&placed.page), Some(REFUSED_AT_THE_FIELD));
    assert!(!placed.page.contains("ONCE applied"), "{}", placed.page);

    // Nothing was written by any of them.
    assert_eq!(app.stock(), stock);
    assert_eq!(order_count(&app), orders);

    // The owner sees each code's state and the refused guesses with their reasons.
    let list = app.admin().json("/admin/discounts");
    let listed: BTreeMap<&str, &Value> = list["discounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d))
        .collect();
    for (code, state, refused) in [
        ("LAPSED", "expired", 2),
        ("LATER", "not_yet_valid", 2),
        ("GONE", "used_up", 2),
        ("ONCE", "active", 2),
    ] {
        assert_eq!(listed[code]["state"], state, "{code}");
        assert_eq!(listed[code]["refused_attempts"], refused, "{code}");
    }
    let reasons: Vec<(&str, &str)> = list["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert!(reasons.contains(&("NOSUCH", "unknown")), "{reasons:?}");
    assert!(
        reasons.contains(&("ONCE", "per_customer_limit")),
        "{reasons:?}"
    );
    let owner = support::owner_client(&app);
    let html = owner
        .get(app.url("/admin/settings/discounts"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    for words in [
        "expired",
        "not valid yet",
        "used up",
        "1 per customer",
        "no such code",
        "already used by this customer",
    ] {
        assert!(html.contains(words), "{words}: {html}");
    }
    assert!(app.stop().success());
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn a_client_that_guesses_too_often_is_refused_even_a_valid_code() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    create_code(
        &app,
        json!({"code": "REAL", "kind": "percent", "value": 1000}),
    );
    let stock = app.stock();
    let orders = order_count(&app);

    let guesser = shopper("203.0.113.7");
    let guess = |i: i64| {
        let r = api_order(
            &guesser,
            &app,
            &format!("guess-{i}"),
            &format!("GUESS{i}"),
            "eve@example.com",
        );
        assert_eq!(r.status(), 422, "guess {i}");
    };
    for i in 0..MAX_REFUSED_ATTEMPTS - 1 {
        guess(i);
    }
    // The same code with the same email again is the same guess, counted once.
    let r = api_order(&guesser, &app, "guess-again", "GUESS0", "eve@example.com");
    assert_eq!(r.status(), 422);
    guess(MAX_REFUSED_ATTEMPTS - 1);

    // Now every code is refused, a valid one too, until the oldest guess is old enough.
    let r = api_order(&guesser, &app, "real-1", "REAL", "eve@example.com");
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r).expect("a Retry-After");
    assert!((1..=ATTEMPT_WINDOW_SECONDS).contains(&wait), "{wait}");
    let body: Value = r.json().unwrap();
    assert_eq!(body["error"]["code"], TOO_MANY_ATTEMPTS);
    assert_eq!(body["error"]["retry_after"], wait);
    assert_eq!(body["error"]["fields"][0]["field"], "discount_code");

    // The HTML checkout says so at the field, for Apply and for Buy now.
    let page = cart_and_checkout(&guesser, &app);
    let applied = checkout(&guesser, &app, &page, "REAL", "eve@example.com", "discount");
    assert_eq!(applied.status, 429);
    assert!(applied.retry_after.is_some_and(|w| (1..=wait).contains(&w)));
    let message = at_the_field(&applied.page).expect("a message at the field");
    assert!(message.starts_with("Too many discount codes"), "{message}");
    assert!(!applied.page.contains("REAL applied"));
    let placed = checkout(&guesser, &app, &page, "REAL", "eve@example.com", "place");
    assert_eq!(placed.status, 429);
    assert!(placed.retry_after.is_some());
    assert!(
        at_the_field(&placed.page).is_some_and(|m| m.starts_with("Too many discount codes")),
        "{}",
        placed.page
    );

    // None of it wrote an order or moved stock.
    assert_eq!(app.stock(), stock);
    assert_eq!(order_count(&app), orders);

    // Another client uses the code; the guesser can still order without one.
    let r = api_order(
        &shopper("203.0.113.8"),
        &app,
        "real-2",
        "REAL",
        "bob@example.com",
    );
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    assert_eq!(r.json::<Value>().unwrap()["discount"]["code"], "REAL");
    let r = api_order(&guesser, &app, "no-code", "", "eve@example.com");
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    assert!(app.stop().success());
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}
