//! The shop and the back office in a real browser: headless Chromium through one
//! chromedriver, at phone and desktop size, with JavaScript on and off. The shopper's
//! scenarios (`shop`) run against one app, the owner's (`office`) against another whose
//! owner password is set; each app starts with the first scenario that needs it. Every
//! page a scenario visits is checked (nothing scrolls sideways, every control has an
//! accessible name, axe-core finds no serious violation with scripts on).
//!
//! `cargo test --release --test browser -- --ignored screenshots` redraws the screenshots
//! in `docs/`.
//!
//! This binary has its own `main` (libtest-mimic, `harness = false`) so that the
//! chromedriver and the apps its tests share are stopped when the tests end.

mod browser_support;
mod office;
mod shop;
mod shop_account;
mod shop_checkout;
mod shop_choice;
mod shop_languages;
mod shop_notes;
#[path = "../support/mod.rs"]
mod support;

use browser_support::{Chromedriver, Scripts, Viewport};
use libtest_mimic::{Arguments, Trial};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};
use support::TestApp;

/// One app and the chromedriver its scenarios drive, shared by the scenarios that need it.
pub struct Shared {
    pub driver: Arc<Chromedriver>,
    pub app: TestApp,
    _data_dir: tempfile::TempDir,
}

/// A shared thing, started by the first test that needs it, stopped by `main`.
type Slot<T> = Mutex<Option<Arc<T>>>;

static DRIVER: Slot<Chromedriver> = Mutex::new(None);
static SHOP: Slot<Shared> = Mutex::new(None);
static OFFICE: Slot<Shared> = Mutex::new(None);
static CHOICE: Slot<Shared> = Mutex::new(None);
static ACCOUNT: Slot<Shared> = Mutex::new(None);

fn lock<T>(slot: &Slot<T>) -> MutexGuard<'_, Option<Arc<T>>> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn driver() -> Arc<Chromedriver> {
    lock(&DRIVER)
        .get_or_insert_with(|| Arc::new(Chromedriver::start()))
        .clone()
}

/// The app in `slot`, started by `start` in a fresh data dir on first use.
fn shared_app(slot: &Slot<Shared>, start: fn(&Path) -> TestApp) -> Arc<Shared> {
    let mut slot = lock(slot);
    if let Some(shared) = slot.as_ref() {
        return shared.clone();
    }
    let data_dir = tempfile::tempdir().unwrap();
    let app = start(data_dir.path());
    let shared = Arc::new(Shared {
        driver: driver(),
        app,
        _data_dir: data_dir,
    });
    *slot = Some(shared.clone());
    shared
}

/// The shop as a shopper finds it.
pub fn shop_app() -> Arc<Shared> {
    shared_app(&SHOP, support::start)
}

/// The shop with the owner's password set, for the back office.
pub fn office_app() -> Arc<Shared> {
    shared_app(&OFFICE, support::start_back_office)
}

/// The shop with a sold-out option value, for choosing variants (`shop_choice`).
pub fn choice_app() -> Arc<Shared> {
    shared_app(&CHOICE, shop_choice::start)
}

/// The shop with the local mailbox readable, for customer accounts (`shop_account`).
pub fn account_app() -> Arc<Shared> {
    shared_app(&ACCOUNT, shop_account::start)
}

/// A scenario run once per screen size and script setting.
pub type Scenario = fn(Viewport, Scripts);

/// One trial of each scenario per screen size and script setting, named
/// `{area}::{name}::{viewport}::{scripts}`.
pub fn at_every_size_and_setting(area: &str, scenarios: Vec<(&str, Scenario)>) -> Vec<Trial> {
    let mut trials = Vec::new();
    for (name, scenario) in scenarios {
        for viewport in Viewport::ALL {
            for scripts in Scripts::ALL {
                trials.push(Trial::test(
                    format!("{area}::{name}::{viewport}::{scripts}"),
                    move || {
                        scenario(viewport, scripts);
                        Ok(())
                    },
                ));
            }
        }
    }
    trials
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut trials = shop::trials();
    trials.extend(shop_checkout::trials());
    trials.extend(office::trials());
    trials.extend(shop_choice::trials());
    trials.extend(shop_account::trials());
    trials.extend(shop_notes::trials());
    trials.extend(shop_languages::trials());
    let conclusion = libtest_mimic::run(&args, trials);
    // Stops the apps, then chromedriver (the tests' own handles are gone by now).
    drop(lock(&SHOP).take());
    drop(lock(&OFFICE).take());
    drop(lock(&CHOICE).take());
    drop(lock(&ACCOUNT).take());
    drop(lock(&DRIVER).take());
    conclusion.exit_code()
}
