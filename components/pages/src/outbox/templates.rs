//! The emails the outbox sends, one template per event, each in plain text and HTML
//! (maud, so everything the shopper typed is escaped): the shop's name, the order's
//! lines and totals, the parcel's tracking once shipped with one, and a link to the order page that carries the order's access token.
//!
//! What the shopper typed is quoted as data ("Name on the order: …"), never spoken in the
//! shop's voice (no "Hello {name}"): whoever places an order chooses both the name and the
//! address the email goes to, so the name must not read as a message from the shop.

use crate::i18n::Lang;
use crate::layout::tracking;
use crate::tr;
use maud::{DOCTYPE, Markup, html};
use storefront_domain::checkout::ShopSettings;
use storefront_domain::outbox::{LocalMail, Message};
use storefront_domain::{Money, OrderView, order_access};

/// What the email says in one line and one paragraph, per event, in the order's language.
fn wording(lang: Lang, message: &Message, number: &str) -> Option<(String, String)> {
    if let Some(words) = super::return_mail::wording(lang, message, number) {
        return Some(words);
    }
    if message.event == "order.partially_refunded" {
        let p = &message.payload;
        let currency = p["currency"].as_str()?;
        let refunded = lang.money(&Money::new(p["refunded"].as_i64()?, currency));
        let total = lang.money(&Money::new(p["refunded_total"].as_i64()?, currency));
        return Some((
            tr!(
                lang,
                "mail-partially-refunded-subject",
                amount = refunded.as_str(),
                number = number
            ),
            tr!(
                lang,
                "mail-partially-refunded",
                amount = refunded.as_str(),
                total = total
            ),
        ));
    }
    let id = match message.event.as_str() {
        "order.placed" => "mail-placed",
        "order.paid" => "mail-paid",
        "order.shipped" => "mail-shipped",
        "order.cancelled" => "mail-cancelled",
        "order.refunded" => "mail-refunded",
        _ => return None,
    };
    Some((
        tr!(lang, &format!("{id}-subject"), number = number),
        tr!(lang, id),
    ))
}

/// The rendered email for `message`, or `None` when the event has no email template
/// (which the dispatcher reports as a permanent failure).
pub fn render(message: &Message, shop: &ShopSettings, shop_url: &str) -> Option<LocalMail> {
    if message.event == "stock.low" {
        return Some(low_stock(message, shop, shop_url));
    }
    if message.event == super::return_mail::OWNER_EVENT {
        return super::return_mail::owner(message, shop, shop_url);
    }
    let order = message.order.as_ref()?;
    let lang = order.locale;
    let (subject, paragraph) = wording(lang, message, &order.number)?;
    let link = order_access::link(shop_url, &order.number, &order.access_token);
    let text = text_body(lang, shop, order, &paragraph, &link);
    let html = html_body(lang, shop, order, &subject, &paragraph, &link).into_string();
    Some(LocalMail {
        subject: format!("{subject} · {}", shop.name),
        text,
        html,
    })
}

fn text_body(
    lang: Lang,
    shop: &ShopSettings,
    order: &OrderView,
    paragraph: &str,
    link: &str,
) -> String {
    let money = |m: &Money| lang.money(m);
    let mut out = format!(
        "{}\n\n{paragraph}\n\n{}\n{} {}\n",
        tr!(lang, "mail-hello"),
        tr!(lang, "mail-order", number = order.number.as_str()),
        tr!(lang, "mail-name-on-order"),
        order.name
    );
    for line in &order.items {
        let variant = if line.variant.is_empty() {
            String::new()
        } else {
            format!(" ({})", line.variant)
        };
        out.push_str(&format!(
            "  {} × {}{variant}: {}\n",
            line.quantity,
            line.name,
            money(&line.line_total)
        ));
    }
    let t = &order.totals;
    let said = |id: &str| tr!(lang, id);
    out.push_str(&format!(
        "\n{}: {}\n",
        said("mail-subtotal"),
        money(&t.subtotal)
    ));
    if t.discount.amount != 0 {
        out.push_str(&format!(
            "{}: -{}\n",
            said("mail-discount"),
            money(&t.discount)
        ));
    }
    out.push_str(&format!(
        "{}: {}\n",
        said("mail-shipping"),
        money(&t.shipping)
    ));
    if t.tax.amount != 0 {
        let how = if t.tax_included {
            "mail-tax-included"
        } else {
            "mail-tax-added"
        };
        out.push_str(&format!("{}: {}\n", said(how), money(&t.tax)));
    }
    out.push_str(&format!("{}: {}\n\n", said("mail-total"), money(&t.total)));
    if let Some(tracking) = &order.tracking {
        out.push_str(&tracking::text(lang, tracking));
        out.push('\n');
    }
    out.push_str(&super::addresses::text(order));
    out.push('\n');
    out.push_str(&format!(
        "{} {link}\n\n{}\n",
        tr!(lang, "mail-your-order"),
        shop.name
    ));
    if !shop.contact_email.is_empty() {
        out.push_str(&format!("{}\n", shop.contact_email));
    }
    out
}

fn html_body(
    lang: Lang,
    shop: &ShopSettings,
    order: &OrderView,
    subject: &str,
    paragraph: &str,
    link: &str,
) -> Markup {
    let t = &order.totals;
    let money = |m: &Money| lang.money(m);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:system-ui,sans-serif;color:#1d2330;max-width:36rem;margin:0 auto;padding:1rem" {
                p style="font-weight:700;font-size:1.2rem" { (shop.name) }
                h1 style="font-size:1.3rem" { (subject) }
                p { (tr!(lang, "mail-hello")) }
                p { (paragraph) }
                p { (tr!(lang, "mail-order", number = order.number.as_str())) br; (tr!(lang, "mail-name-on-order")) " " (order.name) }
                table style="width:100%;border-collapse:collapse" {
                    @for line in &order.items {
                        tr {
                            td { (line.quantity) " × " (line.name)
                                @if !line.variant.is_empty() { " (" (line.variant) ")" } }
                            td style="text-align:right" { (money(&line.line_total)) }
                        }
                    }
                    tr { td { (tr!(lang, "mail-subtotal")) } td style="text-align:right" { (money(&t.subtotal)) } }
                    @if t.discount.amount != 0 {
                        tr { td { (tr!(lang, "mail-discount")) } td style="text-align:right" { "-" (money(&t.discount)) } }
                    }
                    tr { td { (tr!(lang, "mail-shipping")) } td style="text-align:right" { (money(&t.shipping)) } }
                    @if t.tax.amount != 0 {
                        tr { td { @if t.tax_included { (tr!(lang, "mail-tax-included")) } @else { (tr!(lang, "mail-tax")) } }
                             td style="text-align:right" { (money(&t.tax)) } }
                    }
                    tr { td { strong { (tr!(lang, "mail-total")) } } td style="text-align:right" { strong { (money(&t.total)) } } }
                }
                @if let Some(t) = &order.tracking { (tracking::block(lang, t)) }
                (super::addresses::html(order))
                p { a href=(link) { (tr!(lang, "mail-see-order", number = order.number.as_str())) } }
                p style="color:#596575" { (shop.name)
                    @if !shop.contact_email.is_empty() { " · " (shop.contact_email) } }
            }
        }
    }
}

fn low_stock(message: &Message, shop: &ShopSettings, shop_url: &str) -> LocalMail {
    let sku = message.payload["sku"].as_str().unwrap_or("?").to_string();
    let stock = message.payload["stock"].as_i64().unwrap_or_default();
    let subject = format!("Low stock: {sku} has {stock} left · {}", shop.name);
    let link = format!("{}/admin/catalog", shop_url.trim_end_matches('/'));
    let text =
        format!("The stock of {sku} fell to {stock}.\n\nRestock it in the back office: {link}");
    let body = html! {
        p { "The stock of " strong { (sku) } " fell to " (stock) "." }
        p { a href=(link) { "Restock it in the back office" } }
    };
    to_the_shop(shop, subject, text, body)
}

/// An email to the shop itself, in English like the back office: `text` and `body` (the
/// same words as plain text and as HTML), each signed with the shop's name.
pub fn to_the_shop(shop: &ShopSettings, subject: String, text: String, body: Markup) -> LocalMail {
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:system-ui,sans-serif" {
                (body)
                p { (shop.name) }
            }
        }
    }
    .into_string();
    LocalMail {
        text: format!("{text}\n\n{}\n", shop.name),
        subject,
        html,
    }
}
