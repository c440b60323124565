//! The shopper's pages over plain HTTP, for what needs no browser: no page with
//! per-shopper state is kept by any cache, `HEAD` answers wherever `GET` does, the
//! favicon and the legal pages are served, a notice is said once, checkout errors are
//! linked to their fields, the cart is kept until the order is paid, what was typed
//! at checkout survives a trip to the cart, and a catalog page kept between shoppers
//! carries each one's own cart and token.

use crate::support;

use crate::support::Shopper;
use std::io::Write;
use std::time::Duration;

const SLUG: &str = "french-press";

/// Adds `quantity` of `SLUG` with the catalog's own CSRF token; returns the token.
fn add(browser: &Shopper, quantity: &str) -> String {
    let (csrf, added) = browser.add_to_cart(SLUG, quantity);
    assert_eq!(added.status(), 303);
    assert_eq!(added.headers()["location"], "/cart", "no notice in the URL");
    csrf
}

#[test]
fn per_shopper_pages_are_never_stored_and_head_answers_like_get() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let browser = app.shopper();
    add(&browser, "1");
    let number = browser.check_out();
    for path in [
        "/".to_string(),
        format!("/products/{SLUG}"),
        "/collections/coffee".into(),
        "/search?q=ken".into(),
        "/cart".into(),
        "/checkout".into(),
        format!("/orders/{number}"),
        format!("/orders/{number}/pay"),
        "/terms".into(),
    ] {
        let r = browser.get(&path);
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }

    // HEAD: the status and headers of GET, and no body.
    for path in [
        "/",
        "/products/french-press",
        "/cart",
        "/favicon.ico",
        "/terms",
    ] {
        let got = browser.get(path);
        let head = browser.client().head(app.url(path)).send().unwrap();
        assert_eq!(head.status(), 200, "HEAD {path}");
        for name in ["content-type", "cache-control", "content-security-policy"] {
            assert_eq!(
                head.headers().get(name),
                got.headers().get(name),
                "HEAD {path}: {name}"
            );
        }
    }
    let mut stream = support::raw_connection(&app, Duration::from_secs(5));
    stream
        .write_all(b"HEAD / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (answer, _) = support::read_until_closed(&mut stream);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.is_empty(), "HEAD / sent a body: {body:.200}");
    // Routes that only take POST still say so, and name HEAD with GET.
    let wrong = browser.client().delete(app.url("/")).send().unwrap();
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.headers()["allow"], "GET, HEAD");
}

#[test]
fn favicon_legal_pages_and_page_identity() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let browser = app.shopper();
    for (path, content_type, magic) in [
        ("/favicon.ico", "image/x-icon", &b"\x00\x00\x01\x00"[..]),
        ("/favicon.svg", "image/svg+xml", &b"<svg"[..]),
    ] {
        let r = browser.get(path);
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], content_type);
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(r.headers().get("set-cookie").is_none(), "{path}");
        assert!(r.bytes().unwrap().starts_with(magic), "{path}");
    }

    let home = browser.page("/");
    for link in ["/terms", "/privacy", "/returns", "/imprint"] {
        assert!(
            home.contains(&format!("href=\"{link}\"")),
            "the footer links {link}"
        );
        let page = browser.page(link);
        assert!(page.contains("<h1>"), "{link}");
    }
    assert!(home.contains("<meta name=\"description\" content=\""));
    assert!(home.contains("<link rel=\"icon\" href=\"/favicon.svg\""));
    assert!(home.contains("property=\"og:title\""));
    assert!(home.contains("<a class=\"skip\" href=\"#main\">"));
    assert!(home.contains("<main id=\"main\""));
    let product = browser.page("/products/ethiopia-yirgacheffe");
    assert!(product.contains("<meta property=\"og:type\" content=\"product\">"));
    assert!(
        product.contains("property=\"og:image\" content=\"http://"),
        "absolute image"
    );
    assert!(product.contains("rel=\"canonical\" href=\"http://"));
    // Every "Add to cart" names its product.
    assert!(home.contains("aria-label=\"Add to cart: "));
    assert!(!home.contains("<span class=\"visually-hidden\">Quantity</span>"));
}

#[test]
fn a_notice_is_said_once_and_checkout_errors_point_at_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let browser = app.shopper();
    let csrf = add(&browser, "1");
    assert!(browser.page("/cart").contains("Added to your cart."));
    let again = browser.page("/cart");
    assert!(!again.contains("Added to your cart."), "said once");

    // The one cart form: every quantity at once, and a line's own remove button.
    let updated = browser.post(
        "/cart/update",
        &[("csrf", csrf.as_str()), ("sku", SLUG), ("quantity", "3")],
    );
    assert_eq!(updated.status(), 303);
    let cart = browser.page("/cart");
    assert!(cart.contains("Your cart was updated."));
    assert!(cart.contains("value=\"3\""));
    assert_eq!(
        cart.matches("<form").count() - 1,
        1,
        "one cart form (and the search)"
    );

    // A checkout with mistakes: a summary at the top linking each field, the fields
    // marked and described, the title says so.
    let checkout = browser.page("/checkout");
    let mut form = support::checkout_form(&checkout);
    form.retain(|(name, _)| *name != "terms");
    for (name, value) in form.iter_mut() {
        match *name {
            "email" => *value = "ada.example.com".into(),
            "address.postal_code" => *value = "!!".into(),
            _ => {}
        }
    }
    let r = browser.checkout_shows(&form);
    assert_eq!(r.status(), 422);
    let page = r.text().unwrap();
    assert!(page.contains("<title>Error: Checkout"), "{page:.300}");
    assert!(page.contains("id=\"error-summary\" tabindex=\"-1\" autofocus"));
    for field in ["email", "address.postal_code", "terms"] {
        assert!(page.contains(&format!("href=\"#{field}\"")), "{field}");
        assert!(
            page.contains(&format!("aria-describedby=\"{field}-error\"")),
            "{field}"
        );
    }
    assert!(page.contains("aria-invalid=\"true\""));
    // The country is a list of names, never cut short.
    assert!(page.contains("<option value=\"GB\" selected>United Kingdom</option>"));
    assert!(!page.contains("maxlength=\"2\""));
}

#[test]
fn the_cart_is_kept_until_paid_and_typed_details_survive_the_cart() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let browser = app.shopper();
    add(&browser, "2");

    // "Edit cart" from the checkout keeps what was typed (signed, short-lived cookie).
    let checkout = browser.page("/checkout");
    let mut form = support::checkout_form(&checkout);
    form.push(("action", "cart".into()));
    let r = browser.post("/checkout", &form);
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/cart");
    let kept = r.headers().get_all("set-cookie").iter().any(|c| {
        c.to_str().unwrap().starts_with("checkout=") && c.to_str().unwrap().contains("Max-Age=1800")
    });
    assert!(kept, "the typed details are kept for 30 minutes");
    let checkout = browser.page("/checkout");
    assert!(
        checkout.contains("value=\"12 St James&#39;s Square\"")
            || checkout.contains("value=\"12 St James's Square\""),
        "{checkout:.2000}"
    );
    assert!(checkout.contains("value=\"ada@example.com\""));

    let number = browser.check_out();
    let cart = browser.page("/cart");
    assert!(
        cart.contains(&format!("/orders/{number}/pay")),
        "the cart links the unpaid order"
    );
    assert!(cart.contains("awaits payment"));
    let home = browser.page("/");
    assert!(home.contains(&format!(
        "Your order <strong class=\"number\">{number}</strong> awaits payment"
    )));
    let order = browser.page(&format!("/orders/{number}"));
    assert!(order.contains("Your order awaits payment") && !order.contains("Thank you"));
    assert!(order.contains("United Kingdom"), "country by name");
    assert!(order.contains(" UTC</time>"), "human dates");

    // Paid (test mode): the order page says thank you, and the cart is empty.
    let pay = browser.page(&format!("/orders/{number}/pay"));
    assert!(
        pay.contains("12 St James"),
        "the payment page shows the address"
    );
    assert!(pay.contains("Subtotal"), "and the totals");
    let csrf = support::hidden_field(&pay, "csrf");
    let paid = browser.post(
        &format!("/orders/{number}/pay/test"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(paid.status(), 303);
    let order = browser.page(&format!("/orders/{number}"));
    assert!(order.contains("Thank you"), "{order:.2000}");
    let cart = browser.page("/cart");
    assert!(cart.contains("Your cart is empty."));
    assert!(!cart.contains("awaits payment"));
}

#[test]
fn the_owner_settings_shape_every_page_and_the_checkout_prices_shipping_and_codes() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let browser = app.shopper();

    // The demo shop's own name, escaped, in the header and every title.
    let home = browser.page("/");
    assert!(
        home.contains("<title>Catalog · Kaffee &amp; Kanne</title>"),
        "{home:.600}"
    );
    assert!(
        home.contains("Small-lot coffee"),
        "the tagline is the description"
    );
    assert!(!home.contains(">storefront<"));

    // Legal texts are the owner's, paragraphs escaped.
    let admin = |method: reqwest::Method, key: Option<&str>, body: Option<&serde_json::Value>| {
        app.admin().send(method, "/admin/settings", key, body)
    };
    let mut settings: serde_json::Value = admin(reqwest::Method::GET, None, None).json().unwrap();
    settings["legal"]["returns"] =
        serde_json::json!("Send it back <b>within 14 days</b>.\n\nWe pay the postage.");
    assert_eq!(
        admin(reqwest::Method::PUT, Some("pages-1"), Some(&settings)).status(),
        200
    );
    let returns = browser.page("/returns");
    assert!(
        returns.contains("<p class=\"text\">Send it back &lt;b&gt;within 14 days&lt;/b&gt;.</p>")
    );
    assert!(returns.contains("<p class=\"text\">We pay the postage.</p>"));
    let imprint = browser.page("/imprint");
    assert!(imprint.contains("Speicherstadt 12"), "the contact address");

    // Shipping priced for the country typed, without scripts; a code at its field.
    let csrf = add(&browser, "1");
    let checkout = browser.page("/checkout");
    let mut form = support::checkout_form(&checkout);
    for (name, value) in form.iter_mut() {
        match *name {
            "address.country" => *value = "DE".into(),
            "address.postal_code" => *value = "10117".into(),
            "address.city" => *value = "Berlin".into(),
            _ => {}
        }
    }
    let submit = |form: &[(&str, String)], extra: &[(&str, &str)]| {
        let mut all: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
        all.extend_from_slice(extra);
        browser.checkout_shows(&all)
    };
    let priced = submit(&form, &[("action", "shipping")]);
    assert_eq!(priced.status(), 200);
    let page = priced.text().unwrap();
    assert!(
        page.contains("value=\"de-standard\" checked"),
        "the cheapest is chosen"
    );
    assert!(page.contains("value=\"de-express\""));
    assert!(page.contains("incl. VAT 19"), "{page:.3000}");
    let refused = submit(
        &form,
        &[
            ("action", "discount"),
            ("discount_code", "SUMMER24"),
            ("shipping_method", "de-express"),
        ],
    );
    let page = refused.text().unwrap();
    assert!(
        page.contains("id=\"discount_code-error\""),
        "the reason at the field"
    );
    assert!(page.contains("aria-describedby=\"discount_code-error\""));
    assert!(
        page.contains("value=\"de-express\" checked"),
        "the method is kept"
    );

    // More than the shelf holds: the cart says so at once, with the fix.
    let stock = app.stock()[SLUG];
    let many = (stock + 1).min(99).to_string();
    let set = browser.post(
        "/cart/update",
        &[
            ("csrf", csrf.as_str()),
            ("sku", SLUG),
            ("quantity", many.as_str()),
        ],
    );
    assert_eq!(set.status(), 303);
    if stock < 99 {
        let cart = browser.page("/cart");
        assert!(cart.contains(&format!("Only {stock} left")), "{cart:.3000}");
        assert!(cart.contains(&format!("name=\"set\" value=\"{SLUG}:{stock}\"")));
    }
}

/// The number in the header's cart link.
fn cart_count(page: &str) -> String {
    let at = page
        .find("class=\"count\"")
        .expect("a cart count in the header");
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find('<').unwrap();
    rest[start..end].to_string()
}

#[test]
fn a_catalog_page_kept_between_shoppers_carries_each_ones_own_cart_and_token() {
    // The pages keep a catalog page that shows nothing of a shopper's own, with gaps for
    // the form token, and serve it again from the same instance: each shopper still sees
    // their own cart and gets a token that works for them alone.
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let (ann, bob, cy) = (app.shopper(), app.shopper(), app.shopper());
    for path in ["/", "/collections/coffee"] {
        let first = bob.page(path);
        let again = bob.page(path);
        assert_eq!(cart_count(&first), "0", "{path}");
        assert_eq!(
            support::hidden_field(&first, "csrf"),
            support::hidden_field(&again, "csrf"),
            "{path}: one shopper, one token"
        );
    }
    add(&ann, "2");
    assert_eq!(cart_count(&ann.page("/")), "2", "Ann's page shows her cart");
    let bobs = bob.page("/");
    let cys = cy.page("/");
    assert_eq!(cart_count(&bobs), "0", "Bob's cart is his own");
    assert_eq!(cart_count(&cys), "0");
    let (bob_token, cy_token) = (
        support::hidden_field(&bobs, "csrf"),
        support::hidden_field(&cys, "csrf"),
    );
    assert_ne!(
        bob_token, cy_token,
        "every shopper has a token of their own"
    );
    assert_eq!(cart_count(&ann.page("/")), "2");

    // Bob's token is refused from Cy's browser; Cy's own works.
    let refused = cy.post(
        "/cart/add",
        &[("slug", SLUG), ("quantity", "1"), ("csrf", &bob_token)],
    );
    assert_ne!(
        refused.status(),
        303,
        "another shopper's token adds nothing"
    );
    assert_eq!(cart_count(&cy.page("/")), "0");
    let added = cy.post(
        "/cart/add",
        &[("slug", SLUG), ("quantity", "1"), ("csrf", &cy_token)],
    );
    assert_eq!(added.status(), 303);
    assert_eq!(cart_count(&cy.page("/")), "1");
    assert_eq!(cart_count(&bob.page("/")), "0");
}
