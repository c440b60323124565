//! Instances kept between requests (`src/app/instance_reuse.rs`), shown with the
//! conformance probe, whose `GET /served` says how many requests its instance has
//! answered: a kept instance serves the component's next request until its count is
//! reached; one that trapped, or left a database connection open, is never handed
//! another; one idle past its timeout is dropped; and `--max-instance-reuse-count 1`
//! gives every request a fresh instance, as Spin does for a `wasi:http` 0.2 component.

use crate::conformance::probe_up;
use crate::support;

use std::path::Path;
use std::time::Duration;

/// `storefront up` of the probe app with `flags`, ready.
fn start(data: &Path, flags: &[&str]) -> support::TestApp {
    support::spawn(probe_up(data, flags), data).ready()
}

/// The requests the instance that answered `path` has served, this one included.
fn served(app: &support::TestApp, path: &str) -> u64 {
    let answer = support::ok_json(support::client().get(app.url(&format!("/probe{path}"))));
    answer["served"]
        .as_u64()
        .unwrap_or_else(|| panic!("no count in {answer}"))
}

/// One request after the other, so each finds the instance the previous one left. The
/// host keeps an instance once its guest has returned, microseconds after the client
/// has the whole answer: the pause between requests leaves it that time.
fn counts(app: &support::TestApp, n: usize) -> Vec<u64> {
    (0..n)
        .map(|_| {
            std::thread::sleep(PAUSE);
            served(app, "/served")
        })
        .collect()
}

const PAUSE: Duration = Duration::from_millis(250);

#[test]
fn one_instance_serves_requests_in_turn_until_its_count_then_a_fresh_one_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &["--max-instance-reuse-count", "3"]);
    assert_eq!(counts(&app, 7), [1, 2, 3, 1, 2, 3, 1]);
    let stopped = app.stop();
    assert!(stopped.success());
}

#[test]
fn a_count_of_one_gives_every_request_a_fresh_instance_as_spin_does() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &["--max-instance-reuse-count", "1"]);
    assert_eq!(counts(&app, 4), [1, 1, 1, 1]);
}

#[test]
fn an_instance_that_trapped_is_never_handed_another_request() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &[]);
    assert_eq!(counts(&app, 2), [1, 2]);
    std::thread::sleep(PAUSE);
    let trapped = support::client()
        .get(app.url("/probe/trap"))
        .send()
        .unwrap();
    assert_eq!(trapped.status(), 500);
    assert_eq!(counts(&app, 2), [1, 2], "the trapped instance was dropped");
}

#[test]
fn an_instance_that_left_a_connection_open_is_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &[]);
    assert_eq!(counts(&app, 2), [1, 2]);
    std::thread::sleep(PAUSE);
    assert_eq!(served(&app, "/leave-open"), 3);
    assert_eq!(counts(&app, 2), [1, 2], "its open connection kept it out");
}

#[test]
fn an_instance_idle_past_its_timeout_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &["--idle-instance-timeout", "1s"]);
    assert_eq!(counts(&app, 2), [1, 2]);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(counts(&app, 2), [1, 2]);
}

#[test]
fn a_bad_reuse_setting_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for flags in [
        ["--max-instance-reuse-count", "0"],
        ["--idle-instance-timeout", "0"],
    ] {
        let out = probe_up(dir.path(), &flags).output().unwrap();
        assert!(!out.status.success(), "{flags:?} was accepted");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(flags[0]), "{flags:?}: {said}");
    }
}
