//! The payment step in HTML: `GET /orders/{number}/pay` shows Stripe's Payment Element
//! (or the test-mode form) for a pending order, and `POST /orders/{number}/pay/test`
//! pays it in test mode (the router answers 404 for it in any other mode).
//!
//! An order that is not awaiting payment (already paid, cancelled) is sent to its order
//! page, which says where it stands.

use super::handler::authorized;
use crate::http::Resp;
use crate::payments::intent::{self, Prepared};
use crate::payments::provider::ProviderError;
use crate::payments::webhook::WebhookError;
use crate::payments::{PayError, Payments, signature, test_mode, webhook, writer_error};
use crate::shop::notice::Notice;
use crate::shop::orders::pay_view::StripeForm;
use crate::shop::{Answer, Shop};
use storefront_domain::payments::PROVIDER_TEST;

pub async fn show(shop: &mut Shop<'_>, p: &Payments<'_>, number: &str) -> Answer {
    // The items, address and totals being paid for, to their shopper only.
    let order = authorized(shop, number).await?;
    let prepared = match intent::prepare(p, number).await {
        Ok(prepared) => prepared,
        Err(PayError::NotPayable { .. }) => return Ok(order_page(shop, number)),
        Err(e) => return Err(failed(shop, e)),
    };
    let Prepared {
        view,
        intent,
        provider,
    } = prepared;
    let chrome = shop.chrome();
    // This browser placed it for its cart: the checkout changes it.
    let changeable = shop
        .pending
        .as_ref()
        .is_some_and(|p| p.number == order.number);
    if !intent.awaits_payment() {
        let page = crate::shop::orders::pay_view::underway_page(&chrome, number);
        return Ok(shop.page(200, page));
    }
    let resp = if provider == PROVIDER_TEST {
        let page =
            crate::shop::orders::pay_view::test_page(&chrome, &order, &shop.csrf(), changeable);
        shop.page(200, page)
    } else {
        let return_path = Notice::PaymentSubmitted.url(&format!("/orders/{number}"));
        let form = StripeForm {
            order: &order,
            order_number: number,
            total: &view.total,
            publishable_key: &p.settings.stripe_publishable_key,
            client_secret: &intent.client_secret,
            return_path: &return_path,
            changeable,
        };
        shop.page(
            200,
            crate::shop::orders::pay_view::stripe_page(&chrome, form),
        )
        .replace_header(
            "content-security-policy",
            crate::shop::orders::pay_view::stripe_csp(),
        )
    };
    // The page holds the client secret: kept out of every cache (as every page is).
    Ok(resp)
}

/// Test mode's "Pay" button: the payment succeeds at once, as a signed
/// `payment_intent.succeeded` event through the webhook path.
pub async fn pay_test(shop: &mut Shop<'_>, p: &Payments<'_>, number: &str) -> Answer {
    shop.form()?;
    authorized(shop, number).await?;
    let secret = p.test_webhook_secret().map_err(|e| failed(shop, e))?;
    let prepared = match intent::prepare(p, number).await {
        Ok(prepared) => prepared,
        // A second click after the first one paid.
        Err(PayError::NotPayable { .. }) => return Ok(order_page(shop, number)),
        Err(e) => return Err(failed(shop, e)),
    };
    let now = i64::try_from(p.now).unwrap_or(i64::MAX);
    let intent = &prepared.intent;
    let body = test_mode::succeeded_event(p.key, number, &intent.id, &intent.amount, now);
    let header = signature::header(secret, now, body.as_bytes());
    match webhook::process(p, body.as_bytes(), Some(&header), PROVIDER_TEST).await {
        Ok(_) => Ok(order_page(shop, number)),
        Err(WebhookError::Writer(e)) => Err(failed(shop, writer_error(e))),
        Err(e) => {
            eprintln!("test-mode payment for {number}: our own event was refused: {e:?}");
            Err(failed(
                shop,
                PayError::Provider(ProviderError::Broken("test event refused".into())),
            ))
        }
    }
}

fn order_page(shop: &Shop<'_>, number: &str) -> Resp {
    shop.redirect(&format!("/orders/{number}"))
}

/// The shopper-facing page for a payment that could not be started.
fn failed(shop: &Shop<'_>, e: PayError) -> Resp {
    match e {
        PayError::NotConfigured => shop.error(
            503,
            "error-payments-not-configured",
            "error-payments-not-configured-text",
        ),
        PayError::NotFound => shop.not_found("error-order-not-found"),
        PayError::NotPayable { number, .. } => order_page(shop, &number),
        PayError::Conflict { message, .. } => shop.error_with(409, "error-not-payable", &message),
        PayError::Writer(e) => shop.writer_failed(e),
        PayError::Provider(ProviderError::Unavailable(why)) => {
            eprintln!("payment provider unavailable: {why}");
            shop.error(
                503,
                "error-payments-unavailable",
                "error-payments-unavailable-text",
            )
            .header("retry-after", "5")
        }
        PayError::Provider(e) => {
            eprintln!("payment provider: {e:?}");
            shop.error(502, "error-payment-refused", "error-payment-refused-text")
        }
    }
}
