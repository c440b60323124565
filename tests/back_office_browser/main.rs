//! The back office in a real browser: headless Chromium through chromedriver, at phone
//! and desktop size, with JavaScript on and off, against one app whose owner password
//! is set. Each area's scenarios live in their own module and are listed in `main`;
//! every page they visit is checked like the shop's (nothing scrolls sideways, every
//! control has an accessible name, axe-core finds no serious violation with scripts on).
//!
//! This binary has its own `main` (libtest-mimic, `harness = false`) so that the one
//! chromedriver and the one app its tests share are stopped when the tests end.

#[path = "../browser_support/mod.rs"]
mod browser_support;
#[path = "../common/mod.rs"]
mod common;

mod catalog;
mod dashboard;
mod journey;
mod orders;
mod outbox;
mod sign_in;

use browser_support::{Browser, Chromedriver, Scripts, Viewport};
use common::TestApp;
use libtest_mimic::{Arguments, Trial};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// What the tests share: started by the first test that runs, stopped by `main`.
pub struct Shared {
    pub driver: Chromedriver,
    pub app: TestApp,
    pub data_dir: tempfile::TempDir,
}

static SHARED: Mutex<Option<Arc<Shared>>> = Mutex::new(None);

pub fn shared() -> Arc<Shared> {
    let mut slot = SHARED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(shared) = slot.as_ref() {
        return shared.clone();
    }
    let driver = Chromedriver::start();
    let data_dir = tempfile::tempdir().unwrap();
    let app = common::start_back_office(data_dir.path());
    let shared = Arc::new(Shared {
        driver,
        app,
        data_dir,
    });
    *slot = Some(shared.clone());
    shared
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
    browser.type_into("Password", common::OWNER_PASSWORD).await;
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

/// A scenario run once per screen size and script setting.
pub type Scenario = fn(Viewport, Scripts);

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    // Each area adds its scenarios here.
    let scenarios: Vec<(&str, Scenario)> = [
        sign_in::scenarios(),
        dashboard::scenarios(),
        orders::scenarios(),
        catalog::scenarios(),
        journey::scenarios(),
        outbox::scenarios(),
    ]
    .concat();
    for (name, scenario) in scenarios {
        for viewport in Viewport::ALL {
            for scripts in Scripts::ALL {
                trials.push(Trial::test(
                    format!("{name}::{viewport}::{scripts}"),
                    move || {
                        scenario(viewport, scripts);
                        Ok(())
                    },
                ));
            }
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    drop(
        SHARED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take(),
    );
    conclusion.exit_code()
}
