//! From a routed request to its handler: the Spin variables loaded, the health probe and
//! the single-purpose modes (the outbox dispatcher, the payment courier) answered first,
//! then the back office ([`crate::office`]), the JSON side (the API, the provider
//! webhook, the owner's API) or the HTML shop, each by the [`Route`] the table gave.

use super::table::{Entry, Features, Miss, Route, Who, body_cap, find, with_head};
use crate::config;
use crate::http::body::MAX_IMAGE_UPLOAD;
use crate::http::incoming::BodyError;
use crate::http::{self, Req, Resp};
use crate::layout;
use crate::payments::{self, Payments};
use crate::security::{self, owner_token};
use crate::writer::WriterClient;
use crate::{api, office, outbox, shop};
use storefront_domain::catalog::MAX_IMAGE_BYTES;

/// Answers a request whose body was read (or refused: `body_error`).
pub async fn respond(req: &mut Req, body_error: Option<BodyError>) -> Resp {
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
        owner_api: owner_token::enabled(&config.payments.admin_token),
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
    let routed = find(&req.method, &req.path, features, false);
    if req.is_json() {
        return respond_json(req, body_error, routed, &payments).await;
    }
    let routed = routed.map(|(_, route)| route);
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
    routed: Result<(&Entry, Route<'_>), Miss>,
    p: &Payments<'_>,
) -> Resp {
    match body_error {
        Some(BodyError::TooLarge) if body_cap(&req.path) == MAX_IMAGE_UPLOAD => {
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
                    body_cap(&req.path)
                ),
            );
        }
        Some(BodyError::Unreadable) => {
            return Resp::json_error(400, "unreadable_body", "the request body could not be read");
        }
        None => {}
    }
    let route = match routed {
        Ok((entry, _))
            if entry.who == Who::OwnerToken
                && !owner_token::authorized(req, &p.settings.admin_token) =>
        {
            return Resp::json_error(401, "unauthorized", "a valid admin token is required")
                .header("www-authenticate", "Bearer");
        }
        Ok((_, route)) => Ok(route),
        Err(miss) => Err(miss),
    };
    match route {
        Ok(Route::ApiProducts) => api::catalog::products(p.writer, req).await,
        Ok(Route::ApiProduct(slug)) => api::catalog::product(p.writer, slug).await,
        Ok(Route::ApiCollections) => api::catalog::collections(p.writer).await,
        Ok(Route::ApiCollection(slug)) => api::catalog::collection(p.writer, slug, req).await,
        Ok(Route::ApiSearch) => api::catalog::search(p.writer, req).await,
        Ok(Route::ApiPlaceOrder) => api::orders::place_order(p.writer, req).await,
        Ok(Route::ApiOrder(number)) => api::orders::order(p.writer, req, &number).await,
        Ok(Route::ApiPayment(number)) => api::orders::payment(p, req, &number).await,
        Ok(Route::StripeWebhook) => payments::webhook::receive(p, req).await,
        Ok(Route::OwnerRefund(number)) => payments::refund::refund(p, &number, req).await,
        Ok(Route::OwnerTransition(number, to)) => {
            office::api::orders::transition(p, &number, to).await
        }
        Ok(Route::OwnerReviewEvent(event_id)) => {
            office::api::payments::review_event(p.writer, event_id, req).await
        }
        Ok(Route::OwnerAdjustStock(slug)) => {
            office::api::stock::adjust_stock(p.writer, slug, req).await
        }
        Ok(Route::OwnerOrders) => office::api::orders::list_orders(p.writer, req).await,
        Ok(Route::OwnerDispatchOutbox) => outbox::run(p.writer, p.now).await,
        Ok(Route::OwnerCatalog(path)) => office::api::catalog::forward(p.writer, req, &path).await,
        Ok(Route::OwnerCheckout(path)) => {
            office::api::checkout::forward(p.writer, req, &path).await
        }
        Ok(Route::OwnerOutbox(path)) => office::api::outbox::forward(p.writer, req, &path).await,
        Ok(_) | Err(Miss::NotFound) => Resp::json_error(404, "not_found", "no such route"),
        Err(Miss::MethodNotAllowed(allow)) => Resp::json_error(
            405,
            "method_not_allowed",
            &format!("this route accepts {}", with_head(allow)),
        )
        .header("allow", with_head(allow)),
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

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
