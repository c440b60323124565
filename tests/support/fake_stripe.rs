//! A Stripe-compatible HTTP server for the tests: the endpoints storefront uses
//! (`POST /v1/payment_intents`, `GET /v1/payment_intents[/{id}]`,
//! `POST /v1/payment_intents/{id}` (update the amount), `POST /v1/payment_intents/{id}/cancel`,
//! `POST /v1/refunds`) with
//! Stripe's form encoding, idempotency keys, list pagination and error shape, plus the
//! webhook side: Stripe-shaped events signed the way Stripe signs them
//! (`Stripe-Signature: t=…,v1=hex(HMAC-SHA256(secret, "t.payload"))`).
//! It shares no code with the app, so a bug on either side shows (its HTTP is
//! `fake_http`'s).

use super::fake_http::{self, Connections};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub const SECRET_KEY: &str = "sk_test_storefront_fake_0123456789";
pub const PUBLISHABLE_KEY: &str = "pk_test_storefront_fake_0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_storefront_fake_0123456789abcdef";

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub form: BTreeMap<String, String>,
}

#[derive(Default)]
struct State {
    intents: BTreeMap<String, Value>,
    /// Idempotency-Key → (request form, response).
    idempotency: BTreeMap<String, (BTreeMap<String, String>, Value)>,
    refunds: Vec<Value>,
    received: Vec<Received>,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeStripe {
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

impl FakeStripe {
    pub fn start() -> FakeStripe {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let base_url = fake_http::start(Connections::OnePerRequest, move |request| {
            let received = Received {
                method: request.method.clone(),
                path: request.path().to_string(),
                headers: request.headers.clone(),
                form: parse_pairs(&String::from_utf8_lossy(&request.body)),
            };
            let mut s = shared.lock().unwrap();
            s.received.push(received.clone());
            handle(&mut s, &received, &parse_pairs(request.query()))
        });
        FakeStripe { base_url, state }
    }

    /// Points the app that `cmd` starts at this fake: Stripe mode with the test keys.
    pub fn configure<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("SPIN_VARIABLE_STRIPE_SECRET_KEY", SECRET_KEY)
            .env("SPIN_VARIABLE_STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
            .env("SPIN_VARIABLE_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("SPIN_VARIABLE_STRIPE_API_BASE", &self.base_url)
    }

    pub fn intents(&self) -> Vec<Value> {
        self.state
            .lock()
            .unwrap()
            .intents
            .values()
            .cloned()
            .collect()
    }

    pub fn intent(&self, id: &str) -> Value {
        self.state.lock().unwrap().intents[id].clone()
    }

    pub fn refunds(&self) -> Vec<Value> {
        self.state.lock().unwrap().refunds.clone()
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Creates an intent directly at the provider, as if a client had (e.g. pages that
    /// died before recording it).
    pub fn create_intent(&self, amount: i64, currency: &str, order_number: Option<&str>) -> String {
        let mut s = self.state.lock().unwrap();
        let form: BTreeMap<String, String> = [
            ("amount".to_string(), amount.to_string()),
            ("currency".to_string(), currency.to_string()),
        ]
        .into_iter()
        .chain(order_number.map(|n| ("metadata[order_number]".to_string(), n.to_string())))
        .collect();
        let intent = new_intent(&mut s, &form);
        intent["id"].as_str().unwrap().to_string()
    }

    /// Pays order `number` of `app` as its shopper would: the pages create the intent
    /// here, this provider says it succeeded (the signed event delivered to the app). The
    /// intent's id.
    pub fn pay_order(&self, app: &super::TestApp, number: &str) -> String {
        let payment = super::as_shopper(
            super::client().post(app.url(&format!("/api/orders/{number}/payment"))),
            number,
        )
        .send()
        .unwrap();
        assert_eq!(payment.status(), 200);
        let intent = payment.json::<Value>().unwrap()["intent_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(deliver(&app.base_url, &self.succeed(&intent)).status(), 200);
        intent
    }

    /// Changes an intent at the provider (to inject reconciliation mismatches).
    pub fn edit_intent(&self, id: &str, f: impl FnOnce(&mut Value)) {
        f(self.state.lock().unwrap().intents.get_mut(id).unwrap());
    }

    /// Marks the intent succeeded and returns the `payment_intent.succeeded` event.
    pub fn succeed(&self, id: &str) -> Value {
        self.edit_intent(id, |i| i["status"] = json!("succeeded"));
        self.event("payment_intent.succeeded", self.intent(id))
    }

    /// Marks the intent failed and returns the `payment_intent.payment_failed` event.
    pub fn fail(&self, id: &str) -> Value {
        self.edit_intent(id, |i| i["status"] = json!("requires_payment_method"));
        self.event("payment_intent.payment_failed", self.intent(id))
    }

    /// The `charge.refunded` event after the refunds made through the API (cumulative
    /// `amount_refunded`, like Stripe's), or of a full refund when none was made (one
    /// made in Stripe's dashboard).
    pub fn refunded(&self, intent_id: &str) -> Value {
        let intent = self.intent(intent_id);
        let amount_refunded = match intent["amount_refunded"].as_i64() {
            Some(refunded) => json!(refunded),
            None => intent["amount"].clone(),
        };
        let charge = json!({
            "id": format!("ch_{}", &intent_id[3..]),
            "object": "charge",
            "payment_intent": intent_id,
            "amount": intent["amount"],
            "refunded": amount_refunded == intent["amount"],
            "amount_refunded": amount_refunded,
            "currency": intent["currency"],
            "metadata": {},
        });
        self.event("charge.refunded", charge)
    }

    pub fn event(&self, event_type: &str, object: Value) -> Value {
        let mut s = self.state.lock().unwrap();
        s.next_id += 1;
        json!({
            "id": format!("evt_fake_{:08}", s.next_id),
            "object": "event",
            "api_version": "2024-06-20",
            "created": now(),
            "livemode": false,
            "type": event_type,
            "data": { "object": object },
        })
    }
}

/// `Stripe-Signature` for `payload` signed at `t` with `secret`.
pub fn signature(secret: &str, t: i64, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{payload}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Delivers `event` to the app's webhook, signed now with the shared secret.
pub fn deliver(app_base: &str, event: &Value) -> reqwest::blocking::Response {
    let payload = serde_json::to_string(event).unwrap();
    deliver_raw(
        app_base,
        &payload,
        &signature(WEBHOOK_SECRET, now(), &payload),
    )
}

pub fn deliver_raw(app_base: &str, payload: &str, signature: &str) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
        .post(format!("{app_base}/webhooks/stripe"))
        .header("stripe-signature", signature)
        .header("content-type", "application/json")
        .body(payload.to_string())
        .send()
        .unwrap()
}

fn new_intent(s: &mut State, form: &BTreeMap<String, String>) -> Value {
    s.next_id += 1;
    let id = format!("pi_fake{:016}", s.next_id);
    let metadata: BTreeMap<String, String> = form
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("metadata[")
                .and_then(|k| k.strip_suffix(']'))
                .map(|k| (k.to_string(), v.clone()))
        })
        .collect();
    let intent = json!({
        "id": id,
        "object": "payment_intent",
        "amount": form.get("amount").and_then(|a| a.parse::<i64>().ok()).unwrap_or(0),
        "currency": form.get("currency").cloned().unwrap_or_default(),
        "status": "requires_payment_method",
        "client_secret": format!("{id}_secret_fake"),
        "created": now(),
        "livemode": false,
        "metadata": metadata,
    });
    s.intents.insert(id, intent.clone());
    intent
}

fn error(status: u16, kind: &str, message: &str) -> (u16, Value) {
    (status, json!({"error": {"type": kind, "message": message}}))
}

fn handle(s: &mut State, r: &Received, query: &BTreeMap<String, String>) -> (u16, Value) {
    if r.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {SECRET_KEY}")) {
        return error(401, "invalid_request_error", "Invalid API Key provided");
    }
    let key = r.headers.get("idempotency-key").cloned();
    if let Some(k) = &key
        && let Some((form, response)) = s.idempotency.get(k)
    {
        if *form != r.form {
            return error(
                400,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            );
        }
        return (200, response.clone());
    }
    let response = match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/v1/payment_intents") => {
            let amount = r.form.get("amount").and_then(|a| a.parse::<i64>().ok());
            if amount.is_none_or(|a| a < 1) || r.form.get("currency").is_none_or(|c| c.len() != 3) {
                return error(
                    400,
                    "invalid_request_error",
                    "amount and currency are required",
                );
            }
            new_intent(s, &r.form)
        }
        ("POST", "/v1/refunds") => {
            let Some(pi) = r.form.get("payment_intent") else {
                return error(400, "invalid_request_error", "payment_intent is required");
            };
            let Some(intent) = s.intents.get(pi) else {
                return error(404, "invalid_request_error", "No such payment_intent");
            };
            if intent["status"] != "succeeded" {
                return error(
                    400,
                    "invalid_request_error",
                    "This PaymentIntent has no successful charge to refund",
                );
            }
            // Like Stripe: `amount` defaults to what is left; more than that is refused.
            let charged = intent["amount"].as_i64().unwrap();
            let refunded = intent["amount_refunded"].as_i64().unwrap_or(0);
            let amount = match r.form.get("amount").map(|a| a.parse::<i64>()) {
                None => charged - refunded,
                Some(Ok(a)) if a >= 1 => a,
                Some(_) => return error(400, "invalid_request_error", "Invalid integer: amount"),
            };
            if amount > charged - refunded {
                return error(
                    400,
                    "invalid_request_error",
                    &format!(
                        "Refund amount ({amount}) is greater than unrefunded amount on charge ({})",
                        charged - refunded
                    ),
                );
            }
            let pi = pi.clone();
            let currency = intent["currency"].clone();
            s.intents.get_mut(&pi).unwrap()["amount_refunded"] = json!(refunded + amount);
            s.next_id += 1;
            let refund = json!({
                "id": format!("re_fake{:016}", s.next_id),
                "object": "refund",
                "payment_intent": pi,
                "amount": amount,
                "currency": currency,
                "status": "succeeded",
            });
            s.refunds.push(refund.clone());
            refund
        }
        ("GET", "/v1/payment_intents") => {
            let limit: usize = query
                .get("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(10);
            let gte: i64 = query
                .get("created[gte]")
                .and_then(|l| l.parse().ok())
                .unwrap_or(i64::MIN);
            let lte: i64 = query
                .get("created[lte]")
                .and_then(|l| l.parse().ok())
                .unwrap_or(i64::MAX);
            // Newest first, like Stripe; ids break ties.
            let mut all: Vec<&Value> = s
                .intents
                .values()
                .filter(|i| (gte..=lte).contains(&i["created"].as_i64().unwrap()))
                .collect();
            all.sort_by_key(|i| {
                std::cmp::Reverse((i["created"].as_i64(), i["id"].as_str().map(str::to_string)))
            });
            let start = match query.get("starting_after") {
                Some(after) => all
                    .iter()
                    .position(|i| i["id"] == after.as_str())
                    .map_or(all.len(), |p| p + 1),
                None => 0,
            };
            let page: Vec<Value> = all
                .iter()
                .skip(start)
                .take(limit)
                .map(|v| (*v).clone())
                .collect();
            let has_more = start + page.len() < all.len();
            return (
                200,
                json!({"object": "list", "url": "/v1/payment_intents", "has_more": has_more, "data": page}),
            );
        }
        (method, path) if path.starts_with("/v1/payment_intents/") => {
            let rest = &path["/v1/payment_intents/".len()..];
            let (id, action) = rest.split_once('/').unwrap_or((rest, ""));
            let Some(intent) = s.intents.get_mut(id) else {
                return error(404, "invalid_request_error", "No such payment_intent");
            };
            match (method, action) {
                ("GET", "") => return (200, intent.clone()),
                // Like Stripe: the amount of an intent can change until it is being paid.
                ("POST", "") => {
                    let open = [
                        "requires_payment_method",
                        "requires_confirmation",
                        "requires_action",
                    ];
                    if !open.contains(&intent["status"].as_str().unwrap_or("")) {
                        return error(
                            400,
                            "invalid_request_error",
                            &format!(
                                "You cannot update this PaymentIntent because it has a status of {}.",
                                intent["status"].as_str().unwrap_or("")
                            ),
                        );
                    }
                    if let Some(amount) = r.form.get("amount") {
                        match amount.parse::<i64>() {
                            Ok(a) if a >= 1 => intent["amount"] = json!(a),
                            _ => {
                                return error(
                                    400,
                                    "invalid_request_error",
                                    "Invalid integer: amount",
                                );
                            }
                        }
                    }
                    intent.clone()
                }
                ("POST", "cancel") => {
                    if intent["status"] == "succeeded" {
                        return error(
                            400,
                            "invalid_request_error",
                            "You cannot cancel this PaymentIntent because it has a status of succeeded.",
                        );
                    }
                    intent["status"] = json!("canceled");
                    intent.clone()
                }
                _ => return error(404, "invalid_request_error", "Unrecognized request URL"),
            }
        }
        _ => return error(404, "invalid_request_error", "Unrecognized request URL"),
    };
    if let Some(k) = key {
        s.idempotency.insert(k, (r.form.clone(), response.clone()));
    }
    (200, response)
}

fn parse_pairs(text: &str) -> BTreeMap<String, String> {
    form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}
