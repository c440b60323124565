//! `GET /favicon.svg` and `/favicon.ico`: the shop's small icon, the same bytes for
//! every shop (a coffee cup on the accent colour), compiled into the component.
//!
//! The bytes never change within a build, so they are cached for a year (`immutable`);
//! a new icon needs a new build (browsers re-fetch within the year on their own).

use crate::http::Resp;

const SVG: &[u8] = include_bytes!("../../assets/favicon.svg");
/// One 32 × 32 PNG image in an ICO container, for browsers and tools that ask for
/// `/favicon.ico` by name.
const ICO: &[u8] = include_bytes!("../../assets/favicon.ico");

/// The icon at `path`, if it is one of the two.
pub fn serve(path: &str) -> Option<Resp> {
    let (content_type, bytes) = match path {
        "/favicon.svg" => ("image/svg+xml", SVG),
        "/favicon.ico" => ("image/x-icon", ICO),
        _ => return None,
    };
    let mut resp = Resp::new(200)
        .header("content-type", content_type)
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        .header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        );
    resp.body = bytes.to_vec();
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_icons_are_served_with_their_type() {
        let svg = serve("/favicon.svg").unwrap();
        assert_eq!(svg.get_header("content-type"), Some("image/svg+xml"));
        assert!(svg.body.starts_with(b"<svg"));
        let ico = serve("/favicon.ico").unwrap();
        assert_eq!(&ico.body[..4], &[0, 0, 1, 0], "an ICO header");
        assert!(serve("/favicon.png").is_none());
    }
}
