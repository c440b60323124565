//! An order's personal data reaches only whoever holds its access token: the number
//! alone (in emails, URLs, the provider's metadata, the request log) opens nothing, an
//! email's link opens the order once and moves the token into a cookie scoped to the
//! order, an idempotent replay answers only the client that placed the order, and
//! absolute links never come from the request's `Host`.

use crate::support;

use crate::support::TestApp;
use serde_json::Value;

/// `storefront up` behind a proxy that names the client in `x-forwarded-for`, with its
/// public address configured.
fn start(dir: &std::path::Path) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_CLIENT_IP_HEADER", "x-forwarded-for")
        .env("SPIN_VARIABLE_SHOP_URL", "https://shop.example");
    support::spawn(cmd, dir).ready()
}

/// Places an order from the client at `address`; the answer.
fn place_from(app: &TestApp, address: &str, key: &str) -> support::Answered {
    support::Answered::read(
        support::client()
            .post(app.url("/api/orders"))
            .header("x-forwarded-for", address)
            .header("idempotency-key", key)
            .json(&support::order_body("french-press", 1))
            .send()
            .unwrap(),
    )
}

/// `GET path` presenting `token` as the order's access token (or none).
fn get_presenting(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::blocking::Response {
    let request = support::client().get(app.url(path));
    match token {
        Some(token) => request.header("order-token", token),
        None => request,
    }
    .send()
    .unwrap()
}

#[test]
fn the_order_number_alone_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let placed = place_from(&app, "203.0.113.5", "access-1");
    assert_eq!(placed.status(), 201);
    assert_eq!(placed.headers()["cache-control"], "no-store");
    let order: Value = placed.json().unwrap();
    let number = order["number"].as_str().unwrap();
    let token = order["access_token"].as_str().unwrap();
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "128 random bits: {token}"
    );

    // Without the token, or with a wrong one, the order is answered exactly like an
    // order that does not exist, on every route that shows it.
    let nobody = get_presenting(&app, "/api/orders/SF-0000-0000-0001", None);
    assert_eq!(nobody.status(), 404);
    let nobody = nobody.text().unwrap();
    let wrong = "0123456789abcdef0123456789abcdef";
    for presented in [None, Some(wrong), Some(""), Some(&token[..31])] {
        let r = get_presenting(&app, &format!("/api/orders/{number}"), presented);
        assert_eq!(r.status(), 404, "{presented:?}");
        assert_eq!(r.text().unwrap(), nobody, "{presented:?}");
        for page in [format!("/orders/{number}"), format!("/orders/{number}/pay")] {
            let r = get_presenting(&app, &page, presented);
            assert_eq!(r.status(), 404, "{page} {presented:?}");
            let html = r.text().unwrap();
            assert!(!html.contains("Ada Lovelace") && !html.contains("ada@example.com"));
        }
        let pay = support::client()
            .post(app.url(&format!("/api/orders/{number}/payment")))
            .header("order-token", presented.unwrap_or_default())
            .send()
            .unwrap();
        assert_eq!(pay.status(), 404, "{presented:?}");
    }
    // Guessing: a thousand random tokens open nothing.
    for guess in 0..1000u32 {
        let guess = format!(
            "{:032x}",
            u128::from(guess).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        );
        assert_eq!(
            get_presenting(&app, &format!("/api/orders/{number}"), Some(&guess)).status(),
            404
        );
    }

    // With it: the order, its payment, every spelling of its number, never cached.
    let shown = get_presenting(&app, &format!("/api/orders/{number}"), Some(token));
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.headers()["cache-control"], "no-store");
    assert_eq!(shown.json::<Value>().unwrap()["email"], "ada@example.com");
    let spelled = number.to_lowercase().replace('-', "");
    assert_eq!(
        get_presenting(&app, &format!("/api/orders/{spelled}"), Some(token)).status(),
        200
    );
    let page = get_presenting(&app, &format!("/orders/{number}/pay"), Some(token));
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("Ada Lovelace"));
    let pay = support::client()
        .post(app.url(&format!("/api/orders/{number}/payment")))
        .header("order-token", token)
        .send()
        .unwrap();
    assert_eq!(pay.status(), 200);
    assert_eq!(pay.headers()["cache-control"], "no-store");

    // The token never reaches the log.
    let log = app.stderr().join("\n");
    assert!(log.contains(number), "the log names orders by number");
    assert!(!log.contains(token), "{log}");
}

#[test]
fn an_emails_link_opens_the_order_and_leaves_the_token_in_a_cookie_for_that_order_only() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let order = |key: &str| -> (String, String) {
        let placed: Value = place_from(&app, "203.0.113.5", key).json().unwrap();
        (
            placed["number"].as_str().unwrap().to_string(),
            placed["access_token"].as_str().unwrap().to_string(),
        )
    };
    let (number, token) = order("link-1");
    let (other, _) = order("link-2");

    let browser = support::client();
    let linked = browser
        .get(app.url(&format!("/orders/{number}?key={token}")))
        .send()
        .unwrap();
    // On to the bare address at once: the token leaves the address bar and the history.
    assert_eq!(linked.status(), 303);
    assert_eq!(linked.headers()["location"], format!("/orders/{number}"));
    let cookie = linked
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .find(|c| c.starts_with("order_key="))
        .expect("the order's cookie");
    assert!(
        cookie.starts_with(&format!("order_key={token};"))
            && cookie.contains(&format!("Path=/orders/{number};"))
            && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let page = browser
        .get(app.url(&format!("/orders/{number}")))
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("Ada Lovelace"));
    assert_eq!(
        browser
            .get(app.url(&format!("/orders/{number}/pay")))
            .send()
            .unwrap()
            .status(),
        200
    );
    // The cookie is this order's: the browser sends it to no other page.
    for path in [format!("/orders/{other}"), format!("/api/orders/{number}")] {
        assert_eq!(
            browser.get(app.url(&path)).send().unwrap().status(),
            404,
            "{path}"
        );
    }
    // A link with a wrong key is no link at all.
    let wrong = support::client()
        .get(app.url(&format!("/orders/{other}?key={token}")))
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 404);
    assert!(
        wrong
            .headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("order_key="))
    );
}

#[test]
fn an_idempotent_replay_answers_only_the_client_that_placed_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let first = place_from(&app, "203.0.113.5", "replay-1");
    assert_eq!(first.status(), 201);
    let first: Value = first.json().unwrap();

    // The same client again (a retry): the same order, token included.
    let again = place_from(&app, "203.0.113.5", "replay-1");
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().unwrap(), first);

    // Another client with the same key and body learns nothing of the order.
    let stranger = place_from(&app, "198.51.100.7", "replay-1");
    assert_eq!(stranger.status(), 409);
    let body = stranger.text().unwrap();
    assert!(body.contains("idempotency_key_in_use"), "{body}");
    for secret in [
        first["number"].as_str().unwrap(),
        first["access_token"].as_str().unwrap(),
        "ada@example.com",
        "Analytical Row",
    ] {
        assert!(!body.contains(secret), "{body}");
    }
    assert!(app.stop().success());
    assert_eq!(support::count(&support::open_db(dir.path()), "orders"), 1);
}

#[test]
fn absolute_links_come_from_the_shop_url_never_from_the_host_header() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let page = support::client()
        .get(app.url("/products/french-press"))
        .header("host", "attacker.example")
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    assert!(!html.contains("attacker.example"), "{html}");
    for tag in [
        "rel=\"canonical\" href=\"https://shop.example/products/french-press\"",
        "property=\"og:url\" content=\"https://shop.example/products/french-press\"",
        "property=\"og:image\" content=\"https://shop.example/images/",
    ] {
        assert!(html.contains(tag), "{tag}");
    }
}

#[test]
fn a_name_that_carries_a_link_or_markup_is_refused_at_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    for name in [
        "Your account is locked: visit https://evil.example",
        "call www.evil.example",
        "mail help@evil.example",
        "<a href=x>Ada</a>",
        "Ada\u{202e}nimda",
    ] {
        let mut body = support::order_body("french-press", 1);
        body["name"] = name.into();
        let r = app.post_order(Some(&format!("name-{}", name.len())), &body);
        assert_eq!(r.status(), 422, "{name}");
        let fields: Vec<String> = r.json::<Value>().unwrap()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["name"], "{name}");
    }
    assert!(app.stop().success());
    assert_eq!(support::count(&support::open_db(dir.path()), "orders"), 0);
}
