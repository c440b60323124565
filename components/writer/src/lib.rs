//! The writer component: the only code in the storefront that touches SQLite. Entry point and
//! router: every request is authenticated, routed by path and method, has its body read,
//! then opens the database, brings the schema up to date and runs one handler.
//!
//! Routes (JSON in and out; errors are `{"error": {"code", "message", "fields"?}}`):
//! - `GET  /health`                       → `{"ok": true, "schema_version": N}`
//! - `GET  /catalog/products?collection=&limit=&offset=&include_archived=1` → `ProductList`
//! - `GET  /catalog/products/{slug}[?include_archived=1]` → `Product`
//! - `GET  /catalog/collections`          → `CollectionList`
//! - `GET  /catalog/collections/{slug}?limit=&offset=` → `CollectionPage`
//! - `GET  /catalog/search?q=&limit=&offset=` → `SearchResults`
//! - `GET  /catalog/images/{hash}`        → the image's bytes
//! - `POST /orders/quote` (optional `storefront-client`) → `Quote`
//! - `POST /orders` (+ `Idempotency-Key`, `storefront-client`) → 201 `OrderView`
//! - `GET  /orders/{number}`              → `OrderView`
//! - The owner's orders (back office and admin API): `GET /admin/orders?state=&limit=&before=
//!   &from=&to=&q=` → `OrderList` (newest first); `GET /admin/orders/{number}` → `OwnerOrder`;
//!   `GET /admin/payment-events?limit=&before=` → `ReviewQueue` (events waiting for review)
//! - `POST /orders/{number}/transitions` `TransitionRequest` (optional `Idempotency-Key`,
//!   `storefront-actor`) → `OrderView`
//! - `POST /orders/{number}/payment-intent` `RecordIntent` → `PaymentView`
//! - `GET  /orders/{number}/payment`      → `PaymentView`
//! - `POST /orders/{number}/refund-requested` `RecordRefund` → `PaymentView` (a whole
//!   refund, as pages before partial refunds asked for it)
//! - `POST /orders/{number}/refunds` (`Idempotency-Key`) `RequestRefund` → `RefundAnswer`
//! - `GET  /orders/{number}/refunds/{seq}` → `RefundAnswer`
//! - `POST /orders/{number}/refunds/{seq}/result` `RefundReport` → `RefundAnswer`
//! - `POST /payments/events` `PaymentEvent` → `PaymentEventResult`
//! - `POST /admin/release-expired`        → `ReleaseExpiredResult`
//! - `GET  /admin/audit`                  → `{"ok", "summary", "findings": [..]}`
//! - `GET  /admin/backlog`                → `{"outbox_pending", "unpaid_orders"}` (metrics)
//! - `POST /admin/backup` `{"path"}`      → `{"path"}` (a `VACUUM INTO` snapshot)
//! - `POST /admin/reconcile` `ReconcileRequest` → `ReconcileReport` (its outcome is recorded
//!   for the dashboard)
//! - `POST /admin/payment-events/{event_id}/review` `ReviewRequest` → 201 `EventReview`
//! - `POST /admin/products/{slug}/stock` (+ `Idempotency-Key`) `StockAdjustmentRequest`
//!   → 201 `StockAdjustment` (the product's default variant)
//! - `POST /admin/catalog/variants/{sku}/stock` (+ `Idempotency-Key`) → 201 `StockAdjustment`
//! - `GET  /admin/catalog/history?limit=&before=` → `History` (newest first)
//! - Back office, catalog: `GET /admin/catalog/product-list?q=&limit=&offset=` →
//!   `ProductList` (archived included; name, slug or SKU contains `q`);
//!   `GET /admin/catalog/positions?product=&collection=` → `Positions` (the sort keys)
//! - Owner catalog commands (`POST`, + `Idempotency-Key`, optional `storefront-actor`; see
//!   `catalog_commands`): `/admin/catalog/products[/{slug}[/archive|/restore|/options|
//!   /variants|/images[/{id}[/remove]]]]`, `/admin/catalog/variants/{sku}[/archive|/restore]`,
//!   `/admin/catalog/collections[/{slug}[/products[/{product}/remove]]]`
//! - `GET  /settings`                     → `ShopSettings`
//! - The outbox (see `outbox`): `POST /outbox/claim` `ClaimRequest` → `Claimed`;
//!   `POST /outbox/{message_id}/result` `DeliveryReport` → `ReportAnswer`;
//!   `GET /admin/outbox?state=&limit=&before=` → `OutboxList`; `GET /admin/mail` →
//!   `Mailbox`; `GET|POST /admin/webhooks`; `POST /admin/webhooks/{id}/deactivate`
//! - The back office owner (see `owner_sign_in`): `GET /admin/owner` → `OwnerStatus`;
//!   `PUT /admin/owner/password` `SetPassword`; `POST /admin/owner/sign-ins` `SignInStart`
//!   → 201 `SignInChallenge`; `POST /admin/owner/sign-ins/{attempt}` `SignInOutcome` → 204
//! - The back office's sessions (see `owner_sessions`): `POST /admin/owner/sessions/{id}/check`
//!   → `ActiveSession` or 404; `GET /admin/owner/sessions` → `OwnerSessions`;
//!   `POST /admin/owner/sessions/{id}/end` → 204; `POST /admin/owner/sessions/end-all`
//!   `EndSessions` → `SessionsEnded`
//! - `PUT  /admin/settings` (+ `Idempotency-Key`) `ShopSettings` → `ShopSettings`
//! - `GET  /admin/discounts` → `DiscountList`; `POST /admin/discounts` `DiscountCode` → 201;
//!   `POST /admin/discounts/{code}` `DiscountChange`; `POST /admin/discounts/{code}/deactivate`
//! - `GET  /admin/shipping` → `ShippingZones`; `POST /admin/shipping/methods/{code}`
//!   `ShippingMethodChange` → `ShippingMethod`
//! - `GET  /admin/tax-rates` → `TaxRates`; `POST /admin/tax-rates/{country}` `TaxRate`
//! - Back office, dashboard and export: `GET /admin/dashboard` → `Dashboard`;
//!   `GET /admin/export/orders?from=&to=` (UTC days, inclusive) → `OrderExport`
//! - `GET  /provider-actions/due`         → `DueActions` (for the payment courier)
//! - `POST /provider-actions/{id}/result` `ActionReport` → the action's state

mod audit;
mod auth;
mod backup;
mod catalog;
mod catalog_cards;
mod catalog_commands;
mod catalog_history;
mod catalog_owner_list;
mod catalog_positions;
mod catalog_query;
mod catalog_rules;
mod catalog_search;
mod checkout_commands;
mod client_limits;
mod dashboard;
mod db;
mod discount_attempts;
mod discounts;
mod image_check;
mod migrations;
mod order_export;
mod order_list;
mod order_number;
mod orders;
mod outbox;
mod owner_orders;
mod owner_sessions;
mod owner_sign_in;
mod payment_events;
mod payment_state;
mod payments;
mod pricing;
mod provider_actions;
mod providers;
mod reconcile;
mod refunds;
mod request;
mod responses;
mod reviews;
mod settings;
mod shipping;
mod sql_split;
mod stock;
mod tax;
mod totals;
mod transitions;

use db::Db;
use request::{Head, read_body};
use responses::{ApiError, json, until_write};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest) -> Response {
    serve(req).await.unwrap_or_else(ApiError::into_response)
}

async fn serve(req: IncomingRequest) -> Result<Response, ApiError> {
    let head = Head::of(&req);
    // Before touching the database, so an unauthenticated caller cannot make it do anything.
    auth::check(&head.authorization)?;
    let route = Route::of(&head.method, &head.path)?;
    // Also before opening the database: the host lends its one connection to one request
    // at a time, so it must not wait on a slow client's upload meanwhile.
    let body = match route.method() {
        Method::Post | Method::Put => {
            read_body(&head, req, route.body_limit())
                .await
                .map_err(|e| match route {
                    Route::AddImage(_) if e.status == 413 => image_check::too_large(),
                    _ => e,
                })?
        }
        _ => Vec::new(),
    };
    // An upload is checked before the database is opened: a forged or hostile image costs
    // no database time and is never stored.
    let image = match route {
        Route::AddImage(_) => Some(image_check::check(&body)?),
        _ => None,
    };
    let db = Db::open()?;
    let schema_version = migrations::run(&db)?;
    match route {
        Route::Health => json(
            200,
            &serde_json::json!({ "ok": true, "schema_version": schema_version }),
        ),
        Route::Products => until_write(catalog::products(&db, &head.query)),
        Route::Product(slug) => until_write(catalog::product(&db, slug, &head.query)),
        Route::Collections => until_write(catalog::collections(&db)),
        Route::Collection(slug) => until_write(catalog::collection(&db, slug, &head.query)),
        Route::Search => until_write(catalog_search::search(&db, &head.query)),
        Route::Image(hash) => catalog::image(&db, hash),
        Route::Quote => catalog::quote(&db, &head.client_key, &body),
        Route::PlaceOrder => orders::place(&db, &head.idempotency_key, &head.client_key, &body),
        Route::Order(number) => orders::get(&db, number),
        Route::Transition(number) => transitions::transition(&db, &head, number, &body),
        Route::RecordIntent(number) => payments::record_intent(&db, number, &body),
        Route::Payment(number) => payments::get(&db, number),
        Route::RecordRefund(number) => payments::record_refund(&db, number, &body),
        Route::RequestRefund(number) => refunds::request(&db, &head, number, &body),
        Route::Refund(number, seq) => refunds::get(&db, number, seq),
        Route::RefundResult(number, seq) => refunds::report(&db, number, seq, &body),
        Route::PaymentEvent => payment_events::receive(&db, &body),
        Route::ReleaseExpired => transitions::release_expired(&db, &body),
        Route::Audit => audit::audit(&db),
        Route::Backup => backup::backup(&db, &body),
        Route::Reconcile => reconcile::reconcile(&db, &body),
        Route::ReviewEvent(event_id) => reviews::review(&db, event_id, &body),
        Route::AdjustStock(slug) => stock::adjust(
            &db,
            stock::Target::Product(slug),
            &head.idempotency_key,
            &body,
        ),
        Route::AdjustVariantStock(sku) => stock::adjust(
            &db,
            stock::Target::Variant(sku),
            &head.idempotency_key,
            &body,
        ),
        Route::ListOrders => order_list::list(&db, &head.query),
        // The owner's orders and payment reviews (back office).
        Route::OwnerOrder(number) => owner_orders::get(&db, number),
        Route::ReviewQueue => reviews::queue(&db, &head.query),
        Route::History => catalog_history::list(&db, &head.query),
        // Back office, catalog.
        Route::OwnerProductList => until_write(catalog_owner_list::list(&db, &head.query)),
        Route::CatalogPositions => until_write(catalog_positions::positions(&db, &head.query)),
        Route::CreateProduct => catalog_commands::create_product(&db, &head, &body),
        Route::UpdateProduct(slug) => catalog_commands::update_product(&db, &head, slug, &body),
        Route::ArchiveProduct(slug) => catalog_commands::archive_product(&db, &head, slug),
        Route::RestoreProduct(slug) => catalog_commands::restore_product(&db, &head, slug),
        Route::RenameOption(slug) => catalog_commands::rename_option(&db, &head, slug, &body),
        Route::AddVariant(slug) => catalog_commands::add_variant(&db, &head, slug, &body),
        Route::UpdateVariant(sku) => catalog_commands::update_variant(&db, &head, sku, &body),
        Route::ArchiveVariant(sku) => catalog_commands::archive_variant(&db, &head, sku),
        Route::RestoreVariant(sku) => catalog_commands::restore_variant(&db, &head, sku),
        Route::CreateCollection => catalog_commands::create_collection(&db, &head, &body),
        Route::UpdateCollection(slug) => {
            catalog_commands::update_collection(&db, &head, slug, &body)
        }
        Route::AddToCollection(slug) => {
            catalog_commands::add_to_collection(&db, &head, slug, &body)
        }
        Route::RemoveFromCollection(slug, product) => {
            catalog_commands::remove_from_collection(&db, &head, slug, product)
        }
        Route::AddImage(slug) => match &image {
            Some(image) => catalog_commands::add_image(&db, &head, slug, image, &body),
            None => Err(anyhow::anyhow!("image route without a checked image").into()),
        },
        Route::UpdateImage(slug, id) => catalog_commands::update_image(&db, &head, slug, id, &body),
        Route::RemoveImage(slug, id) => catalog_commands::remove_image(&db, &head, slug, id),
        Route::OwnerStatus => until_write(owner_sign_in::get(&db)),
        Route::SetOwnerPassword => owner_sign_in::set_password(&db, &head, &body),
        Route::StartSignIn => owner_sign_in::start(&db, &body),
        Route::FinishSignIn(attempt) => owner_sign_in::finish(&db, attempt, &body),
        Route::CheckSession(id) => owner_sessions::check(&db, id),
        Route::Sessions => owner_sessions::list(&db),
        Route::EndSession(id) => owner_sessions::end(&db, id),
        Route::EndAllSessions => owner_sessions::end_all(&db, &body),
        Route::ClaimMessages => outbox::claim(&db, &body),
        Route::ReportMessage(id) => outbox::report(&db, id, &body),
        Route::Outbox => outbox::list(&db, &head.query),
        Route::Mailbox => outbox::mailbox(&db, &head.query),
        Route::Endpoints => outbox::endpoints(&db),
        Route::AddEndpoint => outbox::add_endpoint(&db, &body),
        Route::DeactivateEndpoint(id) => outbox::deactivate_endpoint(&db, id),
        Route::Settings => until_write(settings::get(&db)),
        Route::PutSettings => settings::put(&db, &head, &body),
        Route::Discounts => checkout_commands::discounts(&db),
        Route::CreateDiscount => checkout_commands::create_discount(&db, &head, &body),
        Route::UpdateDiscount(code) => checkout_commands::update_discount(&db, &head, code, &body),
        Route::DeactivateDiscount(code) => checkout_commands::deactivate_discount(&db, &head, code),
        Route::Shipping => checkout_commands::shipping(&db),
        Route::UpdateShippingMethod(code) => {
            checkout_commands::update_shipping_method(&db, &head, code, &body)
        }
        Route::TaxRates => checkout_commands::tax_rates(&db),
        Route::SetTaxRate(country) => checkout_commands::set_tax_rate(&db, &head, country, &body),
        // Back office: dashboard and export.
        Route::Dashboard => dashboard::dashboard(&db),
        Route::Backlog => dashboard::backlog(&db),
        Route::ExportOrders => order_export::export(&db, &head.query),
        Route::DueActions => provider_actions::due(&db),
        Route::ActionResult(id) => provider_actions::report(&db, id, &body),
    }
}

enum Route<'a> {
    Health,
    Products,
    Product(&'a str),
    Collections,
    Collection(&'a str),
    Search,
    Image(&'a str),
    Quote,
    PlaceOrder,
    Order(&'a str),
    Transition(&'a str),
    RecordIntent(&'a str),
    Payment(&'a str),
    RecordRefund(&'a str),
    RequestRefund(&'a str),
    Refund(&'a str, &'a str),
    RefundResult(&'a str, &'a str),
    PaymentEvent,
    ReleaseExpired,
    Audit,
    Backup,
    Reconcile,
    ReviewEvent(&'a str),
    AdjustStock(&'a str),
    AdjustVariantStock(&'a str),
    ListOrders,
    // The owner's orders and payment reviews (back office).
    OwnerOrder(&'a str),
    ReviewQueue,
    History,
    /// Back office, catalog.
    OwnerProductList,
    CatalogPositions,
    CreateProduct,
    UpdateProduct(&'a str),
    ArchiveProduct(&'a str),
    RestoreProduct(&'a str),
    RenameOption(&'a str),
    AddVariant(&'a str),
    UpdateVariant(&'a str),
    ArchiveVariant(&'a str),
    RestoreVariant(&'a str),
    CreateCollection,
    UpdateCollection(&'a str),
    AddToCollection(&'a str),
    RemoveFromCollection(&'a str, &'a str),
    AddImage(&'a str),
    UpdateImage(&'a str, &'a str),
    RemoveImage(&'a str, &'a str),
    Settings,
    ClaimMessages,
    ReportMessage(&'a str),
    Outbox,
    Mailbox,
    Endpoints,
    AddEndpoint,
    DeactivateEndpoint(&'a str),
    OwnerStatus,
    SetOwnerPassword,
    StartSignIn,
    FinishSignIn(&'a str),
    CheckSession(&'a str),
    Sessions,
    EndSession(&'a str),
    EndAllSessions,
    PutSettings,
    Discounts,
    CreateDiscount,
    UpdateDiscount(&'a str),
    DeactivateDiscount(&'a str),
    Shipping,
    UpdateShippingMethod(&'a str),
    TaxRates,
    SetTaxRate(&'a str),
    // Back office: dashboard and export.
    Dashboard,
    Backlog,
    ExportOrders,
    DueActions,
    ActionResult(&'a str),
}

impl<'a> Route<'a> {
    /// The route for `path`; 404 `not_found` for an unknown path, 405 for a known path with
    /// another method.
    fn of(method: &Method, path: &'a str) -> Result<Route<'a>, ApiError> {
        let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
        let route = match segments.as_slice() {
            ["health"] => Route::Health,
            ["catalog", "products"] => Route::Products,
            ["catalog", "products", slug] if !slug.is_empty() => Route::Product(slug),
            ["catalog", "collections"] => Route::Collections,
            ["catalog", "collections", slug] if !slug.is_empty() => Route::Collection(slug),
            ["catalog", "search"] => Route::Search,
            ["catalog", "images", hash] if !hash.is_empty() => Route::Image(hash),
            ["admin", "catalog", "variants", sku, "stock"] if !sku.is_empty() => {
                Route::AdjustVariantStock(sku)
            }
            ["admin", "catalog", "history"] => Route::History,
            // Back office, catalog.
            ["admin", "catalog", "product-list"] => Route::OwnerProductList,
            ["admin", "catalog", "positions"] => Route::CatalogPositions,
            ["admin", "catalog", "products"] => Route::CreateProduct,
            ["admin", "catalog", "products", slug] if !slug.is_empty() => {
                Route::UpdateProduct(slug)
            }
            ["admin", "catalog", "products", slug, "archive"] if !slug.is_empty() => {
                Route::ArchiveProduct(slug)
            }
            ["admin", "catalog", "products", slug, "restore"] if !slug.is_empty() => {
                Route::RestoreProduct(slug)
            }
            ["admin", "catalog", "products", slug, "options"] if !slug.is_empty() => {
                Route::RenameOption(slug)
            }
            ["admin", "catalog", "products", slug, "variants"] if !slug.is_empty() => {
                Route::AddVariant(slug)
            }
            ["admin", "catalog", "products", slug, "images"] if !slug.is_empty() => {
                Route::AddImage(slug)
            }
            ["admin", "catalog", "products", slug, "images", id]
                if !slug.is_empty() && !id.is_empty() =>
            {
                Route::UpdateImage(slug, id)
            }
            ["admin", "catalog", "products", slug, "images", id, "remove"]
                if !slug.is_empty() && !id.is_empty() =>
            {
                Route::RemoveImage(slug, id)
            }
            ["admin", "catalog", "variants", sku] if !sku.is_empty() => Route::UpdateVariant(sku),
            ["admin", "catalog", "variants", sku, "archive"] if !sku.is_empty() => {
                Route::ArchiveVariant(sku)
            }
            ["admin", "catalog", "variants", sku, "restore"] if !sku.is_empty() => {
                Route::RestoreVariant(sku)
            }
            ["admin", "catalog", "collections"] => Route::CreateCollection,
            ["admin", "catalog", "collections", slug] if !slug.is_empty() => {
                Route::UpdateCollection(slug)
            }
            ["admin", "catalog", "collections", slug, "products"] if !slug.is_empty() => {
                Route::AddToCollection(slug)
            }
            [
                "admin",
                "catalog",
                "collections",
                slug,
                "products",
                product,
                "remove",
            ] if !slug.is_empty() && !product.is_empty() => {
                Route::RemoveFromCollection(slug, product)
            }
            ["orders"] => Route::PlaceOrder,
            // Before `/orders/{number}`: "quote" is not an order number.
            ["orders", "quote"] => Route::Quote,
            ["orders", number] if !number.is_empty() => Route::Order(number),
            ["orders", number, "transitions"] if !number.is_empty() => Route::Transition(number),
            ["orders", number, "payment-intent"] if !number.is_empty() => {
                Route::RecordIntent(number)
            }
            ["orders", number, "payment"] if !number.is_empty() => Route::Payment(number),
            ["orders", number, "refund-requested"] if !number.is_empty() => {
                Route::RecordRefund(number)
            }
            ["orders", number, "refunds"] if !number.is_empty() => Route::RequestRefund(number),
            ["orders", number, "refunds", seq] if !number.is_empty() && !seq.is_empty() => {
                Route::Refund(number, seq)
            }
            ["orders", number, "refunds", seq, "result"]
                if !number.is_empty() && !seq.is_empty() =>
            {
                Route::RefundResult(number, seq)
            }
            ["payments", "events"] => Route::PaymentEvent,
            ["admin", "release-expired"] => Route::ReleaseExpired,
            ["admin", "audit"] => Route::Audit,
            ["admin", "backup"] => Route::Backup,
            ["admin", "reconcile"] => Route::Reconcile,
            ["admin", "payment-events", event_id, "review"] if !event_id.is_empty() => {
                Route::ReviewEvent(event_id)
            }
            ["admin", "products", slug, "stock"] if !slug.is_empty() => Route::AdjustStock(slug),
            ["admin", "orders"] => Route::ListOrders,
            // The owner's orders and payment reviews (back office).
            ["admin", "orders", number] if !number.is_empty() => Route::OwnerOrder(number),
            ["admin", "payment-events"] => Route::ReviewQueue,
            ["admin", "owner"] => Route::OwnerStatus,
            ["admin", "owner", "password"] => Route::SetOwnerPassword,
            ["admin", "owner", "sign-ins"] => Route::StartSignIn,
            ["admin", "owner", "sign-ins", attempt] if !attempt.is_empty() => {
                Route::FinishSignIn(attempt)
            }
            ["admin", "owner", "sessions"] => Route::Sessions,
            ["admin", "owner", "sessions", "end-all"] => Route::EndAllSessions,
            ["admin", "owner", "sessions", id, "check"] if !id.is_empty() => {
                Route::CheckSession(id)
            }
            ["admin", "owner", "sessions", id, "end"] if !id.is_empty() => Route::EndSession(id),
            ["outbox", "claim"] => Route::ClaimMessages,
            ["outbox", id, "result"] if !id.is_empty() => Route::ReportMessage(id),
            ["admin", "outbox"] => Route::Outbox,
            ["admin", "mail"] => Route::Mailbox,
            ["admin", "webhooks"] if *method == Method::Get => Route::Endpoints,
            ["admin", "webhooks"] => Route::AddEndpoint,
            ["admin", "webhooks", id, "deactivate"] if !id.is_empty() => {
                Route::DeactivateEndpoint(id)
            }
            ["settings"] => Route::Settings,
            ["admin", "settings"] => Route::PutSettings,
            // One path, two methods: the list, and creating a code.
            ["admin", "discounts"] if *method == Method::Get => Route::Discounts,
            ["admin", "discounts"] => Route::CreateDiscount,
            ["admin", "discounts", code] if !code.is_empty() => Route::UpdateDiscount(code),
            ["admin", "discounts", code, "deactivate"] if !code.is_empty() => {
                Route::DeactivateDiscount(code)
            }
            ["admin", "shipping"] => Route::Shipping,
            ["admin", "shipping", "methods", code] if !code.is_empty() => {
                Route::UpdateShippingMethod(code)
            }
            ["admin", "tax-rates"] => Route::TaxRates,
            ["admin", "tax-rates", country] if !country.is_empty() => Route::SetTaxRate(country),
            // Back office: dashboard and export.
            ["admin", "dashboard"] => Route::Dashboard,
            ["admin", "backlog"] => Route::Backlog,
            ["admin", "export", "orders"] => Route::ExportOrders,
            ["provider-actions", "due"] => Route::DueActions,
            ["provider-actions", id, "result"] if !id.is_empty() => Route::ActionResult(id),
            _ => return Err(ApiError::not_found(format!("no route for {path}"))),
        };
        let allowed = route.method();
        if *method != allowed {
            return Err(ApiError::new(
                405,
                "method_not_allowed",
                format!("{path} accepts {allowed} only, not {method}"),
            )
            .with_header("allow", allowed.to_string()));
        }
        Ok(route)
    }

    fn method(&self) -> Method {
        match self {
            Route::Health
            | Route::Products
            | Route::Product(_)
            | Route::Collections
            | Route::Collection(_)
            | Route::Search
            | Route::Image(_)
            | Route::Order(_)
            | Route::Payment(_)
            | Route::Refund(..)
            | Route::Audit
            | Route::ListOrders
            | Route::OwnerOrder(_)
            | Route::ReviewQueue
            | Route::History
            | Route::OwnerProductList
            | Route::CatalogPositions
            | Route::Settings
            | Route::Outbox
            | Route::Mailbox
            | Route::Endpoints
            | Route::OwnerStatus
            | Route::Sessions
            | Route::Discounts
            | Route::Shipping
            | Route::TaxRates
            | Route::Dashboard
            | Route::Backlog
            | Route::ExportOrders
            | Route::DueActions => Method::Get,
            Route::PutSettings | Route::SetOwnerPassword => Method::Put,
            Route::Quote
            | Route::PlaceOrder
            | Route::Transition(_)
            | Route::RecordIntent(_)
            | Route::RecordRefund(_)
            | Route::RequestRefund(_)
            | Route::RefundResult(..)
            | Route::PaymentEvent
            | Route::ReleaseExpired
            | Route::Backup
            | Route::Reconcile
            | Route::ReviewEvent(_)
            | Route::AdjustStock(_)
            | Route::AdjustVariantStock(_)
            | Route::CreateProduct
            | Route::UpdateProduct(_)
            | Route::ArchiveProduct(_)
            | Route::RestoreProduct(_)
            | Route::RenameOption(_)
            | Route::AddVariant(_)
            | Route::UpdateVariant(_)
            | Route::ArchiveVariant(_)
            | Route::RestoreVariant(_)
            | Route::CreateCollection
            | Route::UpdateCollection(_)
            | Route::AddToCollection(_)
            | Route::RemoveFromCollection(..)
            | Route::AddImage(_)
            | Route::UpdateImage(..)
            | Route::RemoveImage(..)
            | Route::CreateDiscount
            | Route::UpdateDiscount(_)
            | Route::DeactivateDiscount(_)
            | Route::UpdateShippingMethod(_)
            | Route::SetTaxRate(_)
            | Route::StartSignIn
            | Route::FinishSignIn(_)
            | Route::CheckSession(_)
            | Route::EndSession(_)
            | Route::EndAllSessions
            | Route::ClaimMessages
            | Route::ReportMessage(_)
            | Route::AddEndpoint
            | Route::DeactivateEndpoint(_)
            | Route::ActionResult(_) => Method::Post,
        }
    }

    /// Largest body this route reads.
    fn body_limit(&self) -> usize {
        match self {
            Route::PaymentEvent => request::MAX_EVENT_BODY,
            Route::Reconcile => request::MAX_RECONCILE_BODY,
            Route::AddImage(_) => request::MAX_IMAGE_BODY,
            _ => request::MAX_BODY,
        }
    }
}
