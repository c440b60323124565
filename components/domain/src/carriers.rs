//! Parcel carriers and their public tracking pages: the owner picks a carrier (or types
//! another's name) when shipping, and the shopper's order page and "on its way" email link
//! the tracking number to the carrier's page. The number is URL-encoded into the link; a
//! carrier this list does not know gets the number without a link.

use serde::{Deserialize, Serialize};

/// Longest carrier name the owner may type, in characters.
pub const MAX_CARRIER: usize = 40;

/// A carrier this shop can link to: its code (stored on the order), its name and its
/// tracking page, `{}` standing for the URL-encoded tracking number.
pub struct Carrier {
    /// Stored on the order (`orders.tracking_carrier`).
    pub code: &'static str,
    /// Shown to people.
    pub name: &'static str,
    /// The carrier's public tracking page.
    pub url_template: &'static str,
}

/// The carriers the back office offers, in the order it offers them.
pub const CARRIERS: [Carrier; 8] = [
    Carrier {
        code: "dhl",
        name: "DHL",
        url_template: "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?tracking-id={}",
    },
    Carrier {
        code: "ups",
        name: "UPS",
        url_template: "https://www.ups.com/track?tracknum={}",
    },
    Carrier {
        code: "dpd",
        name: "DPD",
        url_template: "https://tracking.dpd.de/status/en_US/parcel/{}",
    },
    Carrier {
        code: "gls",
        name: "GLS",
        url_template: "https://gls-group.com/track/{}",
    },
    Carrier {
        code: "royal-mail",
        name: "Royal Mail",
        url_template: "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    },
    Carrier {
        code: "usps",
        name: "USPS",
        url_template: "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    },
    Carrier {
        code: "fedex",
        name: "FedEx",
        url_template: "https://www.fedex.com/fedextrack/?trknbr={}",
    },
    Carrier {
        code: "postnl",
        name: "PostNL",
        url_template: "https://jouw.postnl.nl/track-and-trace/{}",
    },
];

/// The carrier whose code is `code` (case-insensitive), if this list knows it.
pub fn known(code: &str) -> Option<&'static Carrier> {
    CARRIERS.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// A carrier as typed or chosen: trimmed; empty is none; a known carrier's code or name
/// becomes its code; anything else is kept as typed (one line, at most [`MAX_CARRIER`]
/// characters) and shown without a link.
pub fn carrier(raw: &str) -> Result<Option<String>, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if let Some(c) = CARRIERS
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(trimmed) || c.name.eq_ignore_ascii_case(trimmed))
    {
        return Ok(Some(c.code.to_string()));
    }
    if trimmed.chars().count() > MAX_CARRIER {
        return Err(format!("must be at most {MAX_CARRIER} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must be one line of plain text".into());
    }
    Ok(Some(trimmed.to_string()))
}

/// A parcel's tracking as the shopper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracking {
    /// The carrier's code or the name the owner typed; `None` when not given.
    #[serde(default)]
    pub carrier: Option<String>,
    /// The tracking number.
    pub number: String,
}

impl Tracking {
    /// The carrier's name as shown (a known carrier's proper name, else as typed).
    pub fn carrier_name(&self) -> Option<&str> {
        let carrier = self.carrier.as_deref()?;
        Some(known(carrier).map_or(carrier, |c| c.name))
    }

    /// The carrier's tracking page for this number, when the carrier is known.
    pub fn url(&self) -> Option<String> {
        let carrier = known(self.carrier.as_deref()?)?;
        let number: String = form_urlencoded::byte_serialize(self.number.as_bytes()).collect();
        // `+` for a space is a query-string convention; `%20` works in paths and queries.
        Some(
            carrier
                .url_template
                .replace("{}", &number.replace('+', "%20")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_carriers_link_with_the_number_encoded() {
        let t = Tracking {
            carrier: Some("dhl".into()),
            number: "JJD 0001/23".into(),
        };
        assert_eq!(t.carrier_name(), Some("DHL"));
        assert_eq!(
            t.url().unwrap(),
            "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?tracking-id=JJD%200001%2F23"
        );
        for c in &CARRIERS {
            assert!(c.url_template.starts_with("https://"), "{}", c.code);
            assert_eq!(c.url_template.matches("{}").count(), 1, "{}", c.code);
        }
    }

    #[test]
    fn unknown_carriers_have_no_link() {
        let t = Tracking {
            carrier: Some("Bike courier Jan".into()),
            number: "42".into(),
        };
        assert_eq!(t.carrier_name(), Some("Bike courier Jan"));
        assert_eq!(t.url(), None);
        let none = Tracking {
            carrier: None,
            number: "42".into(),
        };
        assert_eq!((none.carrier_name(), none.url()), (None, None));
    }

    #[test]
    fn typed_carriers() {
        assert_eq!(carrier("  "), Ok(None));
        assert_eq!(carrier("Royal Mail"), Ok(Some("royal-mail".to_string())));
        assert_eq!(carrier("POSTNL"), Ok(Some("postnl".to_string())));
        assert_eq!(carrier(" Jan "), Ok(Some("Jan".to_string())));
        assert!(carrier(&"x".repeat(MAX_CARRIER + 1)).is_err());
        assert!(carrier("a\nb").is_err());
    }
}
