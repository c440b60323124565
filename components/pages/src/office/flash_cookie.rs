//! One message carried across the redirect after a back-office form ("Order SF-… shipped"):
//! a signed cookie scoped to `/admin`, read once and cleared by the next page. Signed, so
//! nobody but the pages can make the back office display a message.

use crate::layout::flash::{Flash, Tone};
use crate::security::signing::{Key, b64, unb64};

pub const COOKIE: &str = "sf_owner_flash";
/// Seconds the cookie lives if no page reads it.
const TTL_SECONDS: u64 = 60;
/// Longest message carried (cookies are small).
const MAX_TEXT: usize = 300;

/// The `Set-Cookie` value carrying `flash`.
pub fn set_cookie(flash: &Flash, key: &Key, secure: bool) -> String {
    let tone = match flash.tone {
        Tone::Info => 'i',
        Tone::Warning => 'w',
    };
    let text: String = flash.text.chars().take(MAX_TEXT).collect();
    let payload = format!("{tone}{text}");
    let tag = key.sign(format!("owner-flash:{payload}").as_bytes());
    cookie(
        &format!("{}.{}", b64(payload.as_bytes()), b64(&tag)),
        TTL_SECONDS,
        secure,
    )
}

pub fn clear_cookie(secure: bool) -> String {
    cookie("", 0, secure)
}

fn cookie(value: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age={max_age}{secure}")
}

/// The message in the cookie, if it is one the pages signed.
pub fn read(value: &str, key: &Key) -> Option<Flash> {
    let (payload, tag) = value.split_once('.')?;
    let payload = String::from_utf8(unb64(payload)?).ok()?;
    if !key.verify(format!("owner-flash:{payload}").as_bytes(), &unb64(tag)?) {
        return None;
    }
    let mut chars = payload.chars();
    let tone = match chars.next()? {
        'i' => Tone::Info,
        'w' => Tone::Warning,
        _ => return None,
    };
    Some(Flash::new(tone, chars.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_forgery() {
        let key = Key::new("0123456789abcdef0123456789abcdef").unwrap();
        let set = set_cookie(&Flash::new(Tone::Warning, "Refund <failed>"), &key, false);
        let value = set
            .strip_prefix("sf_owner_flash=")
            .unwrap()
            .split(';')
            .next()
            .unwrap();
        assert_eq!(
            read(value, &key),
            Some(Flash::new(Tone::Warning, "Refund <failed>"))
        );
        let forged = format!("{}.{}", b64(b"iHello"), value.split_once('.').unwrap().1);
        assert_eq!(read(&forged, &key), None);
    }
}
