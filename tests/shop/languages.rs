//! German and English through the real host and components: the browser's
//! `Accept-Language` picks the page's language (`<html lang>`, words and `14,50 €`), the
//! header's switch sets the `sf_lang` cookie (which beats the header) and leads back only
//! to a path of this shop, the owner's German product text shows to German readers with
//! the own text as fallback, and an order placed in German gets its email in German.

use crate::support;
use crate::support::{ADMIN_TOKEN, OWNER_PASSWORD, TestApp, client, client_with, hidden_field};
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, HeaderMap, HeaderValue, LOCATION, SET_COOKIE};
use std::path::Path;
use std::time::Duration;

/// German money: the amount, a no-break space, the symbol.
const GERMAN_PRICE: &str = "14,50\u{a0}€";

/// `storefront up` with the admin token (the local mailbox, the owner's API), the owner's
/// password, test payments and a dispatch round every second.
fn start(dir: &Path) -> TestApp {
    let mut cmd = support::up_command(dir);
    support::set_owner_password(dir, OWNER_PASSWORD);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SPIN_VARIABLE_SHOP_URL", "https://shop.example")
        .env("SPIN_VARIABLE_PAYMENT_MODE", "test")
        .args(["--dispatch-every", "1"]);
    support::spawn(cmd, dir).ready()
}

/// A browser that sends `header: value` with every request.
fn browser(header: reqwest::header::HeaderName, value: &str) -> reqwest::blocking::Client {
    let mut headers = HeaderMap::new();
    headers.insert(header, HeaderValue::from_str(value).unwrap());
    client_with(headers)
}

fn page(app: &TestApp, browser: &reqwest::blocking::Client, path: &str) -> String {
    support::ok_text(browser.get(app.url(path)))
}

#[test]
fn a_german_browser_gets_the_shop_in_german_with_german_prices() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let german = browser(ACCEPT_LANGUAGE, "de-DE,de;q=0.9,en;q=0.8");
    let answer = german.get(app.url("/")).send().unwrap();
    let vary = answer.headers()["vary"].to_str().unwrap().to_string();
    assert!(
        vary.contains("Accept-Language") && vary.contains("Cookie"),
        "{vary}"
    );
    let home = answer.text().unwrap();
    assert!(home.contains(r#"<html lang="de">"#), "{home}");
    assert!(home.contains(GERMAN_PRICE), "{home}");
    assert!(home.contains("In den Warenkorb"));
    assert!(!home.contains("€14.50"));

    let english = browser(ACCEPT_LANGUAGE, "en-GB,en;q=0.9,de;q=0.5");
    let home = page(&app, &english, "/");
    assert!(home.contains(r#"<html lang="en">"#));
    assert!(home.contains("€14.50") && home.contains("Add to cart"));

    // A language the shop does not speak: the shop's default, English.
    let french = browser(ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9");
    assert!(page(&app, &french, "/").contains(r#"<html lang="en">"#));
}

#[test]
fn the_switch_sets_a_cookie_that_beats_the_browser_and_leads_back_only_here() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let plain = client();
    let switched = plain
        .get(app.url("/lang/de?back=%2Fproducts%2Fethiopia-yirgacheffe"))
        .send()
        .unwrap();
    assert_eq!(switched.status(), 303);
    assert_eq!(
        switched.headers()[LOCATION],
        "/products/ethiopia-yirgacheffe"
    );
    let cookie = switched.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("sf_lang=de;"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=31536000"));

    for back in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example%2F",
        "%2F%5Cevil.example",
        "javascript%3Aalert(1)",
    ] {
        let answer = plain
            .get(app.url(&format!("/lang/de?back={back}")))
            .send()
            .unwrap();
        assert_eq!(answer.status(), 303);
        assert_eq!(answer.headers()[LOCATION], "/", "back={back}");
    }
    assert_eq!(
        plain
            .get(app.url("/lang/fr?back=/"))
            .send()
            .unwrap()
            .status(),
        404
    );

    // The cookie wins over an English browser.
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
    headers.insert(COOKIE, HeaderValue::from_static("sf_lang=de"));
    let product = page(
        &app,
        &client_with(headers),
        "/products/ethiopia-yirgacheffe",
    );
    assert!(product.contains(r#"<html lang="de">"#));
    assert!(product.contains(GERMAN_PRICE));
    // The header links back to English from the same page.
    assert!(
        product.contains(r#"href="/lang/en?back=%2Fproducts%2Fethiopia-yirgacheffe""#),
        "{product}"
    );
}

#[test]
fn the_owners_german_product_text_shows_to_german_readers_with_a_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let owner = app.owner().sign_in();
    let (edit, csrf) = owner.page_and_csrf("/admin/catalog/products/ethiopia-yirgacheffe");
    assert!(edit.contains("Text in Deutsch"), "{edit}");
    let key = hidden_field(&edit, "idempotency_key");
    let saved = owner.post(
        "/admin/catalog/products/ethiopia-yirgacheffe/texts/de",
        &[
            ("csrf", &csrf),
            ("idempotency_key", &key),
            ("name", "Äthiopien Yirgacheffe, 250 g"),
            ("description", "Gewaschen, hell geröstet für Filterkaffee."),
        ],
    );
    assert_eq!(saved.status(), 303);

    let german = browser(ACCEPT_LANGUAGE, "de");
    let product = page(&app, &german, "/products/ethiopia-yirgacheffe");
    assert!(
        product.contains("Äthiopien Yirgacheffe, 250 g"),
        "{product}"
    );
    assert!(product.contains("hell geröstet"));
    assert!(page(&app, &german, "/").contains("Äthiopien Yirgacheffe"));
    // English readers keep the product's own text.
    let english = page(&app, &client(), "/products/ethiopia-yirgacheffe");
    assert!(
        english.contains("<h1>Ethiopia Yirgacheffe</h1>"),
        "{english}"
    );
    assert!(!english.contains("Äthiopien"));
    // A product without a German text shows its own text to German readers.
    assert!(page(&app, &german, "/").contains("Colombia Huila"));
    let colombia = page(&app, &german, "/products/colombia-huila");
    assert!(colombia.contains("<h1>Colombia Huila"), "{colombia}");
}

#[test]
fn an_order_placed_in_german_is_confirmed_in_german() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let shopper = app.shopper();
    assert_eq!(shopper.get("/lang/de?back=/").status(), 303);
    let (_, added) = shopper.add_to_cart("ethiopia-yirgacheffe", "1");
    assert_eq!(added.status(), 303);

    // A field error at checkout reads German; so do the countries, in German order.
    let checkout = shopper.page("/checkout");
    let germany = checkout.find(">Deutschland</option>").expect("Deutschland");
    let austria = checkout.find(">Österreich</option>").expect("Österreich");
    assert!(germany < austria && checkout.find(">Germany<").is_none());
    let mut form = support::checkout_form(&checkout);
    form.retain(|(name, _)| *name != "email");
    form.push(("email", "not-an-address".into()));
    let refused = shopper.checkout_shows(&form).text().unwrap();
    assert!(
        refused.contains("E-Mail: keine gültige E-Mail-Adresse."),
        "{refused}"
    );

    let number = shopper.check_out();
    let order = shopper.page(&format!("/orders/{number}"));
    assert!(
        order.contains("Ihre Bestellung wartet auf Zahlung"),
        "{order}"
    );
    assert!(order.contains(GERMAN_PRICE));
    assert!(order.contains("Vereinigtes Königreich"), "{order}");

    let mut mail = None;
    assert!(
        support::eventually(Duration::from_secs(120), || {
            mail = app.admin().json("/admin/mail")["mails"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["event"] == "order.placed")
                .cloned();
            mail.is_some()
        }),
        "no order email"
    );
    let mail = mail.unwrap();
    let subject = mail["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("Wir haben Ihre Bestellung"),
        "{subject}"
    );
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("Vielen Dank für Ihre Bestellung"), "{text}");
    assert!(text.contains(GERMAN_PRICE), "{text}");
    assert!(text.contains("Vereinigtes Königreich"), "{text}");
    assert!(
        mail["html"]
            .as_str()
            .unwrap()
            .contains(r#"<html lang="de">"#)
    );
}
