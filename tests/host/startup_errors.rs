//! Misconfiguration gives one readable line and a non-zero exit, never a panic.

use crate::support;

use std::path::Path;

/// Runs `up` with `args` and returns the `storefront:` error lines of a failed start.
fn failed_start(args: &[&str], data_dir: &Path) -> Vec<String> {
    support::build_components();
    let mut cmd = support::storefront();
    cmd.arg("up").arg("--no-build").args(args);
    let (status, stderr) =
        support::spawn(cmd, data_dir).refused(&format!("it should not with {args:?}"));
    assert!(!status.success());
    assert!(!stderr.iter().any(|l| l.contains("panicked")), "{stderr:?}");
    let errors: Vec<String> = stderr
        .into_iter()
        .filter(|l| l.starts_with("storefront: "))
        .collect();
    assert_eq!(errors.len(), 1, "one error line: {errors:?}");
    errors
}

fn manifest_with(dir: &Path, text: &str) -> String {
    let path = dir.join("spin.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn missing_wasm_file() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(support::manifest()).unwrap();
    let manifest = manifest_with(
        dir.path(),
        &original
            .replace("release/pages.wasm", "release/no-such-component.wasm")
            .replace(
                "\"target/",
                &format!("\"{}/target/", support::repo_root().display()),
            ),
    );
    let data = dir.path().join("data");
    let errors = failed_start(
        &[
            "--manifest",
            &manifest,
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &data,
    );
    assert!(errors[0].contains("no-such-component.wasm"), "{errors:?}");
}

#[test]
fn invalid_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = manifest_with(dir.path(), "spin_manifest_version = 2\n[application]\n");
    let errors = failed_start(&["--manifest", &manifest], dir.path());
    assert!(errors[0].contains("invalid manifest"), "{errors:?}");
}

#[test]
fn port_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let manifest = support::manifest();
    let errors = failed_start(
        &[
            "--manifest",
            manifest.to_str().unwrap(),
            "--listen",
            &addr,
            "--data-dir",
            dir.path().to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(errors[0].contains("already in use"), "{errors:?}");
}

#[test]
fn unusable_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let data = file.join("data");
    let manifest = support::manifest();
    let errors = failed_start(
        &[
            "--manifest",
            manifest.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &data,
    );
    assert!(errors[0].contains("cannot create data dir"), "{errors:?}");
}

/// `storefront build` with the pages' build command replaced by `command`: its
/// `storefront:` error lines.
fn failed_build(command: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(support::manifest()).unwrap();
    let pages_build = "command = \"cargo build --target wasm32-wasip2 --release -p pages --target-dir target/wasm\"";
    assert!(original.contains(pages_build));
    let manifest = manifest_with(
        dir.path(),
        &original.replace(pages_build, &format!("command = \"{command}\"")),
    );
    let out = support::storefront()
        .args(["build", "--manifest", &manifest])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
        .lines()
        .filter(|l| l.starts_with("storefront: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn build_command_not_found() {
    let errors = failed_build("no-such-build-tool build --release");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("building component pages failed: `no-such-build-tool` was not found"),
        "{errors:?}"
    );
}

#[test]
fn build_command_fails() {
    let errors = failed_build("exit 3");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("building component pages failed (exit status: 3): `exit 3`"),
        "{errors:?}"
    );
}

#[test]
fn no_thread_to_serve_connections() {
    let dir = tempfile::tempdir().unwrap();
    let errors = failed_start(&["--connection-threads", "0"], dir.path());
    assert!(
        errors[0].contains("--connection-threads must be between 1 and 256"),
        "{errors:?}"
    );
}
