//! The route table: every path the component answers, with its methods, its body cap,
//! who may use it, the configuration it needs, and the [`Route`] its handler is
//! dispatched by ([`super::dispatch`]; the back office's pages by [`crate::office`]).
//!
//! Properties of the entries, tested below on the table itself: `HEAD` is answered
//! wherever `GET` is (and listed in `Allow`); a route that needs a feature switched off is
//! 404 for every method, as if never written; a typed segment that cannot hold (an
//! impossible order number, a bad slug) makes the path unknown whatever the method;
//! only the root may have an empty segment; every entry that takes a body has a cap; a
//! path belongs to one entry at most (its methods are the path's `Allow`).

use super::pattern::{self, Captures};
use crate::http::body::{MAX_BODY, MAX_EVENT_BODY, MAX_IMAGE_UPLOAD};
use crate::office::orders::actions::Action;
use crate::shop::legal::Kind;
use storefront_domain::OrderState;

/// Everything the component answers to, by handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    Catalog,
    Collection(&'a str),
    Search,
    Product(&'a str),
    /// A product picture by its content hash (checked by the handler).
    Image(&'a str),
    /// `/favicon.svg` or `/favicon.ico`.
    Favicon,
    /// `/robots.txt`.
    Robots,
    /// `/sitemap.xml`: the one file or the index.
    Sitemap,
    /// `/sitemaps/{name}`: a page of the index (checked by the handler).
    SitemapPage(&'a str),
    Legal(Kind),
    /// `/lang/{code}`: the header's language switch (the handler knows the codes).
    Language(&'a str),
    Cart,
    CartAdd,
    CartUpdate,
    CartRemove,
    Checkout,
    PlaceOrderForm,
    /// Order numbers are canonical ([`storefront_domain::order_number::normalize`]).
    Order(String),
    Pay(String),
    PayTest(String),
    /// The return form of a shipped order (`GET`) and the request (`POST`).
    OrderReturn(String),
    OrderReturnAsk(String),
    StripeWebhook,
    OwnerRefund(String),
    /// Ship or cancel.
    OwnerTransition(String, OrderState),
    /// Settle a payment event the audit flags.
    OwnerReviewEvent(&'a str),
    /// Restock a product or take stock away.
    OwnerAdjustStock(&'a str),
    OwnerOrders,
    /// One order as the owner sees it, internal notes included.
    OwnerOrder(String),
    /// Add an internal note to an order.
    OwnerOrderNote(String),
    /// One round of the outbox's dispatcher, for a scheduler under real `spin up` (the
    /// storefront host runs its own on a timer).
    OwnerDispatchOutbox,
    /// A catalog command or read, by the writer path it is forwarded to.
    OwnerCatalog(String),
    /// Shop settings, discount codes, shipping, tax rates, by writer path.
    OwnerCheckout(String),
    /// The outbox, the local mailbox, webhook endpoints, by writer path.
    OwnerOutbox(String),
    ApiProducts,
    ApiProduct(&'a str),
    ApiCollections,
    ApiCollection(&'a str),
    ApiSearch,
    ApiPlaceOrder,
    ApiOrder(String),
    ApiPayment(String),
    /// Customer accounts: the sign-in form (`GET`) and asking for the email (`POST`).
    Login,
    LoginAsk,
    LoginCode,
    /// A sign-in email's link (`GET`, a confirm button) and its confirmation (`POST`).
    LoginLink,
    LoginConfirm,
    Account,
    AccountSignOut,
    AccountData,
    AccountErase,
    AccountAddAddress,
    /// A saved address's id as typed (checked by the handler).
    AccountRemoveAddress(&'a str),
    /// A back-office page or form action.
    Office(OfficePage<'a>),
}

/// Every page and form action of the back office ([`crate::office`]), by handler.
/// Slugs, SKUs and ids are checked by the table; the `&str` of a `{any}` segment is
/// checked by its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficePage<'a> {
    Dashboard,
    /// The first password, with the one-time setup token (`GET` the form, `POST` it).
    Setup,
    SignInForm,
    SignIn,
    SignOut,
    Orders,
    /// An order's page, by the number as typed.
    Order(&'a str),
    /// The confirmation page of shipping, cancelling or refunding an order.
    ConfirmOrderAction(String, Action),
    OrderAction(String, Action),
    /// Ask the provider again for the order's refund of this position.
    RetryRefund(String, i64),
    /// Add an internal note to the order.
    AddOrderNote(String),
    /// Returns: the list, and accepting or refusing one (its id, digits).
    Returns,
    AcceptReturn(&'a str),
    RefuseReturn(&'a str),
    /// The return window's form (`GET`) and its change (`POST`).
    ReturnSettings,
    SaveReturnSettings,
    Customers,
    /// A customer by their email address, percent-encoded (decoded by the handler).
    Customer(&'a str),
    Products,
    NewProduct,
    CreateProduct,
    Product(&'a str),
    UpdateProduct(&'a str),
    /// The product's name and description in another language (`{slug}`, `{lang}`).
    UpdateProductText(&'a str, &'a str),
    ConfirmArchiveProduct(&'a str),
    ArchiveProduct(&'a str),
    RestoreProduct(&'a str),
    RenameOption(&'a str),
    AddVariant(&'a str),
    /// Product and SKU.
    UpdateVariant(&'a str, &'a str),
    AdjustStock(&'a str, &'a str),
    ConfirmArchiveVariant(&'a str, &'a str),
    ArchiveVariant(&'a str, &'a str),
    RestoreVariant(&'a str, &'a str),
    JoinCollection(&'a str),
    UploadImage(&'a str),
    /// Product and image id.
    UpdateImage(&'a str, &'a str),
    RemoveImage(&'a str, &'a str),
    Collections,
    CreateCollection,
    Collection(&'a str),
    UpdateCollection(&'a str),
    AddMember(&'a str),
    /// Collection and product.
    RemoveMember(&'a str, &'a str),
    PaymentEvents,
    ReviewEvent(&'a str),
    Export,
    ExportOrders,
    Settings,
    SaveSettings,
    Discounts,
    CreateDiscount,
    DeactivateDiscount(&'a str),
    /// One discount code's form (`GET`) and its change (`POST`).
    Discount(&'a str),
    SaveDiscount(&'a str),
    ReactivateDiscount(&'a str),
    Shipping,
    ChangeShipping(&'a str),
    CreateZone,
    /// Zone id.
    UpdateZone(&'a str),
    AddShippingMethod(&'a str),
    TaxRates,
    SaveTaxRate,
    /// The tax form filled in with a country's rate.
    TaxRate(&'a str),
    Password,
    ChangePassword,
    Sessions,
    EndOtherSessions,
    EndSession(&'a str),
    Mail,
    Webhooks,
    AddWebhook,
    DeactivateWebhook(&'a str),
    /// An endpoint's delivery log, and its test event.
    WebhookLog(&'a str),
    TestWebhook(&'a str),
}

/// Who may use a route; the shop, the JSON API and the back office are told apart by
/// the request ([`crate::http::Req::is_json`], [`crate::office::wants`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone with a browser: the HTML shop.
    Shopper,
    /// Anyone: the JSON API (an order's routes check its access token).
    Client,
    /// The payment provider, proven by its signature on the body.
    Provider,
    /// The owner's scripts: `Authorization: Bearer {admin_token}`, else 401.
    OwnerToken,
    /// A browser on the back office's sign-in and setup pages, before any session.
    Visitor,
    /// The owner in the back office, with a session, else to the sign-in page.
    OwnerSession,
}

impl Who {
    /// Whether the route is a back-office page.
    pub fn in_office(self) -> bool {
        matches!(self, Who::Visitor | Who::OwnerSession)
    }
}

/// Routes that exist only in some configurations. Switched off, they are 404 for every
/// method, as if never written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features {
    /// `payment_mode` is `test`.
    pub test_payments: bool,
    /// `admin_token` is set: the owner's JSON API exists.
    pub owner_api: bool,
}

/// What a route needs switched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    TestPayments,
    OwnerApi,
}

impl Needs {
    fn met(self, features: Features) -> bool {
        match self {
            Needs::Nothing => true,
            Needs::TestPayments => features.test_payments,
            Needs::OwnerApi => features.owner_api,
        }
    }
}

/// The body a route reads, and so the cap on what is read before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// None expected; what comes is capped like a form.
    Nothing,
    /// A form or a JSON command ([`MAX_BODY`]).
    Form,
    /// A payment provider's event ([`MAX_EVENT_BODY`]).
    Event,
    /// An image upload ([`MAX_IMAGE_UPLOAD`]).
    Image,
}

impl Body {
    pub fn cap(self) -> usize {
        match self {
            Body::Nothing | Body::Form => MAX_BODY,
            Body::Event => MAX_EVENT_BODY,
            Body::Image => MAX_IMAGE_UPLOAD,
        }
    }
}

/// One row of the table.
pub struct Entry {
    /// The methods, as `Allow` lists them (`HEAD` is added wherever `GET` is).
    pub methods: &'static str,
    pub path: &'static str,
    pub body: Body,
    pub who: Who,
    pub needs: Needs,
    /// The handler, by the route it is dispatched on.
    pub route: for<'a> fn(&Captures<'a>) -> Route<'a>,
}

impl Entry {
    /// Whether the entry answers `method` (`HEAD` routed as `GET`).
    pub fn allows(&self, method: &str) -> bool {
        self.methods.split(", ").any(|m| m == method)
    }
}

const fn entry(
    methods: &'static str,
    path: &'static str,
    body: Body,
    who: Who,
    needs: Needs,
    route: for<'a> fn(&Captures<'a>) -> Route<'a>,
) -> Entry {
    Entry {
        methods,
        path,
        body,
        who,
        needs,
        route,
    }
}

use Body::{Event, Form, Image, Nothing};
use Needs::{OwnerApi, TestPayments};
use Who::{Client, OwnerSession, OwnerToken, Provider, Shopper, Visitor};

/// A route every configuration has.
const ALWAYS: Needs = Needs::Nothing;

#[rustfmt::skip]
pub const ROUTES: &[Entry] = &[
    // The shop (HTML).
    entry("GET", "/", Nothing, Shopper, ALWAYS, |_| Route::Catalog),
    entry("GET", "/collections/{any}", Nothing, Shopper, ALWAYS, |c| Route::Collection(c.value(0))),
    entry("GET", "/search", Nothing, Shopper, ALWAYS, |_| Route::Search),
    entry("GET", "/favicon.svg", Nothing, Shopper, ALWAYS, |_| Route::Favicon),
    entry("GET", "/favicon.ico", Nothing, Shopper, ALWAYS, |_| Route::Favicon),
    entry("GET", "/robots.txt", Nothing, Shopper, ALWAYS, |_| Route::Robots),
    entry("GET", "/sitemap.xml", Nothing, Shopper, ALWAYS, |_| Route::Sitemap),
    entry("GET", "/sitemaps/{any}", Nothing, Shopper, ALWAYS, |c| Route::SitemapPage(c.value(0))),
    entry("GET", "/terms", Nothing, Shopper, ALWAYS, |_| Route::Legal(Kind::Terms)),
    entry("GET", "/privacy", Nothing, Shopper, ALWAYS, |_| Route::Legal(Kind::Privacy)),
    entry("GET", "/returns", Nothing, Shopper, ALWAYS, |_| Route::Legal(Kind::Returns)),
    entry("GET", "/imprint", Nothing, Shopper, ALWAYS, |_| Route::Legal(Kind::Imprint)),
    entry("GET", "/lang/{any}", Nothing, Shopper, ALWAYS, |c| Route::Language(c.value(0))),
    entry("GET", "/products/{any}", Nothing, Shopper, ALWAYS, |c| Route::Product(c.value(0))),
    entry("GET", "/images/{any}", Nothing, Shopper, ALWAYS, |c| Route::Image(c.value(0))),
    entry("GET", "/cart", Nothing, Shopper, ALWAYS, |_| Route::Cart),
    entry("POST", "/cart/add", Form, Shopper, ALWAYS, |_| Route::CartAdd),
    entry("POST", "/cart/update", Form, Shopper, ALWAYS, |_| Route::CartUpdate),
    entry("POST", "/cart/remove", Form, Shopper, ALWAYS, |_| Route::CartRemove),
    entry("GET, POST", "/checkout", Form, Shopper, ALWAYS, |c| match c.method {
        "POST" => Route::PlaceOrderForm,
        _ => Route::Checkout,
    }),
    entry("GET", "/orders/{number}", Nothing, Shopper, ALWAYS, |c| Route::Order(c.number())),
    entry("GET", "/orders/{number}/pay", Nothing, Shopper, ALWAYS, |c| Route::Pay(c.number())),
    entry("GET, POST", "/orders/{number}/return", Form, Shopper, ALWAYS, |c| match c.method {
        "POST" => Route::OrderReturnAsk(c.number()),
        _ => Route::OrderReturn(c.number()),
    }),
    // Customer accounts (passwordless).
    entry("GET, POST", "/login", Form, Shopper, ALWAYS, |c| match c.method {
        "POST" => Route::LoginAsk,
        _ => Route::Login,
    }),
    entry("POST", "/login/code", Form, Shopper, ALWAYS, |_| Route::LoginCode),
    entry("GET, POST", "/login/link", Form, Shopper, ALWAYS, |c| match c.method {
        "POST" => Route::LoginConfirm,
        _ => Route::LoginLink,
    }),
    entry("GET", "/account", Nothing, Shopper, ALWAYS, |_| Route::Account),
    entry("POST", "/account/sign-out", Form, Shopper, ALWAYS, |_| Route::AccountSignOut),
    entry("GET", "/account/data.json", Nothing, Shopper, ALWAYS, |_| Route::AccountData),
    entry("POST", "/account/erase", Form, Shopper, ALWAYS, |_| Route::AccountErase),
    entry("POST", "/account/addresses", Form, Shopper, ALWAYS, |_| Route::AccountAddAddress),
    entry("POST", "/account/addresses/{any}/remove", Form, Shopper, ALWAYS, |c| Route::AccountRemoveAddress(c.value(0))),
    entry("POST", "/orders/{number}/pay/test", Form, Shopper, TestPayments, |c| Route::PayTest(c.number())),
    // The JSON API.
    entry("GET", "/api/products", Nothing, Client, ALWAYS, |_| Route::ApiProducts),
    entry("GET", "/api/products/{any}", Nothing, Client, ALWAYS, |c| Route::ApiProduct(c.value(0))),
    entry("GET", "/api/collections", Nothing, Client, ALWAYS, |_| Route::ApiCollections),
    entry("GET", "/api/collections/{any}", Nothing, Client, ALWAYS, |c| Route::ApiCollection(c.value(0))),
    entry("GET", "/api/search", Nothing, Client, ALWAYS, |_| Route::ApiSearch),
    entry("POST", "/api/orders", Form, Client, ALWAYS, |_| Route::ApiPlaceOrder),
    entry("GET", "/api/orders/{number}", Nothing, Client, ALWAYS, |c| Route::ApiOrder(c.number())),
    entry("POST", "/api/orders/{number}/payment", Form, Client, ALWAYS, |c| Route::ApiPayment(c.number())),
    entry("POST", "/webhooks/stripe", Event, Provider, ALWAYS, |_| Route::StripeWebhook),
    // The owner's JSON API: orders, payments, stock.
    entry("GET", "/admin/orders", Nothing, OwnerToken, OwnerApi, |_| Route::OwnerOrders),
    entry("GET", "/admin/orders/{number}", Nothing, OwnerToken, OwnerApi, |c| Route::OwnerOrder(c.number())),
    entry("POST", "/admin/orders/{number}/notes", Form, OwnerToken, OwnerApi, |c| Route::OwnerOrderNote(c.number())),
    entry("POST", "/admin/orders/{number}/refund", Form, OwnerToken, OwnerApi, |c| Route::OwnerRefund(c.number())),
    entry("POST", "/admin/orders/{number}/fulfil", Form, OwnerToken, OwnerApi, |c| Route::OwnerTransition(c.number(), OrderState::Fulfilled)),
    entry("POST", "/admin/orders/{number}/cancel", Form, OwnerToken, OwnerApi, |c| Route::OwnerTransition(c.number(), OrderState::Cancelled)),
    entry("POST", "/admin/payment-events/{any}/review", Form, OwnerToken, OwnerApi, |c| Route::OwnerReviewEvent(c.value(0))),
    entry("POST", "/admin/products/{any}/stock", Form, OwnerToken, OwnerApi, |c| Route::OwnerAdjustStock(c.value(0))),
    // The owner's JSON API: the catalog, forwarded to the writer's route of the same path.
    entry("GET", "/admin/catalog/history", Nothing, OwnerToken, OwnerApi, catalog),
    entry("GET, POST", "/admin/catalog/products", Form, OwnerToken, OwnerApi, catalog),
    entry("GET, POST", "/admin/catalog/products/{slug}", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/products/{slug}/archive", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/products/{slug}/restore", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/products/{slug}/options", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/products/{slug}/variants", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/products/{slug}/images", Image, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/products/{slug}/images/{id}", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/products/{slug}/images/{id}/remove", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/variants/{sku}", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/variants/{sku}/archive", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/variants/{sku}/restore", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/variants/{sku}/stock", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/collections", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/collections/{slug}", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/collections/{slug}/products", Form, OwnerToken, OwnerApi, catalog),
    entry("POST", "/admin/catalog/collections/{slug}/products/{slug}/remove", Form, OwnerToken, OwnerApi, catalog),
    // The owner's JSON API: checkout settings, forwarded likewise.
    entry("GET, PUT", "/admin/settings", Form, OwnerToken, OwnerApi, checkout),
    entry("GET, POST", "/admin/discounts", Form, OwnerToken, OwnerApi, checkout),
    entry("POST", "/admin/discounts/{code}", Form, OwnerToken, OwnerApi, checkout),
    entry("POST", "/admin/discounts/{code}/deactivate", Form, OwnerToken, OwnerApi, checkout),
    entry("GET", "/admin/shipping", Nothing, OwnerToken, OwnerApi, checkout),
    entry("POST", "/admin/shipping/methods/{method}", Form, OwnerToken, OwnerApi, checkout),
    entry("POST", "/admin/shipping/zones", Form, OwnerToken, OwnerApi, checkout),
    entry("POST", "/admin/shipping/zones/{id}", Form, OwnerToken, OwnerApi, checkout),
    entry("POST", "/admin/shipping/zones/{id}/methods", Form, OwnerToken, OwnerApi, checkout),
    entry("GET", "/admin/tax-rates", Nothing, OwnerToken, OwnerApi, checkout),
    entry("POST", "/admin/tax-rates/{country}", Form, OwnerToken, OwnerApi, checkout),
    // The owner's JSON API: the outbox, forwarded likewise, and a dispatcher round.
    entry("GET", "/admin/outbox", Nothing, OwnerToken, OwnerApi, outbox),
    entry("POST", "/admin/outbox/dispatch", Form, OwnerToken, OwnerApi, |_| Route::OwnerDispatchOutbox),
    entry("GET", "/admin/mail", Nothing, OwnerToken, OwnerApi, outbox),
    entry("GET, POST", "/admin/webhooks", Form, OwnerToken, OwnerApi, outbox),
    entry("POST", "/admin/webhooks/{id}/deactivate", Form, OwnerToken, OwnerApi, outbox),
    entry("GET", "/admin/webhooks/{id}/deliveries", Nothing, OwnerToken, OwnerApi, outbox),
    entry("POST", "/admin/webhooks/{id}/test", Form, OwnerToken, OwnerApi, outbox),
    // The back office (HTML): before any session.
    entry("GET, POST", "/admin/setup", Form, Visitor, ALWAYS, |_| office(OfficePage::Setup)),
    entry("GET, POST", "/admin/sign-in", Form, Visitor, ALWAYS, |c| get_post(c, OfficePage::SignInForm, OfficePage::SignIn)),
    entry("POST", "/admin/sign-out", Form, Visitor, ALWAYS, |_| office(OfficePage::SignOut)),
    // The back office: the owner's pages and form actions.
    entry("GET", "/admin", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Dashboard)),
    entry("GET", "/admin/orders", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Orders)),
    entry("GET", "/admin/orders/{any}", Nothing, OwnerSession, ALWAYS, |c| office(OfficePage::Order(c.value(0)))),
    entry("GET, POST", "/admin/orders/{number}/ship", Form, OwnerSession, ALWAYS, |c| order_action(c, Action::Ship)),
    entry("GET, POST", "/admin/orders/{number}/cancel", Form, OwnerSession, ALWAYS, |c| order_action(c, Action::Cancel)),
    entry("GET, POST", "/admin/orders/{number}/refund", Form, OwnerSession, ALWAYS, |c| order_action(c, Action::Refund)),
    entry("POST", "/admin/orders/{number}/notes", Form, OwnerSession, ALWAYS, |c| office(OfficePage::AddOrderNote(c.number()))),
    entry("POST", "/admin/orders/{number}/refunds/{seq}/retry", Form, OwnerSession, ALWAYS, |c| office(OfficePage::RetryRefund(c.number(), c.value(1).parse().expect("a {seq} holds")))),
    entry("GET", "/admin/returns", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Returns)),
    entry("POST", "/admin/returns/{id}/accept", Form, OwnerSession, ALWAYS, |c| office(OfficePage::AcceptReturn(c.value(0)))),
    entry("POST", "/admin/returns/{id}/refuse", Form, OwnerSession, ALWAYS, |c| office(OfficePage::RefuseReturn(c.value(0)))),
    entry("GET, POST", "/admin/settings/returns", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::ReturnSettings, OfficePage::SaveReturnSettings)),
    entry("GET", "/admin/customers", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Customers)),
    entry("GET", "/admin/customers/{any}", Nothing, OwnerSession, ALWAYS, |c| office(OfficePage::Customer(c.value(0)))),
    entry("GET", "/admin/catalog", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Products)),
    entry("GET, POST", "/admin/catalog/new", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::NewProduct, OfficePage::CreateProduct)),
    entry("GET, POST", "/admin/catalog/products/{slug}", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::Product(c.value(0)), OfficePage::UpdateProduct(c.value(0)))),
    entry("POST", "/admin/catalog/products/{slug}/texts/{any}", Form, OwnerSession, ALWAYS, |c| office(OfficePage::UpdateProductText(c.value(0), c.value(1)))),
    entry("GET, POST", "/admin/catalog/products/{slug}/archive", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::ConfirmArchiveProduct(c.value(0)), OfficePage::ArchiveProduct(c.value(0)))),
    entry("POST", "/admin/catalog/products/{slug}/restore", Form, OwnerSession, ALWAYS, |c| office(OfficePage::RestoreProduct(c.value(0)))),
    entry("POST", "/admin/catalog/products/{slug}/options", Form, OwnerSession, ALWAYS, |c| office(OfficePage::RenameOption(c.value(0)))),
    entry("POST", "/admin/catalog/products/{slug}/variants", Form, OwnerSession, ALWAYS, |c| office(OfficePage::AddVariant(c.value(0)))),
    entry("POST", "/admin/catalog/products/{slug}/variants/{sku}", Form, OwnerSession, ALWAYS, |c| office(OfficePage::UpdateVariant(c.value(0), c.value(1)))),
    entry("POST", "/admin/catalog/products/{slug}/variants/{sku}/stock", Form, OwnerSession, ALWAYS, |c| office(OfficePage::AdjustStock(c.value(0), c.value(1)))),
    entry("GET, POST", "/admin/catalog/products/{slug}/variants/{sku}/archive", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::ConfirmArchiveVariant(c.value(0), c.value(1)), OfficePage::ArchiveVariant(c.value(0), c.value(1)))),
    entry("POST", "/admin/catalog/products/{slug}/variants/{sku}/restore", Form, OwnerSession, ALWAYS, |c| office(OfficePage::RestoreVariant(c.value(0), c.value(1)))),
    entry("POST", "/admin/catalog/products/{slug}/collections", Form, OwnerSession, ALWAYS, |c| office(OfficePage::JoinCollection(c.value(0)))),
    entry("POST", "/admin/catalog/products/{slug}/images", Image, OwnerSession, ALWAYS, |c| office(OfficePage::UploadImage(c.value(0)))),
    entry("POST", "/admin/catalog/products/{slug}/images/{id}", Form, OwnerSession, ALWAYS, |c| office(OfficePage::UpdateImage(c.value(0), c.value(1)))),
    entry("POST", "/admin/catalog/products/{slug}/images/{id}/remove", Form, OwnerSession, ALWAYS, |c| office(OfficePage::RemoveImage(c.value(0), c.value(1)))),
    entry("GET, POST", "/admin/catalog/collections", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::Collections, OfficePage::CreateCollection)),
    entry("GET, POST", "/admin/catalog/collections/{slug}", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::Collection(c.value(0)), OfficePage::UpdateCollection(c.value(0)))),
    entry("POST", "/admin/catalog/collections/{slug}/products", Form, OwnerSession, ALWAYS, |c| office(OfficePage::AddMember(c.value(0)))),
    entry("POST", "/admin/catalog/collections/{slug}/products/{slug}/remove", Form, OwnerSession, ALWAYS, |c| office(OfficePage::RemoveMember(c.value(0), c.value(1)))),
    entry("GET", "/admin/payments", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::PaymentEvents)),
    entry("POST", "/admin/payments/{event}/review", Form, OwnerSession, ALWAYS, |c| office(OfficePage::ReviewEvent(c.value(0)))),
    entry("GET", "/admin/export", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Export)),
    entry("GET", "/admin/export/orders.csv", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::ExportOrders)),
    entry("GET, POST", "/admin/settings", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::Settings, OfficePage::SaveSettings)),
    entry("GET, POST", "/admin/settings/discounts", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::Discounts, OfficePage::CreateDiscount)),
    entry("POST", "/admin/settings/discounts/{any}/deactivate", Form, OwnerSession, ALWAYS, |c| office(OfficePage::DeactivateDiscount(c.value(0)))),
    entry("POST", "/admin/settings/discounts/{code}/reactivate", Form, OwnerSession, ALWAYS, |c| office(OfficePage::ReactivateDiscount(c.value(0)))),
    entry("GET, POST", "/admin/settings/discounts/{code}", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::Discount(c.value(0)), OfficePage::SaveDiscount(c.value(0)))),
    entry("POST", "/admin/settings/zones", Form, OwnerSession, ALWAYS, |_| office(OfficePage::CreateZone)),
    entry("POST", "/admin/settings/zones/{id}", Form, OwnerSession, ALWAYS, |c| office(OfficePage::UpdateZone(c.value(0)))),
    entry("POST", "/admin/settings/zones/{id}/methods", Form, OwnerSession, ALWAYS, |c| office(OfficePage::AddShippingMethod(c.value(0)))),
    entry("GET, POST", "/admin/settings/tax", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::TaxRates, OfficePage::SaveTaxRate)),
    entry("GET", "/admin/settings/tax/{country}", Nothing, OwnerSession, ALWAYS, |c| office(OfficePage::TaxRate(c.value(0)))),
    entry("GET", "/admin/settings/shipping", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Shipping)),
    entry("POST", "/admin/settings/shipping/{any}", Form, OwnerSession, ALWAYS, |c| office(OfficePage::ChangeShipping(c.value(0)))),
    entry("GET, POST", "/admin/settings/password", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::Password, OfficePage::ChangePassword)),
    entry("GET", "/admin/settings/sessions", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Sessions)),
    entry("POST", "/admin/settings/sessions/end-others", Form, OwnerSession, ALWAYS, |_| office(OfficePage::EndOtherSessions)),
    entry("POST", "/admin/settings/sessions/{any}/end", Form, OwnerSession, ALWAYS, |c| office(OfficePage::EndSession(c.value(0)))),
    entry("GET", "/admin/mail", Nothing, OwnerSession, ALWAYS, |_| office(OfficePage::Mail)),
    entry("GET, POST", "/admin/webhooks", Form, OwnerSession, ALWAYS, |c| get_post(c, OfficePage::Webhooks, OfficePage::AddWebhook)),
    entry("POST", "/admin/webhooks/{any}/deactivate", Form, OwnerSession, ALWAYS, |c| office(OfficePage::DeactivateWebhook(c.value(0)))),
    entry("GET", "/admin/webhooks/{id}", Nothing, OwnerSession, ALWAYS, |c| office(OfficePage::WebhookLog(c.value(0)))),
    entry("POST", "/admin/webhooks/{id}/test", Form, OwnerSession, ALWAYS, |c| office(OfficePage::TestWebhook(c.value(0)))),
];

fn catalog<'a>(c: &Captures<'a>) -> Route<'a> {
    Route::OwnerCatalog(c.path.to_string())
}

fn checkout<'a>(c: &Captures<'a>) -> Route<'a> {
    Route::OwnerCheckout(c.path.to_string())
}

fn outbox<'a>(c: &Captures<'a>) -> Route<'a> {
    Route::OwnerOutbox(c.path.to_string())
}

fn office(page: OfficePage<'_>) -> Route<'_> {
    Route::Office(page)
}

/// `get` for `GET`, `post` for `POST`: a page and the form it posts on one path.
fn get_post<'a>(c: &Captures<'a>, get: OfficePage<'a>, post: OfficePage<'a>) -> Route<'a> {
    Route::Office(if c.method == "POST" { post } else { get })
}

/// An order action's confirmation page (`GET`) or the action itself (`POST`).
fn order_action<'a>(c: &Captures<'a>, action: Action) -> Route<'a> {
    get_post(
        c,
        OfficePage::ConfirmOrderAction(c.number(), action),
        OfficePage::OrderAction(c.number(), action),
    )
}

/// Why a request has no route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    NotFound,
    /// The path exists; the value is the `Allow` header (without the implied `HEAD`).
    MethodNotAllowed(&'static str),
}

/// The entry and route for `method` on `path`, among the back office's entries
/// (`office`) or everyone else's. `HEAD` is routed as `GET`, with the same headers (the
/// HTTP server in front drops the body).
pub fn find<'a>(
    method: &'a str,
    path: &'a str,
    features: Features,
    office: bool,
) -> Result<(&'static Entry, Route<'a>), Miss> {
    let method = if method == "HEAD" { "GET" } else { method };
    if has_empty_segment(path) {
        return Err(Miss::NotFound);
    }
    let Some((entry, captures)) = on_path(path, method, features, office) else {
        return Err(Miss::NotFound);
    };
    if entry.allows(method) {
        Ok((entry, (entry.route)(&captures)))
    } else {
        Err(Miss::MethodNotAllowed(entry.methods))
    }
}

/// The entry `path` belongs to, whatever the method, with what its segments matched.
pub fn on_path<'a>(
    path: &'a str,
    method: &'a str,
    features: Features,
    office: bool,
) -> Option<(&'static Entry, Captures<'a>)> {
    ROUTES.iter().find_map(|entry| {
        let here = entry.who.in_office() == office && entry.needs.met(features);
        here.then(|| pattern::matches(entry.path, path, method))
            .flatten()
            .map(|captures| (entry, captures))
    })
}

/// Only the root may have an empty segment: `/cart/` and `/products//x` are not pages.
pub fn has_empty_segment(path: &str) -> bool {
    path != "/" && pattern::segments(path).iter().any(|s| s.is_empty())
}

/// The route for `method` on `path` outside the back office.
#[cfg(test)]
pub fn route<'a>(method: &'a str, path: &'a str, features: Features) -> Result<Route<'a>, Miss> {
    find(method, path, features, false).map(|(_, route)| route)
}

/// The most a request to `path` may send: the largest cap among the entries of the
/// path's shape, whatever its segments hold and whatever is switched on, so the cap is
/// known before anything is routed. Paths with no entry take forms' cap.
pub fn body_cap(path: &str) -> usize {
    ROUTES
        .iter()
        .filter(|e| pattern::has_shape(e.path, path))
        .map(|e| e.body.cap())
        .max()
        .unwrap_or(MAX_BODY)
}

/// An `Allow` value with `HEAD` wherever `GET` is allowed.
pub fn with_head(allow: &str) -> String {
    if allow.split(", ").any(|m| m == "GET") {
        format!("{allow}, HEAD")
    } else {
        allow.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A canonical order number.
    const N: &str = "SF-7K3M-Q9TX-2PDA";

    /// Routing with every optional route switched off.
    fn route<'a>(method: &'a str, path: &'a str) -> Result<Route<'a>, Miss> {
        super::route(method, path, Features::default())
    }

    const ALL: Features = Features {
        test_payments: true,
        owner_api: true,
    };

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
        assert_eq!(route("GET", "/terms"), Ok(Route::Legal(Kind::Terms)));
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
        let all = ALL;
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
            Ok(Route::OwnerRefund(N.into()))
        );
        assert_eq!(
            super::route("POST", "/admin/payment-events/evt_1/review", all),
            Ok(Route::OwnerReviewEvent("evt_1"))
        );
        assert_eq!(
            super::route("POST", "/admin/products/mug/stock", all),
            Ok(Route::OwnerAdjustStock("mug"))
        );
        assert_eq!(
            super::route("GET", "/admin/orders", all),
            Ok(Route::OwnerOrders)
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
        let all = ALL;
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
            let path = format!("/orders/{spelling}");
            assert_eq!(route("GET", &path), Ok(Route::Order(N.into())));
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

    /// The writer path and the methods of `{prefix}/{rest}` in the owner's JSON API, or
    /// `None` when it is no route there (what the forwarding routes accept).
    fn target(prefix: &str, rest: &str) -> Option<(String, &'static str)> {
        let path = format!("{prefix}/{rest}");
        let allow = match super::route("PATCH", &path, ALL) {
            Err(Miss::MethodNotAllowed(allow)) => allow,
            _ => return None,
        };
        let method = allow.split(", ").next().expect("one method");
        match super::route(method, &path, ALL) {
            Ok(Route::OwnerCatalog(p) | Route::OwnerCheckout(p) | Route::OwnerOutbox(p)) => {
                Some((p, allow))
            }
            _ => None,
        }
    }

    #[test]
    fn only_command_paths_are_targets() {
        let t = |p: &str| target("/admin/catalog", p);
        assert_eq!(
            t("products/kenya/images"),
            Some(("/admin/catalog/products/kenya/images".into(), "POST"))
        );
        assert_eq!(t("history").unwrap().1, "GET");
        assert_eq!(t("products/kenya").unwrap().1, "GET, POST");
        assert_eq!(t("products/kenya/archive").unwrap().1, "POST");
        for good in [
            "products",
            "products/kenya",
            "products/kenya/archive",
            "products/kenya/restore",
            "products/kenya/options",
            "products/kenya/variants",
            "products/kenya/images/12",
            "products/kenya/images/12/remove",
            "variants/KEN-1kg.f_2",
            "variants/kenya-1kg/archive",
            "variants/kenya-1kg/restore",
            "variants/kenya-1kg/stock",
            "collections",
            "collections/coffee",
            "collections/coffee/products",
            "collections/coffee/products/kenya/remove",
        ] {
            assert!(t(good).is_some(), "{good}");
        }
        for bad in [
            "",
            "products/Bad Slug",
            "products/kenya/images/x",
            "products/kenya/delete",
            "variants/a b",
            "collections/coffee/products/kenya",
            "history/1",
            "products/..",
        ] {
            assert!(t(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn only_setting_paths_are_targets() {
        let t = |p: &str| target("/admin", p);
        assert_eq!(t("settings"), Some(("/admin/settings".into(), "GET, PUT")));
        assert_eq!(t("discounts").unwrap().1, "GET, POST");
        assert_eq!(t("discounts/WELCOME10/deactivate").unwrap().1, "POST");
        assert_eq!(t("shipping/methods/de-standard").unwrap().1, "POST");
        assert_eq!(t("tax-rates/de").unwrap().1, "POST");
        for bad in [
            "settings/x",
            "discounts/no%20spaces",
            "discounts/A/remove",
            "shipping/methods",
            "tax-rates/DEU",
            "tax-rates/1a",
        ] {
            assert!(t(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn only_outbox_paths_are_targets() {
        let t = |p: &str| target("/admin", p);
        assert_eq!(t("outbox"), Some(("/admin/outbox".into(), "GET")));
        assert_eq!(t("webhooks/12/deactivate").unwrap().1, "POST");
        assert!(t("webhooks/x/deactivate").is_none());
        assert!(t("outbox/claim").is_none());
    }

    /// Every method an entry answers.
    fn methods(entry: &Entry) -> Vec<&'static str> {
        entry.methods.split(", ").collect()
    }

    #[test]
    fn every_get_entry_answers_head_the_same() {
        for entry in ROUTES.iter().filter(|e| methods(e).contains(&"GET")) {
            let path = pattern::sample(entry.path);
            let office = entry.who.in_office();
            let get = find("GET", &path, ALL, office).map(|(_, r)| r);
            assert!(get.is_ok(), "GET {path}");
            assert_eq!(
                find("HEAD", &path, ALL, office).map(|(_, r)| r),
                get,
                "{path}"
            );
        }
        assert_eq!(with_head("GET, POST"), "GET, POST, HEAD");
        assert_eq!(with_head("POST"), "POST");
    }

    #[test]
    fn no_two_entries_overlap() {
        for entry in ROUTES {
            let path = pattern::sample(entry.path);
            let on_path: Vec<&str> = ROUTES
                .iter()
                .filter(|e| e.who.in_office() == entry.who.in_office())
                .filter(|e| pattern::matches(e.path, &path, "GET").is_some())
                .map(|e| e.path)
                .collect();
            assert_eq!(on_path, vec![entry.path], "{path}");
            for method in methods(entry) {
                let found = find(method, &path, ALL, entry.who.in_office());
                assert!(
                    found.is_ok_and(|(e, _)| e.path == entry.path),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn every_entry_that_takes_a_body_has_a_cap() {
        for entry in ROUTES {
            let writes = methods(entry).iter().any(|m| ["POST", "PUT"].contains(m));
            assert!(
                !writes || entry.body != Body::Nothing,
                "{} {}",
                entry.methods,
                entry.path
            );
        }
    }

    #[test]
    fn body_caps_by_path() {
        assert_eq!(body_cap("/webhooks/stripe"), MAX_EVENT_BODY);
        assert_eq!(
            body_cap("/admin/catalog/products/kenya/images"),
            MAX_IMAGE_UPLOAD
        );
        // By shape, before any segment is checked or any feature is known.
        assert_eq!(
            body_cap("/admin/catalog/products/Not A Slug/images"),
            MAX_IMAGE_UPLOAD
        );
        for path in [
            "/",
            "/cart/add",
            "/api/orders",
            "/admin/catalog/products/kenya",
            "/nope",
        ] {
            assert_eq!(body_cap(path), MAX_BODY, "{path}");
        }
    }

    #[test]
    fn customer_account_routes() {
        assert_eq!(route("GET", "/login"), Ok(Route::Login));
        assert_eq!(route("POST", "/login"), Ok(Route::LoginAsk));
        assert_eq!(route("GET", "/login/link"), Ok(Route::LoginLink));
        assert_eq!(route("POST", "/login/link"), Ok(Route::LoginConfirm));
        assert_eq!(route("POST", "/login/code"), Ok(Route::LoginCode));
        assert_eq!(
            route("GET", "/login/code"),
            Err(Miss::MethodNotAllowed("POST"))
        );
        assert_eq!(route("GET", "/account"), Ok(Route::Account));
        assert_eq!(route("GET", "/account/data.json"), Ok(Route::AccountData));
        assert_eq!(
            route("POST", "/account/addresses/7/remove"),
            Ok(Route::AccountRemoveAddress("7"))
        );
        assert_eq!(
            route("GET", "/account/erase"),
            Err(Miss::MethodNotAllowed("POST"))
        );
    }

    #[test]
    fn features_gate_every_owner_token_entry() {
        for entry in ROUTES {
            assert_eq!(
                entry.who == Who::OwnerToken,
                entry.needs == Needs::OwnerApi,
                "{}",
                entry.path
            );
        }
    }

    #[test]
    fn the_back_office_has_its_own_entries() {
        let office = |method, path| find(method, path, ALL, true).map(|(_, r)| r);
        assert_eq!(
            office("GET", "/admin/orders/SF-7K3M-Q9TX-2PDA/ship"),
            Ok(Route::Office(OfficePage::ConfirmOrderAction(
                N.into(),
                Action::Ship
            )))
        );
        assert_eq!(
            office("POST", "/admin/orders/sf7k3mq9tx2pda/ship"),
            Ok(Route::Office(OfficePage::OrderAction(
                N.into(),
                Action::Ship
            )))
        );
        assert_eq!(
            office("GET", "/admin"),
            Ok(Route::Office(OfficePage::Dashboard))
        );
        assert_eq!(office("POST", "/admin"), Err(Miss::MethodNotAllowed("GET")));
        assert_eq!(office("GET", "/admin/nope"), Err(Miss::NotFound));
        // The same path in the JSON API is the owner's order list.
        assert_eq!(
            find("GET", "/admin/orders", ALL, false).map(|(_, r)| r),
            Ok(Route::OwnerOrders)
        );
    }

    #[test]
    fn back_office_paths_answer_as_their_pages_do() {
        let office = |method, path| find(method, path, Features::default(), true).map(|(_, r)| r);
        let refused = |allow| Err(Miss::MethodNotAllowed(allow));
        let page = |page| Ok(Route::Office(page));
        // An order's page takes its number in any spelling and answers what cannot be one
        // itself (404); other methods are refused first.
        assert_eq!(
            office("GET", "/admin/orders/quote"),
            page(OfficePage::Order("quote"))
        );
        assert_eq!(office("POST", "/admin/orders/quote"), refused("GET"));
        assert_eq!(
            office("POST", "/admin/orders/quote/ship"),
            Err(Miss::NotFound)
        );
        assert_eq!(
            office("GET", "/admin/orders/SF-7K3M-Q9TX-2PDA/pack"),
            Err(Miss::NotFound)
        );
        assert_eq!(
            office("DELETE", "/admin/orders/SF-7K3M-Q9TX-2PDA/refund"),
            refused("GET, POST")
        );
        assert_eq!(
            office("POST", "/admin/orders/SF-7K3M-Q9TX-2PDA/refunds/2/retry"),
            page(OfficePage::RetryRefund(N.into(), 2))
        );
        for seq in ["0", "-1", "x", "99999999999999999999"] {
            let path = format!("/admin/orders/SF-7K3M-Q9TX-2PDA/refunds/{seq}/retry");
            let found = find("POST", &path, Features::default(), true);
            assert!(matches!(found, Err(Miss::NotFound)), "{seq}");
        }
        assert_eq!(office("GET", "/admin/orders/x/y/z"), Err(Miss::NotFound));
        // The catalog: slugs, SKUs and image ids are checked whatever the method.
        assert_eq!(office("POST", "/admin/catalog"), refused("GET"));
        assert_eq!(
            office("GET", "/admin/catalog/new"),
            page(OfficePage::NewProduct)
        );
        assert_eq!(
            office("POST", "/admin/catalog/new"),
            page(OfficePage::CreateProduct)
        );
        assert_eq!(
            office("GET", "/admin/catalog/products/Bad%20Slug"),
            Err(Miss::NotFound)
        );
        assert_eq!(
            office("GET", "/admin/catalog/products/kenya/restore"),
            refused("POST")
        );
        assert_eq!(
            office("POST", "/admin/catalog/products/kenya/images/x"),
            Err(Miss::NotFound)
        );
        assert_eq!(
            office(
                "GET",
                "/admin/catalog/products/kenya/variants/KEN-1kg/archive"
            ),
            page(OfficePage::ConfirmArchiveVariant("kenya", "KEN-1kg"))
        );
        assert_eq!(
            office(
                "POST",
                "/admin/catalog/collections/coffee/products/kenya/remove"
            ),
            page(OfficePage::RemoveMember("coffee", "kenya"))
        );
        // Payments, export, mail.
        assert_eq!(
            office("GET", "/admin/payments/evt_1/review"),
            refused("POST")
        );
        assert_eq!(
            office("POST", "/admin/payments/evt.1/review"),
            Err(Miss::NotFound)
        );
        assert_eq!(office("POST", "/admin/export/orders.csv"), refused("GET"));
        assert_eq!(office("GET", "/admin/mail/1"), Err(Miss::NotFound));
        // Codes, endpoint and session ids are checked by their handlers.
        assert_eq!(
            office("POST", "/admin/webhooks/x/deactivate"),
            page(OfficePage::DeactivateWebhook("x"))
        );
        assert_eq!(
            office("GET", "/admin/webhooks/x/deactivate"),
            refused("POST")
        );
        assert_eq!(
            office("POST", "/admin/settings/discounts/no%20spaces/deactivate"),
            page(OfficePage::DeactivateDiscount("no%20spaces"))
        );
        assert_eq!(
            office("GET", "/admin/settings/shipping/de-standard"),
            refused("POST")
        );
        assert_eq!(
            office("GET", "/admin/settings/shipping/a/b"),
            Err(Miss::NotFound)
        );
        assert_eq!(office("PUT", "/admin/settings"), refused("GET, POST"));
        assert_eq!(office("GET", "/admin/settings/nope"), Err(Miss::NotFound));
        assert_eq!(
            office("GET", "/admin/settings/sessions/end-others"),
            refused("POST")
        );
        assert_eq!(
            office("HEAD", "/admin/settings/sessions/x/end"),
            refused("POST")
        );
        // Signing in: the form and what it posts.
        assert_eq!(
            office("HEAD", "/admin/sign-in"),
            page(OfficePage::SignInForm)
        );
        assert_eq!(office("POST", "/admin/sign-in"), page(OfficePage::SignIn));
        assert_eq!(office("GET", "/admin/sign-out"), refused("POST"));
    }

    /// The back office's entries: the owner's, and the few a visitor without a session
    /// may use.
    #[test]
    fn every_back_office_entry_needs_the_session_but_signing_in_and_setup() {
        let office: Vec<&Entry> = ROUTES.iter().filter(|e| e.who.in_office()).collect();
        assert!(office.len() > 40);
        for entry in office {
            let before_session = ["/admin/setup", "/admin/sign-in", "/admin/sign-out"];
            assert_eq!(
                entry.who == Who::Visitor,
                before_session.contains(&entry.path),
                "{}",
                entry.path
            );
            assert!(entry.path.starts_with("/admin"), "{}", entry.path);
            assert_eq!(entry.needs, Needs::Nothing, "{}", entry.path);
        }
    }

    /// The owner's form actions are the back office's entries that take `POST`; every one
    /// is CSRF-checked, which [`crate::office::respond`] enforces on whatever is not `GET`.
    #[test]
    fn every_owner_form_action_is_a_csrf_checked_post() {
        let owner = ROUTES.iter().filter(|e| e.who == Who::OwnerSession);
        let mut actions = 0;
        for entry in owner {
            for method in methods(entry) {
                assert!(["GET", "POST"].contains(&method), "{method} {}", entry.path);
            }
            if methods(entry).contains(&"POST") {
                actions += 1;
                assert!([Form, Image].contains(&entry.body), "{}", entry.path);
            }
        }
        assert!(actions > 25);
    }

    #[test]
    fn every_back_office_page_is_an_office_route() {
        for entry in ROUTES.iter().filter(|e| e.who.in_office()) {
            let path = pattern::sample(entry.path);
            for method in methods(entry) {
                let found = find(method, &path, ALL, true);
                assert!(
                    matches!(found, Ok((_, Route::Office(_)))),
                    "{method} {path}"
                );
            }
        }
    }
}
