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
use spin_sdk::http::Method;
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
        let condition: &[(&str, &str)] = match etag {
            Some(etag) => &[("if-none-match", etag)],
            None => &[],
        };
        let arrived = self.send(Method::Get, path, None, condition).await?;
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
        let body = match arrived.body(&Method::Get, path).await {
            Ok(body) => body,
            Err(e) => {
                forget(&url);
                return Err(e);
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
}
