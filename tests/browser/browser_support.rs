//! Real-browser harness: one chromedriver for the browser binary, a fresh headless Chromium
//! session per scenario at phone or desktop size with JavaScript on or off, and the
//! checks every shopper page must pass in it (fits the screen, every control named,
//! and, where scripts run, no serious or critical axe-core violation).
//!
//! Chromium and chromedriver are Debian's `chromium` and `chromium-driver`, installed
//! by `./test` (the README's test command). Without them the tests fail and say so: CI must never skip them.

use crate::support::free_port;
use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::fmt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a page may take to replace the one a click left.
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(20);

const INSTALL_HINT: &str = "the browser tests need Chromium and chromedriver: run ./test, \
     or install them (Debian: apt-get install chromium chromium-driver), or point \
     CHROMEDRIVER at a chromedriver binary";

/// A chromedriver process on a free loopback port, killed when dropped.
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Chromedriver {
    /// Starts `$CHROMEDRIVER` (default `chromedriver` on `PATH`) and waits until it
    /// answers `/status` as ready.
    pub fn start() -> Chromedriver {
        let program = std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into());
        let port = free_port();
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program:?} ({e}): {INSTALL_HINT}"));
        let mut driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let status = format!("{}/status", driver.url);
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(exit) = driver.child.try_wait().unwrap() {
                panic!("chromedriver exited at start ({exit}): {INSTALL_HINT}");
            }
            let ready = http
                .get(&status)
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The window sizes every shopper page is tested at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewport {
    /// 390 × 844 CSS pixels, a common phone.
    Phone,
    /// 1280 × 800.
    Desktop,
}

impl Viewport {
    pub const ALL: [Viewport; 2] = [Viewport::Phone, Viewport::Desktop];

    pub fn size(self) -> (u32, u32) {
        match self {
            Viewport::Phone => (390, 844),
            Viewport::Desktop => (1280, 800),
        }
    }
}

impl fmt::Display for Viewport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Viewport::Phone => "phone",
            Viewport::Desktop => "desktop",
        })
    }
}

/// Whether the browser runs the pages' JavaScript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scripts {
    On,
    Off,
}

impl Scripts {
    pub const ALL: [Scripts; 2] = [Scripts::On, Scripts::Off];
}

impl fmt::Display for Scripts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scripts::On => "javascript_on",
            Scripts::Off => "javascript_off",
        })
    }
}

/// The capabilities for one headless session. The flags that turn off Chromium's own
/// network use (QUIC, background fetches, component updates, sync) are needed on a
/// machine without internet access, where Chromium otherwise fails to start pages.
fn capabilities(viewport: Viewport, scripts: Scripts, profile: &std::path::Path) -> Capabilities {
    let (width, height) = viewport.size();
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        format!("--user-data-dir={}", profile.display()),
        format!("--window-size={width},{height}"),
    ];
    let mut prefs = serde_json::Map::new();
    if scripts == Scripts::Off {
        // Blocks page scripts the way a shopper's "JavaScript off" setting does;
        // WebDriver's own commands still work.
        prefs.insert(
            "profile.managed_default_content_settings.javascript".into(),
            json!(2),
        );
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let mut options = json!({ "args": args, "prefs": prefs });
    if let Some(binary) = std::env::var_os("CHROME_BIN") {
        options["binary"] = json!(binary.to_string_lossy());
    }
    let caps = json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "goog:chromeOptions": options,
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// One browser session on the app at `base_url`.
pub struct Browser {
    pub client: Client,
    base_url: String,
    pub viewport: Viewport,
    pub scripts: Scripts,
}

/// Opens a session, checks that it has the requested size and script setting, runs
/// `scenario` in it, and closes it again whether the scenario passed or panicked.
pub fn session(
    driver: &Chromedriver,
    base_url: &str,
    viewport: Viewport,
    scripts: Scripts,
    scenario: impl AsyncFnOnce(&Browser),
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let client = runtime
        .block_on(
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities(viewport, scripts, profile.path()))
                .connect(&driver.url),
        )
        .unwrap_or_else(|e| panic!("chromedriver could not start Chromium ({e}): {INSTALL_HINT}"));
    let browser = Browser {
        client,
        base_url: base_url.trim_end_matches('/').to_string(),
        viewport,
        scripts,
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async {
            browser.set_up().await;
            scenario(&browser).await;
        })
    }));
    let _ = runtime.block_on(browser.client.close());
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// `s` as an XPath string literal (XPath 1.0 has no escapes, hence `concat`).
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

impl Browser {
    /// Sets the window to the viewport (`--window-size` is the outer size in some
    /// Chromium builds) and proves the script setting took effect.
    async fn set_up(&self) {
        let (width, height) = self.viewport.size();
        self.client.set_window_size(width, height).await.unwrap();
        self.check_scripts().await;
        if self.scripts == Scripts::On {
            let inner = self.script("return window.innerWidth").await;
            assert_eq!(
                inner,
                json!(width),
                "the {} viewport is not {width} px wide",
                self.viewport
            );
        }
    }

    /// A page whose `<noscript>` content exists as elements only when scripts are
    /// off, and whose script renames it only when they are on.
    async fn check_scripts(&self) {
        self.client
            .goto("data:text/html,<title>no scripts</title><noscript><p id=off>off</p></noscript><script>document.title='scripts ran'</script>")
            .await
            .unwrap();
        let title = self.client.title().await.unwrap();
        let noscript = self
            .client
            .find_all(Locator::Css("#off"))
            .await
            .unwrap()
            .len();
        match self.scripts {
            Scripts::On => assert!(
                title == "scripts ran" && noscript == 0,
                "JavaScript should be on: title {title:?}, <noscript> elements {noscript}"
            ),
            Scripts::Off => assert!(
                title == "no scripts" && noscript == 1,
                "JavaScript should be off: title {title:?}, <noscript> elements {noscript}"
            ),
        }
    }

    pub fn label(&self) -> String {
        format!("{} with {}", self.viewport, self.scripts)
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base_url))
            .await
            .unwrap();
    }

    /// The access token the shop gave this browser for the order whose page it shows: the
    /// order's `order_key` cookie (scoped to that page, `HttpOnly`; WebDriver reads it
    /// where a script could not). Remembered for the test's own requests as the order's
    /// shopper.
    pub async fn keep_order_token(&self, number: &str) {
        let cookie = self
            .client
            .get_named_cookie("order_key")
            .await
            .unwrap_or_else(|e| panic!("{}: no order_key cookie for {number}: {e}", self.label()));
        crate::support::remember_token(number, cookie.value());
    }

    /// The current address's path and query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn find(&self, xpath: &str) -> Element {
        let path = self.path().await;
        self.client
            .find(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("{}: no {xpath} on {path}: {e}", self.label()))
    }

    pub async fn find_all(&self, xpath: &str) -> Vec<Element> {
        self.client.find_all(Locator::XPath(xpath)).await.unwrap()
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.find("//body").await.text().await.unwrap()
    }

    pub async fn heading(&self) -> String {
        self.find("//h1").await.text().await.unwrap()
    }

    /// The first button in `main` that says `text`.
    pub async fn button(&self, text: &str) -> Element {
        let t = xpath_literal(text);
        self.find(&format!(
            "//main//button[normalize-space()={t}] | //main//input[@type='submit' and @value={t}]"
        ))
        .await
    }

    /// The control a `<label>` reading exactly `label` names (by `for`, or by wrapping it).
    pub async fn field(&self, label: &str) -> Element {
        let label_el = self
            .find(&format!(
                "//label[normalize-space()={}]",
                xpath_literal(label)
            ))
            .await;
        match label_el.attr("for").await.unwrap() {
            Some(id) => self.find(&format!("//*[@id={}]", xpath_literal(&id))).await,
            None => label_el
                .find(Locator::XPath(".//input | .//select | .//textarea"))
                .await
                .unwrap_or_else(|e| panic!("label {label:?} names no control: {e}")),
        }
    }

    /// Clicks the field labelled `label` and types `text` into it.
    pub async fn type_into(&self, label: &str, text: &str) {
        let field = self.field(label).await;
        field.click().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Clicks `element` and waits until a new document replaced the current one.
    pub async fn click_to_next_page(&self, element: &Element) {
        let old = self.client.find(Locator::XPath("/html")).await.unwrap();
        element.click().await.unwrap();
        self.wait_for_new_document(old).await;
    }

    pub async fn click_button(&self, text: &str) {
        let button = self.button(text).await;
        self.click_to_next_page(&button).await;
    }

    /// Waits until `old` (the previous page's root) is gone from the window.
    pub async fn wait_for_new_document(&self, old: Element) {
        let deadline = Instant::now() + NAVIGATION_TIMEOUT;
        while old.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "{}: the page did not change after the click",
                self.label()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs `script` in the page (only where scripts are on).
    pub async fn script(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap()
    }

    /// What every shopper page must pass: with scripts on it fits the viewport's width
    /// (no sideways scrolling) and axe-core finds no serious or critical violation, and
    /// every form control has an accessible name as Chromium's accessibility tree
    /// computes it (a `<label>`, `aria-label` or, for buttons, their text).
    pub async fn check_page(&self, what: &str) {
        let mut problems = self.page_problems().await;
        if self.scripts == Scripts::On {
            problems.extend(self.axe_problems().await);
        }
        assert!(
            problems.is_empty(),
            "{}: the {what} page ({}): {problems:#?}",
            self.label(),
            self.path().await
        );
    }

    /// The serious and critical violations axe-core (the npm package the project's
    /// `package.json` installs into `node_modules/`) finds on the current page, one line
    /// each. The script is injected through WebDriver, so the pages' own
    /// Content-Security-Policy (no scripts) does not stop it.
    pub async fn axe_problems(&self) -> Vec<String> {
        let source = axe_source();
        self.client
            .execute(&format!("{source}\n;return typeof axe;"), Vec::new())
            .await
            .unwrap();
        let run = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ["violations"] }).then(
                (r) => done(r.violations
                    .filter((v) => v.impact === "serious" || v.impact === "critical")
                    .map((v) => v.impact + " " + v.id + ": " + v.help + " — "
                        + v.nodes.slice(0, 3).map((n) => n.target.join(" ")
                            + (n.failureSummary ? " (" + n.failureSummary.replace(/\s+/g, " ") + ")" : "")).join("; "))),
                (e) => done(["axe failed: " + e]));
        "#;
        let found = self.client.execute_async(run, Vec::new()).await.unwrap();
        found
            .as_array()
            .unwrap_or_else(|| panic!("axe answered {found}"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// What [`Browser::check_page`] finds wrong with the current page.
    pub async fn page_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.scripts == Scripts::On {
            let widths = self
                .script("return [document.documentElement.scrollWidth, window.innerWidth]")
                .await;
            let (scroll, inner) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
            if scroll > inner {
                problems.push(format!(
                    "scrolls sideways: {scroll} px of content in {inner} px"
                ));
            }
        }
        let controls = self
            .client
            .find_all(Locator::Css(
                "input:not([type=hidden]), select, textarea, button",
            ))
            .await
            .unwrap();
        for control in controls {
            let name = self
                .client
                .issue_cmd(ComputedLabel(control.element_id().to_string()))
                .await
                .unwrap();
            if name.as_str().is_none_or(|n| n.trim().is_empty()) {
                let html = control.html(false).await.unwrap();
                problems.push(format!("no accessible name: {html}"));
            }
        }
        problems
    }
}

/// `node_modules/axe-core/axe.min.js`, read once.
fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = crate::support::repo_root().join("node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; the accessibility checks need axe-core: run `npm ci` at the repository root (./test does)",
                path.display()
            )
        })
    })
}

/// WebDriver's "Get Computed Label": the element's accessible name (fantoccini has no
/// method for it yet).
#[derive(Debug)]
struct ComputedLabel(String);

impl WebDriverCompatibleCommand for ComputedLabel {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a session is open");
        base_url.join(&format!(
            "session/{session}/element/{}/computedlabel",
            self.0
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}
