//! The HTML storefront's request context ([`Shop`]): the session, the flashes to show,
//! and the ways an HTML handler answers (page, redirect, error page), so that every
//! answer carries the cart cookie when it must.
//!
//! Handlers return `Result<Resp, Resp>`: `Err` is an early answer (an error page or a
//! redirect), which lets them use `?`.

pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod orders;
pub mod pay;

use crate::forms::Form;
use crate::notice::{self, Flash, Notice};
use crate::session::Session;
use crate::signing::{Key, random_hex};
use crate::views::{self, Chrome};
use crate::web::{Req, Resp};
use crate::writer_client::{WriterClient, WriterError};
use maud::Markup;

pub type Answer = Result<Resp, Resp>;

/// Seconds a shopper is asked to wait after the writer was unreachable.
const RETRY_AFTER_SECONDS: &str = "5";

pub struct Shop<'a> {
    pub req: &'a Req,
    pub key: &'a Key,
    pub writer: &'a WriterClient,
    pub session: Session,
    pub flashes: Vec<Flash>,
}

impl<'a> Shop<'a> {
    pub fn new(req: &'a Req, key: &'a Key, writer: &'a WriterClient, now: u64) -> Shop<'a> {
        let session = Session::load(req.cookie(crate::cart::COOKIE_NAME), key, now, || {
            random_hex(16)
        });
        let mut flashes = Vec::new();
        if session.restore_failed {
            flashes.push(notice::cart_restore_failed());
        }
        // Notices only ever come from our own redirects to GET pages.
        if req.method == "GET"
            && let Some(n) = req
                .query_param("notice")
                .and_then(|c| Notice::from_code(&c))
        {
            flashes.push(n.flash());
        }
        Shop {
            req,
            key,
            writer,
            session,
            flashes,
        }
    }

    pub fn chrome(&self) -> Chrome {
        Chrome {
            cart_count: self.session.cart.item_count(),
            flashes: self.flashes.clone(),
        }
    }

    pub fn csrf(&self) -> String {
        self.session.csrf_token(self.key)
    }

    /// Adds the cart cookie if the session changed (new, replaced or edited cart).
    fn with_cookie(&self, resp: Resp) -> Resp {
        match self.session.set_cookie(self.key, self.req.is_https()) {
            Some(cookie) => resp.header("set-cookie", cookie),
            None => resp,
        }
    }

    pub fn page(&self, status: u16, page: Markup) -> Resp {
        self.with_cookie(Resp::html(status, page))
    }

    pub fn redirect(&self, location: &str) -> Resp {
        self.with_cookie(Resp::redirect(location))
    }

    pub fn error(&self, status: u16, title: &str, message: &str) -> Resp {
        self.page(
            status,
            views::error::page(&self.chrome(), status, title, message),
        )
    }

    pub fn not_found(&self, title: &str) -> Resp {
        self.error(
            404,
            title,
            "We could not find what you were looking for. It may have been removed.",
        )
    }

    /// The form body of a POST, after checking its CSRF token (403 otherwise).
    pub fn form(&self) -> Result<Form, Resp> {
        let form = Form::parse(&self.req.body);
        if self.session.csrf_ok(self.key, form.get(crate::csrf::FIELD)) {
            Ok(form)
        } else {
            Err(self.error(
                403,
                "This form has expired",
                "For your security we could not accept that form. Please go back, reload the page and try again.",
            ))
        }
    }

    /// The shopper-facing answer when the writer could not give us what we needed.
    pub fn writer_failed(&self, e: WriterError) -> Resp {
        match e {
            WriterError::Unavailable => self
                .error(
                    503,
                    "We are briefly unavailable",
                    "Our order system is not answering right now. Please try again in a few seconds.",
                )
                .header("retry-after", RETRY_AFTER_SECONDS),
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
        self.error(
            502,
            "Something went wrong",
            "Our order system gave an unexpected answer. Please try again later.",
        )
    }
}
