//! From a routed request to its handler: the Spin variables loaded, the health probe and
//! the single-purpose modes (the outbox dispatcher, the payment courier) answered first,
//! then the back office ([`crate::office`], which checks the owner's session before its
//! pages are dispatched here by [`office_page`]), the JSON side (the API, the provider
//! webhook, the owner's API) or the HTML shop, each by the [`Route`] the table gave.

use super::table::{Entry, Features, Miss, OfficePage, Route, Who, body_cap, find, with_head};
use crate::config;
use crate::http::body::MAX_IMAGE_UPLOAD;
use crate::http::incoming::BodyError;
use crate::http::request::ClientKey;
use crate::http::{self, Req, Resp};
use crate::layout;
use crate::office::catalog::{collections, images, list, product};
use crate::office::orders::{actions, detail};
use crate::office::settings::{discounts, password, sessions, shipping};
use crate::office::{Office, dashboard, export, mail, settings, setup, sign_in, webhooks};
use crate::payments::{self, Payments};
use crate::security::owner_token;
use crate::writer::WriterClient;
use crate::{api, office, outbox, shop};
use storefront_domain::catalog::MAX_IMAGE_BYTES;

/// Answers a request whose body was read (or refused: `body_error`).
pub async fn respond(req: &mut Req, body_error: Option<BodyError>) -> Resp {
    let config = match config::Config::current() {
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
    req.client_key = ClientKey::new(&config.key, &config.client_ip_header);
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
    // Crawlers' files carry no cookie and no page around them either.
    match routed {
        Ok(Route::Robots) => return shop::seo::robots::serve(&config.shop_url),
        Ok(Route::Sitemap) => return shop::seo::sitemap::index(&writer, &config.shop_url).await,
        Ok(Route::SitemapPage(name)) => {
            return shop::seo::sitemap::page(&writer, &config.shop_url, name).await;
        }
        // The language switch sets its cookie and leads back; no page, no session.
        Ok(Route::Language(code)) => {
            if let Some(resp) = crate::i18n::switch::serve(req, code) {
                return resp;
            }
        }
        _ => {}
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
        (Some(BodyError::TooLarge), _) => {
            Err(shop.error(413, "error-too-large", "error-too-large-text"))
        }
        (Some(BodyError::Unreadable), _) => {
            Err(shop.error(400, "error-bad-request", "error-bad-request-text"))
        }
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
            Route::OrderReturn(number) => shop::orders::returns::show(&mut shop, &number).await,
            Route::OrderReturnAsk(number) => {
                shop::orders::returns::submit(&mut shop, &number).await
            }
            Route::PayTest(number) => {
                shop::orders::pay::pay_test(&mut shop, &payments, &number).await
            }
            Route::Login => shop::account::login::show(&mut shop).await,
            Route::LoginAsk => shop::account::login::ask(&mut shop).await,
            Route::LoginCode => shop::account::login::code(&mut shop).await,
            Route::LoginLink => shop::account::login::landing(&mut shop).await,
            Route::LoginConfirm => shop::account::login::confirm(&mut shop).await,
            Route::Account => shop::account::handler::show(&mut shop).await,
            Route::AccountSignOut => shop::account::handler::sign_out(&mut shop).await,
            Route::AccountData => shop::account::handler::data(&mut shop).await,
            Route::AccountErase => shop::account::handler::erase(&mut shop).await,
            Route::AccountAddAddress => shop::account::handler::add_address(&mut shop).await,
            Route::AccountRemoveAddress(id) => {
                shop::account::handler::remove_address(&mut shop, id).await
            }
            // `is_json` sent every JSON path elsewhere.
            _ => Err(shop.not_found("error-page-not-found")),
        },
        (None, Err(Miss::NotFound)) => Err(shop.not_found("error-page-not-found")),
        (None, Err(Miss::MethodNotAllowed(allow))) => Err(shop
            .error(405, "error-method", "error-method-text")
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
            office::api::orders::transition(p, &number, to, req).await
        }
        Ok(Route::OwnerReviewEvent(event_id)) => {
            office::api::payments::review_event(p.writer, event_id, req).await
        }
        Ok(Route::OwnerAdjustStock(slug)) => {
            office::api::stock::adjust_stock(p.writer, slug, req).await
        }
        Ok(Route::OwnerOrders) => office::api::orders::list_orders(p.writer, req).await,
        Ok(Route::OwnerOrder(number)) => office::api::orders::owner_order(p.writer, &number).await,
        Ok(Route::OwnerOrderNote(number)) => {
            office::api::orders::add_note(p.writer, req, &number).await
        }
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

/// A back-office page or form action, its session (or its lack) settled by
/// [`office::respond`].
pub async fn office_page(o: &Office<'_>, page: OfficePage<'_>) -> Resp {
    use OfficePage as P;
    match page {
        P::Dashboard => dashboard::respond(o).await,
        P::Setup => setup::respond(o).await,
        P::SignInForm => sign_in::show(o),
        P::SignIn => sign_in::sign_in(o).await,
        P::SignOut => sign_in::sign_out(o).await,
        P::Orders => office::orders::list::show(o).await,
        P::Order(typed) => detail::show(o, typed).await,
        P::ConfirmOrderAction(number, action) => actions::confirm(o, &number, action).await,
        P::OrderAction(number, action) => actions::act(o, &number, action).await,
        P::RetryRefund(number, seq) => actions::retry_refund(o, &number, seq).await,
        P::AddOrderNote(number) => office::orders::notes::add(o, &number).await,
        P::Returns => office::returns::list::show(o).await,
        P::AcceptReturn(id) => match id.parse() {
            Ok(id) => office::returns::decide::accept(o, id).await,
            Err(_) => o.not_found(),
        },
        P::RefuseReturn(id) => match id.parse() {
            Ok(id) => office::returns::decide::refuse(o, id).await,
            Err(_) => o.not_found(),
        },
        P::ReturnSettings => settings::returns::show(o).await,
        P::SaveReturnSettings => settings::returns::save(o).await,
        P::Customers => office::customers::list::show(o).await,
        P::Customer(email) => office::customers::detail::show(o, email).await,
        P::Products => list::index(o).await,
        P::NewProduct => list::new_form(o).await,
        P::CreateProduct => list::create(o).await,
        P::Product(p) => product::show(o, p).await,
        P::UpdateProduct(p) => product::update(o, p).await,
        P::UpdateProductText(p, lang) => product::update_text(o, p, lang).await,
        P::ConfirmArchiveProduct(p) => product::confirm_archive(o, p, None).await,
        P::ArchiveProduct(p) => product::archive(o, p).await,
        P::RestoreProduct(p) => product::restore(o, p).await,
        P::RenameOption(p) => product::rename_option(o, p).await,
        P::AddVariant(p) => product::add_variant(o, p).await,
        P::UpdateVariant(p, s) => product::update_variant(o, p, s).await,
        P::AdjustStock(p, s) => product::adjust_stock(o, p, s).await,
        P::ConfirmArchiveVariant(p, s) => product::confirm_archive(o, p, Some(s)).await,
        P::ArchiveVariant(p, s) => product::archive_variant(o, p, s).await,
        P::RestoreVariant(p, s) => product::restore_variant(o, p, s).await,
        P::JoinCollection(p) => product::join_collection(o, p).await,
        P::UploadImage(p) => images::upload(o, p).await,
        P::UpdateImage(p, i) => images::update(o, p, i).await,
        P::RemoveImage(p, i) => images::remove(o, p, i).await,
        P::Collections => collections::index(o, None).await,
        P::CreateCollection => collections::create(o).await,
        P::Collection(c) => collections::show(o, c, None).await,
        P::UpdateCollection(c) => collections::update(o, c).await,
        P::AddMember(c) => collections::add_member(o, c).await,
        P::RemoveMember(c, p) => collections::remove_member(o, c, p).await,
        P::PaymentEvents => office::payments::show(o).await,
        P::ReviewEvent(event_id) => office::payments::review(o, event_id).await,
        P::Export => export::show(o),
        P::ExportOrders => export::orders_csv(o).await,
        P::Settings => settings::show(o),
        P::SaveSettings => settings::save_shop(o).await,
        P::Discounts => discounts::show(o).await,
        P::CreateDiscount => discounts::create(o).await,
        P::DeactivateDiscount(code) => discounts::deactivate(o, code).await,
        P::ReactivateDiscount(code) => discounts::reactivate(o, code).await,
        P::Discount(code) => settings::discount_edit::show(o, code).await,
        P::SaveDiscount(code) => settings::discount_edit::save(o, code).await,
        P::Shipping => shipping::show(o).await,
        P::ChangeShipping(code) => shipping::change(o, code).await,
        P::CreateZone => shipping::create_zone(o).await,
        P::UpdateZone(id) => shipping::update_zone(o, id).await,
        P::AddShippingMethod(id) => shipping::add_method(o, id).await,
        P::TaxRates => settings::tax_rates::show(o).await,
        P::SaveTaxRate => settings::tax_rates::save(o).await,
        P::TaxRate(country) => settings::tax_rates::edit(o, country).await,
        P::Password => password::show(o),
        P::ChangePassword => password::change(o).await,
        P::Sessions => sessions::show(o).await,
        P::EndOtherSessions => sessions::end_others(o).await,
        P::EndSession(id) => sessions::end(o, id).await,
        P::Mail => mail::show(o).await,
        P::Webhooks => webhooks::list(o).await,
        P::AddWebhook => webhooks::add(o).await,
        P::DeactivateWebhook(id) => webhooks::deactivate(o, id).await,
        P::WebhookLog(id) => office::webhook_log::show(o, id).await,
        P::TestWebhook(id) => office::webhook_log::send_test(o, id).await,
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
