//! The owner's scripts on the admin routes (`app.admin()`): JSON requests with the admin
//! token, an idempotency key where a command takes one, and the order commands by name.

use super::{ADMIN_TOKEN, TestApp, client, ok_json};
use reqwest::Method;
use reqwest::blocking::Response;

/// A script with the admin token, on one app.
pub struct Admin<'a> {
    app: &'a TestApp,
}

impl TestApp {
    /// A script on the admin routes ([`ADMIN_TOKEN`]).
    pub fn admin(&self) -> Admin<'_> {
        Admin { app: self }
    }
}

impl Admin<'_> {
    /// `method path` with `key` as its idempotency key and `body` as its JSON, where
    /// given: the answer, whatever it is.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Response {
        let mut request = client()
            .request(method, self.app.url(path))
            .bearer_auth(ADMIN_TOKEN);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().unwrap()
    }

    /// `GET path`: the JSON of a 200.
    pub fn json(&self, path: &str) -> serde_json::Value {
        ok_json(client().get(self.app.url(path)).bearer_auth(ADMIN_TOKEN))
    }

    /// Cancels order `number` (`POST /admin/orders/{number}/cancel`, no key): the answer.
    pub fn cancel(&self, number: &str) -> Response {
        self.send(
            Method::POST,
            &format!("/admin/orders/{number}/cancel"),
            None,
            None,
        )
    }

    /// Refunds the rest of order `number`'s payment (`POST /admin/orders/{number}/refund`,
    /// no key, no amount): the answer.
    pub fn refund(&self, number: &str) -> Response {
        self.send(
            Method::POST,
            &format!("/admin/orders/{number}/refund"),
            None,
            None,
        )
    }

    /// Sells out every variant of product `slug` whose title ends with `titled` (a
    /// stock adjustment of minus what it holds, on the admin JSON API).
    pub fn sell_out(&self, slug: &str, titled: &str) {
        let product = self.json(&format!("/admin/catalog/products/{slug}"));
        for v in product["variants"].as_array().unwrap() {
            let stock = v["stock"].as_i64().unwrap();
            if !v["title"].as_str().unwrap().ends_with(titled) || stock == 0 {
                continue;
            }
            let sku = v["sku"].as_str().unwrap();
            let sold = self.send(
                Method::POST,
                &format!("/admin/catalog/variants/{sku}/stock"),
                Some(&format!("sell-out-{sku}")),
                Some(&serde_json::json!({"delta": -stock, "reason": "sold out for a test"})),
            );
            assert_eq!(sold.status(), 201, "{sku}");
        }
    }
}
