//! CSV that a spreadsheet opens as data and never runs (CSV/formula injection, CWE-1236):
//! a UTF-8 byte order mark first, so Excel reads umlauts; every field quoted; and in
//! every text cell an apostrophe before a character that would start a formula, at the
//! start of the cell and after every character a spreadsheet may split a cell on.
//!
//! Quoting alone is not enough: a spreadsheet told to split on `;` (German Excel's
//! default), tab or `|` does not honour the quotes of a comma-separated file, so
//! `Zed;=1+1` would put `=1+1` in a cell of its own. Spaces and a double quote at the
//! start of such a piece are looked through, as an importer may trim or unquote them.
//!
//! Numbers are written from integers ([`Cell::Integer`], [`Cell::Amount`]), so they hold
//! only digits, a decimal point and perhaps a leading minus: a spreadsheet reads them as
//! numbers, which is why they are left as they are (a negative amount stays `-5.00`, not
//! `'-5.00`, and still adds up).

use storefront_domain::decimal::format_amount;

/// One cell of a row.
pub enum Cell<'a> {
    /// Anything typed by a person or stored as text: neutralised ([`inert`]).
    Text(&'a str),
    /// A count, written as is.
    Integer(i64),
    /// An amount in `currency`'s minor units, written as a plain decimal ("12.50").
    Amount { minor: i64, currency: &'a str },
}

/// Characters that make a spreadsheet read the rest of a cell as a formula (and their
/// full-width forms, which some spreadsheets also accept).
const FORMULA_START: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];
/// Characters a spreadsheet may split a cell on when it guesses the separator.
const SPLITS: [char; 6] = [',', ';', '\t', '|', '\n', '\r'];

/// A CSV file being written: the byte order mark and the header row, then [`Sheet::row`]s,
/// its bytes taken as they are written ([`Sheet::take`]).
pub struct Sheet {
    out: csv::Writer<Vec<u8>>,
}

impl Sheet {
    pub fn new(header: &[&str]) -> Result<Sheet, csv::Error> {
        let mut out = writer("\u{FEFF}".as_bytes().to_vec());
        out.write_record(header)?;
        Ok(Sheet { out })
    }

    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), csv::Error> {
        self.out.write_record(cells.iter().map(|cell| match cell {
            Cell::Text(text) => inert(text),
            Cell::Integer(n) => n.to_string(),
            Cell::Amount { minor, currency } => format_amount(*minor, currency),
        }))
    }

    /// The bytes written since the last take (the first take starts with the byte order
    /// mark and the header row), so a long file is sent as it is written.
    pub fn take(&mut self) -> Result<Vec<u8>, csv::Error> {
        let written = std::mem::replace(&mut self.out, writer(Vec::new()));
        written.into_inner().map_err(|e| e.into_error().into())
    }
}

/// A CSV writer into `start` that quotes every field.
fn writer(start: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(start)
}

/// `text` with an apostrophe before every formula-starting character that begins the
/// text or a piece of it after a split character (leading spaces and double quotes of a
/// piece looked through). Text that starts no formula comes back unchanged.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut piece_start = true;
    for c in text.chars() {
        if piece_start && FORMULA_START.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        piece_start = SPLITS.contains(&c) || (piece_start && matches!(c, ' ' | '"'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_at_the_start_of_a_cell_are_neutralised() {
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("+1"), "'+1");
        assert_eq!(inert("-2"), "'-2");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("\u{FF1D}1+1"), "'\u{FF1D}1+1");
        assert_eq!(inert("  =1"), "  '=1");
    }

    #[test]
    fn formulas_after_any_split_character_are_neutralised() {
        assert_eq!(inert("Zed;=1+1;Zed"), "Zed;'=1+1;Zed");
        assert_eq!(inert("a,=HYPERLINK(1)"), "a,'=HYPERLINK(1)");
        assert_eq!(inert("a|@x"), "a|'@x");
        assert_eq!(inert("a; \"=1"), "a; \"'=1");
        assert_eq!(inert("a\n-1"), "a\n'-1");
        // A tab both starts a formula and splits: each piece is neutralised.
        assert_eq!(inert("a\t=1"), "a\t'=1");
        assert_eq!(inert("\t=1"), "'\t'=1");
        assert_eq!(inert("\r\n+1"), "'\r\n'+1");
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for text in [
            "Jürgen Müßig",
            "Jean-Luc Picard",
            "ada@example.com",
            "2× kenya-250g-whole; 1× v60",
            "2026-11-23T14:05:00.000Z",
            "",
        ] {
            assert_eq!(inert(text), text);
        }
    }

    #[test]
    fn every_field_is_quoted_after_a_byte_order_mark_and_numbers_stay_numbers() {
        let mut sheet = Sheet::new(&["name", "units", "total"]).unwrap();
        sheet
            .row(&[
                Cell::Text("Zed;=1+1"),
                Cell::Integer(2),
                Cell::Amount {
                    minor: -1250,
                    currency: "EUR",
                },
            ])
            .unwrap();
        let bytes = sheet.take().unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{FEFF}\"name\",\"units\",\"total\"\n\"Zed;'=1+1\",\"2\",\"-12.50\"\n"
        );
    }
}
