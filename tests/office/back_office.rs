//! The back office's door, through the real components: the owner's password is set
//! with `storefront admin set-password` (the writer stores only the argon2id hash),
//! signing in sets an `HttpOnly`, `SameSite=Strict` session cookie, every page but the
//! sign-in needs it, forms need the session's CSRF token, failed sign-ins are limited
//! per client and logged, and the bearer-token JSON API is untouched by all of it.

use crate::support;

use crate::support::{
    OWNER_PASSWORD, TestApp, browser_like_client, count, location, office_csrf, open_db,
};

#[test]
fn no_password_yet_offers_the_setup_link_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let client = browser_like_client();
    let resp = client.get(app.url("/admin")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/admin/sign-in?next=%2Fadmin");
    let resp = client
        .post(app.url("/admin/sign-in"))
        .form(&[("password", "anything at all 123")])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 409);
    let html = resp.text().unwrap();
    assert!(html.contains("storefront admin set-password"), "{html}");

    // `up` printed a one-time setup link.
    let log = app.log_once(|line| line.contains("/admin/setup?token="));
    let link = log
        .split_whitespace()
        .find(|word| word.contains("/admin/setup?token="))
        .unwrap_or_else(|| panic!("no setup link in the log:\n{log}"))
        .to_string();
    let token = link.split("token=").nth(1).unwrap().to_string();
    let wrong = client
        .get(app.url("/admin/setup?token=not-the-token"))
        .send()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 404);
    let page = client.get(&link).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().unwrap().contains("Set up the back office"));
    let resp = client
        .post(app.url("/admin/setup"))
        .form(&[
            ("token", token.as_str()),
            ("password", "the first password 1"),
            ("password_again", "the first password 2"),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().unwrap().contains("not the same"));
    let resp = client
        .post(app.url("/admin/setup"))
        .form(&[
            ("token", token.as_str()),
            ("password", "the first password 1"),
            ("password_again", "the first password 1"),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/admin");
    assert_eq!(
        client
            .get(app.url("/admin"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        200,
        "signed in by the setup"
    );
    // The link is spent: a second visit goes to the sign-in, and a second POST changes
    // nothing (the writer refuses to replace a password through it).
    let again = browser_like_client().get(&link).send().unwrap();
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(location(&again), "/admin/sign-in");
    let resp = browser_like_client()
        .post(app.url("/admin/setup"))
        .form(&[
            ("token", token.as_str()),
            ("password", "an attacker's password"),
            ("password_again", "an attacker's password"),
        ])
        .send()
        .unwrap();
    assert_eq!(location(&resp), "/admin/sign-in");
    let other = browser_like_client();
    let resp = other
        .post(app.url("/admin/sign-in"))
        .form(&[("password", "the first password 1")])
        .send()
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        303,
        "the first password still works"
    );
    app.stop();
}

#[test]
fn a_browser_is_sent_to_sign_in_and_a_wrong_password_signs_nothing_in() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    // The writer holds a hash, never the password.
    let client = browser_like_client();

    // Every page but the sign-in sends a browser to it, remembering where it was going.
    let resp = client
        .get(app.url("/admin/orders?state=paid"))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        location(&resp),
        "/admin/sign-in?next=%2Fadmin%2Forders%3Fstate%3Dpaid"
    );
    let page = client.get(app.url("/admin/sign-in")).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().unwrap();
    assert!(html.contains(r#"<label for="password">"#), "{html}");

    // A wrong password: 401, the form again, nothing signed in.
    let resp = client
        .post(app.url("/admin/sign-in"))
        .form(&[("password", "not the password 000"), ("next", "/admin")])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert!(resp.text().unwrap().contains("That password is not right."));
    assert_eq!(
        client
            .get(app.url("/admin"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        303
    );

    stop_and_check_hash(app, dir.path());
}

#[test]
fn the_owner_signs_in_works_and_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    // The writer holds a hash, never the password.
    let client = browser_like_client();

    // The right one: a session cookie and back to where the owner was going; an
    // outside `next` is ignored.
    let resp = client
        .post(app.url("/admin/sign-in"))
        .form(&[("password", OWNER_PASSWORD), ("next", "/admin/orders")])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/admin/orders");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("sf_owner="))
        .expect("a session cookie");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=28800",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    let dashboard = client.get(app.url("/admin")).send().unwrap();
    assert_eq!(dashboard.status().as_u16(), 200);
    assert_eq!(
        dashboard.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    let html = dashboard.text().unwrap();
    let csrf = office_csrf(&html);

    let other = browser_like_client();
    let resp = other
        .post(app.url("/admin/sign-in"))
        .form(&[
            ("password", OWNER_PASSWORD),
            ("next", "https://evil.example/"),
        ])
        .send()
        .unwrap();
    assert_eq!(location(&resp), "/admin");

    // Signing out needs the session's own token, then ends the session.
    let resp = client
        .post(app.url("/admin/sign-out"))
        .form(&[("csrf", "forged")])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let resp = client
        .post(app.url("/admin/sign-out"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403, "a cross-site form is refused");
    let resp = client
        .post(app.url("/admin/sign-out"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        client
            .get(app.url("/admin"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        303
    );

    stop_and_check_hash(app, dir.path());
}

#[test]
fn scripts_keep_the_bearer_token_json_api_on_the_office_paths() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());

    // Scripts keep the bearer-token JSON API on the same paths.
    let api = support::client()
        .get(app.url("/admin/orders"))
        .bearer_auth(support::ADMIN_TOKEN)
        .send()
        .unwrap();
    assert_eq!(api.status().as_u16(), 200);
    assert!(support::content_type(&api).starts_with("application/json"));
    let api = support::client()
        .get(app.url("/admin/orders"))
        .send()
        .unwrap();
    assert_eq!(api.status().as_u16(), 401, "no token, no HTML: JSON 401");
    stop_and_check_hash(app, dir.path());
}

fn stop_and_check_hash(app: TestApp, dir: &std::path::Path) {
    app.stop();
    let db = open_db(dir);
    let hash: String = db
        .query_row("SELECT password_hash FROM owner_credentials", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(OWNER_PASSWORD));
}

#[test]
fn failed_sign_ins_are_limited_per_client_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let client = browser_like_client();
    for _ in 0..5 {
        let resp = client
            .post(app.url("/admin/sign-in"))
            .form(&[("password", "wrong wrong wrong 1")])
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401);
    }
    // The sixth is refused before any password is checked, even the right one.
    let resp = client
        .post(app.url("/admin/sign-in"))
        .form(&[("password", OWNER_PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    assert!(resp.text().unwrap().contains("too many failed sign-ins"));
    for logged in [
        "owner sign-in failed: wrong password",
        "owner sign-in refused",
    ] {
        let log = app.log_once(|line| line.contains(logged));
        assert!(log.contains(logged), "{logged:?} not in the log:\n{log}");
    }
    app.stop();
    let db = open_db(dir.path());
    assert_eq!(
        count(&db, "owner_sign_ins"),
        5,
        "the refused one is not recorded"
    );
}

#[test]
fn a_new_password_ends_every_session() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    let client = support::owner_client(&app);
    assert_eq!(
        client
            .get(app.url("/admin"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    app.stop();
    support::set_owner_password(dir.path(), "a brand new password 456");
    let app = support::start_with_admin(dir.path());
    let resp = client.get(app.url("/admin")).send().unwrap();
    assert_eq!(
        resp.status().as_u16(),
        303,
        "the old session is over (the new password ended it)"
    );
    app.stop();
}

#[test]
fn set_password_refuses_a_short_one() {
    let dir = tempfile::tempdir().unwrap();
    support::build_components();
    use std::io::Write as _;
    let mut child = support::storefront()
        .args(["admin", "set-password", "--manifest"])
        .arg(support::manifest())
        .arg("--data-dir")
        .arg(dir.path())
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12 characters"));
}
