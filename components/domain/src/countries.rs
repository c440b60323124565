//! Countries (ISO 3166-1 alpha-2 with English short names) and the postcode formats of
//! countries whose format is well known, so a checkout offers a real list and refuses
//! `zz` or a German postcode of four digits before anything is priced.
//!
//! A static table rather than a crate: the pages need a `const` list for the country
//! `<select>`, in shopper-facing English (`United Kingdom`, not the ISO long form), and a
//! crate with every subdivision would weigh on each component's binary.

/// Every ISO 3166-1 country (249), as `(alpha-2 code, English name)`, sorted by name
/// (accents ignored) for a `<select>`.
pub const ALL: &[(&str, &str)] = &[
    ("AF", "Afghanistan"),
    ("AX", "Åland Islands"),
    ("AL", "Albania"),
    ("DZ", "Algeria"),
    ("AS", "American Samoa"),
    ("AD", "Andorra"),
    ("AO", "Angola"),
    ("AI", "Anguilla"),
    ("AQ", "Antarctica"),
    ("AG", "Antigua and Barbuda"),
    ("AR", "Argentina"),
    ("AM", "Armenia"),
    ("AW", "Aruba"),
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("AZ", "Azerbaijan"),
    ("BS", "Bahamas"),
    ("BH", "Bahrain"),
    ("BD", "Bangladesh"),
    ("BB", "Barbados"),
    ("BY", "Belarus"),
    ("BE", "Belgium"),
    ("BZ", "Belize"),
    ("BJ", "Benin"),
    ("BM", "Bermuda"),
    ("BT", "Bhutan"),
    ("BO", "Bolivia"),
    ("BA", "Bosnia and Herzegovina"),
    ("BW", "Botswana"),
    ("BV", "Bouvet Island"),
    ("BR", "Brazil"),
    ("IO", "British Indian Ocean Territory"),
    ("VG", "British Virgin Islands"),
    ("BN", "Brunei"),
    ("BG", "Bulgaria"),
    ("BF", "Burkina Faso"),
    ("BI", "Burundi"),
    ("CV", "Cabo Verde"),
    ("KH", "Cambodia"),
    ("CM", "Cameroon"),
    ("CA", "Canada"),
    ("BQ", "Caribbean Netherlands"),
    ("KY", "Cayman Islands"),
    ("CF", "Central African Republic"),
    ("TD", "Chad"),
    ("CL", "Chile"),
    ("CN", "China"),
    ("CX", "Christmas Island"),
    ("CC", "Cocos (Keeling) Islands"),
    ("CO", "Colombia"),
    ("KM", "Comoros"),
    ("CD", "Congo (Democratic Republic)"),
    ("CG", "Congo (Republic)"),
    ("CK", "Cook Islands"),
    ("CR", "Costa Rica"),
    ("CI", "Côte d'Ivoire"),
    ("HR", "Croatia"),
    ("CU", "Cuba"),
    ("CW", "Curaçao"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("DJ", "Djibouti"),
    ("DM", "Dominica"),
    ("DO", "Dominican Republic"),
    ("EC", "Ecuador"),
    ("EG", "Egypt"),
    ("SV", "El Salvador"),
    ("GQ", "Equatorial Guinea"),
    ("ER", "Eritrea"),
    ("EE", "Estonia"),
    ("SZ", "Eswatini"),
    ("ET", "Ethiopia"),
    ("FK", "Falkland Islands"),
    ("FO", "Faroe Islands"),
    ("FJ", "Fiji"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GF", "French Guiana"),
    ("PF", "French Polynesia"),
    ("TF", "French Southern Territories"),
    ("GA", "Gabon"),
    ("GM", "Gambia"),
    ("GE", "Georgia"),
    ("DE", "Germany"),
    ("GH", "Ghana"),
    ("GI", "Gibraltar"),
    ("GR", "Greece"),
    ("GL", "Greenland"),
    ("GD", "Grenada"),
    ("GP", "Guadeloupe"),
    ("GU", "Guam"),
    ("GT", "Guatemala"),
    ("GG", "Guernsey"),
    ("GN", "Guinea"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HT", "Haiti"),
    ("HM", "Heard Island and McDonald Islands"),
    ("HN", "Honduras"),
    ("HK", "Hong Kong"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IN", "India"),
    ("ID", "Indonesia"),
    ("IR", "Iran"),
    ("IQ", "Iraq"),
    ("IE", "Ireland"),
    ("IM", "Isle of Man"),
    ("IL", "Israel"),
    ("IT", "Italy"),
    ("JM", "Jamaica"),
    ("JP", "Japan"),
    ("JE", "Jersey"),
    ("JO", "Jordan"),
    ("KZ", "Kazakhstan"),
    ("KE", "Kenya"),
    ("KI", "Kiribati"),
    ("KW", "Kuwait"),
    ("KG", "Kyrgyzstan"),
    ("LA", "Laos"),
    ("LV", "Latvia"),
    ("LB", "Lebanon"),
    ("LS", "Lesotho"),
    ("LR", "Liberia"),
    ("LY", "Libya"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MO", "Macao"),
    ("MG", "Madagascar"),
    ("MW", "Malawi"),
    ("MY", "Malaysia"),
    ("MV", "Maldives"),
    ("ML", "Mali"),
    ("MT", "Malta"),
    ("MH", "Marshall Islands"),
    ("MQ", "Martinique"),
    ("MR", "Mauritania"),
    ("MU", "Mauritius"),
    ("YT", "Mayotte"),
    ("MX", "Mexico"),
    ("FM", "Micronesia"),
    ("MD", "Moldova"),
    ("MC", "Monaco"),
    ("MN", "Mongolia"),
    ("ME", "Montenegro"),
    ("MS", "Montserrat"),
    ("MA", "Morocco"),
    ("MZ", "Mozambique"),
    ("MM", "Myanmar"),
    ("NA", "Namibia"),
    ("NR", "Nauru"),
    ("NP", "Nepal"),
    ("NL", "Netherlands"),
    ("NC", "New Caledonia"),
    ("NZ", "New Zealand"),
    ("NI", "Nicaragua"),
    ("NE", "Niger"),
    ("NG", "Nigeria"),
    ("NU", "Niue"),
    ("NF", "Norfolk Island"),
    ("KP", "North Korea"),
    ("MK", "North Macedonia"),
    ("MP", "Northern Mariana Islands"),
    ("NO", "Norway"),
    ("OM", "Oman"),
    ("PK", "Pakistan"),
    ("PW", "Palau"),
    ("PS", "Palestine"),
    ("PA", "Panama"),
    ("PG", "Papua New Guinea"),
    ("PY", "Paraguay"),
    ("PE", "Peru"),
    ("PH", "Philippines"),
    ("PN", "Pitcairn Islands"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("PR", "Puerto Rico"),
    ("QA", "Qatar"),
    ("RE", "Réunion"),
    ("RO", "Romania"),
    ("RU", "Russia"),
    ("RW", "Rwanda"),
    ("BL", "Saint Barthélemy"),
    ("SH", "Saint Helena"),
    ("KN", "Saint Kitts and Nevis"),
    ("LC", "Saint Lucia"),
    ("MF", "Saint Martin"),
    ("PM", "Saint Pierre and Miquelon"),
    ("VC", "Saint Vincent and the Grenadines"),
    ("WS", "Samoa"),
    ("SM", "San Marino"),
    ("ST", "São Tomé and Príncipe"),
    ("SA", "Saudi Arabia"),
    ("SN", "Senegal"),
    ("RS", "Serbia"),
    ("SC", "Seychelles"),
    ("SL", "Sierra Leone"),
    ("SG", "Singapore"),
    ("SX", "Sint Maarten"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("SB", "Solomon Islands"),
    ("SO", "Somalia"),
    ("ZA", "South Africa"),
    ("GS", "South Georgia and the South Sandwich Islands"),
    ("KR", "South Korea"),
    ("SS", "South Sudan"),
    ("ES", "Spain"),
    ("LK", "Sri Lanka"),
    ("SD", "Sudan"),
    ("SR", "Suriname"),
    ("SJ", "Svalbard and Jan Mayen"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("SY", "Syria"),
    ("TW", "Taiwan"),
    ("TJ", "Tajikistan"),
    ("TZ", "Tanzania"),
    ("TH", "Thailand"),
    ("TL", "Timor-Leste"),
    ("TG", "Togo"),
    ("TK", "Tokelau"),
    ("TO", "Tonga"),
    ("TT", "Trinidad and Tobago"),
    ("TN", "Tunisia"),
    ("TR", "Türkiye"),
    ("TM", "Turkmenistan"),
    ("TC", "Turks and Caicos Islands"),
    ("TV", "Tuvalu"),
    ("VI", "U.S. Virgin Islands"),
    ("UG", "Uganda"),
    ("UA", "Ukraine"),
    ("AE", "United Arab Emirates"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("UM", "United States Minor Outlying Islands"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VU", "Vanuatu"),
    ("VA", "Vatican City"),
    ("VE", "Venezuela"),
    ("VN", "Vietnam"),
    ("WF", "Wallis and Futuna"),
    ("EH", "Western Sahara"),
    ("YE", "Yemen"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
];

/// The 27 member states of the European Union (VAT by destination applies among them).
pub const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Countries whose addresses need a state, province or territory: the checkout requires
/// it there (and shows it everywhere it was given).
pub const STATE_REQUIRED: &[&str] = &["US", "CA", "AU"];

/// Countries where many or all addresses have no postcode: the postcode is optional there
/// (Ireland's Eircode is optional for delivery; Hong Kong and the Emirates have none).
pub const POSTCODE_OPTIONAL: &[&str] = &[
    "IE", "HK", "AE", "QA", "BS", "BZ", "BO", "BW", "CW", "FJ", "GH", "JM", "KI", "MO", "PA", "RW",
    "SC", "SR", "TT", "TV", "UG", "VU", "ZW",
];

/// Whether addresses in `country` need a state, province or territory.
pub fn needs_state(country: &str) -> bool {
    STATE_REQUIRED.contains(&country)
}

/// Whether addresses in `country` may go without a postcode.
pub fn postcode_optional(country: &str) -> bool {
    POSTCODE_OPTIONAL.contains(&country)
}

/// The English name of an alpha-2 code (upper case), `None` for codes ISO does not assign.
pub fn name(code: &str) -> Option<&'static str> {
    ALL.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// Postcode formats per country: `9` a digit, `A` a letter, `X` a letter or digit; a space
/// or `-` in a format may be left out by the shopper and is put back when normalising.
/// Countries not listed accept any postcode (bounded and free of control characters).
const POSTCODE_FORMATS: &[(&str, &[&str], &str)] = &[
    ("AT", &["9999"], "1010"),
    ("AU", &["9999"], "2000"),
    ("BE", &["9999"], "1000"),
    ("BG", &["9999"], "1000"),
    ("BR", &["99999-999"], "01310-100"),
    ("CA", &["A9A 9A9"], "K1A 0B1"),
    ("CH", &["9999"], "8001"),
    ("CN", &["999999"], "100000"),
    ("CY", &["9999"], "1010"),
    ("CZ", &["999 99"], "110 00"),
    ("DE", &["99999"], "10115"),
    ("DK", &["9999"], "1050"),
    ("EE", &["99999"], "10111"),
    ("ES", &["99999"], "28001"),
    ("FI", &["99999"], "00100"),
    ("FR", &["99999"], "75001"),
    (
        "GB",
        &[
            "A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA",
        ],
        "SW1A 1AA",
    ),
    ("GR", &["999 99"], "105 57"),
    ("HR", &["99999"], "10000"),
    ("HU", &["9999"], "1051"),
    ("IN", &["999999"], "110001"),
    ("IT", &["99999"], "00118"),
    ("JP", &["999-9999"], "100-0001"),
    ("LI", &["9999"], "9490"),
    ("LT", &["LT-99999", "99999"], "LT-01100"),
    ("LU", &["9999"], "1111"),
    ("LV", &["LV-9999", "9999"], "LV-1050"),
    ("MT", &["AAA 9999"], "VLT 1117"),
    ("NL", &["9999 AA"], "1012 AB"),
    ("NO", &["9999"], "0150"),
    ("NZ", &["9999"], "6011"),
    ("PL", &["99-999"], "00-950"),
    ("PT", &["9999-999"], "1100-148"),
    ("RO", &["999999"], "010011"),
    ("SE", &["999 99"], "111 22"),
    ("SI", &["9999"], "1000"),
    ("SK", &["999 99"], "811 01"),
    ("US", &["99999", "99999-9999"], "90210"),
];

/// Checks `raw` against the country's postcode format and returns it normalised (upper
/// case, separators as in the format), or a shopper-facing message. Countries without a
/// known format get the trimmed input back.
pub fn normalize_postcode(country: &str, raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let Some((_, formats, example)) = POSTCODE_FORMATS.iter().find(|(c, _, _)| *c == country)
    else {
        return Ok(trimmed.to_string());
    };
    let compact: Vec<char> = trimmed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    formats
        .iter()
        .find_map(|format| match_format(format, &compact))
        .ok_or_else(|| {
            format!(
                "is not a valid postcode for {} (for example {example})",
                name(country).unwrap_or(country)
            )
        })
}

/// `input` (upper case, no spaces) against one format; the normalised postcode on a match.
fn match_format(format: &str, input: &[char]) -> Option<String> {
    let mut out = String::with_capacity(format.len());
    let mut rest = input;
    for f in format.chars() {
        match f {
            ' ' => out.push(' '),
            '-' => {
                if rest.first() == Some(&'-') {
                    rest = &rest[1..];
                }
                out.push('-');
            }
            _ => {
                let (&c, tail) = rest.split_first()?;
                let fits = match f {
                    '9' => c.is_ascii_digit(),
                    'A' => c.is_ascii_uppercase(),
                    'X' => c.is_ascii_uppercase() || c.is_ascii_digit(),
                    literal => c == literal,
                };
                if !fits {
                    return None;
                }
                out.push(c);
                rest = tail;
            }
        }
    }
    rest.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_code_once_and_well_formed() {
        assert_eq!(ALL.len(), 249);
        let codes: BTreeSet<&str> = ALL.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes.len(), ALL.len());
        assert!(ALL.iter().all(|(c, n)| c.len() == 2
            && c.bytes().all(|b| b.is_ascii_uppercase())
            && !n.is_empty()));
        assert!(EU.iter().all(|c| name(c).is_some()));
        assert_eq!(EU.len(), 27);
        assert_eq!(name("DE"), Some("Germany"));
        assert_eq!(name("GB"), Some("United Kingdom"));
        assert_eq!(name("ZZ"), None);
        assert!(
            POSTCODE_FORMATS
                .iter()
                .all(|(c, formats, example)| name(c).is_some()
                    && !formats.is_empty()
                    && normalize_postcode(c, example).as_deref() == Ok(*example))
        );
    }

    #[test]
    fn postcodes_follow_the_country_format() {
        assert_eq!(normalize_postcode("DE", " 10115 ").unwrap(), "10115");
        assert!(normalize_postcode("DE", "1011").is_err());
        assert!(normalize_postcode("DE", "!!").is_err());
        assert_eq!(normalize_postcode("NL", "1012ab").unwrap(), "1012 AB");
        assert_eq!(normalize_postcode("GB", "sw1a1aa").unwrap(), "SW1A 1AA");
        assert_eq!(normalize_postcode("GB", "N1 9GU").unwrap(), "N1 9GU");
        assert!(normalize_postcode("GB", "12345").is_err());
        assert_eq!(
            normalize_postcode("US", "90210-1234").unwrap(),
            "90210-1234"
        );
        assert!(normalize_postcode("US", "9021").is_err());
        assert_eq!(normalize_postcode("PL", "00950").unwrap(), "00-950");
        assert_eq!(normalize_postcode("AT", "1010").unwrap(), "1010");
        assert!(normalize_postcode("CH", "80011").is_err());
        assert_eq!(normalize_postcode("IE", "D02 X285").unwrap(), "D02 X285");
        let message = normalize_postcode("DE", "1").unwrap_err();
        assert!(message.contains("Germany"), "{message}");
    }
}
