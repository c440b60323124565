//! Customer accounts without passwords: signing in by an emailed link or code
//! ([`login`], its pages in [`login_view`]), the account page with the order history and
//! the saved addresses, signing out, the data download and erasure ([`handler`], its page
//! in [`view`]). The session itself is [`crate::security::customer_session`]; the writer
//! keeps its record ([`signed_in`] asks it on every account request).

pub mod handler;
pub mod login;
pub mod login_view;
pub mod view;

use crate::http::Resp;
use crate::security::customer_session::{COOKIE, CustomerSession};
use crate::shop::Shop;
use storefront_domain::customer::Account;

/// The customer this request's cookie names, if its session is valid at the writer; a
/// cookie that names no valid session is cleared on this answer.
pub async fn signed_in(shop: &mut Shop<'_>) -> Result<Option<(CustomerSession, Account)>, Resp> {
    let Some(session) = cookie_session(shop) else {
        return Ok(None);
    };
    match shop.writer.customer_account(&session.id).await {
        Ok(Some(account)) => Ok(Some((session, account))),
        Ok(None) => {
            shop.set_cookie(COOKIE, None, 0);
            Ok(None)
        }
        Err(e) => Err(shop.writer_failed(e)),
    }
}

/// The session this request's cookie names, if it has the shape of one (not asked of the
/// writer).
pub fn cookie_session(shop: &Shop<'_>) -> Option<CustomerSession> {
    shop.req
        .cookie(COOKIE)
        .and_then(CustomerSession::from_cookie)
}

/// The signed-in customer, or the answer instead: to the sign-in page.
pub async fn required(shop: &mut Shop<'_>) -> Result<(CustomerSession, Account), Resp> {
    match signed_in(shop).await? {
        Some(found) => Ok(found),
        None => Err(shop.redirect("/login")),
    }
}
