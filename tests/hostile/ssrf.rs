//! Outbound calls go only where they should, through the real components and host: an
//! owner cannot register a webhook endpoint inside the shop's network (every address
//! family and numeric spelling, `localhost`, `*.spin.internal`); an endpoint that got
//! into the database anyway is refused at delivery before any connection, and the
//! delivery log says only "refused"; the dispatcher never reaches the private writer
//! through its webhook wildcard; and the writer refuses a request without its token also
//! in one process. (That the host checks the address a public-looking name resolves to
//! is proven with an injected resolver in `src/host/public_connect.rs`: no name resolves
//! to loopback offline without editing the machine's hosts file.)

use crate::support;

use crate::support::{ADMIN_TOKEN, TestApp};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Endpoints inside the shop's network, in every spelling an owner might type.
const PRIVATE_ENDPOINTS: [&str; 38] = [
    "https://127.0.0.1/hook",
    "https://127.0.0.1:8443/hook",
    "https://127.255.255.254/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://0x7f.0.0.1/",
    "https://127.1/",
    "https://%31%32%37.0.0.1/",
    "https://0.0.0.0/",
    "https://0/",
    "https://localhost/",
    "https://LOCALHOST./hook",
    "https://%6c%6f%63%61%6c%68%6f%73%74/",
    "https://api.localhost/",
    "https://[::1]/",
    "https://[::]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[64:ff9b::a00:1]/",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/",
    "https://172.16.0.1/",
    "https://172.31.255.254/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://[fd00::1]/",
    "https://[fe80::1]/",
    "https://[ff02::1]/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://192.0.2.1/",
    "https://198.18.0.1/",
    "https://writer.spin.internal/admin/webhooks/1/deactivate",
    "http://writer.spin.internal/admin/webhooks/1/deactivate",
    "https://metadata.google.internal/",
    "https://printer.local/",
    "https://intranet/",
];

fn add_endpoint(app: &TestApp, url: &str) -> reqwest::blocking::Response {
    support::client()
        .post(app.url("/admin/webhooks"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({ "url": url, "events": ["*"] }))
        .send()
        .unwrap()
}

fn registered(app: &TestApp) -> Vec<Value> {
    let list: Value = support::client()
        .get(app.url("/admin/webhooks"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    list["endpoints"].as_array().unwrap().clone()
}

/// The webhook messages once each has been tried at least once.
fn tried_webhooks(app: &TestApp, expected: usize) -> Vec<Value> {
    let mut hooks = Vec::new();
    let tried = support::eventually(Duration::from_secs(60), || {
        let list: Value = support::client()
            .get(app.url("/admin/outbox?limit=200"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .unwrap()
            .json()
            .unwrap();
        hooks = list["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["channel"] == "webhook")
            .cloned()
            .collect();
        hooks.len() == expected
            && hooks
                .iter()
                .all(|m| m["attempts"].as_i64() >= Some(1) && !m["last_error"].is_null())
    });
    assert!(tried, "the webhooks were not all tried: {hooks:#?}");
    hooks
}

fn place_order(app: &TestApp, key: &str) {
    let r = app.post_order(Some(key), &support::order_body("french-press", 1));
    assert_eq!(r.status(), 201);
}

fn start(dir: &Path, env: &[(&str, &str)]) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
        .args(["--dispatch-every", "1"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    support::spawn(cmd, dir).ready()
}

#[test]
fn no_endpoint_inside_the_shops_network_can_be_registered() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_back_office(dir.path());
    for url in PRIVATE_ENDPOINTS {
        let r = add_endpoint(&app, url);
        assert_eq!(r.status(), 422, "{url}");
        let body: Value = r.json().unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "url", "{url}: {body}");
    }
    let plain_http = add_endpoint(&app, "http://hooks.example.com/in");
    assert_eq!(plain_http.status(), 422);

    // The back office's form shows the refusal at the field.
    let owner = support::owner_client(&app);
    let page = owner
        .get(app.url("/admin/webhooks"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let refused = owner
        .post(app.url("/admin/webhooks"))
        .form(&[
            ("csrf", support::office_csrf(&page).as_str()),
            ("url", "https://169.254.169.254/latest/meta-data/"),
            ("events", "*"),
        ])
        .send()
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().unwrap();
    assert!(
        html.contains("id=\"url-error\"")
            && html
                .contains("The URL must be a public address, not a private, local or internal one"),
        "{html}"
    );
    assert!(registered(&app).is_empty(), "nothing was written");

    // A public https endpoint is accepted, in its canonical form.
    let public = add_endpoint(&app, "https://Hooks.Example.com/in");
    assert_eq!(public.status(), 201);
    assert_eq!(
        public.json::<Value>().unwrap()["url"],
        "https://hooks.example.com/in"
    );
    app.stop();
}

#[test]
fn a_private_endpoint_stored_behind_registrations_back_is_refused_before_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    // A local listener stands for whatever runs inside the shop's network.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    start(dir.path(), &[]).stop();

    // Registration refuses them all, so they go straight into the database. The last one
    // asks the writer, through the dispatcher's own route to it, to deactivate the first.
    let endpoints = [
        format!("https://127.0.0.1:{port}/hook"),
        format!("https://localhost:{port}/hook"),
        format!("https://2130706433:{port}/hook"),
        format!("https://[::ffff:127.0.0.1]:{port}/hook"),
        format!("http://127.0.0.1:{port}/hook"),
        "https://writer.spin.internal/admin/webhooks/1/deactivate".to_string(),
        "http://writer.spin.internal/admin/webhooks/1/deactivate".to_string(),
    ];
    let db = support::open_db(dir.path());
    for url in &endpoints {
        db.execute(
            "INSERT INTO webhook_endpoints (url, events, secret, created_at) \
             VALUES (?, '*', 'whsec_ssrf_test_0123456789', '2026-01-01T00:00:00Z')",
            [url],
        )
        .unwrap();
    }
    drop(db);

    let app = start(dir.path(), &[]);
    place_order(&app, "ssrf-delivery-1");
    let hooks = tried_webhooks(&app, endpoints.len());
    for hook in &hooks {
        assert_eq!(
            hook["last_error"], "refused: not a public address",
            "{}",
            hook["recipient"]
        );
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "nothing connected to the private listener"
    );
    let first = &registered(&app)[0];
    assert_eq!(first["id"], 1);
    assert_eq!(first["active"], true, "the writer's command did not run");
    app.stop();
}

#[test]
fn the_writer_refuses_a_chained_request_without_its_token() {
    let dir = tempfile::tempdir().unwrap();
    // An operator names the writer in webhook_hosts: the dispatcher may then chain to it,
    // and an endpoint there is trusted by name. The writer still wants its token.
    let app = start(
        dir.path(),
        &[("SPIN_VARIABLE_WEBHOOK_HOSTS", "http://writer.spin.internal")],
    );
    let added = add_endpoint(
        &app,
        "http://writer.spin.internal/admin/webhooks/1/deactivate",
    );
    assert_eq!(added.status(), 201, "{}", added.text().unwrap());
    place_order(&app, "ssrf-writer-token-1");
    let hooks = tried_webhooks(&app, 1);
    assert_eq!(hooks[0]["last_error"], "the endpoint answered 401");
    assert_eq!(
        registered(&app)[0]["active"],
        true,
        "the writer's command did not run"
    );
    app.stop();
}

#[test]
fn an_empty_writer_token_stops_the_shop_instead_of_running_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::up_command(dir.path());
    cmd.env("SPIN_VARIABLE_WRITER_TOKEN", "");
    let (status, stderr) =
        support::spawn(cmd, dir.path()).refused("it must not serve with an empty writer token");
    assert!(!status.success());
    let log = stderr.join("\n");
    assert!(log.contains("writer_token is not set"), "{log}");
}
