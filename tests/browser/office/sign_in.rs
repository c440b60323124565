//! Signing in and out of the back office with the keyboard-reachable form, and ending
//! another browser's session from the Sessions page.

use super::{Scenario, in_browser, shared, sign_in, sign_out};
use crate::browser_support::{Scripts, Viewport, xpath_literal};
use crate::support::{OWNER_PASSWORD, browser_like_client};

pub fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![
        ("owner_signs_in_and_out", owner_signs_in_and_out),
        ("owner_ends_another_session", owner_ends_another_session),
    ]
}

fn owner_signs_in_and_out(viewport: Viewport, scripts: Scripts) {
    in_browser(viewport, scripts, async |browser| {
        // A wrong password first: told so next to the field, still on the sign-in page.
        // Only at phone size: every trial signs in from 127.0.0.1, and five failed (or
        // pending) sign-ins from one client within 15 minutes lock it out.
        if viewport == Viewport::Phone {
            browser.goto("/admin/orders").await;
            assert_eq!(browser.heading().await, "Sign in");
            browser.type_into("Password", "not the password 999").await;
            browser.click_button("Sign in").await;
            assert!(browser.text().await.contains("That password is not right."));
            browser.check_page("the sign-in page with an error").await;
        }
        sign_in(browser).await;
        browser.check_page("the dashboard").await;
        sign_out(browser).await;
        assert_eq!(browser.heading().await, "Sign in");
        assert!(browser.text().await.contains("You are signed out."));
        browser.goto("/admin").await;
        assert_eq!(browser.heading().await, "Sign in", "{}", browser.label());
    });
}

fn owner_ends_another_session(viewport: Viewport, scripts: Scripts) {
    let app = &shared().app;
    // Another machine signed in, named so that this trial finds its own among the
    // sessions of the trials running beside it.
    let agent = format!("Other machine {viewport} {scripts}");
    let other = browser_like_client();
    let resp = other
        .post(app.url("/admin/sign-in"))
        .header("user-agent", &agent)
        .form(&[("password", OWNER_PASSWORD), ("next", "/admin")])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    in_browser(viewport, scripts, async |browser| {
        sign_in(browser).await;
        browser.goto("/admin/settings").await;
        let link = browser
            .find("//nav[@aria-label='Settings']//a[normalize-space()='Sessions']")
            .await;
        browser.click_to_next_page(&link).await;
        assert_eq!(browser.path().await, "/admin/settings/sessions");
        let text = browser.text().await;
        assert!(text.contains("This session"), "{}: {text}", browser.label());
        assert!(text.contains(&agent), "{}: {text}", browser.label());
        browser.check_page("the sessions page").await;
        let end = browser
            .find(&format!(
                "//tr[td[normalize-space()={}]]//button",
                xpath_literal(&agent)
            ))
            .await;
        browser.click_to_next_page(&end).await;
        let text = browser.text().await;
        assert!(
            text.contains("The session is ended."),
            "{}: {text}",
            browser.label()
        );
        assert!(!text.contains(&agent), "{}: {text}", browser.label());
        browser
            .check_page("the sessions page after ending one")
            .await;
    });
    let resp = other.get(app.url("/admin")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 303, "the ended session is refused");
}
