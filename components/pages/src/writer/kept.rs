//! The writer's catalog reads this instance keeps, decoded, between requests, asked again
//! on every use with `If-None-Match`.
//!
//! An instance may serve many requests in turn (the host keeps it, as Spin 4 does), and
//! most of them read the same few catalog answers: the first page of cards, the product
//! pages, the collections, the settings. The native host tags each such answer with an
//! `ETag` (`crate::app::answer_cache` in the host) and answers a request naming the
//! current tag `304 Not Modified`, without a body: the instance then uses what it decoded
//! before, skipping the transfer and the decoding, by far the largest part of a catalog
//! page's time in this component. Nothing is ever shown stale: every use asks the writer,
//! and a `304` comes only while the database has not changed since the answer was read.
//!
//! Real Spin does not tag answers, so nothing is kept there and every read is decoded,
//! as before. At most [`MAX_KEPT`] answers of at most [`MAX_KEPT_BYTES`] bytes (as JSON)
//! each are kept, the least recently used dropped first; they go with the instance.

use super::client::{Answer, Reply, WriterClient, WriterError, decoded, sorted};
use serde::de::DeserializeOwned;
use spin_sdk::http::{Fields, IncomingResponse, Method, OutgoingRequest, Scheme, SendError, send};
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

/// Most answers one instance keeps.
pub const MAX_KEPT: usize = 16;
/// Largest answer (its JSON's length) an instance keeps; a larger one is decoded each time.
pub const MAX_KEPT_BYTES: usize = 256 << 10;

struct Entry {
    url: String,
    etag: String,
    value: Rc<dyn Any>,
}

thread_local! {
    /// Most recently used last.
    static KEPT: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// The kept answer to `url` and its tag, as the most recently used.
fn take(url: &str) -> Option<(String, Rc<dyn Any>)> {
    KEPT.with_borrow_mut(|kept| {
        let at = kept.iter().position(|e| e.url == url)?;
        let entry = kept.remove(at);
        let found = (entry.etag.clone(), entry.value.clone());
        kept.push(entry);
        Some(found)
    })
}

fn keep(url: String, etag: String, value: Rc<dyn Any>) {
    KEPT.with_borrow_mut(|kept| {
        kept.retain(|e| e.url != url);
        if kept.len() >= MAX_KEPT {
            kept.remove(0);
        }
        kept.push(Entry { url, etag, value });
    });
}

fn forget(url: &str) {
    KEPT.with_borrow_mut(|kept| kept.retain(|e| e.url != url));
}

/// A catalog read's answer as it arrives: its status read once, a header or the body
/// read only when wanted (a `304` is dropped unread).
struct Arrived {
    status: u16,
    response: IncomingResponse,
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

impl WriterClient {
    /// `GET path`, decoded, from what this instance kept if the writer says it has not
    /// changed (`304`); otherwise as [`WriterClient::get`], keeping the answer if the
    /// writer tagged it.
    pub(super) async fn get_kept<T: DeserializeOwned + 'static>(
        &self,
        path: &str,
    ) -> Result<Rc<T>, WriterError> {
        let url = format!("{}{path}", self.base);
        let before = take(&url).and_then(|(etag, value)| Some((etag, value.downcast::<T>().ok()?)));
        let etag = before.as_ref().map(|(etag, _)| etag.as_str());
        let arrived = self
            .retrying(&Method::Get, path, || async {
                let request = self.plain_get(path, etag)?;
                let response = send::<OutgoingRequest, IncomingResponse>(request).await?;
                Ok(Arrived {
                    status: response.status(),
                    response,
                })
            })
            .await?;
        if arrived.status == 304 {
            return match before {
                Some((_, value)) => Ok(value),
                None => {
                    eprintln!("writer GET {path}: answered 304 to a request without a tag");
                    Err(WriterError::Broken)
                }
            };
        }
        let etag = arrived.header_text("etag");
        let status = arrived.status;
        let body = match arrived.response.into_body().await {
            Ok(body) => body,
            Err(e) => {
                eprintln!("writer GET {path}: the answer's body broke off: {e:?}");
                forget(&url);
                return Err(WriterError::Broken);
            }
        };
        let answer = match sorted(&Method::Get, path, status, false, body) {
            Ok(answer) => answer,
            Err(e) => {
                forget(&url);
                return Err(e);
            }
        };
        let size = answer.value.len();
        let Answer { value, .. } = decoded::<T>(&Method::Get, path, answer)?;
        let value = Rc::new(value);
        match etag {
            Some(etag) if size <= MAX_KEPT_BYTES => keep(url, etag, value.clone()),
            _ => forget(&url),
        }
        Ok(value)
    }

    /// A bodiless `GET` of `path` with the writer's headers (and `If-None-Match: etag`),
    /// made straight from the request's parts: the few host calls it needs, without a
    /// header map or an empty body stream.
    fn plain_get(&self, path: &str, etag: Option<&str>) -> Result<OutgoingRequest, SendError> {
        let refused = |what: String| SendError::RequestConversion(what.into());
        let (scheme, rest) = self
            .base
            .split_once("://")
            .ok_or_else(|| refused(format!("writer_url {:?} has no scheme", self.base)))?;
        let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let authorization = format!("Bearer {}", self.token);
        let mut headers: Vec<(String, Vec<u8>)> =
            vec![("accept".into(), b"application/json".to_vec())];
        if !self.token.is_empty() {
            headers.push(("authorization".into(), authorization.into_bytes()));
        }
        if let Some(etag) = etag {
            headers.push(("if-none-match".into(), etag.as_bytes().to_vec()));
        }
        let fields = Fields::from_list(&headers).map_err(|e| refused(format!("headers: {e:?}")))?;
        let request = OutgoingRequest::new(fields);
        let scheme = match scheme {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            other => Scheme::Other(other.to_string()),
        };
        let set = request.set_method(&Method::Get).is_ok()
            && request.set_scheme(Some(&scheme)).is_ok()
            && request.set_authority(Some(authority)).is_ok()
            && request
                .set_path_with_query(Some(&format!("{prefix}{path}")))
                .is_ok();
        match set {
            true => Ok(request),
            false => Err(refused(format!(
                "{}{path} is not a valid address",
                self.base
            ))),
        }
    }
}
