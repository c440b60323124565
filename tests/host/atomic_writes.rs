//! Every file the host writes appears under its final name only when complete: a backup
//! killed halfway (online through the writer, and offline) leaves no file under the name
//! asked for, a restore refuses what it left, and a retry to the same name succeeds and
//! restores; a local-secrets write cut short by a file-system error leaves the old
//! secrets for the next `up`; an empty secrets file (an older version's torn write) is
//! replaced; the owner record is written whole.

use crate::support;
use crate::support::TOKEN;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Signal number of SIGXFSZ on Linux (file size limit exceeded).
const SIGXFSZ: i32 = 25;
/// A pid no process has (above the kernel's limit of 2^22).
const GONE_PID: u32 = 4_999_999;

/// A shop to back up: `data` holds one order and 64 MiB more (a table of random blobs,
/// added while no writer runs), so that a `VACUUM INTO` takes long enough to be caught
/// halfway; `size` is its database file's; the backup goes to `to` in its own folder.
struct GrownShop {
    dir: tempfile::TempDir,
    data: PathBuf,
    size: u64,
    to: PathBuf,
}

impl GrownShop {
    fn new() -> GrownShop {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let backups = dir.path().join("backups");
        std::fs::create_dir_all(&backups).unwrap();
        let size = grow(&data);
        let to = backups.join("shop.db");
        GrownShop {
            dir,
            data,
            size,
            to,
        }
    }

    fn backups(&self) -> &Path {
        self.to.parent().unwrap()
    }
}

/// One order, then the ballast; the database file's size.
fn grow(data: &Path) -> u64 {
    let writer = support::start_writer(data);
    let placed = writer.place_on_writer("grown-1", &support::order_body("french-press", 1));
    assert_eq!(placed.status(), 201);
    assert!(writer.stop().success());
    support::open_db(data)
        .execute_batch(
            "CREATE TABLE ballast (b BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64)
             INSERT INTO ballast SELECT randomblob(1048576) FROM n;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    std::fs::metadata(data.join("sqlite_db.db")).unwrap().len()
}

/// The files in `folder`, by name.
fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Waits until some file in `folder` (the backup being written) holds at least `bytes`,
/// then SIGKILLs `pid`: the file and its size at the kill.
fn kill_when_written(folder: &Path, bytes: u64, pid: u32) -> (PathBuf, u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        for entry in std::fs::read_dir(folder).unwrap() {
            let entry = entry.unwrap();
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size >= bytes {
                support::send_signal(pid, "KILL");
                return (entry.path(), size);
            }
        }
        assert!(Instant::now() < deadline, "the backup never got halfway");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn backup_command(to: &Path, target: &[&str]) -> Command {
    let mut cmd = support::storefront();
    cmd.env("SPIN_VARIABLE_WRITER_TOKEN", TOKEN)
        .args(["backup", "--manifest"])
        .arg(support::manifest())
        .args(target)
        .arg("--to")
        .arg(to);
    cmd
}

fn restore(from: &Path, data: &Path) -> Output {
    support::storefront()
        .args(["restore", "--from"])
        .arg(from)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap()
}

/// A retried backup to `to` succeeds, and what it made restores into a fresh data dir
/// that passes the audit with the shop's one order.
fn retry_succeeds_and_restores(out: Output, to: &Path, scratch: &Path) {
    assert!(
        out.status.success(),
        "the retry to the same name: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("integrity ok, 1 orders"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let backups = to.parent().unwrap();
    assert_eq!(
        files_in(backups),
        [to.file_name().unwrap().to_string_lossy()],
        "the killed run's partial file is cleared by the retry"
    );
    let restored = scratch.join("restored");
    let out = restore(to, &restored);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, lines) = support::check(&restored);
    assert!(ok, "{lines:?}");
    assert!(lines[0].contains("1 orders"), "{lines:?}");
}

#[test]
fn an_online_backup_whose_writer_is_killed_halfway_leaves_no_file_and_can_be_retried() {
    let shop = GrownShop::new();
    let (data, size, to) = (&shop.data, shop.size, &shop.to);

    let mut writer = support::start_writer(data);
    let running = backup_command(to, &["--writer-url", &writer.base_url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (_, written) = kill_when_written(shop.backups(), size / 2, writer.child.id());
    assert!(written < size, "killed before the copy was complete");
    writer.wait_for_exit();
    let out = running.wait_with_output().unwrap();
    assert!(!out.status.success(), "a backup whose writer died failed");
    assert!(!to.exists(), "a partial backup carries the name asked for");

    let writer = support::start_writer(data);
    let out = backup_command(to, &["--writer-url", &writer.base_url])
        .output()
        .unwrap();
    assert!(writer.stop().success());
    retry_succeeds_and_restores(out, to, shop.dir.path());
}

#[test]
fn an_offline_backup_killed_halfway_leaves_no_file_a_restore_refuses_its_partial_and_a_retry_works()
{
    let shop = GrownShop::new();
    let (size, to) = (shop.size, &shop.to);
    let data_dir = ["--data-dir", shop.data.to_str().unwrap()];

    let mut running = backup_command(to, &data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (partial, written) = kill_when_written(shop.backups(), size / 2, running.id());
    assert!(!running.wait().unwrap().success());
    assert!(written < size, "killed before the copy was complete");
    assert!(!to.exists(), "a partial backup carries the name asked for");
    assert!(
        partial
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".shop.db.partial-"),
        "{}",
        partial.display()
    );

    // What the killed run left is refused by restore, which leaves the data dir empty.
    let refused_into = shop.dir.path().join("refused");
    let out = restore(&partial, &refused_into);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("nothing was restored from"), "{said}");
    assert!(!refused_into.join("sqlite_db.db").exists());

    let out = backup_command(to, &data_dir).output().unwrap();
    retry_succeeds_and_restores(out, to, shop.dir.path());
}

/// The data dir's local secrets, as stored.
fn secrets(data: &Path) -> serde_json::Map<String, serde_json::Value> {
    let text = std::fs::read_to_string(data.join("local-secrets.json")).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"))
}

fn partials_in(data: &Path) -> Vec<String> {
    files_in(data)
        .into_iter()
        .filter(|n| n.contains(".partial-"))
        .collect()
}

#[test]
fn a_secrets_write_cut_short_by_a_file_system_error_leaves_the_old_secrets_for_the_next_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert!(support::start(data).stop().success());
    let mut older = secrets(data);
    // A file from before the test-mode webhook secret existed: the next `up` adds it.
    assert!(older.remove("stripe_webhook_secret").is_some());
    let older_text = serde_json::to_string_pretty(&older).unwrap();
    std::fs::write(data.join("local-secrets.json"), &older_text).unwrap();

    // No file may grow past 200 bytes: the owner record fits, the secrets do not, so the
    // kernel stops `up` in the middle of writing them.
    let limited = support::with_file_size_limit(&support::up_command(data), 200);
    let (status, said) = support::spawn(limited, data).refused("its secrets could not be written");
    assert_eq!(status.signal(), Some(SIGXFSZ), "{}", said.join("\n"));
    assert_eq!(
        std::fs::read_to_string(data.join("local-secrets.json")).unwrap(),
        older_text,
        "an interrupted write leaves the old file whole"
    );

    let app = support::start(data);
    assert!(app.stop().success());
    let now = secrets(data);
    for (name, value) in &older {
        assert_eq!(&now[name], value, "{name} survived");
    }
    assert!(now.contains_key("stripe_webhook_secret"));
    assert!(partials_in(data).is_empty(), "{:?}", files_in(data));
}

#[test]
fn an_empty_secrets_file_is_replaced_and_one_that_is_not_json_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let file = data.join("local-secrets.json");
    assert!(support::start(data).stop().success());

    // Empty: only an older version's torn write leaves that; new secrets, with a warning.
    std::fs::write(&file, "").unwrap();
    let app = support::start(data);
    let log = app.log_once(|l| l.contains("was empty"));
    assert!(app.stop().success());
    assert!(log.contains("local-secrets.json was empty"), "{log}");
    assert!(secrets(data).contains_key("cookie_secret"));

    // Damaged otherwise: it may hold the only copy of a secret, so `up` refuses and says how.
    std::fs::write(&file, "{\"cookie_secret\": \"ab").unwrap();
    let (status, said) =
        support::spawn(support::up_command(data), data).refused("its secrets file is damaged");
    assert!(!status.success());
    let said = said.join("\n");
    assert!(
        said.contains("local-secrets.json is not valid JSON"),
        "{said}"
    );
    assert!(said.contains("move it aside"), "{said}");
}

#[test]
fn the_owner_record_is_written_whole_beside_the_lock_and_names_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    std::fs::create_dir_all(data).unwrap();
    // Left by an owner killed while writing its record.
    let stale = data.join(format!(".storefront.owner.partial-{GONE_PID}-0"));
    std::fs::write(&stale, "{\"pid\": 12").unwrap();

    let writer = support::start_writer(data);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("storefront.owner")).unwrap())
            .unwrap();
    assert_eq!(record["pid"], writer.child.id());
    assert_eq!(record["role"], "writer");
    assert!(partials_in(data).is_empty(), "{:?}", files_in(data));

    let (_, said) = support::spawn(support::writer_command(data, &[]), data)
        .refused("a second writer took an owned data dir");
    let said = said.join("\n");
    assert!(
        said.contains(&format!("pid {}", writer.child.id())),
        "{said}"
    );
    assert!(writer.stop().success());
}
