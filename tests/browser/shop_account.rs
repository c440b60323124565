//! A customer's account in a real browser, at every size and script setting: a shopper
//! who ordered as a guest asks for a sign-in email, opens its link from the local
//! mailbox, confirms with the button, sees the order in the history, opens it without
//! its token, and signs out (after which the account page wants a sign-in again). Every
//! page is checked as all shop pages are (no sideways scrolling, names on controls,
//! axe-core clean with scripts on).

use crate::browser_support::{Scripts, Viewport, session, xpath_literal};
use crate::support::{self, TestApp};
use crate::{Scenario, account_app as shared, at_every_size_and_setting};
use libtest_mimic::Trial;
use std::path::Path;
use std::time::Duration;

pub fn trials() -> Vec<Trial> {
    let scenarios: Vec<(&str, Scenario)> = vec![(
        "customer_signs_in_by_email_and_sees_the_order",
        customer_signs_in_by_email_and_sees_the_order,
    )];
    at_every_size_and_setting("shop_account", scenarios)
}

/// The shop with the admin token (the local mailbox), test payments and a dispatch round
/// every second.
pub fn start(dir: &Path) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", support::ADMIN_TOKEN)
        .env("SPIN_VARIABLE_SHOP_URL", "https://shop.example")
        .env("SPIN_VARIABLE_PAYMENT_MODE", "test")
        .args(["--dispatch-every", "1"]);
    support::spawn(cmd, dir).ready()
}

/// The link (path and query) of the sign-in email to `email`, once it is delivered.
fn sign_in_link(app: &TestApp, email: &str) -> String {
    let mut text = String::new();
    let found = support::eventually(Duration::from_secs(120), || {
        let mails = app.admin().json("/admin/mail");
        let mail = mails["mails"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["event"] == "account.sign_in" && m["recipient"] == email);
        if let Some(mail) = mail {
            text = mail["text"].as_str().unwrap().to_string();
        }
        mail.is_some()
    });
    assert!(found, "no sign-in email to {email}");
    let start = text.find("/login/link?token=").unwrap();
    text[start..].split_whitespace().next().unwrap().to_string()
}

fn customer_signs_in_by_email_and_sees_the_order(viewport: Viewport, scripts: Scripts) {
    let shared = shared();
    let app = &shared.app;
    let email = format!("{viewport}-{scripts}@example.com").to_lowercase();
    let mut body = support::order_body("french-press", 1);
    body["email"] = email.clone().into();
    let number = app.place(&format!("account-{viewport}-{scripts}"), &body)["number"]
        .as_str()
        .unwrap()
        .to_string();
    session(
        &shared.driver,
        &app.base_url,
        viewport,
        scripts,
        async |b| {
            // The header's "Account" link leads a shopper who is not signed in to sign in.
            b.goto("/").await;
            let account = b
                .client
                .find(fantoccini::Locator::LinkText("Account"))
                .await
                .unwrap();
            b.click_to_next_page(&account).await;
            assert_eq!(b.path().await, "/login");
            b.check_page("the sign-in page").await;
            b.type_into("Email address", &email).await;
            b.click_button("Email me a sign-in link").await;
            assert_eq!(b.heading().await, "Check your email");
            b.check_page("check your email").await;

            let link = sign_in_link(app, &email);
            b.goto(&link).await;
            b.check_page("the link's confirm page").await;
            b.click_button("Sign in").await;
            assert_eq!(b.path().await, "/account");
            b.check_page("the account").await;
            assert!(
                b.text().await.contains(&number),
                "the order is in the history"
            );

            let order = b
                .find(&format!(
                    "//main//a[normalize-space()={}]",
                    xpath_literal(&number)
                ))
                .await;
            b.click_to_next_page(&order).await;
            assert_eq!(b.path().await, format!("/orders/{number}"));
            b.check_page("the order, opened from the account").await;

            b.goto("/account").await;
            b.click_button("Sign out").await;
            assert!(b.path().await.starts_with("/login"));
            assert!(b.text().await.contains("You are signed out."));
            b.goto("/account").await;
            assert_eq!(b.path().await, "/login", "the session ended");
        },
    );
}
