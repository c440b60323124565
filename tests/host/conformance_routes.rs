//! Spin's router and `Host` rules, checked with the conformance probe app
//! (`tests/conformance/spin.toml`, started as in `conformance.rs`): route parameters
//! (`spin-path-match-<name>`), the route headers, precedence (exact, parameter, wildcard,
//! longer over shorter, a tie), a duplicate route, the reserved `/.well-known/spin/`
//! prefix, and the request's `Host` as the authority. Each list below is answered by
//! `storefront up` and, when `SPIN_BIN` names a Spin binary, by real `spin up`, and the
//! answers must be identical (addresses aside); without `SPIN_BIN` the comparison says it
//! was skipped. A malformed `Host` is refused by both: here `400`, by Spin by closing the
//! connection without an answer (`docs/spin-host.md`).

use super::conformance::{assert_same, both_hosts, normalised, start_storefront};
use crate::support;
use serde_json::{Value, json};
use std::io::Write;
use std::time::Duration;

/// Paths the probe answers with what it was given (JSON), by name.
const ROUTE_REQUESTS: &[(&str, &str)] = &[
    ("parameters and wildcard", "/base/path/end/rest?key=value"),
    ("parameters, empty wildcard", "/base/path/end"),
    ("parameters, trailing slash", "/base/path/end/"),
    ("parameters only", "/params/one/two"),
    ("exact over parameter", "/prec/exact"),
    ("exact, trailing slash", "/prec/exact/"),
    ("parameter over wildcard", "/prec/other"),
    ("parameter then wildcard", "/prec/other/more/x/"),
    ("longer over shorter", "/prec/a/b/c"),
    ("wildcard at its root", "/prec"),
    ("tie to the first declared", "/tie/1/end"),
    ("duplicate to the later", "/dup"),
    ("parameter before a dot", "/file/x.json"),
    ("empty segments", "//prec//exact"),
    ("encoded slash in a parameter", "/prec/a%2Fb"),
];

/// Paths answered without the probe: status, content type and body.
const HOST_ANSWERS: &[(&str, &str)] = &[
    ("health", "/.well-known/spin/health"),
    ("info", "/.well-known/spin/info"),
    ("reserved route", "/.well-known/spin/mine"),
    ("prefix without its slash", "/.well-known/spin"),
    ("no route", "/nothing/here"),
    ("parameter missing", "/params/one"),
    ("dot parameter, two dots", "/file/x.y.json"),
];

/// Raw requests (the request line and `Host` lines) to `/exact?q`: the component's view
/// of the authority, or `refused`.
const HOST_REQUESTS: &[(&str, &str)] = &[
    ("name", "GET /exact?q HTTP/1.1\r\nHost: shop.example"),
    (
        "name and port",
        "GET /exact?q HTTP/1.1\r\nHost: shop.example:8080",
    ),
    (
        "upper case",
        "GET /exact?q HTTP/1.1\r\nHost: SHOP.Example:80",
    ),
    ("IPv4", "GET /exact?q HTTP/1.1\r\nHost: 127.0.0.1"),
    ("IPv6 and port", "GET /exact?q HTTP/1.1\r\nHost: [::1]:3000"),
    ("IPv6", "GET /exact?q HTTP/1.1\r\nHost: [::1]"),
    (
        "IPv6 zone",
        "GET /exact?q HTTP/1.1\r\nHost: [fe80::1%25eth0]",
    ),
    ("empty port", "GET /exact?q HTTP/1.1\r\nHost: shop.example:"),
    (
        "trailing dot",
        "GET /exact?q HTTP/1.1\r\nHost: xn--bcher-kva.example.",
    ),
    (
        "absolute target",
        "GET http://shop.example/exact?q HTTP/1.1\r\nHost: SHOP.example",
    ),
    (
        "a path",
        "GET /exact?q HTTP/1.1\r\nHost: x/admin/orders/1/cancel?",
    ),
    ("a space", "GET /exact?q HTTP/1.1\r\nHost: shop example"),
    ("open bracket", "GET /exact?q HTTP/1.1\r\nHost: [::1"),
    ("empty", "GET /exact?q HTTP/1.1\r\nHost: "),
    ("percent in a name", "GET /exact?q HTTP/1.1\r\nHost: a%20b"),
    ("two colons", "GET /exact?q HTTP/1.1\r\nHost: h:1:2"),
    (
        "not ASCII",
        "GET /exact?q HTTP/1.1\r\nHost: caf\u{e9}.example",
    ),
    ("none in HTTP/1.1", "GET /exact?q HTTP/1.1"),
    (
        "absolute target, other host",
        "GET http://shop.example/exact?q HTTP/1.1\r\nHost: other",
    ),
];

/// Status, headers and body of the answer to `head` (sent with `Connection: close`), or
/// `None` when the server closed the connection without answering.
fn raw(base: &str, head: &str) -> Option<(u16, String, String)> {
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let request = format!("{head}\r\nConnection: close\r\n\r\n");
    // Latin-1 on the wire for the "not ASCII" row, as a careless client would send it.
    let bytes: Vec<u8> = request.chars().map(|c| c as u32 as u8).collect();
    stream.write_all(&bytes).unwrap();
    let (text, _) = support::read_until_closed(&mut stream);
    let (headers, body) = text.split_once("\r\n\r\n")?;
    let status = headers.split(' ').nth(1)?.parse().ok()?;
    let headers = headers.to_ascii_lowercase();
    let body = if headers.contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_string()
    };
    Some((status, headers, body))
}

/// A chunked body's data.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// Every list's answers from the host at `base`, by name.
fn answers(base: &str) -> Vec<(&'static str, Value)> {
    let mut all = Vec::new();
    for (name, path) in ROUTE_REQUESTS {
        let answer = support::ok_json(support::client().get(format!("{base}{path}")));
        all.push((*name, normalised(answer, base)));
    }
    for (name, path) in HOST_ANSWERS {
        let r = support::client()
            .get(format!("{base}{path}"))
            .send()
            .unwrap();
        let content_type = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        all.push((
            *name,
            json!({"status": r.status().as_u16(), "content_type": content_type, "body": r.text().unwrap()}),
        ));
    }
    for (name, head) in HOST_REQUESTS {
        let answer = match raw(base, head) {
            Some((200, _, body)) => normalised(serde_json::from_str(&body).unwrap(), base),
            _ => json!("refused"),
        };
        all.push((*name, answer));
    }
    all
}

fn by_name(all: Vec<(&'static str, Value)>) -> std::collections::BTreeMap<&'static str, Value> {
    all.into_iter().collect()
}

#[test]
fn routes_reach_the_component_spin_would_choose() {
    let dir = tempfile::tempdir().unwrap();
    let app = start_storefront(dir.path());
    let all = by_name(answers(&app.base_url));
    let headers = |name: &str| all[name]["spin_headers"].clone();
    let route = |name: &str| headers(name)["spin-matched-route"].clone();

    // The example: two parameters and a wildcard.
    let h = headers("parameters and wildcard");
    assert_eq!(h["spin-path-match-path-segment"], "path");
    assert_eq!(h["spin-path-match-path-end"], "end");
    assert_eq!(h["spin-path-info"], "/rest");
    assert_eq!(h["spin-matched-route"], "/base/:path_segment/:path_end/...");
    assert_eq!(
        h["spin-raw-component-route"],
        "/base/:path_segment/:path_end/..."
    );
    assert_eq!(h["spin-component-route"], "/base/:path_segment/:path_end");
    assert_eq!(
        h["spin-full-url"],
        "http://HOST/base/path/end/rest?key=value"
    );
    assert_eq!(all["parameters and wildcard"]["query"], "key=value");
    assert_eq!(headers("parameters, empty wildcard")["spin-path-info"], "");
    assert_eq!(headers("parameters, trailing slash")["spin-path-info"], "/");
    let h = headers("parameters only");
    assert_eq!(
        (
            h["spin-path-match-first"].clone(),
            h["spin-path-match-second"].clone()
        ),
        (json!("one"), json!("two"))
    );

    // Precedence.
    assert_eq!(route("exact over parameter"), "/prec/exact");
    assert_eq!(route("exact, trailing slash"), "/prec/exact");
    assert_eq!(route("parameter over wildcard"), "/prec/:p");
    assert_eq!(route("parameter then wildcard"), "/prec/:p/...");
    assert_eq!(
        headers("parameter then wildcard")["spin-path-info"],
        "/more/x/"
    );
    assert_eq!(route("longer over shorter"), "/prec/a/b/...");
    assert_eq!(route("wildcard at its root"), "/prec/...");
    assert_eq!(route("tie to the first declared"), "/tie/:x/end");
    assert_eq!(all["tie to the first declared"]["who"], "probe");
    assert_eq!(all["duplicate to the later"]["who"], "probe");
    assert_eq!(
        headers("parameter before a dot")["spin-path-match-name"],
        "x"
    );
    assert_eq!(headers("empty segments")["spin-path-match-p"], "");
    assert_eq!(
        headers("encoded slash in a parameter")["spin-path-match-p"],
        "a%2Fb"
    );

    // The host's own answers.
    assert_eq!(
        all["health"],
        json!({"status": 200, "content_type": null, "body": "OK"})
    );
    assert_eq!(
        all["info"]["body"],
        "{\n  \"name\": \"conformance-probe\",\n  \"version\": \"0.1.0\"\n}"
    );
    for name in [
        "reserved route",
        "prefix without its slash",
        "no route",
        "parameter missing",
        "dot parameter, two dots",
    ] {
        assert_eq!(
            all[name],
            json!({"status": 404, "content_type": null, "body": ""}),
            "{name}"
        );
    }

    // Duplicates and reserved routes are reported at start, as Spin reports them.
    let log = app.stderr().join("\n");
    assert!(
        log.contains("The following component routes are duplicates and will never be used:")
            && log.contains("  probe-nodb: /dup (duplicate of probe)")
            && log.contains("Routes under /.well-known/spin/ are handled by the Spin runtime and will never be reached"),
        "{log}"
    );
}

#[test]
fn the_host_is_the_authority_as_sent_and_a_malformed_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = start_storefront(dir.path());
    let all = by_name(answers(&app.base_url));
    for (name, url) in [
        ("name", "http://shop.example/exact?q"),
        ("name and port", "http://shop.example:8080/exact?q"),
        ("upper case", "http://SHOP.Example:80/exact?q"),
        ("IPv4", "http://127.0.0.1/exact?q"),
        ("IPv6 and port", "http://[::1]:3000/exact?q"),
        ("IPv6", "http://[::1]/exact?q"),
        ("IPv6 zone", "http://[fe80::1%25eth0]/exact?q"),
        ("empty port", "http://shop.example:/exact?q"),
        ("trailing dot", "http://xn--bcher-kva.example./exact?q"),
        ("absolute target", "http://SHOP.example/exact?q"),
    ] {
        assert_eq!(all[name]["uri"], url, "{name}");
        assert_eq!(all[name]["spin_headers"]["spin-full-url"], url, "{name}");
    }
    for (name, head) in &HOST_REQUESTS[10..] {
        assert_eq!(all[*name], "refused", "{name}");
        let (status, _, body) = raw(&app.base_url, head).expect("an answer");
        assert_eq!(status, 400, "{name}");
        assert!(body.contains("bad_host"), "{name}: {body}");
    }
    // What Spin lets through but RFC 9110 does not (docs/spin-host.md).
    for host in ["user@shop.example", ":8080", "shop.example:port"] {
        let answer = raw(
            &app.base_url,
            &format!("GET /exact HTTP/1.1\r\nHost: {host}"),
        );
        assert_eq!(answer.map(|a| a.0), Some(400), "{host}");
    }
    let two = raw(&app.base_url, "GET /exact HTTP/1.1\r\nHost: a\r\nHost: b");
    assert_eq!(two.map(|a| a.0), Some(400));
    let old = raw(&app.base_url, "GET /exact HTTP/1.0").expect("an answer");
    assert_eq!(old.0, 200);
    assert!(
        old.2
            .contains("\"spin-full-url\":\"http://localhost/exact\""),
        "{}",
        old.2
    );
}

#[test]
fn real_spin_routes_and_takes_hosts_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let Some((ours, spin)) = both_hosts("conformance routes", dir.path()) else {
        return;
    };
    let spins = answers(&spin.base_url);
    println!(
        "conformance routes: spin up answered {} requests",
        spins.len()
    );
    assert_same(&answers(&ours.base_url), &spins);
    let said = spin.output().join("\n");
    for line in [
        "The following component routes are duplicates and will never be used:",
        "  probe-nodb: /dup (duplicate of probe)",
        "Routes under /.well-known/spin/ are handled by the Spin runtime and will never be reached",
    ] {
        assert!(said.contains(line), "spin up did not say {line:?}: {said}");
    }
}
