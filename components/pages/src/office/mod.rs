//! The back office: the shop owner's pages under `/admin`, server-rendered like the shop
//! and working without JavaScript.
//!
//! `/admin…` serves two clients on the same paths. A request with an `Authorization`
//! header, or one that does not ask for HTML, is the bearer-token JSON API for scripts
//! ([`crate::office::api`]); a browser's request (it names `text/html` in `Accept` and carries
//! no `Authorization`) comes here. Every page but the sign-in needs the owner's session,
//! which the writer keeps and checks on every request ([`owner_session`]); every form carries
//! the session's CSRF token, checked by [`Office::checked`] (an owner's form action
//! answered without that check is refused by [`respond`]), and a POST that another site
//! sent (`Sec-Fetch-Site: cross-site`) is refused whatever it carries.
//!
//! Each area lives in its own module with its handlers and views; every page and form
//! action is a row of the route table ([`crate::routes`]), dispatched to its handler by
//! [`crate::routes::dispatch::office_page`]:
//! `/admin` ([`dashboard`]), `/admin/sign-in` and `/admin/sign-out` ([`sign_in`]),
//! `/admin/setup` (the first password, [`setup`]),
//! `/admin/orders…` ([`orders`]), `/admin/catalog…` ([`catalog`]), `/admin/payments…`
//! ([`payments`]), `/admin/export…` ([`export`]), `/admin/settings…` (also the owner's
//! password and sessions, [`settings`]),
//! `/admin/mail` (the local mailbox, [`mail`]), `/admin/webhooks…` ([`webhooks`], an
//! endpoint's delivery log and test event [`webhook_log`]).

pub mod api;
pub mod catalog;
pub mod customers;
pub mod dashboard;
pub mod export;
pub mod flash_cookie;
pub mod layout;
pub mod mail;
pub mod orders;
pub mod owner_session;
pub mod password_hash;
pub mod payments;
pub mod returns;
pub mod settings;
pub mod setup;
pub mod sign_in;
pub mod spreadsheet;
pub mod table_cards;
pub mod webhook_log;
pub mod webhooks;

use crate::http::forms::Form;
use crate::http::{Req, Resp};
use crate::layout::flash::{Flash, Tone};
use crate::routes::{self, Features, OfficePage, Route, Who, dispatch, with_head};
use crate::security::signing::Key;
use crate::writer::{WriterClient, WriterError};
use maud::Markup;
use owner_session::OwnerSession;
use std::cell::Cell;
use storefront_domain::checkout::ShopSettings;

/// The actor named in the history of every command the back office sends.
pub const ACTOR: &str = "owner";
/// Seconds a browser is told to wait after a 503.
const RETRY_AFTER_SECONDS: &str = "5";

/// Whether `req` is a browser asking for a back-office page (see the module doc).
pub fn wants(req: &Req) -> bool {
    let under_admin = req
        .path
        .strip_prefix("/admin")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    under_admin
        && req.header("authorization").is_none()
        && req
            .header("accept")
            .is_some_and(|accept| accept.contains("text/html"))
}

/// What every back-office handler works with.
pub struct Office<'a> {
    pub req: &'a Req,
    pub writer: &'a WriterClient,
    pub key: &'a Key,
    /// Unix seconds.
    pub now: u64,
    /// The shop's name and currency for the header and money.
    pub shop: ShopSettings,
    /// The owner's session; `None` only on the sign-in pages.
    pub session: Option<OwnerSession>,
    /// The message the previous form left (its cookie is cleared by this page).
    pub flash: Option<Flash>,
    /// Whether this request's form passed its CSRF check ([`Office::checked`]).
    csrf_passed: Cell<bool>,
}

impl<'a> Office<'a> {
    /// The CSRF token for this session's forms (empty without a session).
    pub fn csrf(&self) -> String {
        self.session
            .as_ref()
            .map(|s| s.csrf_token(self.key))
            .unwrap_or_default()
    }

    /// The body of a POSTed form, after its CSRF token is checked (403 page otherwise).
    pub fn form(&self) -> Result<Form, Resp> {
        self.checked(Form::parse(&self.req.body))
    }

    /// `form` if it carries this session's CSRF token, else the 403 page. The one CSRF
    /// check of the back office's forms, whatever their encoding.
    pub fn checked(&self, form: Form) -> Result<Form, Resp> {
        match &self.session {
            Some(s) if s.csrf_ok(self.key, form.get(owner_session::CSRF_FIELD)) => {
                self.csrf_passed.set(true);
                Ok(form)
            }
            _ => Err(self.error(
                403,
                "This form has expired",
                "The page you sent it from is too old or was not ours. Go back, reload \
                 the page and try again.",
            )),
        }
    }

    /// A page in the back-office layout.
    pub fn page(&self, status: u16, title: &str, content: Markup) -> Resp {
        let mut resp = Resp::html(status, layout::page(self, title, content));
        if self.req.cookie(flash_cookie::COOKIE).is_some() {
            resp = resp.header(
                "set-cookie",
                flash_cookie::clear_cookie(self.req.is_https()),
            );
        }
        resp
    }

    /// A 200 page.
    pub fn ok(&self, title: &str, content: Markup) -> Resp {
        self.page(200, title, content)
    }

    /// 303 to `location` (a back-office path), with a message for the next page.
    pub fn redirect(&self, location: &str, message: Option<Flash>) -> Resp {
        let resp = Resp::redirect(location);
        match message {
            Some(m) => resp.header(
                "set-cookie",
                flash_cookie::set_cookie(&m, self.key, self.req.is_https()),
            ),
            None => resp,
        }
    }

    /// 303 with an information message.
    pub fn done(&self, location: &str, text: impl Into<String>) -> Resp {
        self.redirect(location, Some(Flash::new(Tone::Info, text)))
    }

    pub fn error(&self, status: u16, title: &str, message: &str) -> Resp {
        self.page(status, title, layout::error(status, title, message))
    }

    pub fn not_found(&self) -> Resp {
        self.error(
            404,
            "Not found",
            "There is nothing at this address in the back office.",
        )
    }

    /// 405 naming the methods the path takes (`GET` implies `HEAD`).
    pub fn method_not_allowed(&self, allow: &str) -> Resp {
        self.error(
            405,
            "Method not allowed",
            "This page cannot be used that way. Please follow a link instead.",
        )
        .header("allow", with_head(allow))
    }

    /// The page for a writer call that failed in a way the handler did not expect.
    pub fn writer_failed(&self, e: WriterError) -> Resp {
        match e {
            WriterError::Unavailable => self
                .error(
                    503,
                    "The shop's database is briefly unavailable",
                    "The writer is not answering right now (a restart or deploy). Try \
                     again in a few seconds; nothing was changed twice.",
                )
                .header("retry-after", RETRY_AFTER_SECONDS),
            WriterError::Damaged => self.error(
                503,
                "The shop's database is damaged",
                "The writer found damage in the database files and takes no changes until \
                 they are repaired. The writer's log names the damaged file; the operations \
                 guide (\"Damaged database files\") says how to restore it.",
            ),
            WriterError::Broken => self.error(
                502,
                "Something went wrong",
                "The shop's writer gave an answer the back office could not use. The \
                 details are in the component log.",
            ),
            WriterError::Rejected { status, body } => {
                let status = if (400..500).contains(&status) {
                    status
                } else {
                    502
                };
                self.error(status, "That did not work", &body.error.message)
            }
        }
    }

    /// The request method as routed: `HEAD` is answered like `GET`.
    pub fn method(&self) -> &'a str {
        match self.req.method.as_str() {
            "HEAD" => "GET",
            m => m,
        }
    }
}

/// Answers a browser's back-office request.
pub async fn respond(req: &Req, key: &Key, writer: &WriterClient, now: u64) -> Resp {
    let shop = match writer.settings().await {
        Ok(shop) => shop,
        Err(e) => {
            return bare(req, key, writer, now, crate::shop::fallback_settings()).writer_failed(e);
        }
    };
    let mut office = bare(req, key, writer, now, shop);
    if routes::has_empty_segment(&req.path) {
        return office.not_found();
    }
    let method = office.method();
    let cross_site = req
        .header("sec-fetch-site")
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"));
    if method != "GET" && cross_site {
        return office.error(
            403,
            "Refused",
            "The back office does not accept forms sent from other sites.",
        );
    }
    let found = routes::on_path(&req.path, method, Features::default(), true);
    let found = found.map(|(entry, captures)| (entry, (entry.route)(&captures)));
    // The sign-in and setup pages come before any session; the sign-in pages still show
    // whether one is open (setup never does).
    if let Some((entry, route)) = found.as_ref().filter(|(e, _)| e.who == Who::Visitor) {
        if *route != Route::Office(OfficePage::Setup) {
            office.session = current_session(&office).await.ok().flatten();
        }
        if !entry.allows(method) {
            return office.method_not_allowed(entry.methods);
        }
        return page(&office, route.clone()).await;
    }
    // Every other path, known or not, needs the session first: a visitor learns nothing
    // about which back-office addresses exist.
    match current_session(&office).await {
        Ok(Some(session)) => office.session = Some(session),
        Ok(None) => return sign_in::required(&office),
        Err(e) => return office.writer_failed(e),
    }
    match found {
        None => office.not_found(),
        Some((entry, _)) if !entry.allows(method) => office.method_not_allowed(entry.methods),
        Some((_, route)) => {
            let answer = page(&office, route).await;
            csrf_enforced(&office, method, answer)
        }
    }
}

/// Every owner's form action is CSRF-checked (a property of the table's
/// [`Who::OwnerSession`] entries that take more than `GET`): a handler that answered
/// one without the check, other than with a refusal, is a bug, and its answer is not sent.
/// This is a net behind the handlers, not the check itself: by the time it sees the answer
/// the handler may already have sent its command to the writer. Each handler checks
/// first ([`Office::form`], [`Office::checked`]), so that which refusal a doubly bad form
/// gets (a bad id's 404, an unreadable upload's 400) stays the handler's to decide.
fn csrf_enforced(office: &Office<'_>, method: &str, answer: Resp) -> Resp {
    if method == "GET" || office.csrf_passed.get() || answer.status >= 400 {
        return answer;
    }
    eprintln!(
        "back office: {method} {} answered {} without its CSRF check; refused",
        office.req.path, answer.status
    );
    office.error(
        500,
        "Something went wrong",
        "This form was not checked as every back-office form must be, so its answer was \
         withheld. The details are in the component log.",
    )
}

/// The handler of a back-office route.
async fn page(office: &Office<'_>, route: Route<'_>) -> Resp {
    match route {
        Route::Office(page) => dispatch::office_page(office, page).await,
        // The table gives back-office entries only back-office routes.
        _ => office.not_found(),
    }
}

/// The page for a body that was too large or could not be read (nothing was done).
pub fn refused_body(
    req: &Req,
    key: &Key,
    writer: &WriterClient,
    now: u64,
    too_large: bool,
) -> Resp {
    let office = bare(req, key, writer, now, crate::shop::fallback_settings());
    if too_large {
        office.error(
            413,
            "That was too much",
            "What you sent is larger than the back office accepts (see the limits in \
             the README). Nothing was changed.",
        )
    } else {
        office.error(
            400,
            "Bad request",
            "The back office could not read what your browser sent. Nothing was changed.",
        )
    }
}

/// The office before the session is known.
fn bare<'a>(
    req: &'a Req,
    key: &'a Key,
    writer: &'a WriterClient,
    now: u64,
    shop: ShopSettings,
) -> Office<'a> {
    Office {
        req,
        writer,
        key,
        now,
        shop,
        session: None,
        csrf_passed: Cell::new(false),
        flash: req
            .cookie(flash_cookie::COOKIE)
            .and_then(|v| flash_cookie::read(v, key)),
    }
}

/// The session the cookie names if the writer says it is still valid.
async fn current_session(office: &Office<'_>) -> Result<Option<OwnerSession>, WriterError> {
    let Some(session) = office
        .req
        .cookie(owner_session::COOKIE)
        .and_then(OwnerSession::from_cookie)
    else {
        return Ok(None);
    };
    let valid = office.writer.check_owner_session(&session.id).await?;
    Ok(valid.then_some(session))
}
