//! A shipped order's return as its shopper asks for it: shipping through the owner's JSON
//! API, the shopper's pages of an order, and the return form filled in and sent.

use super::{TestApp, answer, as_shopper, client, hidden_field};
use reqwest::Method;

/// Ships order `number` through the owner's JSON API.
pub fn ship_by_api(app: &TestApp, number: &str) {
    let shipped = app.admin().send(
        Method::POST,
        &format!("/admin/orders/{number}/fulfil"),
        None,
        None,
    );
    assert!(shipped.status().is_success(), "{:?}", shipped.text());
}

/// The SKU of order `number`'s first line.
pub fn first_line_sku(app: &TestApp, number: &str) -> String {
    app.order(number)["items"][0]["sku"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A page of order `number` as its shopper sees it: status and HTML.
pub fn shopper_page(app: &TestApp, number: &str, path: &str) -> (u16, String) {
    answer(as_shopper(client().get(app.url(path)), number))
}

/// Fills the return form of order `number` with `quantity` of its press and `reason`:
/// the answer (not followed).
pub fn ask_return(
    app: &TestApp,
    number: &str,
    quantity: &str,
    reason: &str,
) -> reqwest::blocking::Response {
    ask_return_with(&client(), app, number, quantity, reason)
}

/// [`ask_return`] by `client` (a shopper whose browser asks for a language, say).
pub fn ask_return_with(
    client: &reqwest::blocking::Client,
    app: &TestApp,
    number: &str,
    quantity: &str,
    reason: &str,
) -> reqwest::blocking::Response {
    let path = format!("/orders/{number}/return");
    let form = as_shopper(client.get(app.url(&path)), number)
        .send()
        .unwrap();
    assert_eq!(form.status(), 200);
    let form = form.text().unwrap();
    let sku = first_line_sku(app, number);
    // A closed form has no fields: the session's token from a page that has a form.
    let (csrf, key) = if form.contains("name=\"key\"") {
        (hidden_field(&form, "csrf"), hidden_field(&form, "key"))
    } else {
        let product = client
            .get(app.url("/products/french-press"))
            .send()
            .unwrap();
        (
            hidden_field(&product.text().unwrap(), "csrf"),
            "closedformkey1234".to_string(),
        )
    };
    let fields = [
        ("csrf", csrf),
        ("key", key),
        (&*format!("qty.{sku}"), quantity.to_string()),
        ("reason", reason.to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    as_shopper(client.post(app.url(&path)), number)
        .form(&fields)
        .send()
        .unwrap()
}
