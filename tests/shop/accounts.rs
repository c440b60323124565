//! Customer accounts without passwords, through the real host and components: a sign-in
//! email (read from the local mailbox) whose link works once and only behind a button,
//! expires after 15 minutes (time driven by ageing the stored rows while the app is
//! stopped, as the owner's session tests do), a code as the alternative, throttling per
//! address and per client, the account's order history (orders placed before the
//! account existed included, each opening without its token), saved addresses that
//! prefill checkout, sign-out ending the session at the writer, and erasure that keeps
//! the ledger and a clean `storefront check --full`.

use crate::support;
use crate::support::{ADMIN_TOKEN, TestApp, client, hidden_field, order_body};
use reqwest::blocking::{Client, Response};
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// `storefront up` with the admin token (the local mailbox), test payments and a
/// dispatch round every second.
fn start(dir: &Path) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SPIN_VARIABLE_SHOP_URL", "https://shop.example")
        .env("SPIN_VARIABLE_PAYMENT_MODE", "test")
        .args(["--dispatch-every", "1"]);
    support::spawn(cmd, dir).ready()
}

/// `POST /login` for `email` from `browser` (the login page's CSRF token first).
fn ask(app: &TestApp, browser: &Client, email: &str) -> Response {
    let page = support::ok_text(browser.get(app.url("/login")));
    let csrf = hidden_field(&page, "csrf");
    browser
        .post(app.url("/login"))
        .form(&[("email", email), ("csrf", &csrf)])
        .send()
        .unwrap()
}

/// The sign-in emails in the local mailbox to `recipient`, newest first.
fn sign_in_mails(app: &TestApp, recipient: &str) -> Vec<Value> {
    app.admin().json("/admin/mail")["mails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["event"] == "account.sign_in" && m["recipient"] == recipient)
        .cloned()
        .collect()
}

/// The link (path and query) and the code of the `nth` sign-in email to `recipient`
/// (0 = the first sent), once it is delivered.
fn link_and_code(app: &TestApp, recipient: &str, nth: usize) -> (String, String) {
    let mut mails = Vec::new();
    assert!(
        support::eventually(Duration::from_secs(120), || {
            mails = sign_in_mails(app, recipient);
            mails.len() > nth
        }),
        "no sign-in email to {recipient}"
    );
    mails.reverse();
    let text = mails[nth]["text"].as_str().unwrap().to_string();
    let start = text.find("https://shop.example/login/link?token=").unwrap();
    let link = text[start + "https://shop.example".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let code = text.split("type this code: ").nth(1).unwrap()[..6].to_string();
    (link, code)
}

/// Opens `link` in `browser` and presses its button: the confirmation's answer.
fn follow(app: &TestApp, browser: &Client, link: &str) -> Response {
    let landing = browser.get(app.url(link)).send().unwrap();
    assert_eq!(landing.status(), 200);
    assert!(
        customer_cookie(&landing).is_none(),
        "opening the link alone signs nobody in"
    );
    let page = landing.text().unwrap();
    browser
        .post(app.url("/login/link"))
        .form(&[
            ("token", hidden_field(&page, "token")),
            ("csrf", hidden_field(&page, "csrf")),
        ])
        .send()
        .unwrap()
}

/// Types `code` for ada@example.com into the code form in `browser` (its CSRF token from
/// the sign-in page): the answer.
fn enter_code(app: &TestApp, browser: &Client, code: &str) -> Response {
    let page = support::ok_text(browser.get(app.url("/login")));
    browser
        .post(app.url("/login/code"))
        .form(&[
            ("email", "ada@example.com"),
            ("code", code),
            ("csrf", hidden_field(&page, "csrf").as_str()),
        ])
        .send()
        .unwrap()
}

/// The customer cookie's value an answer sets.
fn customer_cookie(answer: &Response) -> Option<String> {
    answer.headers().get_all(SET_COOKIE).iter().find_map(|c| {
        let c = c.to_str().unwrap();
        c.strip_prefix("sf_customer=")
            .map(|rest| rest.split(';').next().unwrap().to_string())
            .filter(|v| !v.is_empty())
    })
}

/// A browser signed in as `email` by its emailed link.
fn signed_in(app: &TestApp, email: &str) -> (Client, String) {
    let browser = client();
    assert_eq!(ask(app, &browser, email).status(), 200);
    let (link, _) = link_and_code(app, email, 0);
    let confirmed = follow(app, &browser, &link);
    assert_eq!(confirmed.status(), 303);
    assert_eq!(confirmed.headers()[LOCATION], "/account");
    let cookie = customer_cookie(&confirmed).expect("the session's cookie");
    (browser, cookie)
}

/// A page with the address it names and its CSRF token (each browser's own) blanked.
fn same_page(page: String, email: &str) -> String {
    let csrf = hidden_field(&page, "csrf");
    page.replace(email, "EMAIL").replace(&csrf, "CSRF")
}

fn status(browser: &Client, app: &TestApp, path: &str) -> u16 {
    browser.get(app.url(path)).send().unwrap().status().as_u16()
}

#[test]
fn a_sign_in_link_works_once_and_opens_the_orders_placed_with_the_email() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    // Placed before any account existed, one of them with the email in another case.
    let first = app.place_order("account-1");
    let mut shouting = order_body("french-press", 1);
    shouting["email"] = "ADA@Example.com".into();
    let second = app.place("account-2", &shouting)["number"]
        .as_str()
        .unwrap()
        .to_string();
    let mut other = order_body("french-press", 1);
    other["email"] = "grace@example.com".into();
    let others = app.place("account-3", &other)["number"]
        .as_str()
        .unwrap()
        .to_string();

    // The answer is the same for an address with orders and one without.
    let known = ask(&app, &client(), " Ada@example.com ");
    let unknown = ask(&app, &client(), "nobody@example.com");
    assert_eq!(
        (known.status().as_u16(), unknown.status().as_u16()),
        (200, 200)
    );
    assert_eq!(
        same_page(known.text().unwrap(), "ada@example.com"),
        same_page(unknown.text().unwrap(), "nobody@example.com")
    );

    let (link, _) = link_and_code(&app, "ada@example.com", 0);
    let browser = client();
    let confirmed = follow(&app, &browser, &link);
    assert_eq!(confirmed.status(), 303);
    let cookie = confirmed
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("sf_customer="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let account = browser.get(app.url("/account")).send().unwrap();
    assert_eq!(account.status(), 200);
    assert_eq!(account.headers()["cache-control"], "no-store");
    let account = account.text().unwrap();
    let (at_first, at_second) = (
        account.find(&first).expect("the first order"),
        account.find(&second).expect("the order typed in capitals"),
    );
    assert!(at_second < at_first, "newest first");
    assert!(!account.contains(&others));
    // Each order opens without its token; another email's order does not.
    let order = browser
        .get(app.url(&format!("/orders/{first}")))
        .send()
        .unwrap();
    assert_eq!(order.status(), 200);
    assert!(order.text().unwrap().contains("French Press"));
    assert_eq!(status(&browser, &app, &format!("/orders/{others}")), 404);
    assert_eq!(status(&client(), &app, &format!("/orders/{first}")), 404);

    // Once: the same link in another browser no longer works.
    let again = follow(&app, &client(), &link);
    assert_eq!(again.status(), 410);
    assert!(customer_cookie(&again).is_none());
    app.stop();

    // Only hashes are stored; the outbox holds a nonce, not the link's secret.
    let token = link.split("token=").nth(1).unwrap();
    let db = support::open_db(dir.path());
    let stored: Vec<String> = db
        .prepare("SELECT token_hash || code_hash FROM customer_sign_ins")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|s| !s.contains(token)));
    let payloads: String = db
        .query_row(
            "SELECT group_concat(payload) FROM outbox WHERE event = 'account.sign_in'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(payloads.contains("nonce") && !payloads.contains(token));
}

#[test]
fn a_sign_in_link_and_its_code_expire_after_fifteen_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    assert_eq!(ask(&app, &client(), "ada@example.com").status(), 200);
    let (link, code) = link_and_code(&app, "ada@example.com", 0);
    app.stop();
    let db = support::open_db(dir.path());
    let lifetime: i64 = db
        .query_row(
            "SELECT expires_at - created_at FROM customer_sign_ins",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lifetime, 15 * 60);
    db.execute(
        "UPDATE customer_sign_ins SET created_at = created_at - 901, expires_at = expires_at - 901",
        [],
    )
    .unwrap();
    drop(db);

    let app = start(dir.path());
    assert_eq!(follow(&app, &client(), &link).status(), 410);
    let browser = client();
    let refused = enter_code(&app, &browser, &code);
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .unwrap()
            .contains("That code is wrong or has expired")
    );
    assert_eq!(status(&browser, &app, "/account"), 303);
    app.stop();
}

#[test]
fn a_code_signs_in_once_and_wrong_codes_are_limited() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let browser = client();
    assert_eq!(ask(&app, &browser, "ada@example.com").status(), 200);
    let (_, code) = link_and_code(&app, "ada@example.com", 0);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = enter_code(&app, &browser, wrong);
    assert_eq!(refused.status(), 422);
    assert!(refused.text().unwrap().contains("id=\"code-error\""));
    let signed_in = enter_code(&app, &browser, &code);
    assert_eq!(signed_in.status(), 303);
    assert!(customer_cookie(&signed_in).is_some());
    assert_eq!(status(&browser, &app, "/account"), 200);
    // Used: the same code again opens nothing.
    let again = client();
    assert_eq!(enter_code(&app, &again, &code).status(), 422);
    // Five wrong codes within the window (the used one counted), and then even a fresh
    // right one is refused.
    for _ in 0..3 {
        assert_eq!(enter_code(&app, &again, wrong).status(), 422);
    }
    assert_eq!(ask(&app, &again, "ada@example.com").status(), 200);
    let (_, fresh) = link_and_code(&app, "ada@example.com", 1);
    let limited = enter_code(&app, &again, &fresh);
    assert_eq!(limited.status(), 429);
    assert!(limited.text().unwrap().contains("Too many wrong codes"));
    app.stop();
}

#[test]
fn sign_in_emails_are_limited_per_address_and_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let browser = client();
    for _ in 0..3 {
        assert_eq!(ask(&app, &browser, "ada@example.com").status(), 200);
    }
    let by_address = ask(&app, &browser, "ada@example.com");
    assert_eq!(by_address.status(), 429);
    assert!(by_address.headers().contains_key("retry-after"));
    let by_address = by_address.text().unwrap();
    assert!(by_address.contains("Too many sign-in emails were asked for"));
    // Other addresses from the same client, up to the client's ten.
    for n in 0..7 {
        let email = format!("shopper{n}@example.com");
        assert_eq!(ask(&app, &browser, &email).status(), 200, "{email}");
    }
    let by_client = ask(&app, &browser, "someone-new@example.com");
    assert_eq!(by_client.status(), 429);
    assert_eq!(
        same_page(by_client.text().unwrap(), "someone-new@example.com"),
        same_page(by_address, "ada@example.com"),
        "the same words whichever limit was reached"
    );
    app.stop();
    assert_eq!(
        support::scalar(
            &support::open_db(dir.path()),
            "SELECT count(*) FROM outbox WHERE event = 'account.sign_in'"
        ),
        10,
        "a refused request sends nothing"
    );
}

#[test]
fn signing_out_ends_the_session_so_a_copied_cookie_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let (browser, cookie) = signed_in(&app, "ada@example.com");
    let copy = || {
        client()
            .get(app.url("/account"))
            .header("cookie", format!("sf_customer={cookie}"))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(copy(), 200);
    let page = support::ok_text(browser.get(app.url("/account")));
    let out = browser
        .post(app.url("/account/sign-out"))
        .form(&[("csrf", hidden_field(&page, "csrf"))])
        .send()
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(out.headers()[LOCATION], "/login?signed-out=1");
    assert_eq!(copy(), 303, "the old cookie goes to the sign-in page");
    assert_eq!(status(&browser, &app, "/account"), 303);
    app.stop();
    assert_eq!(
        support::count(&support::open_db(dir.path()), "customer_sessions"),
        0
    );
}

#[test]
fn saved_addresses_prefill_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let (browser, _) = signed_in(&app, "ada@example.com");
    let page = support::ok_text(browser.get(app.url("/account")));
    let csrf = hidden_field(&page, "csrf");
    let refused = browser
        .post(app.url("/account/addresses"))
        .form(&[("csrf", csrf.as_str()), ("name", "Ada Lovelace")])
        .send()
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .unwrap()
            .contains("id=\"address.line1-error\"")
    );
    let saved = browser
        .post(app.url("/account/addresses"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Ada Lovelace"),
            ("address.line1", "12 Analytical Row"),
            ("address.city", "London"),
            ("address.postal_code", "N1 9GU"),
            ("address.country", "GB"),
        ])
        .send()
        .unwrap();
    assert_eq!(saved.status(), 303);
    assert!(support::ok_text(browser.get(app.url("/account"))).contains("12 Analytical Row"));
    let shopper = app.shopper_with(browser);
    shopper.add_to_cart("french-press", "1");
    let checkout = shopper.page("/checkout");
    assert!(checkout.contains("value=\"ada@example.com\""));
    assert!(checkout.contains("value=\"12 Analytical Row\""));
    // A guest's checkout is as before: empty.
    let guest = app.shopper();
    guest.add_to_cart("french-press", "1");
    assert!(!guest.page("/checkout").contains("12 Analytical Row"));
    app.stop();
    assert_eq!(
        support::count(&support::open_db(dir.path()), "customer_addresses"),
        1,
        "the refused address wrote nothing"
    );
}

#[test]
fn erasure_anonymises_the_orders_keeps_the_ledger_and_the_audit_passes() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    // With a discount code: its redemption names the address too.
    let mut body = support::order_body("french-press", 1);
    body["discount_code"] = "WELCOME10".into();
    let paid = app.place("erase-1", &body)["number"]
        .as_str()
        .unwrap()
        .to_string();
    app.pay(&paid);
    let cancelled = app.place_order("erase-2");
    assert!(app.admin().cancel(&cancelled).status().is_success());
    let (browser, _) = signed_in(&app, "ada@example.com");

    // The download holds the account and both orders.
    let data = browser.get(app.url("/account/data.json")).send().unwrap();
    assert_eq!(data.status(), 200);
    assert!(
        data.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let data: Value = data.json().unwrap();
    assert_eq!(data["account"]["email"], "ada@example.com");
    assert_eq!(data["orders"].as_array().unwrap().len(), 2);
    assert_eq!(data["orders"][0]["name"], "Ada Lovelace");

    let page = support::ok_text(browser.get(app.url("/account")));
    let csrf = hidden_field(&page, "csrf");
    let erase = |form: &[(&str, &str)]| {
        browser
            .post(app.url("/account/erase"))
            .form(form)
            .send()
            .unwrap()
    };
    // An order awaiting shipping still needs the address.
    let open = erase(&[("csrf", &csrf), ("confirm", "yes")]);
    assert_eq!(open.status(), 409);
    assert!(
        open.text()
            .unwrap()
            .contains("still awaits payment or shipping")
    );
    let shipped = app.admin().send(
        reqwest::Method::POST,
        &format!("/admin/orders/{paid}/fulfil"),
        None,
        None,
    );
    assert!(shipped.status().is_success(), "{:?}", shipped.text());
    // A return asked for, in the shopper's words.
    assert_eq!(
        support::ask_return(&app, &paid, "1", "Ada's mug arrived cracked").status(),
        303
    );
    // Every email about the orders is delivered before the erasure (a delivery under way
    // meanwhile would be rendered from the order before it).
    assert!(support::eventually(Duration::from_secs(120), || {
        let mails = app.admin().json("/admin/mail")["mails"].clone();
        let mails = mails.as_array().unwrap();
        [
            "order.shipped",
            "return.requested",
            "return.requested.owner",
        ]
        .iter()
        .all(|event| mails.iter().any(|m| m["event"] == *event))
    }));
    assert_eq!(
        erase(&[("csrf", &csrf)]).status(),
        422,
        "the box must be ticked"
    );
    let erased = erase(&[("csrf", &csrf), ("confirm", "yes")]);
    assert_eq!(erased.status(), 200);
    assert!(
        erased
            .text()
            .unwrap()
            .contains("erased your personal details from 2 orders")
    );
    assert_eq!(status(&browser, &app, "/account"), 303);
    app.stop();

    let db = support::open_db(dir.path());
    let ada: i64 = support::scalar(
        &db,
        "SELECT count(*) FROM orders WHERE email LIKE '%ada%' OR name LIKE '%Ada%'
         OR address_line1 <> '' OR address_city <> ''",
    );
    assert_eq!(ada, 0, "no personal field is left on an order");
    assert_eq!(
        support::scalar(
            &db,
            "SELECT count(*) FROM local_mailbox WHERE text_body LIKE '%Ada%'"
        ),
        0,
        "nor in the local mailbox"
    );
    assert_eq!(
        support::scalar(
            &db,
            "SELECT count(*) FROM returns WHERE reason LIKE '%Ada%'
             UNION ALL SELECT count(*) FROM outbox WHERE payload LIKE '%Ada%'
             ORDER BY 1 DESC LIMIT 1"
        ),
        0,
        "nor in a return's reason or its emails"
    );
    assert_eq!(support::count(&db, "returns"), 1, "the return stays");
    assert_eq!(
        support::scalar(
            &db,
            "SELECT count(*) FROM discount_redemptions WHERE email = 'erased@erased.invalid'"
        ),
        1,
        "the redemption stays, its email erased"
    );
    assert_eq!(
        support::scalar(
            &db,
            "SELECT count(*) FROM discount_redemptions WHERE email LIKE '%ada%'"
        ),
        0
    );
    assert_eq!(support::count(&db, "customer_accounts"), 0);
    assert_eq!(support::count(&db, "customer_sessions"), 0);
    assert_eq!(
        support::scalar(&db, "SELECT sum(total_amount) > 0 FROM orders"),
        1
    );
    assert_eq!(support::count(&db, "payments"), 1, "the payment stays");
    assert_eq!(support::count(&db, "orders"), 2, "the orders stay");
    assert_eq!(support::count(&db, "order_lines"), 2);
    drop(db);
    let (ok, lines) = support::check_full(dir.path());
    assert!(ok, "the audit passes after the erasure: {lines:?}");
}
