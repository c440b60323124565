//! Signing a customer in by email: `GET|POST /login` asks for a sign-in email (a one-time
//! link and a code, through the outbox), `POST /login/code` signs in with the code,
//! `GET /login/link?token=…` shows a button that `POST /login/link` confirms. The link's
//! GET alone never signs in, so a mail scanner that fetches it uses nothing up.
//!
//! The answer to asking is the same whether or not the address has orders or an
//! account; past the writer's limits it is 429 with a plain message that says nothing
//! about the address either.

use super::login_view::{self, Problem};
use crate::security::customer_session::{
    self, COOKIE, COOKIE_SECONDS, CustomerSession, SignInSecrets,
};
use crate::shop::{Answer, Shop};
use crate::writer::WriterError;
use storefront_domain::customer::{
    ConfirmSignIn, NewCustomerSession, SignInRequest, normalize_email,
};
use storefront_domain::order::valid_email;

/// The writer's answer to a confirmation, as the shopper is told it.
enum Confirmed {
    Yes,
    Invalid,
    TooMany,
}

/// `GET /login`.
pub async fn show(shop: &mut Shop<'_>) -> Answer {
    if super::signed_in(shop).await?.is_some() {
        return Err(shop.redirect("/account"));
    }
    let signed_out = shop.req.query_param("signed-out").is_some();
    let page = login_view::ask(&shop.chrome(), &shop.csrf(), "", None, signed_out);
    Ok(shop.page(200, page))
}

/// `POST /login`: sends the sign-in email.
pub async fn ask(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let email = normalize_email(form.get("email").unwrap_or_default());
    if !valid_email(&email) {
        let page = login_view::ask(
            &shop.chrome(),
            &shop.csrf(),
            &email,
            Some(Problem::Email),
            false,
        );
        return Ok(shop.page(422, page));
    }
    let secrets = SignInSecrets::fresh(shop.key);
    let request = SignInRequest {
        email: email.clone(),
        client: shop.req.client().to_string(),
        nonce: secrets.nonce.clone(),
        token_hash: customer_session::token_hash(&secrets.token),
        code_hash: customer_session::code_hash(shop.key, &email, &secrets.code),
        locale: shop.lang(),
    };
    match shop.writer.request_sign_in(&request).await {
        Ok(_) => {
            let page = login_view::sent(&shop.chrome(), &shop.csrf(), &email, None);
            Ok(shop.page(200, page))
        }
        Err(WriterError::Rejected { status: 429, body }) => {
            let page = login_view::ask(
                &shop.chrome(),
                &shop.csrf(),
                &email,
                Some(Problem::TooMany),
                false,
            );
            let wait = body.error.retry_after.unwrap_or(60).max(1);
            Ok(shop.page(429, page).header("retry-after", wait.to_string()))
        }
        Err(e) => Err(shop.writer_failed(e)),
    }
}

/// `POST /login/code`.
pub async fn code(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let email = normalize_email(form.get("email").unwrap_or_default());
    let code: String = form
        .get("code")
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let well_formed = valid_email(&email)
        && code.len() == storefront_domain::customer::CODE_DIGITS
        && code.bytes().all(|b| b.is_ascii_digit());
    let confirmed = if well_formed {
        let confirm = ConfirmSignIn {
            token_hash: String::new(),
            email: email.clone(),
            code_hash: customer_session::code_hash(shop.key, &email, &code),
            session: NewCustomerSession {
                id: String::new(),
                client: shop.req.client().to_string(),
            },
        };
        confirm_and_sign_in(shop, confirm).await?
    } else {
        Confirmed::Invalid
    };
    let problem = match confirmed {
        Confirmed::Yes => return Ok(shop.redirect("/account")),
        Confirmed::Invalid => Problem::Code,
        Confirmed::TooMany => Problem::TooManyCodes,
    };
    let status = if matches!(problem, Problem::TooManyCodes) {
        429
    } else {
        422
    };
    let page = login_view::sent(&shop.chrome(), &shop.csrf(), &email, Some(problem));
    Ok(shop.page(status, page))
}

/// `GET /login/link?token=…`: the button that signs in.
pub async fn landing(shop: &mut Shop<'_>) -> Answer {
    let Some(token) = shop
        .req
        .query_param("token")
        .filter(|t| !t.is_empty() && t.len() <= 100)
    else {
        return Err(shop.redirect("/login"));
    };
    let page = login_view::landing(&shop.chrome(), &shop.csrf(), &token);
    // The token must not leave in a `Referer`.
    Ok(shop
        .page(200, page)
        .replace_header("referrer-policy", "no-referrer"))
}

/// `POST /login/link`.
pub async fn confirm(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let token = form.get("token").unwrap_or_default().trim().to_string();
    let confirmed = if token.is_empty() || token.len() > 100 {
        Confirmed::Invalid
    } else {
        let confirm = ConfirmSignIn {
            token_hash: customer_session::token_hash(&token),
            email: String::new(),
            code_hash: String::new(),
            session: NewCustomerSession {
                id: String::new(),
                client: shop.req.client().to_string(),
            },
        };
        confirm_and_sign_in(shop, confirm).await?
    };
    match confirmed {
        Confirmed::Yes => Ok(shop.redirect("/account")),
        _ => {
            let page = login_view::link_used(&shop.chrome());
            Ok(shop.page(410, page))
        }
    }
}

/// Confirms at the writer with a new session; on success the answer carries its cookie.
async fn confirm_and_sign_in(
    shop: &mut Shop<'_>,
    mut confirm: ConfirmSignIn,
) -> Result<Confirmed, crate::http::Resp> {
    let session = CustomerSession::start();
    confirm.session.id = session.id.clone();
    match shop.writer.confirm_sign_in(&confirm).await {
        Ok(()) => {
            shop.set_cookie(COOKIE, Some(session.secret()), COOKIE_SECONDS);
            Ok(Confirmed::Yes)
        }
        Err(WriterError::Rejected { status: 404, .. }) => Ok(Confirmed::Invalid),
        Err(WriterError::Rejected { status: 429, .. }) => Ok(Confirmed::TooMany),
        Err(e) => Err(shop.writer_failed(e)),
    }
}
