//! Outgoing HTTP from components (`wasi:http/outgoing-handler`): enforces the
//! component's `allowed_outbound_hosts` and implements Spin's service chaining,
//! where `http://<component>.spin.internal/...` is served in-process by that
//! component without touching the network.
//!
//! How a request was allowed decides how it is sent ([`Reach`]): to a host an entry
//! names exactly (the writer by chaining, Stripe, the email API) as the operator
//! configured it; to a host only a wildcard entry matches (an owner's webhook endpoint)
//! only once it is known to be public (`public_connect`). Chaining is open only through
//! an `http` entry naming the component's host or `*.spin.internal`, never a wildcard.

use crate::app::runtime::App;
use crate::host::public_connect;
use std::sync::{Arc, Weak};
use storefront_domain::allowed_hosts::{AllowedHosts, Reach, SERVICE_CHAINING_SUFFIX};
use wasmtime_wasi_http::p2::body::HyperIncomingBody;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks, default_send_request};

/// Outgoing requests a component sends without its own timeouts get these, so a
/// provider, email API or webhook receiver that never answers cannot hold an instance
/// until its lifetime ends: connecting, the first byte of the answer, and any pause
/// within its body.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
pub const FIRST_BYTE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
pub const BETWEEN_BYTES_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The outbound-HTTP policy of one component instance.
pub struct OutboundHttp {
    pub component: String,
    pub allowed: Arc<AllowedHosts>,
    /// Weak: a kept instance ([`crate::app::instance_reuse`]) lives inside the app, and
    /// must not keep it alive.
    pub app: Weak<App>,
    /// The `x-request-id` of the request this instance serves: passed on with every
    /// request it sends, so one id follows a request from the pages to the writer.
    pub request_id: Option<http::HeaderValue>,
}

type SendResult = wasmtime_wasi_http::Result<(
    http::Response<WasiBody>,
    Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
)>;

fn done() -> Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send> {
    Box::new(async { Ok(()) })
}

impl WasiHttpHooks for OutboundHttp {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let mut request = request;
        if let Some(id) = &self.request_id {
            request
                .headers_mut()
                .entry(crate::server::REQUEST_ID)
                .or_insert_with(|| id.clone());
        }
        let uri = request.uri();
        let scheme = uri.scheme_str().unwrap_or("https").to_string();
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        let port = uri.port_u16();
        let reach = self.allowed.reach(&scheme, &host, port);
        if reach == Reach::Denied {
            tracing::warn!(
                component = %self.component,
                "outbound request to {scheme}://{host} denied: not in allowed_outbound_hosts"
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        if let Some(target) = host.strip_suffix(SERVICE_CHAINING_SUFFIX) {
            let app = self.app.clone();
            let target = target.to_string();
            return Box::new(async move {
                let Some(app) = app.upgrade() else {
                    return Err(Error::DestinationUnavailable);
                };
                if !app.has_component(&target) {
                    return Err(Error::DestinationNotFound);
                }
                let response = app.handle_chained(&target, request).await.map_err(|e| {
                    tracing::error!("service chaining to {target} failed: {e:#}");
                    Error::DestinationUnavailable
                })?;
                Ok((response, done()))
            });
        }
        let options = options.unwrap_or_default();
        let options = RequestOptions {
            connect_timeout: options.connect_timeout.or(Some(CONNECT_TIMEOUT)),
            first_byte_timeout: options.first_byte_timeout.or(Some(FIRST_BYTE_TIMEOUT)),
            between_bytes_timeout: options
                .between_bytes_timeout
                .or(Some(BETWEEN_BYTES_TIMEOUT)),
        };
        if reach == Reach::Wildcard {
            return Box::new(public_connect::send(
                request,
                options,
                public_connect::system_resolve,
            ));
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = default_send_request(request, Some(options)).await?;
            let response = response.map(|b| -> HyperIncomingBody { b.boxed_unsync() });
            Ok((
                response,
                Box::new(io) as Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            ))
        })
    }
}
