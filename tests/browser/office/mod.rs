//! The back office in a real browser, against the app whose owner password is set: each
//! area's scenarios live in their own module and are listed in `trials`.

mod catalog;
mod dashboard;
mod journey;
mod notes;
mod orders;
mod outbox;
mod refunds;
mod returns;
mod settings;
mod sign_in;

use crate::browser_support::{self, Browser, Scripts, Viewport};
use crate::support;
pub use crate::{Scenario, office_app as shared};
use libtest_mimic::Trial;

/// Every back-office scenario at every size and setting.
pub fn trials() -> Vec<Trial> {
    let scenarios = [
        sign_in::scenarios(),
        dashboard::scenarios(),
        orders::scenarios(),
        catalog::scenarios(),
        journey::scenarios(),
        outbox::scenarios(),
        settings::scenarios(),
        refunds::scenarios(),
        notes::scenarios(),
        returns::scenarios(),
    ]
    .concat();
    crate::at_every_size_and_setting("office", scenarios)
}

/// Runs `scenario` in a fresh browser session on the shared app.
pub fn in_browser(viewport: Viewport, scripts: Scripts, scenario: impl AsyncFnOnce(&Browser)) {
    let shared = shared();
    browser_support::session(
        &shared.driver,
        &shared.app.url("/"),
        viewport,
        scripts,
        scenario,
    );
}

/// Signs the browser in to the back office and lands on the dashboard.
pub async fn sign_in(browser: &Browser) {
    browser.goto("/admin").await;
    assert_eq!(browser.heading().await, "Sign in", "{}", browser.label());
    browser.check_page("the sign-in page").await;
    browser.type_into("Password", support::OWNER_PASSWORD).await;
    browser.click_button("Sign in").await;
    assert_eq!(
        browser.heading().await,
        "Dashboard",
        "{} at {}: {}",
        browser.label(),
        browser.path().await,
        browser.text().await
    );
}

/// Clicks the header's "Sign out" button.
pub async fn sign_out(browser: &Browser) {
    let button = browser
        .find("//header//button[normalize-space()='Sign out']")
        .await;
    browser.click_to_next_page(&button).await;
}
