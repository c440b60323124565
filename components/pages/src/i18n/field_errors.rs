//! Field errors in the shopper's language. The writer and the domain's validation
//! answer a field name and an English phrase (`email`: "is not a valid email address");
//! the pages word them as sentences with the field's label: in English as before
//! ("Email is not a valid email address."), in German as "E-Mail: keine gültige
//! E-Mail-Adresse." A phrase the catalogue does not know is shown as it came, so a new
//! check in the writer is never hidden.

use crate::i18n::Lang;
use crate::tr;

/// `message` (an English phrase from the writer or the domain) in `lang`, when the
/// catalogue has it; `None` for English or an unknown phrase.
pub fn translated(lang: Lang, message: &str) -> Option<String> {
    if lang == Lang::En {
        return None;
    }
    let message = message.trim_end_matches('.');
    let fixed = match message {
        "is required" => Some("err-required"),
        "is not a valid email address" => Some("err-email"),
        "contains control characters" => Some("err-control"),
        "contains invisible characters that change the reading direction" => Some("err-direction"),
        "is not a country we know; choose one from the list (ISO code such as DE or US)" => {
            Some("err-country")
        }
        "is not a phone number we can use; type digits, with spaces or + - ( ) if you like" => {
            Some("err-phone")
        }
        "may hold letters, spaces and punctuation, but no links, email addresses or <>" => {
            Some("err-name")
        }
        "must be accepted to place the order" => Some("err-terms"),
        "contains characters that are not text; please type it again" => Some("err-not-text"),
        // Returns: why none can be asked for, and the form's errors.
        "This shop does not take returns" => Some("return-closed-none"),
        "This order was refunded" => Some("return-closed-refunded"),
        "This order was cancelled" => Some("return-closed-cancelled"),
        "A return can be asked for once the order has been shipped" => {
            Some("return-closed-unshipped")
        }
        "A return of this order is waiting for the shop's answer" => Some("return-closed-waiting"),
        "Every item of this order is in a return already" => Some("return-closed-all"),
        "This item is not part of this order" => Some("return-err-not-in-order"),
        "This item is given twice" => Some("return-err-twice"),
        "Choose at least one item to return" => Some("return-err-choose"),
        "Please say why" => Some("return-err-say-why"),
        "Please use plain text only" => Some("return-err-plain"),
        _ => None,
    };
    if let Some(id) = fixed {
        return Some(tr!(lang, id));
    }
    if let Some(max) = message
        .strip_prefix("must be at most ")
        .and_then(|rest| rest.strip_suffix(" characters"))
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(tr!(lang, "err-too-long", max = max.to_string()));
    }
    if let Some((max, count)) = message
        .strip_prefix("is too long: at most ")
        .and_then(|rest| rest.split_once(" characters, this one has "))
    {
        return Some(tr!(
            lang,
            "err-note-too-long",
            max = max.to_string(),
            count = count.to_string()
        ));
    }
    if let Some((left, _)) = message
        .strip_prefix("only ")
        .and_then(|rest| rest.split_once(" left of "))
        .filter(|(n, _)| n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(tr!(lang, "err-only-left", left = left.to_string()));
    }
    if let Some(days) = message
        .strip_prefix("The ")
        .and_then(|rest| rest.strip_suffix("-day return window of this order has closed"))
    {
        return Some(tr!(lang, "return-closed-window", days = days.to_string()));
    }
    if let Some((left, bought)) = message
        .strip_prefix("You can return at most ")
        .and_then(|rest| rest.strip_suffix(")"))
        .and_then(|rest| rest.split_once(" of this item (you bought "))
    {
        return Some(tr!(
            lang,
            "return-err-at-most",
            left = left.to_string(),
            bought = bought.to_string()
        ));
    }
    if let Some((max, count)) = message
        .strip_prefix("Please keep it to ")
        .and_then(|rest| rest.split_once(" characters; this one has "))
    {
        return Some(tr!(
            lang,
            "return-err-reason-long",
            max = max.to_string(),
            count = count.to_string()
        ));
    }
    if let Some(rest) = message.strip_prefix("is not a valid postcode for ") {
        let example = rest
            .split_once("(for example ")
            .map(|(_, e)| e.trim_end_matches(')'));
        return Some(tr!(
            lang,
            "err-postcode",
            value = example.unwrap_or("").to_string()
        ));
    }
    None
}

/// `message` in `lang` when the catalogue knows it, else as it came (a new check in the
/// writer is never hidden).
pub fn or_as_sent(lang: Lang, message: &str) -> String {
    translated(lang, message).unwrap_or_else(|| message.to_string())
}

/// The field's label and its error as one sentence: English "Email is not a valid email
/// address.", German "E-Mail: keine gültige E-Mail-Adresse.". `label` is the label's
/// message id, `None` for an error without a field of its own.
pub fn sentence(lang: Lang, label: Option<&str>, message: &str) -> String {
    let english = message.trim_end_matches('.');
    match (lang, label, translated(lang, message)) {
        (Lang::En, Some(label), _) if english.starts_with(char::is_lowercase) => {
            format!("{} {english}.", tr!(lang, label))
        }
        (_, Some(label), Some(words)) => format!("{}: {words}.", tr!(lang, label)),
        (_, None, Some(words)) => format!("{words}."),
        (Lang::De, Some(label), None) if english.starts_with(char::is_lowercase) => {
            format!("{}: {english}.", tr!(lang, label))
        }
        _ => format!("{english}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_read_as_german_sentences() {
        assert_eq!(
            sentence(
                Lang::De,
                Some("field-email"),
                "is not a valid email address"
            ),
            "E-Mail: keine gültige E-Mail-Adresse."
        );
        assert_eq!(
            sentence(
                Lang::De,
                Some("field-city"),
                "must be at most 100 characters"
            ),
            "Ort: höchstens 100 Zeichen erlaubt."
        );
        assert_eq!(
            sentence(
                Lang::En,
                Some("field-email"),
                "is not a valid email address"
            ),
            "Email is not a valid email address."
        );
        assert_eq!(
            sentence(Lang::De, None, "only 1 left of Espresso cup"),
            "Nur noch 1 vorrätig."
        );
        assert_eq!(sentence(Lang::De, None, "Sold out."), "Sold out.");
    }

    #[test]
    fn the_writers_return_sentences_read_in_german() {
        let de = |s| translated(Lang::De, s).expect(s);
        assert_eq!(
            de("The 30-day return window of this order has closed."),
            "Die Rückgabefrist von 30 Tagen für diese Bestellung ist abgelaufen."
        );
        assert_eq!(
            de("You can return at most 1 of this item (you bought 2)."),
            "Sie können höchstens 1 dieses Artikels zurücksenden (Sie haben 2 gekauft)."
        );
        assert_eq!(
            de("Please keep it to 500 characters; this one has 501."),
            "Bitte höchstens 500 Zeichen; dieser Text hat 501."
        );
        assert_eq!(
            de("A return of this order is waiting for the shop's answer."),
            "Eine Rücksendung dieser Bestellung wartet auf die Antwort des Shops."
        );
        assert_eq!(translated(Lang::En, "Please say why."), None);
    }
}
