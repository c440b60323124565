//! The HTTP client for the writer: the only way this component reads or changes data.
//!
//! A 503 or a failed connection is retried with the very same request (and so the same
//! idempotency key) with backoff for a bounded time: the writer may be restarting
//! (stop-then-start deploys) and a replayed command is answered, not applied twice.
//! Other 5xx answers are not retried: they are bugs, not weather; nor is a 503 that says
//! the writer's storage is damaged ([`WriterError::Damaged`]): that is not weather either.

use serde::Serialize;
use serde::de::DeserializeOwned;
use spin_sdk::http::conversions::TryIntoOutgoingRequest;
use spin_sdk::http::{
    ErrorCode, Fields, IncomingResponse, Method, OutgoingRequest, Scheme, SendError, send,
};
use std::future::Future;
use std::time::{Duration, Instant};
use storefront_domain::catalog::ACTOR;
use storefront_domain::checkout::ShopSettings;
use storefront_domain::{ErrorBody, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED};

/// Total time spent retrying an unavailable writer before telling the shopper.
const RETRY_BUDGET: Duration = Duration::from_secs(10);
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(2);

/// Why a writer call did not produce the wanted value.
#[derive(Debug, Clone)]
pub enum WriterError {
    /// 503 or no connection for the whole retry budget: answer 503 with `Retry-After`.
    Unavailable,
    /// Another 5xx or an unreadable answer: answer 502. Details were logged.
    Broken,
    /// The writer's storage is damaged (a `503` marked `storefront-storage: damaged`): it
    /// takes no commands until the operator repairs it, so waiting does not help and the
    /// call is not retried.
    Damaged,
    /// A 4xx with the writer's error body, for the caller to interpret.
    Rejected { status: u16, body: ErrorBody },
}

/// A catalog read with the shop settings beside it (`with_settings=1`).
#[derive(serde::Deserialize)]
pub struct WithSettings<T> {
    pub list: T,
    pub settings: ShopSettings,
}

/// A successful answer: status, parsed body, and whether it was an idempotent replay.
pub struct Answer<T> {
    pub status: u16,
    pub value: T,
    pub replayed: bool,
}

#[derive(Clone)]
pub struct WriterClient {
    pub(super) base: String,
    token: String,
}

impl WriterClient {
    pub fn new(base: &str, token: &str) -> WriterClient {
        WriterClient {
            base: base.to_string(),
            token: token.to_string(),
        }
    }

    /// An owner's catalog command or read, passed on as is: the writer's status, body and
    /// whether it was an idempotent replay. `path_and_query` is built by the caller from
    /// checked segments; the actor in the history is the admin token.
    pub async fn forward(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<(u16, Vec<u8>, bool), WriterError> {
        self.forward_as(
            crate::security::owner_token::ACTOR,
            method,
            path_and_query,
            body,
            idempotency_key,
        )
        .await
    }

    /// [`Self::forward`] naming `actor` in the command's history (the back office's
    /// commands are the owner's, [`crate::office::ACTOR`]).
    pub async fn forward_as(
        &self,
        actor: &str,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<(u16, Vec<u8>, bool), WriterError> {
        let mut headers = vec![(ACTOR, actor)];
        if let Some(key) = idempotency_key {
            headers.push((IDEMPOTENCY_KEY, key));
        }
        let arrived = self
            .send(method.clone(), path_and_query, body, &headers)
            .await?;
        let (status, replayed) = (arrived.status, arrived.replayed());
        if status >= 500 {
            eprintln!("writer {path_and_query}: answered {status}");
            return Err(WriterError::Broken);
        }
        Ok((
            status,
            arrived.body(&method, path_and_query).await?,
            replayed,
        ))
    }

    pub(super) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, WriterError> {
        Ok(self.call(Method::Get, path, None, &[]).await?.value)
    }

    pub(super) async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: Option<&str>,
    ) -> Result<Answer<T>, WriterError> {
        let body = serde_json::to_vec(body).expect("request bodies always serialise");
        match idempotency_key {
            Some(key) => {
                self.call(Method::Post, path, Some(body), &[(IDEMPOTENCY_KEY, key)])
                    .await
            }
            None => self.call(Method::Post, path, Some(body), &[]).await,
        }
    }

    /// A catalog read's JSON exactly as the writer wrote it, for the public API to pass on
    /// without decoding and encoding it again (the shapes are the same by contract).
    pub async fn get_json_text(&self, path: &str) -> Result<Vec<u8>, WriterError> {
        Ok(self.call_bytes(Method::Get, path, None, &[]).await?.value)
    }

    /// Sends (and re-sends) one request and sorts the answer into success or [`WriterError`].
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Result<Answer<T>, WriterError> {
        let answer = self.call_bytes(method.clone(), path, body, headers).await?;
        decoded(&method, path, answer)
    }

    /// [`Self::call`] without decoding a success's body.
    pub(crate) async fn call_bytes(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Result<Answer<Vec<u8>>, WriterError> {
        let arrived = self.send(method.clone(), path, body, headers).await?;
        let (status, replayed) = (arrived.status, arrived.replayed());
        let body = arrived.body(&method, path).await?;
        sorted(&method, path, status, replayed, body)
    }

    /// Sends one request to `path` (with its query), re-sending it while the writer is
    /// unavailable (503 or no connection) within the retry budget.
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Result<Arrived, WriterError> {
        self.retrying(&method, path, || async {
            let request = self.plain(&method, path, headers, body.clone())?;
            let response = send::<Plain, IncomingResponse>(request).await?;
            Ok(Arrived {
                status: response.status(),
                response,
            })
        })
        .await
    }

    /// A request to the writer made straight from its parts: the writer's headers and
    /// `extra`, and `body` as JSON. The few host calls it needs, without spin-sdk's
    /// `Request` and its header map in between (`GET /` makes one per page).
    fn plain(
        &self,
        method: &Method,
        path: &str,
        extra: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<Plain, SendError> {
        let refused = |what: String| SendError::RequestConversion(what.into());
        let (scheme, rest) = self
            .base
            .split_once("://")
            .ok_or_else(|| refused(format!("writer_url {:?} has no scheme", self.base)))?;
        let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut headers: Vec<(String, Vec<u8>)> = Vec::with_capacity(3 + extra.len());
        headers.push(("accept".into(), b"application/json".to_vec()));
        if !self.token.is_empty() {
            headers.push((
                "authorization".into(),
                format!("Bearer {}", self.token).into_bytes(),
            ));
        }
        if body.is_some() {
            headers.push(("content-type".into(), b"application/json".to_vec()));
        }
        for (name, value) in extra {
            headers.push((name.to_string(), value.as_bytes().to_vec()));
        }
        let fields = Fields::from_list(&headers).map_err(|e| refused(format!("headers: {e:?}")))?;
        let request = OutgoingRequest::new(fields);
        let scheme = match scheme {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            other => Scheme::Other(other.to_string()),
        };
        let set = request.set_method(method).is_ok()
            && request.set_scheme(Some(&scheme)).is_ok()
            && request.set_authority(Some(authority)).is_ok()
            && request
                .set_path_with_query(Some(&format!("{prefix}{path}")))
                .is_ok();
        match set {
            true => Ok(Plain { request, body }),
            false => Err(refused(format!(
                "{}{path} is not a valid address",
                self.base
            ))),
        }
    }

    /// Runs `attempt` until the writer answers something other than a plain 503 or the
    /// retry budget is spent; a connection that fails is retried too, a request refused
    /// before it leaves ([`is_misconfiguration`]) and a damaged storage are not.
    pub(super) async fn retrying<R: Reply, F: Future<Output = Result<R, SendError>>>(
        &self,
        method: &Method,
        path: &str,
        mut attempt: impl FnMut() -> F,
    ) -> Result<R, WriterError> {
        let deadline = Instant::now() + RETRY_BUDGET;
        let mut delay = FIRST_DELAY;
        loop {
            let why = match attempt().await {
                Ok(r) if r.status() == 503 && r.storage_damaged() => {
                    eprintln!("writer {method} {path}: its storage is damaged; not retrying");
                    return Err(WriterError::Damaged);
                }
                Ok(r) if r.status() == 503 => "503 Service Unavailable".to_string(),
                Ok(r) => return Ok(r),
                Err(e) if is_misconfiguration(&e) => {
                    eprintln!(
                        "writer {method} {}{path}: {e:?}; check writer_url and allowed_outbound_hosts",
                        self.base
                    );
                    return Err(WriterError::Broken);
                }
                Err(e) => format!("connection failed: {e:?}"),
            };
            if Instant::now() + delay > deadline {
                eprintln!("writer {method} {path}: giving up after {RETRY_BUDGET:?}: {why}");
                return Err(WriterError::Unavailable);
            }
            eprintln!("writer {method} {path}: {why}; retrying in {delay:?}");
            // Blocking is fine: this instance serves one request at a time.
            std::thread::sleep(delay);
            delay = (delay * 2).min(MAX_DELAY);
        }
    }
}

/// Failures that waiting cannot fix: the request is refused before it leaves (also
/// used for calls to the payment provider).
pub(crate) fn is_misconfiguration(e: &SendError) -> bool {
    matches!(
        e,
        SendError::RequestConversion(_)
            | SendError::Http(
                ErrorCode::HttpRequestDenied
                    | ErrorCode::HttpRequestUriInvalid
                    | ErrorCode::ConfigurationError
                    | ErrorCode::LoopDetected
            )
    )
}

/// A writer's answer (`status`, `body`, whether it `replayed` a command) sorted into
/// success (any 2xx, its body not decoded) or [`WriterError`].
pub(super) fn sorted(
    method: &Method,
    path: &str,
    status: u16,
    replayed: bool,
    body: Vec<u8>,
) -> Result<Answer<Vec<u8>>, WriterError> {
    match status {
        200..=299 => Ok(Answer {
            status,
            value: body,
            replayed,
        }),
        400..=499 => {
            let body = serde_json::from_slice(&body).unwrap_or_else(|_| {
                ErrorBody::new("writer_error", format!("the writer answered {status}"))
            });
            Err(WriterError::Rejected { status, body })
        }
        _ => {
            eprintln!(
                "writer {method} {path}: answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(500)])
            );
            Err(WriterError::Broken)
        }
    }
}

/// What [`WriterClient::retrying`] needs to know of an answer.
pub(super) trait Reply {
    fn status(&self) -> u16;
    /// The first value of header `name`, if it is text.
    fn header_text(&self, name: &str) -> Option<String>;

    /// Whether a `503` says the writer's storage is damaged (the host's
    /// `storefront-storage: damaged`), not that it is briefly unavailable.
    fn storage_damaged(&self) -> bool {
        self.header_text("storefront-storage")
            .is_some_and(|v| v.eq_ignore_ascii_case("damaged"))
    }
}

/// A request made by [`WriterClient::plain`], with its body still to write: spin-sdk's
/// `send` writes it once the request is on its way.
pub(super) struct Plain {
    request: OutgoingRequest,
    body: Option<Vec<u8>>,
}

impl TryIntoOutgoingRequest for Plain {
    type Error = std::convert::Infallible;

    fn try_into_outgoing_request(self) -> Result<(OutgoingRequest, Option<Vec<u8>>), Self::Error> {
        Ok((self.request, self.body))
    }
}

/// A writer's answer as it arrives: its status read once, a header or the body read only
/// when wanted (a `304` is dropped unread).
pub(super) struct Arrived {
    pub(super) status: u16,
    response: IncomingResponse,
}

impl Arrived {
    /// Whether the writer answered a replay of an earlier command.
    pub(super) fn replayed(&self) -> bool {
        self.header_text(IDEMPOTENT_REPLAYED)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The whole body; one that breaks off is a broken writer.
    pub(super) async fn body(self, method: &Method, path: &str) -> Result<Vec<u8>, WriterError> {
        self.response.into_body().await.map_err(|e| {
            eprintln!("writer {method} {path}: the answer's body broke off: {e:?}");
            WriterError::Broken
        })
    }
}

impl Reply for Arrived {
    fn status(&self) -> u16 {
        self.status
    }

    fn header_text(&self, name: &str) -> Option<String> {
        let values = self.response.headers().get(name);
        values
            .into_iter()
            .next()
            .and_then(|v| String::from_utf8(v).ok())
    }
}

/// Turns a 404 into `None`.
/// A successful answer's JSON body decoded; a body that does not decode is a broken writer.
pub(super) fn decoded<T: DeserializeOwned>(
    method: &Method,
    path: &str,
    answer: Answer<Vec<u8>>,
) -> Result<Answer<T>, WriterError> {
    match serde_json::from_slice(&answer.value) {
        Ok(value) => Ok(Answer {
            status: answer.status,
            value,
            replayed: answer.replayed,
        }),
        Err(e) => {
            eprintln!(
                "writer {method} {path}: unreadable {} body: {e}",
                answer.status
            );
            Err(WriterError::Broken)
        }
    }
}

pub fn found<T>(result: Result<T, WriterError>) -> Result<Option<T>, WriterError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(WriterError::Rejected { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The cart line `N` that a writer field error `items[N]…` is about.
pub fn line_index(field: &str) -> Option<usize> {
    field
        .strip_prefix("items[")?
        .split(']')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_indices_from_field_names() {
        assert_eq!(line_index("items[0].slug"), Some(0));
        assert_eq!(line_index("items[12].quantity"), Some(12));
        assert_eq!(line_index("items"), None);
        assert_eq!(line_index("email"), None);
        assert_eq!(line_index("items[x].slug"), None);
    }

    #[test]
    fn backoff_fits_the_budget() {
        // The sum of sleeps before giving up stays within the budget.
        let mut delay = FIRST_DELAY;
        let mut slept = Duration::ZERO;
        while slept + delay <= RETRY_BUDGET {
            slept += delay;
            delay = (delay * 2).min(MAX_DELAY);
        }
        assert!(slept <= RETRY_BUDGET);
        assert!(slept >= RETRY_BUDGET - MAX_DELAY);
    }
}
