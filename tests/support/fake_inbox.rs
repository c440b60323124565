//! A recording HTTP server standing in for the third parties the outbox delivers to:
//! Postmark's email API (`POST /email` with `X-Postmark-Server-Token`, answering like
//! Postmark) and an owner's webhook receiver. It can fail the first N requests, hold
//! the first answer back (so a test can kill the app mid-delivery), answer slowly like an
//! API across the internet, or refuse every
//! email as Postmark refuses an invalid address. It shares no code with the app (its
//! HTTP is `fake_http`'s).

use super::fake_http::{self, Connections};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const POSTMARK_TOKEN: &str = "postmark-fake-server-token-0123";

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// How the server answers.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Answer 500 to the first N requests.
    pub fail_first: usize,
    /// Hold the answer to the very first request back this long.
    pub hold_first: Option<Duration>,
    /// Answer every email like Postmark answers an invalid recipient (422, ErrorCode 300).
    pub refuse_recipients: bool,
    /// Check `X-Postmark-Server-Token` like Postmark (401 without the right one).
    pub postmark: bool,
    /// Take this long over every answer, as a real API across the internet does.
    pub latency: Option<Duration>,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
}

#[derive(Clone)]
pub struct FakeInbox {
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

impl FakeInbox {
    pub fn start(behaviour: Behaviour) -> FakeInbox {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let base_url = fake_http::start(Connections::KeepAlive, move |request| {
            let received = Received {
                method: request.method.clone(),
                path: request.target.clone(),
                headers: request.headers.clone(),
                body: request.body.clone(),
            };
            let n = {
                let mut s = shared.lock().unwrap();
                s.received.push(received.clone());
                s.received.len()
            };
            if n == 1
                && let Some(hold) = behaviour.hold_first
            {
                std::thread::sleep(hold);
            }
            if let Some(latency) = behaviour.latency {
                std::thread::sleep(latency);
            }
            answer(&received, &behaviour, n)
        });
        FakeInbox { base_url, state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

fn answer(r: &Received, behaviour: &Behaviour, n: usize) -> (u16, Value) {
    if n <= behaviour.fail_first {
        return (500, json!({ "error": "the fake is failing on purpose" }));
    }
    if behaviour.postmark {
        if r.headers.get("x-postmark-server-token").map(String::as_str) != Some(POSTMARK_TOKEN) {
            return (
                401,
                json!({ "ErrorCode": 10, "Message": "Bad or missing Server API token." }),
            );
        }
        if behaviour.refuse_recipients {
            return (
                422,
                json!({ "ErrorCode": 300, "Message": "Invalid 'To' address." }),
            );
        }
        let to = r.json()["To"].as_str().unwrap_or_default().to_string();
        return (
            200,
            json!({ "To": to, "ErrorCode": 0, "Message": "OK", "MessageID": format!("pm-{n}") }),
        );
    }
    (200, json!({ "received": true }))
}
