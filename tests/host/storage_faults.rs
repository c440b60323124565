//! Storage faults against the real binary and real data dirs: a damaged WAL is refused
//! with the evidence kept, a torn tail is dropped as SQLite drops it, a damaged page or
//! header is refused with its real cause (and `storefront check` names the damaged
//! table), a full disk is a retryable `503`, and damage met while serving stops the
//! writer's commands and fails `/readyz`.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

const ORDERS: usize = 30;

fn database(dir: &Path) -> PathBuf {
    dir.join("sqlite_db.db")
}

fn wal(dir: &Path) -> PathBuf {
    dir.join("sqlite_db.db-wal")
}

/// The page size written in a database file's header.
fn page_size(db: &[u8]) -> usize {
    match u16::from_be_bytes([db[16], db[17]]) {
        1 => 65536,
        n => n as usize,
    }
}

/// A data dir whose writer placed [`ORDERS`] orders (one commit each) and was then
/// SIGKILLed, so that they live only in the WAL; their numbers, in order.
fn orders_in_the_wal() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    support::raise_stock(dir.path());
    let mut writer = support::start_writer(dir.path());
    let numbers = (0..ORDERS)
        .map(|n| {
            let r = writer
                .place_on_writer(&format!("wal-{n}"), &support::order_body("french-press", 1));
            assert_eq!(r.status(), 201, "{:?}", r.text());
            r.json::<serde_json::Value>().unwrap()["number"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    support::send_signal(writer.child.id(), "KILL");
    let _ = writer.child.wait();
    assert!(
        std::fs::metadata(wal(dir.path())).unwrap().len() > 0,
        "the orders should be in the WAL"
    );
    (dir, numbers)
}

/// `(page size, frames)` of the WAL in `dir`.
fn wal_frames(dir: &Path) -> (usize, usize) {
    let bytes = std::fs::read(wal(dir)).unwrap();
    let page = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    (page, (bytes.len() - 32) / (24 + page))
}

/// Starts a writer on `dir` that must refuse: its one `storefront:` error line.
fn refused_start(dir: &Path, why: &str) -> String {
    let (status, stderr) = support::spawn(support::writer_command(dir, &[]), dir).refused(why);
    assert!(!status.success());
    assert!(!stderr.iter().any(|l| l.contains("panicked")), "{stderr:?}");
    stderr
        .iter()
        .find(|l| l.starts_with("storefront: "))
        .unwrap_or_else(|| panic!("no error line in {stderr:?}"))
        .clone()
}

/// A data dir with a few orders, stopped cleanly (everything checkpointed into the
/// database file, no WAL left).
fn stopped_cleanly_with_orders() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    for n in 0..5 {
        let r = writer.place_on_writer(
            &format!("clean-{n}"),
            &support::order_body("french-press", 1),
        );
        assert_eq!(r.status(), 201);
    }
    assert!(writer.stop().success());
    dir
}

/// The root page of `table` (only while no writer runs).
fn root_page(dir: &Path, table: &str) -> i64 {
    support::open_db(dir)
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?",
            [table],
            |r| r.get(0),
        )
        .unwrap()
}

/// Overwrites the start of page `root` in the database file with noise.
fn damage_page(dir: &Path, root: i64) {
    let mut bytes = std::fs::read(database(dir)).unwrap();
    let page = page_size(&bytes);
    let at = (root as usize - 1) * page;
    bytes[at..at + 64].fill(0xff);
    write_in_place(&database(dir), &bytes);
}

/// Writes `bytes` over `path` in place (the same inode, as a disk error would leave it).
fn write_in_place(path: &Path, bytes: &[u8]) {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.write_all(bytes).unwrap();
    file.sync_all().unwrap();
}

#[test]
fn a_flipped_bit_in_a_middle_wal_frame_refuses_the_start_and_keeps_the_wal() {
    let (dir, _) = orders_in_the_wal();
    let (page, frames) = wal_frames(dir.path());
    let middle = frames / 2;
    let mut bytes = std::fs::read(wal(dir.path())).unwrap();
    bytes[32 + (middle - 1) * (24 + page) + 24 + page / 2] ^= 0x10;
    write_in_place(&wal(dir.path()), &bytes);
    let database_before = std::fs::read(database(dir.path())).unwrap();

    let error = refused_start(dir.path(), "its WAL is damaged in the middle");
    assert!(error.contains("sqlite_db.db-wal"), "{error}");
    assert!(error.contains(&format!("frame {middle} ")), "{error}");
    // The evidence is kept: nothing checkpointed, truncated or rewritten.
    assert_eq!(std::fs::read(wal(dir.path())).unwrap(), bytes);
    assert_eq!(
        std::fs::read(database(dir.path())).unwrap(),
        database_before
    );
    // And `check` refuses just the same, rather than audit what is left.
    let (ok, _) = support::check(dir.path());
    assert!(!ok);
    assert_eq!(std::fs::read(wal(dir.path())).unwrap(), bytes);
}

#[test]
fn a_torn_wal_tail_is_dropped_and_every_earlier_order_is_kept() {
    let (dir, numbers) = orders_in_the_wal();
    let (page, _) = wal_frames(dir.path());
    // The last commit (the last order) cut off half way through its last frame, as a
    // crash in the middle of writing it leaves it: never acknowledged.
    let len = std::fs::metadata(wal(dir.path())).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(wal(dir.path()))
        .unwrap()
        .set_len(len - (page / 2) as u64)
        .unwrap();

    let writer = support::start_writer(dir.path());
    let said = writer.log_once(|l| l.contains("never finished"));
    assert!(
        said.lines()
            .any(|l| l.contains("never finished") && l.contains("frame(s)")),
        "the log should say how many frames were dropped:\n{said}"
    );
    assert!(writer.stop().success());
    let conn = support::open_db(dir.path());
    let (last, earlier) = numbers.split_last().unwrap();
    for number in earlier {
        assert_eq!(
            support::orders_numbered(&conn, number),
            1,
            "{number} was lost"
        );
    }
    assert_eq!(support::orders_numbered(&conn, last), 0);
    drop(conn);
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}

#[test]
fn a_damaged_table_page_refuses_the_start_and_check_names_the_table() {
    let dir = stopped_cleanly_with_orders();
    damage_page(dir.path(), root_page(dir.path(), "orders"));
    let before = std::fs::read(database(dir.path())).unwrap();

    let error = refused_start(dir.path(), "a table's root page is damaged");
    assert!(error.contains("damaged table orders"), "{error}");
    assert!(!error.contains("another process"), "{error}");
    assert_eq!(std::fs::read(database(dir.path())).unwrap(), before);

    let (ok, findings) = support::check(dir.path());
    assert!(!ok);
    assert!(
        findings
            .iter()
            .any(|l| l.contains("integrity_check: damaged table orders")),
        "{findings:?}"
    );
    assert!(
        !findings.iter().any(|l| l.contains("internal error")),
        "{findings:?}"
    );
}

#[test]
fn a_damaged_header_is_called_not_a_database_not_a_lock_problem() {
    let dir = stopped_cleanly_with_orders();
    let mut bytes = std::fs::read(database(dir.path())).unwrap();
    bytes[..16].copy_from_slice(b"this is no db!!\0");
    write_in_place(&database(dir.path()), &bytes);

    let error = refused_start(dir.path(), "the database header is damaged");
    assert!(error.contains("is not a database"), "{error}");
    assert!(error.contains("header is damaged"), "{error}");
    assert!(!error.contains("another process"), "{error}");
    assert_eq!(std::fs::read(database(dir.path())).unwrap(), bytes);
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A small tmpfs mounted at a fresh directory; unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the disk to the last byte with a file `filler`.
    fn fill(&self) {
        use std::io::Write as _;
        let mut file = std::fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        let byte = [0u8; 1];
        while file.write_all(&byte).is_ok() {}
        let _ = file.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.path().join("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_is_a_retryable_503_and_the_writer_recovers_without_a_restart() {
    if !is_root() {
        println!("skipped: needs root (a small tmpfs to fill)");
        return;
    }
    let Some(disk) = SmallDisk::mount(64) else {
        println!("skipped: needs root (mount -t tmpfs was refused)");
        return;
    };
    let data = disk.path().join("data");
    // Each command's COMMIT is its own, inside the component's request: the failure
    // reaches the component, which used to answer it `500 internal`.
    let writer = support::spawn(
        support::writer_command(&data, &["--commit-mode", "per-request"]),
        &data,
    )
    .ready();
    let first = writer.place_on_writer("full-0", &support::order_body("french-press", 1));
    assert_eq!(first.status(), 201);
    disk.fill();
    let mut refused = None;
    for n in 1..=20 {
        let r = writer.place_on_writer(
            &format!("full-{n}"),
            &support::order_body("french-press", 1),
        );
        if r.status() != 201 {
            refused = Some((n, r));
            break;
        }
    }
    let (n, r) = refused.expect("a full disk should refuse an order");
    assert_eq!(r.status(), 503, "{:?}", r.text());
    assert_eq!(r.headers()["retry-after"], "1");
    assert!(
        r.text().unwrap().contains("storage_unavailable"),
        "{:?}",
        r.text()
    );
    // The operator frees room: the same command, retried, goes through.
    disk.free();
    let again = writer.place_on_writer(
        &format!("full-{n}"),
        &support::order_body("french-press", 1),
    );
    assert_eq!(again.status(), 201, "{:?}", again.text());
    assert!(writer.stop().success());
}

#[test]
fn damage_met_while_serving_stops_commands_and_fails_readyz() {
    let dir = stopped_cleanly_with_orders();
    let orders = root_page(dir.path(), "orders");
    let writer = support::spawn(
        support::writer_command(dir.path(), &["--operator-listen", "127.0.0.1:0"]),
        dir.path(),
    )
    .ready();
    let ops = operator_url(&writer);
    assert_eq!(support::get(&format!("{ops}/readyz")).0, 200);
    // The disk damages the orders table under the running writer.
    damage_page(dir.path(), orders);

    let r = writer.place_on_writer("damaged-1", &support::order_body("french-press", 1));
    assert_eq!(r.status(), 503, "{:?}", r.text());
    assert!(
        r.text().unwrap().contains("storage_damaged"),
        "{:?}",
        r.text()
    );
    assert_eq!(r.headers()["storefront-storage"], "damaged");
    assert!(r.headers().get("retry-after").is_none());
    // No more commands, whatever they touch; readiness and metrics say why.
    let again = writer.place_on_writer("damaged-2", &support::order_body("french-press", 1));
    assert_eq!(again.status(), 503);
    assert!(again.text().unwrap().contains("storage_damaged"));
    let (status, why) = support::get(&format!("{ops}/readyz"));
    assert_eq!(status, 503);
    assert!(why.contains("storage damaged"), "{why}");
    let (_, metrics) = support::get(&format!("{ops}/metrics"));
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("storefront_storage_damaged{cause=\"malformed\"} 1")),
        "{metrics}"
    );
    let log = writer.log_once(|l| l.contains("storage damaged"));
    assert!(log.contains("sqlite_db.db"), "{log}");
    let mut writer = writer;
    support::send_signal(writer.child.id(), "KILL");
    let _ = writer.child.wait();
}

/// The operator listener's base URL, from the process's start-up line.
fn operator_url(app: &support::TestApp) -> String {
    let log = app.log_once(|l| l.contains("operator listener on http://"));
    log.lines()
        .find_map(|l| l.split("listener on ").nth(1))
        .unwrap_or_else(|| panic!("no operator line in:\n{log}"))
        .trim()
        .to_string()
}

#[test]
fn the_pages_answer_a_damaged_writer_at_once_and_do_not_retry_it() {
    let dir = stopped_cleanly_with_orders();
    let orders = root_page(dir.path(), "orders");
    let shop = support::start(dir.path());
    damage_page(dir.path(), orders);

    let started = std::time::Instant::now();
    let r = shop.post_order(
        Some("pages-damaged"),
        &support::order_body("french-press", 1),
    );
    // Not the 10 s of retries a briefly unavailable writer gets, and not a 502.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(r.status(), 503, "{:?}", r.text());
    assert!(
        r.text().unwrap().contains("storage_damaged"),
        "{:?}",
        r.text()
    );
    assert!(r.headers().get("retry-after").is_none());
    let mut shop = shop;
    support::send_signal(shop.child.id(), "KILL");
    let _ = shop.child.wait();
}
