//! Migrations are applied by the writer exactly once, recorded with their checksums,
//! and an applied migration whose checksum no longer matches stops the start.

mod common;

use common::Started;

fn migration_files() -> usize {
    std::fs::read_dir(common::repo_root().join("migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count()
}

fn applied(dir: &std::path::Path) -> Vec<(i64, String, String)> {
    let conn = common::open_db(dir);
    let mut stmt = conn
        .prepare("SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn migrations_are_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    assert!(common::start(dir.path()).stop().success());
    let first = applied(dir.path());
    assert_eq!(first.len(), migration_files());
    assert!(first.iter().all(|(_, checksum, _)| checksum.len() == 64));
    let products = common::count(&common::open_db(dir.path()), "products");

    assert!(common::start(dir.path()).stop().success());
    assert_eq!(applied(dir.path()), first, "a restart re-applied nothing");
    assert_eq!(
        common::count(&common::open_db(dir.path()), "products"),
        products
    );
}

#[test]
fn an_edited_applied_migration_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    assert!(common::start(dir.path()).stop().success());
    // What the writer sees when a released migration file was edited: its checksum
    // differs from the one recorded when it was applied.
    common::open_db(dir.path())
        .execute(
            "UPDATE schema_migrations SET checksum = ? WHERE version = 1",
            ["0".repeat(64)],
        )
        .unwrap();
    match common::spawn(common::up_command(dir.path()), dir.path()) {
        Started::Ready(_) => panic!("started despite a tampered migration"),
        Started::Exited { status, stderr } => {
            assert!(!status.success());
            let text = stderr.join("\n");
            assert!(text.contains("0001_catalog.sql"), "{text}");
            assert!(text.contains("changed after it was applied"), "{text}");
        }
    }
}
