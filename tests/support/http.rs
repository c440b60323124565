//! Talking HTTP to the app as its clients do: the blocking clients (an API client, a
//! browser-like one for the back office), reading what pages and redirects say, and raw
//! TCP for the tests that misbehave on purpose.

use super::{TOKEN, TestApp, addr};
use reqwest::blocking::{RequestBuilder, Response};
use std::time::{Duration, Instant};

/// A blocking HTTP client that does not follow redirects and keeps cookies.
pub fn client() -> reqwest::blocking::Client {
    client_with(reqwest::header::HeaderMap::new())
}

/// A [`client`] that sends `headers` with every request.
pub fn client_with(headers: reqwest::header::HeaderMap) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A client like a browser in the back office: keeps cookies, follows no redirects,
/// and asks for HTML (which is what routes `/admin…` to the back office, not the API).
pub fn browser_like_client() -> reqwest::blocking::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT,
        "text/html,application/xhtml+xml".parse().unwrap(),
    );
    client_with(headers)
}

/// The `Content-Type` of `response`, for checks such as `starts_with("text/html")`.
pub fn content_type(response: &Response) -> &str {
    response.headers()["content-type"].to_str().unwrap()
}

/// An amount in minor units as a page shows it without its currency sign: `2900` → `29.00`.
pub fn decimal(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// The status and body of the answer to `request`, whatever the status.
pub fn answer(request: RequestBuilder) -> (u16, String) {
    let r = request.send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

/// `GET url` with a fresh [`client`]: the status and body, whatever the status.
pub fn get(url: &str) -> (u16, String) {
    answer(client().get(url))
}

/// The body of the answer to `request`, which must be there (200).
pub fn ok_text(request: RequestBuilder) -> String {
    let (status, text) = answer(request);
    assert_eq!(status, 200, "{text:.3000}");
    text
}

/// The JSON of the answer to `request`, which must be there (200).
pub fn ok_json(request: RequestBuilder) -> serde_json::Value {
    serde_json::from_str(&ok_text(request)).unwrap()
}

impl TestApp {
    /// `GET path` as a client of the public API (a fresh client): the JSON of a 200.
    pub fn json(&self, path: &str) -> serde_json::Value {
        ok_json(client().get(self.url(path)))
    }

    /// `GET path` with the writer's token (`TOKEN`): the answer, whatever it is.
    pub fn writer_get(&self, path: &str) -> Response {
        client()
            .get(self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .unwrap()
    }

    /// `GET path` with the writer's token (`TOKEN`): the JSON of a 200.
    pub fn writer_json(&self, path: &str) -> serde_json::Value {
        ok_json(client().get(self.url(path)).bearer_auth(TOKEN))
    }
}

/// `s` as the pages' HTML writes it (maud escapes these four).
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The value of the first `<input name="NAME" value="…">` in `html` (attribute order as maud writes it).
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// A raw TCP connection to `app` that gives up reading after `read_timeout`.
pub fn raw_connection(app: &TestApp, read_timeout: Duration) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(addr(app)).unwrap();
    stream.set_read_timeout(Some(read_timeout)).unwrap();
    stream
}

/// Everything the server sends until it closes the connection (or the read times
/// out: then what arrived so far), and how long that took.
pub fn read_until_closed(stream: &mut std::net::TcpStream) -> (String, Duration) {
    use std::io::Read;
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

/// Where a redirect points (its `location` header), or "" when it has none.
pub fn location(resp: &reqwest::blocking::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}
