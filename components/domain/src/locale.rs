//! The shop's languages (German and English) and how each writes money, numbers and
//! dates: the one place prices are formatted for people (`14,50 €` / `€14.50`), after CLDR.
//!
//! Amounts stay integer minor units everywhere else; only this turns them into text.
//! Machine formats (JSON-LD, the API, CSV) never go through it.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// A language the shop speaks. `En` is the default (the shop's setting decides otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// German.
    De,
}

/// No-break space: CLDR's German money puts it between the amount and the symbol.
const NBSP: char = '\u{a0}';

impl Locale {
    /// Whether this is the default language (English): serde leaves it out then.
    pub fn is_default(&self) -> bool {
        *self == Locale::En
    }

    /// Every language the shop speaks, in the order the switch lists them.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::De];

    /// The BCP 47 code (`en`, `de`): the `lang` attribute, the cookie's value, the stored value.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
        }
    }

    /// The language's own name for itself, as the switch shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
        }
    }

    /// The language of an exact code (`en`, `de`); anything else is `None`.
    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language of a BCP 47 tag by its primary subtag (`de-AT` → German), any case.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Locale::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    fn separators(self) -> (char, char) {
        match self {
            Locale::En => (',', '.'),
            Locale::De => ('.', ','),
        }
    }

    /// `n` with this language's thousands separator: `1,234` / `1.234`.
    pub fn number(self, n: u64) -> String {
        group(&n.to_string(), self.separators().0)
    }

    /// `money` for people: English `€1,234.50`, `CHF 3.00`; German `1.234,50 €`,
    /// `3,00 CHF` (amount, no-break space, symbol or code).
    pub fn money(self, money: &Money) -> String {
        let (thousands, decimal) = self.separators();
        let sign = if money.amount < 0 { "-" } else { "" };
        let abs = money.amount.unsigned_abs();
        let exp = money.exponent();
        let unit = 10u64.pow(exp);
        let mut amount = group(&(abs / unit).to_string(), thousands);
        if exp > 0 {
            amount.push(decimal);
            amount.push_str(&format!("{:0width$}", abs % unit, width = exp as usize));
        }
        let symbol = money.symbol();
        match (self, symbol) {
            (Locale::En, Some(s)) => format!("{sign}{s}{amount}"),
            (Locale::En, None) => format!("{sign}{} {amount}", money.currency),
            (Locale::De, Some(s)) => format!("{sign}{amount}{NBSP}{s}"),
            (Locale::De, None) => format!("{sign}{amount}{NBSP}{}", money.currency),
        }
    }

    /// The long name of month `month` (1–12).
    pub fn month(self, month: u8) -> &'static str {
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const DE: [&str; 12] = [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ];
        let i = usize::from(month.clamp(1, 12) - 1);
        match self {
            Locale::En => EN[i],
            Locale::De => DE[i],
        }
    }

    /// A date and UTC time: `23 November 2026, 14:05 UTC` / `23. November 2026, 14:05 UTC`.
    pub fn date_time(self, year: i32, month: u8, day: u8, hour: u8, minute: u8) -> String {
        let dot = match self {
            Locale::En => "",
            Locale::De => ".",
        };
        format!(
            "{day}{dot} {} {year}, {hour:02}:{minute:02} UTC",
            self.month(month)
        )
    }
}

/// `digits` with `sep` between groups of three from the right.
fn group(digits: &str, sep: char) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_money_puts_the_symbol_after_a_no_break_space() {
        let de = Locale::De;
        assert_eq!(de.money(&Money::new(1450, "EUR")), "14,50\u{a0}€");
        assert_eq!(de.money(&Money::new(123_456, "USD")), "1.234,56\u{a0}$");
        assert_eq!(de.money(&Money::new(300, "CHF")), "3,00\u{a0}CHF");
        assert_eq!(de.money(&Money::new(1200, "JPY")), "1.200\u{a0}¥");
        assert_eq!(de.money(&Money::new(-5, "EUR")), "-0,05\u{a0}€");
    }

    #[test]
    fn english_money_puts_the_symbol_first() {
        let en = Locale::En;
        assert_eq!(en.money(&Money::new(1450, "EUR")), "€14.50");
        assert_eq!(en.money(&Money::new(123_456, "USD")), "$1,234.56");
        assert_eq!(en.money(&Money::new(300, "CHF")), "CHF 3.00");
        assert_eq!(en.money(&Money::new(-1250, "EUR")), "-€12.50");
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(Locale::De.number(1_234_567), "1.234.567");
        assert_eq!(Locale::En.number(1_234_567), "1,234,567");
        assert_eq!(
            Locale::De.date_time(2026, 3, 2, 9, 5),
            "2. März 2026, 09:05 UTC"
        );
        assert_eq!(
            Locale::En.date_time(2026, 11, 23, 14, 5),
            "23 November 2026, 14:05 UTC"
        );
    }

    #[test]
    fn tags_name_a_language_by_their_primary_subtag() {
        assert_eq!(Locale::from_tag("de-AT"), Some(Locale::De));
        assert_eq!(Locale::from_tag("EN_gb"), Some(Locale::En));
        assert_eq!(Locale::from_tag("fr"), None);
        assert_eq!(Locale::from_code("DE"), None);
    }
}
