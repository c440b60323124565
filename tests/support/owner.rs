//! The shop's owner in the back office (`app.owner()`): the test password, a
//! browser-like client signed in with it, its pages and forms (every one carries a CSRF
//! token, and the ones that change an order an idempotency key), and the redirects that
//! answer a form with a message on the page they lead to.

use super::{TestApp, answer, browser_like_client, hidden_field, location, ok_text};
use reqwest::blocking::{Client, Response};

/// The back office owner's password in the tests.
pub const OWNER_PASSWORD: &str = "test owner password 0123";

/// A [`browser_like_client`] signed in to the back office of `app` with [`OWNER_PASSWORD`].
pub fn owner_client(app: &TestApp) -> Client {
    app.owner().sign_in().client
}

/// The CSRF token in a back-office page (every form carries it as `csrf`).
pub fn office_csrf(html: &str) -> String {
    hidden_field(html, "csrf")
}

/// The owner at a browser in the back office of one app.
pub struct Owner<'a> {
    app: &'a TestApp,
    client: Client,
}

impl TestApp {
    /// The owner at a fresh browser, not signed in yet.
    pub fn owner(&self) -> Owner<'_> {
        Owner {
            app: self,
            client: browser_like_client(),
        }
    }
}

impl Owner<'_> {
    /// Signs in with [`OWNER_PASSWORD`].
    pub fn sign_in(self) -> Self {
        let resp = self
            .client
            .post(self.app.url("/admin/sign-in"))
            .form(&[("password", OWNER_PASSWORD), ("next", "/admin")])
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 303, "signing in failed");
        self
    }

    /// The browser's client, for requests the methods here do not make.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The page at `path`, whatever its status: (status, html).
    pub fn get(&self, path: &str) -> (u16, String) {
        answer(self.client.get(self.app.url(path)))
    }

    /// The page at `path`, which must be there (200).
    pub fn page(&self, path: &str) -> String {
        ok_text(self.client.get(self.app.url(path)))
    }

    /// The page at `path` (200) and the CSRF token its forms carry.
    pub fn page_and_csrf(&self, path: &str) -> (String, String) {
        let html = self.page(path);
        let csrf = office_csrf(&html);
        (html, csrf)
    }

    /// The URL of `path` on the owner's app.
    pub fn url(&self, path: &str) -> String {
        self.app.url(path)
    }

    /// Sends `form` to `path` as the page's form does.
    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.app.url(path))
            .form(form)
            .send()
            .unwrap()
    }

    /// The page a form's redirect (303) leads to, with the message it left.
    pub fn follow(&self, resp: Response) -> String {
        assert_eq!(resp.status().as_u16(), 303);
        self.page(&location(&resp))
    }

    /// The confirmation form of `action` on order `number`: (csrf, idempotency key).
    pub fn confirm(&self, number: &str, action: &str) -> (String, String) {
        let html = self.page(&format!("/admin/orders/{number}/{action}"));
        (office_csrf(&html), hidden_field(&html, "idempotency_key"))
    }

    /// Ships order `number` from its confirmation form, without a tracking number: the
    /// answer.
    pub fn ship(&self, number: &str) -> Response {
        let (csrf, key) = self.confirm(number, "ship");
        self.post(
            &format!("/admin/orders/{number}/ship"),
            &[("csrf", csrf.as_str()), ("idempotency_key", key.as_str())],
        )
    }
}
