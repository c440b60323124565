//! The account's pages and forms, each for a signed-in customer only (else to
//! `/login`): `GET /account[?before=N]` (the order history, newest first, and the saved
//! addresses), `POST /account/addresses` and `POST /account/addresses/{id}/remove`,
//! `POST /account/sign-out` (ends the session at the writer, then clears the cookie),
//! `GET /account/data.json` (the data download) and `POST /account/erase`. Every page is
//! `no-store` (as every shop page).

use super::view::{self, Form as AccountForm};
use crate::http::forms::Form;
use crate::security::customer_session::COOKIE;
use crate::shop::{Answer, Shop};
use crate::writer::WriterError;
use storefront_domain::customer::{Account, NewAddress};
use storefront_domain::order::validate_contact;
use storefront_domain::{Address, FieldError};

/// `GET /account`.
pub async fn show(shop: &mut Shop<'_>) -> Answer {
    let (session, account) = super::required(shop).await?;
    page(shop, &session.id, &account, 200, AccountForm::default()).await
}

async fn page(
    shop: &mut Shop<'_>,
    id: &str,
    account: &Account,
    status: u16,
    form: AccountForm,
) -> Answer {
    let before = shop
        .req
        .query_param("before")
        .and_then(|b| b.parse::<i64>().ok())
        .filter(|b| *b > 0);
    let orders = shop
        .writer
        .customer_orders(id, before)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    let page = view::page(
        &shop.chrome(),
        &shop.csrf(),
        account,
        &orders,
        before.is_some(),
        &form,
    );
    Ok(shop.page(status, page))
}

/// `POST /account/sign-out`.
pub async fn sign_out(shop: &mut Shop<'_>) -> Answer {
    shop.form()?;
    if let Some(session) = super::cookie_session(shop) {
        shop.writer
            .end_customer_session(&session.id)
            .await
            .map_err(|e| shop.writer_failed(e))?;
    }
    shop.set_cookie(COOKIE, None, 0);
    Ok(shop.redirect("/login?signed-out=1"))
}

/// `GET /account/data.json`: everything the shop keeps about the customer.
pub async fn data(shop: &mut Shop<'_>) -> Answer {
    let (session, _) = super::required(shop).await?;
    let json = shop
        .writer
        .customer_data(&session.id)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    Ok(shop.answer(crate::http::Resp::json_text(200, json).header(
        "content-disposition",
        "attachment; filename=\"account-data.json\"",
    )))
}

/// `POST /account/erase`: needs the box ticked.
pub async fn erase(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let (session, account) = super::required(shop).await?;
    if form.get("confirm") != Some("yes") {
        let problem = AccountForm {
            erase_problem: Some(crate::tr!(shop.lang(), "account-erase-problem")),
            ..AccountForm::default()
        };
        return page(shop, &session.id, &account, 422, problem).await;
    }
    match shop.writer.erase_customer(&session.id).await {
        Ok(erased) => {
            shop.set_cookie(COOKIE, None, 0);
            Ok(shop.page(200, view::erased(&shop.chrome(), erased.orders)))
        }
        Err(WriterError::Rejected { status: 409, body }) => {
            let problem = AccountForm {
                erase_problem: Some(if body.error.code == "orders_open" {
                    "An order of yours still awaits payment or shipping. You can erase your \
                     account once it has shipped or been cancelled."
                        .into()
                } else {
                    body.error.message
                }),
                ..AccountForm::default()
            };
            page(shop, &session.id, &account, 409, problem).await
        }
        Err(e) => Err(shop.writer_failed(e)),
    }
}

fn typed_address(form: &Form) -> NewAddress {
    let get = |name: &str| form.get(name).unwrap_or_default().to_string();
    NewAddress {
        name: get("name"),
        address: Address {
            line1: get("address.line1"),
            line2: get("address.line2"),
            city: get("address.city"),
            postal_code: get("address.postal_code"),
            country: get("address.country"),
            state: get("address.state"),
        },
        phone: get("phone"),
    }
}

/// `POST /account/addresses`.
pub async fn add_address(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let (session, account) = super::required(shop).await?;
    let typed = typed_address(&form);
    let refused = |errors: Vec<FieldError>| AccountForm {
        address: typed.clone(),
        address_errors: errors,
        ..AccountForm::default()
    };
    let (name, address, phone) = match validate_contact(&typed.name, &typed.address, &typed.phone) {
        Ok(valid) => valid,
        Err(errors) => return page(shop, &session.id, &account, 422, refused(errors)).await,
    };
    let new = NewAddress {
        name,
        address,
        phone,
    };
    match shop.writer.add_customer_address(&session.id, &new).await {
        Ok(()) => Ok(shop.redirect("/account#addresses")),
        Err(WriterError::Rejected {
            status: 409 | 422,
            body,
        }) => {
            let mut errors = body.error.fields.clone();
            if errors.is_empty() {
                errors.push(FieldError::new("name", body.error.message.clone()));
            }
            page(shop, &session.id, &account, 422, refused(errors)).await
        }
        Err(e) => Err(shop.writer_failed(e)),
    }
}

/// `POST /account/addresses/{id}/remove`.
pub async fn remove_address(shop: &mut Shop<'_>, id: &str) -> Answer {
    shop.form()?;
    let (session, _) = super::required(shop).await?;
    let Ok(id) = id.parse::<i64>() else {
        return Err(shop.not_found("error-address-not-found"));
    };
    shop.writer
        .remove_customer_address(&session.id, id)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    Ok(shop.redirect("/account#addresses"))
}

/// Fills an empty checkout form from the signed-in customer's account: the email and
/// the first saved address.
pub fn prefill(values: &mut crate::http::forms::Checkout, account: &Account) {
    if !values.email.is_empty() {
        return;
    }
    values.email = account.email.clone();
    if let Some(saved) = account.addresses.first() {
        values.name = saved.name.clone();
        values.address = saved.address.clone();
        values.phone = saved.phone.clone();
    }
}
