//! A shopper at a browser in the shop (`app.shopper()`): one client whose cookies keep
//! the cart, the pages it opens, and the cart and checkout forms it sends, each with the
//! CSRF token of the page it came from.

use super::{TestApp, checkout_form, client, hidden_field, keep_order_cookie, ok_text};
use reqwest::blocking::{Client, Response};

/// A shopper's browser on one app: cookies kept, redirects not followed.
pub struct Shopper<'a> {
    app: &'a TestApp,
    client: Client,
}

impl TestApp {
    /// A shopper at a fresh browser, with an empty cart.
    pub fn shopper(&self) -> Shopper<'_> {
        self.shopper_with(client())
    }

    /// A shopper whose browser is `client` (one that sends its own headers).
    pub fn shopper_with(&self, client: Client) -> Shopper<'_> {
        Shopper { app: self, client }
    }
}

impl Shopper<'_> {
    /// The browser's client, for requests the methods here do not make.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `GET path`: the answer, whatever it is.
    pub fn get(&self, path: &str) -> Response {
        self.client.get(self.app.url(path)).send().unwrap()
    }

    /// The page at `path`, which must be there (200).
    pub fn page(&self, path: &str) -> String {
        ok_text(self.client.get(self.app.url(path)))
    }

    /// Sends `form` to `path` as a page's form does.
    pub fn post<T: serde::Serialize + ?Sized>(&self, path: &str, form: &T) -> Response {
        self.client
            .post(self.app.url(path))
            .form(form)
            .send()
            .unwrap()
    }

    /// Opens the catalog (which issues the cart cookie and its CSRF token) and adds
    /// `quantity` of `slug` with its form: the token and the answer.
    pub fn add_to_cart(&self, slug: &str, quantity: &str) -> (String, Response) {
        let home = self.page("/");
        let csrf = hidden_field(&home, "csrf");
        let added = self.post(
            "/cart/add",
            &[("slug", slug), ("quantity", quantity), ("csrf", &csrf)],
        );
        (csrf, added)
    }

    /// Submits `form` to the checkout; an order it places leaves its access token with
    /// the harness (the `order_key` cookie).
    pub fn submit_checkout<T: serde::Serialize + ?Sized>(&self, form: &T) -> Response {
        let answer = self.post("/checkout", form);
        keep_order_cookie(&answer);
        answer
    }

    /// Sends a checkout form the shop answers with its form again (a refusal, "Update
    /// shipping", "Apply"): the `303` back to `/checkout` (a POST never answers with a
    /// page), followed by the browser's `GET`, whose answer this is.
    pub fn checkout_shows<T: serde::Serialize + ?Sized>(&self, form: &T) -> Response {
        checkout_outcome(&self.client, self.app, self.post("/checkout", form))
    }

    /// Places the cart's order with a valid checkout form ([`checkout_form`]): its number.
    pub fn check_out(&self) -> String {
        let checkout = self.page("/checkout");
        let placed = self.submit_checkout(&checkout_form(&checkout));
        assert_eq!(placed.status(), 303);
        let location = placed.headers()["location"].to_str().unwrap().to_string();
        location
            .strip_prefix("/orders/")
            .and_then(|rest| rest.strip_suffix("/pay"))
            .unwrap_or_else(|| panic!("placing led to {location}"))
            .to_string()
    }
}

/// What a browser shows after a checkout `POST` answered `answer`: every checkout POST
/// answers `303`; one back to `/checkout` is followed with the `GET` that shows the
/// form (with its errors, and the status it chose), any other is returned as it is.
pub fn checkout_outcome(client: &Client, app: &TestApp, answer: Response) -> Response {
    assert_eq!(
        answer.status(),
        303,
        "a checkout POST answers 303, never a page"
    );
    if answer.headers()["location"] != "/checkout" {
        return answer;
    }
    client.get(app.url("/checkout")).send().unwrap()
}
