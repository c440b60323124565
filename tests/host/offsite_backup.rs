//! Off-site backups through a local S3-compatible server ([`support::fake_s3`]): the writer's
//! schedule uploads verified snapshots and keeps the newest N; `backup --to s3://…` and
//! `--list`; `restore` into an empty data dir brings every order back, and refuses a data
//! dir that a writer owns or that already holds a database.

use crate::support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

type S3 = support::fake_s3::FakeS3;

fn start_s3() -> S3 {
    S3::start("shop-backups")
}

/// The AWS variables that point the host at the local server.
fn aws_env(cmd: &mut Command, s3: &S3) {
    s3.env(cmd);
}

use support::run_to_end as run;

fn listed(s3: &S3, url: &str) -> Vec<String> {
    let mut cmd = support::storefront();
    aws_env(&mut cmd, s3);
    cmd.args(["backup", "--list", "--to", url]);
    let (ok, text) = run(cmd);
    assert!(ok, "{text}");
    text.lines()
        .filter(|l| l.starts_with("s3 snapshot "))
        .map(str::to_string)
        .collect()
}

fn restore(s3: &S3, from: &str, data: &Path) -> (bool, String) {
    let mut cmd = support::storefront();
    aws_env(&mut cmd, s3);
    cmd.args(["restore", "--from", from, "--data-dir"])
        .arg(data);
    run(cmd)
}

#[test]
fn snapshots_go_off_site_on_a_schedule_and_come_back() {
    let s3 = start_s3();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();

    // The writer uploads a verified snapshot every second and keeps the newest two.
    let mut cmd = support::writer_command(
        &data,
        &[
            "--backup-every",
            "1",
            "--backup-to",
            "s3://shop-backups/scheduled",
            "--backup-keep",
            "2",
        ],
    );
    aws_env(&mut cmd, &s3);
    let mut writer = support::spawn(cmd, &data).ready();
    let r = writer.place_on_writer("offsite-1", &support::order_body("french-press", 1));
    assert_eq!(r.status(), 201);
    let number = r.json::<Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rounds = writer
            .stderr()
            .iter()
            .filter(|l| l.contains("backup uploaded s3://shop-backups/scheduled/"))
            .count();
        if rounds >= 4 {
            break;
        }
        assert!(Instant::now() < deadline, "{:?}", writer.stderr());
        std::thread::sleep(Duration::from_millis(200));
    }
    let scheduled = listed(&s3, "s3://shop-backups/scheduled");
    assert!(
        (1..=2).contains(&scheduled.len()),
        "kept the newest two: {scheduled:?}"
    );

    // A restore while the writer owns the data dir is refused.
    let (ok, text) = restore(&s3, "s3://shop-backups/scheduled", &data);
    assert!(!ok);
    assert!(text.contains("is owned by a running process"), "{text}");
    support::send_signal(writer.child.id(), "TERM");
    assert!(writer.wait_for_exit().success());
    // So is one into a data dir that holds a database.
    let (ok, text) = restore(&s3, "s3://shop-backups/scheduled", &data);
    assert!(!ok);
    assert!(text.contains("already holds a database"), "{text}");

    // An operator's snapshot, offline, then listed.
    let mut cmd = support::storefront();
    aws_env(&mut cmd, &s3);
    cmd.args(["backup", "--to", "s3://shop-backups/manual", "--manifest"])
        .arg(support::manifest())
        .arg("--data-dir")
        .arg(&data);
    let (ok, text) = run(cmd);
    assert!(ok, "{text}");
    assert!(
        text.contains("backup s3://shop-backups/manual/storefront-")
            && text.contains("integrity ok"),
        "{text}"
    );
    assert_eq!(listed(&s3, "s3://shop-backups/manual").len(), 1);

    // The newest scheduled snapshot restores into a fresh dir, with the order in it.
    let fresh = dir.path().join("restored");
    let (ok, text) = restore(&s3, "s3://shop-backups/scheduled", &fresh);
    assert!(ok, "{text}");
    assert!(text.contains("integrity ok, 1 orders"), "{text}");
    let writer = support::spawn(support::writer_command(&fresh, &[]), &fresh).ready();
    let r = support::client()
        .get(writer.url(&format!("/orders/{number}")))
        .bearer_auth(support::TOKEN)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "the order came back");
    drop(writer);
    let (ok, findings) = support::check(&fresh);
    assert!(ok, "{findings:?}");

    // A named snapshot restores too; a missing one is a clear error.
    let key = listed(&s3, "s3://shop-backups/manual")[0]
        .split_whitespace()
        .nth(2)
        .unwrap()
        .to_string();
    let named = dir.path().join("named");
    let (ok, text) = restore(&s3, &format!("s3://shop-backups/{key}"), &named);
    assert!(ok, "{text}");
    let (ok, text) = restore(
        &s3,
        "s3://shop-backups/manual/storefront-missing.db",
        &dir.path().join("none"),
    );
    assert!(!ok);
    assert!(
        text.contains("cannot read s3://shop-backups/manual/storefront-missing.db"),
        "{text}"
    );
}
