//! The writer component: the only code in the storefront that touches SQLite. Module map and
//! the entry point: every request is authenticated, matched against the route table
//! ([`http::routes`]), has its body read (and an upload checked), then opens the database,
//! brings the schema up to date and runs one handler. JSON in and out; errors are
//! `{"error": {"code", "message", "fields"?}}`.

/// `GET /admin/audit`: the consistency checks over the whole ledger.
mod audit;
/// The catalog: reads, search, the owner's catalog commands and their history.
mod catalog;
/// What an order costs (one calculator), the quote, and the owner's checkout settings.
mod checkout;
/// Customers: passwordless accounts (sign-in, sessions, history, addresses, erasure) and
/// the back office's customers (the orders of one email address).
mod customers;
/// The connection, migrations and backups.
mod db;
/// Requests, responses, authentication and the route table.
mod http;
/// The one runner for commands that carry an `Idempotency-Key`.
mod idempotency;
/// Placing, reading, moving and listing orders; stock.
mod orders;
/// Messages to other systems (emails, webhooks), delivered by other components.
mod outbox;
/// The owner: sign-in, sessions, shop settings, dashboard.
mod owner;
/// Payment intents, provider events, reviews, refunds and the provider actions.
mod payments;
/// Returns of shipped orders: the shopper's request, the owner's decision, the window.
mod returns;

use db::Db;
use http::request::{Head, read_body};
use http::responses::ApiError;
use http::routes::{self, Body, Ctx};
use spin_sdk::http::{IncomingRequest, Response};
use spin_sdk::http_component;

#[http_component]
async fn handle(req: IncomingRequest) -> Response {
    serve(req).await.unwrap_or_else(ApiError::into_response)
}

async fn serve(req: IncomingRequest) -> Result<Response, ApiError> {
    let head = Head::of(&req);
    // Before touching the database, so an unauthenticated caller cannot make it do anything.
    http::auth::check(&head.authorization)?;
    let (route, params) = routes::find(&head.method, &head.path)?;
    // Also before opening the database: the host lends its one connection to one request
    // at a time, so it must not wait on a slow client's upload meanwhile.
    let body = match route.body {
        Body::None => Vec::new(),
        Body::Capped(cap) => read_body(&head, req, cap).await?,
        Body::Image => {
            read_body(&head, req, route.body.cap())
                .await
                .map_err(|e| match e.status {
                    413 => catalog::image_check::too_large(),
                    _ => e,
                })?
        }
    };
    // An upload is checked before the database is opened: a forged or hostile image costs
    // no database time and is never stored.
    let image = match route.body {
        Body::Image => Some(catalog::image_check::check(&body)?),
        _ => None,
    };
    let db = Db::open()?;
    // The health check (the host's start check, the orchestrator's probes) checks every
    // recorded migration; every other request trusts the recorded digest.
    let check = match head.path.as_str() {
        "/health" => db::migrations::Check::Full,
        _ => db::migrations::Check::Digest,
    };
    let schema_version = db::migrations::run(&db, check)?;
    let ctx = Ctx {
        db: &db,
        head: &head,
        params,
        body: &body,
        image: image.as_ref(),
        schema_version,
    };
    routes::answer(route, &ctx)
}
