//! Continuous WAL shipping to a local S3-compatible server ([`support::fake_s3`]), and
//! restores from it: losing the writer's disk loses no acknowledged order in `sync`
//! mode and at most the lag in `async` mode; a point-in-time restore lands between two
//! orders; a deposed writer's late segments are never restored; a bucket that stops
//! answering turns sync responses into retryable 503s and the writer unready.

use crate::support;
use crate::support::fake_s3::FakeS3;

use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BUCKET: &str = "shop-replicas";

fn writer(s3: &FakeS3, data: &Path, prefix: &str, extra: &[&str]) -> support::TestApp {
    let url = format!("s3://{BUCKET}/{prefix}");
    let mut args = vec!["--replicate-to", url.as_str()];
    args.extend_from_slice(extra);
    let mut cmd = support::writer_command(data, &args);
    s3.env(&mut cmd);
    let app = support::spawn(cmd, data).ready();
    // Its generation is restorable once the first snapshot is stored.
    let stored = |l: &str| l.contains("replication: snapshot") && l.contains(" stored (");
    assert!(stored(&app.log_once(stored)), "{:?}", app.stderr());
    app
}

/// `storefront restore --from s3://shop-replicas/<prefix> --data-dir <into> <args>`.
fn restore(s3: &FakeS3, prefix: &str, into: &Path, args: &[&str]) -> (bool, String) {
    let mut cmd = support::storefront();
    s3.env(&mut cmd);
    cmd.args(["restore", "--from", &format!("s3://{BUCKET}/{prefix}")])
        .arg("--data-dir")
        .arg(into)
        .arg("--manifest")
        .arg(support::manifest())
        .args(args);
    support::run_to_end(cmd)
}

/// A data dir whose shop has stock for every order a test places.
fn stocked(root: &Path, name: &str) -> std::path::PathBuf {
    let data = root.join(name);
    std::fs::create_dir(&data).unwrap();
    support::raise_stock(&data);
    data
}

/// Places one order on the writer; its number when acknowledged (201).
fn place(base_url: &str, key: &str) -> Result<String, String> {
    let r = support::client()
        .post(format!("{base_url}/orders"))
        .bearer_auth(support::TOKEN)
        .header("idempotency-key", key)
        .json(&support::order_body("french-press", 1))
        .send()
        .map_err(|e| e.to_string())?;
    let status = r.status();
    let body = r.text().map_err(|e| e.to_string())?;
    if status != 201 {
        return Err(format!("{status}: {body}"));
    }
    let v: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    Ok(v["number"].as_str().unwrap_or_default().to_string())
}

/// The order numbers in a data dir's database (no writer running).
fn numbers(data: &Path) -> std::collections::HashSet<String> {
    let db = support::open_db(data);
    let mut stmt = db.prepare("SELECT number FROM orders").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// 32 clients place orders until the writer is killed (SIGKILL, after `run_for`); every
/// acknowledged order's number, with when its answer arrived, and when the kill was.
fn orders_until_killed(
    app: support::TestApp,
    run_for: Duration,
) -> (Vec<(String, Instant)>, Instant) {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..32)
        .map(|c| {
            let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
            let base = app.base_url.clone();
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    if let Ok(number) = place(&base, &format!("loss-{c}-{i}")) {
                        acknowledged.lock().unwrap().push((number, Instant::now()));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(run_for);
    support::send_signal(app.child.id(), "KILL");
    let killed = Instant::now();
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let mut app = app;
    app.wait_for_exit();
    let acknowledged = acknowledged.lock().unwrap().clone();
    (acknowledged, killed)
}

/// 32 clients order from a writer replicating to `prefix` with `args`; the writer is
/// SIGKILLed after 4 s and its data dir deleted (the volume is lost), then the bucket is
/// restored into a fresh dir, which must pass the audit. For every acknowledged order
/// missing from the restore: how long before the kill it was acknowledged; and how many
/// were acknowledged.
fn lose_the_disk(prefix: &str, args: &[&str]) -> (Vec<Duration>, usize) {
    let s3 = FakeS3::start(BUCKET);
    let root = tempfile::tempdir().unwrap();
    let data = stocked(root.path(), "data");
    let app = writer(&s3, &data, prefix, args);
    let (acknowledged, killed) = orders_until_killed(app, Duration::from_secs(4));
    assert!(
        acknowledged.len() > 50,
        "only {} orders",
        acknowledged.len()
    );
    std::fs::remove_dir_all(&data).unwrap();

    let fresh = root.path().join("restored");
    let (ok, text) = restore(&s3, prefix, &fresh, &[]);
    assert!(ok, "{text}");
    assert!(text.contains("orders verified"), "audited: {text}");
    let (ok, findings) = support::check(&fresh);
    assert!(ok, "{findings:?}");
    let restored = numbers(&fresh);
    let lost = acknowledged
        .iter()
        .filter(|(n, _)| !restored.contains(n))
        .map(|(_, at)| killed.duration_since(*at))
        .collect();
    (lost, acknowledged.len())
}

#[test]
fn in_sync_mode_losing_the_disk_loses_no_acknowledged_order() {
    let (lost, acknowledged) = lose_the_disk("sync", &["--replicate-mode", "sync"]);
    assert!(
        lost.is_empty(),
        "{} of {acknowledged} acknowledged orders lost, acknowledged {:?} before the kill",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
}

#[test]
fn in_async_mode_losing_the_disk_loses_at_most_the_lag() {
    let (lost, acknowledged) = lose_the_disk("async", &["--replicate-max-lag", "1s"]);
    let window = lost.iter().max().copied().unwrap_or_default();
    eprintln!(
        "async mode: {} of {acknowledged} acknowledged orders lost, all acknowledged in the last \
         {window:?} before the kill",
        lost.len()
    );
    // Shipped within --replicate-max-lag of the commit, plus the upload itself.
    assert!(
        window <= Duration::from_millis(2_000),
        "orders acknowledged {window:?} before the kill were lost"
    );
}

#[test]
fn a_point_in_time_restore_lands_between_two_orders() {
    let s3 = FakeS3::start(BUCKET);
    let root = tempfile::tempdir().unwrap();
    let data = stocked(root.path(), "data");
    let app = writer(&s3, &data, "pitr", &["--replicate-max-lag", "200ms"]);
    let first = place(&app.base_url, "pitr-1").unwrap();
    std::thread::sleep(Duration::from_millis(1_200));
    let between = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    std::thread::sleep(Duration::from_millis(1_200));
    let second = place(&app.base_url, "pitr-2").unwrap();
    assert!(app.stop().success());

    let at = root.path().join("at");
    let (ok, text) = restore(&s3, "pitr", &at, &["--at", &between]);
    assert!(ok, "{text}");
    let restored = numbers(&at);
    assert!(restored.contains(&first), "{text}");
    assert!(!restored.contains(&second), "{text}");

    let newest = root.path().join("newest");
    let (ok, text) = restore(&s3, "pitr", &newest, &[]);
    assert!(ok, "{text}");
    let restored = numbers(&newest);
    assert!(
        restored.contains(&first) && restored.contains(&second),
        "{text}"
    );

    // The same boundary chosen as a segment: the last one shipped before that time.
    let between_us = chrono::DateTime::parse_from_rfc3339(&between)
        .unwrap()
        .timestamp_micros();
    let segment = s3
        .keys(BUCKET, "pitr/generations/0000000001/segments/")
        .iter()
        .filter_map(|key| {
            let name = key.rsplit('/').next()?.strip_suffix(".seg.gz")?;
            let n: Vec<i64> = name
                .split('-')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            (n[4] <= between_us).then_some(n[0])
        })
        .max()
        .expect("a segment before the time")
        .to_string();
    let by_segment = root.path().join("segment");
    let (ok, text) = restore(
        &s3,
        "pitr",
        &by_segment,
        &["--generation", "1", "--segment", &segment],
    );
    assert!(ok, "{text}");
    let restored = numbers(&by_segment);
    assert!(
        restored.contains(&first) && !restored.contains(&second),
        "{text}"
    );

    // A time before the first snapshot is refused, and names why; nothing is written.
    let early = root.path().join("early");
    let (ok, text) = restore(&s3, "pitr", &early, &["--at", "2001-01-01T00:00:00Z"]);
    assert!(!ok);
    assert!(text.contains("no snapshot"), "{text}");
    assert!(!early.join("sqlite_db.db").exists());
}

#[test]
fn retention_deletes_only_what_no_restore_needs() {
    let s3 = FakeS3::start(BUCKET);
    let root = tempfile::tempdir().unwrap();
    let data = stocked(root.path(), "data");
    let app = writer(
        &s3,
        &data,
        "kept",
        &[
            "--replicate-max-lag",
            "100ms",
            "--replicate-snapshot-every",
            "1s",
            "--replicate-retention",
            "2s",
        ],
    );
    let mut placed = Vec::new();
    for i in 0..12 {
        placed.push(place(&app.base_url, &format!("kept-{i}")).unwrap());
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(app.stop().success());
    let keys = s3.keys(BUCKET, "kept/generations/0000000001/");
    let snapshots = keys.iter().filter(|k| k.contains("/snapshots/")).count();
    assert!(snapshots <= 4, "older snapshots were deleted: {keys:?}");
    assert!(
        !keys.iter().any(|k| k.contains("/segments/000000000001-")),
        "the first segment is needed by no snapshot left: {keys:?}"
    );
    let fresh = root.path().join("restored");
    let (ok, text) = restore(&s3, "kept", &fresh, &[]);
    assert!(ok, "{text}");
    let restored = numbers(&fresh);
    assert!(placed.iter().all(|n| restored.contains(n)), "{text}");
}

#[test]
fn a_deposed_writer_ships_nothing_the_restore_uses() {
    let s3 = FakeS3::start(BUCKET);
    let root = tempfile::tempdir().unwrap();
    let data = stocked(root.path(), "a");
    let a = writer(&s3, &data, "fenced", &["--replicate-mode", "sync"]);
    let before = place(&a.base_url, "fence-1").unwrap();

    // A's volume is thought lost: B starts from the bucket and claims the next generation.
    let b_data = root.path().join("b");
    let (ok, text) = restore(&s3, "fenced", &b_data, &[]);
    assert!(ok, "{text}");
    let b = writer(&s3, &b_data, "fenced", &["--replicate-mode", "sync"]);
    let on_b = place(&b.base_url, "fence-b").unwrap();

    // A is still running: its next command is not acknowledged, and it stops taking any.
    let late = place(&a.base_url, "fence-2");
    assert!(late.is_err(), "a deposed writer acknowledged {late:?}");
    assert!(
        a.log_once(|l| l.contains("deposed"))
            .contains("claimed by another writer"),
        "{:?}",
        a.stderr()
    );
    let again = place(&a.base_url, "fence-3");
    assert!(again.unwrap_err().starts_with("503"));
    assert!(b.stop().success());
    drop(a);

    let fresh = root.path().join("restored");
    let (ok, text) = restore(&s3, "fenced", &fresh, &[]);
    assert!(ok, "{text}");
    assert!(text.contains("generation 2"), "{text}");
    let restored = numbers(&fresh);
    assert!(restored.contains(&before) && restored.contains(&on_b));
    assert_eq!(
        restored.len(),
        2,
        "only A's order before B and B's: {restored:?}"
    );
}

#[test]
fn a_bucket_that_stops_answering_turns_sync_answers_into_503s() {
    let mut s3 = FakeS3::start(BUCKET);
    let root = tempfile::tempdir().unwrap();
    let data = stocked(root.path(), "data");
    let app = writer(
        &s3,
        &data,
        "gone",
        &[
            "--replicate-mode",
            "sync",
            "--replicate-timeout",
            "1s",
            "--operator-listen",
            "127.0.0.1:0",
        ],
    );
    place(&app.base_url, "gone-1").unwrap();
    s3.stop();
    let r = support::client()
        .post(app.url("/orders"))
        .bearer_auth(support::TOKEN)
        .header("idempotency-key", "gone-2")
        .json(&support::order_body("french-press", 1))
        .send()
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "1");
    assert!(r.text().unwrap().contains("replica bucket"));
    let log = app.log_once(|l| l.contains("operator listener on http://"));
    let ops = log
        .lines()
        .find_map(|l| l.split("operator listener on ").nth(1))
        .unwrap()
        .trim()
        .to_string();
    let (status, why) = support::get(&format!("{ops}/readyz"));
    assert_eq!(status, 503, "{why}");
    assert!(why.contains("replication is"), "{why}");
    let (_, metrics) = support::get(&format!("{ops}/metrics"));
    let failures: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("storefront_replication_failures_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_default();
    assert!(failures >= 1.0, "{metrics}");
}

#[test]
fn replicas_in_the_bucket_follow_the_layout_and_a_bad_bucket_stops_the_start() {
    let s3 = FakeS3::start(BUCKET);
    let root = tempfile::tempdir().unwrap();
    let data = stocked(root.path(), "data");
    let app = writer(&s3, &data, "layout", &["--replicate-max-lag", "100ms"]);
    place(&app.base_url, "layout-1").unwrap();
    assert!(app.stop().success());
    let keys = s3.keys(BUCKET, "layout/");
    assert!(
        keys.contains(&"layout/claims/0000000001.json".to_string()),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with("layout/generations/0000000001/snapshots/")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with("layout/generations/0000000001/segments/000000000001-")),
        "{keys:?}"
    );

    let mut cmd = support::writer_command(&data, &["--replicate-to", "s3://no-such-bucket/x"]);
    s3.env(&mut cmd);
    let (status, stderr) = support::spawn(cmd, &data).refused("the bucket does not exist");
    assert!(!status.success());
    assert!(
        stderr
            .iter()
            .any(|l| l.contains("--replicate-to s3://no-such-bucket/x")),
        "{stderr:?}"
    );
}
