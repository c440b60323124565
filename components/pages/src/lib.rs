//! The `pages` component: entry point and routing.
//!
//! Reads the request (body capped by [`http::body::body_cap`]), loads the Spin variables, routes
//! on method and path to the HTML shop ([`shop`]) or to the JSON side (the API in [`api`],
//! the provider webhook and admin refunds in [`payments`]), and writes the answer. It
//! holds no database permission: all data comes from the writer over HTTP.
//!
//! The handler takes the raw `IncomingRequest`/`ResponseOutparam` pair rather than
//! `Request`/`Response` for two reasons: the body can be refused once it passes the cap
//! instead of being buffered whole, and spin-sdk's `Response` keeps one value per header
//! name, while a page may need to set more than one cookie.

mod api;
mod config;
mod http;
mod layout;
mod office;
mod outbox;
mod payments;
mod security;
mod shop;
mod writer;

use futures::StreamExt;
use http::{Req, Resp};
use payments::Payments;
use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;
use storefront_domain::catalog::MAX_IMAGE_BYTES;
use storefront_domain::{OrderState, order_number};
use writer::WriterClient;

#[http_component]
async fn handle(incoming: IncomingRequest, out: ResponseOutparam) {
    let (mut req, content_length) = head(&incoming);
    let cap = http::body::body_cap(&req.path);
    let body = if content_length.is_some_and(|n| n > cap as u64) {
        Err(BodyError::TooLarge)
    } else {
        read_body(incoming, cap).await
    };
    let resp = match body {
        Ok(bytes) => {
            req.body = bytes;
            respond(&mut req, None).await
        }
        Err(e) => respond(&mut req, Some(e)).await,
    };
    write(out, resp).await;
}

/// Method, target and headers of the incoming request, plus its declared length.
fn head(incoming: &IncomingRequest) -> (Req, Option<u64>) {
    let target = incoming.path_with_query().unwrap_or_else(|| "/".into());
    let (path, query) = http::split_target(&target);
    let headers: Vec<(String, String)> = incoming
        .headers()
        .entries()
        .into_iter()
        .map(|(name, value)| {
            (
                name.to_ascii_lowercase(),
                String::from_utf8_lossy(&value).into_owned(),
            )
        })
        .collect();
    let content_length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.trim().parse().ok());
    let req = Req {
        method: incoming.method().to_string().to_ascii_uppercase(),
        path,
        query,
        headers,
        body: Vec::new(),
        client: String::new(),
    };
    (req, content_length)
}

#[derive(Debug, Clone, Copy)]
enum BodyError {
    TooLarge,
    Unreadable,
}

/// Reads the body, stopping as soon as it exceeds `cap`.
async fn read_body(incoming: IncomingRequest, cap: usize) -> Result<Vec<u8>, BodyError> {
    let mut stream = incoming.into_body_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

async fn write(out: ResponseOutparam, resp: Resp) {
    let headers: Vec<(String, Vec<u8>)> = resp
        .headers
        .into_iter()
        .map(|(n, v)| (n, v.into_bytes()))
        .collect();
    let fields = match Fields::from_list(&headers) {
        Ok(fields) => fields,
        Err(e) => {
            eprintln!("invalid response headers {headers:?}: {e:?}");
            Fields::new()
        }
    };
    let response = OutgoingResponse::new(fields);
    if response.set_status_code(resp.status).is_err() {
        eprintln!("invalid response status {}", resp.status);
    }
    if let Err(e) = out.set_with_body(response, resp.body).await {
        eprintln!("could not send the response: {e}");
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Everything the shop answers to. Slugs and order numbers are checked by the handlers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route<'a> {
    Catalog,
    Collection(&'a str),
    Search,
    Product(&'a str),
    /// A product picture by its content hash (checked by the handler).
    Image(&'a str),
    /// `/favicon.svg` or `/favicon.ico`.
    Favicon,
    /// `/terms`, `/privacy`, `/returns`, `/imprint`.
    Legal(crate::shop::legal::Kind),
    Cart,
    CartAdd,
    CartUpdate,
    CartRemove,
    Checkout,
    PlaceOrderForm,
    /// Order numbers are canonical ([`order_number::normalize`]): whatever spelling the
    /// shopper typed, the writer and the payment provider only ever see one.
    Order(String),
    Pay(String),
    /// Only in test mode.
    PayTest(String),
    StripeWebhook,
    /// Only with an admin token.
    AdminRefund(String),
    /// Only with an admin token: ship or cancel.
    AdminTransition(String, OrderState),
    /// Only with an admin token: settle a payment event the audit flags.
    AdminReviewEvent(&'a str),
    /// Only with an admin token: restock a product or take stock away.
    AdminAdjustStock(&'a str),
    /// Only with an admin token: the list of orders.
    AdminOrders,
    /// Only with an admin token: one round of the outbox's dispatcher, for a scheduler
    /// under real `spin up` (the storefront host runs its own on a timer).
    AdminDispatchOutbox,
    /// Only with an admin token: a catalog command (or the catalog history), by the
    /// writer path it is forwarded to.
    AdminCatalog(String),
    /// Only with an admin token: shop settings, discount codes, shipping, tax rates.
    AdminCheckout(String),
    /// Only with an admin token: the outbox, the local mailbox, webhook endpoints.
    AdminOutbox(String),
    ApiProducts,
    ApiProduct(&'a str),
    ApiCollections,
    ApiCollection(&'a str),
    ApiSearch,
    ApiPlaceOrder,
    ApiOrder(String),
    ApiPayment(String),
}

/// Routes that exist only in some configurations. Switched off, they are 404 for every
/// method, as if never written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Features {
    /// `payment_mode` is `test`.
    test_payments: bool,
    /// `admin_token` is set.
    admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Miss {
    NotFound,
    /// The path exists; the value is the `Allow` header.
    MethodNotAllowed(&'static str),
}

/// The canonical form of an order number in a path; a segment that cannot be one makes
/// the whole path unknown (404 whatever the method), so `/orders/quote` never reaches the
/// writer.
fn number(segment: &str) -> Result<String, Miss> {
    order_number::normalize(segment).ok_or(Miss::NotFound)
}

/// `HEAD` is answered wherever `GET` is, with the same headers (the HTTP server in front
/// drops the body), so it is routed as `GET`.
fn route<'a>(method: &str, path: &'a str, features: Features) -> Result<Route<'a>, Miss> {
    let method = if method == "HEAD" { "GET" } else { method };
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    // Only the root may have an empty segment: `/cart/` and `/products//x` are not pages.
    if path != "/" && segments.iter().any(|s| s.is_empty()) {
        return Err(Miss::NotFound);
    }
    let (route, allow) = match segments.as_slice() {
        [""] => (Route::Catalog, "GET"),
        ["collections", slug] => (Route::Collection(slug), "GET"),
        ["search"] => (Route::Search, "GET"),
        ["favicon.svg" | "favicon.ico"] => (Route::Favicon, "GET"),
        [_] if crate::shop::legal::Kind::from_path(path).is_some() => (
            Route::Legal(crate::shop::legal::Kind::from_path(path).expect("checked")),
            "GET",
        ),
        ["products", slug] => (Route::Product(slug), "GET"),
        ["images", hash] => (Route::Image(hash), "GET"),
        ["cart"] => (Route::Cart, "GET"),
        ["cart", "add"] => (Route::CartAdd, "POST"),
        ["cart", "update"] => (Route::CartUpdate, "POST"),
        ["cart", "remove"] => (Route::CartRemove, "POST"),
        ["checkout"] if method == "POST" => (Route::PlaceOrderForm, "GET, POST"),
        ["checkout"] => (Route::Checkout, "GET, POST"),
        ["orders", n] => (Route::Order(number(n)?), "GET"),
        ["orders", n, "pay"] => (Route::Pay(number(n)?), "GET"),
        ["orders", n, "pay", "test"] if features.test_payments => {
            (Route::PayTest(number(n)?), "POST")
        }
        ["webhooks", "stripe"] => (Route::StripeWebhook, "POST"),
        ["admin", "orders", n, "refund"] if features.admin => {
            (Route::AdminRefund(number(n)?), "POST")
        }
        ["admin", "orders", n, "fulfil"] if features.admin => (
            Route::AdminTransition(number(n)?, OrderState::Fulfilled),
            "POST",
        ),
        ["admin", "orders", n, "cancel"] if features.admin => (
            Route::AdminTransition(number(n)?, OrderState::Cancelled),
            "POST",
        ),
        ["admin", "payment-events", event_id, "review"] if features.admin => {
            (Route::AdminReviewEvent(event_id), "POST")
        }
        ["admin", "products", slug, "stock"] if features.admin => {
            (Route::AdminAdjustStock(slug), "POST")
        }
        ["admin", "orders"] if features.admin => (Route::AdminOrders, "GET"),
        ["admin", "outbox", "dispatch"] if features.admin => (Route::AdminDispatchOutbox, "POST"),
        ["admin", "outbox" | "mail" | "webhooks", ..] if features.admin => {
            let (path, allow) =
                office::api::outbox::target(&segments[1..]).ok_or(Miss::NotFound)?;
            (Route::AdminOutbox(path), allow)
        }
        ["admin", "catalog", rest @ ..] if features.admin => {
            let (path, allow) = office::api::catalog::target(rest).ok_or(Miss::NotFound)?;
            (Route::AdminCatalog(path), allow)
        }
        [
            "admin",
            "settings" | "discounts" | "shipping" | "tax-rates",
            ..,
        ] if features.admin => {
            let (path, allow) =
                office::api::checkout::target(&segments[1..]).ok_or(Miss::NotFound)?;
            (Route::AdminCheckout(path), allow)
        }
        ["api", "products"] => (Route::ApiProducts, "GET"),
        ["api", "products", slug] => (Route::ApiProduct(slug), "GET"),
        ["api", "collections"] => (Route::ApiCollections, "GET"),
        ["api", "collections", slug] => (Route::ApiCollection(slug), "GET"),
        ["api", "search"] => (Route::ApiSearch, "GET"),
        ["api", "orders"] => (Route::ApiPlaceOrder, "POST"),
        ["api", "orders", n] => (Route::ApiOrder(number(n)?), "GET"),
        ["api", "orders", n, "payment"] => (Route::ApiPayment(number(n)?), "POST"),
        _ => return Err(Miss::NotFound),
    };
    if allow.split(", ").any(|m| m == method) {
        Ok(route)
    } else {
        Err(Miss::MethodNotAllowed(allow))
    }
}

async fn respond(req: &mut Req, body_error: Option<BodyError>) -> Resp {
    let config = match config::Config::load() {
        Ok(config) => config,
        Err(problem) if http::health::asked(&req.method, &req.path) => {
            eprintln!("pages is misconfigured: {problem}");
            return http::health::answer(true);
        }
        Err(problem) => return misconfigured(req, &problem),
    };
    if http::health::asked(&req.method, &req.path) {
        return http::health::answer(false);
    }
    req.client = security::client_key::key(req, &config.key, &config.client_ip_header);
    let req = &*req;
    let writer = WriterClient::new(&config.writer_url, &config.writer_token);
    let payments = Payments {
        settings: &config.payments,
        key: &config.key,
        writer: &writer,
        now: unix_now(),
    };
    if config.dispatcher {
        return match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/run") => outbox::run(&writer, payments.now).await,
            _ => Resp::json_error(404, "not_found", "the outbox dispatcher only runs rounds"),
        };
    }
    if config.courier {
        return match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/run") => payments::courier::run(&payments).await,
            _ => Resp::json_error(404, "not_found", "the payment courier only runs rounds"),
        };
    }
    let features = Features {
        test_payments: payments.test_mode(),
        admin: security::owner_token::enabled(&config.payments.admin_token),
    };
    if office::wants(req) {
        return match body_error {
            None => office::respond(req, &config.key, &writer, payments.now).await,
            Some(error) => office::refused_body(
                req,
                &config.key,
                &writer,
                payments.now,
                matches!(error, BodyError::TooLarge),
            ),
        };
    }
    let routed = route(&req.method, &req.path, features);
    if req.is_json() {
        return respond_json(req, body_error, routed, &payments).await;
    }
    // Pictures carry no cookie and no page around them.
    if let Ok(Route::Image(hash)) = routed {
        return shop::catalog::images::serve(&writer, req, hash).await;
    }
    if let Ok(Route::Favicon) = routed
        && let Some(icon) = layout::favicon::serve(&req.path)
    {
        return icon;
    }
    let mut shop = shop::Shop::new(req, &config.key, &writer, &config.shop_url, payments.now);
    // The catalog and collection pages read the settings with their products.
    let with_data = matches!(routed, Ok(Route::Catalog | Route::Collection(_)));
    if (body_error.is_some() || !with_data)
        && let Err(outage) = shop.load_settings().await
    {
        return outage;
    }
    let answer = match (body_error, routed) {
        (Some(BodyError::TooLarge), _) => Err(shop.error(
            413,
            "That was too much",
            "The form you sent is larger than we accept.",
        )),
        (Some(BodyError::Unreadable), _) => Err(shop.error(
            400,
            "Bad request",
            "We could not read what your browser sent. Please try again.",
        )),
        (None, Ok(route)) => match route {
            Route::Catalog => shop::catalog::handler::index(&mut shop).await,
            Route::Collection(slug) => shop::catalog::handler::collection(&mut shop, slug).await,
            Route::Search => shop::catalog::handler::search(&mut shop).await,
            Route::Product(slug) => shop::catalog::handler::product(&mut shop, slug).await,
            Route::Legal(kind) => shop::legal::show(&mut shop, kind),
            Route::Cart => shop::cart::handler::show(&mut shop).await,
            Route::CartAdd => shop::cart::handler::add(&mut shop).await,
            Route::CartUpdate => shop::cart::handler::update(&mut shop).await,
            Route::CartRemove => shop::cart::handler::remove(&mut shop).await,
            Route::Checkout => shop::checkout::handler::show(&mut shop).await,
            Route::PlaceOrderForm => shop::checkout::handler::submit(&mut shop).await,
            Route::Order(number) => shop::orders::handler::show(&mut shop, &number).await,
            Route::Pay(number) => shop::orders::pay::show(&mut shop, &payments, &number).await,
            Route::PayTest(number) => {
                shop::orders::pay::pay_test(&mut shop, &payments, &number).await
            }
            // `is_json` sent every JSON path elsewhere.
            _ => Err(shop.not_found("Page not found")),
        },
        (None, Err(Miss::NotFound)) => Err(shop.not_found("Page not found")),
        (None, Err(Miss::MethodNotAllowed(allow))) => Err(shop
            .error(
                405,
                "Method not allowed",
                "This page cannot be used that way. Please follow a link instead.",
            )
            .header("allow", with_head(allow))),
    };
    answer.unwrap_or_else(|resp| resp)
}

async fn respond_json(
    req: &Req,
    body_error: Option<BodyError>,
    routed: Result<Route<'_>, Miss>,
    p: &Payments<'_>,
) -> Resp {
    match body_error {
        Some(BodyError::TooLarge)
            if http::body::body_cap(&req.path) == http::body::MAX_IMAGE_UPLOAD =>
        {
            return Resp::json_error(
                413,
                "image_too_large",
                &format!("images are limited to {MAX_IMAGE_BYTES} bytes"),
            );
        }
        Some(BodyError::TooLarge) => {
            return Resp::json_error(
                413,
                "body_too_large",
                &format!(
                    "request bodies are limited to {} bytes here",
                    http::body::body_cap(&req.path)
                ),
            );
        }
        Some(BodyError::Unreadable) => {
            return Resp::json_error(400, "unreadable_body", "the request body could not be read");
        }
        None => {}
    }
    match routed {
        Ok(Route::ApiProducts) => api::catalog::products(p.writer, req).await,
        Ok(Route::ApiProduct(slug)) => api::catalog::product(p.writer, slug).await,
        Ok(Route::ApiCollections) => api::catalog::collections(p.writer).await,
        Ok(Route::ApiCollection(slug)) => api::catalog::collection(p.writer, slug, req).await,
        Ok(Route::ApiSearch) => api::catalog::search(p.writer, req).await,
        Ok(Route::ApiPlaceOrder) => api::orders::place_order(p.writer, req).await,
        Ok(Route::ApiOrder(number)) => api::orders::order(p.writer, req, &number).await,
        Ok(Route::ApiPayment(number)) => api::orders::payment(p, req, &number).await,
        Ok(Route::StripeWebhook) => payments::webhook::receive(p, req).await,
        Ok(
            Route::AdminRefund(_)
            | Route::AdminTransition(..)
            | Route::AdminReviewEvent(_)
            | Route::AdminAdjustStock(_)
            | Route::AdminOrders
            | Route::AdminDispatchOutbox
            | Route::AdminCatalog(_)
            | Route::AdminCheckout(_)
            | Route::AdminOutbox(_),
        ) if !security::owner_token::authorized(req, &p.settings.admin_token) => {
            Resp::json_error(401, "unauthorized", "a valid admin token is required")
                .header("www-authenticate", "Bearer")
        }
        Ok(Route::AdminRefund(number)) => payments::refund::refund(p, &number, req).await,
        Ok(Route::AdminTransition(number, to)) => {
            office::api::orders::transition(p, &number, to).await
        }
        Ok(Route::AdminReviewEvent(event_id)) => {
            office::api::payments::review_event(p.writer, event_id, req).await
        }
        Ok(Route::AdminAdjustStock(slug)) => {
            office::api::stock::adjust_stock(p.writer, slug, req).await
        }
        Ok(Route::AdminOrders) => office::api::orders::list_orders(p.writer, req).await,
        Ok(Route::AdminDispatchOutbox) => outbox::run(p.writer, p.now).await,
        Ok(Route::AdminCatalog(path)) => office::api::catalog::forward(p.writer, req, &path).await,
        Ok(Route::AdminCheckout(path)) => {
            office::api::checkout::forward(p.writer, req, &path).await
        }
        Ok(Route::AdminOutbox(path)) => office::api::outbox::forward(p.writer, req, &path).await,
        Ok(_) | Err(Miss::NotFound) => Resp::json_error(404, "not_found", "no such route"),
        Err(Miss::MethodNotAllowed(allow)) => Resp::json_error(
            405,
            "method_not_allowed",
            &format!("this route accepts {}", with_head(allow)),
        )
        .header("allow", with_head(allow)),
    }
}

/// An `Allow` value with `HEAD` wherever `GET` is allowed.
fn with_head(allow: &str) -> String {
    if allow.split(", ").any(|m| m == "GET") {
        format!("{allow}, HEAD")
    } else {
        allow.to_string()
    }
}

/// 500 when the Spin variables are unusable: a deployment problem, said plainly.
fn misconfigured(req: &Req, problem: &str) -> Resp {
    eprintln!("pages is misconfigured: {problem}");
    let message = "The shop is misconfigured and cannot serve requests. \
                   The operator has to fix its settings (see the component log).";
    if req.is_json() {
        return Resp::json_error(500, "misconfigured", message);
    }
    let chrome = crate::layout::Chrome::plain(shop::fallback_settings());
    Resp::html(
        500,
        crate::layout::error::page(&chrome, 500, "The shop is misconfigured", message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A canonical order number.
    const N: &str = "SF-7K3M-Q9TX-2PDA";

    /// Routing with every optional route switched off.
    fn route<'a>(method: &str, path: &'a str) -> Result<Route<'a>, Miss> {
        super::route(method, path, Features::default())
    }

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/"), Ok(Route::Catalog));
        assert_eq!(route("GET", "/products/mug"), Ok(Route::Product("mug")));
        assert_eq!(route("GET", "/cart"), Ok(Route::Cart));
        assert_eq!(route("HEAD", "/"), Ok(Route::Catalog));
        assert_eq!(route("HEAD", "/cart"), Ok(Route::Cart));
        assert_eq!(
            route("HEAD", "/cart/add"),
            Err(Miss::MethodNotAllowed("POST"))
        );
        assert_eq!(route("GET", "/favicon.ico"), Ok(Route::Favicon));
        assert_eq!(
            route("GET", "/terms"),
            Ok(Route::Legal(crate::shop::legal::Kind::Terms))
        );
        assert_eq!(route("GET", "/imprint/x"), Err(Miss::NotFound));
        assert_eq!(route("POST", "/cart/add"), Ok(Route::CartAdd));
        assert_eq!(route("POST", "/cart/update"), Ok(Route::CartUpdate));
        assert_eq!(route("POST", "/cart/remove"), Ok(Route::CartRemove));
        assert_eq!(route("GET", "/checkout"), Ok(Route::Checkout));
        assert_eq!(route("POST", "/checkout"), Ok(Route::PlaceOrderForm));
        assert_eq!(
            route("GET", "/orders/sf-7k3m-q9tx-2pda"),
            Ok(Route::Order(N.into()))
        );
        assert_eq!(route("GET", "/api/products"), Ok(Route::ApiProducts));
        assert_eq!(
            route("GET", "/api/products/mug"),
            Ok(Route::ApiProduct("mug"))
        );
        assert_eq!(route("POST", "/api/orders"), Ok(Route::ApiPlaceOrder));
        assert_eq!(
            route("GET", "/api/orders/SF7K3MQ9TX2PDA"),
            Ok(Route::ApiOrder(N.into()))
        );
        assert_eq!(
            route("GET", "/orders/SF-7K3M-Q9TX-2PDA/pay"),
            Ok(Route::Pay(N.into()))
        );
        assert_eq!(route("POST", "/webhooks/stripe"), Ok(Route::StripeWebhook));
        assert_eq!(
            route("POST", "/api/orders/SF-7K3M-Q9TX-2PDA/payment"),
            Ok(Route::ApiPayment(N.into()))
        );
    }

    #[test]
    fn optional_routes_exist_only_when_switched_on() {
        let all = Features {
            test_payments: true,
            admin: true,
        };
        assert_eq!(
            super::route("POST", "/orders/SF-7K3M-Q9TX-2PDA/pay/test", all),
            Ok(Route::PayTest(N.into()))
        );
        assert_eq!(
            super::route("GET", "/orders/SF-7K3M-Q9TX-2PDA/pay/test", all),
            Err(Miss::MethodNotAllowed("POST"))
        );
        assert_eq!(
            super::route("POST", "/admin/orders/SF-7K3M-Q9TX-2PDA/refund", all),
            Ok(Route::AdminRefund(N.into()))
        );
        assert_eq!(
            super::route("POST", "/admin/payment-events/evt_1/review", all),
            Ok(Route::AdminReviewEvent("evt_1"))
        );
        assert_eq!(
            super::route("POST", "/admin/products/mug/stock", all),
            Ok(Route::AdminAdjustStock("mug"))
        );
        assert_eq!(
            super::route("GET", "/admin/orders", all),
            Ok(Route::AdminOrders)
        );
        // Off: 404 whatever the method, so nothing hints that they exist.
        for method in ["GET", "POST", "DELETE"] {
            assert_eq!(
                route(method, "/admin/payment-events/evt_1/review"),
                Err(Miss::NotFound),
                "{method}"
            );
            assert_eq!(
                route(method, "/admin/products/mug/stock"),
                Err(Miss::NotFound),
                "{method}"
            );
            assert_eq!(
                route(method, "/admin/orders"),
                Err(Miss::NotFound),
                "{method}"
            );
            assert_eq!(
                route(method, "/orders/SF-7K3M-Q9TX-2PDA/pay/test"),
                Err(Miss::NotFound),
                "{method}"
            );
            assert_eq!(
                route(method, "/admin/orders/SF-7K3M-Q9TX-2PDA/refund"),
                Err(Miss::NotFound),
                "{method}"
            );
        }
    }

    #[test]
    fn what_cannot_be_an_order_number_is_no_route_for_any_method() {
        let all = Features {
            test_payments: true,
            admin: true,
        };
        for method in ["GET", "POST", "PUT"] {
            for path in [
                "/orders/quote",
                "/api/orders/quote",
                "/orders/quote/pay",
                "/api/orders/quote/payment",
                "/admin/orders/quote/cancel",
                "/orders/SF-7K3M-Q9TX-2PDU",
                "/orders/..%2Fadmin",
            ] {
                assert_eq!(
                    super::route(method, path, all),
                    Err(Miss::NotFound),
                    "{method} {path}"
                );
            }
        }
        // Every spelling of one number is the same route.
        for spelling in ["SF-7K3M-Q9TX-2PDA", "sf-7k3m-q9tx-2pda", "SF7K3MQ9TX2PDA"] {
            assert_eq!(
                route("GET", &format!("/orders/{spelling}")),
                Ok(Route::Order(N.into()))
            );
        }
        assert_eq!(
            route("GET", "/orders/SF-1000-0000-0000"),
            route("GET", "/orders/sf-I000-OOOO-oooo")
        );
    }

    #[test]
    fn wrong_methods_and_unknown_paths() {
        assert_eq!(route("POST", "/"), Err(Miss::MethodNotAllowed("GET")));
        assert_eq!(
            route("GET", "/cart/add"),
            Err(Miss::MethodNotAllowed("POST"))
        );
        assert_eq!(
            route("DELETE", "/checkout"),
            Err(Miss::MethodNotAllowed("GET, POST"))
        );
        assert_eq!(
            route("GET", "/api/orders"),
            Err(Miss::MethodNotAllowed("POST"))
        );
        assert_eq!(
            route("GET", "/webhooks/stripe"),
            Err(Miss::MethodNotAllowed("POST"))
        );
        assert_eq!(
            route("POST", "/orders/SF-7K3M-Q9TX-2PDA/pay"),
            Err(Miss::MethodNotAllowed("GET"))
        );
        for path in [
            "/nope",
            "/products",
            "/products/",
            "/cart/",
            "/api/products/a/b",
            "/orders",
            "/orders/SF-7K3M-Q9TX-2PDA/pay/",
            "/webhooks",
            "/webhooks/paypal",
            "/api/orders/SF-7K3M-Q9TX-2PDA/refund",
        ] {
            assert_eq!(route("GET", path), Err(Miss::NotFound), "{path}");
        }
    }
}
