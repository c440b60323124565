//! The owner's checkout settings under `/admin/…` (admin bearer token), forwarded to the
//! writer's route of the same path like the catalog commands ([`crate::office::api::catalog`]):
//! `GET|PUT /admin/settings`, `GET|POST /admin/discounts`, `POST
//! /admin/discounts/{code}[/deactivate]`, `GET /admin/shipping`, `POST
//! /admin/shipping/methods/{code}`, `GET /admin/tax-rates`, `POST /admin/tax-rates/{country}`.
//! Commands carry their `Idempotency-Key`; the writer validates and applies, and its
//! answer comes back unchanged. Paths that cannot name anything never reach it.

use crate::http::json;
use crate::http::{Req, Resp};
use crate::writer::WriterClient;
use spin_sdk::http::Method;
use storefront_domain::checkout::normalize_discount_code;

/// The writer path for `/admin/{rest}` and the methods it takes, or `None` when the path
/// cannot name a checkout setting.
pub fn target(rest: &[&str]) -> Option<(String, &'static str)> {
    let code = |c: &str| normalize_discount_code(c).is_some_and(|n| n.len() == c.len());
    let method_code = |c: &str| {
        (1..=40).contains(&c.len())
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let country = |c: &str| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic());
    let allow = match rest {
        ["settings"] => "GET, PUT",
        ["discounts"] => "GET, POST",
        ["discounts", c] | ["discounts", c, "deactivate"] if code(c) => "POST",
        ["shipping"] | ["tax-rates"] => "GET",
        ["shipping", "methods", c] if method_code(c) => "POST",
        ["tax-rates", c] if country(c) => "POST",
        _ => return None,
    };
    Some((format!("/admin/{}", rest.join("/")), allow))
}

pub async fn forward(writer: &WriterClient, req: &Req, writer_path: &str) -> Resp {
    if !req.query.is_empty() {
        return Resp::json_error(422, "invalid_request", "these routes take no query");
    }
    let answer = match req.method.as_str() {
        "GET" => {
            // The writer serves the settings to every page at `/settings`.
            let path = if writer_path == "/admin/settings" {
                "/settings"
            } else {
                writer_path
            };
            writer.forward(Method::Get, path, None, None).await
        }
        method => {
            let key = match json::idempotency_key(req) {
                Ok(key) => key,
                Err(resp) => return resp,
            };
            let method = if method == "PUT" {
                Method::Put
            } else {
                Method::Post
            };
            writer
                .forward(method, writer_path, Some(req.body.clone()), Some(key))
                .await
        }
    };
    json::forwarded(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_setting_paths_are_targets() {
        let t = |p: &str| target(&p.split('/').collect::<Vec<_>>());
        assert_eq!(t("settings"), Some(("/admin/settings".into(), "GET, PUT")));
        assert_eq!(t("discounts").unwrap().1, "GET, POST");
        assert_eq!(t("discounts/WELCOME10/deactivate").unwrap().1, "POST");
        assert_eq!(t("shipping/methods/de-standard").unwrap().1, "POST");
        assert_eq!(t("tax-rates/de").unwrap().1, "POST");
        for bad in [
            "settings/x",
            "discounts/no%20spaces",
            "discounts/A/remove",
            "shipping/methods",
            "tax-rates/DEU",
            "tax-rates/1a",
        ] {
            assert!(t(bad).is_none(), "{bad}");
        }
    }
}
