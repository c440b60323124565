//! Sending a request that a component's `allowed_outbound_hosts` allows only through a
//! wildcard entry (`https://*:*`: in the storefront, an owner's webhook endpoint). Such a
//! host is anyone's choice, so it must be public: a name is resolved here, every address
//! it resolves to must be public (`storefront_domain::network`), and the connection goes
//! to those checked addresses, so no second lookup can answer differently (DNS
//! rebinding). TLS is still verified against the name.
//!
//! A refusal is `DestinationIpProhibited` and says nothing about what the address would
//! have answered; the host's log names the host, never the guest's answer.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use std::time::Duration;
use storefront_domain::network::is_public_ip;
use tokio::net::TcpStream;
use wasmtime_wasi_http::p2::body::HyperIncomingBody;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// What sending returns to wasi-http: the response, and the connection's own future.
pub type Sent = (
    http::Response<HyperIncomingBody>,
    Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
);

/// The addresses to connect to for `host` (as a URI carries it: a name, an IPv4 address
/// or `[IPv6]`) on `port`, when all of them are public. `resolve` looks a name up; an
/// address literal is not looked up.
pub async fn public_addresses<F, Fut>(
    host: &str,
    port: u16,
    resolve: F,
) -> Result<Vec<SocketAddr>, Error>
where
    F: FnOnce(String, u16) -> Fut,
    Fut: Future<Output = std::io::Result<Vec<SocketAddr>>>,
{
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addresses = match literal.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => resolve(host.to_string(), port)
            .await
            .map_err(|_| Error::DnsError {
                rcode: None,
                info_code: None,
            })?,
    };
    if addresses.is_empty() {
        return Err(Error::DnsError {
            rcode: None,
            info_code: None,
        });
    }
    if addresses.iter().any(|a| !is_public_ip(a.ip())) {
        tracing::warn!("outbound request to {host} refused: it is not a public address");
        return Err(Error::DestinationIpProhibited);
    }
    Ok(addresses)
}

/// The system resolver (`getaddrinfo`).
pub async fn system_resolve(host: String, port: u16) -> std::io::Result<Vec<SocketAddr>> {
    Ok(tokio::net::lookup_host((host.as_str(), port))
        .await?
        .collect())
}

/// TLS as wasi-http's own client does it: the webpki roots, no client certificate.
static TLS: LazyLock<tokio_rustls::TlsConnector> = LazyLock::new(|| {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.into(),
    };
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
});

trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// Sends `request` to a public address of its host only (names looked up with
/// `resolve`, [`system_resolve`] outside tests), within `options`' timeouts (looking up
/// and connecting share the connect timeout).
pub async fn send<F, Fut>(
    mut request: http::Request<WasiBody>,
    options: RequestOptions,
    resolve: F,
) -> Result<Sent, Error>
where
    F: FnOnce(String, u16) -> Fut,
    Fut: Future<Output = std::io::Result<Vec<SocketAddr>>>,
{
    let uri = request.uri().clone();
    let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?.to_string();
    let tls = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let connect_timeout = options.connect_timeout.unwrap_or(Duration::from_secs(600));
    let stream: Box<dyn Stream> = tokio::time::timeout(connect_timeout, async {
        let addresses = public_addresses(&host, port, resolve).await?;
        let tcp = TcpStream::connect(addresses.as_slice())
            .await
            .map_err(Error::Connect)?;
        if !tls {
            return Ok::<Box<dyn Stream>, Error>(Box::new(tcp));
        }
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        let name = match literal.parse::<IpAddr>() {
            Ok(ip) => rustls::pki_types::ServerName::from(ip),
            Err(_) => rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(Error::InvalidDnsNameError)?,
        };
        Ok(Box::new(TLS.connect(name, tcp).await.map_err(Error::Tls)?))
    })
    .await
    .map_err(|_| Error::ConnectionTimeout)??;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    let connection = tokio::spawn(connection);
    // The request line carries only the path: the authority is in the Host header.
    *request.uri_mut() = http::Uri::builder()
        .path_and_query(uri.path_and_query().map_or("/", |p| p.as_str()))
        .build()
        .map_err(|_| Error::HttpRequestUriInvalid)?;
    let first_byte = options
        .first_byte_timeout
        .unwrap_or(Duration::from_secs(600));
    let response = tokio::time::timeout(first_byte, sender.send_request(request))
        .await
        .map_err(|_| Error::ConnectionReadTimeout)??;
    let between_bytes = options
        .between_bytes_timeout
        .unwrap_or(Duration::from_secs(600))
        .max(Duration::from_nanos(1));
    let response = response.map(|incoming| {
        PatientBody {
            incoming,
            between_bytes,
            deadline: Box::pin(tokio::time::sleep(between_bytes)),
        }
        .boxed_unsync()
    });
    let io = async move {
        match connection.await {
            Ok(result) => result.map_err(Error::from),
            Err(_) => Err(Error::ConnectionTerminated),
        }
    };
    Ok((response, Box::new(io)))
}

/// A response body that fails when the server pauses longer than `between_bytes`.
struct PatientBody {
    incoming: hyper::body::Incoming,
    between_bytes: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for PatientBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Error>>> {
        match Pin::new(&mut self.incoming).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = tokio::time::Instant::now() + self.between_bytes;
                self.deadline.as_mut().reset(next);
                Poll::Ready(frame.map(|f| f.map_err(Error::from)))
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.incoming.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(
        addresses: &'static [&'static str],
    ) -> impl FnOnce(String, u16) -> std::future::Ready<std::io::Result<Vec<SocketAddr>>> {
        move |_, port| {
            std::future::ready(Ok(addresses
                .iter()
                .map(|a| SocketAddr::new(a.parse().unwrap(), port))
                .collect()))
        }
    }

    fn never_asked(_: String, _: u16) -> std::future::Ready<std::io::Result<Vec<SocketAddr>>> {
        panic!("an address literal is not looked up")
    }

    #[tokio::test]
    async fn a_name_is_used_only_when_every_address_it_resolves_to_is_public() {
        let public = public_addresses("hooks.example.com", 443, answers(&["93.184.215.14"]))
            .await
            .unwrap();
        assert_eq!(public, ["93.184.215.14:443".parse().unwrap()]);
        for resolved in [
            &["127.0.0.1"][..],
            &["93.184.215.14", "10.0.0.7"],
            &["2606:4700::1111", "::1"],
            &["169.254.169.254"],
            &["::ffff:192.168.0.1"],
        ] {
            let refused = public_addresses("rebound.example.com", 443, answers(resolved)).await;
            assert!(
                matches!(refused, Err(Error::DestinationIpProhibited)),
                "{resolved:?}: {refused:?}"
            );
        }
        let nothing = public_addresses("empty.example.com", 443, answers(&[])).await;
        assert!(
            matches!(nothing, Err(Error::DnsError { .. })),
            "{nothing:?}"
        );
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_a_private_address_is_not_connected_to() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let request = http::Request::post(format!("https://hooks.example.com:{port}/in"))
            .body(
                http_body_util::Empty::new()
                    .map_err(|never| match never {})
                    .boxed_unsync(),
            )
            .unwrap();
        let refused = send(request, RequestOptions::default(), answers(&["127.0.0.1"])).await;
        assert!(matches!(refused, Err(Error::DestinationIpProhibited)));
        let connected = tokio::time::timeout(Duration::from_millis(300), listener.accept()).await;
        assert!(connected.is_err(), "the listener saw a connection");
    }

    #[tokio::test]
    async fn address_literals_are_checked_without_a_lookup() {
        for host in [
            "127.0.0.1",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "10.1.2.3",
            "0.0.0.0",
        ] {
            let refused = public_addresses(host, 443, never_asked).await;
            assert!(
                matches!(refused, Err(Error::DestinationIpProhibited)),
                "{host}: {refused:?}"
            );
        }
        let public = public_addresses("[2606:4700:4700::1111]", 8443, never_asked)
            .await
            .unwrap();
        assert_eq!(public, ["[2606:4700:4700::1111]:8443".parse().unwrap()]);
    }
}
