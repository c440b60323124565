//! The emails the outbox sends, one template per event, each in plain text and HTML
//! (maud, so everything the shopper typed is escaped): the shop's name, the order's
//! lines and totals, the parcel's tracking once shipped with one, and a link to the order page that carries the order's access token.
//!
//! What the shopper typed is quoted as data ("Name on the order: …"), never spoken in the
//! shop's voice (no "Hello {name}"): whoever places an order chooses both the name and the
//! address the email goes to, so the name must not read as a message from the shop.

use crate::layout::tracking;
use maud::{DOCTYPE, Markup, html};
use storefront_domain::checkout::ShopSettings;
use storefront_domain::outbox::{LocalMail, Message};
use storefront_domain::{Money, OrderView, order_access};

/// What the email says in one line and one paragraph, per event.
fn wording(message: &Message, number: &str) -> Option<(String, String)> {
    if let Some(words) = super::return_mail::wording(message, number) {
        return Some(words);
    }
    if message.event == "order.partially_refunded" {
        let p = &message.payload;
        let currency = p["currency"].as_str()?;
        let refunded = Money::new(p["refunded"].as_i64()?, currency);
        let total = Money::new(p["refunded_total"].as_i64()?, currency);
        return Some((
            format!("{refunded} of order {number} was refunded"),
            format!(
                "We refunded {refunded} of your payment ({total} so far). Depending on your \
                 bank it can take a few days to show on your statement."
            ),
        ));
    }
    let (subject, paragraph) = match message.event.as_str() {
        "order.placed" => (
            format!("We have your order {number}"),
            "Thank you for your order. It is reserved for you until it is paid; the link \
             below continues to payment if you have not finished it yet.",
        ),
        "order.paid" => (
            format!("Order {number} is confirmed"),
            "We received your payment. We are packing your order and will write again when \
             it is on its way.",
        ),
        "order.shipped" => (
            format!("Order {number} is on its way"),
            "Your order has left us. It should reach you soon.",
        ),
        "order.cancelled" => (
            format!("Order {number} was cancelled"),
            "Your order was cancelled and nothing was charged, or any payment is being \
             returned to you. If this is unexpected, reply to this email.",
        ),
        "order.refunded" => (
            format!("Order {number} was refunded"),
            "We refunded your payment. Depending on your bank it can take a few days to \
             show on your statement.",
        ),
        _ => return None,
    };
    Some((subject, paragraph.to_string()))
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
    let (subject, paragraph) = wording(message, &order.number)?;
    let link = order_access::link(shop_url, &order.number, &order.access_token);
    let text = text_body(shop, order, &paragraph, &link);
    let html = html_body(shop, order, &subject, &paragraph, &link).into_string();
    Some(LocalMail {
        subject: format!("{subject} · {}", shop.name),
        text,
        html,
    })
}

fn text_body(shop: &ShopSettings, order: &OrderView, paragraph: &str, link: &str) -> String {
    let mut out = format!(
        "Hello,\n\n{paragraph}\n\nOrder {}\nName on the order: {}\n",
        order.number, order.name
    );
    for line in &order.items {
        let variant = if line.variant.is_empty() {
            String::new()
        } else {
            format!(" ({})", line.variant)
        };
        out.push_str(&format!(
            "  {} × {}{variant}: {}\n",
            line.quantity, line.name, line.line_total
        ));
    }
    let t = &order.totals;
    out.push_str(&format!("\nSubtotal: {}\n", t.subtotal));
    if t.discount.amount != 0 {
        out.push_str(&format!("Discount: -{}\n", t.discount));
    }
    out.push_str(&format!("Shipping: {}\n", t.shipping));
    if t.tax.amount != 0 {
        let how = if t.tax_included { "included" } else { "added" };
        out.push_str(&format!("Tax ({how}): {}\n", t.tax));
    }
    out.push_str(&format!("Total: {}\n\n", t.total));
    if let Some(tracking) = &order.tracking {
        out.push_str(&tracking::text(tracking));
        out.push('\n');
    }
    out.push_str(&super::addresses::text(order));
    out.push('\n');
    out.push_str(&format!("Your order: {link}\n\n{}\n", shop.name));
    if !shop.contact_email.is_empty() {
        out.push_str(&format!("{}\n", shop.contact_email));
    }
    out
}

fn html_body(
    shop: &ShopSettings,
    order: &OrderView,
    subject: &str,
    paragraph: &str,
    link: &str,
) -> Markup {
    let t = &order.totals;
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:system-ui,sans-serif;color:#1d2330;max-width:36rem;margin:0 auto;padding:1rem" {
                p style="font-weight:700;font-size:1.2rem" { (shop.name) }
                h1 style="font-size:1.3rem" { (subject) }
                p { "Hello," }
                p { (paragraph) }
                p { "Order " (order.number) br; "Name on the order: " (order.name) }
                table style="width:100%;border-collapse:collapse" {
                    @for line in &order.items {
                        tr {
                            td { (line.quantity) " × " (line.name)
                                @if !line.variant.is_empty() { " (" (line.variant) ")" } }
                            td style="text-align:right" { (line.line_total.to_string()) }
                        }
                    }
                    tr { td { "Subtotal" } td style="text-align:right" { (t.subtotal.to_string()) } }
                    @if t.discount.amount != 0 {
                        tr { td { "Discount" } td style="text-align:right" { "-" (t.discount.to_string()) } }
                    }
                    tr { td { "Shipping" } td style="text-align:right" { (t.shipping.to_string()) } }
                    @if t.tax.amount != 0 {
                        tr { td { @if t.tax_included { "Tax (included)" } @else { "Tax" } }
                             td style="text-align:right" { (t.tax.to_string()) } }
                    }
                    tr { td { strong { "Total" } } td style="text-align:right" { strong { (t.total.to_string()) } } }
                }
                @if let Some(t) = &order.tracking { (tracking::block(t)) }
                (super::addresses::html(order))
                p { a href=(link) { "See your order " (order.number) } }
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
    let text = format!(
        "The stock of {sku} fell to {stock}.\n\nRestock it in the back office: {link}\n\n{}\n",
        shop.name
    );
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:system-ui,sans-serif" {
                p { "The stock of " strong { (sku) } " fell to " (stock) "." }
                p { a href=(link) { "Restock it in the back office" } }
                p { (shop.name) }
            }
        }
    }
    .into_string();
    LocalMail {
        subject,
        text,
        html,
    }
}
