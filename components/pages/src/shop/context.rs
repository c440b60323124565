//! The HTML storefront's request context ([`Shop`]): the session, the flashes to show,
//! and the ways an HTML handler answers (page, redirect, error page), so that every
//! answer carries the cart cookie when it must.
//!
//! Handlers return `Result<Resp, Resp>`: `Err` is an early answer (an error page or a
//! redirect), which lets them use `?`.

use crate::http::forms::Form;
use crate::http::{self, Req, Resp};
use crate::i18n::{Lang, negotiate};
use crate::layout::flash::Flash;
use crate::layout::{Chrome, Meta};
use crate::security::signing::{Key, random_hex};
use crate::shop::notice::{self, FLASH_COOKIE, FLASH_TTL_SECONDS, Notice};
use crate::shop::pending::{self, PendingOrder};
use crate::shop::session::Session;
use crate::tr;
use crate::writer::{WithSettings, WriterClient, WriterError};
use maud::Markup;
use storefront_domain::checkout::ShopSettings;

pub type Answer = Result<Resp, Resp>;

/// Seconds a shopper is asked to wait after the writer was unreachable.
const RETRY_AFTER_SECONDS: &str = "5";

pub struct Shop<'a> {
    pub req: &'a Req,
    pub key: &'a Key,
    pub writer: &'a WriterClient,
    /// The configured `shop_url`: the origin of every absolute link.
    pub shop_url: &'a str,
    pub now: u64,
    pub session: Session,
    pub flashes: Vec<Flash>,
    /// Notices to show, said in the page's language when the chrome is made.
    notices: Vec<Notice>,
    /// The cart cookie could not be trusted and was replaced (said on this page).
    restore_failed: bool,
    /// The language the shopper asked for (switch cookie, else `Accept-Language`);
    /// `None`: the shop's default ([`Shop::lang`]).
    chosen: Option<Lang>,
    /// The shop's name, tagline and legal texts ([`Shop::load_settings`]).
    pub settings: ShopSettings,
    /// The shopper's order that awaits payment, from the `order` cookie.
    pub pending: Option<PendingOrder>,
    /// `Set-Cookie` values besides the cart's, added to every answer.
    cookies: Vec<String>,
}

impl<'a> Shop<'a> {
    pub fn new(
        req: &'a Req,
        key: &'a Key,
        writer: &'a WriterClient,
        shop_url: &'a str,
        now: u64,
    ) -> Shop<'a> {
        let session = Session::load(
            req.cookie(crate::shop::cart::contents::COOKIE_NAME),
            key,
            now,
            || random_hex(16),
        );
        let restore_failed = session.restore_failed;
        let mut notices = Vec::new();
        let mut cookies = Vec::new();
        // A notice from our own redirect is shown once: the page that shows it clears it.
        if req.method == "GET"
            && let Some(code) = req.cookie(FLASH_COOKIE)
        {
            if let Some(n) = Notice::from_code(code) {
                notices.push(n);
            }
            cookies.push(http::set_cookie(FLASH_COOKIE, "", 0, req.is_https()));
        }
        // Only the payment provider's return address carries its notice in the URL.
        if req.method == "GET" && req.query_param("notice") == Some(Notice::PaymentSubmitted.code())
        {
            notices.push(Notice::PaymentSubmitted);
        }
        let pending = req
            .cookie(pending::COOKIE_NAME)
            .and_then(|v| PendingOrder::open(v, key, now));
        Shop {
            req,
            key,
            writer,
            shop_url,
            now,
            session,
            flashes: Vec::new(),
            notices,
            restore_failed,
            chosen: negotiate::chosen(req.cookie(negotiate::COOKIE), req.header("accept-language")),
            settings: fallback_settings(),
            pending,
            cookies,
        }
    }

    /// The owner's shop settings from the writer, for every page's chrome. When the writer
    /// cannot give them the answer is the outage page (shown with [`fallback_settings`]).
    pub async fn load_settings(&mut self) -> Result<(), Resp> {
        match self.writer.settings().await {
            Ok(settings) => {
                self.settings = settings;
                Ok(())
            }
            Err(e) => Err(self.writer_failed(e)),
        }
    }

    /// The settings loaded for a page that had planned to read them with its data, and
    /// then answers with an error page (which shows them) instead: `Err` is the outage page.
    pub async fn with_settings(&mut self) -> Result<&Self, Resp> {
        self.load_settings().await?;
        Ok(self)
    }

    /// Takes the settings that came with a catalog read; returns the read.
    pub fn settings_from<'l, T>(&mut self, answer: &'l WithSettings<T>) -> &'l T {
        self.settings = answer.settings.clone();
        &answer.list
    }

    /// The catalog reads' `&lang=xx` when the shopper chose a language (the product texts
    /// the owner gave in it, [`crate::writer`]); empty: the products' own texts.
    pub fn lang_query(&self) -> String {
        self.chosen
            .map(|l| format!("&lang={}", l.code()))
            .unwrap_or_default()
    }

    /// The language this page speaks: the shopper's choice, else the shop's default.
    pub fn lang(&self) -> Lang {
        self.chosen.unwrap_or(self.settings.language)
    }

    pub fn chrome(&self) -> Chrome {
        let lang = self.lang();
        let mut flashes = Vec::new();
        if self.restore_failed {
            flashes.push(notice::cart_restore_failed(lang));
        }
        flashes.extend(self.notices.iter().map(|n| n.flash(lang)));
        flashes.extend(self.flashes.iter().cloned());
        let here = if self.req.query.is_empty() {
            self.req.path.clone()
        } else {
            format!("{}?{}", self.req.path, self.req.query)
        };
        Chrome {
            lang,
            here,
            cart_count: self.session.cart.item_count(),
            flashes,
            shop: self.settings.clone(),
            pending: self.pending.as_ref().map(|p| p.number.clone()),
            meta: Meta {
                path: self.req.path.clone(),
                origin: self.shop_url.to_string(),
                ..Meta::default()
            },
        }
    }

    pub fn csrf(&self) -> String {
        self.session.csrf_token(self.key)
    }

    /// Shows `notice` on the page the next redirect leads to (once).
    pub fn notice(&mut self, notice: Notice) {
        self.cookies.push(http::set_cookie(
            FLASH_COOKIE,
            &notice.code(),
            FLASH_TTL_SECONDS,
            self.req.is_https(),
        ));
    }

    /// Remembers `number` as the shopper's order awaiting payment, placed for the cart as
    /// it is now.
    pub fn remember_pending(&mut self, number: &str) {
        let pending = PendingOrder {
            number: number.to_string(),
            cart: pending::fingerprint(&self.session.cart.lines),
        };
        if let Some(value) = pending.seal(self.key, self.now) {
            self.cookies.push(http::set_cookie(
                pending::COOKIE_NAME,
                &value,
                pending::TTL_SECONDS,
                self.req.is_https(),
            ));
        }
        self.pending = Some(pending);
    }

    /// Forgets the pending order (paid or cancelled).
    pub fn forget_pending(&mut self) {
        if self.pending.take().is_some() {
            self.cookies.push(http::set_cookie(
                pending::COOKIE_NAME,
                "",
                0,
                self.req.is_https(),
            ));
        }
    }

    /// Lets this browser open `order` again: its access token in a cookie scoped to the
    /// order's pages.
    pub fn remember_access(&mut self, order: &storefront_domain::OrderView) {
        self.cookies.push(crate::security::order_access::cookie(
            &order.number,
            &order.access_token,
            self.req.is_https(),
        ));
    }

    /// Sets (or, with `None`, clears) another cookie on this answer.
    pub fn set_cookie(&mut self, name: &str, value: Option<&str>, max_age: u64) {
        let cookie = match value {
            Some(v) => http::set_cookie(name, v, max_age, self.req.is_https()),
            None => http::set_cookie(name, "", 0, self.req.is_https()),
        };
        self.cookies.push(cookie);
    }

    /// Adds the cart cookie if the session changed (new, replaced or edited cart), and
    /// the other cookies this answer sets.
    fn with_cookie(&self, resp: Resp) -> Resp {
        // The words depend on the language cookie and the browser's languages: no cache
        // may give this answer to another shopper (the pages are `no-store` anyway).
        let resp = resp.header("vary", "Accept-Language, Cookie");
        let resp = match self.session.set_cookie(self.key, self.req.is_https()) {
            Some(cookie) => resp.header("set-cookie", cookie),
            None => resp,
        };
        self.cookies.iter().fold(resp, |resp, cookie| {
            resp.header("set-cookie", cookie.clone())
        })
    }

    /// Any other answer (a download), with the cookies this answer sets.
    pub fn answer(&self, resp: Resp) -> Resp {
        self.with_cookie(resp)
    }

    pub fn page(&self, status: u16, page: Markup) -> Resp {
        self.with_cookie(Resp::html(status, page))
    }

    pub fn redirect(&self, location: &str) -> Resp {
        self.with_cookie(Resp::redirect(location))
    }

    /// An error page whose title and text are the catalogue's messages `title` and `message`.
    pub fn error(&self, status: u16, title: &str, message: &str) -> Resp {
        let lang = self.lang();
        self.error_said(status, &tr!(lang, title), &tr!(lang, message))
    }

    /// An error page with a title from the catalogue and a text already in words (the
    /// writer's explanation of a refusal).
    pub fn error_with(&self, status: u16, title: &str, text: &str) -> Resp {
        self.error_said(status, &tr!(self.lang(), title), text)
    }

    fn error_said(&self, status: u16, title: &str, message: &str) -> Resp {
        self.page(
            status,
            crate::layout::error::page(&self.chrome(), status, title, message),
        )
    }

    /// 404 titled with the catalogue's message `title`.
    pub fn not_found(&self, title: &str) -> Resp {
        self.error(404, title, "error-not-found-text")
    }

    /// The form body of a POST, after checking its CSRF token (403 otherwise).
    pub fn form(&self) -> Result<Form, Resp> {
        let form = Form::parse(&self.req.body);
        if self
            .session
            .csrf_ok(self.key, form.get(crate::security::csrf::FIELD))
        {
            Ok(form)
        } else {
            Err(self.error(403, "error-form-expired", "error-form-expired-text"))
        }
    }

    /// The shopper-facing answer when the writer could not give us what we needed.
    pub fn writer_failed(&self, e: WriterError) -> Resp {
        match e {
            WriterError::Unavailable => self
                .error(503, "error-unavailable", "error-unavailable-text")
                .header("retry-after", RETRY_AFTER_SECONDS),
            WriterError::Damaged => self.error(503, "error-damaged", "error-damaged-text"),
            WriterError::Broken => self.bad_gateway(),
            WriterError::Rejected { status, body } => {
                eprintln!(
                    "writer rejected a request pages did not expect to fail: {status} {}",
                    body.to_json()
                );
                self.bad_gateway()
            }
        }
    }

    fn bad_gateway(&self) -> Resp {
        self.error(502, "error-bad-gateway", "error-bad-gateway-text")
    }
}

/// The settings an error page is shown with when the writer could not give the shop's
/// own (it is unreachable, or the component is misconfigured).
pub fn fallback_settings() -> ShopSettings {
    ShopSettings {
        name: "storefront".into(),
        tagline: "Coffee, brewing gear and cups, shipped from our roastery.".into(),
        currency: "EUR".into(),
        ..ShopSettings::default()
    }
}
