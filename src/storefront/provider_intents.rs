//! Reads PaymentIntents from the payment provider's list API (Stripe's
//! `GET /v1/payment_intents`, paginated with `starting_after` while `has_more`), for
//! reconciliation. HTTPS comes from wasmtime-wasi-http's client (rustls, webpki roots),
//! the same one components use, so the host carries no second TLS stack.

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use serde::Deserialize;
use std::time::Duration;
use storefront_domain::payments::ProviderIntent;
use wasmtime_wasi_http::{RequestOptions, default_send_request};

const PAGE_SIZE: u32 = 100;

#[derive(Deserialize)]
struct ListPage {
    data: Vec<Intent>,
    has_more: bool,
}

#[derive(Deserialize)]
struct Intent {
    id: String,
    status: String,
    amount: i64,
    currency: String,
    created: i64,
    #[serde(default)]
    metadata: std::collections::BTreeMap<String, String>,
}

/// Every intent created in `[from, to]` (unix seconds).
pub async fn list(
    api_base: &str,
    secret_key: &str,
    from: i64,
    to: i64,
) -> Result<Vec<ProviderIntent>> {
    if secret_key.is_empty() {
        bail!("reconciliation reads the provider: set SPIN_VARIABLE_STRIPE_SECRET_KEY");
    }
    let mut intents = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut url = format!(
            "{}/v1/payment_intents?limit={PAGE_SIZE}&created%5Bgte%5D={from}&created%5Blte%5D={to}",
            api_base.trim_end_matches('/')
        );
        if let Some(last) = &after {
            url.push_str(&format!("&starting_after={last}"));
        }
        let page: ListPage = serde_json::from_slice(&get(&url, secret_key).await?)
            .context("the provider's intent list is not in the expected shape")?;
        after = page.data.last().map(|i| i.id.clone());
        intents.extend(page.data.into_iter().map(|i| ProviderIntent {
            order_number: i.metadata.get("order_number").cloned(),
            id: i.id,
            status: i.status,
            amount: i.amount,
            currency: i.currency.to_ascii_uppercase(),
            created: i.created,
        }));
        if !page.has_more || after.is_none() {
            return Ok(intents);
        }
    }
}

async fn get(url: &str, secret_key: &str) -> Result<Bytes> {
    let request = http::Request::get(url)
        .header(http::header::AUTHORIZATION, format!("Bearer {secret_key}"))
        .header(http::header::HOST, host_header(url)?)
        .body(Empty::<Bytes>::new().map_err(|never| match never {}))?;
    let options = RequestOptions {
        connect_timeout: Some(Duration::from_secs(10)),
        first_byte_timeout: Some(Duration::from_secs(30)),
        between_bytes_timeout: Some(Duration::from_secs(30)),
    };
    let (response, io) = default_send_request(request, Some(options))
        .await
        .map_err(|e| anyhow!("cannot reach the payment provider at {url}: {e:?}"))?;
    tokio::spawn(io);
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| anyhow!("reading the provider's answer: {e:?}"))?
        .to_bytes();
    if !status.is_success() {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        bail!("the payment provider answered {status}: {message}");
    }
    Ok(body)
}

fn host_header(url: &str) -> Result<String> {
    let uri: http::Uri = url
        .parse()
        .with_context(|| format!("invalid provider URL {url}"))?;
    uri.authority()
        .map(|a| a.to_string())
        .context("provider URL needs a host")
}
