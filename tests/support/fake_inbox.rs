//! A recording HTTP server standing in for the third parties the outbox delivers to:
//! Postmark's email API (`POST /email` with `X-Postmark-Server-Token`, answering like
//! Postmark) and an owner's webhook receiver. It can fail the first N requests, hold
//! the first answer back (so a test can kill the app mid-delivery), or refuse every
//! email as Postmark refuses an invalid address. It shares no code with the app.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let state = shared.clone();
                let behaviour = behaviour.clone();
                std::thread::spawn(move || serve(stream, &state, &behaviour));
            }
        });
        FakeInbox { base_url, state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, behaviour: &Behaviour) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let body = if headers
            .get("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
        {
            read_chunked(&mut reader)
        } else {
            let length: usize = headers
                .get("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            body
        };
        let received = Received {
            method,
            path,
            headers,
            body,
        };
        let n = {
            let mut s = state.lock().unwrap();
            s.received.push(received.clone());
            s.received.len()
        };
        if n == 1
            && let Some(hold) = behaviour.hold_first
        {
            std::thread::sleep(hold);
        }
        let (status, answer) = answer(&received, behaviour, n);
        let body = answer.to_string();
        let mut out = stream.try_clone().unwrap();
        let written = write!(
            out,
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if written.is_err() {
            return;
        }
    }
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        if reader.read_line(&mut size).unwrap_or(0) == 0 {
            return body;
        }
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        let mut chunk = vec![0; size + 2];
        if reader.read_exact(&mut chunk).is_err() {
            return body;
        }
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&chunk[..size]);
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
