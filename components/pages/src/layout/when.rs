//! Timestamps as shoppers read them: the writer's RFC 3339 UTC times shown as
//! "23 November 2026, 14:05 UTC" (the machine form stays in `<time datetime>`).

use crate::i18n::Lang;
use maud::{Markup, html};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// "23 November 2026, 14:05 UTC"; a value that is not RFC 3339 is shown as it is.
pub fn human(at: &str) -> String {
    let format =
        format_description!("[day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    OffsetDateTime::parse(at, &Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| at.to_string())
}

/// `<time datetime="…">23 November 2026, 14:05 UTC</time>`.
pub fn time(at: &str) -> Markup {
    time_in(Lang::En, at)
}

/// [`human`] in `lang`: "23. November 2026, 14:05 UTC" in German.
pub fn human_in(lang: Lang, at: &str) -> String {
    OffsetDateTime::parse(at, &Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map(|t| lang.date_time(t.year(), t.month() as u8, t.day(), t.hour(), t.minute()))
        .unwrap_or_else(|| at.to_string())
}

/// [`time`] in `lang`.
pub fn time_in(lang: Lang, at: &str) -> Markup {
    html! { time datetime=(at) { (human_in(lang, at)) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_like_dates() {
        assert_eq!(human("2026-11-23T14:05:09Z"), "23 November 2026, 14:05 UTC");
        assert_eq!(
            human("2026-01-02T03:04:00+01:00"),
            "2 January 2026, 02:04 UTC"
        );
        assert_eq!(human("yesterday"), "yesterday");
        assert_eq!(
            human_in(Lang::De, "2026-03-02T09:05:00Z"),
            "2. März 2026, 09:05 UTC"
        );
        assert_eq!(
            human_in(Lang::En, "2026-11-23T14:05:09Z"),
            human("2026-11-23T14:05:09Z")
        );
    }
}
