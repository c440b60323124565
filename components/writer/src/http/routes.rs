//! The writer's one route table: every route the writer answers is one entry of [`ROUTES`]
//! (method, path pattern, how its body is read, and its handler). Read the table for the
//! list of routes; the handlers' doc comments describe each one's JSON.
//!
//! What an entry says is applied by [`crate::serve`] in this order, before the database is
//! opened: the body is read up to the entry's cap (so the host's one connection never waits
//! on a slow upload), and an image upload is checked (so a forged or hostile image costs no
//! database time). Read routes marked [`Reads::UntilWrite`] are answered through
//! [`until_write`].
//!
//! Matching: a path is split on `/`; a `{name}` segment matches any non-empty segment and
//! literal segments match themselves. The first entry whose pattern matches names the path
//! (so `/orders/quote` is the quote, never order "quote"); among the entries with that same
//! pattern the one with the request's method answers. An unknown path is 404 `not_found`;
//! a known path with another method is 405 `method_not_allowed` naming, in the message and
//! the `allow` header, the method of the last entry for that pattern (for `GET|POST` paths,
//! the `POST`).

use crate::audit;
use crate::catalog::image_check::CheckedImage;
use crate::catalog::{
    choice, collections, history, images, options, owner_list, positions, products, reads, search,
    sitemap, texts, variants,
};
use crate::checkout::{discount_codes, quote, shipping_methods, shipping_zones, tax_rates};
use crate::customers;
use crate::db::{Db, backup};
use crate::http::request::{
    Head, MAX_BODY, MAX_EVENT_BODY, MAX_IMAGE_BODY, MAX_RECONCILE_BODY, MAX_REPORTS_BODY,
};
use crate::http::responses::{ApiError, catalog_only, json, until_write};
use crate::orders::{self, change, export, owner_view, place, stock, transitions};
use crate::outbox;
use crate::owner::{dashboard, sessions, settings, sign_in};
use crate::payments::{events, intents, provider_actions, reconcile, refunds, reviews};
use crate::returns;
use spin_sdk::http::{Method, Response};

/// What a handler is given: the open database, the request's head, the pattern's
/// parameters, the body, and the checked image of an image upload.
pub struct Ctx<'a> {
    pub db: &'a Db,
    pub head: &'a Head,
    pub params: Params<'a>,
    pub body: &'a [u8],
    /// Set for [`Body::Image`] routes only.
    pub image: Option<&'a CheckedImage>,
    /// The schema version the migrations brought the database to.
    pub schema_version: i64,
}

impl Ctx<'_> {
    /// The value of the pattern's `{name}` segment.
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name)
    }

    /// The query string, without `?`.
    pub fn query(&self) -> &str {
        &self.head.query
    }
}

/// Every route's handler has this one shape.
pub type Handler = fn(&Ctx) -> Result<Response, ApiError>;

/// The methods the writer answers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Verb {
    Get,
    Post,
    Put,
}

impl Verb {
    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::Get,
            Verb::Post => Method::Post,
            Verb::Put => Method::Put,
        }
    }
}

/// How a route's body is read (always before the database opens).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Body {
    /// No body is read.
    None,
    /// Read up to this many bytes, else 413 `body_too_large`.
    Capped(usize),
    /// An image upload: read up to [`MAX_IMAGE_BODY`] (past it, the image's own 413,
    /// [`image_check::too_large`]), then decoded and checked by [`image_check::check`].
    Image,
}

impl Body {
    /// Largest body read, in bytes (0 for none).
    pub fn cap(self) -> usize {
        match self {
            Body::None => 0,
            Body::Capped(cap) => cap,
            Body::Image => MAX_IMAGE_BODY,
        }
    }
}

/// Whether a read route's answer waits for writes committed before it ([`until_write`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reads {
    Direct,
    UntilWrite,
    /// As [`Reads::UntilWrite`], but the answer depends only on the catalog tables
    /// ([`catalog_only`]).
    Catalog,
}

/// One route.
pub struct Route {
    pub verb: Verb,
    /// `/`-separated segments; `{name}` matches one non-empty segment.
    pub pattern: &'static str,
    pub body: Body,
    pub reads: Reads,
    pub handler: Handler,
}

const fn route(
    verb: Verb,
    pattern: &'static str,
    body: Body,
    reads: Reads,
    handler: Handler,
) -> Route {
    Route {
        verb,
        pattern,
        body,
        reads,
        handler,
    }
}

const fn get(pattern: &'static str, handler: Handler) -> Route {
    route(Verb::Get, pattern, Body::None, Reads::Direct, handler)
}

/// A read whose answer waits for earlier writes ([`until_write`]).
const fn read(pattern: &'static str, handler: Handler) -> Route {
    route(Verb::Get, pattern, Body::None, Reads::UntilWrite, handler)
}

/// A catalog read: its answer waits only for writes to the catalog tables ([`catalog_only`]).
const fn catalog(pattern: &'static str, handler: Handler) -> Route {
    route(Verb::Get, pattern, Body::None, Reads::Catalog, handler)
}

/// A command with a JSON body of at most [`MAX_BODY`] bytes.
const fn post(pattern: &'static str, handler: Handler) -> Route {
    post_capped(pattern, MAX_BODY, handler)
}

const fn post_capped(pattern: &'static str, cap: usize, handler: Handler) -> Route {
    route(
        Verb::Post,
        pattern,
        Body::Capped(cap),
        Reads::Direct,
        handler,
    )
}

const fn put(pattern: &'static str, handler: Handler) -> Route {
    route(
        Verb::Put,
        pattern,
        Body::Capped(MAX_BODY),
        Reads::Direct,
        handler,
    )
}

const fn image_upload(pattern: &'static str, handler: Handler) -> Route {
    route(Verb::Post, pattern, Body::Image, Reads::Direct, handler)
}

/// Every route, in matching order (see the module comment).
pub static ROUTES: &[Route] = &[
    get("/health", |c| {
        json(
            200,
            &serde_json::json!({ "ok": true, "schema_version": c.schema_version }),
        )
    }),
    // Catalog reads.
    catalog("/catalog/products", |c| reads::products(c.db, c.query())),
    catalog("/catalog/products/{slug}", |c| {
        reads::product(c.db, c.param("slug"), c.query())
    }),
    catalog("/catalog/products/{slug}/variant", |c| {
        choice::variant(c.db, c.param("slug"), c.query())
    }),
    catalog("/catalog/collections", |c| reads::collections(c.db)),
    catalog("/catalog/collections/{slug}", |c| {
        reads::collection(c.db, c.param("slug"), c.query())
    }),
    catalog("/catalog/search", |c| search::search(c.db, c.query())),
    catalog("/catalog/sitemap", |c| sitemap::extent(c.db)),
    catalog("/catalog/sitemap/{kind}", |c| {
        sitemap::urls(c.db, c.param("kind"), c.query())
    }),
    get("/catalog/images/{hash}", |c| {
        reads::image(c.db, c.param("hash"))
    }),
    // The owner's catalog.
    post("/admin/catalog/variants/{sku}/stock", |c| {
        stock::adjust(
            c.db,
            stock::Target::Variant(c.param("sku")),
            &c.head.idempotency_key,
            c.body,
        )
    }),
    get("/admin/catalog/history", |c| history::list(c.db, c.query())),
    read("/admin/catalog/product-list", |c| {
        owner_list::list(c.db, c.query())
    }),
    read("/admin/catalog/positions", |c| {
        positions::positions(c.db, c.query())
    }),
    post("/admin/catalog/products", |c| {
        products::create(c.db, c.head, c.body)
    }),
    post("/admin/catalog/products/{slug}", |c| {
        products::update(c.db, c.head, c.param("slug"), c.body)
    }),
    read("/admin/catalog/products/{slug}/texts/{lang}", |c| {
        texts::get(c.db, c.param("slug"), c.param("lang"))
    }),
    post("/admin/catalog/products/{slug}/texts/{lang}", |c| {
        texts::put(c.db, c.head, c.param("slug"), c.param("lang"), c.body)
    }),
    post("/admin/catalog/products/{slug}/archive", |c| {
        products::archive(c.db, c.head, c.param("slug"))
    }),
    post("/admin/catalog/products/{slug}/restore", |c| {
        products::restore(c.db, c.head, c.param("slug"))
    }),
    post("/admin/catalog/products/{slug}/options", |c| {
        options::rename(c.db, c.head, c.param("slug"), c.body)
    }),
    post("/admin/catalog/products/{slug}/variants", |c| {
        variants::add(c.db, c.head, c.param("slug"), c.body)
    }),
    image_upload("/admin/catalog/products/{slug}/images", |c| match c.image {
        Some(image) => images::add(c.db, c.head, c.param("slug"), image, c.body),
        None => Err(anyhow::anyhow!("image route without a checked image").into()),
    }),
    post("/admin/catalog/products/{slug}/images/{id}", |c| {
        images::update(c.db, c.head, c.param("slug"), c.param("id"), c.body)
    }),
    post("/admin/catalog/products/{slug}/images/{id}/remove", |c| {
        images::remove(c.db, c.head, c.param("slug"), c.param("id"))
    }),
    post("/admin/catalog/variants/{sku}", |c| {
        variants::update(c.db, c.head, c.param("sku"), c.body)
    }),
    post("/admin/catalog/variants/{sku}/archive", |c| {
        variants::archive(c.db, c.head, c.param("sku"))
    }),
    post("/admin/catalog/variants/{sku}/restore", |c| {
        variants::restore(c.db, c.head, c.param("sku"))
    }),
    post("/admin/catalog/collections", |c| {
        collections::create(c.db, c.head, c.body)
    }),
    post("/admin/catalog/collections/{slug}", |c| {
        collections::update(c.db, c.head, c.param("slug"), c.body)
    }),
    post("/admin/catalog/collections/{slug}/products", |c| {
        collections::add_product(c.db, c.head, c.param("slug"), c.body)
    }),
    post(
        "/admin/catalog/collections/{slug}/products/{product}/remove",
        |c| collections::remove_product(c.db, c.head, c.param("slug"), c.param("product")),
    ),
    // Orders and their payments.
    post("/orders", |c| {
        place::place(c.db, &c.head.idempotency_key, &c.head.client_key, c.body)
    }),
    // Before `/orders/{number}`: "quote" is not an order number.
    post("/orders/quote", |c| {
        quote::quote(c.db, &c.head.client_key, c.body)
    }),
    get("/orders/{number}", |c| {
        orders::view::get(c.db, c.param("number"))
    }),
    post("/orders/{number}/transitions", |c| {
        transitions::transition(c.db, c.head, c.param("number"), c.body)
    }),
    post("/orders/{number}/change", |c| {
        change::change(c.db, &c.head.idempotency_key, c.param("number"), c.body)
    }),
    post("/orders/{number}/payment-intent", |c| {
        intents::record_intent(c.db, c.param("number"), c.body)
    }),
    get("/orders/{number}/payment", |c| {
        intents::get(c.db, c.param("number"))
    }),
    post("/orders/{number}/refunds", |c| {
        refunds::request(c.db, c.head, c.param("number"), c.body)
    }),
    get("/orders/{number}/refunds/{seq}", |c| {
        refunds::get(c.db, c.param("number"), c.param("seq"))
    }),
    post("/orders/{number}/refunds/{seq}/result", |c| {
        refunds::report(c.db, c.param("number"), c.param("seq"), c.body)
    }),
    // Returns of shipped orders.
    read("/orders/{number}/returns", |c| {
        returns::request::get(c.db, c.param("number"))
    }),
    post("/orders/{number}/returns", |c| {
        returns::request::request(c.db, c.head, c.param("number"), c.body)
    }),
    post("/returns/{id}/accept", |c| {
        returns::decide::accept(c.db, c.head, c.param("id"), c.body)
    }),
    post("/returns/{id}/refuse", |c| {
        returns::decide::refuse(c.db, c.head, c.param("id"), c.body)
    }),
    read("/admin/returns", |c| returns::list::list(c.db, c.query())),
    read("/admin/settings/returns", |c| returns::settings::get(c.db)),
    put("/admin/settings/returns", |c| {
        returns::settings::put(c.db, c.head, c.body)
    }),
    post_capped("/payments/events", MAX_EVENT_BODY, |c| {
        events::receive(c.db, c.body)
    }),
    // Operations.
    post("/admin/idempotency/sweep", |c| {
        crate::idempotency::retention::sweep(c.db)
    }),
    post("/admin/outbox/sweep", |c| {
        crate::outbox::retention::sweep(c.db)
    }),
    post("/admin/release-expired", |c| {
        transitions::release_expired(c.db, c.body)
    }),
    get("/admin/audit", |c| audit::audit(c.db, c.query())),
    get("/admin/audit/last", |c| audit::last(c.db)),
    post("/admin/backup", |c| backup::backup(c.db, c.body)),
    post_capped("/admin/reconcile", MAX_RECONCILE_BODY, |c| {
        reconcile::reconcile(c.db, c.body)
    }),
    post("/admin/payment-events/{event_id}/review", |c| {
        reviews::review(c.db, c.param("event_id"), c.body)
    }),
    post("/admin/products/{slug}/stock", |c| {
        stock::adjust(
            c.db,
            stock::Target::Product(c.param("slug")),
            &c.head.idempotency_key,
            c.body,
        )
    }),
    // The owner's orders and payment reviews.
    get("/admin/orders", |c| {
        orders::owner_list::list(c.db, c.query())
    }),
    get("/admin/orders/{number}", |c| {
        owner_view::get(c.db, c.param("number"))
    }),
    get("/admin/customers", |c| {
        crate::customers::list::list(c.db, c.query())
    }),
    get("/admin/customers/one", |c| {
        crate::customers::one::get(c.db, c.query())
    }),
    post("/admin/orders/{number}/notes", |c| {
        orders::notes::add(c.db, c.head, c.param("number"), c.body)
    }),
    get("/admin/payment-events", |c| reviews::queue(c.db, c.query())),
    // The owner: sign-in and sessions.
    read("/admin/owner", |c| sign_in::get(c.db)),
    put("/admin/owner/password", |c| {
        sign_in::set_password(c.db, c.head, c.body)
    }),
    post("/admin/owner/sign-ins", |c| sign_in::start(c.db, c.body)),
    post("/admin/owner/sign-ins/{attempt}", |c| {
        sign_in::finish(c.db, c.param("attempt"), c.body)
    }),
    get("/admin/owner/sessions", |c| sessions::list(c.db)),
    post("/admin/owner/sessions/end-all", |c| {
        sessions::end_all(c.db, c.body)
    }),
    post("/admin/owner/sessions/{id}/check", |c| {
        sessions::check(c.db, c.param("id"))
    }),
    post("/admin/owner/sessions/{id}/end", |c| {
        sessions::end(c.db, c.param("id"))
    }),
    // Customer accounts: sign-in by email, sessions, history, addresses, data.
    post("/customers/sign-ins", |c| {
        customers::sign_ins::request(c.db, c.head, c.body)
    }),
    post("/customers/sign-ins/confirm", |c| {
        customers::sign_ins::confirm(c.db, c.head, c.body)
    }),
    get("/customers/sessions/{id}", |c| {
        customers::sessions::check(c.db, c.param("id"))
    }),
    post("/customers/sessions/{id}/end", |c| {
        customers::sessions::end(c.db, c.param("id"))
    }),
    get("/customers/sessions/{id}/orders", |c| {
        customers::history::list(c.db, c.param("id"), c.query())
    }),
    get("/customers/sessions/{id}/data", |c| {
        customers::data::download(c.db, c.param("id"))
    }),
    post("/customers/sessions/{id}/erase", |c| {
        customers::data::erase(c.db, c.head, c.param("id"))
    }),
    post("/customers/sessions/{id}/addresses", |c| {
        customers::addresses::add(c.db, c.head, c.param("id"), c.body)
    }),
    post("/customers/sessions/{id}/addresses/{address}/remove", |c| {
        customers::addresses::remove(c.db, c.head, c.param("id"), c.param("address"))
    }),
    // The outbox.
    post("/outbox/claim", |c| outbox::claim::claim(c.db, c.body)),
    post("/outbox/{message_id}/result", |c| {
        outbox::report::report(c.db, c.param("message_id"), c.body)
    }),
    post_capped("/outbox/results", MAX_REPORTS_BODY, |c| {
        outbox::results::results(c.db, c.body)
    }),
    get("/admin/outbox", |c| outbox::lists::outbox(c.db, c.query())),
    get("/admin/mail", |c| outbox::lists::mailbox(c.db, c.query())),
    get("/admin/webhooks", |c| outbox::webhooks::list(c.db)),
    post("/admin/webhooks", |c| outbox::webhooks::add(c.db, c.body)),
    post("/admin/webhooks/{id}/deactivate", |c| {
        outbox::webhooks::deactivate(c.db, c.param("id"))
    }),
    get("/admin/webhooks/{id}/deliveries", |c| {
        outbox::deliveries::log(c.db, c.param("id"))
    }),
    post("/admin/webhooks/{id}/test", |c| {
        outbox::deliveries::send_test(c.db, c.head, c.param("id"))
    }),
    // Shop settings and the owner's checkout settings.
    catalog("/settings", |c| settings::get(c.db)),
    put("/admin/settings", |c| settings::put(c.db, c.head, c.body)),
    get("/admin/discounts", |c| discount_codes::list(c.db)),
    post("/admin/discounts", |c| {
        discount_codes::create(c.db, c.head, c.body)
    }),
    post("/admin/discounts/{code}", |c| {
        discount_codes::update(c.db, c.head, c.param("code"), c.body)
    }),
    post("/admin/discounts/{code}/deactivate", |c| {
        discount_codes::deactivate(c.db, c.head, c.param("code"))
    }),
    get("/admin/shipping", |c| shipping_methods::list(c.db)),
    post("/admin/shipping/methods/{code}", |c| {
        shipping_methods::update(c.db, c.head, c.param("code"), c.body)
    }),
    post("/admin/shipping/zones", |c| {
        shipping_zones::create_zone(c.db, c.head, c.body)
    }),
    post("/admin/shipping/zones/{id}", |c| {
        shipping_zones::update_zone(c.db, c.head, c.param("id"), c.body)
    }),
    post("/admin/shipping/zones/{id}/methods", |c| {
        shipping_zones::add_method(c.db, c.head, c.param("id"), c.body)
    }),
    get("/admin/tax-rates", |c| tax_rates::list(c.db)),
    post("/admin/tax-rates/{country}", |c| {
        tax_rates::set(c.db, c.head, c.param("country"), c.body)
    }),
    // The owner's dashboard and export.
    get("/admin/dashboard", |c| dashboard::dashboard(c.db)),
    get("/admin/backlog", |c| dashboard::backlog(c.db)),
    get("/admin/export/orders", |c| export::export(c.db, c.query())),
    // The payment courier.
    get("/provider-actions/due", |c| provider_actions::due(c.db)),
    post("/provider-actions/{id}/result", |c| {
        provider_actions::report(c.db, c.param("id"), c.body)
    }),
];

/// The values of a pattern's `{name}` segments, in order.
pub struct Params<'a>(Vec<(&'static str, &'a str)>);

impl<'a> Params<'a> {
    fn get(&self, name: &str) -> &'a str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("route parameter {{{name}}} is not in the pattern"))
    }
}

/// The parameters if `path` matches `pattern`.
fn matches<'a>(pattern: &'static str, path: &'a str) -> Option<Params<'a>> {
    let mut wanted = pattern.strip_prefix('/').unwrap_or(pattern).split('/');
    let mut given = path.strip_prefix('/').unwrap_or(path).split('/');
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(Params(params)),
            (Some(w), Some(g)) => match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if !g.is_empty() => params.push((name, g)),
                Some(_) => return None,
                None if w == g => {}
                None => return None,
            },
            _ => return None,
        }
    }
}

/// The route for `method` and `path`, with its parameters; 404 `not_found` for an unknown
/// path, 405 `method_not_allowed` for a known path with another method.
pub fn find<'a>(method: &Method, path: &'a str) -> Result<(&'static Route, Params<'a>), ApiError> {
    let Some((pattern, params)) = ROUTES
        .iter()
        .find_map(|r| matches(r.pattern, path).map(|params| (r.pattern, params)))
    else {
        return Err(ApiError::not_found(format!("no route for {path}")));
    };
    let mut same_path = ROUTES.iter().filter(|r| r.pattern == pattern);
    if let Some(route) = same_path.clone().find(|r| r.verb.method() == *method) {
        return Ok((route, params));
    }
    let allowed = same_path
        .next_back()
        .expect("the matched pattern has an entry")
        .verb
        .method();
    Err(ApiError::new(
        405,
        "method_not_allowed",
        format!("{path} accepts {allowed} only, not {method}"),
    )
    .with_header("allow", allowed.to_string()))
}

/// Runs `route`'s handler as its entry says.
pub fn answer(route: &Route, ctx: &Ctx) -> Result<Response, ApiError> {
    let answer = (route.handler)(ctx);
    match route.reads {
        Reads::Direct => answer,
        Reads::UntilWrite => until_write(answer),
        Reads::Catalog => catalog_only(answer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn found(method: Method, path: &str) -> &'static str {
        match find(&method, path) {
            Ok((route, _)) => route.pattern,
            Err(e) => panic!("{method} {path}: {} {}", e.status, e.body.error.code),
        }
    }

    #[test]
    fn every_pattern_is_unique_per_method() {
        let mut seen = HashSet::new();
        for r in ROUTES {
            assert!(
                seen.insert((r.verb, r.pattern)),
                "{:?} {} twice",
                r.verb,
                r.pattern
            );
        }
    }

    #[test]
    fn every_pattern_starts_with_a_slash_and_has_no_empty_segment() {
        for r in ROUTES {
            assert!(r.pattern.starts_with('/'), "{}", r.pattern);
            assert!(
                !r.pattern[1..].split('/').any(str::is_empty),
                "{}",
                r.pattern
            );
        }
    }

    #[test]
    fn commands_read_a_capped_body_and_reads_read_none() {
        for r in ROUTES {
            match r.verb {
                Verb::Get => assert_eq!(r.body, Body::None, "{}", r.pattern),
                Verb::Post | Verb::Put => {
                    assert_ne!(r.body, Body::None, "{}", r.pattern);
                    assert!(r.body.cap() > 0, "{}", r.pattern);
                }
            }
            if r.reads != Reads::Direct {
                assert_eq!(r.verb, Verb::Get, "{}", r.pattern);
            }
        }
    }

    #[test]
    fn the_caps_are_the_commands_own() {
        let cap = |verb, pattern| {
            ROUTES
                .iter()
                .find(|r| r.verb == verb && r.pattern == pattern)
                .map(|r| r.body.cap())
        };
        assert_eq!(cap(Verb::Post, "/payments/events"), Some(MAX_EVENT_BODY));
        assert_eq!(
            cap(Verb::Post, "/admin/reconcile"),
            Some(MAX_RECONCILE_BODY)
        );
        assert_eq!(
            cap(Verb::Post, "/admin/catalog/products/{slug}/images"),
            Some(MAX_IMAGE_BODY)
        );
        assert_eq!(cap(Verb::Post, "/orders"), Some(MAX_BODY));
        assert_eq!(cap(Verb::Put, "/admin/settings"), Some(MAX_BODY));
    }

    #[test]
    fn only_the_image_upload_checks_an_image() {
        let images: Vec<_> = ROUTES.iter().filter(|r| r.body == Body::Image).collect();
        assert_eq!(images.len(), 1);
        assert_eq!(images[0].pattern, "/admin/catalog/products/{slug}/images");
        assert_eq!(images[0].verb, Verb::Post);
    }

    #[test]
    fn parameters_are_named_segments() {
        let (route, params) = find(&Method::Post, "/orders/SF-1/refunds/2/result").unwrap();
        assert_eq!(route.pattern, "/orders/{number}/refunds/{seq}/result");
        assert_eq!(params.get("number"), "SF-1");
        assert_eq!(params.get("seq"), "2");
    }

    #[test]
    fn the_quote_is_not_an_order_number() {
        assert_eq!(found(Method::Post, "/orders/quote"), "/orders/quote");
        assert_eq!(found(Method::Get, "/orders/SF-1"), "/orders/{number}");
        let e = find(&Method::Get, "/orders/quote").err().unwrap();
        assert_eq!(
            (e.status, e.body.error.code.as_str()),
            (405, "method_not_allowed")
        );
    }

    #[test]
    fn one_path_two_methods() {
        assert_eq!(found(Method::Get, "/admin/webhooks"), "/admin/webhooks");
        assert_eq!(
            find(&Method::Post, "/admin/webhooks").unwrap().0.verb,
            Verb::Post
        );
        assert_eq!(
            find(&Method::Get, "/admin/discounts").unwrap().0.verb,
            Verb::Get
        );
        assert_eq!(
            find(&Method::Post, "/admin/discounts").unwrap().0.verb,
            Verb::Post
        );
    }

    #[test]
    fn unknown_paths_and_empty_segments_are_404() {
        for path in [
            "/",
            "/nope",
            "/orders/",
            "/catalog/products/",
            "/orders//payment",
            "/health/x",
        ] {
            let e = find(&Method::Get, path).err().unwrap();
            assert_eq!(
                (e.status, e.body.error.code.as_str()),
                (404, "not_found"),
                "{path}"
            );
            assert_eq!(e.body.error.message, format!("no route for {path}"));
        }
    }

    #[test]
    fn another_method_is_405_with_allow() {
        let e = find(&Method::Delete, "/orders").err().unwrap();
        assert_eq!(
            (e.status, e.body.error.code.as_str()),
            (405, "method_not_allowed")
        );
        assert_eq!(
            e.body.error.message,
            "/orders accepts POST only, not DELETE"
        );
        assert_eq!(e.header("allow"), Some("POST"));
        let e = find(&Method::Post, "/catalog/products/mug").err().unwrap();
        assert_eq!(e.header("allow"), Some("GET"));
        // A path with a GET and a POST entry names its POST.
        let e = find(&Method::Put, "/admin/webhooks").err().unwrap();
        assert_eq!(
            e.body.error.message,
            "/admin/webhooks accepts POST only, not PUT"
        );
        assert_eq!(e.header("allow"), Some("POST"));
    }
}
