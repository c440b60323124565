//! `GET /images/{hash}`: product pictures at their content-hash address.
//!
//! The bytes behind a hash never change, so browsers and proxies may keep them for a year
//! (`immutable`), and a revalidation is answered 304 from the hash alone without asking
//! the writer. Whatever is stored, only the three image types are ever served, with
//! `nosniff` and a CSP that forbids everything, so nothing uploaded can run as a page.

use crate::http::{Req, Resp};
use crate::writer::{WriterClient, WriterError};

/// The content types an image may be served as.
const IMAGE_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// A hex SHA-256 as the writer stores it: 64 lowercase hex digits.
pub fn valid_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub async fn serve(writer: &WriterClient, req: &Req, hash: &str) -> Resp {
    if !valid_hash(hash) {
        return not_found();
    }
    let etag = format!("\"{hash}\"");
    if req.header("if-none-match").is_some_and(|v| {
        v.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*")
    }) {
        return headers(Resp::new(304), &etag);
    }
    match writer.image(hash).await {
        Ok(Some((content_type, bytes))) if IMAGE_TYPES.contains(&content_type.as_str()) => {
            let mut resp = headers(Resp::new(200), &etag).header("content-type", content_type);
            resp.body = bytes;
            resp
        }
        Ok(Some((content_type, _))) => {
            eprintln!("image {hash} is stored as {content_type:?}; not serving it");
            not_found()
        }
        Ok(None) => not_found(),
        Err(WriterError::Unavailable) => {
            Resp::plain(503, "The shop is briefly unavailable.\n").header("retry-after", "5")
        }
        Err(_) => Resp::plain(502, "The image could not be loaded.\n"),
    }
}

fn headers(resp: Resp, etag: &str) -> Resp {
    resp.header("etag", etag)
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'")
        .header("content-disposition", "inline")
}

fn not_found() -> Resp {
    Resp::plain(404, "No such image.\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lowercase_sha256_hex_is_a_hash() {
        let good = "a".repeat(64);
        assert!(valid_hash(&good));
        assert!(valid_hash(&"0123456789abcdef".repeat(4)));
        for bad in [
            "".to_string(),
            "a".repeat(63),
            "a".repeat(65),
            "A".repeat(64),
            "g".repeat(64),
            format!("{}/", "a".repeat(63)),
        ] {
            assert!(!valid_hash(&bad), "{bad}");
        }
    }
}
