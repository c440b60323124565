//! `spin:key-value@3.0.0` (Spin 4's async key-value) in a `wasi:http` 0.2 component, the
//! kind spin-sdk 5 builds: the app in `tests/conformance/key-value-3/` (the probe in
//! `tests/conformance/probe-kv3`). Every 3.0 function is an `async func`; a `wasi:http`
//! 0.2 handler is a synchronous task, which the component model forbids to wait before it
//! returns. Real Spin 4.0.2 starts such an app and answers each request with 500 (the
//! trap "cannot block a synchronous task before returning"). This host does not provide
//! 3.0 and refuses the app at start, saying why (`docs/spin-host.md`, "Deliberate
//! differences").

use crate::support;

use crate::support::real_spin::{RealSpin, spin_bin};
use std::path::PathBuf;
use std::sync::OnceLock;

fn manifest() -> PathBuf {
    support::repo_root().join("tests/conformance/key-value-3/spin.toml")
}

/// Builds the probe with its manifest's build command, once per test binary.
fn build_probe() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = support::storefront()
            .args(["build", "--manifest"])
            .arg(manifest())
            .status()
            .expect("run storefront build");
        assert!(status.success(), "building the key-value 3.0 probe failed");
    });
}

#[test]
fn key_value_3_from_a_wasi_http_0_2_handler_is_refused_here_and_traps_under_spin() {
    build_probe();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ours");
    let mut cmd = support::storefront();
    cmd.args(["up", "--no-build", "--listen", "127.0.0.1:0", "--manifest"])
        .arg(manifest())
        .arg("--data-dir")
        .arg(&data);
    let (status, stderr) =
        support::spawn(cmd, &data).refused("it does not provide spin:key-value@3.0.0");
    assert!(!status.success());
    let text = stderr.join("\n");
    assert!(!text.contains("panicked"), "{text}");
    // The line names the component and wasmtime's reason (the async ABI 3.0 needs).
    assert!(
        text.contains("conformance_probe_kv3.wasm") && text.contains("async"),
        "{text}"
    );

    let Some(bin) = spin_bin("conformance_key_value3") else {
        println!(
            "conformance_key_value3: SPIN_BIN is not set; the comparison with real Spin was skipped"
        );
        return;
    };
    let theirs = dir.path().join("spin");
    std::fs::create_dir_all(&theirs).unwrap();
    let mut spin = RealSpin::start(&bin, &manifest(), &theirs, &[]);
    let answer = support::client()
        .get(spin.url("/key-value-3"))
        .send()
        .expect("spin up answers");
    assert_eq!(answer.status().as_u16(), 500);
    let output = spin.output().join("\n");
    spin.stop();
    assert!(
        output.contains("cannot block a synchronous task before returning"),
        "{output}"
    );
}
