//! What a shopper does through the pages and the public API: place an order (or have a
//! standalone writer place it), read and pay it with the order's access token, which the
//! harness remembers from the answer that placed it, and see what is in stock.

use super::{TOKEN, TestApp, client, hidden_field};
use std::sync::{Mutex, OnceLock};

/// A valid order body for `slug`.
pub fn order_body(slug: &str, quantity: i64) -> serde_json::Value {
    serde_json::json!({
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "address": {"line1": "12 Analytical Row", "city": "London", "postal_code": "N1 9GU", "country": "GB"},
        "items": [{"slug": slug, "quantity": quantity}]
    })
}

/// An answer read whole, so the harness can look at it before the test does: an order's
/// access token is remembered ([`remember_order`]) the moment a placing answer shows it.
pub struct Answered {
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl From<reqwest::blocking::Response> for Answered {
    fn from(response: reqwest::blocking::Response) -> Answered {
        Answered::read(response)
    }
}

impl Answered {
    pub fn read(response: reqwest::blocking::Response) -> Answered {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().unwrap().to_vec();
        if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) {
            remember_order(&json);
        }
        Answered {
            status,
            headers,
            body,
        }
    }

    pub fn status(&self) -> reqwest::StatusCode {
        self.status
    }

    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_slice(&self.body)
    }

    pub fn text(&self) -> Result<String, std::string::FromUtf8Error> {
        String::from_utf8(self.body.clone())
    }
}

/// The access tokens of the orders this test process placed, by order number: what a
/// shopper's client keeps from the answer to placing an order.
fn tokens() -> &'static Mutex<std::collections::HashMap<String, String>> {
    static TOKENS: OnceLock<Mutex<std::collections::HashMap<String, String>>> = OnceLock::new();
    TOKENS.get_or_init(Default::default)
}

/// Remembers the access token of the order `json` shows, if it shows one.
pub fn remember_order(json: &serde_json::Value) {
    if let (Some(number), Some(token)) = (json["number"].as_str(), json["access_token"].as_str()) {
        remember_token(number, token);
    }
}

/// Remembers the access token that `response` (the checkout's answer to placing an
/// order) gave the browser in its `order_key` cookie, scoped to the order's path.
pub fn keep_order_cookie(response: &reqwest::blocking::Response) {
    for cookie in response.headers().get_all("set-cookie") {
        let cookie = cookie.to_str().unwrap();
        let Some(token) = cookie
            .strip_prefix("order_key=")
            .and_then(|rest| rest.split(';').next())
        else {
            continue;
        };
        let number = cookie
            .split("; ")
            .find_map(|attribute| attribute.strip_prefix("Path=/orders/"))
            .unwrap_or_else(|| panic!("an order_key cookie without its order's path: {cookie}"));
        remember_token(number, token);
    }
}

/// Remembers `token` as the access token of order `number`.
pub fn remember_token(number: &str, token: &str) {
    tokens()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(canonical(number), token.to_string());
}

/// The one spelling of an order number that the registry of tokens is keyed by.
fn canonical(number: &str) -> String {
    storefront_domain::order_number::normalize(number).unwrap_or_else(|| number.to_string())
}

/// The access token of order `number`, which this test process placed.
pub fn order_token(number: &str) -> String {
    let known = tokens()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&canonical(number))
        .cloned();
    known.unwrap_or_else(|| panic!("no access token known for order {number}"))
}

/// `request` as the shopper of order `number` sends it: with the order's access token.
pub fn as_shopper(
    request: reqwest::blocking::RequestBuilder,
    number: &str,
) -> reqwest::blocking::RequestBuilder {
    request.header("order-token", order_token(number))
}

/// The fields of a valid checkout form, with the CSRF token and idempotency key taken from
/// the checkout page `checkout_html` (a London address, the terms accepted).
pub fn checkout_form(checkout_html: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", hidden_field(checkout_html, "csrf")),
        (
            "idempotency_key",
            hidden_field(checkout_html, "idempotency_key"),
        ),
        ("email", "ada@example.com".into()),
        ("name", "Ada Lovelace".into()),
        ("address.line1", "12 St James's Square".into()),
        ("address.line2", String::new()),
        ("address.city", "London".into()),
        ("address.postal_code", "SW1Y 4JH".into()),
        ("address.country", "GB".into()),
        ("terms", "yes".into()),
    ]
}

impl TestApp {
    /// Places `body` directly on a standalone writer (`POST /orders` with the writer's
    /// token and `key`): the answer, whatever it is.
    pub fn place_on_writer(&self, key: &str, body: &serde_json::Value) -> Answered {
        Answered::read(
            client()
                .post(self.url("/orders"))
                .bearer_auth(TOKEN)
                .header("idempotency-key", key)
                .json(body)
                .send()
                .unwrap(),
        )
    }

    /// The shop's page at `path` as a shopper's fresh client gets it, which must be
    /// there (200).
    pub fn page(&self, path: &str) -> String {
        self.shopper().page(path)
    }

    /// Places an order as a client of the public API (`POST /api/orders`), with `key` as
    /// its idempotency key if given: the answer, whatever it is.
    pub fn post_order(&self, key: Option<&str>, body: &serde_json::Value) -> Answered {
        let mut request = client().post(self.url("/api/orders")).json(body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        Answered::read(request.send().unwrap())
    }

    /// Places `body` through the public API, which must accept it (201): the order.
    pub fn place(&self, key: &str, body: &serde_json::Value) -> serde_json::Value {
        let placed = self.post_order(Some(key), body);
        assert_eq!(placed.status(), 201, "{:?}", placed.text());
        placed.json().unwrap()
    }

    /// Places an order for one French press ([`order_body`]): its number.
    pub fn place_order(&self, key: &str) -> String {
        let order = self.place(key, &order_body("french-press", 1));
        order["number"].as_str().unwrap().to_string()
    }

    /// `GET /api/orders/{number}` through the pages component, as the order's shopper.
    pub fn order(&self, number: &str) -> serde_json::Value {
        as_shopper(
            client().get(self.url(&format!("/api/orders/{number}"))),
            number,
        )
        .send()
        .unwrap()
        .json()
        .unwrap()
    }

    /// The state order `number` is in, as its shopper reads it.
    pub fn order_state(&self, number: &str) -> String {
        self.order(number)["state"].as_str().unwrap().to_string()
    }

    /// Pays order `number` with the test-mode provider as its shopper does: opens the
    /// payment page with the order's token and presses "Pay" (its form's CSRF token
    /// included).
    pub fn pay(&self, number: &str) {
        let shopper = client();
        let page = as_shopper(
            shopper.get(self.url(&format!("/orders/{number}/pay"))),
            number,
        )
        .send()
        .unwrap();
        assert_eq!(page.status(), 200, "the payment page of {number}");
        let page = page.text().unwrap();
        let csrf = hidden_field(&page, "csrf");
        let paid = as_shopper(
            shopper.post(self.url(&format!("/orders/{number}/pay/test"))),
            number,
        )
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
        assert_eq!(paid.status(), 303, "paying {number}");
    }

    /// Current stock of every product (over its active variants), by slug, from the
    /// public API, a page of 100 at a time.
    pub fn stock(&self) -> std::collections::BTreeMap<String, i64> {
        let mut stock = std::collections::BTreeMap::new();
        loop {
            let v: serde_json::Value = client()
                .get(self.url(&format!("/api/products?limit=100&offset={}", stock.len())))
                .send()
                .unwrap()
                .json()
                .unwrap();
            let products = v["products"].as_array().unwrap();
            let before = stock.len();
            for p in products {
                stock.insert(
                    p["slug"].as_str().unwrap().to_string(),
                    p["stock"].as_i64().unwrap(),
                );
            }
            let total = v["total"].as_u64().unwrap_or(0) as usize;
            if stock.len() == before || stock.len() >= total {
                return stock;
            }
        }
    }
}
