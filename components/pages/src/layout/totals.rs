//! The totals block shown on the cart, checkout, payment and order pages: subtotal,
//! discount, shipping, the VAT line(s) and the total, every amount as the writer
//! computed it.

use crate::i18n::Lang;
use crate::tr;
use maud::{Markup, html};
use storefront_domain::checkout::{AppliedDiscount, ShippingOption, TaxLine, Totals};

/// What the block shows besides the amounts.
pub struct Block<'a> {
    /// The language of the words and the amounts.
    pub lang: Lang,
    pub totals: &'a Totals,
    /// The shipping method the totals include, if any.
    pub shipping: Option<&'a ShippingOption>,
    pub discount: Option<&'a AppliedDiscount>,
    /// Before a destination is known (the cart page): what to say instead of a shipping
    /// price.
    pub shipping_pending: Option<&'a str>,
}

/// "incl. VAT 19 %" when the prices include it, "VAT 19 %" when it is added.
pub fn tax_label(lang: Lang, line: &TaxLine, included: bool) -> String {
    if included {
        tr!(lang, "totals-incl", name = line.name.as_str())
    } else {
        line.name.clone()
    }
}

pub fn block(b: Block<'_>) -> Markup {
    let t = b.totals;
    let lang = b.lang;
    let money = |m: &storefront_domain::Money| lang.money(m);
    html! {
        table.totals {
            caption.visually-hidden { (tr!(lang, "totals-caption")) }
            tbody {
                tr { th scope="row" { (tr!(lang, "totals-subtotal")) } td.num { (money(&t.subtotal)) } }
                @if t.discount.amount != 0 {
                    tr.discount {
                        th scope="row" {
                            (tr!(lang, "totals-discount"))
                            @if let Some(d) = b.discount { " " (d.code) " (" (d.description) ")" }
                        }
                        td.num { "−" (money(&t.discount)) }
                    }
                }
                tr {
                    th scope="row" {
                        (tr!(lang, "totals-shipping"))
                        @if let Some(s) = b.shipping { " (" (s.name) ")" }
                    }
                    td.num {
                        @if let Some(why) = b.shipping_pending.filter(|_| b.shipping.is_none() && t.shipping.amount == 0) {
                            (why)
                        } @else if t.shipping.amount == 0 {
                            (tr!(lang, "totals-free"))
                        } @else {
                            (money(&t.shipping))
                        }
                    }
                }
                @if !t.tax_included {
                    @for line in &t.taxes {
                        tr { th scope="row" { (tax_label(lang, line, false)) } td.num { (money(&line.amount)) } }
                    }
                }
                tr.grand { th scope="row" { (tr!(lang, "totals-total")) } td.num { (money(&t.total)) } }
                @if t.tax_included {
                    @for line in &t.taxes {
                        tr.tax { th scope="row" { (tax_label(lang, line, true)) } td.num { (money(&line.amount)) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::Money;

    fn eur(n: i64) -> Money {
        Money::new(n, "EUR")
    }

    #[test]
    fn included_vat_is_shown_under_the_total_and_added_vat_above_it() {
        let mut t = Totals::lines_only(eur(10000));
        t.taxes = vec![TaxLine {
            name: "VAT 19 %".into(),
            rate_bp: 1900,
            amount: eur(1597),
        }];
        t.tax = eur(1597);
        let html = block(Block {
            lang: Lang::En,
            totals: &t,
            shipping: None,
            discount: None,
            shipping_pending: None,
        })
        .into_string();
        assert!(html.contains("incl. VAT 19 %"), "{html}");
        assert!(html.contains("€15.97"));
        assert!(html.find("Total").unwrap() < html.find("incl. VAT").unwrap());
        t.tax_included = false;
        let html = block(Block {
            lang: Lang::En,
            totals: &t,
            shipping: None,
            discount: None,
            shipping_pending: None,
        })
        .into_string();
        assert!(!html.contains("incl."));
        assert!(html.find("VAT 19 %").unwrap() < html.find(">Total<").unwrap());
    }

    #[test]
    fn discount_and_shipping_lines() {
        let mut t = Totals::lines_only(eur(5000));
        t.discount = eur(500);
        t.shipping = eur(490);
        let d = AppliedDiscount {
            code: "SAVE10".into(),
            description: "10 % off".into(),
            amount: eur(500),
        };
        let s = ShippingOption {
            code: "std".into(),
            name: "Standard".into(),
            amount: eur(490),
            note: String::new(),
        };
        let html = block(Block {
            lang: Lang::En,
            totals: &t,
            shipping: Some(&s),
            discount: Some(&d),
            shipping_pending: None,
        })
        .into_string();
        assert!(html.contains("SAVE10") && html.contains("−€5.00"));
        assert!(html.contains("Shipping (Standard)") && html.contains("€4.90"));
    }
}
