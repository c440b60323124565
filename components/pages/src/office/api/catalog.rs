//! The owner's catalog commands under `/admin/catalog/…` (admin bearer token): each is
//! passed to the writer's route of the same path with its `Idempotency-Key`, the actor
//! `admin-token` and the body as sent (JSON, or an image's raw bytes), and the writer's
//! answer comes back unchanged. The writer validates and applies; these routes only
//! check that the path names something that can exist, so nothing else reaches it.
//!
//! Two owner reads sit beside the commands: `GET /admin/catalog/history`, and `GET
//! /admin/catalog/products[/{slug}]`, the catalog with archived products and variants
//! (the writer's `/catalog/products…?include_archived=1`).

use crate::http::json;
use crate::http::{Req, Resp};
use crate::writer::WriterClient;
use spin_sdk::http::Method;
use storefront_domain::FieldError;
use storefront_domain::catalog::valid_sku;
use storefront_domain::order::valid_slug;

/// The writer path for `/admin/catalog/{rest}` and the methods it takes, or `None` when
/// the path cannot name a command.
pub fn target(rest: &[&str]) -> Option<(String, &'static str)> {
    let slug = |s: &str| valid_slug(s);
    let id = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
    let ok = match rest {
        ["history"] => return Some(("/admin/catalog/history".into(), "GET")),
        ["products"] => return Some(("/admin/catalog/products".into(), "GET, POST")),
        ["products", p] if slug(p) => {
            return Some((format!("/admin/catalog/products/{p}"), "GET, POST"));
        }
        ["collections"] => true,
        [
            "products",
            p,
            "archive" | "restore" | "options" | "variants" | "images",
        ] => slug(p),
        ["products", p, "images", i] | ["products", p, "images", i, "remove"] => slug(p) && id(i),
        ["variants", s] | ["variants", s, "archive" | "restore" | "stock"] => valid_sku(s),
        ["collections", c] | ["collections", c, "products"] => slug(c),
        ["collections", c, "products", p, "remove"] => slug(c) && slug(p),
        _ => false,
    };
    ok.then(|| (format!("/admin/catalog/{}", rest.join("/")), "POST"))
}

/// The query parameters each command takes, re-encoded (anything else is 422).
fn query(req: &Req, writer_path: &str) -> Result<String, Resp> {
    let allowed: &[&str] = if writer_path.ends_with("/history") {
        &["limit", "before"]
    } else if req.method == "GET" && writer_path == "/admin/catalog/products" {
        &["collection", "limit", "offset"]
    } else if writer_path.ends_with("/images") {
        &["alt", "position"]
    } else {
        &[]
    };
    let mut out = form_urlencoded::Serializer::new(String::new());
    let mut unknown = Vec::new();
    for (name, value) in form_urlencoded::parse(req.query.as_bytes()) {
        if allowed.contains(&name.as_ref()) {
            out.append_pair(&name, &value);
        } else {
            unknown.push(FieldError::new(
                name.to_string(),
                "is not a known parameter",
            ));
        }
    }
    if !unknown.is_empty() {
        return Err(Resp::json_invalid("the query is invalid", unknown));
    }
    let out = out.finish();
    Ok(if out.is_empty() {
        out
    } else {
        format!("?{out}")
    })
}

pub async fn forward(writer: &WriterClient, req: &Req, writer_path: &str) -> Resp {
    let query = match query(req, writer_path) {
        Ok(query) => query,
        Err(resp) => return resp,
    };
    let answer = if req.method == "GET" {
        let path = match writer_path.strip_prefix("/admin") {
            // The owner's view of the catalog: archived products and variants included.
            Some(catalog) if catalog.starts_with("/catalog/products") => {
                let glue = if query.is_empty() { '?' } else { '&' };
                format!("{catalog}{query}{glue}include_archived=1")
            }
            _ => format!("{writer_path}{query}"),
        };
        writer.forward(Method::Get, &path, None, None).await
    } else {
        let key = match json::idempotency_key(req) {
            Ok(key) => key,
            Err(resp) => return resp,
        };
        let path = format!("{writer_path}{query}");
        writer
            .forward(Method::Post, &path, Some(req.body.clone()), Some(key))
            .await
    };
    json::forwarded(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_command_paths_are_targets() {
        let t = |p: &str| target(&p.split('/').collect::<Vec<_>>());
        assert_eq!(
            t("products/kenya/images"),
            Some(("/admin/catalog/products/kenya/images".into(), "POST"))
        );
        assert_eq!(t("history").unwrap().1, "GET");
        assert_eq!(t("products/kenya").unwrap().1, "GET, POST");
        assert_eq!(t("products/kenya/archive").unwrap().1, "POST");
        for good in [
            "products",
            "products/kenya",
            "products/kenya/archive",
            "products/kenya/restore",
            "products/kenya/options",
            "products/kenya/variants",
            "products/kenya/images/12",
            "products/kenya/images/12/remove",
            "variants/KEN-1kg.f_2",
            "variants/kenya-1kg/archive",
            "variants/kenya-1kg/restore",
            "variants/kenya-1kg/stock",
            "collections",
            "collections/coffee",
            "collections/coffee/products",
            "collections/coffee/products/kenya/remove",
        ] {
            assert!(t(good).is_some(), "{good}");
        }
        for bad in [
            "",
            "products/Bad Slug",
            "products/kenya/images/x",
            "products/kenya/delete",
            "variants/a b",
            "collections/coffee/products/kenya",
            "history/1",
            "products/..",
        ] {
            assert!(t(bad).is_none(), "{bad}");
        }
    }
}
