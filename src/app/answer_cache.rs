//! Answers of the database's owner that stay true until the database next changes,
//! served again without running the component.
//!
//! Why: a catalog page costs a writer instance, several queries and a JSON encoding, yet
//! between two changes of the database every such read returns the same bytes. The
//! writer marks an answer with `storefront-cache: until-write` (its catalog and settings
//! reads), promising that it depends only on the request's method, path and query and
//! `Authorization` header, and on the committed database. The host knows exactly when
//! that database may have changed ([`Database::change_count`] moves after every statement
//! on the writing connection and at every commit, before anyone hears of the commit), so
//! a kept answer is served only while the count it was read under is still current: it
//! is never stale, unlike a time-based cache, and one order placed anywhere empties it.
//!
//! Real Spin ignores the header and runs the component every time; the component cannot
//! tell the difference, except that a cached read does not run it.

use crate::database::Database;
use crate::server::responses::{self, full};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime_wasi_http::WasiBody;

/// The response header a component marks a cacheable answer with, and its one value.
pub const HEADER: &str = "storefront-cache";
pub const UNTIL_WRITE: &str = "until-write";

/// Most answers kept at once.
pub const MAX_ENTRIES: usize = 1024;
/// Most body bytes kept at once.
pub const MAX_BYTES: usize = 32 << 20;
/// Largest answer kept (a larger marked answer is passed on, not kept).
pub const MAX_ANSWER_BYTES: usize = 512 << 10;
/// Largest marked answer read into memory to be kept; past it the answer fails (a
/// component's cacheable reads are bounded by its own row limits, far below this).
const MAX_READ_BYTES: usize = 8 << 20;

/// The parts of a request its key is made of, from a whole request or from its parts.
#[derive(Clone, Copy)]
pub struct Head<'a> {
    pub method: &'a http::Method,
    pub uri: &'a http::Uri,
    pub headers: &'a http::HeaderMap,
}

impl<'a, B> From<&'a http::Request<B>> for Head<'a> {
    fn from(request: &'a http::Request<B>) -> Self {
        Head {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
        }
    }
}

impl<'a> From<&'a http::request::Parts> for Head<'a> {
    fn from(parts: &'a http::request::Parts) -> Self {
        Head {
            method: &parts.method,
            uri: &parts.uri,
            headers: &parts.headers,
        }
    }
}

/// What a request is found by: component, path and query, `Authorization`.
#[derive(PartialEq, Eq, Hash)]
pub struct Key(String);

/// A request whose answer may be kept: its key and the change count before it ran.
pub struct Pending {
    key: Key,
    changes: u64,
    generation: u64,
}

struct Kept {
    status: http::StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct Entries {
    /// The change count every entry was read under.
    changes: u64,
    bytes: usize,
    map: HashMap<Key, Kept>,
}

/// The kept answers of one process's database-owning components.
pub struct AnswerCache {
    database: Database,
    entries: Mutex<Entries>,
    /// Bumped when a component's code is swapped (`up --watch`): an answer read under
    /// an older generation is not kept.
    generation: AtomicU64,
    /// Requests answered from the cache, and answers kept: printed at shutdown.
    hits: AtomicU64,
    kept: AtomicU64,
}

impl AnswerCache {
    pub fn new(database: Database) -> Self {
        AnswerCache {
            database,
            entries: Mutex::new(Entries::default()),
            generation: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            kept: AtomicU64::new(0),
        }
    }

    /// `answer cache: H requests answered from N kept answers`, for the shutdown log.
    pub fn line(&self) -> String {
        format!(
            "answer cache: {} requests answered from {} kept answers",
            self.hits.load(Ordering::Relaxed),
            self.kept.load(Ordering::Relaxed)
        )
    }

    /// The key of a `GET` to `component`; other methods are never cached.
    pub fn key(component: &str, head: Head<'_>) -> Option<Key> {
        if head.method != http::Method::GET {
            return None;
        }
        let target = head
            .uri
            .path_and_query()
            .map_or("/", http::uri::PathAndQuery::as_str);
        let authorization = head
            .headers
            .get(http::header::AUTHORIZATION)
            .map_or(&b""[..], http::HeaderValue::as_bytes);
        Some(Key(format!(
            "{component} {target} {}",
            String::from_utf8_lossy(authorization)
        )))
    }

    /// The kept answer to `key`, if it was read under the current change count.
    pub fn get(&self, key: &Key) -> Option<http::Response<WasiBody>> {
        let changes = self.database.change_count();
        let entries = self.entries.lock().expect("answer cache lock");
        if entries.changes != changes {
            return None;
        }
        let kept = entries.map.get(key)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        let mut response = http::Response::new(full(kept.body.clone()));
        *response.status_mut() = kept.status;
        *response.headers_mut() = kept.headers.clone();
        Some(response)
    }

    /// Notes the change count before the component runs for `key`.
    pub fn pending(&self, key: Key) -> Pending {
        Pending {
            key,
            changes: self.database.change_count(),
            generation: self.generation.load(Ordering::SeqCst),
        }
    }

    /// Forgets every kept answer, and any being read now: the code that made them
    /// was replaced.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let mut entries = self.entries.lock().expect("answer cache lock");
        entries.map.clear();
        entries.bytes = 0;
    }

    /// Keeps `response` if the component marked it and the database did not change while
    /// it was read; hands it on either way.
    pub async fn keep(
        &self,
        pending: Pending,
        response: http::Response<WasiBody>,
    ) -> http::Response<WasiBody> {
        let marked = response.status() == http::StatusCode::OK
            && response
                .headers()
                .get(HEADER)
                .is_some_and(|v| v.as_bytes() == UNTIL_WRITE.as_bytes());
        if !marked
            || self.database.change_count() != pending.changes
            || self.generation.load(Ordering::SeqCst) != pending.generation
        {
            return response;
        }
        let (parts, body) = response.into_parts();
        let body = match Limited::new(body, MAX_READ_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => {
                tracing::error!("reading a cacheable answer failed: {e}");
                return responses::error(
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the answer could not be read",
                );
            }
        };
        if body.len() <= MAX_ANSWER_BYTES {
            self.insert(pending, &parts, body.clone());
        }
        http::Response::from_parts(parts, full(body))
    }

    fn insert(&self, pending: Pending, parts: &http::response::Parts, body: Bytes) {
        let mut entries = self.entries.lock().expect("answer cache lock");
        // Only answers read under the current count are worth anything: start afresh.
        let current = self.database.change_count();
        if pending.changes != current
            || self.generation.load(Ordering::SeqCst) != pending.generation
        {
            return;
        }
        if entries.changes != current {
            *entries = Entries {
                changes: current,
                ..Entries::default()
            };
        }
        if entries.map.len() >= MAX_ENTRIES || entries.bytes + body.len() > MAX_BYTES {
            return;
        }
        entries.bytes += body.len();
        self.kept.fetch_add(1, Ordering::Relaxed);
        let kept = Kept {
            status: parts.status,
            headers: parts.headers.clone(),
            body,
        };
        if let Some(old) = entries.map.insert(pending.key, kept) {
            entries.bytes -= old.body.len();
        }
    }
}
