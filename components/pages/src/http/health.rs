//! `GET /healthz` on the pages themselves: the probe an orchestrator can run where the
//! host's operator listener does not exist (SpinKube runs the pages in Spin's shim, whose
//! app port serves only this component; `deploy/k8s/components/spinkube`).
//!
//! It answers `200 ok` when a fresh instance starts and its configuration (the Spin
//! variables) is complete, and `503` naming nothing secret when it is not. It does not ask
//! the writer: while the writer restarts the pages answer shoppers a retryable `503` on
//! their own, and a probe that followed the writer would empty the pages' Service during
//! every writer handover instead.

use crate::http::Resp;

pub const PATH: &str = "/healthz";

/// Whether the request is the probe (`GET` or `HEAD /healthz`).
pub fn asked(method: &str, path: &str) -> bool {
    path == PATH && matches!(method, "GET" | "HEAD")
}

/// The probe's answer: healthy unless the configuration could not be loaded.
pub fn answer(misconfigured: bool) -> Resp {
    let (status, text) = if misconfigured {
        (503, "misconfigured: see the component log\n")
    } else {
        (200, "ok\n")
    };
    Resp::plain(status, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_of_the_path_are_the_probe() {
        assert!(asked("GET", "/healthz"));
        assert!(asked("HEAD", "/healthz"));
        assert!(!asked("POST", "/healthz"));
        assert!(!asked("GET", "/healthz/"));
        assert!(!asked("GET", "/readyz"));
    }

    #[test]
    fn a_misconfigured_instance_is_unhealthy_and_nothing_is_kept() {
        let ok = answer(false);
        assert_eq!((ok.status, ok.body.as_slice()), (200, b"ok\n".as_slice()));
        let bad = answer(true);
        assert_eq!(bad.status, 503);
        assert_eq!(bad.get_header("cache-control"), Some("no-store"));
    }
}
