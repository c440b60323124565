//! The operator listener (`--operator-listen`): liveness, readiness (the writer's own,
//! and the pages' view of the writer, which turns 503 when the writer goes away) and
//! Prometheus metrics that move with real requests and commits; the request id that
//! follows a request from the pages to the writer; JSON logs.

use crate::support;

use crate::support::TestApp;
use serde_json::Value;
use std::time::Duration;

/// The operator listener's base URL, from the process's start-up line.
fn operator_url(app: &TestApp) -> String {
    let log = app.log_once(|l| l.contains("operator listener on http://"));
    let line = log
        .lines()
        .find(|l| l.contains("operator listener on http://"))
        .unwrap_or_else(|| panic!("no operator line in:\n{log}"));
    line.split("listener on ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string()
}

/// The value of the first sample line starting with `prefix` in a metrics text.
fn sample(metrics: &str, prefix: &str) -> f64 {
    metrics
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no sample {prefix} in:\n{metrics}"))
}

#[test]
fn the_writer_reports_health_readiness_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::spawn(
        support::writer_command(dir.path(), &["--operator-listen", "127.0.0.1:0"]),
        dir.path(),
    )
    .ready();
    let ops = operator_url(&writer);
    assert_eq!(
        support::get(&format!("{ops}/healthz")),
        (200, "ok\n".to_string())
    );
    assert_eq!(
        support::get(&format!("{ops}/readyz")),
        (200, "ready\n".to_string())
    );
    assert_eq!(support::get(&format!("{ops}/nope")).0, 404);
    // The shopper port does not serve them.
    assert_eq!(support::get(&writer.url("/metrics")).0, 401);

    let r = writer.place_on_writer("ops-1", &support::order_body("french-press", 1));
    assert_eq!(r.status(), 201);
    // The second order finds the instance the first one left (kept once its guest has
    // returned, microseconds after the answer).
    std::thread::sleep(std::time::Duration::from_millis(250));
    let r = writer.place_on_writer("ops-2", &support::order_body("french-press", 1));
    assert_eq!(r.status(), 201);
    let (status, metrics) = support::get(&format!("{ops}/metrics"));
    assert_eq!(status, 200);
    assert_eq!(sample(&metrics, "storefront_owns_data_dir "), 1.0);
    assert!(
        sample(
            &metrics,
            "storefront_requests_total{component=\"writer\",route=\"/...\",status=\"201\"}"
        ) >= 1.0
    );
    assert!(sample(&metrics, "storefront_commits_total ") >= 1.0);
    assert!(sample(&metrics, "storefront_batch_requests_count ") >= 1.0);
    assert!(sample(&metrics, "storefront_commit_duration_seconds_count ") >= 1.0);
    assert_eq!(
        sample(&metrics, "storefront_backlog{kind=\"unpaid_orders\"}"),
        2.0
    );
    assert!(
        sample(
            &metrics,
            "storefront_instances_total{component=\"writer\",how=\"started\"}"
        ) >= 1.0
    );
    assert!(
        sample(
            &metrics,
            "storefront_instances_total{component=\"writer\",how=\"reused\"}"
        ) >= 1.0
    );
    assert!(sample(&metrics, "storefront_backlog{kind=\"outbox_pending\"}") >= 1.0);
    assert_eq!(sample(&metrics, "storefront_requests_in_flight "), 0.0);
}

#[test]
fn the_pages_are_ready_only_while_the_writer_answers_and_one_request_id_follows_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = support::spawn(support::writer_command(dir.path(), &[]), dir.path()).ready();
    let mut cmd = support::pages_command(&writer.base_url);
    cmd.args(["--operator-listen", "127.0.0.1:0"]);
    let pages = support::spawn(cmd, dir.path()).ready();
    let ops = operator_url(&pages);
    assert_eq!(support::get(&format!("{ops}/healthz")).0, 200);
    assert_eq!(
        support::get(&format!("{ops}/readyz")),
        (200, "ready\n".to_string())
    );
    // The pages' own probe on the shoppers' port (what SpinKube runs, see
    // deploy/k8s/components/spinkube), answered by the component.
    assert_eq!(
        support::get(&pages.url("/healthz")),
        (200, "ok\n".to_string())
    );

    // A proxy's request id is kept, answered, and passed on to the writer.
    let r = support::client()
        .get(pages.url("/api/products"))
        .header("x-request-id", "edge-7f3a")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "edge-7f3a");
    let log = writer.log_once(|l| l.contains("edge-7f3a"));
    assert!(
        log.lines()
            .any(|l| l.contains("edge-7f3a") && l.contains("/catalog/products")),
        "the writer logged the pages' request id:\n{log}"
    );
    // Without one, the pages make one up.
    let r = support::client().get(pages.url("/")).send().unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 16, "{id}");

    support::send_signal(writer.child.id(), "TERM");
    assert!(writer.wait_for_exit().success());
    let (status, body) = support::get(&format!("{ops}/readyz"));
    assert_eq!(status, 503, "{body}");
    assert!(body.starts_with("not ready: the writer at"), "{body}");
    assert_eq!(
        support::get(&format!("{ops}/healthz")).0,
        200,
        "still alive"
    );
    // The component's probe does not follow the writer: a writer handover must not take
    // every pages pod out of its Service (shoppers get a retryable 503 meanwhile).
    assert_eq!(
        support::get(&pages.url("/healthz")),
        (200, "ok\n".to_string())
    );
}

#[test]
fn json_logs_carry_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::writer_command(dir.path(), &[]);
    cmd.env("STOREFRONT_LOG_FORMAT", "json");
    let writer = support::spawn(cmd, dir.path()).ready();
    let r = support::client()
        .get(writer.url("/health"))
        .bearer_auth(support::TOKEN)
        .header("x-request-id", "json-log-1")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let log = writer.log_once(|l| l.contains("json-log-1"));
    let line = log
        .lines()
        .find(|l| l.contains("json-log-1"))
        .unwrap_or_else(|| panic!("{log}"));
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(v["fields"]["request_id"], "json-log-1");
    assert!(
        v["fields"]["message"]
            .as_str()
            .unwrap()
            .starts_with("GET /health 200"),
        "{v}"
    );
    assert_eq!(v["level"], "INFO");
    std::thread::sleep(Duration::from_millis(10));
}

#[test]
fn a_writer_waiting_for_the_files_is_alive_but_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = support::spawn(support::writer_command(dir.path(), &[]), dir.path()).ready();
    // The successor waits for the lock; its operator listener answers meanwhile.
    let mut cmd = support::writer_command(
        dir.path(),
        &["--wait", "60", "--operator-listen", "127.0.0.1:0"],
    );
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let ops = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("operator line");
        if let Some(url) = line.split("listener on ").nth(1) {
            break url.trim().to_string();
        }
    };
    assert_eq!(
        support::get(&format!("{ops}/healthz")).0,
        200,
        "alive while waiting"
    );
    let (status, body) = support::get(&format!("{ops}/readyz"));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("waiting for the data dir"), "{body}");

    support::send_signal(first.child.id(), "TERM");
    assert!(first.wait_for_exit().success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while support::get(&format!("{ops}/readyz")).0 != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the successor never became ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}
